// Import and export of site lists (issue 4, item 5; docs/humanitarian.md
// POST /api/v1/sites/import, GET ?format=geojson|csv): GeoJSON
// FeatureCollections and HXL-tagged CSV, the whole file or nothing, every bad
// row reported by line and field, the size limits, exports in both formats,
// and the round trip (export, then import into the same organisation: the
// same geometries).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  D, iso, region, across, lengthwise, pt, siteBody, healthSize, assertReceipt, refuse, toCsv, readHxl, parseCsv,
  hxlGet, sameGeometry,
} from '../lib/humanitarian.mjs';
import { direct, squareRing } from '../lib/geodesic.mjs';

let server, t = {};
before(async () => {
  server = await boot();
  for (const u of ['cmcc.watch', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'idf.liaison', 'isf.hq']) t[u] = (await server.login(u)).token;
});
after(() => shutdown(server));

const api = (...a) => server.api(...a);
const GEO = { 'Content-Type': 'application/geo+json' };
const CSV = { 'Content-Type': 'text/csv' };
const FROM = iso(Date.now() - D), UNTIL = iso(Date.now() + 90 * D);
const fc = (features) => ({ type: 'FeatureCollection', features });
const feature = (geometry, properties) => ({ type: 'Feature', geometry, properties });
async function getSite(user, id) {
  const r = await api('GET', `/api/v1/sites/${id}`, { token: t[user] });
  assert.equal(r.status, 200, `GET ${id}: ${r.text.slice(0, 300)}`);
  return r.body.site || r.body;
}
async function doImport(user, body, headers, path = '/api/v1/sites/import') {
  const r = await api('POST', path, { token: t[user], body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  assert.equal(r.status, 201, `import: ${r.status} ${r.text.slice(0, 800)}`);
  assert.ok(Array.isArray(r.body.ids), r.text.slice(0, 300));
  assert.equal(r.body.count, r.body.ids.length);
  return r;
}
const HXL_HEAD = ['Ref', 'Organisation', 'Name (en)', 'Name (ar)', 'Latitude', 'Longitude', 'From', 'Until', 'Category', 'Staff', 'Contact', 'Phone'];
const HXL_TAGS = ['#meta+id', '#org', '#loc+name+en', '#loc+name+ar', '#geo+lat', '#geo+lon', '#date+start', '#date+end', '#sector+category', '#reached+staff', '#contact+name', '#contact+phone'];
const hxlRow = (ref, org, p, over = {}) => {
  const r = { ref, org, en: `Imported ${ref}`, ar: `موقع ${ref}`, lat: p[1], lon: p[0], from: FROM, until: UNTIL, cat: 'shelter_school', staff: 5, contact: `Lead ${ref}`, phone: `+970 59 100 ${ref.slice(-4).padStart(4, '0')}`, ...over };
  return [r.ref, r.org, r.en, r.ar, r.lat, r.lon, r.from, r.until, r.cat, r.staff, r.contact, r.phone];
};

test('GeoJSON FeatureCollection: every feature becomes a site of the caller\'s organisation; one receipt that verifies', async () => {
  const c = region(2);
  const poly = squareRing(lengthwise(c, 400), 30);
  const body = fc([
    feature(pt(c), { category: 'health_facility', name_en: 'Clinic G1', name_ar: 'عيادة ١', valid_from: FROM, valid_until: UNTIL, staff_count: 9, contact_name: 'Dr. G', contact_phone: '+970 59 200 0001', ref: 'G1' }),
    feature({ type: 'Polygon', coordinates: [poly] }, { category: 'warehouse', name: { en: 'Store G2', ar: 'مخزن ٢' }, valid_from: FROM, valid_until: UNTIL, ref: 'G2' }),
    feature(pt(across(c, 300)), { category: 'water_sanitation', name_en: 'Well G3', name_ar: 'بئر ٣', valid_from: FROM, valid_until: UNTIL }),
  ]);
  const before = await healthSize(server);
  const r = await doImport('ocha.focal', body, GEO);
  assert.equal(r.body.count, 3);
  for (const id of r.body.ids) assert.match(id, /^SITE-\d+$/);
  const ev = assertReceipt(server, r, r.body.ids[0]);
  assert.ok(ev.seq > before);
  const [g1, g2, g3] = await Promise.all(r.body.ids.map((id) => getSite('ocha.focal', id)));
  assert.equal(g1.category, 'health_facility');
  assert.deepEqual(g1.name, { en: 'Clinic G1', ar: 'عيادة ١' });
  assert.equal(g1.staff_count, 9);
  assert.deepEqual(g1.contact, { name: 'Dr. G', phone: '+970 59 200 0001' });
  assert.equal(g1.org, 'UN-OCHA');
  assert.equal(g1.status, 'submitted');
  assert.ok(sameGeometry(g1.geometry, pt(c)));
  assert.equal(Date.parse(g1.valid_from), Date.parse(FROM));
  assert.equal(Date.parse(g1.valid_until), Date.parse(UNTIL));
  assert.ok(sameGeometry(g2.geometry, { type: 'Polygon', coordinates: [poly] }));
  assert.deepEqual(g2.name, { en: 'Store G2', ar: 'مخزن ٢' });
  assert.equal(g3.category, 'water_sanitation');
  // application/json works too.
  const j = await doImport('ocha.focal', fc([feature(pt(across(c, -300)), { category: 'office', name_en: 'Office G4', name_ar: 'مكتب', valid_from: FROM, valid_until: UNTIL })]), { 'Content-Type': 'application/json' });
  assert.equal(j.body.count, 1);
});

test('HXL CSV: header row, tag row, data; quoted cells, Arabic, any column order; one receipt', async () => {
  const c = region(4);
  const rows = [HXL_HEAD, HXL_TAGS,
    hxlRow('H0001', 'UN-OCHA', c, { en: 'Shelter, north wing', contact: 'Sara "the lead" T' }),
    hxlRow('H0002', 'UN-OCHA', across(c, 200), { cat: 'bakery_kitchen', staff: '' }),
    hxlRow('H0003', 'UN-OCHA', across(c, -200), { ar: 'مدرسة الأمل' }),
  ];
  const r = await doImport('ocha.focal', toCsv(rows), CSV);
  assert.equal(r.body.count, 3);
  assertReceipt(server, r, r.body.ids[0]);
  const s = await Promise.all(r.body.ids.map((id) => getSite('ocha.focal', id)));
  assert.equal(s[0].name.en, 'Shelter, north wing');
  assert.equal(s[0].contact.name, 'Sara "the lead" T');
  assert.equal(s[0].contact.phone, '+970 59 100 0001');
  assert.equal(s[0].category, 'shelter_school');
  assert.equal(s[0].staff_count, 5);
  assert.ok(sameGeometry(s[0].geometry, pt(c), 1e-9), JSON.stringify(s[0].geometry));
  assert.equal(s[1].category, 'bakery_kitchen');
  assert.equal(s[2].name.ar, 'مدرسة الأمل');
  // Columns in another order (and fewer of them), LF line ends.
  const perm = [5, 4, 8, 2, 3, 1, 0, 6, 7];
  const row = hxlRow('H0004', 'UN-OCHA', lengthwise(c, 500), { cat: 'distribution_point' });
  const text = [perm.map((i) => HXL_HEAD[i]), perm.map((i) => HXL_TAGS[i]), perm.map((i) => row[i])].map((x) => x.join(',')).join('\n');
  const r2 = await doImport('ocha.focal', text, CSV);
  const s4 = await getSite('ocha.focal', r2.body.ids[0]);
  assert.equal(s4.category, 'distribution_point');
  assert.equal(s4.name.en, 'Imported H0004');
  assert.ok(sameGeometry(s4.geometry, pt(lengthwise(c, 500)), 1e-9));
});

test('HXL: attributes are unordered and case-insensitive (#loc+en+name is #loc+name+en; #GEO+LAT is #geo+lat)', async () => {
  const c = lengthwise(region(4), 900);
  const tags = HXL_TAGS.map((x) => (x === '#loc+name+en' ? '#loc+en+name' : x === '#geo+lat' ? '#GEO+LAT' : x));
  const r = await doImport('ocha.focal', toCsv([HXL_HEAD, tags, hxlRow('H0005', 'UN-OCHA', c)]), CSV);
  const s = await getSite('ocha.focal', r.body.ids[0]);
  assert.equal(s.name.en, 'Imported H0005');
  assert.ok(sameGeometry(s.geometry, pt(c), 1e-9));
});

test('bad CSV rows: 400 bad_rows listing every bad row by file line and HXL tag; nothing written', async () => {
  const c = region(6);
  const good = (k) => hxlRow(`B000${k}`, 'UN-OCHA', lengthwise(c, 100 * k));
  const rows = [HXL_HEAD, HXL_TAGS,
    hxlRow('B0001', 'UN-OCHA', c, { lat: '95.1' }), // line 3: latitude out of range
    good(2), // line 4
    hxlRow('B0003', 'UN-OCHA', lengthwise(c, 300), { cat: 'palace' }), // line 5
    hxlRow('B0004', 'UN-OCHA', lengthwise(c, 400), { from: UNTIL, until: FROM }), // line 6: ends before it starts
    hxlRow('B0005', 'UN-WFP', lengthwise(c, 500)), // line 7: another organisation
    hxlRow('B0006', 'UN-OCHA', [31.2357, 30.0444]), // line 8: Cairo
    good(7), // line 9
    hxlRow('B0008', 'UN-OCHA', lengthwise(c, 800), { lon: 'east' }), // line 10
    hxlRow('B0009', 'UN-OCHA', lengthwise(c, 900), { staff: 'many' }), // line 11
    hxlRow('B0010', 'UN-OCHA', lengthwise(c, 1000), { from: 'tomorrow' }), // line 12
  ];
  const r = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: toCsv(rows), headers: CSV, status: 400, code: 'bad_rows', field: 'rows', lists: ['/api/v1/sites'], readToken: t['cmcc.watch'] });
  const got = [...r.body.error.rows].sort((x, y) => x.line - y.line).map((x) => `${x.line} ${x.field}`);
  const want = ['3 #geo+lat', '5 #sector+category', '6 #date+end', '7 #org', '8 #geo', '10 #geo+lon', '11 #reached+staff', '12 #date+start'];
  for (const x of r.body.error.rows) assert.ok(typeof x.message === 'string' && x.message.length > 0, JSON.stringify(x));
  // Cairo: the point as a whole is outside; the row may name #geo+lat or #geo+lon.
  const norm = got.map((g) => (/^8 #geo\+(lat|lon)$/.test(g) ? '8 #geo' : g));
  assert.deepEqual(norm, want, `bad rows: ${JSON.stringify(r.body.error.rows)}`);
  assert.ok(!got.some((g) => g.startsWith('4 ') || g.startsWith('9 ')), 'good rows are not reported');
  // A missing required column.
  const noLat = [HXL_HEAD.slice(0, 4).concat(HXL_HEAD.slice(5)), HXL_TAGS.slice(0, 4).concat(HXL_TAGS.slice(5)), good(2).slice(0, 4).concat(good(2).slice(5))];
  const nl = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: toCsv(noLat), headers: CSV, status: 400, lists: ['/api/v1/sites'] });
  assert.match(JSON.stringify(nl.body.error), /#geo\+lat/, 'the missing column is named');
  // No tag row at all.
  await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: toCsv([HXL_HEAD, good(2)]), headers: CSV, status: 400, lists: ['/api/v1/sites'] });
});

test('bad GeoJSON features: reported by feature index + 1 and field; nothing written', async () => {
  const c = region(8);
  const props = (k, over = {}) => ({ category: 'warehouse', name_en: `F${k}`, name_ar: `م${k}`, valid_from: FROM, valid_until: UNTIL, ...over });
  const [a, b, cc, d] = [c, across(c, 60), lengthwise(across(c, 60), 60), lengthwise(c, 60)];
  const body = fc([
    feature(pt(lengthwise(c, -300)), props(1)), // 1: fine
    feature({ type: 'Polygon', coordinates: [[a, cc, b, d, a]] }, props(2)), // 2: self-intersecting
    feature(pt(lengthwise(c, -600)), props(3, { category: 'palace' })), // 3
    feature({ type: 'Polygon', coordinates: [[a, b, cc, d]] }, props(4)), // 4: not closed
    feature(pt([c[1], c[0]]), props(5)), // 5: swapped
    feature(pt(lengthwise(c, -900)), props(6, { valid_until: iso(Date.now() - 10 * D) })), // 6: ends before it starts
    feature(pt(lengthwise(c, -1200)), props(7, { colour: 'red' })), // 7: unknown property
    feature(pt(lengthwise(c, -1500)), props(8)), // 8: fine
  ]);
  const r = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: JSON.stringify(body), headers: GEO, status: 400, code: 'bad_rows', field: 'rows', lists: ['/api/v1/sites'], readToken: t['cmcc.watch'] });
  const rows = r.body.error.rows;
  assert.deepEqual(rows.map((x) => x.line).sort((x, y) => x - y), [2, 3, 4, 5, 6, 7], JSON.stringify(rows));
  const f = Object.fromEntries(rows.map((x) => [x.line, x.field]));
  assert.match(f[2], /geometry/);
  assert.match(f[3], /category/);
  assert.match(f[4], /geometry/);
  assert.match(f[5], /geometry/);
  assert.match(f[6], /valid_until/);
  assert.match(f[7], /colour/);
  // Not a FeatureCollection, a feature without geometry, broken JSON.
  for (const bad of [feature(pt(c), props(9)), { type: 'FeatureCollection' }, fc([{ type: 'Feature', properties: props(10) }]), fc('x')]) {
    await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: JSON.stringify(bad), headers: GEO, status: 400, lists: ['/api/v1/sites'] });
  }
  await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: '{"type":"FeatureCollection","features":[', headers: GEO, status: 400, lists: ['/api/v1/sites'] });
  await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: 'hello', headers: { 'Content-Type': 'text/plain' }, lists: ['/api/v1/sites'] });
});

test('GeoJSON properties named like the import\'s own marks (_bad, _line) are refused, never a way past the checks; nothing written', async () => {
  const c = region(9);
  const good = { category: 'warehouse', name_en: 'Marked', name_ar: 'م', valid_from: FROM, valid_until: UNTIL };
  for (const [k, v] of [['_bad', true], ['_line', 7], ['_labels', ['all']]]) {
    // With the mark, a row that breaks every rule: unknown category, a time that is not one, a point far outside the area, an unknown property.
    const body = fc([
      feature(pt(lengthwise(c, -300)), good),
      feature(pt([10, 10]), { [k]: v, category: 'spaceport', valid_from: 'yesterday', bogus: { x: 1 } }),
    ]);
    const r = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites/import', body: JSON.stringify(body), headers: GEO, status: 400, code: 'bad_rows', field: 'rows', lists: ['/api/v1/sites'], readToken: t['cmcc.watch'] });
    assert.ok(r.body.error.rows.some((x) => x.line === 2), JSON.stringify(r.body.error.rows));
  }
});

test('who may import: notify.write only (403 otherwise, 401 without a session); the no-strike import is the CMCC\'s', async () => {
  const c = region(10);
  const body = JSON.stringify(fc([feature(pt(c), { category: 'office', name_en: 'X', name_ar: 'س', valid_from: FROM, valid_until: UNTIL })]));
  for (const u of ['idf.liaison', 'isf.hq']) await refuse(server, { token: t[u], path: '/api/v1/sites/import', body, headers: GEO, status: 403, lists: ['/api/v1/sites'], readToken: t['cmcc.watch'] });
  await refuse(server, { token: undefined, path: '/api/v1/sites/import', body, headers: GEO, status: 401 });
  const nb = JSON.stringify(fc([feature(pt(c), { category: 'hospital', name_en: 'Hospital N', name_ar: 'مستشفى', valid_from: FROM, valid_until: UNTIL })]));
  await refuse(server, { token: t['ocha.focal'], path: '/api/v1/nostrike/import', body: nb, headers: GEO, status: 403, lists: ['/api/v1/nostrike'], readToken: t['cmcc.watch'] });
  const r = await doImport('cmcc.watch', nb, GEO, '/api/v1/nostrike/import');
  assert.match(r.body.ids[0], /^NSL-\d+$/);
  assertReceipt(server, r, r.body.ids[0]);
});

test('exports: GeoJSON and HXL CSV hold exactly the list the caller sees, with the same fields', async () => {
  for (const user of ['ocha.focal', 'cmcc.watch']) {
    const list = (await api('GET', '/api/v1/sites', { token: t[user] })).body.sites;
    assert.ok(list.length >= 8, `${user} sees the imported sites`);
    const g = await api('GET', '/api/v1/sites?format=geojson', { token: t[user] });
    assert.equal(g.status, 200);
    assert.match(g.headers.get('content-type'), /^application\/(geo\+)?json/);
    assert.equal(g.body.type, 'FeatureCollection');
    assert.deepEqual(g.body.features.map((f) => f.properties.id), list.map((s) => s.id), `${user}: the same sites, in the same order`);
    for (const f of g.body.features) {
      const s = list.find((x) => x.id === f.properties.id);
      assert.equal(f.type, 'Feature');
      assert.ok(sameGeometry(f.geometry, s.geometry, 1e-9));
      assert.ok(!('geometry' in f.properties), 'properties: the site less its geometry');
      for (const k of ['category', 'org', 'status', 'valid_from', 'valid_until', 'labels']) assert.deepEqual(f.properties[k], s[k], `${f.properties.id}.${k}`);
      assert.deepEqual(f.properties.name ?? { en: f.properties.name_en, ar: f.properties.name_ar }, s.name);
      assert.deepEqual(f.properties.contact, s.contact, `${f.properties.id}: contact as in the list`);
    }
    const c = await api('GET', '/api/v1/sites?format=csv', { token: t[user] });
    assert.equal(c.status, 200);
    assert.match(c.headers.get('content-type'), /^text\/csv/);
    const hx = readHxl(c.text);
    for (const tag of ['#org', '#geo+lat', '#geo+lon', '#date+start', '#date+end', '#sector+category']) assert.ok(hx.records.length === 0 || hxlGet(hx.records[0], tag) !== undefined, `${user}: column ${tag} in ${hx.tags}`);
    assert.equal(hx.records.length, list.length, `${user}: one row per site`);
    const byName = new Map(list.map((s) => [s.name.en, s]));
    for (const rec of hx.records) {
      const s = byName.get(hxlGet(rec, '#loc+name+en'));
      assert.ok(s, `a row for ${hxlGet(rec, '#loc+name+en')}`);
      assert.equal(hxlGet(rec, '#org'), s.org);
      assert.equal(hxlGet(rec, '#sector+category'), s.category);
      assert.equal(Date.parse(hxlGet(rec, '#date+end')), Date.parse(s.valid_until));
      if (s.geometry.type === 'Point') {
        assert.ok(Math.abs(Number(hxlGet(rec, '#geo+lat')) - s.geometry.coordinates[1]) < 1e-6, 'latitude');
        assert.ok(Math.abs(Number(hxlGet(rec, '#geo+lon')) - s.geometry.coordinates[0]) < 1e-6, 'longitude');
      }
    }
    // Filters apply to exports too.
    const mine = await api('GET', '/api/v1/sites?format=geojson&org=UN-OCHA&category=warehouse', { token: t[user] });
    assert.ok(mine.body.features.length > 0 && mine.body.features.every((f) => f.properties.org === 'UN-OCHA' && f.properties.category === 'warehouse'));
  }
});

test('movements export in both formats: GeoJSON (the route as geometry) and HXL CSV', async () => {
  const mv = movementFor(region(12));
  const m = await api('POST', '/api/v1/movements', { token: t['ocha.focal'], body: mv });
  assert.equal(m.status, 201, m.text);
  const mg = await api('GET', '/api/v1/movements?format=geojson', { token: t['ocha.focal'] });
  assert.equal(mg.body.type, 'FeatureCollection');
  const f = mg.body.features.find((x) => x.properties.id === m.body.id);
  assert.ok(f && sameGeometry(f.geometry, mv.route, 1e-9), 'the route is the feature geometry');
  assert.deepEqual(f.properties.times.map(Date.parse), mv.times.map(Date.parse));
  const mc = await api('GET', '/api/v1/movements?format=csv', { token: t['ocha.focal'] });
  assert.equal(mc.status, 200);
  assert.match(mc.headers.get('content-type'), /^text\/csv/);
  assert.ok(readHxl(mc.text).records.length >= 1);
  assert.ok(mc.text.includes(m.body.id));
});

function movementFor(c) {
  const T = Date.now() + 3 * D;
  const coords = [c, lengthwise(c, 1000), across(lengthwise(c, 1000), 500)];
  return { purpose: 'Export test', vehicles: { count: 2 }, staff_count: 3, route: { type: 'LineString', coordinates: coords }, times: coords.map((_, i) => iso(T + i * 3600e3)), window_from: iso(T - 3600e3), window_until: iso(T + 3 * 3600e3) };
}

test('round trip, GeoJSON: export, withdraw, import the export into the same organisation: the same geometries', async () => {
  const c = region(13);
  const made = [];
  for (const [k, geom] of [[0, pt(c)], [1, { type: 'Polygon', coordinates: [squareRing(lengthwise(c, 300), 45)] }], [2, pt(across(c, 250))], [3, { type: 'Polygon', coordinates: [squareRing(across(c, -400), 25)] }]]) {
    const r = await api('POST', '/api/v1/sites', { token: t['ngo.focal'], body: siteBody(c, { geometry: geom, name: { en: `RT-G ${k}`, ar: `ر ${k}` }, category: k % 2 ? 'warehouse' : 'health_facility', contact: { name: `RT ${k}`, phone: `+970 59 777 000${k}` } }) });
    assert.equal(r.status, 201, r.text);
    made.push(r.body.site);
  }
  const ex = await api('GET', '/api/v1/sites?format=geojson&mine=1', { token: t['ngo.focal'] });
  assert.equal(ex.status, 200);
  const ids = new Set(made.map((s) => s.id));
  const exported = ex.body.features.map((f) => f.properties.id);
  for (const id of ids) assert.ok(exported.includes(id), `${id} exported`);
  assert.ok(ex.body.features.every((f) => f.properties.org === 'MSF'), 'mine=1: only the caller\'s organisation');
  // The file as exported, less the sites this test did not make (the scenario's own).
  const file = { ...ex.body, features: ex.body.features.filter((f) => ids.has(f.properties.id)) };
  for (const s of made) await api('POST', `/api/v1/sites/${s.id}/withdraw`, { token: t['ngo.focal'], body: { reason: 'round trip' } });
  const r = await doImport('ngo.focal', JSON.stringify(file), GEO);
  assert.equal(r.body.count, made.length);
  const back = await Promise.all(r.body.ids.map((id) => getSite('ngo.focal', id)));
  for (const s of made) {
    const b = back.find((x) => x.name.en === s.name.en);
    assert.ok(b, `${s.name.en} came back`);
    assert.notEqual(b.id, s.id, 'as a new site');
    assert.ok(sameGeometry(b.geometry, s.geometry, 1e-9), `${s.name.en}: ${JSON.stringify(b.geometry)} vs ${JSON.stringify(s.geometry)}`);
    assert.equal(b.category, s.category);
    assert.deepEqual(b.contact, s.contact);
    assert.equal(Date.parse(b.valid_until), Date.parse(s.valid_until));
    assert.equal(b.org, 'MSF');
    assert.equal(b.status, 'submitted');
  }
});

test('round trip, HXL CSV: export, withdraw, import the export: the same points', async () => {
  const c = lengthwise(region(13), -1500);
  const made = [];
  for (let k = 0; k < 4; k++) {
    const r = await api('POST', '/api/v1/sites', { token: t['wfp.focal'], body: siteBody(direct(c, k * 90, 150), { name: { en: `RT-C ${k}, "quoted"`, ar: `ر ${k}` }, category: 'distribution_point', staff_count: k, contact: { name: `C ${k}`, phone: `+970 59 888 000${k}` } }) });
    assert.equal(r.status, 201, r.text);
    made.push(r.body.site);
  }
  const ex = await api('GET', '/api/v1/sites?format=csv&mine=1', { token: t['wfp.focal'] });
  assert.equal(ex.status, 200);
  const names = new Set(made.map((s) => s.name.en));
  const hx = readHxl(ex.text);
  assert.ok(hx.records.every((x) => hxlGet(x, '#org') === 'UN-WFP'), 'mine=1: only the caller\'s organisation');
  assert.equal(hx.records.filter((x) => names.has(hxlGet(x, '#loc+name+en'))).length, made.length);
  // The file as exported, less the rows of sites this test did not make (the scenario's own).
  const rows = parseCsv(ex.text).filter((x) => !(x.length === 1 && x[0] === ''));
  const ni = hx.tags.indexOf('#loc+name+en');
  const file = toCsv([rows[0], rows[1], ...rows.slice(2).filter((x) => names.has(x[ni]))]);
  for (const s of made) await api('POST', `/api/v1/sites/${s.id}/withdraw`, { token: t['wfp.focal'], body: { reason: 'round trip' } });
  const r = await doImport('wfp.focal', file, CSV);
  assert.equal(r.body.count, made.length);
  const back = await Promise.all(r.body.ids.map((id) => getSite('wfp.focal', id)));
  for (const s of made) {
    const b = back.find((x) => x.name.en === s.name.en);
    assert.ok(b, `${s.name.en} came back: ${back.map((x) => x.name.en)}`);
    assert.ok(sameGeometry(b.geometry, s.geometry, 1e-7), `${s.name.en}: ${JSON.stringify(b.geometry)} vs ${JSON.stringify(s.geometry)}`);
    assert.equal(b.category, s.category);
    assert.equal(b.staff_count, s.staff_count);
    assert.deepEqual(b.contact, s.contact);
    assert.equal(b.name.ar, s.name.ar);
  }
});

test('size limits: more than 5000 rows or more than 4 MiB is refused with nothing written; 5000 rows are accepted', async () => {
  // A grid of points 30 m apart (more than the duplicate radius) around region 1.
  const c = region(1);
  const grid = (n) => Array.from({ length: n }, (_, i) => lengthwise(across(c, -1050 + 30 * (i % 71)), -1050 + 30 * Math.floor(i / 71)));
  const rows = (n) => [HXL_HEAD, HXL_TAGS, ...grid(n).map((p, i) => hxlRow(`L${String(i).padStart(5, '0')}`, 'UN-WFP', p, { contact: '', phone: '' }))];
  const big = toCsv(rows(5001));
  assert.ok(big.length < 4 << 20);
  const r = await refuse(server, { token: t['wfp.focal'], path: '/api/v1/sites/import', body: big, headers: CSV, lists: ['/api/v1/sites'], readToken: t['cmcc.watch'] });
  assert.ok(r.body.error.field === 'rows' || /5000|rows/.test(r.body.error.message), r.text.slice(0, 300));
  // Over 4 MiB (padded names), fewer than 5000 rows.
  const pad = 'x'.repeat(1200);
  const fat = toCsv([HXL_HEAD, HXL_TAGS, ...grid(3600).map((p, i) => hxlRow(`F${i}`, 'UN-WFP', p, { en: `${pad}${i}` }))]);
  assert.ok(fat.length > 4 << 20);
  const f = await refuse(server, { token: t['wfp.focal'], path: '/api/v1/sites/import', body: fat, headers: CSV, lists: ['/api/v1/sites'], readToken: t['cmcc.watch'], allowClosed: true });
  assert.ok([400, 413].includes(f.status), f.text.slice(0, 200));
  const fg = JSON.stringify(fc(grid(3600).map((p, i) => feature(pt(p), { category: 'office', name_en: `${pad}${i}`, name_ar: 'م', valid_from: FROM, valid_until: UNTIL }))));
  assert.ok(fg.length > 4 << 20);
  await refuse(server, { token: t['wfp.focal'], path: '/api/v1/sites/import', body: fg, headers: GEO, lists: ['/api/v1/sites'], readToken: t['cmcc.watch'], allowClosed: true });
  // Exactly 5000 rows: accepted, all of them.
  const before = await healthSize(server);
  const ok = await doImport('wfp.focal', toCsv(rows(5000)), CSV);
  assert.equal(ok.body.count, 5000);
  assert.equal(new Set(ok.body.ids).size, 5000);
  assert.ok(await healthSize(server) >= before + 5000);
  const list = (await api('GET', '/api/v1/sites?org=UN-WFP', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(list.filter((s) => /^Imported L\d{5}$/.test(s.name.en)).length === 5000);
});

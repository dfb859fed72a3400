// ACLED CSV import and the CSV / GeoJSON exports (issue 7, item 6;
// docs/monitoring.md "ACLED CSV"): a file in ACLED's export columns with
// both date formats imports every row with its type, parties (by the
// scenario's aliases), precision, place, day and fatalities; a file with bad
// rows is refused whole with each bad line and field; an event already
// imported is refused; the CSV export re-imported into a fresh server gives
// the same incidents; the GeoJSON export is a valid FeatureCollection; the
// ACLED source column reaches only the CMCC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, makeDir, startServer } from './lib.mjs';
import {
  PLACE, jitter, FAR, ACLED_HEADER, acledRow, toCsv, csvRecords, parseCsv, incidents, refused, receiptOf, loginMany, logSize,
  gazaDay, sectorOf, SCENARIO, incidentBody, pt, gazaLocal, addDays,
} from '../lib/monitoring.mjs';

const USERS = ['cmcc.watch', 'cmcc.cdr', 'isf.hq', 'isf.aze', 'ocha.focal', 'idf.liaison', 'board.chair'];
let server, t, c, key;
const CSV = { 'Content-Type': 'text/csv' };
const seed = Math.floor(Math.random() * 1e6);
const SRC = `ACLEDSRC${seed}`;

// The scenario's aliases (input data: the contract says actors are matched by them).
const GROUPS = SCENARIO.mission.settings.armed_groups || [];
const aliasOf = (id) => GROUPS.find((g) => g.id === id)?.aliases?.[0];

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  c = incidents(server, t);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
});
after(() => shutdown(server));

const imp = (u, text, s = server, tok = t) => s.api('POST', '/api/v1/incidents/import', { token: tok[u], body: text, headers: CSV });
// ACLED gives coordinates with 4 decimals.
const ll = (p) => ({ latitude: p[1].toFixed(4), longitude: p[0].toFixed(4) });

// Six realistic rows, both date formats, every precision.
const ROWS = [
  { over: { event_id_cnty: `PSE${seed}1`, event_date: '2025-10-15', time_precision: '1', event_type: 'Explosions/Remote violence', sub_event_type: 'Air/drone strike', actor1: 'Military Forces of Israel (2022-)', actor2: 'Civilians (Palestine)', ...ll(jitter(PLACE['SEC-DEIR'], 1)), geo_precision: '1', fatalities: '2', source: `${SRC} Times of Israel; WAFA`, notes: 'On 15 October 2025, an Israeli drone strike hit a tent in Deir al Balah, killing 2 civilians.' },
    type: 'air_drone_strike', parties: ['IDF'], names: ['Civilians (Palestine)'], time_precision: 'day', location_precision: 'exact', killed: 2 },
  { over: { event_id_cnty: `PSE${seed}2`, event_date: '16 October 2025', time_precision: '2', event_type: 'Battles', sub_event_type: 'Armed clash', actor1: aliasOf('GRP-QASSAM') || 'Hamas Movement', assoc_actor_1: aliasOf('GRP-PIJ') || 'Al Quds Brigades', actor2: aliasOf('GRP-POPULAR-FORCES') || 'Popular Forces', ...ll(jitter(PLACE['SEC-KHAN'], 2)), geo_precision: '2', fatalities: '5', location: 'Khan Yunis', source: `${SRC} Al Jazeera`, notes: 'Around 16 October 2025, clashes between Hamas and the "Popular Forces", east of Khan Yunis; 5 fatalities.' },
    type: 'armed_clash', parties: ['GRP-QASSAM', 'GRP-PIJ', 'GRP-POPULAR-FORCES'], names: [], time_precision: 'week', location_precision: 'town', killed: 5 },
  { over: { event_id_cnty: `PSE${seed}3`, event_date: '17 October 2025', time_precision: '3', disorder_type: 'Strategic developments', event_type: 'Strategic developments', sub_event_type: 'Looting/property destruction', actor1: aliasOf('GRP-OTHER') || 'Unidentified Armed Group (Palestine)', actor2: '', ...ll(jitter(PLACE['SEC-RAFAH'], 3)), geo_precision: '3', fatalities: '0', location: 'Rafah', source: `${SRC} Palestine Chronicle`, notes: 'In October 2025, armed men looted aid trucks in Rafah.' },
    type: 'looting_property_destruction', parties: ['GRP-OTHER'], names: [], time_precision: 'month', location_precision: 'district', killed: 0 },
  { over: { event_id_cnty: `PSE${seed}4`, event_date: '2025-10-18', disorder_type: 'Demonstrations', event_type: 'Protests', sub_event_type: 'Peaceful protest', actor1: 'Protesters (Palestine)', inter1: 'Protesters', actor2: '', ...ll(jitter(PLACE['SEC-GAZA'], 4)), fatalities: '0', location: 'Gaza City', source: `${SRC} Quds News Network`, notes: 'On 18 October 2025, residents demonstrated for the opening of crossings.' },
    type: 'peaceful_protest', parties: [], names: ['Protesters (Palestine)'], time_precision: 'day', location_precision: 'exact', killed: 0 },
  { over: { event_id_cnty: `PSE${seed}5`, event_date: '1 November 2025', event_type: 'Explosions/Remote violence', sub_event_type: 'Shelling/artillery/missile attack', actor1: 'Military Forces of Israel', actor2: aliasOf('GRP-CLANS') || 'Clan Militia (Palestine)', ...ll(jitter(PLACE['SEC-NORTH'], 5)), fatalities: '1', location: 'Beit Lahiya', source: `${SRC} Times of Israel`, notes: 'On 1 November 2025, Israeli artillery shelled positions of a clan militia.' },
    type: 'shelling_artillery_missile_attack', parties: ['IDF', 'GRP-CLANS'], names: [], time_precision: 'day', location_precision: 'exact', killed: 1 },
  { over: { event_id_cnty: `PSE${seed}6`, event_date: '2025-11-02', disorder_type: 'Political violence', event_type: 'Violence against civilians', sub_event_type: 'Attack', actor1: aliasOf('GRP-OTHER') || 'Unidentified Armed Group (Palestine)', actor2: 'Civilians (Palestine)', ...ll(jitter(PLACE['SEC-DEIR'], 6)), geo_precision: '2', fatalities: '1', source: `${SRC} WAFA`, notes: 'On 2 November 2025, gunmen shot a man, killing him.' },
    type: 'attack', parties: ['GRP-OTHER'], names: ['Civilians (Palestine)'], time_precision: 'day', location_precision: 'town', killed: 1 },
];
let imported; // { ids, byEvent }

test('a valid ACLED file imports every row: types, parties by the scenario\'s aliases, precision, place, local day, fatalities; one receipt', async () => {
  const text = toCsv([ACLED_HEADER, ...ROWS.map((r) => acledRow(r.over))]);
  for (const u of ['isf.aze', 'isf.hq', 'ocha.focal', 'idf.liaison']) {
    await refused(server, () => imp(u, text), { status: 403, what: `${u} imports` });
  }
  const size0 = await logSize(server);
  const r = await imp('cmcc.watch', text);
  assert.equal(r.status, 201, r.text.slice(0, 800));
  assert.equal(r.body.imported, ROWS.length);
  assert.equal(r.body.ids.length, ROWS.length);
  receiptOf(r, key);
  assert.ok(await logSize(server) > size0);
  imported = { ids: r.body.ids, byEvent: {} };
  for (const [i, row] of ROWS.entries()) {
    const id = r.body.ids[i];
    assert.match(id, /^INC-\d+$/);
    imported.byEvent[row.over.event_id_cnty] = id;
    const inc = await c.getOk('cmcc.watch', id);
    const w = `row ${i + 2} (${row.over.event_id_cnty})`;
    assert.equal(inc.type, row.type, `${w} type`);
    assert.equal(gazaDay(inc.occurred_at), /^\d{4}/.test(row.over.event_date) ? row.over.event_date : { '16 October 2025': '2025-10-16', '17 October 2025': '2025-10-17', '1 November 2025': '2025-11-01' }[row.over.event_date], `${w} day`);
    assert.equal(inc.time_precision, row.time_precision, `${w} time precision`);
    assert.equal(inc.location_precision, row.location_precision, `${w} location precision`);
    assert.deepEqual(inc.location.coordinates, [Number(row.over.longitude), Number(row.over.latitude)], `${w} place`);
    assert.equal(inc.sector ?? null, sectorOf([Number(row.over.longitude), Number(row.over.latitude)]), `${w} sector`);
    assert.equal(inc.casualties_total.killed, row.killed, `${w} fatalities`);
    const ids = inc.parties.filter((p) => p.party).map((p) => p.party).sort();
    assert.deepEqual(ids, [...row.parties].sort(), `${w} parties ${JSON.stringify(inc.parties)}`);
    for (const n of row.names) assert.ok(inc.parties.some((p) => !p.party && p.name === n && p.role), `${w}: ${n} kept by name with a role: ${JSON.stringify(inc.parties)}`);
    for (const p of inc.parties) assert.ok(['perpetrator', 'target', 'involved'].includes(p.role), `${w} role ${p.role}`);
    const actor1 = inc.parties.find((p) => p.party === row.parties[0] || p.name === row.over.actor1);
    if (actor1) assert.equal(actor1.role, 'perpetrator', `${w}: actor1 is the perpetrator`);
    assert.ok([inc.title, inc.description].some((s) => typeof s === 'string' && s.includes(row.over.notes.slice(0, 30))), `${w}: the notes are kept`);
    assert.ok(JSON.stringify(inc.sources).includes(SRC), `${w}: the ACLED source is a source (the CMCC sees it)`);
    assert.ok(inc.sources.some((s) => s.kind === 'acled'), `${w}: a source of kind acled`);
    assert.equal(inc.exercise, true);
  }
});

test('a file with bad rows: 400 bad_rows listing every bad line and field; nothing written', async () => {
  const good = (k, over = {}) => acledRow({ event_id_cnty: `BAD${seed}${k}`, ...ll(jitter(PLACE['SEC-DEIR'], k)), ...over });
  const rows = [
    good(1),                                                       // line 2
    good(2, { latitude: 'abc' }),                                  // line 3
    good(3),                                                       // line 4
    good(4, { event_date: '31 Foo 2025' }),                        // line 5
    good(5, { sub_event_type: 'Drive-by shooting' }),              // line 6
    good(6),                                                       // line 7
    good(7, { latitude: String(FAR[1]), longitude: String(FAR[0]) }), // line 8
    good(8, { fatalities: '-3' }),                                 // line 9
    good(9, { geo_precision: '7' }),                               // line 10
    good(10, { time_precision: '9' }),                             // line 11
    good(11, { event_date: '' }),                                  // line 12
    good(12, { event_date: '2025-02-30' }),                        // line 13
    good(13, { fatalities: 'many' }),                              // line 14
  ];
  const want = [[3, /^latitude$/], [5, /^event_date$/], [6, /^(sub_event_type|event_type)$/], [8, /^(latitude|longitude)$/], [9, /^fatalities$/],
    [10, /^geo_precision$/], [11, /^time_precision$/], [12, /^event_date$/], [13, /^event_date$/], [14, /^fatalities$/]];
  const text = toCsv([ACLED_HEADER, ...rows]);
  const before = (await c.listAll('cmcc.watch', '?since=2025-01-01&until=2025-12-31')).length;
  const r = await refused(server, () => imp('cmcc.watch', text), { status: 400, code: 'bad_rows', field: 'rows', what: 'a file with bad rows' });
  const got = r.body.error.rows;
  assert.ok(Array.isArray(got), r.text.slice(0, 300));
  assert.deepEqual([...new Set(got.map((x) => x.line))].sort((a, b) => a - b), want.map(([l]) => l), `the bad lines: ${JSON.stringify(got)}`);
  for (const [line, field] of want) {
    const x = got.find((y) => y.line === line);
    assert.match(x.field, field, `line ${line}: ${JSON.stringify(x)}`);
    assert.equal(typeof x.message, 'string');
    assert.ok(x.message.length > 0);
  }
  assert.equal((await c.listAll('cmcc.watch', '?since=2025-01-01&until=2025-12-31')).length, before, 'no incident was written');
  // The same rows without the bad ones import (so the good rows were good).
  const ok = toCsv([ACLED_HEADER, ...rows.filter((_, i) => ![1, 3, 4, 6, 7, 8, 9, 10, 11, 12].includes(i))]);
  const r2 = await imp('cmcc.watch', ok);
  assert.equal(r2.status, 201, r2.text.slice(0, 500));
  assert.equal(r2.body.imported, 3);
  // Header problems: a missing required column, or no header at all.
  const noLat = toCsv([ACLED_HEADER.filter((h) => h !== 'latitude'), acledRow({ event_id_cnty: `NOLAT${seed}` }).filter((_, i) => ACLED_HEADER[i] !== 'latitude')]);
  await refused(server, () => imp('cmcc.watch', noLat), { status: 400, what: 'no latitude column' });
  await refused(server, () => imp('cmcc.watch', toCsv([acledRow({ event_id_cnty: `NOHDR${seed}` })])), { status: 400, what: 'no header row' });
});

test('columns are matched by name: another order and extra columns import the same', async () => {
  const perm = [...ACLED_HEADER].reverse();
  const row = acledRow({ event_id_cnty: `PERM${seed}`, ...ll(jitter(PLACE['SEC-GAZA'], 8)), sub_event_type: 'Grenade', event_type: 'Explosions/Remote violence', fatalities: '3' });
  const byName = Object.fromEntries(ACLED_HEADER.map((h, i) => [h, row[i]]));
  const text = toCsv([[...perm, 'my_extra'], [...perm.map((h) => byName[h]), 'ignored']]);
  const r = await imp('cmcc.watch', text);
  assert.equal(r.status, 201, r.text.slice(0, 500));
  const inc = await c.getOk('cmcc.watch', r.body.ids[0]);
  assert.equal(inc.type, 'grenade');
  assert.equal(inc.casualties_total.killed, 3);
});

test('an event already imported is refused as a bad row (event_id_cnty); nothing of the file is written', async () => {
  assert.ok(imported, 'the first import ran');
  const dup = ROWS[2].over.event_id_cnty;
  const text = toCsv([ACLED_HEADER, acledRow({ event_id_cnty: `NEW${seed}`, ...ll(jitter(PLACE['SEC-KHAN'], 9)) }), acledRow({ ...ROWS[2].over })]);
  const r = await refused(server, () => imp('cmcc.watch', text), { status: 400, code: 'bad_rows', field: 'rows', what: 're-import' });
  assert.deepEqual(r.body.error.rows.map((x) => [x.line, x.field]), [[3, 'event_id_cnty']], JSON.stringify(r.body.error.rows));
  assert.ok(!(await c.listAll('cmcc.watch', '?since=2025-01-01&until=2025-12-31')).some((x) => x.title?.includes(`NEW${seed}`)));
  // The same whole file again: every row refused.
  const again = toCsv([ACLED_HEADER, ...ROWS.map((x) => acledRow(x.over))]);
  const r2 = await refused(server, () => imp('cmcc.watch', again), { status: 400, code: 'bad_rows', what: 'the same file again' });
  assert.deepEqual(r2.body.error.rows.map((x) => x.line).sort((a, b) => a - b), ROWS.map((_, i) => i + 2));
  assert.ok(dup);
});

test('CSV export: ACLED columns plus truce_id, status, attribution, confidence; the sources only for the CMCC', async () => {
  // A Truce report in the period too, confirmed, and one ACLED import confirmed.
  const own = (await c.reportOk('cmcc.watch', incidentBody({ type: 'line_crossing', occurred_at: '2025-10-20T09:15:00Z', time_precision: 'minute', location: pt(jitter(PLACE['SEC-NORTH'], 2)) }))).body.id;
  await c.walk(own, 'confirmed', { attribution: ['IDF'] });
  const acl = imported.byEvent[ROWS[0].over.event_id_cnty];
  await c.walk(acl, 'confirmed', { attribution: ['IDF'], confidence: 'high' });
  const r = await c.as('cmcc.watch').get('/api/v1/incidents?format=csv&since=2025-10-01&until=2025-11-30&limit=1000');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const { header, records } = csvRecords(r.text);
  for (const h of ['event_id_cnty', 'event_date', 'time_precision', 'event_type', 'sub_event_type', 'actor1', 'assoc_actor_1', 'actor2', 'assoc_actor_2',
    'admin1', 'location', 'latitude', 'longitude', 'geo_precision', 'source', 'notes', 'fatalities', 'truce_id', 'status', 'attribution', 'confidence']) assert.ok(header.includes(h), `column ${h}: ${header}`);
  const rowOf = (id) => records.find((x) => x.truce_id === id);
  for (const row of ROWS) {
    const x = rowOf(imported.byEvent[row.over.event_id_cnty]);
    assert.ok(x, `${row.over.event_id_cnty} exported`);
    assert.equal(x.event_id_cnty, row.over.event_id_cnty);
    assert.equal(x.sub_event_type, row.over.sub_event_type);
    assert.equal(x.event_type, row.over.event_type);
    assert.equal(Number(x.latitude), Number(row.over.latitude));
    assert.equal(Number(x.longitude), Number(row.over.longitude));
    assert.equal(Number(x.fatalities), Number(row.over.fatalities));
    assert.ok(x.source.includes(SRC), 'the CMCC gets the source');
  }
  const mine = rowOf(acl);
  assert.equal(mine.status, 'confirmed');
  assert.match(mine.attribution, /IDF/);
  assert.equal(mine.confidence, 'high');
  const o = rowOf(own);
  assert.ok(o, 'the Truce report is exported');
  assert.equal(o.event_date, '2025-10-20');
  assert.equal(o.time_precision, '1', 'minute precision is ACLED\'s 1 (day)');
  const tax = (await c.as('cmcc.watch').get('/api/v1/incidents/taxonomy')).body.types.find((x) => x.id === 'line_crossing');
  assert.equal(o.event_type, tax.acled_event_type);
  assert.equal(o.sub_event_type, tax.acled_sub_event_type);
  // OCHA's export: the confirmed ones, no source identity.
  for (const fmt of ['csv', 'geojson']) {
    const h = await c.as('ocha.focal').get(`/api/v1/incidents?format=${fmt}&since=2025-10-01&until=2025-11-30&limit=1000`);
    assert.equal(h.status, 200);
    assert.ok(!h.text.includes(SRC), `ocha.focal ${fmt}: no ACLED source`);
    assert.ok(h.text.includes(acl) && h.text.includes(own), `ocha.focal ${fmt}: the confirmed ones`);
    assert.ok(!h.text.includes(imported.byEvent[ROWS[1].over.event_id_cnty]), `ocha.focal ${fmt}: not an unconfirmed import`);
  }
  const g = await c.as('ocha.focal').get(`/api/v1/incidents/${acl}`);
  assert.ok(!g.text.includes(SRC), 'ocha.focal GET: no ACLED source');
  // ISF HQ and leadership see the CMCC's unconfirmed imports (their labels), without the source; the IDF liaison does not see them.
  for (const u of ['isf.hq', 'board.chair', 'idf.liaison']) {
    const x = await c.as(u).get('/api/v1/incidents?format=csv&since=2025-10-01&until=2025-11-30&limit=1000');
    assert.equal(x.status, 200);
    assert.ok(!x.text.includes(SRC), `${u} csv: no ACLED source`);
    assert.equal(x.text.includes(imported.byEvent[ROWS[1].over.event_id_cnty]), u !== 'idf.liaison', `${u} and the unconfirmed import`);
  }
});

test('GeoJSON export: a valid FeatureCollection of Points with the contract\'s properties, as the incidents are', async () => {
  const r = await c.as('cmcc.watch').get('/api/v1/incidents?format=geojson&since=2025-10-01&until=2025-11-30&limit=1000');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /json/);
  const fc = r.body;
  assert.equal(fc.type, 'FeatureCollection');
  assert.ok(Array.isArray(fc.features) && fc.features.length >= ROWS.length);
  const list = await c.listAll('cmcc.watch', '?since=2025-10-01&until=2025-11-30&limit=1000');
  assert.deepEqual(fc.features.map((f) => f.properties.id).sort(), list.map((x) => x.id).sort(), 'the same incidents as the list');
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.equal(f.geometry.type, 'Point');
    const [lon, lat] = f.geometry.coordinates;
    assert.ok(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 && f.geometry.coordinates.length === 2);
    for (const k of ['id', 'type', 'title', 'status', 'occurred_at', 'casualties_total', 'violation']) assert.ok(k in f.properties, `property ${k}`);
    const inc = list.find((x) => x.id === f.properties.id);
    assert.deepEqual(f.geometry.coordinates, inc.location.coordinates);
    assert.equal(f.properties.type, inc.type);
    assert.equal(f.properties.status, inc.status);
    assert.deepEqual(f.properties.casualties_total, inc.casualties_total);
    assert.equal(f.properties.violation, inc.violation);
    assert.equal(f.properties.sector ?? null, inc.sector ?? null);
    assert.ok(!JSON.stringify(f).includes(SRC), 'no source in the GeoJSON');
  }
});

test('round trip: the CSV export imported into a fresh server gives the same incidents (and exports the same rows)', async () => {
  const q = '?format=csv&since=2025-10-01&until=2025-11-30&limit=1000';
  const a = await c.as('cmcc.watch').get(`/api/v1/incidents${q}`);
  const { header, records } = csvRecords(a.text);
  // The ACLED imports only (a Truce report exported at minute precision comes back at day precision).
  const acledRecs = records.filter((x) => x.event_id_cnty && !x.event_id_cnty.startsWith('INC-') && Object.values(imported.byEvent).includes(x.truce_id));
  assert.equal(acledRecs.length, ROWS.length);
  const text = toCsv([header, ...acledRecs.map((x) => header.map((h) => x[h]))]);
  const b = await boot();
  try {
    const tb = await loginMany(b, ['cmcc.watch']);
    const cb = incidents(b, tb);
    const r = await imp('cmcc.watch', text, b, tb);
    assert.equal(r.status, 201, r.text.slice(0, 800));
    assert.equal(r.body.imported, ROWS.length);
    const same = ['type', 'time_precision', 'location_precision', 'sector', 'casualties_total', 'exercise'];
    for (const [i, x] of acledRecs.entries()) {
      const A = await c.getOk('cmcc.watch', x.truce_id);
      const B = await cb.getOk('cmcc.watch', r.body.ids[i]);
      for (const k of same) assert.deepEqual(B[k], A[k], `${x.event_id_cnty} ${k}`);
      assert.equal(gazaDay(B.occurred_at), gazaDay(A.occurred_at), `${x.event_id_cnty} day`);
      assert.deepEqual(B.location.coordinates, A.location.coordinates, `${x.event_id_cnty} place`);
      const pk = (inc) => inc.parties.map((p) => `${p.party || p.name}/${p.role}`).sort();
      assert.deepEqual(pk(B), pk(A), `${x.event_id_cnty} parties`);
      assert.equal(B.description, A.description, `${x.event_id_cnty} description`);
      const sk = (inc) => inc.sources.map((s) => `${s.kind}|${s.name}|${s.reliability}|${s.credibility}`).sort();
      assert.deepEqual(sk(B), sk(A), `${x.event_id_cnty} sources`);
    }
    // B's export of them has the same ACLED columns.
    const bx = csvRecords((await cb.as('cmcc.watch').get(`/api/v1/incidents${q}`)).text).records;
    const acledCols = header.filter((h) => !['truce_id', 'status', 'attribution', 'confidence', 'timestamp'].includes(h));
    for (const x of acledRecs) {
      const y = bx.find((z) => z.event_id_cnty === x.event_id_cnty);
      assert.ok(y, `${x.event_id_cnty} in B's export`);
      for (const h of acledCols) assert.equal(y[h], x[h], `${x.event_id_cnty} column ${h}`);
    }
  } finally {
    await shutdown(b);
  }
});

test('an event of today imported in the morning is today\'s (not refused as in the future); an event of tomorrow is refused', async () => {
  // ACLED gives a day; the import reads it as noon local time. At 09:00 in
  // Gaza noon is still ahead, yet an event of today has happened: it is
  // read as now, still on its day. A --test-clock server at the next 09:00.
  const s = await startServer({ dir: makeDir(), args: ['--test-clock'] });
  try {
    let tok = { admin: (await s.login('admin')).token };
    const now0 = Date.parse((await s.api('POST', '/api/v1/admin/clock', { token: tok.admin, body: { advance_s: 0 } })).body.now);
    let nine = gazaLocal(gazaDay(now0), 9);
    if (nine <= now0 + 60e3) nine = gazaLocal(addDays(gazaDay(now0), 1), 9);
    const moved = await s.api('POST', '/api/v1/admin/clock', { token: tok.admin, body: { advance_s: Math.ceil((nine - now0) / 1000) } });
    assert.equal(moved.status, 200, moved.text);
    const now = Date.parse(moved.body.now);
    const today = gazaDay(now);
    assert.equal(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Gaza', hour: '2-digit', hourCycle: 'h23' }).format(new Date(now)), '09');
    tok = await loginMany(s, ['cmcc.watch']);
    const row = (k, day) => acledRow({ event_id_cnty: `TODAY${seed}${k}`, event_date: day, ...ll(jitter(PLACE['SEC-DEIR'], k)) });
    const r = await imp('cmcc.watch', toCsv([ACLED_HEADER, row(1, today)]), s, tok);
    assert.equal(r.status, 201, r.text.slice(0, 500));
    const inc = (await s.api('GET', `/api/v1/incidents/${r.body.ids[0]}`, { token: tok['cmcc.watch'] })).body.incident;
    assert.equal(gazaDay(inc.occurred_at), today, inc.occurred_at);
    assert.ok(Date.parse(inc.occurred_at) <= now + 120e3, `${inc.occurred_at}: not after the server's now`);
    const f = await imp('cmcc.watch', toCsv([ACLED_HEADER, row(2, addDays(today, 1))]), s, tok);
    assert.equal(f.status, 400, f.text.slice(0, 300));
    assert.deepEqual(f.body.error.rows.map((x) => [x.line, x.field]), [[2, 'event_date']]);
  } finally {
    await shutdown(s);
  }
});

test('limits: more than 20000 rows, or a body over 8 MiB, is refused whole', async () => {
  const row = (k) => acledRow({ event_id_cnty: `LIM${seed}${k}`, ...ll(jitter(PLACE['SEC-DEIR'], k % 7)) });
  const rows = [];
  for (let k = 0; k < 20001; k++) rows.push(row(k));
  const text = toCsv([ACLED_HEADER, ...rows]);
  const size0 = await logSize(server);
  let r;
  try { r = await imp('cmcc.watch', text); } catch (e) { r = { status: 413, text: String(e) }; }
  assert.ok(r.status === 400 || r.status === 413, `${r.status} ${String(r.text).slice(0, 300)}`);
  assert.equal(await logSize(server), size0);
  assert.ok(parseCsv(text).length === 20002);
});

// The deconfliction check (issue 4, item 4; docs/humanitarian.md
// "Deconfliction check"): point + radius and polygon areas, the extra buffer,
// the protection distance per kind and category from the mission settings,
// the kinds filter, time windows, movement route segments with the interval
// they are planned inside the buffered area, and distances within 0.5% of the
// geodesic distance (computed here with Vincenty's formulae, checked against
// a published value first), the automatic check on notification, bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  D, H, iso, region, across, lengthwise, pt, siteBody, nostrikeBody, movementBody, refuse, SITE_CATEGORIES,
  NOSTRIKE_CATEGORIES, BOUNDARY, inMission, sameGeometry,
} from '../lib/humanitarian.mjs';
import { inverse, direct, distance, pointSegment, pointPolygon, pointLine, squareRing } from '../lib/geodesic.mjs';

let server, t = {}, P;
before(async () => {
  server = await boot();
  for (const u of ['cmcc.watch', 'cmcc.cdr', 'ocha.focal', 'wfp.focal', 'isf.hq', 'isf.aze', 'idf.liaison']) t[u] = (await server.login(u)).token;
  P = (await server.api('GET', '/api/v1/mission', { token: t['cmcc.watch'] })).body.settings.protection_m;
});
after(() => shutdown(server));

const api = (...a) => server.api(...a);
const NOW = Date.now();
async function check(body, user = 'cmcc.watch') {
  const r = await api('POST', '/api/v1/deconfliction/check', { token: t[user], body });
  assert.equal(r.status, 200, `check ${JSON.stringify(body).slice(0, 300)}: ${r.status} ${r.text.slice(0, 400)}`);
  assert.ok(Array.isArray(r.body.conflicts), r.text.slice(0, 200));
  assert.equal(r.body.count, r.body.conflicts.length);
  assert.ok(Math.abs(Date.parse(r.body.checked_at) - Date.now()) < 60e3, `checked_at ${r.body.checked_at}`);
  const d = r.body.conflicts.map((c) => c.distance_m);
  for (let i = 1; i < d.length; i++) assert.ok(d[i] >= d[i - 1], `sorted by distance: ${d}`);
  for (const c of r.body.conflicts) {
    assert.ok(['site', 'nostrike', 'movement', 'unit', 'operation'].includes(c.kind), `kind ${c.kind}`);
    assert.equal(typeof c.id, 'string');
    assert.ok(typeof c.distance_m === 'number' && c.distance_m >= 0, `distance_m ${c.distance_m}`);
    assert.equal(typeof c.protection_m, 'number');
    assert.ok(c.distance_m <= c.protection_m + (body.buffer_m || 0) + 0.01, `a conflict is within its protection distance plus the buffer: ${JSON.stringify(c)}`);
  }
  return r.body;
}
const key = (c) => `${c.kind}:${c.id}${c.kind === 'movement' ? `#${c.segment}` : ''}`;
async function createSite(user, body) {
  const r = await api('POST', '/api/v1/sites', { token: t[user], body });
  assert.equal(r.status, 201, `create site: ${r.status} ${r.text.slice(0, 400)}`);
  return r.body;
}
async function createNsl(body) {
  const r = await api('POST', '/api/v1/nostrike', { token: t['cmcc.watch'], body });
  assert.equal(r.status, 201, `create nostrike: ${r.status} ${r.text.slice(0, 400)}`);
  return r.body;
}
async function createMov(body, user = 'ocha.focal') {
  const r = await api('POST', '/api/v1/movements', { token: t[user], body });
  assert.equal(r.status, 201, `create movement: ${r.status} ${r.text.slice(0, 400)}`);
  return r.body;
}
// |got - want| within 0.5% of want (and a centimetre for rounding).
function close(got, want, what) {
  assert.ok(Math.abs(got - want) <= 0.005 * want + 0.01, `${what}: distance_m ${got}, geodesic ${want.toFixed(3)} (${(100 * Math.abs(got - want) / Math.max(want, 1e-9)).toFixed(3)}%)`);
}
const win = { from: iso(NOW), until: iso(NOW + 6 * H) };

test('the test\'s own geodesic: Vincenty on WGS 84 reproduces the published Flinders Peak – Buninyong line', () => {
  // Vincenty (1975) / Geoscience Australia's worked example: 54 972.271 m, azimuth 306°52'05.37".
  const dms = (d, m, s) => d + m / 60 + s / 3600;
  const a = [dms(144, 25, 29.5244), -dms(37, 57, 3.7203)];
  const b = [dms(143, 55, 35.3839), -dms(37, 39, 10.1561)];
  const r = inverse(a, b);
  assert.ok(Math.abs(r.s - 54972.271) < 0.001, `s = ${r.s}`);
  assert.ok(Math.abs(r.az1 - dms(306, 52, 5.37)) < 1e-5, `az1 = ${r.az1}`);
  const back = direct(a, r.az1, r.s);
  assert.ok(Math.abs(back[0] - b[0]) < 1e-9 && Math.abs(back[1] - b[1]) < 1e-9, `direct: ${back}`);
  // And in the mission area: from 30.9° N to 31.9° N along a meridian is 110 876.378 m
  // (PROJ's geod, Karney's algorithm: `echo 30.9 34.4 31.9 34.4 | geod +ellps=WGS84 -I`).
  assert.ok(Math.abs(distance([34.4, 30.9], [34.4, 31.9]) - 110876.378) < 0.002, String(distance([34.4, 30.9], [34.4, 31.9])));
  // Point to segment: the foot of the perpendicular in the middle of an east-west segment.
  const ps = pointSegment([34.4, 31.42], [34.39, 31.41], [34.41, 31.41]);
  assert.ok(Math.abs(ps.f - 0.5) < 1e-3 && Math.abs(ps.d - distance([34.4, 31.42], [34.4, 31.41])) < 0.5, JSON.stringify(ps));
});

test('protection distances are a table per kind and category in the mission settings', () => {
  for (const c of SITE_CATEGORIES) assert.ok(P.site[c] >= 0, `site.${c}`);
  for (const c of NOSTRIKE_CATEGORIES) assert.ok(P.nostrike[c] >= 0, `nostrike.${c}`);
  for (const k of ['movement', 'unit', 'operation']) assert.ok(P[k] >= 0, k);
});

test('point + radius: exactly the sites within radius + protection (per category) + buffer, with distances within 0.5%', async () => {
  const c = region(1);
  const r = 250;
  const base = await check({ geometry: pt(c), radius_m: r, ...win, buffer_m: 150, kinds: ['site'] });
  const made = [];
  // For every category, one site 40 m inside and one 40 m outside its protection distance,
  // one 100 m further out (inside only with buffer 150), at different bearings.
  for (const [i, cat] of SITE_CATEGORIES.entries()) {
    const p = P.site[cat];
    if (r + p + 140 > 2200) { console.log(`# skipped ${cat}: protection ${p} m does not fit the strip`); continue; }
    for (const [j, dd] of [[0, p - 40], [1, p + 40], [2, p + 100]].map(([j, d]) => [j, d])) {
      if (dd < 0) continue;
      const az = (i * 40 + j * 13) % 360;
      const q = direct(c, az, r + dd);
      const s = await createSite('ocha.focal', siteBody(q, { category: cat }));
      made.push({ id: s.id, cat, q, geo: distance(c, q) - r, p });
    }
  }
  // One site inside the circle: distance 0.
  const inside = await createSite('ocha.focal', siteBody(direct(c, 200, r / 2), { category: 'warehouse' }));
  for (const buffer of [0, 150]) {
    const res = await check({ geometry: pt(c), radius_m: r, ...win, buffer_m: buffer, kinds: ['site'] });
    const got = new Map(res.conflicts.map((x) => [x.id, x]));
    for (const m of made) {
      const want = m.geo <= m.p + buffer;
      assert.equal(got.has(m.id), want, `${m.cat} site at ${m.geo.toFixed(1)} m from the circle, protection ${m.p}, buffer ${buffer}`);
      if (want) {
        const x = got.get(m.id);
        close(x.distance_m, m.geo, `${m.id}`);
        assert.equal(x.kind, 'site');
        assert.equal(x.category, m.cat);
        assert.equal(x.protection_m, m.p);
        assert.equal(x.org, 'UN-OCHA');
        assert.ok(sameGeometry(x.geometry, pt(m.q)), `${m.id}: the site's geometry`);
        assert.ok(['submitted', 'acknowledged', 'active'].includes(x.status), x.status);
        assert.ok(x.name && (typeof x.name === 'string' || x.name.en), `name: ${JSON.stringify(x.name)}`);
      }
    }
    assert.equal(got.get(inside.id)?.distance_m, 0, 'inside the circle: distance 0');
    // Nothing else than what was there before and what was made here.
    const mine = new Set([...made.map((m) => m.id), inside.id]);
    const baseIds = new Set(base.conflicts.map((x) => x.id));
    for (const x of res.conflicts) assert.ok(mine.has(x.id) || baseIds.has(x.id), `unexpected conflict ${x.id}`);
  }
});

test('polygon area: inside is distance 0; outside is the geodesic distance to the nearest edge; polygon sites too', async () => {
  const c = region(3);
  const ring = squareRing(c, 300);
  const area = { type: 'Polygon', coordinates: [ring] };
  const pw = P.site.warehouse;
  const a = await createSite('ocha.focal', siteBody(direct(c, 30, 100), { category: 'warehouse' })); // inside
  const q1 = direct(direct(c, 90, 300), 90, Math.max(pw - 30, 0) + 0.5); // east of the east edge
  const b = await createSite('ocha.focal', siteBody(q1, { category: 'warehouse' }));
  const q2 = direct(ring[2], 45, pw * 0.7 + 1); // off the north-east corner
  const cc = await createSite('ocha.focal', siteBody(q2, { category: 'warehouse' }));
  const q3 = direct(direct(c, 270, 300), 270, pw + 60); // too far west
  const d = await createSite('ocha.focal', siteBody(q3, { category: 'warehouse' }));
  // A polygon site straddling the south edge, and one 20 m outside the west edge.
  const e = await createSite('ocha.focal', siteBody(c, { category: 'warehouse', geometry: { type: 'Polygon', coordinates: [squareRing(direct(c, 180, 300), 40)] } }));
  const fc = direct(direct(c, 270, 300), 270, 60);
  const fring = squareRing(fc, 40); // its east edge is 20 m from the area's west edge
  const f = await createSite('ocha.focal', siteBody(fc, { category: 'warehouse', geometry: { type: 'Polygon', coordinates: [fring] } }));
  const res = await check({ geometry: area, ...win, kinds: ['site'] });
  const got = new Map(res.conflicts.map((x) => [x.id, x]));
  assert.equal(got.get(a.id)?.distance_m, 0, 'a point inside the polygon');
  assert.equal(got.get(e.id)?.distance_m, 0, 'a polygon overlapping the area');
  close(got.get(b.id)?.distance_m ?? NaN, pointPolygon(q1, [ring]), 'east of the east edge');
  close(got.get(cc.id)?.distance_m ?? NaN, pointPolygon(q2, [ring]), 'off the corner');
  assert.ok(!got.has(d.id), 'too far west');
  const fd = Math.min(...fring.map((v) => pointPolygon(v, [ring])), ...ring.map((v) => pointPolygon(v, [fring])));
  close(got.get(f.id)?.distance_m ?? NaN, fd, 'polygon to polygon');
  assert.ok(fd > 19 && fd < 21);
  // A polygon with a hole: a site in the hole is outside the area.
  const hole = squareRing(c, 150).reverse();
  const holed = await check({ geometry: { type: 'Polygon', coordinates: [ring, hole] }, ...win, kinds: ['site'] });
  const h = holed.conflicts.find((x) => x.id === a.id);
  const inHole = pointLine(direct(c, 30, 100), hole); // about 63 m to the hole's north edge
  if (pw >= inHole + 1) { assert.ok(h, 'the site in the hole is near the hole\'s edge'); close(h.distance_m, inHole, 'in the hole'); }
  else assert.ok(!h, 'a site in the hole is not inside the area');
});

test('the no-strike list and the kinds filter', async () => {
  const c = region(5);
  const n = await createNsl(nostrikeBody(direct(c, 0, 100), { category: 'hospital' }));
  const s = await createSite('ocha.focal', siteBody(direct(c, 180, 100), { category: 'health_facility' }));
  const m = await createMov(movementBody([direct(c, 270, 1500), direct(c, 90, 1500)], NOW + H, H));
  const body = { geometry: pt(c), radius_m: 200, ...win };
  const all = await check(body);
  const ids = (res) => new Set(res.conflicts.map((x) => x.id));
  for (const id of [n.id, s.id, m.id]) assert.ok(ids(all).has(id), `${id} without a filter`);
  const nx = all.conflicts.find((x) => x.id === n.id);
  assert.equal(nx.kind, 'nostrike');
  assert.equal(nx.category, 'hospital');
  assert.equal(nx.protection_m, P.nostrike.hospital);
  assert.equal(nx.distance_m, 0);
  for (const [kinds, want] of [[['nostrike'], [n.id]], [['site'], [s.id]], [['movement'], [m.id]], [['site', 'nostrike'], [n.id, s.id]]]) {
    const res = await check({ ...body, kinds });
    assert.ok(res.conflicts.every((x) => kinds.includes(x.kind)), `kinds ${kinds}: ${res.conflicts.map(key)}`);
    for (const id of want) assert.ok(ids(res).has(id), `kinds ${kinds} has ${id}`);
    for (const id of [n.id, s.id, m.id].filter((x) => !want.includes(x))) assert.ok(!ids(res).has(id), `kinds ${kinds} lacks ${id}`);
  }
  const none = await check({ ...body, kinds: ['unit', 'operation'] });
  assert.ok(none.conflicts.every((x) => ['unit', 'operation'].includes(x.kind)));
  // A withdrawn no-strike object leaves the check.
  await api('POST', `/api/v1/nostrike/${n.id}/withdraw`, { token: t['cmcc.watch'], body: { reason: 'test' } });
  assert.ok(!ids(await check(body)).has(n.id));
});

test('time windows: a site valid later, or no longer, is not returned; withdrawn sites are not returned', async () => {
  const c = region(7);
  const later = await createSite('ocha.focal', siteBody(direct(c, 0, 50), { valid_from: iso(NOW + 10 * D), valid_until: iso(NOW + 20 * D) }));
  const ending = await createSite('ocha.focal', siteBody(direct(c, 120, 50), { valid_from: iso(NOW - D), valid_until: iso(NOW + 2 * D) }));
  const gone = await createSite('ocha.focal', siteBody(direct(c, 240, 50)));
  await api('POST', `/api/v1/sites/${gone.id}/withdraw`, { token: t['ocha.focal'], body: { reason: 'closed' } });
  const q = (from, until) => check({ geometry: pt(c), radius_m: 100, from: iso(from), until: iso(until), kinds: ['site'] }).then((r) => new Set(r.conflicts.map((x) => x.id)));
  let s = await q(NOW, NOW + 6 * H);
  assert.ok(!s.has(later.id), 'valid only later');
  assert.ok(s.has(ending.id));
  assert.ok(!s.has(gone.id), 'withdrawn');
  s = await q(NOW + 9.5 * D, NOW + 10.5 * D); // overlaps the start of `later`
  assert.ok(s.has(later.id));
  assert.ok(!s.has(ending.id), 'no longer valid');
  s = await q(NOW + 20 * D + H, NOW + 21 * D);
  assert.ok(!s.has(later.id), 'after its validity');
  s = await q(NOW + 2 * D - H, NOW + 3 * D); // overlaps the last hour of `ending`
  assert.ok(s.has(ending.id));
});

test('movement segments: one conflict per segment in range, its geometry, inside_from/until within the segment\'s planned times, window', async () => {
  const c = region(9);
  const pm = P.movement;
  const r = 150, buffer = 50;
  const reach = r + pm + buffer;
  // Segment 0 passes `off` metres from c; segment 1 goes away; segment 2 comes back through c.
  const off = Math.min(reach / 2, 400);
  const A = across(lengthwise(c, -1500), off), B = across(lengthwise(c, 1500), off);
  const Cc = across(lengthwise(c, 1500), 2400), Dd = across(lengthwise(c, -1500), -2400); // C-D crosses c at its middle
  const T = NOW + 4 * H;
  const body = movementBody([A, B, Cc, Dd], T, H);
  const mv = await createMov(body);
  const times = body.times.map(Date.parse);
  const all = await check({ geometry: pt(c), radius_m: r, from: iso(T - H), until: iso(T + 4 * H), buffer_m: buffer, kinds: ['movement'] });
  const segs = all.conflicts.filter((x) => x.id === mv.id);
  const coords = [A, B, Cc, Dd];
  const expected = [0, 1, 2].filter((i) => pointSegment(c, coords[i], coords[i + 1]).d - r <= reach - r);
  assert.deepEqual(segs.map((x) => x.segment).sort(), expected, `segments in range: ${segs.map((x) => x.segment)}`);
  assert.ok(expected.includes(0) && expected.includes(2) && !expected.includes(1), 'the test\'s own geometry');
  for (const x of segs) {
    const i = x.segment;
    const a = coords[i], b = coords[i + 1];
    assert.equal(x.kind, 'movement');
    assert.equal(x.protection_m, pm);
    assert.ok(sameGeometry(x.geometry, { type: 'LineString', coordinates: [a, b] }, 1e-6), `segment ${i} geometry ${JSON.stringify(x.geometry)}`);
    const ps = pointSegment(c, a, b);
    const wantD = Math.max(0, ps.d - r);
    if (wantD === 0) assert.equal(x.distance_m, 0, `segment ${i} passes through the circle`);
    else close(x.distance_m, wantD, `segment ${i}`);
    // Inside the buffered area: the chord of the circle of radius `reach` around c.
    const L = distance(a, b);
    const half = Math.sqrt(reach * reach - ps.d * ps.d);
    const f0 = Math.max(0, ps.f - half / L), f1 = Math.min(1, ps.f + half / L);
    const t0 = times[i] + f0 * (times[i + 1] - times[i]);
    const t1 = times[i] + f1 * (times[i + 1] - times[i]);
    const tol = 0.005 * (times[i + 1] - times[i]) + 1000;
    const from = Date.parse(x.inside_from), until = Date.parse(x.inside_until);
    assert.ok(from >= times[i] && until <= times[i + 1] && from <= until, `segment ${i}: inside ${x.inside_from}..${x.inside_until} within its planned ${body.times[i]}..${body.times[i + 1]}`);
    assert.ok(Math.abs(from - t0) <= tol, `segment ${i} inside_from ${x.inside_from}, expected ${iso(t0)}`);
    assert.ok(Math.abs(until - t1) <= tol, `segment ${i} inside_until ${x.inside_until}, expected ${iso(t1)}`);
  }
  // A window that only meets segment 0's time, then one that only meets segment 2's.
  const w0 = await check({ geometry: pt(c), radius_m: r, from: iso(T - H), until: iso(T + 0.9 * H), buffer_m: buffer, kinds: ['movement'] });
  assert.deepEqual(w0.conflicts.filter((x) => x.id === mv.id).map((x) => x.segment), [0]);
  const w2 = await check({ geometry: pt(c), radius_m: r, from: iso(T + 2.1 * H), until: iso(T + 5 * H), buffer_m: buffer, kinds: ['movement'] });
  assert.deepEqual(w2.conflicts.filter((x) => x.id === mv.id).map((x) => x.segment), [2]);
  const w3 = await check({ geometry: pt(c), radius_m: r, from: iso(T + 3.5 * H), until: iso(T + 6 * H), buffer_m: buffer, kinds: ['movement'] });
  assert.deepEqual(w3.conflicts.filter((x) => x.id === mv.id), [], 'after the movement');
  // Without the buffer, segment 0 (at `off` from c) is in range only if off <= r + pm.
  const nb = await check({ geometry: pt(c), radius_m: r, from: iso(T - H), until: iso(T + 4 * H), kinds: ['movement'] });
  assert.equal(nb.conflicts.some((x) => x.id === mv.id && x.segment === 0), pointSegment(c, A, B).d <= r + pm);
  // A polygon area the route crosses: distance 0 and the crossing times.
  const sq = squareRing(lengthwise(c, 0), 200);
  const pc = await check({ geometry: { type: 'Polygon', coordinates: [sq] }, from: iso(T - H), until: iso(T + 4 * H), kinds: ['movement'] });
  const s2 = pc.conflicts.find((x) => x.id === mv.id && x.segment === 2);
  assert.ok(s2, 'segment 2 crosses the square');
  assert.equal(s2.distance_m, 0);
  assert.ok(Date.parse(s2.inside_from) > times[2] && Date.parse(s2.inside_until) < times[3], `${s2.inside_from}..${s2.inside_until}`);
});

test('distances are within 0.5% of the geodesic distance across the mission area, near and far', async () => {
  const made = [];
  const centres = [region(0), region(7), region(14)];
  for (const [k, c] of centres.entries()) {
    for (const [j, dist] of [120, 700, 1800, 3500].entries()) {
      const az = (k * 70 + j * 97) % 360;
      let q = direct(c, az, dist);
      if (!inMission(q) && pointLine(q, BOUNDARY) > 4000) q = direct(c, (az + 180) % 360, dist);
      const s = await createSite('wfp.focal', siteBody(q, { category: 'office' }));
      made.push({ c: k, id: s.id, q });
    }
  }
  for (const [k, c] of centres.entries()) {
    const res = await check({ geometry: pt(c), radius_m: 1, buffer_m: 10000, from: iso(NOW), until: iso(NOW + H), kinds: ['site'] });
    const got = new Map(res.conflicts.map((x) => [x.id, x]));
    for (const m of made) {
      const want = distance(c, m.q) - 1;
      if (want > P.site.office + 10000) { assert.ok(!got.has(m.id)); continue; }
      assert.ok(got.has(m.id), `centre ${k}: ${m.id} at ${want.toFixed(0)} m`);
      close(got.get(m.id).distance_m, want, `centre ${k} to ${m.id}`);
    }
  }
  // From one end of the strip to the other (about 35 km): a radius of 30 km.
  const res = await check({ geometry: pt(region(0)), radius_m: 30000, buffer_m: 10000, from: iso(NOW), until: iso(NOW + H), kinds: ['site'] });
  const got = new Map(res.conflicts.map((x) => [x.id, x]));
  for (const m of made.filter((x) => x.c === 2)) {
    const want = Math.max(0, distance(region(0), m.q) - 30000);
    assert.ok(got.has(m.id), `${m.id} at ${want.toFixed(0)} m from the 30 km circle`);
    close(got.get(m.id).distance_m, want, `far end ${m.id}`);
  }
});

test('the automatic check: a new site or movement answers with what it conflicts with; the site keeps it', async () => {
  const c = region(11);
  const n = await createNsl(nostrikeBody(c, { category: 'power' }));
  const s = await createSite('ocha.focal', siteBody(direct(c, 45, 20), { category: 'bakery_kitchen' }));
  assert.ok(s.conflicts.some((x) => x.kind === 'nostrike' && x.id === n.id), `the new site conflicts with ${n.id}: ${JSON.stringify(s.conflicts)}`);
  const g = (await api('GET', `/api/v1/sites/${s.id}`, { token: t['cmcc.watch'] })).body;
  const site = g.site || g;
  assert.ok(site.conflicts.some((x) => x.id === n.id), 'the site keeps the conflicts of its last change');
  assert.ok(!site.conflicts.some((x) => x.id === s.id), 'not with itself');
  const m = await createMov(movementBody([direct(c, 270, 800), direct(c, 90, 800)], NOW + H, H));
  const ids = m.conflicts.map((x) => x.id);
  assert.ok(ids.includes(n.id) && ids.includes(s.id), `the movement conflicts with the site and the no-strike object: ${ids}`);
  assert.ok(!ids.includes(m.id));
  // Changed: the site moved 2 km away answers (and keeps) its new conflicts, without the no-strike object.
  const am = await api('POST', `/api/v1/sites/${s.id}/amend`, { token: t['ocha.focal'], body: { geometry: pt(lengthwise(c, 2000)) } });
  assert.ok(am.status === 200 || am.status === 201, am.text);
  assert.ok(Array.isArray(am.body.conflicts) && !am.body.conflicts.some((x) => x.id === n.id), `after the amendment: ${JSON.stringify(am.body.conflicts)}`);
  const g2 = (await api('GET', `/api/v1/sites/${s.id}`, { token: t['cmcc.watch'] })).body;
  assert.ok(!(g2.site || g2).conflicts.some((x) => x.id === n.id || x.id === m.id), 'the kept conflicts follow the change');
});

test('unit positions are in the check while they count (until the next report or the TTL)', async () => {
  const u = await api('GET', '/api/v1/units', { token: t['isf.hq'] });
  assert.equal(u.status, 200, u.text);
  const units = u.body.units;
  assert.ok(Array.isArray(units) && units.length > 0, 'the scenario has units');
  const unit = units.find((x) => x.org === 'ISF-AZE') || units[0];
  assert.match(unit.id, /^UNIT-/);
  const c = region(13);
  const r1 = await api('POST', `/api/v1/units/${unit.id}/position`, { token: t['isf.hq'], body: { geometry: pt(c) } });
  assert.ok(r1.status === 200 || r1.status === 201, r1.text);
  assert.ok(r1.body.receipt, 'a receipt');
  const q = (p, from, until) => check({ geometry: pt(p), radius_m: 50, from: iso(from), until: iso(until), kinds: ['unit'] }).then((r) => r.conflicts.filter((x) => x.id === unit.id));
  const now = Date.now();
  const hit = await q(c, now, now + H);
  assert.equal(hit.length, 1, 'the unit is where it reported');
  assert.equal(hit[0].kind, 'unit');
  assert.equal(hit[0].distance_m, 0);
  assert.equal(hit[0].protection_m, P.unit);
  assert.deepEqual(await q(c, now + 25 * H, now + 26 * H), [], 'after unit_position_ttl_h');
  // A site notified there: its kept conflicts name the unit by its id, and only to those who see units
  // (sharing.unit does not include humanitarian organisations).
  const site = await createSite('ocha.focal', siteBody(direct(c, 90, 40), { category: 'office' }));
  assert.ok(!site.conflicts.some((x) => x.kind === 'unit'), `the humanitarian notifier is not told where units are: ${JSON.stringify(site.conflicts)}`);
  const asCmcc = (await api('GET', `/api/v1/sites/${site.id}`, { token: t['cmcc.watch'] })).body;
  const uc = (asCmcc.site || asCmcc).conflicts.filter((x) => x.kind === 'unit');
  assert.ok(uc.some((x) => x.id === unit.id), `the site's kept conflicts name ${unit.id} by its id: ${JSON.stringify(uc)}`);
  const asOcha = (await api('GET', `/api/v1/sites/${site.id}`, { token: t['ocha.focal'] })).body;
  assert.ok(!(asOcha.site || asOcha).conflicts.some((x) => x.kind === 'unit'), 'nor later, in the site\'s kept conflicts');
  const mv = await createMov(movementBody([direct(c, 270, 600), direct(c, 90, 600)], Date.now() + 60e3, H));
  assert.ok(!mv.conflicts.some((x) => x.kind === 'unit'), 'a movement notifier is not told where units are');
  const mvc = (await api('GET', `/api/v1/movements/${mv.id}`, { token: t['cmcc.watch'] })).body;
  assert.ok((mvc.movement || mvc).conflicts.some((x) => x.kind === 'unit' && x.id === unit.id), `the movement's kept conflicts name ${unit.id}: ${JSON.stringify((mvc.movement || mvc).conflicts)}`);
  // A later report elsewhere ends the first.
  const c2 = lengthwise(c, 3000);
  const r2 = await api('POST', `/api/v1/units/${unit.id}/position`, { token: t['isf.hq'], body: { geometry: pt(c2) } });
  assert.ok(r2.status === 200 || r2.status === 201, r2.text);
  assert.equal((await q(c2, Date.now(), Date.now() + H)).length, 1);
  assert.deepEqual(await q(c, Date.now() + 60e3, Date.now() + H), [], 'no longer at the first place');
  // Who may report: not humanitarian users, not another contingent's unit.
  const other = units.find((x) => x.org && x.org !== 'ISF-AZE' && x.org.startsWith('ISF-'));
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/units/${unit.id}/position`, body: { geometry: pt(c) }, status: 403 });
  // Another contingent's unit is not even visible to isf.aze: 404, as for a unit that does not exist.
  if (other) await refuse(server, { token: t['isf.aze'], path: `/api/v1/units/${other.id}/position`, body: { geometry: pt(c) }, status: 404 });
  await refuse(server, { token: t['isf.hq'], path: `/api/v1/units/${unit.id}/position`, body: { geometry: pt([31.2357, 30.0444]) }, field: /^geometry/ });
  await refuse(server, { token: t['isf.hq'], path: '/api/v1/units/UNIT-NOPE/position', body: { geometry: pt(c) }, status: 404 });
  await refuse(server, { token: t['isf.hq'], path: `/api/v1/units/${unit.id}/position`, body: { geometry: pt(c), at: 'yesterday' }, field: 'at', status: 400 });
  await refuse(server, { token: t['isf.hq'], path: `/api/v1/units/${unit.id}/position`, body: { geometry: pt(c), colour: 'red' }, field: 'colour', status: 400 });
  await refuse(server, { token: t['isf.hq'], path: `/api/v1/units/${unit.id}/position`, body: { geometry: { type: 'Polygon', coordinates: [squareRing(c, 50)] } }, field: /^geometry/, status: 400 });
  await refuse(server, { token: t['isf.hq'], path: `/api/v1/units/${unit.id}/position`, body: {}, field: 'geometry', status: 400 });
});

test('bad input to the check: a 4xx naming the field, and nothing written', async () => {
  const c = region(4);
  const ok = { geometry: pt(c), radius_m: 500, from: iso(NOW), until: iso(NOW + 3 * H) };
  const go = (body, field, status) => refuse(server, { token: t['cmcc.watch'], path: '/api/v1/deconfliction/check', body, field, status, lists: ['/api/v1/sites'] });
  const [a, b, cc, d] = [lengthwise(c, -50), lengthwise(across(c, 50), -50), lengthwise(across(c, 50), 50), lengthwise(c, 50)];
  const poly = (ring) => ({ ...ok, radius_m: undefined, geometry: { type: 'Polygon', coordinates: [ring] } });
  await go({ ...ok, radius_m: undefined }, 'radius_m');
  await go({ ...ok, radius_m: 0 }, 'radius_m');
  await go({ ...ok, radius_m: 50001 }, 'radius_m');
  await go({ ...ok, radius_m: '500' }, 'radius_m');
  await go({ ...ok, until: iso(NOW - H) }, 'until');
  await go({ ...ok, until: iso(NOW + 31 * D + 1000) }, 'until');
  await go({ ...ok, from: 'now' }, 'from');
  await go({ ...ok, from: undefined }, 'from');
  await go({ ...ok, buffer_m: -1 }, 'buffer_m');
  await go({ ...ok, buffer_m: 10001 }, 'buffer_m');
  await go({ ...ok, kinds: ['ships'] }, /^kinds/);
  await go({ ...ok, kinds: 'site' }, 'kinds');
  await go({ ...ok, colour: 'red' }, 'colour');
  await go(poly([a, cc, b, d, a]), /^geometry/); // self-intersecting
  await go(poly([a, b, cc, d]), /^geometry/); // not closed
  await go({ ...ok, geometry: pt([31.2357, 30.0444]) }, /^geometry/); // Cairo
  await go({ ...ok, geometry: pt([c[1], c[0]]) }, /^geometry/); // swapped
  await go({ ...ok, geometry: pt([c[0], -95]) }, /^geometry/);
  await go({ ...ok, geometry: { type: 'LineString', coordinates: [a, b] } }, /^geometry/);
  await go({ ...ok, geometry: undefined }, 'geometry');
  await refuse(server, { token: t['cmcc.watch'], path: '/api/v1/deconfliction/check', body: '{"geometry":', lists: ['/api/v1/sites'] });
  await refuse(server, { token: undefined, path: '/api/v1/deconfliction/check', body: ok, status: 401 });
  await go({ ...ok, until: ok.from }, 'until'); // a window must end after it starts
  // Exactly 31 days and the limits of the ranges are accepted.
  await check({ ...ok, until: iso(NOW + 31 * D) });
  await check({ ...ok, radius_m: 1, buffer_m: 0 });
  await check({ ...ok, radius_m: 50000, buffer_m: 10000 });
});

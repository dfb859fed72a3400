// Narrowing as a randomized property (docs/operations.md "Life cycle",
// request_narrowing): for random notices — points with a radius and polygons,
// near the exercise objects and near sites and movements made for the test —
// the commander's request for narrowing proposes an area within the original
// (a point keeps its centre, its radius does not grow; every vertex of a
// polygon proposal lies inside or on the original within 1 m) and a window
// within the original; the deconfliction check over the proposal finds
// nothing but the operation itself; and once the notifier accepts, the
// operation has no conflicts.
//
// Seeded: NARROW_SEED=n reproduces a run (the seed is printed); NARROW_N sets
// the number of notices; the loop stops by NARROW_BUDGET_S (default 70 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  H, MIN, D, iso, pt, offset, starRing, siteAt, movementAlong, loginMany, opsClient, prng, pointPolygon, inRing,
  distance, KINDS, SITE2, NSL2, MOV1_ROUTE, BOUNDARY,
} from '../lib/operations.mjs';

const SEED = Number(process.env.NARROW_SEED || Math.floor(Math.random() * 2 ** 31));
const N = Number(process.env.NARROW_N || 500);
const BUDGET_MS = Number(process.env.NARROW_BUDGET_S || 70) * 1000;
console.log(`narrowing property test: seed ${SEED} (NARROW_SEED=${SEED} to reproduce)`);

let server, tokens, c, rng;
const anchors = [SITE2, NSL2, ...MOV1_ROUTE.slice(1), [34.305, 31.338], [34.29, 31.33], [34.352, 31.405], [34.338, 31.392], [34.3455, 31.4105], [34.3395, 31.407], [34.3514, 31.4184]];
let movWindow;
// The UTC day the file's "N days ahead" count from, taken once: read again in
// each test, a UTC midnight passing between two tests would move the later
// one a day on (seven days ahead after midnight is eight days ahead before it)
// onto the day and hours of an earlier test's operations nearby.
const DAY0 = Math.floor(Date.now() / D) * D;

before(async () => {
  server = await boot();
  tokens = await loginMany(server, ['idf.liaison', 'cmcc.cdr', 'ocha.focal', 'ngo.focal', 'wfp.focal']);
  c = opsClient(server, tokens);
  rng = prng(SEED);
  const mov = (await c.get_('/api/v1/movements/MOV-1', 'cmcc.cdr')).body;
  movWindow = [Date.parse(mov.window_from), Date.parse(mov.window_until)];
  // Obstacles of our own around Khan Younis and Deir al-Balah: sites of every
  // protection distance and movements on the next two days.
  const cats = ['health_facility', 'shelter_school', 'warehouse', 'distribution_point', 'water_sanitation', 'bakery_kitchen'];
  let made = 0;
  for (let i = 0; i < 40 && made < 14; i++) {
    const p = offset(rng.pick(anchors), rng.real(0, 360), rng.real(400, 2500));
    if (!inRing(p, BOUNDARY)) continue;
    const r = await c.site(siteAt(p, { category: rng.pick(cats) }), rng.pick(['ocha.focal', 'ngo.focal']));
    if (r.status === 201) { anchors.push(p); made++; }
  }
  for (let i = 0; i < 5; i++) {
    const a = offset(rng.pick(anchors), rng.real(0, 360), rng.real(300, 1500));
    const route = [a, offset(a, rng.real(0, 360), rng.real(800, 2500))];
    route.push(offset(route[1], rng.real(0, 360), rng.real(800, 2500)));
    if (!route.every((p) => inRing(p, BOUNDARY))) continue;
    const t0 = Date.now() + rng.real(2, 40) * H;
    const r = await c.movement(movementAlong(route, t0, rng.int(15, 60) * MIN), 'wfp.focal');
    if (r.status === 201) anchors.push(...route);
  }
});
after(() => shutdown(server));

function randomNotice() {
  const centre = offset(rng.pick(anchors), rng.real(0, 360), rng.real(0, 1200));
  let from;
  if (rng.chance(0.35)) from = movWindow[0] + rng.real(-3, 6) * H; // the exercise convoy's day
  else from = Date.now() + rng.real(0.5, 40) * H;
  from = Math.round(from / 1000) * 1000;
  const until = from + Math.round(rng.real(1, 10) * 60) * MIN;
  const body = {
    mode: rng.pick(['coordinate', 'inform']), kind: rng.pick(KINDS), urgency: 'routine',
    window_from: iso(from), window_until: iso(until), description: 'narrowing property',
  };
  if (rng.chance(0.5)) {
    body.geometry = pt(centre);
    body.radius_m = rng.int(50, 1500);
  } else {
    body.geometry = { type: 'Polygon', coordinates: [starRing(centre, rng.int(4, 9), rng.real(150, 600), rng.real(600, 1500), rng)] };
  }
  return body;
}

const vertices = (g) => {
  const flat = (x) => (typeof x[0] === 'number' ? [x] : x.flatMap(flat));
  return flat(g.coordinates);
};

test('request_narrowing when nothing conflicts: a possible proposal that is the notice itself (area and window kept), which may be accepted', async () => {
  const p = [34.4421113, 31.4712227];
  const body = { mode: 'coordinate', kind: 'arrest', geometry: pt(p), radius_m: 80, window_from: iso(Date.now() + 3 * D), window_until: iso(Date.now() + 3 * D + H), urgency: 'routine', description: 'clear' };
  const op = await c.notifyOk(body);
  assert.deepEqual(op.conflicts, []);
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const prop = d.proposal;
  assert.equal(prop.possible, true);
  const missing = ['geometry', 'window_from', 'window_until', 'area_kept', 'time_kept', 'loss'].filter((k) => prop[k] === undefined);
  assert.deepEqual(missing, [], `POST decision request_narrowing on ${op.id} (no conflict): the proposal lacks ${missing.join(', ')}: ${JSON.stringify(prop)}`);
  assert.deepEqual(prop.geometry, body.geometry);
  assert.equal(prop.radius_m, 80);
  assert.equal(prop.loss, 0);
  const a = await c.respond(op.id, 'idf.liaison', { response: 'accept' });
  assert.equal(a.status, 200, a.text);
});

test('a point whose centre is inside a site’s protection cannot be narrowed (no smaller circle, and shifting the window does not move a site): possible false, with why; nothing to accept; the notifier may answer', async () => {
  // The centre inside SITE-2's 300 m: no smaller circle around it is clear.
  const centre = offset(SITE2, 30, 100);
  const op = await c.notifyOk({ mode: 'coordinate', kind: 'ground_raid', geometry: pt(centre), radius_m: 400, window_from: iso(Date.now() + 2 * H), window_until: iso(Date.now() + 4 * H), urgency: 'routine', description: 'inside' });
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  assert.equal(d.proposal.possible, false, JSON.stringify(d.proposal));
  assert.ok(typeof d.proposal.why === 'string' && d.proposal.why.length > 0);
  const a = await c.respond(op.id, 'idf.liaison', { response: 'accept' });
  assert.equal(a.status, 409, `nothing to accept: ${a.text}`);
  assert.equal(a.body.error.field, 'response');
  // The notifier may still answer.
  const an = await c.respond(op.id, 'idf.liaison', { response: 'answer', note: 'the clinic is not affected' });
  assert.equal(an.status, 200, an.text);
  assert.equal(an.body.operation.status, 'pending');
  assert.ok(distance(centre, SITE2) < 300);
});

test('a window shift: a notice that only a movement crosses keeps its area and gets the longest free stretch of its window', async () => {
  // North of the strip, five days ahead: a convoy of our own, and a small
  // circle 22 m from a vertex of its route over the morning.
  const day = DAY0 + 5 * D;
  const route = [[34.42, 31.48], [34.43, 31.48], [34.44, 31.48]];
  const mv = await c.movementOk(movementAlong(route, day + 10 * H, 30 * MIN), 'wfp.focal');
  const from = day + 9 * H, until = day + 13 * H;
  const op = await c.notifyOk({ mode: 'coordinate', kind: 'line_crossing', geometry: pt(offset(route[1], 0, 22)), radius_m: 100, window_from: iso(from), window_until: iso(until), urgency: 'routine', description: 'shift' });
  assert.ok(op.conflicts.length > 0 && op.conflicts.every((x) => x.kind === 'movement' && x.id === mv.id), JSON.stringify(op.conflicts));
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const p = d.proposal;
  assert.equal(p.possible, true, JSON.stringify(p));
  // The centre is inside the convoy's protection: no smaller circle helps; the window moves.
  assert.deepEqual(p.geometry, op.geometry);
  assert.equal(p.radius_m, 100);
  const inside = op.conflicts.map((x) => [Date.parse(x.inside_from), Date.parse(x.inside_until)]);
  const a = Math.min(...inside.map((x) => x[0])), b = Math.max(...inside.map((x) => x[1]));
  const f = Date.parse(p.window_from), u = Date.parse(p.window_until);
  assert.ok(f >= from && u <= until, 'within the original window');
  assert.ok(u <= a || f >= b, `the shifted window ${p.window_from}..${p.window_until} avoids ${iso(a)}..${iso(b)}`);
  const longest = Math.max(a - from, until - b);
  assert.ok(u - f >= longest - 3 * MIN, `the longest free stretch: ${(u - f) / MIN} min of ${longest / MIN}`);
  assert.ok(Math.abs(p.time_kept - (u - f) / (until - from)) < 0.002);
  assert.equal(p.area_kept, 1);
  // Accepted: nothing conflicts.
  const acc = await c.respond(op.id, 'idf.liaison', { response: 'accept' });
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(acc.body.operation.conflicts, []);
});

// A rectangle of w x h metres centred on c (west-east, south-north), as a closed ring.
function rect(c, w, h) {
  const n = offset(c, 0, h / 2), s = offset(c, 180, h / 2);
  const ring = [offset(s, 270, w / 2), offset(s, 90, w / 2), offset(n, 90, w / 2), offset(n, 270, w / 2)];
  ring.push([...ring[0]]);
  return ring;
}

// DAYS ahead, a clinic at C splits a 2000 x 300 m strip in two: the strip is
// notified, narrowed and the proposal (a MultiPolygon of a west and an east
// part) accepted. Returns { a: the operation, win: its window, ringA: the strip }.
async function splitStrip(days, C, description) {
  const day = DAY0 + days * D;
  const win = { window_from: iso(day + 8 * H), window_until: iso(day + 12 * H) };
  await c.siteOk(siteAt(C, { category: 'health_facility' }), 'ngo.focal');
  const ringA = rect(C, 2000, 300);
  assert.ok(ringA.every((q) => inRing(q, BOUNDARY)));
  const a = await c.notifyOk({ mode: 'coordinate', kind: 'ground_raid', geometry: { type: 'Polygon', coordinates: [ringA] }, urgency: 'routine', description, ...win });
  const an = await c.decideOk(a.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  assert.equal(an.proposal.geometry?.coordinates.length, 2, JSON.stringify(an.proposal).slice(0, 300));
  assert.equal((await c.respond(a.id, 'idf.liaison', { response: 'accept' })).status, 200);
  return { a, win, ringA };
}

test('narrowing around another operation whose area is a MultiPolygon (an accepted proposal): the proposal keeps clear of every part', async () => {
  // Six days ahead, in the north: a clinic cuts a long thin area in two.
  const day = DAY0 + 6 * D;
  const C = [34.45, 31.46];
  const win = { window_from: iso(day + 8 * H), window_until: iso(day + 12 * H) };
  await c.siteOk(siteAt(C, { category: 'health_facility' }), 'ngo.focal');
  const ringA = rect(C, 2000, 300);
  assert.ok(ringA.every((p) => inRing(p, BOUNDARY)));
  const a = await c.notifyOk({ mode: 'coordinate', kind: 'ground_raid', geometry: { type: 'Polygon', coordinates: [ringA] }, urgency: 'routine', description: 'split in two', ...win });
  const an = await c.decideOk(a.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  assert.equal(an.proposal.possible, true, JSON.stringify(an.proposal));
  assert.equal(an.proposal.geometry.type, 'MultiPolygon');
  assert.equal(an.proposal.geometry.coordinates.length, 2, 'two parts, west and east of the clinic');
  const acc = await c.respond(a.id, 'idf.liaison', { response: 'accept' });
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(acc.body.operation.conflicts, []);
  // A second notice over all of it, with a store inside: it conflicts with both parts.
  await c.siteOk(siteAt(offset(C, 90, 700)), 'ngo.focal');
  const ringB = rect(C, 2400, 900);
  assert.ok(ringB.every((p) => inRing(p, BOUNDARY)));
  const b = await c.notifyOk({ mode: 'coordinate', kind: 'arrest', geometry: { type: 'Polygon', coordinates: [ringB] }, urgency: 'routine', description: 'over it', ...win });
  assert.ok(b.conflicts.some((x) => x.kind === 'operation' && x.id === a.id));
  const bn = await c.decideOk(b.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const p = bn.proposal;
  assert.equal(p.possible, true, `POST /api/v1/operations/${b.id}/decision request_narrowing (a 2400 x 900 m Polygon over ${a.id}, a MultiPolygon of 2 parts, a clinic and a store): ${JSON.stringify(p)}, though the area less their buffers leaves about 1.4 km² (the north and south bands)`);
  assert.ok(p.area_kept > 0.4, `area_kept ${p.area_kept}`);
  const chk = await c.check({ geometry: p.geometry, from: p.window_from, until: p.window_until, buffer_m: 0 }, 'cmcc.cdr');
  assert.equal(chk.status, 200, chk.text);
  const others = chk.body.conflicts.filter((x) => !(x.kind === 'operation' && x.id === b.id));
  assert.deepEqual(others.map((x) => `${x.kind}:${x.id} at ${x.distance_m} m`), [], `POST decision request_narrowing on ${b.id} (Polygon over ${a.id}, a MultiPolygon of 2 parts): the proposal was "verified to conflict with nothing", yet the check over it finds these`);
});

test('a notice over one part only of another operation’s MultiPolygon area conflicts with it, whichever part (the second part was missed: seed 1902956650)', async () => {
  // Eight days ahead: a clinic splits a strip in two; the accepted proposal is
  // a MultiPolygon of a west and an east part. Each later notice covers one
  // part with room to spare: no edges meet and neither first vertex is inside
  // the other, yet the part lies wholly inside the notice.
  const C = [34.43, 31.465];
  const { a, win } = await splitStrip(8, C, 'split');
  const missed = [];
  for (const side of [270, 90]) {
    const ring = rect(offset(C, side, 700), 900, 600);
    const b = await c.notifyOk({ mode: 'coordinate', kind: 'arrest', geometry: { type: 'Polygon', coordinates: [ring] }, urgency: 'routine', description: `over the ${side === 270 ? 'west' : 'east'} part`, ...win });
    if (!b.conflicts.some((x) => x.kind === 'operation' && x.id === a.id)) missed.push(`${b.id} over the ${side === 270 ? 'west' : 'east'} part: conflicts ${JSON.stringify(b.conflicts.map((x) => `${x.kind}:${x.id}`))}`);
    const chk = await c.check({ geometry: { type: 'Polygon', coordinates: [ring] }, from: win.window_from, until: win.window_until, buffer_m: 0 }, 'cmcc.cdr');
    if (!chk.body.conflicts.some((x) => x.kind === 'operation' && x.id === a.id)) missed.push(`the check over the ${side === 270 ? 'west' : 'east'} part misses ${a.id}`);
  }
  assert.deepEqual(missed, [], `${a.id} is a MultiPolygon of 2 parts`);
});

test('narrowing twice: an operation whose area is already a MultiPolygon is narrowed within it, with area_kept and loss between 0 and 1', async () => {
  // Seven days ahead, further north-east: the same split strip, accepted, concurred, then two stores arrive, one in each part.
  const C = [34.44, 31.47];
  const { a, ringA } = await splitStrip(7, C, 'twice');
  await c.decideOk(a.id, 'cmcc.cdr', { decision: 'concur' });
  await c.siteOk(siteAt(offset(C, 270, 750)), 'ngo.focal');
  const now = await c.getOk(a.id);
  assert.ok(now.alerts.length >= 1, 'an alert');
  const d = await c.decideOk(a.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const p = d.proposal;
  const problems = [];
  if (!p.possible) problems.push(`possible:false (${p.why})`);
  else {
    for (const k of ['area_kept', 'time_kept', 'loss']) if (!(p[k] >= 0 && p[k] <= 1)) problems.push(`${k} = ${p[k]} (a share, between 0 and 1)`);
    const parts = p.geometry.type === 'MultiPolygon' ? p.geometry.coordinates.length : 1;
    if (parts < 2) problems.push(`the proposal has ${parts} part(s): the part without the new store is lost`);
    const outside = vertices(p.geometry).filter((v) => pointPolygon(v, [ringA]) > 1);
    if (outside.length) problems.push(`${outside.length} vertices outside the original area`);
    const chk = await c.check({ geometry: p.geometry, from: p.window_from, until: p.window_until, buffer_m: 0 }, 'cmcc.cdr');
    const others = chk.body.conflicts.filter((x) => !(x.kind === 'operation' && x.id === a.id));
    if (others.length) problems.push(`the check over it finds ${others.map((x) => `${x.kind}:${x.id}`)}`);
  }
  assert.deepEqual(problems, [], `POST /api/v1/operations/${a.id}/decision request_narrowing on a MultiPolygon area of 2 parts: ${problems.join('; ')} — proposal ${JSON.stringify({ ...p, geometry: p.geometry ? `${p.geometry.type} of ${p.geometry.coordinates.length}` : undefined })}`);
});

test(`narrowing proposals lie within the original area and window, conflict with nothing, and clear the notice once accepted (seed ${SEED})`, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const started = Date.now();
  const stats = { notices: 0, clear: 0, possible: 0, impossible: 0, point: 0, polygon: 0, shifted: 0, accepted: 0, impossiblePoints: 0, maxClearRadiusOfImpossible: -Infinity };
  const failures = [];
  for (let i = 0; i < N && Date.now() - started < BUDGET_MS; i++) {
    const body = randomNotice();
    const r = await c.notify(body);
    if (r.status !== 201) {
      // A random area may leave the mission: that refusal must name the geometry.
      if (!(r.status === 400 && /^geometry/.test(r.body?.error?.field || ''))) failures.push(`#${i} notify: ${r.status} ${r.text.slice(0, 200)}`);
      continue;
    }
    stats.notices++;
    const op = r.body.operation;
    const tag = `#${i} ${op.id} (${body.geometry.type}${body.radius_m ? ` r ${body.radius_m}` : ''}, ${body.window_from}..${body.window_until}, ${op.conflicts.length} conflict(s))`;
    if (op.conflicts.length === 0) { stats.clear++; continue; }
    const d = await c.decide(op.id, 'cmcc.cdr', { decision: 'request_narrowing' });
    if (d.status !== 200) { failures.push(`${tag}: request_narrowing ${d.status} ${d.text.slice(0, 200)}`); continue; }
    const p = d.body.operation.proposal;
    const bad = (m) => failures.push(`${tag}: ${m}\n    proposal ${JSON.stringify(p).slice(0, 400)}`);
    if (!p || typeof p.possible !== 'boolean') { bad('no proposal'); continue; }
    // For a point: the largest radius around the same centre that clears every
    // conflict, from the check at the centre (radius 1 m, buffer the original
    // radius): min over the conflicts of (distance from the centre - protection).
    let rStar = null;
    if (body.geometry.type === 'Point') {
      const at = await c.check({ geometry: body.geometry, radius_m: 1, buffer_m: body.radius_m, from: body.window_from, until: body.window_until }, 'cmcc.cdr');
      if (at.status === 200) {
        const mine = at.body.conflicts.filter((x) => !(x.kind === 'operation' && x.id === op.id));
        rStar = Math.min(...mine.map((x) => (x.distance_m > 0 ? x.distance_m + 1 : 0) - x.protection_m));
      }
    }
    if (!p.possible) {
      stats.impossible++;
      if (typeof p.why !== 'string' || !p.why) bad('an impossible proposal says why');
      if (rStar !== null) { stats.impossiblePoints++; stats.maxClearRadiusOfImpossible = Math.max(stats.maxClearRadiusOfImpossible, Math.round(rStar)); }
      if (rStar !== null && rStar >= 15) bad(`possible:false, yet a radius of ${Math.floor(rStar) - 2} m around the same centre clears every conflict (largest clear radius ${rStar.toFixed(1)} m)`);
      continue;
    }
    stats.possible++;
    // Shape of the proposal.
    for (const k of ['area_kept', 'time_kept', 'loss']) if (!(typeof p[k] === 'number' && p[k] >= 0 && p[k] <= 1)) bad(`${k} = ${p[k]}`);
    if (Math.abs(p.loss - (1 - p.area_kept * p.time_kept)) > 0.003) bad(`loss ${p.loss} is not 1 - area_kept x time_kept`);
    if (!p.geometry || !p.window_from || !p.window_until) { bad('geometry and window'); continue; }
    // Within the original window.
    const f0 = Date.parse(body.window_from), u0 = Date.parse(body.window_until), f1 = Date.parse(p.window_from), u1 = Date.parse(p.window_until);
    if (!(f1 >= f0 && u1 <= u0 && f1 < u1)) bad(`window ${p.window_from}..${p.window_until} not within ${body.window_from}..${body.window_until}`);
    if (u1 - f1 < u0 - f0) stats.shifted++;
    if (Math.abs(p.time_kept - (u1 - f1) / (u0 - f0)) > 0.002) bad(`time_kept ${p.time_kept} vs ${(u1 - f1) / (u0 - f0)}`);
    // Within the original area.
    if (body.geometry.type === 'Point') {
      stats.point++;
      if (p.geometry.type !== 'Point' || JSON.stringify(p.geometry.coordinates) !== JSON.stringify(body.geometry.coordinates)) bad('a point keeps its centre');
      if (!(typeof p.radius_m === 'number' && p.radius_m >= 1 && p.radius_m <= body.radius_m)) bad(`radius ${p.radius_m} (original ${body.radius_m})`);
      if (Math.abs(p.area_kept - (p.radius_m / body.radius_m) ** 2) > 0.002 + 2 / body.radius_m) bad(`area_kept ${p.area_kept} vs (r/R)^2 ${(p.radius_m / body.radius_m) ** 2}`);
      // The least loss: with the whole window kept, no needlessly small radius.
      if (rStar !== null && p.time_kept === 1 && p.radius_m < Math.min(body.radius_m, Math.floor(rStar)) - 3) bad(`radius ${p.radius_m} m with the whole window kept, while ${Math.floor(rStar) - 2} m clears every conflict`);
    } else {
      stats.polygon++;
      if (!['Polygon', 'MultiPolygon'].includes(p.geometry.type)) bad(`geometry type ${p.geometry.type}`);
      if (p.radius_m !== undefined) bad('radius_m on a polygon proposal');
      const rings = body.geometry.coordinates;
      const outside = vertices(p.geometry).map((v) => [v, pointPolygon(v, rings)]).filter(([, dd]) => dd > 1);
      if (outside.length) bad(`${outside.length} vertices outside the original by more than 1 m, e.g. ${JSON.stringify(outside[0][0])} at ${outside[0][1].toFixed(2)} m`);
    }
    // The check over the proposal (buffer 0) finds nothing but the operation itself.
    const chk = { geometry: p.geometry, from: p.window_from, until: p.window_until, buffer_m: 0 };
    if (p.geometry.type === 'Point') chk.radius_m = p.radius_m;
    const cr = await c.check(chk, 'cmcc.cdr');
    if (cr.status !== 200) bad(`check ${cr.status} ${cr.text.slice(0, 200)}`);
    else {
      const others = cr.body.conflicts.filter((x) => !(x.kind === 'operation' && x.id === op.id));
      if (others.length) {
        const about = [];
        for (const x of others.filter((y) => y.kind === 'operation')) {
          const o = (await c.get(x.id, 'cmcc.cdr')).body;
          about.push(`${x.id} is a ${o.geometry.type}${o.geometry.type === 'MultiPolygon' ? ` of ${o.geometry.coordinates.length} parts` : ''} (${o.status}), decisions ${JSON.stringify(o.decisions.map((dd) => dd.decision))}`);
        }
        bad(`the check over the proposal finds ${others.map((x) => `${x.kind}:${x.id} at ${x.distance_m} m (protection ${x.protection_m})`).join(', ')}${about.length ? `; ${about.join('; ')}` : ''}`);
      }
    }
    // Accepted: the notice becomes the proposal and conflicts with nothing.
    const a = await c.respond(op.id, 'idf.liaison', { response: 'accept' });
    if (a.status !== 200) { bad(`accept ${a.status} ${a.text.slice(0, 200)}`); continue; }
    stats.accepted++;
    const now = a.body.operation;
    if (now.conflicts.length) bad(`conflicts after accepting: ${JSON.stringify(now.conflicts)}`);
    if (JSON.stringify(now.geometry) !== JSON.stringify(p.geometry)) bad('the accepted notice is not the proposal');
    if (now.status !== (body.mode === 'inform' ? 'notified' : 'pending')) bad(`status ${now.status} after accepting`);
  }
  const summary = `seed ${SEED}: ${JSON.stringify(stats)} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  console.log(summary);
  t.diagnostic(summary);
  assert.ok(stats.notices >= 40, `enough notices: ${summary}`);
  assert.ok(stats.possible >= 10 && stats.point >= 3 && stats.polygon >= 3, `enough possible proposals of both kinds: ${summary}`);
  assert.deepEqual(failures, [], `${failures.length} failure(s), ${summary}:\n${failures.slice(0, 30).join('\n')}`);
});


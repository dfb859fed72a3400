// Movements (issue 4, item 2; docs/humanitarian.md "Movements"): planned
// times given per vertex or computed from a departure and a speed over the
// geodesic lengths, the window rules, every cell of the status table (allowed
// and refused, by whom), the reason rule, history, amend, the movements that
// leave the deconfliction check, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  D, H, iso, region, across, lengthwise, pt, movementBody, healthSize, assertReceipt, refuse, MOVEMENT_STATUSES,
} from '../lib/humanitarian.mjs';
import { distance, lineLength } from '../lib/geodesic.mjs';

let server, t = {}, settings;
const USERS = ['cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'ocha.focal', 'wfp.focal', 'trainer'];
before(async () => {
  server = await boot();
  for (const u of USERS) t[u] = (await server.login(u)).token;
  settings = (await server.api('GET', '/api/v1/mission', { token: t['cmcc.watch'] })).body.settings;
});
after(() => shutdown(server));

const api = (...a) => server.api(...a);
const T0 = Date.now() + 2 * D; // movements planned the day after tomorrow
const ROUTE = [region(10), lengthwise(region(10), 1200), across(lengthwise(region(10), 2500), 300)];

async function createMov(user, body) {
  const r = await api('POST', '/api/v1/movements', { token: t[user], body });
  assert.equal(r.status, 201, `create movement as ${user}: ${r.status} ${r.text.slice(0, 500)}`);
  return r;
}
async function getMov(user, id) {
  const r = await api('GET', `/api/v1/movements/${id}`, { token: t[user] });
  assert.equal(r.status, 200, `GET ${id} as ${user}: ${r.text.slice(0, 300)}`);
  return r.body.movement || r.body;
}
async function setStatus(user, id, status, reason = `because ${status}`) {
  const body = { status };
  if (reason !== null) body.reason = reason;
  return api('POST', `/api/v1/movements/${id}/status`, { token: t[user], body });
}
async function drive(id, path) {
  for (const s of path) {
    const r = await setStatus('cmcc.watch', id, s);
    assert.ok(r.status === 200 || r.status === 201, `${id} -> ${s}: ${r.status} ${r.text}`);
  }
}
const near = (a, b, ms = 60e3) => Math.abs(Date.parse(a) - b) < ms;

test('notify a movement with planned times: 201 with id, the movement, conflicts and a receipt that verifies; GET and the list show it', async () => {
  const body = movementBody(ROUTE, T0, H, {
    staff_names: ['Hana Test', 'Omar Test'],
    contact: { name: 'Convoy Lead', phone: '+970 59 333 4444' },
    escort_requested: true,
  });
  const r = await createMov('wfp.focal', body);
  assert.match(r.body.id, /^MOV-\d+$/);
  assert.ok(Array.isArray(r.body.conflicts));
  const ev = assertReceipt(server, r, r.body.id);
  const m = r.body.movement;
  assert.equal(m.id, r.body.id);
  assert.equal(m.org, 'UN-WFP');
  assert.equal(m.purpose, body.purpose);
  assert.deepEqual(m.vehicles, body.vehicles);
  assert.equal(m.staff_count, 6);
  assert.equal(m.cargo, body.cargo);
  assert.equal(m.route.type, 'LineString');
  assert.equal(m.route.coordinates.length, 3);
  m.route.coordinates.forEach((c, i) => assert.ok(distance(c, ROUTE[i]) < 0.05, `vertex ${i} kept`));
  assert.deepEqual(m.times.map(Date.parse), body.times.map(Date.parse));
  assert.equal(Date.parse(m.window_from), Date.parse(body.window_from));
  assert.equal(Date.parse(m.window_until), Date.parse(body.window_until));
  assert.equal(m.escort_requested, true);
  assert.equal(m.status, 'submitted');
  assert.deepEqual(m.staff_names, body.staff_names, 'the owner sees the staff names');
  assert.deepEqual(m.contact, body.contact);
  assert.equal(m.notified_seq, ev.seq);
  assert.ok(near(m.notified_at, Date.now()));
  assert.ok(Array.isArray(m.history) && m.history.length === 1, `history: ${JSON.stringify(m.history)}`);
  assert.equal(m.history[0].status, 'submitted');
  assert.equal(m.history[0].by, 'wfp.focal');
  assert.equal(m.history[0].seq, ev.seq);
  const want = [...new Set([...settings.sharing.movement, 'org:UN-WFP'])].sort();
  assert.deepEqual([...m.labels].sort(), want);
  const g = await getMov('wfp.focal', r.body.id);
  assert.deepEqual({ ...g, conflicts: undefined }, { ...m, conflicts: undefined });
  const l = (await api('GET', '/api/v1/movements?mine=1', { token: t['wfp.focal'] })).body.movements;
  assert.ok(l.some((x) => x.id === r.body.id) && l.every((x) => x.org === 'UN-WFP'));
  const s = (await api('GET', '/api/v1/movements?status=submitted&org=UN-WFP', { token: t['cmcc.watch'] })).body.movements;
  assert.ok(s.some((x) => x.id === r.body.id) && s.every((x) => x.status === 'submitted' && x.org === 'UN-WFP'));
  const o = (await api('GET', '/api/v1/movements?org=UN-OCHA', { token: t['cmcc.watch'] })).body.movements;
  assert.ok(!o.some((x) => x.id === r.body.id));
  // Equal consecutive times (a stop) are allowed: non-decreasing.
  const stop = movementBody(ROUTE, T0, H);
  stop.times[1] = stop.times[0];
  const rs = await createMov('wfp.focal', stop);
  assert.equal(Date.parse(rs.body.movement.times[1]), Date.parse(stop.times[0]));
  assert.equal(m.exercise, true, `exercise data is marked on the movement object: ${JSON.stringify(Object.keys(m))}`);
});

test('departure + speed_kmh: planned times computed from the geodesic lengths (within 0.5% / 1 s), increasing with the distance travelled', async () => {
  const coords = [region(11), lengthwise(region(11), 900), across(lengthwise(region(11), 900), 2000), lengthwise(across(lengthwise(region(11), 900), 2000), 4500)];
  const dep = T0 + 3 * H;
  const speed = 25; // km/h
  const body = movementBody(coords, dep, H, { speed_kmh: speed, departure: iso(dep), window_from: iso(dep - H), window_until: iso(dep + 3 * H) });
  delete body.times;
  const r = await createMov('ocha.focal', body);
  assertReceipt(server, r, r.body.id);
  const times = r.body.movement.times.map(Date.parse);
  assert.equal(times.length, coords.length, 'one planned time per vertex');
  assert.equal(times[0], dep, 'the first vertex at the departure');
  let cum = 0;
  for (let i = 1; i < coords.length; i++) {
    cum += distance(coords[i - 1], coords[i]);
    const expect = dep + (cum / (speed * 1000)) * H;
    const tol = Math.max(1000, 0.005 * (expect - dep));
    assert.ok(Math.abs(times[i] - expect) <= tol, `vertex ${i}: ${iso(times[i])}, expected ${iso(expect)} (${cum.toFixed(0)} m at ${speed} km/h)`);
    assert.ok(times[i] > times[i - 1], 'times increase along the route');
  }
  // Segment durations are in the ratio of the geodesic lengths.
  const l1 = distance(coords[0], coords[1]), l3 = distance(coords[2], coords[3]);
  const ratio = (times[3] - times[2]) / (times[1] - times[0]);
  assert.ok(Math.abs(ratio - l3 / l1) / (l3 / l1) < 0.01, `durations ${ratio} vs lengths ${l3 / l1}`);
  // The whole route: about 7.4 km at 25 km/h is about 18 minutes.
  const total = lineLength(coords);
  assert.ok(Math.abs((times[3] - dep) - (total / 25000) * H) < Math.max(1000, 0.005 * (times[3] - dep)));
  // Faster is earlier, the same departure.
  const fast = await createMov('ocha.focal', { ...body, speed_kmh: 50 });
  const ft = fast.body.movement.times.map(Date.parse);
  assert.ok(Math.abs((ft[3] - dep) * 2 - (times[3] - dep)) < 2000, `twice the speed, half the time: ${ft[3] - dep} vs ${times[3] - dep}`);
  // A computed arrival after window_until is refused.
  await refuse(server, {
    token: t['ocha.focal'], path: '/api/v1/movements', lists: ['/api/v1/movements'],
    body: { ...body, speed_kmh: 1, window_until: iso(dep + 2 * H) }, field: /^(times|departure|speed_kmh|window_until)(\[\d+\])?$/,
  });
});

// The status table of docs/humanitarian.md: to -> who ('ack': notify.ack,
// 'owner': the owner or notify.ack). Missing: 409.
const PROGRESS = { facilitated: 'ack', partially_facilitated: 'ack', impeded: 'ack', denied: 'ack', postponed: 'ack', cancelled: 'owner' };
const OUTCOME = { facilitated: 'ack', partially_facilitated: 'ack', impeded: 'ack', completed: 'owner' };
const TABLE = {
  submitted: { acknowledged: 'ack', cancelled: 'owner' },
  acknowledged: PROGRESS,
  postponed: PROGRESS,
  facilitated: OUTCOME,
  partially_facilitated: OUTCOME,
  impeded: OUTCOME,
  denied: {},
  cancelled: {},
  completed: {},
};
const PATH = {
  submitted: [],
  acknowledged: ['acknowledged'],
  postponed: ['acknowledged', 'postponed'],
  facilitated: ['acknowledged', 'facilitated'],
  partially_facilitated: ['acknowledged', 'partially_facilitated'],
  impeded: ['acknowledged', 'impeded'],
  denied: ['acknowledged', 'denied'],
  cancelled: ['cancelled'],
  completed: ['acknowledged', 'facilitated', 'completed'],
};
let movN = 0;
const statusRoute = () => { const k = movN++ % 6; return [lengthwise(region(12), 300 * k), across(lengthwise(region(12), 300 * k), 800)]; };

// Runs fn, collecting an assertion failure as a message instead of stopping,
// so that one run lists every cell of the table that disagrees.
async function cell(failures, what, fn) {
  try { await fn(); } catch (e) { failures.push(`${what}: ${e.message.split('\n')[0]}`); }
}

test('status table: every allowed transition works for notify.ack, with a receipt and a history entry', async () => {
  const failures = [];
  for (const [from, tos] of Object.entries(TABLE)) {
    for (const to of Object.keys(tos)) {
      await cell(failures, `cmcc.watch ${from} -> ${to}`, async () => {
        const r = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
        const id = r.body.id;
        await drive(id, PATH[from]);
        assert.equal((await getMov('cmcc.watch', id)).status, from);
        const x = await setStatus('cmcc.watch', id, to, `reason for ${to}`);
        assert.ok(x.status === 200 || x.status === 201, `${x.status} ${x.text.slice(0, 200)}`);
        const ev = assertReceipt(server, x, id);
        const m = await getMov('ocha.focal', id);
        assert.equal(m.status, to);
        const h = m.history[m.history.length - 1];
        assert.equal(h.status, to);
        assert.equal(h.by, 'cmcc.watch');
        assert.equal(h.reason, `reason for ${to}`);
        assert.equal(h.seq, ev.seq);
        assert.ok(near(h.at, Date.now()));
        assert.deepEqual(m.history.map((e) => e.status), ['submitted', ...PATH[from], to], 'the history is every change, in order');
        if (to === 'acknowledged') {
          assert.equal(m.acknowledged_seq, ev.seq);
          assert.ok(near(m.acknowledged_at, Date.now()));
        }
      });
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('status table: the owner may cancel and complete, but nothing else; other organisations and parties may change nothing', async () => {
  const failures = [];
  for (const [from, tos] of Object.entries(TABLE)) {
    const r = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
    const id = r.body.id;
    await drive(id, PATH[from]);
    for (const to of MOVEMENT_STATUSES) {
      const who = tos[to];
      // Parties that are not the owner and lack notify.ack: never.
      for (const u of ['wfp.focal', 'idf.liaison', 'isf.hq', 'trainer']) {
        await cell(failures, `${u} ${from} -> ${to}`, async () => {
          const before = await healthSize(server);
          const x = await setStatus(u, id, to);
          assert.ok([403, 404].includes(x.status), `must be refused with 403/404: ${x.status} ${x.text.slice(0, 200)}`);
          assert.equal(await healthSize(server), before);
        });
      }
      if (who === 'ack') {
        await cell(failures, `owner ${from} -> ${to} (CMCC only)`, () => refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/status`, body: { status: to, reason: 'x' }, status: 403, lists: [`/api/v1/movements/${id}`] }));
      }
    }
    for (const [to, who] of Object.entries(tos)) {
      if (who !== 'owner') continue;
      await cell(failures, `owner ${from} -> ${to}`, async () => {
        const r2 = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
        await drive(r2.body.id, PATH[from]);
        const x = await setStatus('ocha.focal', r2.body.id, to, 'the owner says so');
        assert.ok(x.status === 200 || x.status === 201, `${x.status} ${x.text.slice(0, 200)}`);
        assertReceipt(server, x, r2.body.id);
        const m = await getMov('cmcc.watch', r2.body.id);
        assert.equal(m.status, to);
        assert.equal(m.history[m.history.length - 1].by, 'ocha.focal');
      });
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('status table: every transition the table does not list is 409 field status and changes nothing, for the CMCC and the owner', async () => {
  const failures = [];
  for (const [from, tos] of Object.entries(TABLE)) {
    const r = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
    const id = r.body.id;
    await drive(id, PATH[from]);
    for (const to of MOVEMENT_STATUSES) {
      if (tos[to] || (to === 'submitted' && from !== 'acknowledged')) continue; // back to submitted: once, below
      for (const u of ['cmcc.watch', 'ocha.focal']) {
        await cell(failures, `${u} ${from} -> ${to}`, async () => {
          const x = await refuse(server, { token: t[u], path: `/api/v1/movements/${id}/status`, body: { status: to, reason: 'try' }, lists: [`/api/v1/movements/${id}`] });
          // The owner asking for a CMCC-only change may be told 403 first; the CMCC must get 409.
          if (u === 'cmcc.watch' || !['acknowledged', 'facilitated', 'partially_facilitated', 'impeded', 'denied', 'postponed'].includes(to)) {
            assert.equal(x.status, 409, x.text);
            assert.equal(x.body.error.field, 'status', x.text);
          } else {
            assert.ok([403, 409].includes(x.status), x.text);
          }
        });
      }
    }
    assert.equal((await getMov('cmcc.watch', id)).status, from);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('reason is required for impeded, denied, postponed and cancelled (400 field reason), optional for the others', async () => {
  const r = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
  const id = r.body.id;
  const lists = [`/api/v1/movements/${id}`];
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/status`, body: { status: 'cancelled' }, status: 400, field: 'reason', lists });
  await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/movements/${id}/status`, body: { status: 'cancelled', reason: '' }, status: 400, field: 'reason', lists });
  await drive(id, ['acknowledged']); // no reason needed
  for (const s of ['impeded', 'denied', 'postponed', 'cancelled']) {
    await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/movements/${id}/status`, body: { status: s }, status: 400, field: 'reason', lists });
    await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/movements/${id}/status`, body: { status: s, reason: 7 }, status: 400, field: 'reason', lists });
  }
  const x = await setStatus('cmcc.watch', id, 'facilitated', null);
  assert.ok(x.status === 200 || x.status === 201, x.text);
  const y = await setStatus('ocha.focal', id, 'completed', null);
  assert.ok(y.status === 200 || y.status === 201, y.text);
  // Bad status bodies.
  const r2 = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
  const l2 = [`/api/v1/movements/${r2.body.id}`];
  for (const [body, field] of [[{ status: 'lost', reason: 'x' }, 'status'], [{ reason: 'x' }, 'status'], [{ status: 3 }, 'status'], [{ status: 'acknowledged', colour: 'red' }, 'colour']]) {
    await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/movements/${r2.body.id}/status`, body, field, lists: l2 });
  }
  await refuse(server, { token: t['cmcc.watch'], path: '/api/v1/movements/MOV-999999/status', body: { status: 'acknowledged' }, status: 404 });
  // A reason of blanks is no reason.
  const r3 = await createMov('ocha.focal', movementBody(statusRoute(), T0, H));
  await drive(r3.body.id, ['acknowledged']);
  for (const s of ['impeded', 'denied', 'postponed', 'cancelled']) {
    await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/movements/${r3.body.id}/status`, body: { status: s, reason: '   ' }, status: 400, field: 'reason', lists: [`/api/v1/movements/${r3.body.id}`] });
  }
});

test('denied, cancelled and completed movements leave the deconfliction check; the others stay', async () => {
  const c = region(13);
  const route = [across(c, -1500), across(c, 1500)]; // crosses c at mid-time
  const t1 = T0 + 5 * H;
  const check = async () => {
    const r = await api('POST', '/api/v1/deconfliction/check', { token: t['cmcc.watch'], body: { geometry: pt(c), radius_m: 200, from: iso(t1 - H), until: iso(t1 + 2 * H), kinds: ['movement'] } });
    assert.equal(r.status, 200, r.text);
    return new Set(r.body.conflicts.map((x) => x.id));
  };
  const base = await check();
  const ids = {};
  for (const k of ['denied', 'cancelled', 'completed', 'acknowledged', 'postponed', 'facilitated', 'submitted']) {
    ids[k] = (await createMov('ocha.focal', movementBody(route, t1, 30 * 60e3))).body.id;
  }
  const all = await check();
  for (const id of Object.values(ids)) assert.ok(all.has(id), `${id} conflicts before any change`);
  await drive(ids.denied, ['acknowledged', 'denied']);
  await drive(ids.cancelled, ['cancelled']);
  await drive(ids.completed, ['acknowledged', 'facilitated', 'completed']);
  await drive(ids.acknowledged, ['acknowledged']);
  await drive(ids.postponed, ['acknowledged', 'postponed']);
  await drive(ids.facilitated, ['acknowledged', 'facilitated']);
  const after1 = await check();
  for (const k of ['denied', 'cancelled', 'completed']) assert.ok(!after1.has(ids[k]), `a ${k} movement left the check`);
  for (const k of ['acknowledged', 'facilitated', 'submitted']) assert.ok(after1.has(ids[k]), `a ${k} movement stays in the check`);
  const expect = new Set([...base, ids.acknowledged, ids.facilitated, ids.submitted]);
  if (after1.has(ids.postponed)) expect.add(ids.postponed);
  assert.deepEqual([...after1].sort(), [...expect].sort());
});

test('amend: route, times and window change; status back to submitted with a receipt; the check follows the new route; others may not', async () => {
  const c = lengthwise(region(13), -1200);
  const route = [across(c, -1000), across(c, 1000)];
  const r = await createMov('ocha.focal', movementBody(route, T0, H, { staff_names: ['A. Person'] }));
  const id = r.body.id;
  await drive(id, ['acknowledged']);
  const moved = [lengthwise(across(c, -1000), 3000), lengthwise(across(c, 1000), 3000)];
  const nb = movementBody(moved, T0 + D, 2 * H);
  const am = await api('POST', `/api/v1/movements/${id}/amend`, { token: t['ocha.focal'], body: { route: nb.route, times: nb.times, window_from: nb.window_from, window_until: nb.window_until } });
  assert.ok(am.status === 200 || am.status === 201, am.text);
  assertReceipt(server, am, id);
  const m = await getMov('ocha.focal', id);
  assert.equal(m.status, 'submitted');
  assert.equal(m.history[m.history.length - 1].status, 'submitted');
  assert.deepEqual(m.times.map(Date.parse), nb.times.map(Date.parse));
  assert.ok(distance(m.route.coordinates[0], moved[0]) < 0.05);
  assert.deepEqual(m.staff_names, ['A. Person'], 'fields not sent are kept');
  const chk = async (p, from) => (await api('POST', '/api/v1/deconfliction/check', { token: t['cmcc.watch'], body: { geometry: pt(p), radius_m: 100, from: iso(from - 3 * H), until: iso(from + 3 * H), kinds: ['movement'] } })).body.conflicts.map((x) => x.id);
  assert.ok(!(await chk(c, T0)).includes(id), 'the old route left the index');
  assert.ok((await chk(lengthwise(c, 3000), T0 + D)).includes(id), 'the new route is in the index');
  for (const u of ['wfp.focal', 'idf.liaison']) {
    const before = await healthSize(server);
    const x = await api('POST', `/api/v1/movements/${id}/amend`, { token: t[u], body: { cargo: 'x' } });
    assert.ok([403, 404].includes(x.status), `${u}: ${x.status} ${x.text}`);
    assert.equal(await healthSize(server), before);
  }
  const lists = [`/api/v1/movements/${id}`];
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/amend`, body: { times: [nb.times[0]] }, field: 'times', lists });
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/amend`, body: { window_until: iso(T0 - D) }, field: /^(window_until|times(\[\d+\])?)$/, lists });
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/amend`, body: { route: { type: 'LineString', coordinates: [[31.2357, 30.0444], moved[1]] } }, field: /^route/, lists });
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/amend`, body: { status: 'facilitated' }, field: 'status', lists });
  // A terminal movement cannot be amended back to life.
  await drive(id, ['cancelled']);
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/movements/${id}/amend`, body: { cargo: 'more' }, status: 409, lists });
});

test('bad input to POST /api/v1/movements: a 4xx naming the field, and nothing written', async () => {
  const tok = t['ocha.focal'];
  const lists = ['/api/v1/movements'];
  const go = (body, field, status) => refuse(server, { token: tok, path: '/api/v1/movements', body, field, status, lists, readToken: t['cmcc.watch'] });
  const R = [region(9), lengthwise(region(9), 1000), lengthwise(region(9), 2000)];
  const ok = () => movementBody(R, T0, H);
  const line = (coords) => ({ ...ok(), route: { type: 'LineString', coordinates: coords }, times: coords.map((_, i) => iso(T0 + i * 60e3)), window_from: iso(T0 - H), window_until: iso(T0 + coords.length * 60e3 + H) });
  // Route.
  await go(line([R[0]]), /^route/);
  const many = Array.from({ length: 201 }, (_, i) => lengthwise(R[0], i * 10));
  const byDeparture = { ...line(many), departure: iso(T0), speed_kmh: 20 };
  delete byDeparture.times;
  await go(byDeparture, /^route/);
  await go({ ...ok(), route: pt(R[0]) }, /^route/);
  await go({ ...ok(), route: { type: 'Polygon', coordinates: [[...R, R[0]]] } }, /^route/);
  await go(line([R[0], [31.2357, 30.0444], R[2]]), /^route/); // Cairo
  await go(line([R[0], [R[1][1], R[1][0]], R[2]]), /^route/); // swapped
  await go(line([R[0], [R[1][0], 95], R[2]]), /^route/); // latitude out of range
  await go(line([R[0], ['34.4', '31.4'], R[2]]), /^route/);
  // Times and window.
  await go({ ...ok(), times: ok().times.slice(0, 2) }, 'times');
  await go({ ...ok(), times: [ok().times[2], ok().times[1], ok().times[0]] }, /^times(\[1\])?$/);
  await go({ ...ok(), times: [ok().times[0], 'noon', ok().times[2]] }, /^times/);
  await go({ ...ok(), window_from: iso(T0 + 30 * 60e3) }, /^(times(\[0\])?|window_from)$/); // first time before the window
  await go({ ...ok(), window_until: iso(T0 + 90 * 60e3) }, /^(times(\[2\])?|window_until)$/); // last time after the window
  await go({ ...ok(), window_from: iso(T0 + 10 * H), window_until: iso(T0 - 10 * H) }, 'window_until');
  await go({ ...ok(), window_from: 'soon' }, 'window_from');
  await go({ ...ok(), departure: iso(T0), speed_kmh: 30 }, /^(times|departure|speed_kmh)$/); // both ways at once
  const neither = ok();
  delete neither.times;
  await go(neither, /^(times|departure)$/);
  const dep = { ...ok(), departure: iso(T0), speed_kmh: 0 };
  delete dep.times;
  await go(dep, 'speed_kmh');
  await go({ ...dep, speed_kmh: -20 }, 'speed_kmh');
  await go({ ...dep, speed_kmh: '30' }, 'speed_kmh');
  await go({ ...dep, speed_kmh: 30, departure: 'now' }, 'departure');
  // Other fields.
  await go({ ...ok(), staff_count: '6' }, 'staff_count');
  await go({ ...ok(), staff_count: -6 }, 'staff_count');
  await go({ ...ok(), vehicles: 4 }, /^vehicles/);
  await go({ ...ok(), vehicles: { count: 'four' } }, /^vehicles/);
  await go({ ...ok(), escort_requested: 'yes' }, 'escort_requested');
  await go({ ...ok(), staff_names: 'Hana' }, 'staff_names');
  await go({ ...ok(), contact: 'call' }, /^contact/);
  await go({ ...ok(), colour: 'red' }, 'colour');
  await go({ ...ok(), status: 'facilitated' }, 'status');
  await go({ ...ok(), org: 'UN-WFP' }, 'org');
  for (const f of ['purpose', 'route', 'window_from', 'window_until']) {
    const b = ok();
    delete b[f];
    await go(b, f);
  }
  await refuse(server, { token: tok, path: '/api/v1/movements', body: '{"purpose": [', lists });
  await refuse(server, { token: tok, path: '/api/v1/movements', body: { ...ok(), cargo: 'x'.repeat(5 << 20) }, lists, allowClosed: true });
  for (const u of ['idf.liaison', 'isf.hq', 'trainer']) {
    await refuse(server, { token: t[u], path: '/api/v1/movements', body: ok(), status: 403, code: 'forbidden', lists, readToken: t['cmcc.watch'] });
  }
  await refuse(server, { token: undefined, path: '/api/v1/movements', body: ok(), status: 401, lists, readToken: t['cmcc.watch'] });
});

// Positions in bulk (issue 5 §2: "and in bulk") and ISF HQ declining a task
// referred to it (issue 6 §3: "ISF HQ accepts or declines").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, loginAll, logSize, assertError } from './lib.mjs';

let server, t;
before(async () => {
  server = await boot();
  t = await loginAll(server, ['isf.hq', 'isf.aze', 'isf.egy', 'idf.liaison', 'cmcc.cdr', 'ocha.focal']);
});
after(() => shutdown(server));

const pt = (c) => ({ type: 'Point', coordinates: c });
const post = (who, path, body) => server.api('POST', path, { token: t[who], body });
const get = (who, path) => server.api('GET', path, { token: t[who] });

test('bulk positions: all reports in one write, each unit at its place; a contingent only its own; all or none', async () => {
  const at = new Date().toISOString(); // newer than the scenario's report at boot (an older one goes to history)
  const r = await post('isf.hq', '/api/v1/units/positions', {
    positions: [
      { unit: 'UNIT-AZE-1', geometry: pt([34.265, 31.295]), at },
      { unit: 'UNIT-EGY-1', geometry: pt([34.31, 31.34]) },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.count, 2);
  assert.ok(r.body.receipt && r.body.receipt.seq, 'a receipt');
  const units = (await get('isf.hq', '/api/v1/units')).body.units;
  const aze = units.find((u) => u.id === 'UNIT-AZE-1'), egy = units.find((u) => u.id === 'UNIT-EGY-1');
  assert.deepEqual(aze.position.geometry.coordinates, [34.265, 31.295]);
  assert.equal(Date.parse(aze.position.at), Date.parse(at));
  assert.deepEqual(egy.position.geometry.coordinates, [34.31, 31.34]);

  // One bad report refuses the whole batch, naming it; nothing is written.
  const size = await logSize(server);
  const bad = await post('isf.hq', '/api/v1/units/positions', {
    positions: [{ unit: 'UNIT-AZE-1', geometry: pt([34.27, 31.3]) }, { unit: 'UNIT-AZE-1', geometry: pt([31.2, 30.0]) }],
  });
  assertError(bad, 400, undefined, 'positions[1].geometry');
  const unknown = await post('isf.hq', '/api/v1/units/positions', { positions: [{ unit: 'UNIT-AZE-1', geometry: pt([34.27, 31.3]), speed: 3 }] });
  assertError(unknown, 400, 'unknown_field', 'positions[0].speed');
  assertError(await post('isf.hq', '/api/v1/units/positions', { positions: [] }), 400, undefined, 'positions');
  // A contingent reporting another contingent's unit: the unit is not even visible to it.
  const other = await post('isf.aze', '/api/v1/units/positions', {
    positions: [{ unit: 'UNIT-AZE-1', geometry: pt([34.27, 31.3]) }, { unit: 'UNIT-EGY-1', geometry: pt([34.3, 31.34]) }],
  });
  assert.equal(other.status, 404, other.text);
  assertError(await post('ocha.focal', '/api/v1/units/positions', { positions: [{ unit: 'UNIT-AZE-1', geometry: pt([34.27, 31.3]) }] }), 403);
  assert.equal(await logSize(server), size, 'nothing written');
  const after = (await get('isf.hq', '/api/v1/units')).body.units.find((u) => u.id === 'UNIT-AZE-1');
  assert.deepEqual(after.position.geometry.coordinates, [34.265, 31.295], 'the refused batch moved nothing');
});

test('a referral ISF HQ will not take: withdraw the draft task with a reason; the IDF liaison sees isf_status aborted', async () => {
  const from = new Date(Date.now() + 26 * 3600e3).toISOString(), until = new Date(Date.now() + 28 * 3600e3).toISOString();
  const op = await post('idf.liaison', '/api/v1/operations', {
    mode: 'coordinate', kind: 'arrest', geometry: pt([34.47, 31.52]), radius_m: 150,
    window_from: from, window_until: until, urgency: 'priority', description: 'exercise arrest',
  });
  assert.equal(op.status, 201, op.text);
  const d = await post('cmcc.cdr', `/api/v1/operations/${op.body.id}/decision`, { decision: 'refer', note: 'the ISF should act' });
  assert.equal(d.status, 200, d.text);
  const task = d.body.operation.task;
  assert.match(task, /^TSK-\d+$/);
  assertError(await post('isf.hq', `/api/v1/tasks/${task}/withdraw`, {}), 400, 'missing_field', 'note');
  assertError(await post('isf.aze', `/api/v1/tasks/${task}/withdraw`, { note: 'no' }), 403);
  const w = await post('isf.hq', `/api/v1/tasks/${task}/withdraw`, { note: 'no unit may take an arrest in that sector' });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.body.task.status, 'aborted');
  const seen = await get('idf.liaison', `/api/v1/operations/${op.body.id}`);
  assert.equal(seen.body.isf_status, 'aborted');
  assertError(await post('isf.hq', `/api/v1/tasks/${task}/withdraw`, { note: 'again' }), 409);
});

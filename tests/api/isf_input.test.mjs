// Bad input to every ISF endpoint (issue 5, "Tests"; docs/isf.md and the
// conventions in DESIGN.md): a clear 4xx in the error shape naming the
// field, and nothing written — the log size (/healthz) and the lists are
// unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import { D, H, iso, pt, taskBody, client, refused, healthSize } from '../lib/isf.mjs';

let server, tokens = {}, as;
let draft, assigned, running;
const AZE1 = [34.262, 31.292];

before(async () => {
  server = await boot();
  for (const u of ['isf.hq', 'isf.aze', 'isf.egy', 'cmcc.watch']) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  const mk = async (over) => {
    const r = await as('isf.hq').post('/api/v1/tasks', taskBody(over));
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const day = Date.now() + 5 * D;
  draft = await mk({ window_from: iso(day), window_until: iso(day + H) });
  assigned = await mk({ window_from: iso(day + 2 * H), window_until: iso(day + 3 * H) });
  running = await mk({ window_from: iso(day + 4 * H), window_until: iso(day + 5 * H) });
  for (const id of [assigned, running]) assert.equal((await as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-AZE-HQ' })).status, 200);
  assert.equal((await as('isf.aze').post(`/api/v1/tasks/${running}/accept`, {})).status, 200);
  assert.equal((await as('isf.aze').post(`/api/v1/tasks/${running}/start`, {})).status, 200);
});
after(() => shutdown(server));

// Runs a table of [what, user, path, body, field, status?] rows as POSTs;
// collects the failures so that one run lists them all.
async function table(rows, { lists = [] } = {}) {
  const failures = [];
  for (const [what, user, path, body, field, status = 400] of rows) {
    const snap = [];
    for (const l of lists) snap.push((await as('isf.hq').get(l)).text);
    try {
      await refused(server, () => as(user).post(path, body), { status, field, what: `${what}: POST ${path} ${JSON.stringify(body).slice(0, 200)}` });
      for (const [i, l] of lists.entries()) assert.equal((await as('isf.hq').get(l)).text, snap[i], `${l} unchanged`);
    } catch (e) {
      failures.push(`${what}: ${e.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
}

test('POST /api/v1/contingents/{id}/strength', async () => {
  const P = '/api/v1/contingents/CTG-AZE/strength';
  await table([
    ['nothing given', 'isf.hq', P, {}, /^(pledged|deployed)$/],
    ['negative pledged', 'isf.hq', P, { pledged: -1 }, 'pledged'],
    ['fractional pledged', 'isf.hq', P, { pledged: 1.5 }, 'pledged'],
    ['deployed a string', 'isf.hq', P, { deployed: 'many' }, 'deployed'],
    ['deployed too large', 'isf.hq', P, { deployed: 100001 }, 'deployed'],
    ['at not a time', 'isf.hq', P, { deployed: 10, at: 'yesterday' }, 'at'],
    ['at in the year 2999', 'isf.hq', P, { deployed: 10, at: '2999-01-01T00:00:00Z' }, 'at'],
    ['note not a string', 'isf.hq', P, { deployed: 10, note: 5 }, 'note'],
    ['unknown field', 'isf.hq', P, { deployed: 10, bogus: 1 }, 'bogus'],
    ['unknown contingent', 'isf.hq', '/api/v1/contingents/CTG-NOPE/strength', { deployed: 10 }, undefined, 404],
  ], { lists: ['/api/v1/contingents'] });
});

test('POST /api/v1/units', async () => {
  const P = '/api/v1/units';
  const ok = { id: 'UNIT-AZE-9', org: 'ISF-AZE', name: { en: 'Test platoon (exercise)', ar: 'فصيلة' }, type: 'infantry', strength: 30, home_base: pt(AZE1) };
  // Each row its own id: a row wrongly accepted must not turn the next into a duplicate.
  let n = 0;
  const w = (over) => { const b = { ...ok, id: `UNIT-AZE-T${++n}`, ...over }; for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k]; return b; };
  await table([
    ['no id', 'isf.hq', P, w({ id: undefined }), 'id'],
    ['id without UNIT-', 'isf.hq', P, w({ id: 'AZE-9' }), 'id'],
    ['id with spaces', 'isf.hq', P, w({ id: 'UNIT AZE 9' }), 'id'],
    ['no org', 'isf.hq', P, w({ org: undefined }), 'org'],
    ['org without a contingent', 'isf.hq', P, w({ org: 'CMCC' }), 'org'],
    ['org that does not exist', 'isf.hq', P, w({ org: 'ISF-XYZ' }), 'org'],
    ['no name', 'isf.hq', P, w({ name: undefined }), 'name'],
    ['name without Arabic', 'isf.hq', P, w({ name: { en: 'x' } }), /^name/],
    ['unknown type', 'isf.hq', P, w({ type: 'tank_battalion' }), 'type'],
    ['negative strength', 'isf.hq', P, w({ strength: -1 }), 'strength'],
    ['strength too large', 'isf.hq', P, w({ strength: 10001 }), 'strength'],
    ['strength a string', 'isf.hq', P, w({ strength: '30' }), 'strength'],
    ['no home base', 'isf.hq', P, w({ home_base: undefined }), 'home_base'],
    ['home base a line', 'isf.hq', P, w({ home_base: { type: 'LineString', coordinates: [AZE1, [34.27, 31.3]] } }), /^home_base/],
    ['home base outside the mission area', 'isf.hq', P, w({ home_base: pt([35.2, 31.8]) }), /^home_base/],
    ['home base not coordinates', 'isf.hq', P, w({ home_base: pt([200, 100]) }), /^home_base/],
    ['unknown sector', 'isf.hq', P, w({ sector: 'SEC-NOWHERE' }), 'sector'],
    ['a crossing is not a sector', 'isf.hq', P, w({ sector: 'XNG-KS' }), 'sector'],
    ['unknown status', 'isf.hq', P, w({ status: 'asleep' }), 'status'],
    ['unknown field', 'isf.hq', P, w({ bogus: true }), 'bogus'],
    ['a position is not registered this way', 'isf.hq', P, w({ position: pt(AZE1) }), 'position'],
  ], { lists: ['/api/v1/units'] });
});

test('POST /api/v1/units/{id}/update and /position', async () => {
  const U = '/api/v1/units/UNIT-AZE-1/update';
  const Q = '/api/v1/units/UNIT-AZE-1/position';
  await table([
    ['nothing to update', 'isf.aze', U, {}, undefined],
    ['negative strength', 'isf.aze', U, { strength: -5 }, 'strength'],
    ['unknown status', 'isf.aze', U, { status: 'gone' }, 'status'],
    ['home base a polygon', 'isf.aze', U, { home_base: { type: 'Polygon', coordinates: [[AZE1, [34.27, 31.3], [34.27, 31.29], AZE1]] } }, /^home_base/],
    ['home base outside', 'isf.aze', U, { home_base: pt([35.2, 31.8]) }, /^home_base/],
    ['unknown sector', 'isf.aze', U, { sector: 'SEC-NOWHERE' }, 'sector'],
    ['the id is not changed', 'isf.aze', U, { id: 'UNIT-AZE-7' }, 'id'],
    ['the organisation is not changed', 'isf.aze', U, { org: 'ISF-EGY' }, 'org'],
    ['the type is not changed this way', 'isf.aze', U, { type: 'medical' }, 'type'],
    ['unknown unit', 'isf.aze', '/api/v1/units/UNIT-NOPE/update', { strength: 5 }, undefined, 404],
    ['no geometry', 'isf.aze', Q, {}, 'geometry'],
    ['geometry a polygon', 'isf.aze', Q, { geometry: { type: 'Polygon', coordinates: [[AZE1, [34.27, 31.3], [34.27, 31.29], AZE1]] } }, /^geometry/],
    ['geometry outside', 'isf.aze', Q, { geometry: pt([35.2, 31.8]) }, /^geometry/],
    ['at in the future', 'isf.aze', Q, { geometry: pt(AZE1), at: iso(Date.now() + 3600e3) }, 'at'],
    ['at not a time', 'isf.aze', Q, { geometry: pt(AZE1), at: 'now' }, 'at'],
    ['unknown field', 'isf.aze', Q, { geometry: pt(AZE1), speed: 4 }, 'speed'],
    ['unknown unit', 'isf.aze', '/api/v1/units/UNIT-NOPE/position', { geometry: pt(AZE1) }, undefined, 404],
  ], { lists: ['/api/v1/units'] });
});

test('POST /api/v1/caveats', async () => {
  const P = '/api/v1/caveats';
  const from = iso(Date.now() + 30 * D);
  const ok = { contingent: 'CTG-AZE', effective_from: from, rules: {} };
  const w = (over) => { const b = { ...ok, ...over }; for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k]; return b; };
  const rules = (r) => w({ rules: r });
  await table([
    ['no contingent', 'isf.aze', P, w({ contingent: undefined }), 'contingent'],
    ['unknown contingent', 'isf.aze', P, w({ contingent: 'CTG-NOPE' }), 'contingent'],
    ['no rules', 'isf.aze', P, w({ rules: undefined }), 'rules'],
    ['rules a list', 'isf.aze', P, w({ rules: [] }), 'rules'],
    ['no effective_from', 'isf.aze', P, w({ effective_from: undefined }), 'effective_from'],
    ['effective_from not a time', 'isf.aze', P, w({ effective_from: 'tomorrow' }), 'effective_from'],
    ['effective_from without a zone', 'isf.aze', P, w({ effective_from: '2027-01-01T00:00:00' }), 'effective_from'],
    ['effective_until before effective_from', 'isf.aze', P, w({ effective_until: iso(Date.parse(from) - D) }), 'effective_until'],
    ['effective_until equal to effective_from', 'isf.aze', P, w({ effective_until: from }), 'effective_until'],
    ['effective_until not a time', 'isf.aze', P, w({ effective_until: 'never' }), 'effective_until'],
    ['note too long', 'isf.aze', P, w({ note: 'x'.repeat(2001) }), 'note'],
    ['unknown field', 'isf.aze', P, w({ bogus: 1 }), 'bogus'],
    ['unknown rule', 'isf.aze', P, rules({ no_night_driving: true }), 'rules.no_night_driving'],
    ['unknown task type allowed', 'isf.aze', P, rules({ allowed_task_types: ['patrol', 'raid'] }), 'rules.allowed_task_types'],
    ['allowed types not a list', 'isf.aze', P, rules({ allowed_task_types: 'patrol' }), 'rules.allowed_task_types'],
    ['unknown sector allowed', 'isf.aze', P, rules({ sectors_allowed: ['SEC-RAFAH', 'SEC-NOWHERE'] }), 'rules.sectors_allowed'],
    ['a crossing is not a sector', 'isf.aze', P, rules({ sectors_allowed: ['XNG-KS'] }), 'rules.sectors_allowed'],
    ['unknown sector excluded', 'isf.aze', P, rules({ sectors_excluded: ['LINE-YELLOW'] }), 'rules.sectors_excluded'],
    ['hour 25', 'isf.aze', P, rules({ no_ops_hours: { from: 25, until: 3 } }), 'rules.no_ops_hours.from'],
    ['hour -1', 'isf.aze', P, rules({ no_ops_hours: { from: 22, until: -1 } }), 'rules.no_ops_hours.until'],
    ['no end hour', 'isf.aze', P, rules({ no_ops_hours: { from: 22 } }), 'rules.no_ops_hours.until'],
    ['hour a string', 'isf.aze', P, rules({ no_ops_hours: { from: 'night', until: 5 } }), 'rules.no_ops_hours.from'],
    ['hours not an object', 'isf.aze', P, rules({ no_ops_hours: 23 }), 'rules.no_ops_hours'],
    ['unknown force level', 'isf.aze', P, rules({ max_use_of_force: 'nuclear' }), 'rules.max_use_of_force'],
    ['no detention a string', 'isf.aze', P, rules({ no_detention: 'yes' }), 'rules.no_detention'],
    ['no crowd control a number', 'isf.aze', P, rules({ no_crowd_riot_control: 1 }), 'rules.no_crowd_riot_control'],
    ['no armed groups a string', 'isf.aze', P, rules({ no_action_against_armed_groups: 'true' }), 'rules.no_action_against_armed_groups'],
    ['negative distance', 'isf.aze', P, rules({ max_distance_from_base_km: -1 }), 'rules.max_distance_from_base_km'],
    ['distance a string', 'isf.aze', P, rules({ max_distance_from_base_km: 'far' }), 'rules.max_distance_from_base_km'],
    ['approval without task types', 'isf.aze', P, rules({ national_approval: { delay_h: 4 } }), 'rules.national_approval.task_types'],
    ['approval of an unknown task type', 'isf.aze', P, rules({ national_approval: { task_types: ['raid'] } }), 'rules.national_approval.task_types'],
    ['negative approval delay', 'isf.aze', P, rules({ national_approval: { task_types: ['arrest'], delay_h: -2 } }), 'rules.national_approval.delay_h'],
    ['approval not an object', 'isf.aze', P, rules({ national_approval: true }), 'rules.national_approval'],
  ], { lists: ['/api/v1/caveats', '/api/v1/caveats/matrix'] });
});

test('POST /api/v1/tasks', async () => {
  const P = '/api/v1/tasks';
  const w = (over) => { const b = taskBody(over); for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k]; return b; };
  const bowtie = { type: 'Polygon', coordinates: [[[34.26, 31.29], [34.27, 31.30], [34.27, 31.29], [34.26, 31.30], [34.26, 31.29]]] };
  const square = { type: 'Polygon', coordinates: [[[34.26, 31.29], [34.27, 31.29], [34.27, 31.30], [34.26, 31.30], [34.26, 31.29]]] };
  const route = { type: 'LineString', coordinates: [AZE1, [34.27, 31.30]] };
  const T2 = Date.now() + 2 * D;
  await table([
    ['no type', 'isf.hq', P, w({ type: undefined }), 'type'],
    ['unknown type', 'isf.hq', P, w({ type: 'raid' }), 'type'],
    ['no area or route', 'isf.hq', P, w({ geometry: undefined, radius_m: undefined }), 'geometry'],
    ['both an area and a route', 'isf.hq', P, w({ route }), /^(geometry|route)$/],
    ['area a line', 'isf.hq', P, w({ geometry: route, radius_m: undefined }), /^geometry/],
    ['area outside the mission', 'isf.hq', P, w({ geometry: pt([35.2, 31.8]) }), /^geometry/],
    ['area a self-intersecting polygon', 'isf.hq', P, w({ geometry: bowtie, radius_m: undefined }), /^geometry/],
    ['route a point', 'isf.hq', P, w({ geometry: undefined, radius_m: undefined, route: pt(AZE1) }), /^route/],
    ['a point without radius_m', 'isf.hq', P, w({ radius_m: undefined }), 'radius_m'],
    ['radius 0', 'isf.hq', P, w({ radius_m: 0 }), 'radius_m'],
    ['radius too large', 'isf.hq', P, w({ radius_m: 50001 }), 'radius_m'],
    ['no window_from', 'isf.hq', P, w({ window_from: undefined }), 'window_from'],
    ['window_from not a time', 'isf.hq', P, w({ window_from: 'soon' }), 'window_from'],
    ['no window_until', 'isf.hq', P, w({ window_until: undefined }), 'window_until'],
    ['window_until before window_from', 'isf.hq', P, w({ window_from: iso(Date.now() + 2 * D), window_until: iso(Date.now() + D) }), 'window_until'],
    ['an empty window', 'isf.hq', P, w({ window_from: iso(T2), window_until: iso(T2) }), 'window_until'], // one instant: two Date.now() calls can straddle a millisecond
    ['unknown capability', 'isf.hq', P, w({ capabilities: ['infantry', 'tank'] }), 'capabilities'],
    ['capabilities not a list', 'isf.hq', P, w({ capabilities: 'infantry' }), 'capabilities'],
    ['negative strength', 'isf.hq', P, w({ strength: -1 }), 'strength'],
    ['strength a string', 'isf.hq', P, w({ strength: 'ten' }), 'strength'],
    ['no use of force', 'isf.hq', P, w({ use_of_force: undefined }), 'use_of_force'],
    ['unknown use of force', 'isf.hq', P, w({ use_of_force: 'deadly' }), 'use_of_force'],
    ['crowd control a string', 'isf.hq', P, w({ crowd_riot_control: 'yes' }), 'crowd_riot_control'],
    ['detention a number', 'isf.hq', P, w({ detention: 1 }), 'detention'],
    ['armed groups a string', 'isf.hq', P, w({ against_armed_groups: 'no' }), 'against_armed_groups'],
    ['unknown movement', 'isf.hq', P, w({ movement: 'MOV-9999' }), 'movement'],
    ['movement not an id', 'isf.hq', P, w({ movement: 'convoy one' }), 'movement'],
    ['description too long', 'isf.hq', P, w({ description: 'x'.repeat(4001) }), 'description'],
    ['unknown field', 'isf.hq', P, w({ priority: 'high' }), 'priority'],
    ['status is not given by the client', 'isf.hq', P, w({ status: 'completed' }), 'status'],
    ['unit is not given by the client', 'isf.hq', P, w({ unit: 'UNIT-AZE-1' }), 'unit'],
  ], { lists: ['/api/v1/tasks'] });
  // Bodies that are not a JSON object.
  const size = await healthSize(server);
  const raw = async (body, headers) => server.api('POST', P, { token: tokens['isf.hq'], body, headers });
  for (const [body, headers, status] of [['[1,2]', {}, 400], ['{"type": "patrol",', {}, 400], ['type=patrol', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415], ['null', {}, 400]]) {
    const r = await raw(body, headers);
    assert.equal(r.status, status, `${body}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(typeof r.body?.error?.message, 'string');
  }
  assert.equal(await healthSize(server), size, 'nothing written');
});

test('POST /api/v1/tasks: radius_m goes with a Point only (as /api/v1/deconfliction/check answers; otherwise it silently widens a polygon or a route)', async () => {
  const P = '/api/v1/tasks';
  const w = (over) => { const b = taskBody(over); for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k]; return b; };
  const square = { type: 'Polygon', coordinates: [[[34.26, 31.29], [34.27, 31.29], [34.27, 31.30], [34.26, 31.30], [34.26, 31.29]]] };
  const route = { type: 'LineString', coordinates: [AZE1, [34.27, 31.30]] };
  await table([
    ['a radius with a polygon', 'isf.hq', P, w({ geometry: square, radius_m: 500 }), 'radius_m'],
    ['a radius with a route', 'isf.hq', P, w({ geometry: undefined, route, radius_m: 500 }), 'radius_m'],
  ], { lists: ['/api/v1/tasks'] });
});

test('POST /api/v1/tasks/{id}/assign and the actions', async () => {
  const A = `/api/v1/tasks/${draft}/assign`;
  await table([
    ['no unit', 'isf.hq', A, {}, 'unit'],
    ['unknown unit', 'isf.hq', A, { unit: 'UNIT-NOPE' }, 'unit'],
    ['unit a number', 'isf.hq', A, { unit: 5 }, 'unit'],
    ['unit not an id', 'isf.hq', A, { unit: 'UNIT AZE 1' }, 'unit'],
    ['unknown field', 'isf.hq', A, { unit: 'UNIT-AZE-1', priority: 1 }, 'priority'],
    ['unknown task', 'isf.hq', '/api/v1/tasks/TSK-99999/assign', { unit: 'UNIT-AZE-1' }, undefined, 404],
    ['empty note', 'isf.aze', `/api/v1/tasks/${assigned}/accept`, { note: '' }, 'note'],
    ['note too long', 'isf.aze', `/api/v1/tasks/${assigned}/accept`, { note: 'x'.repeat(2001) }, 'note'],
    ['note a number', 'isf.aze', `/api/v1/tasks/${assigned}/decline`, { note: 7 }, 'note'],
    ['unknown field', 'isf.aze', `/api/v1/tasks/${assigned}/accept`, { priority: 1 }, 'priority'],
    ['unknown task', 'isf.aze', '/api/v1/tasks/TSK-99999/accept', {}, undefined, 404],
    ['negative weapons seized', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: { weapons_seized: -1 } }, 'outcome.weapons_seized'],
    ['people detained a string', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: { people_detained: 'two' } }, 'outcome.people_detained'],
    ['incidents not ids', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: { incidents: ['not an id!'] } }, 'outcome.incidents'],
    ['summary a number', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: { summary: 5 } }, 'outcome.summary'],
    ['unknown outcome field', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: { casualties: 0 } }, 'outcome.casualties'],
    ['outcome a string', 'isf.hq', `/api/v1/tasks/${running}/complete`, { outcome: 'done' }, 'outcome'],
  ], { lists: ['/api/v1/tasks'] });
  for (const [id, status] of [[draft, 'draft'], [assigned, 'assigned'], [running, 'in_progress']]) {
    assert.equal((await as('isf.hq').get(`/api/v1/tasks/${id}`)).body.status, status, `${id} unchanged`);
  }
});

test('GET: unknown ids are 404; filters naming nothing are refused naming the filter', async () => {
  for (const p of ['/api/v1/tasks/TSK-99999', '/api/v1/tasks/TSK-99999/candidates', '/api/v1/contingents/CTG-NOPE', '/api/v1/tasks/not-an-id']) {
    const r = await as('isf.hq').get(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
    assert.equal(r.body.error.code, 'not_found');
  }
  const failures = [];
  for (const [p, field] of [
    ['/api/v1/caveats/matrix?at=yesterday', 'at'],
    ['/api/v1/caveats/matrix?at=2027-02-30T00:00:00Z', 'at'],
    ['/api/v1/tasks?status=finished', 'status'],
    ['/api/v1/tasks?unit=UNIT-NOPE', 'unit'],
    ['/api/v1/caveats?contingent=CTG-NOPE', 'contingent'],
  ]) {
    const r = await as('isf.hq').get(p);
    if (r.status !== 400 || r.body?.error?.field !== field) failures.push(`GET ${p}: expected 400 naming ${field}, got ${r.status} ${r.text.slice(0, 150)}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

// ISF tasks end to end (issue 5, items 4, 5 and 7; docs/isf.md): the life
// cycle with national approval, declines with reasons and reassignment,
// aborts, the refused transitions (409) and who may do what (403); the
// candidates ranked by distance with the excluded units' reasons equal to
// what assign says; escort requests from humanitarian movements; and who
// sees which task, contingent, caveat set and unit — through the lists, by
// id, inclusion proofs of task events and the event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, checkReceipt, openStream, maySee, startServer } from './lib.mjs';
import {
  H, D, iso, pt, gazaLocal, taskBody, client, refused, verdict, setInForce, distance, contingentOfOrg,
} from '../lib/isf.mjs';

const ACCOUNTS = ['isf.hq', 'isf.aze', 'isf.egy', 'isf.idn', 'cmcc.watch', 'cmcc.cdr', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'idf.liaison', 'admin', 'board.chair'];
let server, tokens = {}, as, key, me = {};
const open = [];

before(async () => {
  server = await boot();
  for (const u of ACCOUNTS) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
  for (const u of ACCOUNTS) me[u] = (await as(u).get('/api/v1/me')).body;
});
after(async () => {
  for (const s of open) s.close();
  await shutdown(server);
});

// Each test works on its own local days (daytime windows), so no unit is busy with another test's task.
let dayK = 0;
const dayStr = (ms) => new Date(ms).toISOString().slice(0, 10);
function newDay() {
  dayK += 2;
  return dayStr(Date.now() + (3 + dayK) * D);
}
const daytime = (day, h0 = 9, h1 = 12) => ({ window_from: iso(gazaLocal(day, h0)), window_until: iso(gazaLocal(day, h1)) });

// Asserts a write's reply carries a receipt that verifies with the public key alone, about subject.
function receiptOf(r, subject, kind) {
  assert.ok(r.body?.receipt, `a receipt: ${r.text.slice(0, 300)}`);
  assert.equal(checkReceipt(r.body.receipt, key), null, 'the receipt verifies');
  const ev = JSON.parse(r.body.receipt.event);
  if (subject) assert.equal(ev.subject, subject);
  if (kind) assert.equal(ev.kind, kind);
  return ev;
}

async function createTask(over) {
  const r = await as('isf.hq').post('/api/v1/tasks', taskBody(over));
  assert.equal(r.status, 201, `create: ${r.text.slice(0, 300)}`);
  assert.match(r.body.id, /^TSK-\d+$/);
  receiptOf(r, r.body.id, 'task.created');
  return r.body.id;
}
async function act(user, id, action, body = {}, status = 200) {
  const r = await as(user).post(`/api/v1/tasks/${id}/${action}`, body);
  assert.equal(r.status, status, `${user} ${action} ${id}: ${r.text.slice(0, 300)}`);
  return r;
}
const getTask = async (id, user = 'isf.hq') => {
  const r = await as(user).get(`/api/v1/tasks/${id}`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.body;
};

const EGY1 = [34.305, 31.338]; // UNIT-EGY-1 (engineers) base, Khan Younis
const AZE1 = [34.262, 31.292]; // UNIT-AZE-1 base, Rafah
const IDN2 = [34.338, 31.392]; // UNIT-IDN-2 base, Khan Younis near Deir al-Balah

// ------------------------------------------------------------------ life cycle

test('life cycle: assign -> awaiting_approval -> approve -> accept -> start -> complete with an outcome; every step a verified receipt', async () => {
  const day = newDay();
  const id = await createTask({ type: 'weapons_cache_seizure', geometry: pt(EGY1), radius_m: 500, use_of_force: 'non_lethal', capabilities: ['engineers_eod'], strength: 50, ...daytime(day) });
  const t0 = await getTask(id);
  assert.equal(t0.status, 'draft');
  assert.equal(t0.created_by, 'isf.hq');
  assert.deepEqual(t0.labels.sort(), ['org:CMCC', 'org:ISF-HQ']);

  // The scenario's Egyptian caveats hold a weapons cache seizure for national approval (12 h).
  const a = await act('isf.hq', id, 'assign', { unit: 'UNIT-EGY-1' });
  receiptOf(a, id, 'task.assigned');
  assert.equal(a.body.task.status, 'awaiting_approval');
  assert.equal(a.body.task.unit, 'UNIT-EGY-1');
  assert.equal(a.body.task.contingent, 'CTG-EGY');
  assert.equal(a.body.task.approval.required, true);
  assert.equal(a.body.task.approval.delay_h, 12);
  assert.ok(a.body.task.labels.includes('org:ISF-EGY'), 'the unit\'s contingent now sees the task');

  // Held: it cannot be accepted or started before approval; ISF HQ cannot approve.
  await refused(server, () => as('isf.egy').post(`/api/v1/tasks/${id}/accept`, {}), { status: 409, code: 'conflict', what: 'accept while awaiting approval' });
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/start`, {}), { status: 409, what: 'start while awaiting approval' });
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/approve`, {}), { status: 403, code: 'forbidden', what: 'ISF HQ approves' });
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/approve`, {}), { status: [403, 404], what: 'another contingent approves' });

  const ap = await act('isf.egy', id, 'approve', { note: 'Cairo approved, ref EX-12' });
  receiptOf(ap, id, 'task.approval');
  assert.equal(ap.body.task.status, 'assigned');
  assert.equal(ap.body.task.approval.granted, true);
  assert.equal(ap.body.task.approval.by, 'isf.egy');
  assert.equal(ap.body.task.approval.required, true);
  assert.ok(Math.abs(Date.parse(ap.body.task.approval.recorded_at) - Date.now()) < 60e3);

  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/accept`, {}), { status: 403, code: 'forbidden', what: 'ISF HQ accepts for the contingent' });
  await refused(server, () => as('isf.idn').post(`/api/v1/tasks/${id}/accept`, {}), { status: [403, 404], what: 'another contingent accepts' });
  const ac = await act('isf.egy', id, 'accept');
  receiptOf(ac, id, 'task.accepted');
  assert.equal(ac.body.task.status, 'accepted');

  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/complete`, { outcome: { weapons_seized: 1 } }), { status: 409, what: 'complete before start' });
  const st = await act('isf.egy', id, 'start');
  receiptOf(st, id, 'task.started');
  assert.equal(st.body.task.status, 'in_progress');

  const outcome = { weapons_seized: 14, people_detained: 0, incidents: ['JRN-1'], summary: 'Cache of 14 rifles found and removed (exercise).' };
  const co = await act('isf.hq', id, 'complete', { outcome, note: 'done' });
  receiptOf(co, id, 'task.completed');
  assert.equal(co.body.task.status, 'completed');
  assert.deepEqual(co.body.task.outcome, outcome);

  // Nothing moves a completed task.
  for (const [user, action, body] of [['isf.egy', 'accept', {}], ['isf.egy', 'start', {}], ['isf.hq', 'abort', { note: 'x' }], ['isf.egy', 'decline', { note: 'x' }], ['isf.hq', 'complete', {}], ['isf.egy', 'approve', {}]]) {
    await refused(server, () => as(user).post(`/api/v1/tasks/${id}/${action}`, body), { status: 409, code: 'conflict', what: `${action} a completed task` });
  }
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-2' }), { status: 409, code: 'conflict', field: 'unit', what: 'assign a completed task' });

  // The history: every step, by whom, in log order.
  const t = await getTask(id);
  assert.deepEqual(t.history.map((h) => h.status), ['draft', 'awaiting_approval', 'assigned', 'accepted', 'in_progress', 'completed']);
  assert.deepEqual(t.history.map((h) => h.by), ['isf.hq', 'isf.hq', 'isf.egy', 'isf.egy', 'isf.egy', 'isf.hq']);
  assert.equal(t.history[2].note, 'Cairo approved, ref EX-12');
  const seqs = t.history.map((h) => h.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  assert.equal(new Set(seqs).size, seqs.length);
  for (const h of t.history) assert.match(h.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  // The contingent sees the same task, in full.
  const mine = await getTask(id, 'isf.egy');
  assert.equal(mine.status, 'completed');
  assert.deepEqual(mine.outcome, outcome);
  assert.deepEqual(mine.history, t.history);
  // Filters.
  const byStatus = await as('isf.hq').get('/api/v1/tasks?status=completed');
  assert.deepEqual(byStatus.body.tasks.map((x) => x.id), [id]);
  const byUnit = await as('isf.hq').get('/api/v1/tasks?unit=UNIT-EGY-1');
  assert.ok(byUnit.body.tasks.some((x) => x.id === id));
  assert.ok(byUnit.body.tasks.every((x) => x.unit === 'UNIT-EGY-1'));
});

test('decline with a reason and reassign; refuse national approval and reassign; a declined task does not keep its unit busy', async () => {
  const day = newDay();
  const id = await createTask({ type: 'patrol', geometry: pt(AZE1), radius_m: 400, ...daytime(day) });
  await act('isf.hq', id, 'assign', { unit: 'UNIT-AZE-1' });
  // A reason is required.
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/decline`, {}), { status: 400, field: 'note', what: 'decline without a note' });
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/decline`, { note: '' }), { status: 400, field: 'note', what: 'decline with an empty note' });
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/decline`, { note: 'HQ cannot decline for them' }), { status: 403, what: 'ISF HQ declines' });
  const dc = await act('isf.aze', id, 'decline', { note: 'Company committed to base security that day' });
  receiptOf(dc, id, 'task.declined');
  assert.equal(dc.body.task.status, 'declined');
  const t1 = await getTask(id);
  assert.equal(t1.history.at(-1).status, 'declined');
  assert.equal(t1.history.at(-1).note, 'Company committed to base security that day');
  assert.equal(t1.history.at(-1).by, 'isf.aze');
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/accept`, {}), { status: 409, what: 'accept a declined task' });

  // The declined task no longer holds UNIT-AZE-1: another task in the same window is assigned to it.
  const other = await createTask({ type: 'checkpoint', geometry: pt(AZE1), radius_m: 200, ...daytime(day, 10, 11) });
  const ao = await act('isf.hq', other, 'assign', { unit: 'UNIT-AZE-1' });
  assert.equal(ao.body.task.status, 'assigned');
  // ... and now UNIT-AZE-1 is busy for the declined task's window.
  const busy = await as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(busy.status, 409, busy.text);
  assert.deepEqual(busy.body.error.reasons.map((x) => x.caveat), ['busy']);
  assert.match(busy.body.error.reasons[0].reason, new RegExp(other));

  // Reassigned to another unit.
  const re = await act('isf.hq', id, 'assign', { unit: 'UNIT-AZE-HQ' });
  assert.equal(re.body.task.status, 'assigned');
  assert.equal(re.body.task.unit, 'UNIT-AZE-HQ');
  await act('isf.aze', id, 'accept');
  const t2 = await getTask(id);
  assert.deepEqual(t2.history.map((h) => h.status), ['draft', 'assigned', 'declined', 'assigned', 'accepted']);

  // National refusal: an arrest for the Egyptian military police, refused by Cairo, reassigned.
  const arrest = await createTask({ type: 'arrest', geometry: pt([34.29, 31.33]), radius_m: 300, use_of_force: 'lethal_self_defence', ...daytime(day) });
  const h = await act('isf.hq', arrest, 'assign', { unit: 'UNIT-EGY-2' });
  assert.equal(h.body.task.status, 'awaiting_approval');
  await refused(server, () => as('isf.egy').post(`/api/v1/tasks/${arrest}/refuse`, {}), { status: 400, field: 'note', what: 'refuse without a note' });
  const rf = await act('isf.egy', arrest, 'refuse', { note: 'No national approval for arrests this week' });
  receiptOf(rf, arrest, 'task.approval');
  assert.equal(rf.body.task.status, 'declined');
  assert.equal(rf.body.task.approval?.granted, false, `the refusal is recorded: ${JSON.stringify(rf.body.task.approval)}`);
  assert.equal(rf.body.task.approval.by, 'isf.egy');
  assert.equal((await getTask(arrest)).history.at(-1).note, 'No national approval for arrests this week');
  await refused(server, () => as('isf.egy').post(`/api/v1/tasks/${arrest}/approve`, {}), { status: 409, what: 'approve a refused task' });
  const again = await act('isf.hq', arrest, 'assign', { unit: 'UNIT-EGY-1' });
  assert.equal(again.body.task.status, 'awaiting_approval', 'a reassigned arrest is held again');
  assert.equal(again.body.task.unit, 'UNIT-EGY-1');
});

test('abort with a reason (ISF HQ or the contingent), from in progress; nothing moves an aborted task', async () => {
  const day = newDay();
  const id = await createTask({ type: 'patrol', geometry: pt([34.29, 31.33]), radius_m: 400, use_of_force: 'lethal', ...daytime(day) });
  await act('isf.hq', id, 'assign', { unit: 'UNIT-EGY-2' });
  await act('isf.egy', id, 'accept');
  const st = await act('isf.hq', id, 'start'); // ISF HQ may start
  assert.equal(st.body.task.status, 'in_progress');
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/abort`, {}), { status: 400, field: 'note', what: 'abort without a note' });
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/abort`, { note: 'not mine' }), { status: [403, 404], what: 'another contingent aborts' });
  await refused(server, () => as('cmcc.watch').post(`/api/v1/tasks/${id}/abort`, { note: 'CMCC' }), { status: 403, what: 'the CMCC aborts' });
  const ab = await act('isf.hq', id, 'abort', { note: 'Crowd gathering at the route; withdrawn' });
  receiptOf(ab, id, 'task.aborted');
  assert.equal(ab.body.task.status, 'aborted');
  for (const [user, action, body] of [['isf.egy', 'start', {}], ['isf.hq', 'complete', {}], ['isf.egy', 'abort', { note: 'again' }], ['isf.egy', 'accept', {}]]) {
    await refused(server, () => as(user).post(`/api/v1/tasks/${id}/${action}`, body), { status: 409, what: `${action} an aborted task` });
  }
  await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-1' }), { status: 409, what: 'assign an aborted task' });
  // The contingent aborts its own task.
  const id2 = await createTask({ type: 'checkpoint', geometry: pt([34.29, 31.33]), radius_m: 400, ...daytime(newDay()) });
  await act('isf.hq', id2, 'assign', { unit: 'UNIT-EGY-2' });
  await act('isf.egy', id2, 'accept');
  await act('isf.egy', id2, 'start');
  const ab2 = await act('isf.egy', id2, 'abort', { note: 'Vehicle breakdown' });
  assert.equal(ab2.body.task.status, 'aborted');
  assert.equal((await getTask(id2)).history.at(-1).by, 'isf.egy');
});

test('refused transitions: from each status, every action the life cycle does not allow is a 409 and writes nothing', async () => {
  // Reach each status with a task of its own.
  const day = newDay();
  const mk = (type = 'patrol') => createTask({ type, geometry: pt([34.29, 31.33]), radius_m: 300, use_of_force: 'none', ...daytime(day, 8, 9) });
  const reach = {
    draft: async () => mk(),
    awaiting_approval: async () => { const id = await mk('arrest'); await act('isf.hq', id, 'assign', { unit: 'UNIT-EGY-2' }); return id; },
    assigned: async () => { const id = await mk(); await act('isf.hq', id, 'assign', { unit: 'UNIT-EGY-1' }); return id; },
  };
  const ids = {};
  for (const [s, f] of Object.entries(reach)) ids[s] = await f();
  // accepted and in_progress and declined on other days (the units are busy on this one)
  const d2 = newDay();
  ids.accepted = await createTask({ geometry: pt([34.29, 31.33]), radius_m: 300, ...daytime(d2, 8, 9) });
  await act('isf.hq', ids.accepted, 'assign', { unit: 'UNIT-EGY-1' });
  await act('isf.egy', ids.accepted, 'accept');
  ids.in_progress = await createTask({ geometry: pt([34.29, 31.33]), radius_m: 300, ...daytime(d2, 10, 11) });
  await act('isf.hq', ids.in_progress, 'assign', { unit: 'UNIT-EGY-1' });
  await act('isf.egy', ids.in_progress, 'accept');
  await act('isf.egy', ids.in_progress, 'start');
  ids.declined = await createTask({ geometry: pt([34.29, 31.33]), radius_m: 300, ...daytime(d2, 12, 13) });
  await act('isf.hq', ids.declined, 'assign', { unit: 'UNIT-EGY-1' });
  await act('isf.egy', ids.declined, 'decline', { note: 'no' });
  // What docs/isf.md allows from each status (abort from assigned/accepted is left open by the contract, not tested).
  const allowed = {
    draft: ['assign'], awaiting_approval: ['approve', 'refuse'], assigned: ['accept', 'decline', 'abort'],
    accepted: ['start', 'abort'], in_progress: ['complete', 'abort'], declined: ['assign'],
  };
  const actions = ['approve', 'refuse', 'accept', 'decline', 'start', 'complete', 'abort'];
  for (const [status, id] of Object.entries(ids)) {
    assert.equal((await getTask(id)).status, status, `${id} is ${status}`);
    for (const action of actions) {
      if (allowed[status].includes(action)) continue;
      // The right actor for the action, so that only the state is wrong.
      const user = ['start', 'complete', 'abort'].includes(action) ? 'isf.hq' : 'isf.egy';
      if (status === 'draft' && user === 'isf.egy') continue; // a draft is not the contingent's to see
      await refused(server, () => as(user).post(`/api/v1/tasks/${id}/${action}`, { note: 'transition check' }), { status: 409, code: 'conflict', what: `${action} a ${status} task` });
    }
    if (!allowed[status].includes('assign')) {
      await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-2' }), { status: 409, code: 'conflict', field: 'unit', what: `assign a ${status} task` });
    }
    assert.equal((await getTask(id)).status, status, `${id} is still ${status}`);
  }
  // A draft has no unit and so no contingent to accept it.
  await refused(server, () => as('isf.egy').post(`/api/v1/tasks/${ids.draft}/accept`, {}), { status: [404, 409], what: 'a contingent accepts a draft' });
});

test('who may do what: contingents cannot create, assign or see candidates; only ISF HQ records strength and registers units; a contingent updates only its own units', async () => {
  const day = newDay();
  const id = await createTask({ geometry: pt(AZE1), radius_m: 300, ...daytime(day) });
  for (const u of ['isf.aze', 'isf.egy', 'cmcc.watch', 'cmcc.cdr', 'ocha.focal', 'idf.liaison']) {
    await refused(server, () => as(u).post('/api/v1/tasks', taskBody(daytime(day))), { status: 403, code: 'forbidden', what: `${u} creates a task` });
    await refused(server, () => as(u).post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-AZE-1' }), { status: 403, code: 'forbidden', what: `${u} assigns` });
    const c = await as(u).get(`/api/v1/tasks/${id}/candidates`);
    assert.equal(c.status, 403, `${u} reads candidates: ${c.status}`);
    await refused(server, () => as(u).post('/api/v1/contingents/CTG-AZE/strength', { deployed: 1 }), { status: 403, what: `${u} records strength` });
    await refused(server, () => as(u).post('/api/v1/units', { id: 'UNIT-AZE-X', org: 'ISF-AZE', name: { en: 'x', ar: 'x' }, type: 'infantry', strength: 10, home_base: pt(AZE1) }), { status: 403, what: `${u} registers a unit` });
  }
  for (const u of ['cmcc.watch', 'ocha.focal', 'idf.liaison']) {
    await refused(server, () => as(u).post('/api/v1/units/UNIT-AZE-1/update', { status: 'unavailable' }), { status: 403, what: `${u} updates a unit` });
  }
  await refused(server, () => as('isf.egy').post('/api/v1/units/UNIT-AZE-1/update', { status: 'unavailable' }), { status: [403, 404], what: 'Egypt updates an Azerbaijani unit' });
  // ... answered exactly as a unit that does not exist: the refusal names neither the unit's contingent nor that it exists.
  for (const path of ['update', 'position']) {
    const body = path === 'update' ? { status: 'unavailable' } : { geometry: pt(AZE1) };
    const hidden = await as('isf.egy').post(`/api/v1/units/UNIT-AZE-1/${path}`, body);
    const none = await as('isf.egy').post(`/api/v1/units/UNIT-AZE-NONE/${path}`, body);
    assert.equal(hidden.status, 404, `${path}: ${hidden.text}`);
    assert.equal(hidden.text.split('UNIT-AZE-1').join('UNIT-X'), none.text.split('UNIT-AZE-NONE').join('UNIT-X'), `${path}: as for a missing unit`);
  }
  await refused(server, () => as('isf.egy').post('/api/v1/units/UNIT-AZE-1/position', { geometry: pt(AZE1) }), { status: [403, 404], what: 'Egypt reports an Azerbaijani unit\'s position' });
  const own = await as('isf.aze').post('/api/v1/units/UNIT-AZE-HQ/update', { strength: 45 });
  assert.equal(own.status, 200, own.text);
  receiptOf(own, 'UNIT-AZE-HQ');
  const units = (await as('isf.hq').get('/api/v1/units')).body.units;
  assert.equal(units.find((u) => u.id === 'UNIT-AZE-HQ').strength, 45);
  // ISF HQ records strength; the contingent sees its history grow.
  const s = await as('isf.hq').post('/api/v1/contingents/CTG-AZE/strength', { deployed: 500, note: 'second company arrived' });
  assert.equal(s.status, 200, s.text);
  receiptOf(s, 'CTG-AZE', 'contingent.strength');
  const c = await as('isf.aze').get('/api/v1/contingents/CTG-AZE');
  assert.equal(c.status, 200);
  assert.equal(c.body.deployed, 500);
  assert.equal(c.body.pledged, 800, 'pledged unchanged');
  assert.equal(c.body.strength_history.length, 2);
  assert.equal(c.body.strength_history[1].deployed, 500);
  assert.equal(c.body.strength_history[1].note, 'second company arrived');
  // ISF HQ registers a unit for a contingent; its contingent sees it.
  const nu = await as('isf.hq').post('/api/v1/units', { id: 'UNIT-IDN-3', org: 'ISF-IDN', name: { en: 'Indonesian engineer platoon (exercise)', ar: 'فصيلة مهندسين' }, type: 'engineers_eod', strength: 35, home_base: pt(IDN2), sector: 'SEC-DEIR' });
  assert.equal(nu.status, 201, nu.text);
  receiptOf(nu, 'UNIT-IDN-3');
  const idnUnits = (await as('isf.idn').get('/api/v1/units')).body.units;
  const u3 = idnUnits.find((u) => u.id === 'UNIT-IDN-3');
  assert.ok(u3, 'the contingent sees its new unit');
  assert.equal(u3.status, 'available', 'status defaults to available');
  assert.equal(u3.strength, 35);
  assert.equal(u3.type, 'engineers_eod');
  await refused(server, () => as('isf.hq').post('/api/v1/units', { id: 'UNIT-IDN-3', org: 'ISF-IDN', name: { en: 'dup', ar: 'dup' }, type: 'infantry', strength: 1, home_base: pt(IDN2) }), { status: 409, field: 'id', what: 'a unit id twice' });
});

test('the caveats of a contingent are set by whoever holds its commander position now', async () => {
  // The Egyptian commander (PER-017, isf.egy) is given the Azerbaijani command as well; the Azerbaijani officer (PER-016) loses it.
  const body = { contingent: 'CTG-AZE', effective_from: iso(Date.now() + 500 * D), rules: { no_detention: true } };
  const h = await as('admin').post('/api/v1/org/positions/POS-AZE-CDR/holder', { person: 'PER-017' });
  assert.equal(h.status, 200, h.text.slice(0, 300));
  try {
    await refused(server, () => as('isf.aze').post('/api/v1/caveats', body), { status: 403, what: 'the former commander sets caveats' });
    const ok = await as('isf.egy').post('/api/v1/caveats', body);
    assert.equal(ok.status, 201, ok.text.slice(0, 300));
    assert.equal(JSON.parse(ok.body.receipt.event).body.signed_by_position, 'POS-AZE-CDR');
  } finally {
    const back = await as('admin').post('/api/v1/org/positions/POS-AZE-CDR/holder', { person: 'PER-016' });
    assert.equal(back.status, 200, back.text.slice(0, 300));
  }
  const again = await as('isf.aze').post('/api/v1/caveats', body);
  assert.equal(again.status, 201, again.text.slice(0, 300));
});

// ------------------------------------------------------------------ candidates

async function scenarioSets() {
  const r = await as('isf.hq').get('/api/v1/caveats');
  const sets = {};
  for (const c of r.body.caveats.sort((a, b) => a.seq - b.seq)) (sets[c.contingent] ||= []).push({ ...c, order: c.seq });
  return sets;
}

test('candidates: every unit is either ranked (nearest first, by its last position) or excluded with the reasons assign gives', async () => {
  const day = newDay();
  // Lethal self-defence: beyond the Indonesian caveats (non-lethal), within the others'.
  const task = taskBody({ type: 'patrol', geometry: pt([34.30, 31.335]), radius_m: 300, use_of_force: 'lethal_self_defence', ...daytime(day) });
  const id = await createTask(task);
  const units = (await as('isf.hq').get('/api/v1/units')).body.units;
  const sets = await scenarioSets();
  const c = await as('isf.hq').get(`/api/v1/tasks/${id}/candidates`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.task, id);
  const all = [...c.body.candidates, ...c.body.excluded].map((x) => x.unit).sort();
  assert.deepEqual(all, units.map((u) => u.id).sort(), 'every unit once');
  // The oracle's view of each unit.
  for (const u of units) {
    const rules = setInForce(sets[contingentOfOrg(u.org)] || [], Date.parse(task.window_from))?.rules || null;
    const v = verdict(rules, u, task, []);
    assert.equal(v.undecidable, null);
    const row = c.body.candidates.find((x) => x.unit === u.id) || c.body.excluded.find((x) => x.unit === u.id);
    if (v.names.size === 0) assert.ok(c.body.candidates.includes(row), `${u.id} is a candidate: ${JSON.stringify(row)}`);
    else assert.deepEqual([...new Set(row.reasons.map((x) => x.caveat))].sort(), [...v.names].sort(), `${u.id}'s reasons`);
    const km = Math.max(0, distance((u.position?.geometry || u.home_base).coordinates, task.geometry.coordinates) - task.radius_m) / 1000;
    assert.ok(Math.abs(row.distance_km - km) <= 0.06, `${u.id}: distance_km ${row.distance_km}, measured ${km.toFixed(3)}`);
    assert.equal(row.org, u.org); assert.equal(row.type, u.type); assert.equal(row.strength, u.strength); assert.deepEqual(row.name, u.name);
  }
  assert.ok(c.body.candidates.length >= 3, `several candidates: ${c.body.candidates.map((x) => x.unit)}`);
  assert.ok(c.body.excluded.length >= 1, 'some excluded');
  c.body.candidates.forEach((x, i) => assert.equal(x.rank, i + 1));
  for (let i = 1; i < c.body.candidates.length; i++) assert.ok(c.body.candidates[i].distance_km >= c.body.candidates[i - 1].distance_km, 'nearest first');
  // Each excluded unit: assign says exactly what the list says, and writes nothing.
  for (const x of c.body.excluded) {
    const r = await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: x.unit }), { status: 409, code: 'conflict', field: 'unit', what: `assign excluded ${x.unit}` });
    assert.deepEqual(r.body.error.reasons, x.reasons, `${x.unit}: assign and candidates agree`);
  }
  // The farthest candidate reports a position at the task: it becomes the first.
  const far = c.body.candidates.at(-1).unit;
  const org = units.find((u) => u.id === far).org;
  const acct = { 'ISF-AZE': 'isf.aze', 'ISF-EGY': 'isf.egy', 'ISF-IDN': 'isf.idn' }[org];
  const p = await as(acct).post(`/api/v1/units/${far}/position`, { geometry: pt([34.3005, 31.3352]) });
  assert.equal(p.status, 200, p.text.slice(0, 300));
  const c2 = await as('isf.hq').get(`/api/v1/tasks/${id}/candidates`);
  assert.equal(c2.body.candidates[0].unit, far, `${far} is now nearest: ${c2.body.candidates.map((x) => `${x.unit}:${x.distance_km}`)}`);
  assert.equal(c2.body.candidates[0].distance_km, 0);
  assert.equal(c2.body.candidates[0].rank, 1);
  // The first candidate takes it.
  const a = await act('isf.hq', id, 'assign', { unit: far });
  assert.equal(a.body.task.status, 'assigned');
});

test('candidates: status, capabilities, strength and busy exclude with their reasons; national approval is shown on the candidate', async () => {
  const day = newDay();
  // UNIT-EGY-2 is rotating out; a task for 100 or more military police or engineers.
  const rot = await as('isf.egy').post('/api/v1/units/UNIT-EGY-2/update', { status: 'rotating' });
  assert.equal(rot.status, 200, rot.text);
  try {
    const id = await createTask({ type: 'cordon_and_search', geometry: pt([34.30, 31.335]), radius_m: 300, use_of_force: 'non_lethal', capabilities: ['military_police', 'engineers_eod'], strength: 100, ...daytime(day) });
    const c = await as('isf.hq').get(`/api/v1/tasks/${id}/candidates`);
    const row = (u) => c.body.candidates.find((x) => x.unit === u) || c.body.excluded.find((x) => x.unit === u);
    const names = (u) => (row(u).reasons || []).map((x) => x.caveat).sort();
    assert.deepEqual(c.body.candidates.map((x) => x.unit), ['UNIT-EGY-1'], 'only the Egyptian engineers may take it');
    assert.deepEqual(c.body.candidates[0].approval, { required: true, delay_h: 12 }, 'held for national approval');
    assert.deepEqual(names('UNIT-EGY-2'), ['status']);
    assert.match(row('UNIT-EGY-2').reasons[0].reason, /rotating/);
    assert.deepEqual(names('UNIT-IDN-1'), ['allowed_task_types', 'capabilities', 'no_action_against_armed_groups', 'strength']);
    assert.deepEqual(names('UNIT-AZE-HQ'), ['allowed_task_types', 'capabilities', 'no_action_against_armed_groups', 'strength']);
    assert.deepEqual(names('UNIT-AZE-1'), ['allowed_task_types', 'capabilities', 'no_action_against_armed_groups']);
    // Busy: EGY-1 takes an overlapping task first.
    const first = await createTask({ type: 'checkpoint', geometry: pt(EGY1), radius_m: 300, ...daytime(day, 11, 15) });
    await act('isf.hq', first, 'assign', { unit: 'UNIT-EGY-1' });
    const c2 = await as('isf.hq').get(`/api/v1/tasks/${id}/candidates`);
    assert.deepEqual(c2.body.candidates, []);
    const e1 = c2.body.excluded.find((x) => x.unit === 'UNIT-EGY-1');
    assert.deepEqual(e1.reasons.map((x) => x.caveat), ['busy']);
    assert.match(e1.reasons[0].reason, new RegExp(first));
    const r = await refused(server, () => as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-1' }), { status: 409, field: 'unit', what: 'assign a busy unit' });
    assert.deepEqual(r.body.error.reasons, e1.reasons);
    // A window that only touches the other (ends when it starts) does not overlap.
    const touching = await createTask({ type: 'checkpoint', geometry: pt(EGY1), radius_m: 300, ...daytime(day, 9, 11) });
    const ok = await act('isf.hq', touching, 'assign', { unit: 'UNIT-EGY-1' });
    assert.equal(ok.body.task.status, 'assigned');
  } finally {
    await as('isf.egy').post('/api/v1/units/UNIT-EGY-2/update', { status: 'available' });
  }
});

// ------------------------------------------------------------------ escort

const ROUTE = { type: 'LineString', coordinates: [[34.27, 31.30], [34.285, 31.315], [34.30, 31.33]] };
function movementBody(day, over = {}) {
  const w = daytime(day, 9, 13);
  return {
    purpose: 'Food convoy to Khan Younis (exercise)', vehicles: { count: 6, plates: ['EX-2001'], markings: 'white, logo' },
    staff_count: 4, cargo: 'flour, 60 t', route: ROUTE, times: [w.window_from, iso(Date.parse(w.window_from) + H), iso(Date.parse(w.window_from) + 2 * H)],
    window_from: w.window_from, window_until: w.window_until, escort_requested: true, ...over,
  };
}

const visibleTasks = async (u) => {
  const r = await as(u).get('/api/v1/tasks');
  assert.equal(r.status, 200, `${u}: ${r.text.slice(0, 200)}`);
  return r.body.tasks;
};

test('escort: a movement with escort_requested becomes a convoy_escort task linked to it; the organisation sees that task and no other', async () => {
  const day = newDay();
  const before = (await visibleTasks('isf.hq')).length;
  // Without an escort request: no task.
  const plain = await as('ocha.focal').post('/api/v1/movements', movementBody(day, { escort_requested: false }));
  assert.equal(plain.status, 201, plain.text.slice(0, 300));
  assert.equal((await visibleTasks('isf.hq')).length, before, 'no task without an escort request');
  const body = movementBody(newDay());
  const m = await as('ocha.focal').post('/api/v1/movements', body);
  assert.equal(m.status, 201, m.text.slice(0, 300));
  const mov = m.body.id;
  const tasks = (await visibleTasks('isf.hq')).filter((t) => t.movement === mov);
  assert.equal(tasks.length, 1, 'one escort task for the movement');
  const t = tasks[0];
  assert.equal(t.type, 'convoy_escort');
  assert.equal(t.status, 'draft');
  assert.deepEqual(t.route, body.route);
  assert.equal(Date.parse(t.window_from), Date.parse(body.window_from));
  assert.equal(Date.parse(t.window_until), Date.parse(body.window_until));
  assert.ok(t.labels.includes('org:UN-OCHA') && t.labels.includes('org:ISF-HQ') && t.labels.includes('org:CMCC'));
  // OCHA sees exactly this task; WFP sees the scenario's escort of its own convoy, not OCHA's.
  const ocha = await visibleTasks('ocha.focal');
  assert.deepEqual(ocha.map((x) => x.id), [t.id]);
  assert.equal((await as('ocha.focal').get(`/api/v1/tasks/${t.id}`)).status, 200);
  const wfp = await visibleTasks('wfp.focal');
  assert.ok(wfp.length >= 1 && wfp.every((x) => x.movement && x.type === 'convoy_escort'), `WFP sees only escorts: ${wfp.map((x) => x.id)}`);
  assert.ok(!wfp.some((x) => x.id === t.id));
  assert.equal((await as('wfp.focal').get(`/api/v1/tasks/${t.id}`)).status, 404);
  for (const x of wfp) assert.equal((await as('ocha.focal').get(`/api/v1/tasks/${x.id}`)).status, 404, `OCHA does not see ${x.id}`);
  assert.deepEqual(await visibleTasks('ngo.focal'), [], 'MSF has no escort and sees no task');
  // ISF HQ assigns it; the organisation still sees it (and only it), now assigned; it cannot act on it.
  const c = await as('isf.hq').get(`/api/v1/tasks/${t.id}/candidates`);
  assert.ok(c.body.candidates.length >= 1, `an infantry unit may escort: ${JSON.stringify(c.body.excluded.map((x) => [x.unit, x.reasons.map((r) => r.caveat)]))}`);
  const unit = c.body.candidates[0].unit;
  await act('isf.hq', t.id, 'assign', { unit });
  const seen = await as('ocha.focal').get(`/api/v1/tasks/${t.id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.status, 'assigned');
  assert.equal(seen.body.movement, mov);
  assert.deepEqual((await visibleTasks('ocha.focal')).map((x) => x.id), [t.id]);
  for (const action of ['accept', 'decline', 'start', 'abort']) {
    await refused(server, () => as('ocha.focal').post(`/api/v1/tasks/${t.id}/${action}`, { note: 'x' }), { status: 403, what: `OCHA ${action}s its escort` });
  }
  // The unit's contingent sees it too.
  const acct = { 'ISF-AZE': 'isf.aze', 'ISF-EGY': 'isf.egy', 'ISF-IDN': 'isf.idn' }[c.body.candidates[0].org];
  assert.equal((await as(acct).get(`/api/v1/tasks/${t.id}`)).status, 200);
});

test('escort: when the movement is amended or cancelled, its draft escort task follows', async () => {
  const body = movementBody(newDay());
  const m = await as('ocha.focal').post('/api/v1/movements', body);
  assert.equal(m.status, 201);
  const esc = () => visibleTasks('isf.hq').then((ts) => ts.filter((t) => t.movement === m.body.id));
  const day2 = newDay();
  const w = daytime(day2, 9, 13);
  const am = await as('ocha.focal').post(`/api/v1/movements/${m.body.id}/amend`, { times: [w.window_from, iso(Date.parse(w.window_from) + H), iso(Date.parse(w.window_from) + 2 * H)], window_from: w.window_from, window_until: w.window_until });
  assert.equal(am.status, 200, am.text.slice(0, 300));
  const t1 = await esc();
  assert.equal(t1.length, 1);
  assert.equal(Date.parse(t1[0].window_from), Date.parse(w.window_from), 'the escort moves with the movement');
  const c = await as('ocha.focal').post(`/api/v1/movements/${m.body.id}/status`, { status: 'cancelled', reason: 'convoy postponed' });
  assert.equal(c.status, 200, c.text.slice(0, 300));
  const t2 = await esc();
  assert.notEqual(t2[0].status, 'draft', 'the escort of a cancelled movement is not left open');
});

// ------------------------------------------------------------------ contingents

test('contingents: the fields docs/isf.md lists; strength over time, where a backdated record does not replace the current figures', async () => {
  const all = (await as('isf.hq').get('/api/v1/contingents')).body.contingents;
  assert.deepEqual(all.map((c) => c.id).sort(), ['CTG-ARE', 'CTG-AZE', 'CTG-EGY', 'CTG-IDN']);
  for (const c of all) {
    for (const k of ['id', 'org', 'nation', 'name', 'commander_position', 'conditional', 'pledged', 'deployed', 'strength_history', 'labels', 'exercise']) assert.ok(k in c, `${c.id}.${k}`);
    assert.equal(typeof c.name.en, 'string'); assert.equal(typeof c.name.ar, 'string');
    assert.equal(c.exercise, true);
    assert.deepEqual([...c.labels].sort(), ['org:CMCC', 'org:ISF-HQ', `org:${c.org}`].sort());
    for (const h of c.strength_history) { assert.ok(Number.isInteger(h.seq)); assert.ok(Number.isFinite(Date.parse(h.at))); }
  }
  const are = all.find((c) => c.id === 'CTG-ARE');
  assert.equal(are.conditional, true);
  assert.match(are.condition, /US leadership/);
  assert.equal(are.deployed, 0);
  // IDN: now 1300 deployed; then a backfilled figure for ten days ago.
  const now = await as('isf.hq').post('/api/v1/contingents/CTG-IDN/strength', { deployed: 1300, pledged: 2000 });
  assert.equal(now.status, 200, now.text);
  const back = await as('isf.hq').post('/api/v1/contingents/CTG-IDN/strength', { deployed: 900, at: iso(Date.now() - 10 * D), note: 'backfilled from the movement reports' });
  assert.equal(back.status, 200, back.text);
  const c = (await as('isf.idn').get('/api/v1/contingents/CTG-IDN')).body;
  assert.ok(c.strength_history.some((h) => h.deployed === 900 && h.note === 'backfilled from the movement reports'), 'the backfilled record is in the history');
  assert.equal(c.deployed, 1300, `the current deployed strength is the latest by time, not the last written (got ${c.deployed})`);
});

// ------------------------------------------------------------------ access

test('access: each contingent sees its own contingent, caveat sets and matrix row; ISF HQ and the CMCC see all; others none', async () => {
  const all = ['CTG-AZE', 'CTG-EGY', 'CTG-IDN', 'CTG-ARE'];
  const expect = {
    'isf.hq': all, 'cmcc.watch': all, 'cmcc.cdr': all,
    'isf.aze': ['CTG-AZE'], 'isf.egy': ['CTG-EGY'], 'isf.idn': ['CTG-IDN'],
    'ocha.focal': [], 'wfp.focal': [], 'idf.liaison': [], 'board.chair': [],
  };
  for (const [u, want] of Object.entries(expect)) {
    const cl = await as(u).get('/api/v1/contingents');
    assert.equal(cl.status, 200);
    assert.deepEqual(cl.body.contingents.map((c) => c.id).sort(), [...want].sort(), `${u}: contingents`);
    for (const c of all) assert.equal((await as(u).get(`/api/v1/contingents/${c}`)).status, want.includes(c) ? 200 : 404, `${u}: GET ${c}`);
    const cv = await as(u).get('/api/v1/caveats');
    assert.equal(cv.status, 200);
    const seenCtg = new Set(cv.body.caveats.map((c) => c.contingent));
    assert.ok([...seenCtg].every((c) => want.includes(c)), `${u}: caveat sets of ${[...seenCtg]}`);
    for (const c of want.filter((x) => x !== 'CTG-ARE')) assert.ok(seenCtg.has(c), `${u} sees ${c}'s caveats`);
    for (const c of all) {
      const f = await as(u).get(`/api/v1/caveats?contingent=${c}`);
      assert.equal(f.status, 200);
      assert.ok(f.body.caveats.every((x) => x.contingent === c));
      if (!want.includes(c)) assert.deepEqual(f.body.caveats, [], `${u}: ${c}'s caveats by filter`);
    }
    const mx = await as(u).get('/api/v1/caveats/matrix');
    assert.equal(mx.status, 200);
    assert.deepEqual(mx.body.contingents.map((c) => c.contingent).sort(), [...want].sort(), `${u}: matrix rows`);
  }
  // The matrix: every caveat type as a column; rows with the set in force.
  const mx = await as('isf.hq').get('/api/v1/caveats/matrix');
  assert.deepEqual(mx.body.caveat_types, ['allowed_task_types', 'sectors_allowed', 'sectors_excluded', 'no_ops_hours', 'max_use_of_force', 'no_crowd_riot_control', 'no_detention', 'no_action_against_armed_groups', 'max_distance_from_base_km', 'national_approval']);
  const egy = mx.body.contingents.find((c) => c.contingent === 'CTG-EGY');
  assert.equal(egy.nation, 'Egypt');
  assert.deepEqual(egy.rules.no_ops_hours, { from: 23, until: 5 });
  const are = mx.body.contingents.find((c) => c.contingent === 'CTG-ARE');
  assert.equal(are.caveat_set, null);
  assert.deepEqual(are.rules, {});
});

test('access: a contingent sees its own units in full', async () => {
  for (const [u, org] of [['isf.aze', 'ISF-AZE'], ['isf.egy', 'ISF-EGY'], ['isf.idn', 'ISF-IDN']]) {
    const mine = (await as(u).get('/api/v1/units')).body.units.filter((x) => x.org === org);
    const hq = (await as('isf.hq').get('/api/v1/units')).body.units.filter((x) => x.org === org);
    assert.ok(hq.length >= 1);
    assert.deepEqual(mine.map((x) => x.id).sort(), hq.map((x) => x.id).sort(), `${u} sees all its units`);
    for (const x of mine) {
      const h = hq.find((y) => y.id === x.id);
      for (const k of ['type', 'strength', 'home_base', 'sector', 'status', 'position', 'name']) assert.deepEqual(x[k], h[k], `${u}: ${x.id}.${k}`);
    }
  }
  assert.equal((await as('cmcc.watch').get('/api/v1/units')).body.units.length, (await as('isf.hq').get('/api/v1/units')).body.units.length, 'the CMCC sees every unit');
});

test('access (docs/isf.md: a contingent\'s records are labelled org:ISF-HQ, org:CMCC and its own organisation): a contingent does not see another contingent\'s units', async () => {
  for (const [u, org] of [['isf.aze', 'ISF-AZE'], ['isf.egy', 'ISF-EGY'], ['isf.idn', 'ISF-IDN']]) {
    const others = (await as(u).get('/api/v1/units')).body.units.filter((x) => x.org !== org);
    assert.deepEqual(others.map((x) => x.id), [], `${u} sees other contingents' units`);
  }
});

test('access: tasks (and caveat sets) by list, by id, inclusion proofs of their events and the live stream — each contingent its own, ISF HQ and the CMCC all, a humanitarian organisation its escorts only', async () => {
  const USERS = ['isf.hq', 'cmcc.watch', 'isf.aze', 'isf.egy', 'isf.idn', 'ocha.focal', 'wfp.focal', 'idf.liaison', 'board.chair'];
  const streams = {};
  for (const u of USERS) {
    streams[u] = await openStream(server.base, { token: tokens[u] });
    open.push(streams[u]);
    assert.equal(streams[u].status, 200, `${u}'s stream`);
  }
  const day = newDay();
  const events = []; // {seq, task, who: predicate of the expected viewers}
  const record = (r, task, orgs) => { events.push({ seq: r.body.seq ?? JSON.parse(r.body.receipt.event).seq, task, orgs }); };
  const HQ = ['ISF-HQ', 'CMCC'];
  // A draft, and a task for each contingent, carried a few steps.
  const draftR = await as('isf.hq').post('/api/v1/tasks', taskBody({ geometry: pt(AZE1), ...daytime(day) }));
  const draft = draftR.body.id;
  record(draftR, draft, HQ);
  const plan = [['UNIT-AZE-1', 'isf.aze', 'ISF-AZE', AZE1, 'none'], ['UNIT-EGY-2', 'isf.egy', 'ISF-EGY', [34.29, 31.33], 'none'], ['UNIT-IDN-2', 'isf.idn', 'ISF-IDN', IDN2, 'non_lethal']];
  const taskOf = {};
  for (const [unit, acct, org, p, force] of plan) {
    const c = await as('isf.hq').post('/api/v1/tasks', taskBody({ geometry: pt(p), radius_m: 300, use_of_force: force, ...daytime(day) }));
    assert.equal(c.status, 201);
    const id = c.body.id;
    taskOf[org] = id;
    record(c, id, HQ);
    const a = await act('isf.hq', id, 'assign', { unit });
    record(a, id, [...HQ, org]);
    record(await act(acct, id, 'accept'), id, [...HQ, org]);
    record(await act(acct, id, 'start'), id, [...HQ, org]);
  }
  // An escort of a WFP movement, assigned.
  const m = await as('wfp.focal').post('/api/v1/movements', movementBody(newDay())); // another day: the plan's units are busy on this one
  assert.equal(m.status, 201, m.text.slice(0, 300));
  const esc = (await visibleTasks('isf.hq')).find((t) => t.movement === m.body.id);
  assert.ok(esc);
  const escEv = (await getTask(esc.id)).history[0].seq;
  events.push({ seq: escEv, task: esc.id, orgs: [...HQ, 'UN-WFP'] });
  const ec = await as('isf.hq').get(`/api/v1/tasks/${esc.id}/candidates`);
  const escUnit = ec.body.candidates[0];
  assert.ok(escUnit, `someone may escort: ${ec.text.slice(0, 500)}`);
  const ea = await as('isf.hq').post(`/api/v1/tasks/${esc.id}/assign`, { unit: escUnit.unit });
  assert.equal(ea.status, 200, ea.text.slice(0, 300));
  record(ea, esc.id, [...HQ, 'UN-WFP', escUnit.org]);
  // Caveat sets: their contingent's, ISF HQ's and the CMCC's to see.
  for (const [acct, ctg, org] of [['isf.aze', 'CTG-AZE', 'ISF-AZE'], ['isf.egy', 'CTG-EGY', 'ISF-EGY']]) {
    const cv = await as(acct).post('/api/v1/caveats', { contingent: ctg, effective_from: iso(Date.now() + 700 * D), rules: { no_detention: true } });
    assert.equal(cv.status, 201);
    events.push({ seq: cv.body.seq, subject: cv.body.id, orgs: [...HQ, org] });
  }
  // A sentinel every account sees ends the batch on every stream.
  const j = await as('cmcc.watch').post('/api/v1/journal', { text: 'isf access sentinel', labels: ['all'] });
  assert.equal(j.status, 201);
  const orgOf = (u) => me[u].org;
  const sees = (u, e) => e.orgs.includes(orgOf(u));
  const failures = [];
  const expect = (cond, msg) => { if (!cond) failures.push(msg); };
  const testTasks = new Set(events.filter((e) => e.task).map((e) => e.task));
  for (const u of USERS) {
    const wantTasks = new Set(events.filter((e) => e.task && sees(u, e)).map((e) => e.task));
    // Lists and by id.
    const list = (await visibleTasks(u)).map((t) => t.id).filter((id) => testTasks.has(id));
    expect(JSON.stringify([...list].sort()) === JSON.stringify([...wantTasks].sort()), `${u}: GET /tasks shows [${list}], expected [${[...wantTasks]}]`);
    for (const id of testTasks) {
      const r = await as(u).get(`/api/v1/tasks/${id}`);
      expect(r.status === (wantTasks.has(id) ? 200 : 404), `${u}: GET ${id} -> ${r.status}`);
    }
    // Proofs.
    for (const e of events) {
      const p = await as(u).get(`/api/v1/log/proof/${e.seq}`);
      const want = sees(u, e) ? 200 : 404;
      expect(p.status === want, `${u}: proof of ${e.task || e.subject}'s event ${e.seq} -> ${p.status}, expected ${want}`);
      if (p.status === 200) expect(checkReceipt(p.body, key) === null && JSON.parse(p.body.event).subject === (e.task || e.subject), `${u}: proof of ${e.seq} verifies`);
    }
    // The stream.
    try { await streams[u].waitFor((x) => Number(x.id) === j.body.seq, 5000); } catch (err) { failures.push(`${u}: stream: ${err.message}`); }
    const got = new Set(streams[u].events.map((x) => Number(x.id)).filter((s) => events.some((e) => e.seq === s)));
    const want = new Set(events.filter((e) => sees(u, e)).map((e) => e.seq));
    expect(got.size === want.size && [...got].every((s) => want.has(s)), `${u}: stream delivered task and caveat events [${[...got]}], expected [${[...want]}]`);
    for (const x of streams[u].events) {
      const ev = JSON.parse(x.data);
      if (ev.kind.startsWith('task.') || ev.kind.startsWith('caveat.')) expect(maySee(me[u].labels, ev.labels), `${u}: stream event ${ev.seq} labelled ${ev.labels}`);
    }
    streams[u].close();
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('access: a task declined by one contingent and reassigned to another is no longer the first contingent\'s to see (labels: the unit it is assigned to)', async () => {
  const day = newDay();
  const id = await createTask({ type: 'patrol', geometry: pt([34.30, 31.335]), radius_m: 300, ...daytime(day) });
  await act('isf.hq', id, 'assign', { unit: 'UNIT-AZE-1' });
  assert.equal((await as('isf.aze').get(`/api/v1/tasks/${id}`)).status, 200);
  await act('isf.aze', id, 'decline', { note: 'not available' });
  await act('isf.hq', id, 'assign', { unit: 'UNIT-EGY-1' });
  assert.equal((await as('isf.egy').get(`/api/v1/tasks/${id}`)).status, 200, 'the new contingent sees it');
  await refused(server, () => as('isf.aze').post(`/api/v1/tasks/${id}/accept`, {}), { status: [403, 404], what: 'the former contingent accepts' });
  const r = await as('isf.aze').get(`/api/v1/tasks/${id}`);
  assert.equal(r.status, 404, `the former contingent still sees the reassigned task: ${r.status} labels ${JSON.stringify(r.body?.labels)}`);
  assert.ok(!(await visibleTasks('isf.aze')).some((t) => t.id === id));
});

// ------------------------------------------------------------------ durability

test('a restart keeps contingents, caveat sets, units and tasks as they were; ids go on from where they were', async () => {
  const paths = ['/api/v1/contingents', '/api/v1/caveats', '/api/v1/units', '/api/v1/tasks', '/api/v1/caveats/matrix'];
  const before = {};
  for (const p of paths) before[p] = (await as('isf.hq').get(p)).body;
  const lastTask = Math.max(...before['/api/v1/tasks'].tasks.map((t) => Number(t.id.slice(4))));
  const lastCav = Math.max(...before['/api/v1/caveats'].caveats.map((c) => Number(c.id.slice(4))));
  const { dir } = server;
  await server.stop();
  server = await startServer({ dir });
  for (const u of ACCOUNTS) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  for (const p of paths) assert.deepEqual((await as('isf.hq').get(p)).body, before[p], `${p} after the restart`);
  const id = await createTask({ geometry: pt(AZE1), ...daytime(newDay()) });
  assert.equal(id, `TSK-${lastTask + 1}`, 'the next task id');
  const c = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(Date.now() + 600 * D), rules: {} });
  assert.equal(c.body.id, `CAV-${lastCav + 1}`, 'the next caveat set id');
});

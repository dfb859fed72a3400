// Operation coordination (issue 6, docs/operations.md), end to end over HTTP
// on a real server: the life cycle as ONE table (every state x every action x
// every account), referral to the ISF, advisories, the record as of a time,
// queues, and bad input for every endpoint.
//
// Escalation with the controllable clock: operations_escalation.test.mjs.
// What outsiders must never see: operations_leak.test.mjs. Narrowing as a
// randomized property: narrowing.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, checkReceipt } from './lib.mjs';
import {
  H, MIN, D, iso, pt, places, offset, noticeBody, siteAt, movementAlong, gazaHM, loginMany, opsClient, healthSize,
  shapeOf, assertErrorShape, TASK_TYPES, MOV1_ROUTE, starRing,
} from '../lib/operations.mjs';
import { incidentBody } from '../lib/monitoring.mjs';

// ------------------------------------------------------------------ the table
// Accounts (columns): the IDF liaison, the watch officer (POS-CMCC-WATCH-1),
// the chief of operations (POS-CMCC-OPS, authority cmcc.decide), the CMCC
// commander (POS-CMCC-CDR), the Secretary of State's desk, ISF HQ, OCHA.
const COLS = ['idf.liaison', 'cmcc.watch', 'cmcc.ops', 'cmcc.cdr', 'state.desk', 'isf.hq', 'ocha.focal'];

// States (each built fresh on its own place in the strip):
//   P0 pending (coordinate), nothing conflicts     P1 pending, a site conflicts
//   N0 notified (inform), nothing conflicts        N1 notified, a site conflicts
//   C0 concurred, no alerts                        CA concurred, then a site came: an alert
//   A0 acknowledged, no alerts                     AA acknowledged, then an alert
//   R  referred (from P0)                          NR narrowing_requested (from P1, proposal possible)
//   OC objected (coordinate, a conflict)           O0 objected (coordinate, nothing conflicts)
//   OI objected (inform, a conflict)
//   X  after the outcome (from C0)                 XN after the outcome (from NR)
//
// Cells: Y allowed (200, the transition happens)
//        3 403 (for a CMCC account on the decision endpoint: field "decision")
//        9 409 (field "decision" / "response" / "result")
//        x refused both by the life cycle and by authority: 403 or 409, field "decision"
//        h the account never sees an operation: a 4xx exactly like the one for a missing id
//
// The contract: docs/operations.md "Permissions and authority" and "Life cycle".
const LIFE = `
state action             idf wat ops cdr sta isf och
P0    concur              3   Y   Y   Y   3   h   h
P0    acknowledge         3   9   9   9   3   h   h
P0    refer               3   3   Y   Y   3   h   h
P0    request_narrowing   3   3   Y   Y   3   h   h
P0    object              3   3   Y   Y   3   h   h
P0    accept              9   3   3   3   3   h   h
P0    amend               9   3   3   3   3   h   h
P0    answer              9   3   3   3   3   h   h
P0    outcome             Y   3   3   3   3   h   h
P1    concur              3   3   Y   Y   3   h   h
P1    acknowledge         3   x   9   9   3   h   h
P1    refer               3   3   Y   Y   3   h   h
P1    request_narrowing   3   3   Y   Y   3   h   h
P1    object              3   3   Y   Y   3   h   h
P1    accept              9   3   3   3   3   h   h
P1    amend               9   3   3   3   3   h   h
P1    answer              9   3   3   3   3   h   h
P1    outcome             Y   3   3   3   3   h   h
N0    concur              3   9   9   9   3   h   h
N0    acknowledge         3   Y   Y   Y   3   h   h
N0    refer               3   3   Y   Y   3   h   h
N0    request_narrowing   3   3   Y   Y   3   h   h
N0    object              3   3   Y   Y   3   h   h
N0    accept              9   3   3   3   3   h   h
N0    amend               9   3   3   3   3   h   h
N0    answer              9   3   3   3   3   h   h
N0    outcome             Y   3   3   3   3   h   h
N1    concur              3   x   9   9   3   h   h
N1    acknowledge         3   3   Y   Y   3   h   h
N1    refer               3   3   Y   Y   3   h   h
N1    request_narrowing   3   3   Y   Y   3   h   h
N1    object              3   3   Y   Y   3   h   h
N1    accept              9   3   3   3   3   h   h
N1    amend               9   3   3   3   3   h   h
N1    answer              9   3   3   3   3   h   h
N1    outcome             Y   3   3   3   3   h   h
C0    concur              3   9   9   9   3   h   h
C0    acknowledge         3   9   9   9   3   h   h
C0    refer               3   x   9   9   3   h   h
C0    request_narrowing   3   x   9   9   3   h   h
C0    object              3   x   9   9   3   h   h
C0    accept              9   3   3   3   3   h   h
C0    amend               9   3   3   3   3   h   h
C0    answer              9   3   3   3   3   h   h
C0    outcome             Y   3   3   3   3   h   h
CA    concur              3   x   9   9   3   h   h
CA    acknowledge         3   x   9   9   3   h   h
CA    refer               3   3   Y   Y   3   h   h
CA    request_narrowing   3   3   Y   Y   3   h   h
CA    object              3   3   Y   Y   3   h   h
CA    accept              9   3   3   3   3   h   h
CA    amend               9   3   3   3   3   h   h
CA    answer              9   3   3   3   3   h   h
CA    outcome             Y   3   3   3   3   h   h
A0    concur              3   9   9   9   3   h   h
A0    acknowledge         3   9   9   9   3   h   h
A0    refer               3   x   9   9   3   h   h
A0    request_narrowing   3   x   9   9   3   h   h
A0    object              3   x   9   9   3   h   h
A0    accept              9   3   3   3   3   h   h
A0    amend               9   3   3   3   3   h   h
A0    answer              9   3   3   3   3   h   h
A0    outcome             Y   3   3   3   3   h   h
AA    concur              3   x   9   9   3   h   h
AA    acknowledge         3   x   9   9   3   h   h
AA    refer               3   3   Y   Y   3   h   h
AA    request_narrowing   3   3   Y   Y   3   h   h
AA    object              3   3   Y   Y   3   h   h
AA    accept              9   3   3   3   3   h   h
AA    amend               9   3   3   3   3   h   h
AA    answer              9   3   3   3   3   h   h
AA    outcome             Y   3   3   3   3   h   h
R     concur              3   9   9   9   3   h   h
R     acknowledge         3   9   9   9   3   h   h
R     refer               3   x   9   9   3   h   h
R     request_narrowing   3   x   9   9   3   h   h
R     object              3   x   9   9   3   h   h
R     accept              9   3   3   3   3   h   h
R     amend               9   3   3   3   3   h   h
R     answer              9   3   3   3   3   h   h
R     outcome             Y   3   3   3   3   h   h
NR    concur              3   x   9   9   3   h   h
NR    acknowledge         3   x   9   9   3   h   h
NR    refer               3   x   9   9   3   h   h
NR    request_narrowing   3   x   9   9   3   h   h
NR    object              3   x   9   9   3   h   h
NR    accept              Y   3   3   3   3   h   h
NR    amend               Y   3   3   3   3   h   h
NR    answer              Y   3   3   3   3   h   h
NR    outcome             Y   3   3   3   3   h   h
OC    concur              3   3   Y   Y   3   h   h
OC    acknowledge         3   x   9   9   3   h   h
OC    refer               3   3   Y   Y   3   h   h
OC    request_narrowing   3   x   9   9   3   h   h
OC    object              3   x   9   9   3   h   h
OC    accept              9   3   3   3   3   h   h
OC    amend               9   3   3   3   3   h   h
OC    answer              9   3   3   3   3   h   h
OC    outcome             Y   3   3   3   3   h   h
O0    concur              3   Y   Y   Y   3   h   h
O0    acknowledge         3   9   9   9   3   h   h
O0    refer               3   3   Y   Y   3   h   h
O0    request_narrowing   3   x   9   9   3   h   h
O0    object              3   x   9   9   3   h   h
O0    accept              9   3   3   3   3   h   h
O0    amend               9   3   3   3   3   h   h
O0    answer              9   3   3   3   3   h   h
O0    outcome             Y   3   3   3   3   h   h
OI    concur              3   x   9   9   3   h   h
OI    acknowledge         3   3   Y   Y   3   h   h
OI    refer               3   3   Y   Y   3   h   h
OI    request_narrowing   3   x   9   9   3   h   h
OI    object              3   x   9   9   3   h   h
OI    accept              9   3   3   3   3   h   h
OI    amend               9   3   3   3   3   h   h
OI    answer              9   3   3   3   3   h   h
OI    outcome             Y   3   3   3   3   h   h
X     concur              3   9   9   9   3   h   h
X     acknowledge         3   9   9   9   3   h   h
X     refer               3   x   9   9   3   h   h
X     request_narrowing   3   x   9   9   3   h   h
X     object              3   x   9   9   3   h   h
X     accept              9   3   3   3   3   h   h
X     amend               9   3   3   3   3   h   h
X     answer              9   3   3   3   3   h   h
X     outcome             9   3   3   3   3   h   h
XN    concur              3   x   9   9   3   h   h
XN    acknowledge         3   x   9   9   3   h   h
XN    refer               3   x   9   9   3   h   h
XN    request_narrowing   3   x   9   9   3   h   h
XN    object              3   x   9   9   3   h   h
XN    accept              9   3   3   3   3   h   h
XN    amend               9   3   3   3   3   h   h
XN    answer              9   3   3   3   3   h   h
XN    outcome             9   3   3   3   3   h   h
`;
// ------------------------------------------------------------ end of table

const STATES = ['P0', 'P1', 'N0', 'N1', 'C0', 'CA', 'A0', 'AA', 'R', 'NR', 'OC', 'O0', 'OI', 'X', 'XN'];
const ACTIONS = ['concur', 'acknowledge', 'refer', 'request_narrowing', 'object', 'accept', 'amend', 'answer', 'outcome'];
const ROWS = LIFE.trim().split('\n').slice(1).map((l) => {
  const [state, action, ...cells] = l.trim().split(/\s+/);
  return { state, action, cells: Object.fromEntries(COLS.map((u, i) => [u, cells[i]])) };
});
const MISSING = 'OPN-999999';

// Which endpoint an action uses, its body, and the field a refusal names.
const ROUTE = {
  concur: 'decision', acknowledge: 'decision', refer: 'decision', request_narrowing: 'decision', object: 'decision',
  accept: 'respond', amend: 'respond', answer: 'respond', outcome: 'outcome',
};
const FIELD = { decision: 'decision', respond: 'response', outcome: 'result' };
// Who holds the permission to reach each endpoint at all.
const REACH = { decision: ['cmcc.watch', 'cmcc.ops', 'cmcc.cdr'], respond: ['idf.liaison'], outcome: ['idf.liaison'] };
function bodyFor(action, op) {
  switch (action) {
    case 'object': return { decision: 'object', reasons: 'table: the clinic is inside the area' };
    case 'accept': return { response: 'accept' };
    case 'amend': return { response: 'amend', geometry: op.geometry, radius_m: 60, window_until: iso(Date.parse(op.window_until) - 30 * MIN) };
    case 'answer': return { response: 'answer', note: 'table: the whole area is needed' };
    case 'outcome': return { result: 'not_carried_out', note: 'table' };
    default: return { decision: action, note: `table: ${action}` };
  }
}
const inMode = (op) => (op.mode === 'inform' ? 'notified' : 'pending');

let server, tokens, c, key, spots;
const ALL = [...new Set([...COLS, 'centcom.desk', 'wfp.focal', 'ngo.focal', 'isf.aze', 'isf.egy', 'isf.idn', 'admin'])];

before(async () => {
  server = await boot();
  tokens = await loginMany(server, ALL);
  c = opsClient(server, tokens);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
  spots = places({ spacing: 600, jitter: 3 });
});
after(() => shutdown(server));

const nextSpot = () => {
  assert.ok(spots.length > 0, 'ran out of places');
  return spots.shift();
};

// A fresh operation in a state. Returns the operation as the commander sees it.
async function build(state) {
  const p = nextSpot();
  const fresh = async (mode, conflict) => {
    let site = null;
    if (conflict) site = await c.siteOk(siteAt(offset(p, 90, 200)));
    const op = await c.notifyOk(noticeBody(p, { mode, description: `table ${state}` }));
    if (conflict) assert.ok(op.conflicts.some((x) => x.kind === 'site' && x.id === site.id), `${state}: the site conflicts: ${JSON.stringify(op.conflicts)}`);
    else assert.deepEqual(op.conflicts, [], `${state}: nothing conflicts`);
    return op;
  };
  const alert = async (op) => {
    await c.siteOk(siteAt(offset(p, 270, 150)));
    const now = await c.getOk(op.id);
    assert.ok(now.alerts.length >= 1, `${state}: a site inside the area raises an alert: ${JSON.stringify(now.alerts)}`);
    return now;
  };
  const decide = (op, decision, extra = {}) => c.decideOk(op.id, 'cmcc.cdr', { decision, ...extra });
  let op;
  switch (state) {
    case 'P0': op = await fresh('coordinate', false); break;
    case 'P1': op = await fresh('coordinate', true); break;
    case 'N0': op = await fresh('inform', false); break;
    case 'N1': op = await fresh('inform', true); break;
    case 'C0': op = await decide(await fresh('coordinate', false), 'concur'); break;
    case 'CA': op = await alert(await decide(await fresh('coordinate', false), 'concur')); break;
    case 'A0': op = await decide(await fresh('inform', false), 'acknowledge'); break;
    case 'AA': op = await alert(await decide(await fresh('inform', false), 'acknowledge')); break;
    case 'R': op = await decide(await fresh('coordinate', false), 'refer'); break;
    case 'NR':
      op = await decide(await fresh('coordinate', true), 'request_narrowing');
      assert.equal(op.proposal?.possible, true, `NR: a proposal is possible: ${JSON.stringify(op.proposal)}`);
      break;
    case 'OC': op = await decide(await fresh('coordinate', true), 'object', { reasons: 'setup' }); break;
    case 'O0': op = await decide(await fresh('coordinate', false), 'object', { reasons: 'setup' }); break;
    case 'OI': op = await decide(await fresh('inform', true), 'object', { reasons: 'setup' }); break;
    case 'X': case 'XN': {
      op = await build(state === 'X' ? 'C0' : 'NR');
      const r = await c.outcome(op.id, 'idf.liaison', { result: 'as_notified' });
      assert.equal(r.status, 200, `${state}: the outcome: ${r.status} ${r.text}`);
      op = r.body.operation;
      break;
    }
    default: throw new Error(state);
  }
  const want = { P0: 'pending', P1: 'pending', N0: 'notified', N1: 'notified', C0: 'concurred', CA: 'concurred',
    A0: 'acknowledged', AA: 'acknowledged', R: 'referred', NR: 'narrowing_requested', OC: 'objected', O0: 'objected',
    OI: 'objected', X: 'concurred', XN: 'narrowing_requested' }[state];
  assert.equal(op.status, want, `${state} is ${want}`);
  return c.getOk(op.id);
}

function send(action, id, user, op) {
  const body = bodyFor(action, op);
  const route = ROUTE[action];
  return server.api('POST', `/api/v1/operations/${id}/${route}`, { token: tokens[user], body });
}

// Checks an allowed action's effect; returns a list of problems.
function effects(action, user, before, r) {
  const bad = [];
  const op = r.body?.operation;
  if (!op) return [`no operation in the reply: ${r.text.slice(0, 200)}`];
  if (r.body.receipt === undefined) bad.push('no receipt');
  else if (checkReceipt(r.body.receipt, key) !== null) bad.push(`the receipt does not verify: ${checkReceipt(r.body.receipt, key)}`);
  const last = op.decisions[op.decisions.length - 1];
  const decided = (d, status) => {
    if (op.status !== status) bad.push(`status ${op.status}, expected ${status}`);
    if (op.decisions.length !== before.decisions.length + 1) bad.push(`decisions ${before.decisions.length} -> ${op.decisions.length}`);
    else {
      if (last.decision !== d) bad.push(`last decision ${last.decision}`);
      if (last.by !== user) bad.push(`decided by ${last.by}, expected ${user}`);
      if (!Array.isArray(last.conflicts)) bad.push('the decision does not say on what conflicts it was made');
      if (!Number.isInteger(last.seq) || !Number.isFinite(Date.parse(last.at))) bad.push('decision seq/at');
    }
  };
  switch (action) {
    case 'concur': decided('concur', 'concurred'); break;
    case 'acknowledge': decided('acknowledge', 'acknowledged'); break;
    case 'refer':
      decided('refer', 'referred');
      if (!/^TSK-\d+$/.test(op.task || '')) bad.push(`no task: ${op.task}`);
      if (typeof op.isf_status !== 'string') bad.push(`no isf_status: ${op.isf_status}`);
      break;
    case 'request_narrowing':
      decided('request_narrowing', 'narrowing_requested');
      if (!op.proposal || typeof op.proposal.possible !== 'boolean') bad.push(`no proposal: ${JSON.stringify(op.proposal)}`);
      break;
    case 'object': {
      decided('object', 'objected');
      const esc = op.escalations[op.escalations.length - 1];
      if (!esc || JSON.stringify([...esc.to].sort()) !== JSON.stringify(['POS-CENTCOM-CDR', 'POS-SECSTATE'])) bad.push(`escalated to ${JSON.stringify(esc)}`);
      if (!op.labels.includes('org:USG-STATE') || !op.labels.includes('org:CENTCOM')) bad.push(`labels ${op.labels}`);
      break;
    }
    case 'accept':
      if (op.status !== inMode(op)) bad.push(`status ${op.status} after accept`);
      if (JSON.stringify(op.geometry) !== JSON.stringify(before.proposal.geometry)) bad.push('the notice did not become the proposal (geometry)');
      if (op.radius_m !== before.proposal.radius_m) bad.push(`radius ${op.radius_m}, proposal ${before.proposal.radius_m}`);
      if (op.window_from !== before.proposal.window_from || op.window_until !== before.proposal.window_until) bad.push('window is not the proposal\'s');
      if (op.conflicts.length !== 0) bad.push(`conflicts after accepting: ${JSON.stringify(op.conflicts)}`);
      break;
    case 'amend':
      if (op.status !== inMode(op)) bad.push(`status ${op.status} after amend`);
      if (op.radius_m !== 60) bad.push(`radius ${op.radius_m} after amending to 60`);
      if (Date.parse(op.window_until) !== Date.parse(before.window_until) - 30 * MIN) bad.push(`window_until ${op.window_until}`);
      if (op.window_from !== before.window_from) bad.push('window_from changed');
      break;
    case 'answer':
      if (op.status !== inMode(op)) bad.push(`status ${op.status} after answer`);
      if (op.answer?.note !== 'table: the whole area is needed') bad.push(`answer ${JSON.stringify(op.answer)}`);
      break;
    case 'outcome':
      if (op.status !== before.status) bad.push(`status ${before.status} -> ${op.status}`);
      if (op.outcome?.result !== 'not_carried_out') bad.push(`outcome ${JSON.stringify(op.outcome)}`);
      break;
    default: bad.push('?');
  }
  return bad;
}

const strip = (op) => { const o = { ...op }; delete o.seconds_left; return JSON.stringify(o); };

test('the life-cycle table is well formed: every state x every action, one cell per account', () => {
  for (const s of STATES) for (const a of ACTIONS) {
    const rows = ROWS.filter((r) => r.state === s && r.action === a);
    assert.equal(rows.length, 1, `${s} ${a}`);
    for (const u of COLS) assert.match(rows[0].cells[u], /^[Y39xh]$/, `${s} ${a} ${u}`);
  }
  assert.equal(ROWS.length, STATES.length * ACTIONS.length);
});

for (const state of STATES) {
  test(`life cycle, state ${state}: every action by every account as the table says`, async () => {
    const failures = [];
    const rows = ROWS.filter((r) => r.state === state);
    // Refusals, all on one operation that must not change.
    let shared = await build(state);
    let snap = strip(shared);
    for (const { action, cells } of rows) {
      for (const user of COLS) {
        const cell = cells[user];
        if (cell === 'Y') continue;
        const route = ROUTE[action];
        const what = `${state} ${action} by ${user} (cell ${cell})`;
        const size0 = await healthSize(server);
        const r = await send(action, shared.id, user, shared);
        const size1 = await healthSize(server);
        const got = `${r.status} ${r.text.slice(0, 240)}`;
        if (size1 !== size0) failures.push(`${what}: the log grew ${size0} -> ${size1}`);
        if (r.status < 400 || r.status >= 500) {
          failures.push(`${what}: expected a refusal, got ${got}`);
          // The operation is no longer in the state: go on with a fresh one.
          shared = await build(state);
          snap = strip(shared);
          continue;
        }
        try { assertErrorShape(r, what); } catch (e) { failures.push(e.message); continue; }
        const field = r.body.error.field;
        if (cell === '3') {
          if (r.status !== 403) failures.push(`${what}: expected 403, got ${got}`);
          else if (route === 'decision' && REACH.decision.includes(user) && field !== 'decision') failures.push(`${what}: 403 must name field "decision", got ${got}`);
        } else if (cell === '9') {
          if (r.status !== 409 || field !== FIELD[route]) failures.push(`${what}: expected 409 field ${FIELD[route]}, got ${got}`);
        } else if (cell === 'x') {
          if (![403, 409].includes(r.status) || field !== 'decision') failures.push(`${what}: expected 403/409 field decision, got ${got}`);
        } else if (cell === 'h') {
          const m = await send(action, MISSING, user, shared);
          if (shapeOf(r, shared.id) !== shapeOf(m, MISSING)) failures.push(`${what}: the refusal differs from the one for a missing id: ${got} vs ${m.status} ${m.text.slice(0, 200)}`);
          if (![403, 404].includes(r.status)) failures.push(`${what}: expected 403/404, got ${got}`);
        }
      }
    }
    const after = await c.getOk(shared.id);
    if (strip(after) !== snap) failures.push(`${state}: refused requests changed the operation:\n  before ${snap.slice(0, 400)}\n  after  ${strip(after).slice(0, 400)}`);
    // Allowed cells, each on a fresh operation in the state.
    for (const { action, cells } of rows) {
      for (const user of COLS) {
        if (cells[user] !== 'Y') continue;
        const what = `${state} ${action} by ${user} (cell Y)`;
        const op = await build(state);
        const r = await send(action, op.id, user, op);
        if (r.status !== 200) { failures.push(`${what}: expected 200, got ${r.status} ${r.text.slice(0, 240)}`); continue; }
        for (const b of effects(action, user, op, r)) failures.push(`${what}: ${b}`);
        // What the reply says is what the server keeps.
        const now = await c.getOk(op.id);
        if (now.status !== r.body.operation.status) failures.push(`${what}: GET says ${now.status}, the reply ${r.body.operation.status}`);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} cell(s) disagree with the table:\n${failures.join('\n')}`);
  });
}

test('a notice: 201 with id, operation and a receipt; the conflicts are the check at notification; answer_by defaults per urgency; the notifier and organisation are recorded', async () => {
  for (const [urgency, minutes] of Object.entries({ immediate: 15, urgent: 60, priority: 360, routine: 1440 })) {
    const p = nextSpot();
    const site = await c.siteOk(siteAt(offset(p, 0, 100)));
    const r = await c.notify(noticeBody(p, { urgency, kind: 'arrest', description: `defaults ${urgency}` }));
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.id, /^OPN-\d+$/);
    const op = r.body.operation;
    assert.equal(op.id, r.body.id);
    assert.equal(checkReceipt(r.body.receipt, key), null, 'the receipt verifies');
    const ev = JSON.parse(r.body.receipt.event);
    assert.equal(ev.subject, op.id);
    assert.equal(ev.kind, 'operation.notified');
    assert.equal(op.status, 'pending');
    assert.equal(op.org, 'IDF-LO');
    assert.equal(op.notified_by, 'idf.liaison');
    assert.deepEqual([...op.labels].sort(), ['org:CMCC', 'org:IDF-LO']);
    assert.ok(Math.abs(Date.parse(op.answer_by) - Date.parse(op.notified_at) - minutes * MIN) < 2000, `${urgency}: ${minutes} minutes to answer (${op.notified_at} -> ${op.answer_by})`);
    // The conflicts: what the commander's check over the same area and window finds.
    const chk = await c.check({ geometry: op.geometry, radius_m: op.radius_m, from: op.window_from, until: op.window_until });
    const fromCheck = chk.body.conflicts.filter((x) => x.id !== op.id).map((x) => `${x.kind}:${x.id}`).sort();
    assert.deepEqual(op.conflicts.map((x) => `${x.kind}:${x.id}`).sort(), fromCheck);
    assert.ok(op.conflicts.some((x) => x.id === site.id));
  }
});

test('a watch officer may concur only when there is no conflict; the deputy and the commander may; the 403 names "decision"', async () => {
  const clear = await build('P0');
  const conflicted = await build('P1');
  const r1 = await c.decide(conflicted.id, 'cmcc.watch', { decision: 'concur' });
  assert.equal(r1.status, 403, r1.text);
  assert.equal(r1.body.error.field, 'decision');
  const ok = await c.decideOk(clear.id, 'cmcc.watch', { decision: 'concur' });
  assert.equal(ok.status, 'concurred');
  assert.equal(ok.decisions[0].by, 'cmcc.watch');
  assert.deepEqual(ok.decisions[0].conflicts, []);
  // The conflict may come after the notice: then the watch officer may not concur either.
  const later = await build('P0');
  await c.siteOk(siteAt(offset(later.geometry.coordinates, 0, 60)));
  const r2 = await c.decide(later.id, 'cmcc.watch', { decision: 'concur' });
  assert.equal(r2.status, 403, `a conflict that arose after the notice: ${r2.text}`);
  const byOps = await c.decideOk(later.id, 'cmcc.ops', { decision: 'concur' });
  assert.equal(byOps.decisions[0].by, 'cmcc.ops');
  assert.ok(byOps.decisions[0].conflicts.length >= 1, 'the decision records the conflicts it was made on');
});

test('respond: amending only the radius, or only the window, changes just that', async () => {
  // radius only
  const a = await build('NR');
  const r1 = await c.respond(a.id, 'idf.liaison', { response: 'amend', radius_m: 40 });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.body.operation.radius_m, 40, `POST respond {"response":"amend","radius_m":40}: radius_m is ${r1.body.operation.radius_m}`);
  assert.deepEqual(r1.body.operation.geometry, a.geometry);
  assert.equal(r1.body.operation.status, 'pending');
  // window only
  const b = await build('NR');
  const until = iso(Date.parse(b.window_until) - H);
  const r2 = await c.respond(b.id, 'idf.liaison', { response: 'amend', window_until: until });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(Date.parse(r2.body.operation.window_until), Date.parse(until));
  assert.equal(r2.body.operation.radius_m, b.radius_m);
  assert.deepEqual(r2.body.operation.geometry, b.geometry);
});

test('the outcome: only once the window has begun (409 "result" before), only once, linked only to incidents the notifier may see; nothing more is decided after it', async () => {
  const p = nextSpot();
  const early = await c.notifyOk(noticeBody(p, { window_from: iso(Date.now() + H), window_until: iso(Date.now() + 2 * H) }));
  const r = await c.outcome(early.id, 'idf.liaison', { result: 'as_notified' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.error.field, 'result');
  const op = await build('P0');
  // Linked incidents come from the register, and the notifier must be able
  // to see them: an unknown one, or one still held by the CMCC, is refused
  // alike ("incidents", nothing written); a confirmed one is linked.
  const inc = async (confirm) => {
    const r = await server.api('POST', '/api/v1/incidents', { token: tokens['cmcc.watch'], body: incidentBody() });
    assert.equal(r.status, 201, r.text);
    if (confirm) {
      for (const [action, body] of [['review', { note: 'under review' }], ['confirm', { attribution: ['UNKNOWN'], confidence: 'medium', note: 'confirmed' }]]) {
        const a = await server.api('POST', `/api/v1/incidents/${r.body.id}/${action}`, { token: tokens['cmcc.watch'], body });
        assert.equal(a.status, 200, a.text);
      }
    }
    return r.body.id;
  };
  const held = await inc(false), seen = await inc(true);
  const size = await healthSize(server);
  for (const bad of ['INC-999999', held]) {
    const r = await c.outcome(op.id, 'idf.liaison', { result: 'with_changes', incidents: [seen, bad] });
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.equal(r.body.error.field, 'incidents');
    assert.match(r.body.error.message, /incidents\[1\]: no incident/);
  }
  assert.equal(await healthSize(server), size, 'nothing written');
  const o = await c.outcome(op.id, 'idf.liaison', { result: 'with_changes', note: 'smaller area', incidents: [seen] });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.body.operation.outcome.result, 'with_changes');
  assert.equal(o.body.operation.outcome.note, 'smaller area');
  assert.deepEqual(o.body.operation.outcome.incidents, [seen]);
  const again = await c.outcome(op.id, 'idf.liaison', { result: 'as_notified' });
  assert.equal(again.status, 409, again.text);
  // An operation that is over is no longer an obstacle for others.
  const chk = await c.check({ geometry: op.geometry, radius_m: op.radius_m, from: op.window_from, until: op.window_until, kinds: ['operation'] });
  assert.equal(chk.status, 200, chk.text);
  assert.ok(!chk.body.conflicts.some((x) => x.id === op.id), 'the operation is out of the checks after its outcome');
});

test('queues: decisions, alerts, escalated; countdowns on pending notices; ?status', async () => {
  const p0 = await build('P0');
  const n0 = await build('N0');
  const ca = await build('CA');
  const c0 = await build('C0');
  const ids = (r) => r.body.operations.map((o) => o.id);
  const dec = await c.list('cmcc.watch', '?queue=decisions');
  assert.equal(dec.status, 200, dec.text);
  assert.ok(ids(dec).includes(p0.id) && ids(dec).includes(n0.id), 'pending and notified notices await a decision');
  assert.ok(!ids(dec).includes(c0.id) && !ids(dec).includes(ca.id), 'decided ones do not');
  const al = await c.list('cmcc.watch', '?queue=alerts');
  assert.ok(ids(al).includes(ca.id) && !ids(al).includes(c0.id), 'alerts: only operations with alerts');
  const bad = await c.list('cmcc.watch', '?status=concured');
  assert.equal(bad.status, 400, `a status that is none: ${bad.text}`);
  assert.equal(bad.body.error.field, 'status');
  const st = await c.list('cmcc.watch', '?status=concurred');
  assert.ok(st.body.operations.every((o) => o.status === 'concurred'));
  assert.ok(ids(st).includes(c0.id) && !ids(st).includes(p0.id));
  const pend = dec.body.operations.find((o) => o.id === p0.id);
  const left = (Date.parse(pend.answer_by) - Date.now()) / 1000;
  assert.ok(Number.isInteger(pend.seconds_left) && Math.abs(pend.seconds_left - left) < 30, `seconds_left ${pend.seconds_left} ~ ${left}`);
  assert.ok(Math.abs(Date.parse(pend.answer_by) - Date.parse(pend.notified_at) - 1440 * MIN) < 5000, 'routine: 1440 minutes to answer');
  assert.equal(dec.body.operations.find((o) => o.id === n0.id).seconds_left, undefined, 'an inform notice has no countdown');
  // The notifier sees its own; the state desk none of these.
  const idf = await c.list('idf.liaison');
  assert.ok(ids(idf).includes(p0.id));
  const sd = await c.list('state.desk', '?queue=escalated');
  assert.ok(!ids(sd).includes(p0.id));
});

test('only the notifying organisation answers a narrowing request or reports the outcome; another liaison sees nothing of it', async () => {
  // A liaison account of another organisation (PASF), and a second IDF-LO account.
  for (const [username, org] of [['liaison.pasf', 'PASF'], ['idf.duty', 'IDF-LO']]) {
    const u = await c.post_('/api/v1/users', 'admin', { username, name: `Test ${username}`, org, roles: ['idf_liaison'], password: 'a long test password' });
    assert.equal(u.status, 201, u.text);
    const l = await server.api('POST', '/api/v1/session', { body: { username, password: 'a long test password' } });
    assert.equal(l.status, 201, l.text);
    tokens[username] = l.body.token;
  }
  const nr = await build('NR');
  const s0 = await healthSize(server);
  for (const [path, body] of [['respond', { response: 'answer', note: 'not mine' }], ['respond', { response: 'accept' }], ['outcome', { result: 'as_notified' }]]) {
    const r = await c.post_(`/api/v1/operations/${nr.id}/${path}`, 'liaison.pasf', body);
    assert.ok([403, 404].includes(r.status), `${path} by another organisation's liaison: ${r.status} ${r.text}`);
  }
  assert.equal((await c.get(nr.id, 'liaison.pasf')).status, 404, 'another organisation does not see the notice');
  // An amendment is answered as for a notice that does not exist, whatever it holds: the
  // checks against the notice's own area and window must not tell of it (its window_from,
  // found by moving window_until, or that it exists at all).
  for (const body of [{ response: 'amend', window_until: '2000-01-01T00:00:00Z' }, { response: 'amend', window_until: '2999-01-01T00:00:00Z' },
    { response: 'amend', geometry: pt([0, 0]), radius_m: 100 }, { response: 'amend', radius_m: 150 }]) {
    const r = await c.post_(`/api/v1/operations/${nr.id}/respond`, 'liaison.pasf', body);
    const none = await c.post_('/api/v1/operations/OPN-999999/respond', 'liaison.pasf', body);
    assert.equal(r.status, 404, `amend ${JSON.stringify(body)} by another organisation's liaison: ${r.status} ${r.text}`);
    assert.equal(r.text.split(nr.id).join('OPN-X'), none.text.split('OPN-999999').join('OPN-X'), 'the same answer as for a missing notice');
  }
  assert.equal(await healthSize(server), s0, 'nothing written');
  assert.equal((await c.getOk(nr.id)).status, 'narrowing_requested');
  // The same organisation may.
  const ok = await c.respond(nr.id, 'idf.duty', { response: 'answer', note: 'the duty officer answers' });
  assert.equal(ok.status, 200, ok.text);
  // A notice of the other organisation is its own and the CMCC's.
  const own = await c.notifyOk(noticeBody(nextSpot()), 'liaison.pasf');
  assert.deepEqual([...own.labels].sort(), ['org:CMCC', 'org:PASF']);
  assert.equal(own.org, 'PASF');
  assert.equal((await c.get(own.id, 'idf.liaison')).status, 404);
});

// ------------------------------------------------------------------ alerts
test('alerts: a site, no-strike object, movement or other operation arriving in the area of an operation still ahead raises an alert with its cause; not for referred or objected ones', async () => {
  const a = await build('C0');
  const p = a.geometry.coordinates;
  const now = Date.now();
  // Another operation over it.
  const b = await c.notifyOk(noticeBody(offset(p, 90, 150), { radius_m: 60, mode: 'inform' }));
  assert.ok(b.conflicts.some((x) => x.kind === 'operation' && x.id === a.id), 'the new notice conflicts with the first');
  // A no-strike object (the CMCC), a movement through it (WFP) inside the window.
  const ns = await c.post_('/api/v1/nostrike', 'cmcc.watch', { category: 'water_works', geometry: pt(offset(p, 200, 80)), name: { en: 'Ops test pump', ar: 'مضخة' }, valid_from: iso(now - D), valid_until: iso(now + 90 * D) });
  assert.equal(ns.status, 201, ns.text);
  const mv = await c.movementOk(movementAlong([offset(p, 270, 250), offset(p, 0, 10), offset(p, 90, 250)], now + H, 10 * MIN));
  const site = await c.siteOk(siteAt(offset(p, 330, 40)));
  const got = await c.getOk(a.id);
  const cause = (id) => got.alerts.find((x) => x.conflict.id === id);
  for (const [id, kind, why] of [[b.id, 'operation', 'operation.notified'], [ns.body.id, 'nostrike', 'nostrike.notified'], [mv.id, 'movement', 'movement.notified'], [site.id, 'site', 'site.notified']]) {
    const al = cause(id);
    assert.ok(al, `an alert for ${kind} ${id}: ${JSON.stringify(got.alerts)}`);
    assert.equal(al.conflict.kind, kind);
    assert.equal(al.cause, why);
    assert.ok(Number.isInteger(al.seq) && Number.isFinite(Date.parse(al.at)));
  }
  assert.ok((await c.list('cmcc.watch', '?queue=alerts')).body.operations.some((o) => o.id === a.id));
  // Once per conflict: amending the site does not raise it again.
  const am = await c.post_(`/api/v1/sites/${site.id}/amend`, 'ocha.focal', { staff_count: 9 });
  assert.equal(am.status, 200, am.text);
  assert.equal((await c.getOk(a.id)).alerts.filter((x) => x.conflict.id === site.id).length, 1, 'one alert per conflict');
  // Referred and objected operations are not "still ahead" for the CMCC: no alerts.
  for (const st of ['R', 'OC']) {
    const o = await build(st);
    await c.siteOk(siteAt(offset(o.geometry.coordinates, 300, 30)));
    assert.deepEqual((await c.getOk(o.id)).alerts, [], `${st}: no alert`);
  }
});

// ------------------------------------------------------------------ referral
test('referral: refer creates a TSK linked by operation; ISF HQ sees it; isf_status follows assign/accept/start/complete; the IDF liaison sees isf_status but not the task', async () => {
  // Near UNIT-AZE-1's base in Rafah, tomorrow by day: a task the ISF can take.
  const p = offset([34.262, 31.292], 45, 900);
  const op = await c.notifyOk(noticeBody(p, { kind: 'other', radius_m: 150, window_from: iso(Date.now() + 26 * H), window_until: iso(Date.now() + 28 * H), description: 'refer me' }));
  const before = await healthSize(server);
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'refer', note: 'ISF instead' });
  assert.equal(d.status, 'referred');
  const tid = d.task;
  assert.match(tid, /^TSK-\d+$/);
  assert.equal(d.decisions[0].task, tid, 'the decision names the task');
  assert.ok((await healthSize(server)) >= before + 2, 'the decision and the task are events');
  // ISF HQ sees the task; it carries the area, window and a task type, linked by operation.
  const t = await c.get_(`/api/v1/tasks/${tid}`, 'isf.hq');
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.operation, op.id);
  assert.deepEqual(t.body.geometry, op.geometry);
  assert.equal(t.body.radius_m, op.radius_m);
  assert.equal(Date.parse(t.body.window_from), Date.parse(op.window_from));
  assert.equal(Date.parse(t.body.window_until), Date.parse(op.window_until));
  assert.ok(TASK_TYPES.includes(t.body.type), `task type ${t.body.type}`);
  assert.deepEqual([...t.body.labels].sort(), ['org:CMCC', 'org:ISF-HQ']);
  assert.equal(t.body.status, 'draft');
  // The IDF liaison: not the task, but its status on the operation.
  assert.equal((await c.get_(`/api/v1/tasks/${tid}`, 'idf.liaison')).status, 404);
  const idfTasks = await c.get_('/api/v1/tasks', 'idf.liaison');
  assert.ok(!JSON.stringify(idfTasks.body).includes(tid), 'the task is not on the IDF liaison\'s list');
  assert.equal((await c.getOk(op.id, 'idf.liaison')).isf_status, 'draft');
  // ISF HQ assigns the best candidate; the contingent accepts, starts, completes.
  const cand = await c.get_(`/api/v1/tasks/${tid}/candidates`, 'isf.hq');
  assert.equal(cand.status, 200, cand.text);
  const pick = cand.body.candidates.find((x) => !x.approval?.required) || cand.body.candidates[0];
  assert.ok(pick, `a candidate unit: ${cand.text.slice(0, 300)}`);
  const acct = { 'ISF-AZE': 'isf.aze', 'ISF-EGY': 'isf.egy', 'ISF-IDN': 'isf.idn' }[pick.org];
  const as = await c.post_(`/api/v1/tasks/${tid}/assign`, 'isf.hq', { unit: pick.unit });
  assert.equal(as.status, 200, as.text);
  let expect = as.body.task?.status || (pick.approval?.required ? 'awaiting_approval' : 'assigned');
  assert.equal((await c.getOk(op.id, 'idf.liaison')).isf_status, expect, 'isf_status follows the assignment');
  if (expect === 'awaiting_approval') {
    assert.equal((await c.post_(`/api/v1/tasks/${tid}/approve`, acct, { note: 'approved' })).status, 200);
    expect = 'assigned';
    assert.equal((await c.getOk(op.id, 'idf.liaison')).isf_status, 'assigned');
  }
  const steps = [['accept', 'accepted', acct, {}], ['start', 'in_progress', acct, {}], ['complete', 'completed', acct, { note: 'area cleared', outcome: { summary: 'nothing found' } }]];
  for (const [action, status, who, body] of steps) {
    const r = await c.post_(`/api/v1/tasks/${tid}/${action}`, who, body);
    assert.equal(r.status, 200, `${action}: ${r.text}`);
    const seen = await c.getOk(op.id, 'idf.liaison');
    assert.equal(seen.isf_status, status, `after ${action} the IDF liaison sees isf_status ${status}`);
    assert.equal((await c.getOk(op.id, 'cmcc.watch')).isf_status, status);
  }
  const done = await c.getOk(op.id, 'idf.liaison');
  assert.ok(done.isf_outcome !== undefined && JSON.stringify(done.isf_outcome).includes('nothing found'), `isf_outcome: ${JSON.stringify(done.isf_outcome)}`);
  // Still ISF HQ's task.
  assert.equal((await c.get_(`/api/v1/tasks/${tid}`, 'idf.liaison')).status, 404);
});

test('referral declined: isf_status is declined', async () => {
  const p = offset([34.262, 31.292], 10, 1400);
  const op = await c.notifyOk(noticeBody(p, { kind: 'other', radius_m: 100, window_from: iso(Date.now() + 30 * H), window_until: iso(Date.now() + 31 * H) }));
  const d = await c.decideOk(op.id, 'cmcc.ops', { decision: 'refer' });
  const cand = await c.get_(`/api/v1/tasks/${d.task}/candidates`, 'isf.hq');
  const pick = cand.body.candidates.find((x) => !x.approval?.required);
  assert.ok(pick, `a candidate without national approval: ${cand.text.slice(0, 300)}`);
  const acct = { 'ISF-AZE': 'isf.aze', 'ISF-EGY': 'isf.egy', 'ISF-IDN': 'isf.idn' }[pick.org];
  assert.equal((await c.post_(`/api/v1/tasks/${d.task}/assign`, 'isf.hq', { unit: pick.unit })).status, 200);
  assert.equal((await c.post_(`/api/v1/tasks/${d.task}/decline`, acct, { note: 'no capacity' })).status, 200);
  assert.equal((await c.getOk(op.id, 'idf.liaison')).isf_status, 'declined');
});

// ------------------------------------------------------------------ advisories
// Expected text of an advisory (docs/operations.md "Advisories").
// The start is rounded down and the end up to the minute: an advisory never
// ends before the danger does.
const upToMinute = (ms) => Math.ceil(ms / 60000) * 60000;
const siteText = (id, f, u) => `${id}: shelter in place between ${gazaHM(f)} and ${gazaHM(upToMinute(u))} local time.`;
const movText = (id, f, u) => `Hold movement ${id} between ${gazaHM(f)} and ${gazaHM(upToMinute(u))} local time.`;

let informOp; // the inform notice over SITE-2 and MOV-1
test('advisories: an inform notice over a site and a movement advises their organisations only, in English and Arabic, with local times, revealing nothing', async () => {
  // Tomorrow, over the MSF clinic (SITE-2), the Nasser hospital (NSL-2) and
  // the WFP convoy's route (MOV-1), all through the convoy's day.
  const mov = (await c.get_('/api/v1/movements/MOV-1', 'cmcc.cdr')).body;
  const from = Date.parse(mov.window_from), until = Date.parse(mov.window_until);
  const marker = `ADVMARK-${Date.now()}`;
  const centre = [34.3021357, 31.3453219];
  informOp = await c.notifyOk({ mode: 'inform', kind: 'air_strike', geometry: pt(centre), radius_m: 1000, window_from: iso(from), window_until: iso(until), urgency: 'priority', description: marker });
  const conf = informOp.conflicts;
  const subjects = (k) => [...new Set(conf.filter((x) => x.kind === k).map((x) => x.id))];
  assert.ok(subjects('site').includes('SITE-2'), `SITE-2 conflicts: ${JSON.stringify(conf)}`);
  assert.ok(subjects('movement').includes('MOV-1'), 'MOV-1 conflicts');
  assert.ok(subjects('nostrike').includes('NSL-2'), 'NSL-2 conflicts');
  assert.ok(informOp.advisories.length >= 2, `advisories at once: ${JSON.stringify(informOp.advisories)}`);
  const byAcct = {};
  for (const u of ['ocha.focal', 'wfp.focal', 'ngo.focal', 'cmcc.watch', 'idf.liaison', 'isf.hq', 'isf.aze']) {
    const r = await c.advisories(u);
    assert.equal(r.status, 200, r.text);
    byAcct[u] = r.body.advisories.filter((a) => informOp.advisories.includes(a.id));
  }
  // To the organisations of the conflicting site and movement, and the CMCC.
  assert.deepEqual(byAcct['ocha.focal'], [], 'OCHA has nothing there');
  assert.deepEqual(byAcct['idf.liaison'], [], 'the notifier gets no advisory');
  assert.deepEqual(byAcct['isf.hq'], []);
  assert.deepEqual(byAcct['isf.aze'], []);
  assert.ok(byAcct['ngo.focal'].length >= 1 && byAcct['ngo.focal'].every((a) => a.org === 'MSF' && a.subject === 'SITE-2'), JSON.stringify(byAcct['ngo.focal']));
  assert.ok(byAcct['wfp.focal'].length >= 1 && byAcct['wfp.focal'].every((a) => a.org === 'UN-WFP' && a.subject === 'MOV-1'), JSON.stringify(byAcct['wfp.focal']));
  assert.equal(byAcct['cmcc.watch'].length, informOp.advisories.length, 'the CMCC sees every advisory');
  // The site: shelter in place for the window, in local time.
  const [site] = byAcct['ngo.focal'];
  assert.equal(Date.parse(site.from), from);
  assert.equal(Date.parse(site.until), until);
  assert.equal(site.text.en, siteText('SITE-2', from, until));
  assert.ok(site.text.ar.includes('SITE-2') && site.text.ar.includes(gazaHM(from)) && site.text.ar.includes(gazaHM(until)), `Arabic: ${site.text.ar}`);
  assert.match(site.text.ar, /[\u0600-\u06FF]/, 'Arabic script');
  assert.notEqual(gazaHM(from).slice(11), new Date(from).toISOString().slice(11, 16), 'local time is not UTC in Gaza');
  assert.equal(site.status, 'issued');
  assert.ok(Number.isFinite(Date.parse(site.issued_at)));
  // The movement: hold while it is inside, within the window.
  for (const a of byAcct['wfp.focal']) {
    const f = Date.parse(a.from), u = Date.parse(a.until);
    assert.ok(f >= from && u <= until && f < u, `the hold lies in the window: ${a.from}..${a.until}`);
    // "Hold movement MOV-1 between <from> and <until> local time." (the end minute may be rounded up)
    assert.ok([movText('MOV-1', f, u), movText('MOV-1', f, Math.ceil(u / MIN) * MIN)].includes(a.text.en), `text: ${a.text.en}`);
    assert.ok(a.text.ar.includes('MOV-1') && a.text.ar.includes(gazaHM(f)), `Arabic: ${a.text.ar}`);
  }
  // Nothing of the operation: not its id, kind, area, description or originator.
  for (const u of ['ngo.focal', 'wfp.focal']) {
    const text = JSON.stringify(byAcct[u]);
    for (const bad of [informOp.id, 'air_strike', marker, 'IDF', 'idf.liaison', '34.302135', '31.345321', '"operation"']) {
      assert.ok(!text.includes(bad), `${u}'s advisories reveal ${bad}: ${text}`);
    }
    for (const a of byAcct[u]) {
      assert.deepEqual(Object.keys(a).filter((k) => !['id', 'org', 'subject', 'from', 'until', 'text', 'status', 'issued_at', 'acknowledged_at', 'issued_seq'].includes(k)), [], `advisory fields: ${Object.keys(a)}`);
    }
  }
});

// Where the contract is silent (issue 6: "what a CMCC watch officer ...
// would expect"): a convoy told to hold gets one instruction per movement,
// and the hold it is told covers the whole time it would be inside the area.
test('advisories: one per conflicting movement, and the hold it states covers the whole time the movement is inside (minutes rounded outwards)', async () => {
  const mov = (await c.get_('/api/v1/movements/MOV-1', 'cmcc.cdr')).body;
  // Around a vertex of the convoy's route: two of its legs pass through the area.
  const op = await c.notifyOk({ mode: 'inform', kind: 'engineering_demolition', geometry: pt(MOV1_ROUTE[2]), radius_m: 200, window_from: mov.window_from, window_until: mov.window_until, urgency: 'priority', description: 'vertex' });
  const legs = op.conflicts.filter((x) => x.id === 'MOV-1');
  assert.ok(legs.length >= 1, JSON.stringify(op.conflicts));
  const inside = [Math.min(...legs.map((x) => Date.parse(x.inside_from))), Math.max(...legs.map((x) => Date.parse(x.inside_until)))];
  const all = (await c.advisories('wfp.focal')).body.advisories.filter((a) => op.advisories.includes(a.id));
  const problems = [];
  if (all.length !== 1) problems.push(`POST /api/v1/operations (inform, Point ${JSON.stringify(MOV1_ROUTE[2])} r 200 m over MOV-1): expected one advisory for MOV-1, got ${all.length}: ${JSON.stringify(all.map((a) => a.text.en))}`);
  const want = [gazaHM(inside[0]), gazaHM(Math.ceil(inside[1] / MIN) * MIN)];
  const m = all.map((a) => /between (\S+ \S+) and (\S+ \S+) local/.exec(a.text.en)).filter(Boolean);
  const said = m.length ? [m.map((x) => x[1]).sort()[0], m.map((x) => x[2]).sort().reverse()[0]] : [];
  if (!(said[0] <= want[0] && said[1] >= want[1])) problems.push(`the movement is inside ${iso(inside[0])}..${iso(inside[1])} (local ${want[0]}..${want[1]} rounded outwards); the advisories say ${JSON.stringify(all.map((a) => a.text.en))}`);
  for (const x of m) if (!(x[1] < x[2])) problems.push(`a hold between the same minute: "${x.input}"`);
  assert.deepEqual(problems, [], problems.join('\n'));
});

// Where the contract is silent: in the hour Gaza's clocks repeat when summer
// time ends, "01:30 local" is two instants; an advisory says which by its
// offset. 2027-10-29T22:00Z (01:00 UTC+3) is followed by 23:00Z (01:00 UTC+2).
test('advisories: a time in the hour the clocks repeat says its offset; other times do not', async () => {
  const p = nextSpot();
  const site = await c.siteOk(siteAt(offset(p, 90, 150), { valid_from: '2027-10-28T00:00:00Z', valid_until: '2027-11-02T00:00:00Z' }), 'ocha.focal');
  const op = await c.notifyOk(noticeBody(p, { mode: 'inform', window_from: '2027-10-29T22:30:00Z', window_until: '2027-10-29T23:30:00Z' }));
  assert.ok(op.conflicts.some((x) => x.id === site.id), JSON.stringify(op.conflicts));
  const a = (await c.advisories('ocha.focal')).body.advisories.find((x) => op.advisories.includes(x.id));
  assert.ok(a, `an advisory for ${site.id}: ${JSON.stringify(op.advisories)}`);
  assert.equal(a.text.en, `${site.id}: shelter in place between 2027-10-30 01:30 (UTC+3) and 2027-10-30 01:30 (UTC+2) local time.`);
  assert.ok(a.text.ar.includes('2027-10-30 01:30 (UTC+3)') && a.text.ar.includes('2027-10-30 01:30 (UTC+2)'), a.text.ar);
  // An hour later nothing is ambiguous: no offset.
  const q = nextSpot();
  const s2 = await c.siteOk(siteAt(offset(q, 90, 150), { valid_from: '2027-10-28T00:00:00Z', valid_until: '2027-11-02T00:00:00Z' }), 'ocha.focal');
  const op2 = await c.notifyOk(noticeBody(q, { mode: 'inform', window_from: '2027-10-30T00:30:00Z', window_until: '2027-10-30T01:30:00Z' }));
  const a2 = (await c.advisories('ocha.focal')).body.advisories.find((x) => op2.advisories.includes(x.id));
  assert.equal(a2.text.en, `${s2.id}: shelter in place between 2027-10-30 02:30 and 2027-10-30 03:30 local time.`);
});

test('advisories: acknowledged by the organisation, on the record with a receipt; once; nobody else may', async () => {
  const mine = (await c.advisories('ngo.focal')).body.advisories.filter((a) => informOp.advisories.includes(a.id));
  const adv = mine[0];
  const wfpAdv = (await c.advisories('wfp.focal')).body.advisories.find((a) => informOp.advisories.includes(a.id));
  const path = `/api/v1/advisories/${adv.id}/acknowledge`;
  // Not another humanitarian (cannot see it: 404 as for a missing one), not the CMCC (not its organisation).
  const s0 = await healthSize(server);
  const other = await c.post_(path, 'wfp.focal', {});
  const missing = await c.post_('/api/v1/advisories/ADV-999999/acknowledge', 'wfp.focal', {});
  assert.equal(other.status, 404, other.text);
  assert.equal(shapeOf(other, adv.id, 'ADV-X'), shapeOf(missing, 'ADV-999999', 'ADV-X'));
  const cmcc = await c.post_(path, 'cmcc.watch', {});
  assert.equal(cmcc.status, 403, cmcc.text);
  assert.equal(await healthSize(server), s0, 'nothing written by the refusals');
  const r = await c.post_(path, 'ngo.focal', { note: 'staff informed' });
  assert.equal(r.status, 200, r.text);
  assert.equal(checkReceipt(r.body.receipt, key), null, 'the receipt verifies');
  const ev = JSON.parse(r.body.receipt.event);
  assert.equal(ev.subject, adv.id);
  assert.equal(ev.actor, 'ngo.focal');
  // On the record: the proof of that event, for the organisation and the CMCC.
  for (const u of ['ngo.focal', 'cmcc.watch']) {
    const p = await c.get_(`/api/v1/log/proof/${ev.seq}`, u);
    assert.equal(p.status, 200, `${u}: ${p.text}`);
    assert.equal(checkReceipt(p.body, key), null);
  }
  const now = (await c.advisories('ngo.focal')).body.advisories.find((a) => a.id === adv.id);
  assert.equal(now.status, 'acknowledged');
  assert.ok(Math.abs(Date.parse(now.acknowledged_at) - Date.now()) < 60e3);
  const seen = (await c.advisories('cmcc.watch')).body.advisories.find((a) => a.id === adv.id);
  assert.equal(seen.status, 'acknowledged', 'the CMCC sees the acknowledgement');
  const again = await c.post_(path, 'ngo.focal', {});
  assert.equal(again.status, 409, again.text);
  assert.equal((await c.advisories('wfp.focal')).body.advisories.find((a) => a.id === wfpAdv.id).status, 'issued', 'the others are untouched');
});

test('advisories: a coordinate notice advises only when concurred, once; an acknowledged inform notice is not advised twice', async () => {
  const p = nextSpot();
  const site = await c.siteOk(siteAt(offset(p, 180, 150)), 'ocha.focal');
  const op = await c.notifyOk(noticeBody(p, { mode: 'coordinate' }));
  assert.ok(op.conflicts.some((x) => x.id === site.id));
  assert.deepEqual(op.advisories, [], 'a coordinate notice advises nobody before the CMCC concurs');
  const ocha0 = (await c.advisories('ocha.focal')).body.advisories.length;
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'concur' });
  assert.equal(d.advisories.length, 1, `one advisory on concurrence: ${JSON.stringify(d.advisories)}`);
  const ocha = (await c.advisories('ocha.focal')).body.advisories;
  assert.equal(ocha.length, ocha0 + 1);
  const a = ocha.find((x) => x.id === d.advisories[0]);
  assert.equal(a.subject, site.id);
  assert.equal(a.text.en, siteText(site.id, Date.parse(op.window_from), Date.parse(op.window_until)));
  // Inform: advised at once; acknowledging does not advise again.
  const q = nextSpot();
  const s2 = await c.siteOk(siteAt(offset(q, 0, 150)), 'ocha.focal');
  const inf = await c.notifyOk(noticeBody(q, { mode: 'inform' }));
  assert.equal(inf.advisories.length, 1);
  const ack = await c.decideOk(inf.id, 'cmcc.cdr', { decision: 'acknowledge' });
  assert.deepEqual(ack.advisories, inf.advisories, 'advisories are sent once');
  assert.ok((await c.advisories('ocha.focal')).body.advisories.filter((x) => x.subject === s2.id).length === 1);
  // Referred or objected: no advisory.
  const r = nextSpot();
  await c.siteOk(siteAt(offset(r, 0, 150)), 'ocha.focal');
  const ref = await c.notifyOk(noticeBody(r));
  const refd = await c.decideOk(ref.id, 'cmcc.cdr', { decision: 'object', reasons: 'no' });
  assert.deepEqual(refd.advisories, []);
});

// ------------------------------------------------------------------ record
const pause = (ms) => new Promise((res) => setTimeout(res, ms));
test('record: GET /operations/{id}/record?as_of=T before and after each decision returns what was known then', async () => {
  const p = nextSpot();
  const site = await c.siteOk(siteAt(offset(p, 90, 200)));
  const t0 = Date.now();
  await pause(30);
  const op = await c.notifyOk(noticeBody(p, { description: 'record me' }));
  await pause(30);
  const t1 = Date.now();
  await pause(30);
  const d1 = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'request_narrowing', note: 'narrow please' });
  await pause(30);
  const t2 = Date.now();
  await pause(30);
  const r3 = await c.respond(op.id, 'idf.liaison', { response: 'accept' });
  assert.equal(r3.status, 200, r3.text);
  await pause(30);
  const t3 = Date.now();
  await pause(30);
  await c.decideOk(op.id, 'cmcc.watch', { decision: 'concur' });
  await pause(30);
  const t4 = Date.now();
  await pause(30);
  // An alert after the concurrence: a new site inside the narrowed area.
  await c.siteOk(siteAt(offset(p, 270, 10), { category: 'office' }));
  await pause(30);
  const t5 = Date.now();
  await pause(30);
  const o = await c.outcome(op.id, 'idf.liaison', { result: 'with_changes' });
  assert.equal(o.status, 200, o.text);
  await pause(30);
  const t6 = Date.now();
  const rec = async (t) => {
    const r = await c.record(op.id, 'cmcc.cdr', `?as_of=${encodeURIComponent(iso(t))}`);
    return r;
  };
  const problems = [];
  const expectRec = async (t, label, f) => {
    const r = await rec(t);
    if (r.status !== 200) { problems.push(`as_of ${label}: ${r.status} ${r.text.slice(0, 200)}`); return; }
    try { f(r.body); } catch (e) { problems.push(`as_of ${label}: ${e.message.split('\n')[0]} — got status ${r.body.operation?.status}, ${r.body.operation?.decisions?.length} decision(s), ${r.body.events?.length} event(s)`); }
  };
  // Before the notice: 404 naming as_of.
  const r0 = await rec(t0);
  if (!(r0.status === 404 && r0.body?.error?.field === 'as_of')) problems.push(`as_of before the notice (${iso(t0)}): expected 404 field as_of, got ${r0.status} ${r0.text.slice(0, 200)}`);
  await expectRec(t1, 't1 (notified)', (b) => {
    assert.equal(Date.parse(b.as_of), t1);
    assert.equal(b.operation.status, 'pending');
    assert.equal(b.operation.decisions.length, 0);
    assert.equal(b.operation.radius_m, 120);
    assert.ok(b.operation.conflicts.some((x) => x.id === site.id), 'the conflicts found then');
    assert.equal(b.operation.notified_by, 'idf.liaison');
    assert.equal(b.operation.notified_at, op.notified_at);
    assert.deepEqual(b.events.map((e) => e.kind), ['operation.notified']);
  });
  await expectRec(t2, 't2 (narrowing requested)', (b) => {
    assert.equal(b.operation.status, 'narrowing_requested');
    assert.equal(b.operation.decisions.length, 1);
    assert.equal(b.operation.decisions[0].by, 'cmcc.cdr');
    assert.equal(b.operation.decisions[0].at, d1.decisions[0].at);
    assert.equal(b.operation.radius_m, 120, 'still the notified radius');
    assert.deepEqual(b.events.map((e) => e.actor), ['idf.liaison', 'cmcc.cdr']);
  });
  await expectRec(t3, 't3 (proposal accepted)', (b) => {
    assert.equal(b.operation.status, 'pending');
    assert.equal(b.operation.radius_m, d1.proposal.radius_m, 'the amended notice');
    assert.deepEqual(b.operation.conflicts, []);
    assert.equal(b.operation.decisions.length, 1);
  });
  await expectRec(t4, 't4 (concurred)', (b) => {
    assert.equal(b.operation.status, 'concurred');
    assert.deepEqual(b.operation.decisions.map((d) => [d.decision, d.by]), [['request_narrowing', 'cmcc.cdr'], ['concur', 'cmcc.watch']]);
    assert.deepEqual(b.operation.alerts, [], 'no alert yet');
    assert.equal(b.operation.outcome, undefined);
  });
  await expectRec(t5, 't5 (alert raised)', (b) => {
    assert.equal(b.operation.alerts.length, 1, 'the alert raised by then');
    assert.equal(b.operation.outcome, undefined);
  });
  await expectRec(t6, 't6 (outcome)', (b) => {
    assert.equal(b.operation.outcome?.result, 'with_changes');
    assert.deepEqual(b.events.map((e) => e.kind), ['operation.notified', 'operation.decided', 'operation.amended', 'operation.decided', 'operation.outcome']);
    for (const e of b.events) assert.ok(Number.isInteger(e.seq) && Date.parse(e.at) <= t6 && Date.parse(e.at) > t0, `event time ${e.at}`);
  });
  // Without as_of: now.
  const nowRec = await c.record(op.id, 'cmcc.cdr');
  if (nowRec.status !== 200 || nowRec.body.operation.outcome?.result !== 'with_changes') problems.push(`record without as_of: ${nowRec.status} ${nowRec.text.slice(0, 200)}`);
  // The notifier may read it too.
  if ((await c.record(op.id, 'idf.liaison', `?as_of=${iso(t4)}`)).status !== 200) problems.push('the IDF liaison cannot read the record');
  assert.deepEqual(problems, [], problems.join('\n'));
});

// ------------------------------------------------------------------ bad input
test('bad input: every endpoint answers a 4xx naming the field and writes nothing', async () => {
  const problems = [];
  const base = (over = {}) => noticeBody(nextSpotForBad(), over);
  const pending = await build('P0');
  const narrowing = await build('NR');
  const begun = await build('C0');
  const adv = (await c.advisories('ngo.focal')).body.advisories[0];
  const cases = [
    // POST /api/v1/operations
    ...['mode', 'kind', 'geometry', 'window_from', 'window_until', 'urgency', 'description'].map((f) => {
      const b = base(); delete b[f];
      return ['POST', '/api/v1/operations', 'idf.liaison', b, f];
    }),
    ['POST', '/api/v1/operations', 'idf.liaison', base({ mode: 'maybe' }), 'mode'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ kind: 'nuclear' }), 'kind'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ urgency: 'asap' }), 'urgency'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ geometry: { type: 'LineString', coordinates: [[34.3, 31.4], [34.31, 31.41]] } }), /^geometry/],
    ['POST', '/api/v1/operations', 'idf.liaison', { ...base(), radius_m: undefined, geometry: { type: 'MultiPolygon', coordinates: [[starRing([34.40, 31.45], 5, 300, 300)], [starRing([34.42, 31.46], 5, 300, 300)]] } }, /^geometry/],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ geometry: pt([200, 100]) }), /^geometry/],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ geometry: pt([35.6, 32.6]) }), /^geometry/],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ geometry: { type: 'Polygon', coordinates: [[[34.40, 31.45], [34.41, 31.45], [34.40, 31.46], [34.41, 31.46], [34.40, 31.45]]] }, radius_m: undefined }), /^geometry/],
    ['POST', '/api/v1/operations', 'idf.liaison', { ...base(), radius_m: undefined }, 'radius_m'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ radius_m: 0 }), 'radius_m'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ radius_m: 20001 }), 'radius_m'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ radius_m: '100' }), 'radius_m'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ geometry: { type: 'Polygon', coordinates: [starRing([34.40, 31.45], 5, 300, 300)] }, radius_m: 100 }), 'radius_m'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ window_from: 'tomorrow' }), 'window_from'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ window_until: iso(Date.now() - 2 * H) }), 'window_until'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ window_from: iso(Date.now()), window_until: iso(Date.now() + 7 * D + MIN) }), 'window_until'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ mode: 'inform', answer_by: iso(Date.now() + H) }), 'answer_by'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ answer_by: iso(Date.now() - H) }), 'answer_by'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ answer_by: 'soon' }), 'answer_by'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ description: '' }), 'description'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ description: 'x'.repeat(2001) }), 'description'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ description: 42 }), 'description'],
    ['POST', '/api/v1/operations', 'idf.liaison', base({ target: 'a named person' }), 'target'],
    // decision
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', {}, 'decision'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'veto' }, 'decision'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 7 }, 'decision'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'object' }, 'reasons'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'object', reasons: '' }, 'reasons'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'object', reasons: 'r'.repeat(4001) }, 'reasons'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'concur', note: 'n'.repeat(2001) }, 'note'],
    ['POST', `/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr', { decision: 'concur', by: 'someone' }, 'by'],
    // respond
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', {}, 'response'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'ignore' }, 'response'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'answer' }, 'note'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'answer', note: '' }, 'note'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', geometry: { type: 'LineString', coordinates: [[34.3, 31.4], [34.31, 31.41]] } }, /^geometry/],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', geometry: pt(narrowing.geometry.coordinates) }, 'radius_m'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', radius_m: 0 }, 'radius_m'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', radius_m: 20001 }, 'radius_m'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', window_until: iso(Date.parse(narrowing.window_from) - H) }, 'window_until'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', window_until: iso(Date.parse(narrowing.window_from) + 8 * D) }, 'window_until'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', window_from: 'noon' }, 'window_from'],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', geometry: pt([35.6, 32.6]), radius_m: 100 }, /^geometry/],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'amend', geometry: { type: 'MultiPolygon', coordinates: [[starRing([34.40, 31.45], 5, 300, 300)], [starRing([34.42, 31.46], 5, 300, 300)]] } }, /^geometry/],
    ['POST', `/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison', { response: 'accept', kind: 'arrest' }, 'kind'],
    // outcome
    ['POST', `/api/v1/operations/${begun.id}/outcome`, 'idf.liaison', {}, 'result'],
    ['POST', `/api/v1/operations/${begun.id}/outcome`, 'idf.liaison', { result: 'done' }, 'result'],
    ['POST', `/api/v1/operations/${begun.id}/outcome`, 'idf.liaison', { result: 'as_notified', incidents: 'INC-1' }, 'incidents'],
    ['POST', `/api/v1/operations/${begun.id}/outcome`, 'idf.liaison', { result: 'as_notified', note: 'n'.repeat(4001) }, 'note'],
    ['POST', `/api/v1/operations/${begun.id}/outcome`, 'idf.liaison', { result: 'as_notified', casualties: 0 }, 'casualties'],
    // reads
    ['GET', `/api/v1/operations/${pending.id}/record?as_of=yesterday`, 'cmcc.cdr', undefined, 'as_of'],
    ['GET', `/api/v1/operations/${pending.id}/record?as_of=${iso(Date.now() - 30 * D)}`, 'cmcc.cdr', undefined, 'as_of'],
    ['GET', '/api/v1/operations?queue=mine', 'cmcc.cdr', undefined, 'queue'],
    // advisories
    ['POST', `/api/v1/advisories/${adv?.id || 'ADV-1'}/acknowledge`, 'ngo.focal', { note: 'n'.repeat(2001) }, 'note'],
    ['POST', `/api/v1/advisories/${adv?.id || 'ADV-1'}/acknowledge`, 'ngo.focal', { seen: true }, 'seen'],
  ];
  const snapshot = async () => JSON.stringify([await c.getOk(pending.id), await c.getOk(narrowing.id), await c.getOk(begun.id)].map((o) => { const x = { ...o }; delete x.seconds_left; return x; }));
  const snap = await snapshot();
  const listBefore = (await c.list('cmcc.cdr')).body.operations.length;
  for (const [method, path, user, body, field] of cases) {
    const what = `${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 160)}`;
    const s0 = await healthSize(server);
    const r = await server.api(method, path, { token: tokens[user], body });
    const s1 = await healthSize(server);
    if (s1 !== s0) problems.push(`${what}: WROTE to the log (${s0} -> ${s1}), ${r.status} ${r.text.slice(0, 160)}`);
    if (r.status < 400 || r.status >= 500) { problems.push(`${what}: expected a 4xx naming ${field}, got ${r.status} ${r.text.slice(0, 200)}`); continue; }
    const f = r.body?.error?.field;
    const okField = field instanceof RegExp ? field.test(String(f)) : f === field;
    if (!okField) problems.push(`${what}: expected field ${field}, got ${r.status} ${r.text.slice(0, 200)}`);
    if (!r.body?.error?.message) problems.push(`${what}: no message`);
  }
  // Not JSON; unknown ids.
  for (const [path, user] of [['/api/v1/operations', 'idf.liaison'], [`/api/v1/operations/${pending.id}/decision`, 'cmcc.cdr'], [`/api/v1/operations/${narrowing.id}/respond`, 'idf.liaison'], [`/api/v1/operations/${begun.id}/outcome`, 'idf.liaison']]) {
    const s0 = await healthSize(server);
    const r = await server.api('POST', path, { token: tokens[user], body: '{"mode": ', headers: { 'Content-Type': 'application/json' } });
    if (r.status !== 400 || (await healthSize(server)) !== s0) problems.push(`POST ${path} malformed JSON: ${r.status} ${r.text.slice(0, 160)}`);
  }
  for (const [path, user, body] of [['/api/v1/operations/OPN-999999/decision', 'cmcc.cdr', { decision: 'concur' }], ['/api/v1/operations/OPN-999999/respond', 'idf.liaison', { response: 'answer', note: 'x' }], ['/api/v1/operations/OPN-999999/outcome', 'idf.liaison', { result: 'as_notified' }], ['/api/v1/advisories/ADV-999999/acknowledge', 'ngo.focal', {}]]) {
    const r = await c.post_(path, user, body);
    if (r.status !== 404) problems.push(`POST ${path}: expected 404, got ${r.status} ${r.text.slice(0, 160)}`);
  }
  for (const path of ['/api/v1/operations/OPN-999999', '/api/v1/operations/OPN-999999/record']) {
    const r = await c.get_(path, 'cmcc.cdr');
    if (r.status !== 404) problems.push(`GET ${path}: expected 404, got ${r.status}`);
  }
  if ((await snapshot()) !== snap) problems.push('the operations changed');
  if ((await c.list('cmcc.cdr')).body.operations.length !== listBefore) problems.push('an operation was added');
  assert.deepEqual(problems, [], `${problems.length} problem(s):\n${problems.join('\n')}`);
});

let badSpot = null;
function nextSpotForBad() {
  if (!badSpot) badSpot = nextSpot();
  return badSpot;
}

// Deadlines of coordinate notices with the controllable clock (serve
// --test-clock, docs/operations.md "Alerts and deadlines" and "Testing with a
// controllable clock"): an unanswered notice escalates at half of its time to
// answer to POS-CMCC-CDR, and at all of it to the commander's superiors
// (POS-SECSTATE, POS-CENTCOM-CDR), whose desks then see it in
// ?queue=escalated; an answered one never escalates. Objections go to both
// superiors at once. Decision times on /metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeDir, startServer, openStream } from './lib.mjs';
import { H, MIN, iso, places, offset, noticeBody, siteAt, movementAlong, loginMany, opsClient, healthSize } from '../lib/operations.mjs';

const NAMES = ['admin', 'idf.liaison', 'cmcc.watch', 'cmcc.ops', 'cmcc.cdr', 'state.desk', 'centcom.desk', 'ocha.focal', 'wfp.focal', 'isf.hq', 'board.chair'];
let server, tokens, c, spots, loggedAt;
before(async () => {
  server = await startServer({ dir: makeDir(), args: ['--test-clock'] });
  tokens = await loginMany(server, NAMES);
  loggedAt = Date.now();
  c = opsClient(server, tokens);
  spots = places({ spacing: 600, jitter: 5 });
});
after(async () => {
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
});

// Moves the server's clock forward; returns the server's new now (ms).
async function advance(seconds) {
  const r = await server.api('POST', '/api/v1/admin/clock', { token: tokens.admin, body: { advance_s: seconds } });
  assert.equal(r.status, 200, `clock: ${r.status} ${r.text}`);
  const now = Date.parse(r.body.now);
  // Sessions last 12 hours of the server's time: log in again well before.
  if (now - loggedAt > 8 * H) {
    Object.assign(tokens, await loginMany(server, NAMES));
    loggedAt = now;
  }
  return now;
}
// The server's now: the clock endpoint with 0 s.
const serverNow = () => advance(0);

const ids = (r) => r.body.operations.map((o) => o.id);
async function escalatedFor(u) {
  const r = await c.list(u, '?queue=escalated');
  assert.equal(r.status, 200, `${u}: ${r.text}`);
  return ids(r);
}
const coordinate = async (over = {}) => {
  const now = await serverNow();
  return c.notifyOk(noticeBody(spots.shift(), { urgency: 'urgent', window_from: iso(now + 3 * H), window_until: iso(now + 5 * H), ...over }));
};

test('the clock moves only on a --test-clock server, only for an admin, with a valid advance_s; it never goes back', async () => {
  const t0 = await serverNow();
  for (const u of ['cmcc.cdr', 'idf.liaison', 'state.desk']) {
    const r = await server.api('POST', '/api/v1/admin/clock', { token: tokens[u], body: { advance_s: 60 } });
    assert.equal(r.status, 403, `${u}: ${r.text}`);
  }
  const s0 = await healthSize(server);
  for (const [body, field] of [[{}, 'advance_s'], [{ advance_s: -60 }, 'advance_s'], [{ advance_s: 'soon' }, 'advance_s'], [{ advance_s: 40 * 86400 }, 'advance_s'], [{ advance_s: 60, back: true }, 'back']]) {
    const r = await server.api('POST', '/api/v1/admin/clock', { token: tokens.admin, body });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.body.error.field, field, `${JSON.stringify(body)}: ${r.text}`);
  }
  assert.equal(await healthSize(server), s0, 'nothing written');
  const t1 = await serverNow();
  assert.ok(t1 - t0 < 60e3, 'the refused advances did not move the clock');
});

test('an urgent coordinate notice: nothing at 29 min; level 1 to POS-CMCC-CDR at 31 min; level 2 to POS-SECSTATE and POS-CENTCOM-CDR at 61 min, then the state and CENTCOM desks see it', async () => {
  const op = await coordinate({ description: 'escalate me' });
  assert.equal(op.status, 'pending');
  const minutes = (Date.parse(op.answer_by) - Date.parse(op.notified_at)) / MIN;
  assert.ok(Math.abs(minutes - 60) < 0.1, `urgent: 60 minutes to answer, got ${minutes}`);
  // Before: the superiors' desks do not see it at all.
  for (const u of ['state.desk', 'centcom.desk']) {
    assert.ok(!(await escalatedFor(u)).includes(op.id), `${u} before`);
    assert.equal((await c.get(op.id, u)).status, 404, `${u} cannot read it before`);
  }
  assert.ok(!(await escalatedFor('cmcc.cdr')).includes(op.id));
  const t0 = Date.parse(op.notified_at);

  await advance(Math.round((t0 + 29 * MIN - (await serverNow())) / 1000));
  let now = await c.getOk(op.id);
  assert.deepEqual(now.escalations, [], `no escalation at 29 min: ${JSON.stringify(now.escalations)}`);
  assert.ok(!now.escalation_level, `level ${now.escalation_level}`);
  assert.ok(now.seconds_left > 30 * 60 && now.seconds_left <= 31 * 60 + 5, `countdown ${now.seconds_left}`);
  assert.ok(!(await escalatedFor('cmcc.cdr')).includes(op.id));

  await advance(2 * 60);
  now = await c.getOk(op.id);
  assert.equal(now.escalation_level, 1, `level 1 at 31 min: ${JSON.stringify(now.escalations)}`);
  assert.equal(now.escalations.length, 1);
  assert.deepEqual(now.escalations[0].to, ['POS-CMCC-CDR']);
  assert.equal(now.escalations[0].level, 1);
  assert.ok(Math.abs(Date.parse(now.escalations[0].at) - (t0 + 31 * MIN)) < 5 * MIN, `escalated at ${now.escalations[0].at}`);
  assert.ok((await escalatedFor('cmcc.cdr')).includes(op.id), 'the commander sees it in ?queue=escalated');
  assert.ok(!(await escalatedFor('cmcc.ops')).includes(op.id), 'not the deputy: the escalation went to POS-CMCC-CDR');
  for (const u of ['state.desk', 'centcom.desk']) assert.ok(!(await escalatedFor(u)).includes(op.id), `${u} at 31 min`);
  assert.ok(!now.labels.includes('org:USG-STATE'));

  await advance(30 * 60);
  now = await c.getOk(op.id);
  assert.equal(now.escalation_level, 2, `level 2 at 61 min: ${JSON.stringify(now.escalations)}`);
  assert.equal(now.escalations.length, 2);
  assert.deepEqual([...now.escalations[1].to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE']);
  assert.equal(now.escalations[1].level, 2);
  assert.ok(now.labels.includes('org:USG-STATE') && now.labels.includes('org:CENTCOM'), `labels ${now.labels}`);
  assert.equal(now.status, 'pending', 'escalation does not decide');
  for (const u of ['state.desk', 'centcom.desk']) {
    assert.ok((await escalatedFor(u)).includes(op.id), `${u} sees it in ?queue=escalated`);
    const g = await c.get(op.id, u);
    assert.equal(g.status, 200, `${u} may read it: ${g.text}`);
  }
  // Once: more time changes nothing.
  await advance(3600);
  assert.equal((await c.getOk(op.id)).escalations.length, 2);
  // The board chair (another leadership account) still does not see it.
  assert.ok(!(await escalatedFor('board.chair')).includes(op.id));
  assert.equal((await c.get(op.id, 'board.chair')).status, 404);
});

test('escalation in one big step: past the deadline at once, the commander is told (level 1) and then the superiors (level 2)', async () => {
  const op = await coordinate({ urgency: 'immediate' });
  assert.ok(Math.abs((Date.parse(op.answer_by) - Date.parse(op.notified_at)) / MIN - 15) < 0.1, 'immediate: 15 minutes');
  await advance(16 * 60);
  const now = await c.getOk(op.id);
  assert.equal(now.escalation_level, 2, JSON.stringify(now.escalations));
  assert.deepEqual(now.escalations.map((e) => [e.level, [...e.to].sort().join()]), [[1, 'POS-CMCC-CDR'], [2, 'POS-CENTCOM-CDR,POS-SECSTATE']]);
  assert.ok((await escalatedFor('state.desk')).includes(op.id));
  assert.ok((await escalatedFor('cmcc.cdr')).includes(op.id));
});

test('an outcome takes an unanswered notice out of the deadline: no escalation, no countdown, not in the decisions queue, not pending on /metrics', async () => {
  const now = await serverNow();
  const op = await c.notifyOk(noticeBody(spots.shift(), { urgency: 'urgent', window_from: iso(now - H), window_until: iso(now + 3 * H) }));
  const pendingGauge = async () => Number(/^truce_ops_pending (\d+)$/m.exec(await (await fetch(`${server.base}/metrics`)).text())[1]);
  const g0 = await pendingGauge();
  const o = await c.outcome(op.id, 'idf.liaison', { result: 'not_carried_out' });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.body.operation.seconds_left, undefined, 'no countdown after the outcome');
  assert.equal(await pendingGauge(), g0 - 1);
  assert.ok(!ids(await c.list('cmcc.watch', '?queue=decisions')).includes(op.id));
  await advance(2 * 3600);
  assert.deepEqual((await c.getOk(op.id)).escalations, [], 'no escalation after the outcome');
  for (const u of ['state.desk', 'centcom.desk', 'cmcc.cdr']) assert.ok(!(await escalatedFor(u)).includes(op.id));
});

test('a notice answered in time never escalates; one answered after level 1 stops there', async () => {
  const a = await coordinate();
  const b = await coordinate();
  const t0 = Date.parse(a.notified_at);
  await advance(Math.round((t0 + 20 * MIN - (await serverNow())) / 1000));
  await c.decideOk(a.id, 'cmcc.watch', { decision: 'concur' });
  await advance(15 * 60); // 35 min: b is at level 1
  assert.equal((await c.getOk(b.id)).escalation_level, 1);
  await c.decideOk(b.id, 'cmcc.ops', { decision: 'request_narrowing' });
  await advance(2 * 3600);
  const na = await c.getOk(a.id), nb = await c.getOk(b.id);
  assert.deepEqual(na.escalations, [], `answered at 20 min: ${JSON.stringify(na.escalations)}`);
  assert.equal(nb.escalations.length, 1, `answered after level 1: ${JSON.stringify(nb.escalations)}`);
  for (const u of ['state.desk', 'centcom.desk']) {
    const e = await escalatedFor(u);
    assert.ok(!e.includes(a.id) && !e.includes(b.id), `${u}: ${e}`);
  }
  // An inform notice has no deadline.
  const now = await serverNow();
  const inf = await c.notifyOk(noticeBody(spots.shift(), { mode: 'inform', urgency: 'immediate', window_from: iso(now + H), window_until: iso(now + 2 * H) }));
  assert.equal(inf.answer_by, undefined);
  await advance(3600);
  assert.deepEqual((await c.getOk(inf.id)).escalations, []);
});

test('an explicit answer_by sets the deadline: half of it, then all of it', async () => {
  const now = await serverNow();
  const op = await coordinate({ urgency: 'routine', answer_by: iso(now + 40 * MIN) });
  assert.equal(Date.parse(op.answer_by), now + 40 * MIN);
  await advance(19 * 60);
  assert.ok(!(await c.getOk(op.id)).escalation_level);
  await advance(2 * 60);
  assert.equal((await c.getOk(op.id)).escalation_level, 1);
  await advance(20 * 60);
  assert.equal((await c.getOk(op.id)).escalation_level, 2);
});

test('an objection is escalated to both superiors at once; the state and CENTCOM desks see it in their queues', async () => {
  const op = await coordinate({ urgency: 'routine', description: 'object to me' });
  for (const u of ['state.desk', 'centcom.desk']) assert.ok(!(await escalatedFor(u)).includes(op.id));
  const d = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'object', reasons: 'the clinic next door' });
  assert.equal(d.status, 'objected');
  const esc = d.escalations[d.escalations.length - 1];
  assert.deepEqual([...esc.to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE']);
  assert.deepEqual([...d.decisions[0].escalated_to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE']);
  assert.equal(d.decisions[0].reasons, 'the clinic next door');
  for (const u of ['state.desk', 'centcom.desk']) {
    assert.ok((await escalatedFor(u)).includes(op.id), `${u} sees the objection`);
    const g = await c.get(op.id, u);
    assert.equal(g.status, 200);
    assert.equal(g.body.decisions[0].reasons, 'the clinic next door');
  }
  // The deadline no longer runs: an objected notice is answered.
  await advance(25 * 3600);
  const now = await c.getOk(op.id);
  assert.equal(now.escalations.length, 1, JSON.stringify(now.escalations));
  assert.equal(now.seconds_left, undefined, 'no countdown once answered');
  // The humanitarians and ISF HQ still do not.
  for (const u of ['ocha.focal', 'isf.hq']) {
    assert.ok(!(await escalatedFor(u)).includes(op.id));
    assert.equal((await c.get(op.id, u)).status, 404);
  }
});

test('the superiors an objection goes to see the notice and its decisions, never the sites and movements it conflicts with: not in GET, lists, the record, the stream or the raw log', async () => {
  const now = await serverNow();
  const p = spots.shift();
  const since = await healthSize(server);
  const stream = await openStream(server.base, { token: tokens['state.desk'], lastEventId: since });
  // The notice conflicts with a site of OCHA and a movement of WFP, which the desks may not see.
  const site = await c.siteOk(siteAt(offset(p, 90, 60)));
  const t0 = now + 3.5 * H;
  const mov = await c.movementOk(movementAlong([offset(p, 270, 150), offset(p, 90, 150)], t0, 20 * MIN, { window_from: iso(t0 - 30 * MIN) }));
  const op = await c.notifyOk(noticeBody(p, { urgency: 'routine', window_from: iso(now + 3 * H), window_until: iso(now + 5 * H) }));
  const hidden = [site.id, mov.id];
  for (const id of hidden) {
    assert.ok(op.conflicts.some((x) => x.id === id), `the notice conflicts with ${id}: ${JSON.stringify(op.conflicts)}`);
    for (const u of ['state.desk', 'centcom.desk']) assert.equal((await c.get_(`/api/v1/${id.startsWith('MOV') ? 'movements' : 'sites'}/${id}`, u)).status, 404, `${u} may not see ${id}`);
  }
  // Objected (the desks now see it), concurred, then a new site raises an alert, narrowing is asked, the notifier amends.
  const objected = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'object', reasons: 'convoy and store in the area' });
  assert.ok(objected.decisions[0].conflicts.some((x) => x.id === site.id), 'the CMCC still sees what its objection was made on');
  await c.decideOk(op.id, 'cmcc.cdr', { decision: 'concur', note: 'after the call' });
  const late = await c.siteOk(siteAt(offset(p, 0, 70)));
  hidden.push(late.id);
  assert.ok((await c.getOk(op.id)).alerts.some((a) => a.conflict.id === late.id), 'the new site is an alert');
  const asked = await c.decideOk(op.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  // The proposal is cut around the site and the convoy: it tells where and when they are.
  assert.ok(asked.decisions[2].proposal && asked.proposal, `the CMCC sees the proposal: ${JSON.stringify(asked.decisions[2])}`);
  assert.ok((await c.getOk(op.id, 'idf.liaison')).proposal, 'the notifier sees the proposal it may accept');
  for (const u of ['state.desk', 'centcom.desk']) {
    const g = await c.get(op.id, u);
    assert.ok(!/"proposal"/.test(g.text), `${u} reads no proposal: ${g.text.slice(0, 400)}`);
  }
  const am = await c.respond(op.id, 'idf.liaison', { response: 'amend', radius_m: 110 });
  assert.equal(am.status, 200, am.text);
  assert.equal(JSON.parse(am.body.receipt.event).kind, 'operation.amended', 'the reply\'s receipt is the amendment\'s');
  const cdr = await c.getOk(op.id);
  for (const id of [site.id, mov.id]) assert.ok(cdr.conflicts.some((x) => x.id === id), `the CMCC sees ${id} among the amended notice's conflicts`);
  assert.ok(cdr.decisions.every((d) => Array.isArray(d.conflicts)), 'every decision still records its conflicts for the CMCC');
  assert.equal(cdr.decisions.length, 3);
  assert.ok((await c.getOk(op.id, 'idf.liaison')).conflicts.some((x) => x.id === mov.id), 'the notifier too');
  const cdrRecord = await c.record(op.id, 'cmcc.cdr');
  assert.equal(cdrRecord.status, 200, cdrRecord.text);
  assert.ok(cdrRecord.body.operation.conflicts.some((x) => x.id === site.id), 'the record keeps the conflicts for the CMCC');
  assert.ok(cdrRecord.body.operation.decisions[0].conflicts.some((x) => x.id === site.id));
  // A sentinel everyone sees closes the stream.
  const s = await server.api('POST', '/api/v1/journal', { token: tokens['cmcc.watch'], body: { text: 'sentinel', labels: ['all'] } });
  assert.equal(s.status, 201, s.text);
  const leaks = [];
  const look = (u, what, text) => {
    for (const id of hidden) if (new RegExp(`${id}(?![0-9])`).test(text)) leaks.push(`${u}: ${what} names ${id}`);
    if (/\\?"proposal\\?"/.test(text)) leaks.push(`${u}: ${what} holds the narrowing proposal`);
  };
  for (const u of ['state.desk', 'centcom.desk']) {
    const g = await c.get(op.id, u);
    assert.equal(g.status, 200, `${u} sees the objected notice`);
    assert.equal(g.body.decisions[0].reasons, 'convoy and store in the area');
    look(u, 'GET', g.text);
    look(u, 'the escalated queue', (await c.list(u, '?queue=escalated')).text);
    look(u, 'the list', (await c.list(u)).text);
    assert.ok(!ids(await c.list(u, '?queue=alerts')).includes(op.id), `${u}: no alert it may see, so not in its alerts queue`);
    const rec = await c.record(op.id, u);
    assert.equal(rec.status, 200, rec.text);
    look(u, 'the record', rec.text);
    for (const e of rec.body.events) assert.equal((await server.api('GET', `/api/v1/log/proof/${e.seq}`, { token: tokens[u] })).status, 200, `${u}: the record lists event ${e.seq} (${e.kind}), which it may see`);
    const ev = await server.api('GET', `/api/v1/log/events?after=${since}&limit=1000`, { token: tokens[u] });
    assert.equal(ev.status, 200, ev.text);
    assert.ok(ev.body.events.some((e) => e.subject === op.id && e.kind === 'operation.decided'), `${u} reads the objection in the log`);
    look(u, 'the raw log', ev.text);
    for (const e of ev.body.events) look(u, `the receipt of ${e.seq}`, (await server.api('GET', `/api/v1/log/proof/${e.seq}`, { token: tokens[u] })).text);
  }
  await stream.waitFor((e) => Number(e.id) === s.body.seq, 5000);
  stream.close();
  assert.ok(stream.events.some((e) => e.event === 'operation.decided'), 'the desk\'s stream carries the objection');
  for (const e of stream.events) look('state.desk', `stream event ${e.id} (${e.event})`, e.data);
  assert.deepEqual(leaks, [], leaks.join('\n'));
});

test('/metrics: decision times from notice to first decision (sum, count, max) and the pending gauge', async () => {
  const metric = async (name) => {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
    assert.ok(m, `${name} on /metrics`);
    return Number(m[1]);
  };
  const sum0 = await metric('truce_ops_decision_seconds_sum');
  const n0 = await metric('truce_ops_decision_seconds_count');
  const pending0 = await metric('truce_ops_pending');
  const op = await coordinate({ urgency: 'routine' });
  assert.equal(await metric('truce_ops_pending'), pending0 + 1);
  await advance(600);
  const d = await c.decideOk(op.id, 'cmcc.watch', { decision: 'concur' });
  assert.ok(Math.abs(d.decision_seconds - 600) < 5, `decision_seconds ${d.decision_seconds}`);
  assert.equal(await metric('truce_ops_decision_seconds_count'), n0 + 1);
  assert.ok(Math.abs(await metric('truce_ops_decision_seconds_sum') - sum0 - 600) < 5);
  assert.ok((await metric('truce_ops_decision_seconds_max')) >= 595);
  assert.equal(await metric('truce_ops_pending'), pending0);
  // A second decision on the same notice does not count again.
  await c.siteOk(siteAt(offset(op.geometry.coordinates, 0, 50)));
  await c.decideOk(op.id, 'cmcc.cdr', { decision: 'object', reasons: 'a new site' });
  assert.equal(await metric('truce_ops_decision_seconds_count'), n0 + 1);
});

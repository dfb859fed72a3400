// Palestinian security forces (issue 9, items 1-3; docs/psf.md): vetting
// with its steps, the automated checks that flag but never reject (absent
// hooks: "check not available"), human-rights vetting before any training,
// courses with pass marks and certificates with validity (issued only by a
// position with training.certify), units with the readiness rating
// hand-computed here, bad input (4xx naming the field, nothing written) and
// the restart that replays into the same digest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, startServer, logSize, assertError } from './lib.mjs';
import { client, ok, register, approve, course, train, unit, readyUnit, candidateBody, iso, D, VETTING_REQUIRED } from '../lib/psf.mjs';

const ACCOUNTS = ['trainer', 'psf.vetting', 'admin', 'cmcc.watch', 'ocha.focal', 'isf.hq', 'board.chair', 'pasf.cdr', 'ddr.officer'];
let server, tokens = {}, as;

before(async () => {
  server = await boot();
  for (const u of ACCOUNTS) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
});
after(() => shutdown(server));

// A 4xx with the error shape naming field, and the log unchanged.
async function refused(send, status, field, what) {
  const before = await logSize(server);
  const r = await send();
  assertError(r, status, undefined, field);
  assert.equal(await logSize(server), before, `nothing written: ${what}`);
  return r;
}

test('a candidate: the record carries no personal data; the detail reaches the vetting cell and trainers only, and the read is logged', async () => {
  const { id, body, reply } = await register(as);
  const ev = JSON.parse(reply.receipt.event);
  assert.equal(ev.kind, 'psf.candidate.registered');
  for (const v of [body.name_en, body.name_ar, body.id_number]) assert.ok(!reply.receipt.event.includes(v), 'the receipt has no personal data');
  assert.ok(!ev.body.name_en && !ev.body.id_number && !ev.body.date_of_birth);

  for (const u of ['trainer', 'psf.vetting']) {
    const before = await logSize(server);
    const r = await ok(as(u).get(`/api/v1/psf/candidates/${id}`), 200);
    assert.deepEqual(r.personal, { name_en: body.name_en, name_ar: body.name_ar, date_of_birth: body.date_of_birth, id_number: body.id_number });
    assert.equal(await logSize(server), before + 1, `${u}'s read of personal data is logged`);
  }
  for (const u of ['cmcc.watch', 'isf.hq', 'board.chair', 'pasf.cdr']) {
    const r = await as(u).get(`/api/v1/psf/candidates/${id}`);
    assert.equal(r.status, 200, `${u} sees the pseudonymous record`);
    assert.equal(r.body.personal, undefined);
    assert.ok(!r.text.includes(body.id_number) && !r.text.includes(body.name_en));
  }
  for (const u of ['ocha.focal', 'ddr.officer']) assert.equal((await as(u).get(`/api/v1/psf/candidates/${id}`)).status, 404, `${u} does not see candidates`);
  for (const u of ['trainer', 'psf.vetting', 'cmcc.watch']) {
    const l = await ok(as(u).get('/api/v1/psf/candidates'), 200);
    assert.ok(l.candidates.some((c) => c.id === id));
    assert.ok(!JSON.stringify(l).includes(body.id_number) && !JSON.stringify(l).includes(body.name_en), `${u}: lists never carry personal data`);
  }
});

test('vetting: the steps, checks against the DDR register and incident perpetrators that never reject, approval needs every required step, rejection a reason', async () => {
  const { id } = await register(as);
  await refused(() => as('psf.vetting').post(`/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved' }), 409, 'outcome', 'approval before any step');
  for (const step of VETTING_REQUIRED.slice(0, 2)) await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/vetting`, { step, result: 'passed' }), 200);
  const rec = await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${id}`), 200);
  assert.equal(rec.status, 'in_vetting');
  assert.equal(rec.vetting.identity.result, 'passed');
  const r = await refused(() => as('psf.vetting').post(`/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved' }), 409, 'outcome', 'approval without human rights');
  assert.match(r.body.error.message, /human_rights/);
  await refused(() => as('psf.vetting').post(`/api/v1/psf/candidates/${id}/vetting`, { step: 'human_rights', result: 'failed' }), 400, 'note', 'a failed step without a reason');
  for (const step of VETTING_REQUIRED.slice(2)) await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/vetting`, { step, result: 'passed' }), 200);
  await refused(() => as('psf.vetting').post(`/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved' }), 409, 'outcome', 'approval before the checks ran');

  const checks = await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/checks`, {}), 200);
  assert.deepEqual(checks.checks.map((c) => [c.check, c.status, c.reason]), [
    ['ddr_register', 'clear', 'not in the DDR register'],
    ['incident_perpetrators', 'clear', 'not among the named perpetrators of incidents'],
  ]);
  assert.equal(checks.flags, 0);
  const after = await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${id}`), 200);
  assert.equal(after.status, 'in_vetting', 'checks never decide');
  assert.equal(after.checks, undefined, 'check results reach the vetting cell and trainers only');
  assert.equal((await ok(as('trainer').get(`/api/v1/psf/candidates/${id}`), 200)).checks.results.length, 2);

  await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved' }), 200);
  assert.equal((await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${id}`), 200)).status, 'approved');

  const other = await register(as);
  await refused(() => as('psf.vetting').post(`/api/v1/psf/candidates/${other.id}/decision`, { outcome: 'rejected' }), 400, 'note', 'rejection without a reason');
  await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${other.id}/decision`, { outcome: 'rejected', note: 'failed the interview (exercise)' }), 200);
  assert.equal((await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${other.id}`), 200)).status, 'rejected');
  // Only the vetting cell vets.
  const f = await as('trainer').post(`/api/v1/psf/candidates/${other.id}/vetting`, { step: 'identity', result: 'passed' });
  assert.equal(f.status, 403);
});

test('training: no enrolment without human-rights vetting; pass mark at the boundary; certificates by a position with training.certify, valid for the course\'s days', async () => {
  const crs = await course(as, { pass_mark: 60, certificate_validity_days: 730 });
  assert.equal((await as('ocha.focal').get(`/api/v1/psf/courses/${crs}`)).status, 404, 'humanitarian accounts do not see PSF courses');
  const fresh = await register(as);
  let r = await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/enrol`, { candidate: fresh.id }), 409, 'candidate', 'no human-rights vetting');
  assert.match(r.body.error.message, /human-rights vetting/);
  await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${fresh.id}/vetting`, { step: 'human_rights', result: 'failed', note: 'credible allegation (exercise)' }), 200);
  r = await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/enrol`, { candidate: fresh.id }), 409, 'candidate', 'failed human-rights vetting');
  assert.match(r.body.error.message, /human-rights vetting \(failed\)/);

  const a = await register(as), b = await register(as);
  await approve(as, a.id);
  await approve(as, b.id);
  await ok(as('trainer').post(`/api/v1/psf/courses/${crs}/enrol`, { candidate: a.id }), 200);
  await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/enrol`, { candidate: a.id }), 409, 'candidate', 'enrolled twice');
  await ok(as('trainer').post(`/api/v1/psf/courses/${crs}/enrol`, { candidate: b.id }), 200);
  await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/assess`, { candidate: fresh.id, score: 70 }), 409, 'candidate', 'not enrolled');
  await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/assess`, { candidate: a.id, score: 100.5 }), 400, 'score', 'score above 100');
  await ok(as('trainer').post(`/api/v1/psf/courses/${crs}/assess`, { candidate: a.id, score: 60 }), 200);
  await ok(as('trainer').post(`/api/v1/psf/courses/${crs}/assess`, { candidate: b.id, score: 59.5 }), 200);
  const cr = await ok(as('cmcc.watch').get(`/api/v1/psf/courses/${crs}`), 200);
  assert.equal(cr.results[a.id].result, 'passed', 'a score at the pass mark passes');
  assert.equal(cr.results[b.id].result, 'failed', 'just below fails');
  assert.deepEqual(cr.enrolled, [a.id, b.id]);

  await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/certify`, { candidate: b.id }), 409, 'candidate', 'certify a failed candidate');
  // A trainer whose position lacks training.certify (EUPOL COPPS police trainer).
  const add = await server.api('POST', '/api/v1/users', { token: tokens.admin, body: { username: 'eupol.trainer', name: 'Pieter van Damme', org: 'EUPOL-COPPS', person: 'PER-022', roles: ['trainer'], password: 'exercise-password-1' } });
  assert.equal(add.status, 201, add.text);
  const eu = (await server.api('POST', '/api/v1/session', { body: { username: 'eupol.trainer', password: 'exercise-password-1' } })).body.token;
  r = await refused(() => server.api('POST', `/api/v1/psf/courses/${crs}/certify`, { token: eu, body: { candidate: a.id } }), 403, 'candidate', 'no training.certify');
  assert.match(r.body.error.message, /training\.certify/);
  const t0 = Date.now();
  const cert = await ok(as('trainer').post(`/api/v1/psf/courses/${crs}/certify`, { candidate: a.id }), 201);
  assert.match(cert.id, /^CERT-\d+$/);
  const rec = await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${a.id}`), 200);
  const c0 = rec.certificates[0];
  assert.equal(c0.id, cert.id);
  assert.equal(c0.type, 'basic');
  const issued = Date.parse(c0.issued_at);
  assert.ok(issued >= t0 - 2000 && issued <= Date.now() + 2000);
  assert.equal(Date.parse(c0.valid_until) - issued, 730 * D, 'valid for the course\'s 730 days');
  await refused(() => as('trainer').post(`/api/v1/psf/courses/${crs}/certify`, { candidate: a.id }), 409, 'candidate', 'certified twice');
  await refused(() => as('trainer').post(`/api/v1/psf/certificates/${cert.id}/revoke`, {}), 400, 'reason', 'revoke without reason');
  await ok(as('trainer').post(`/api/v1/psf/certificates/${cert.id}/revoke`, { reason: 'misconduct (exercise)' }), 200);
  assert.ok((await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${a.id}`), 200)).certificates[0].revoked);
  // Courses from the scenario: OSC and EUPOL COPPS, marked exercise.
  const list = await ok(as('board.chair').get('/api/v1/psf/courses'), 200);
  assert.ok(list.courses.some((x) => x.provider === 'EUPOL-COPPS' && x.exercise === true));
  assert.ok((await ok(as('board.chair').get('/api/v1/psf/courses?type=civil_coordination'), 200)).courses.every((x) => x.type === 'civil_coordination'));
});

test('readiness: each component with its figures, weights from the scenario, and the rating hand-computed', async () => {
  const u = await unit(as, { sector: 'SEC-GAZA', authorised_strength: 4 });
  let rd = await ok(as('board.chair').get(`/api/v1/psf/units/${u}/readiness`), 200);
  assert.equal(rd.score, 0, 'an empty unit rates 0');
  const crs = await course(as);
  const a = await register(as), b = await register(as);
  await approve(as, a.id);
  await approve(as, b.id);
  await train(as, crs, a.id, 90);
  await train(as, crs, b.id, 40);
  for (const c of [a.id, b.id]) await ok(as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: c, action: 'add' }), 200);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/equipment`, { item: 'vehicle', authorised: 4, held: 3 }), 200);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/equipment`, { item: 'radio', authorised: 10, held: 12 }), 200);
  const day = iso(Date.now() - 5 * D);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type: 'field', date: day, result: 'passed' }), 201);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type: 'command_post', date: day, result: 'failed' }), 201);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type: 'civil_coordination', date: day, result: 'passed', civilian_leaders: ['POS-PTC-CHAIR', 'PTC'] }), 201);
  // Out of the 180-day window: does not count.
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type: 'field', date: iso(Date.now() - 200 * D), result: 'passed' }), 201);
  rd = await ok(as('board.chair').get(`/api/v1/psf/units/${u}/readiness`), 200);
  const comp = Object.fromEntries(rd.components.map((c) => [c.component, c]));
  assert.deepEqual(comp.personnel.figures, { assigned: 2, authorised: 4 });
  assert.equal(comp.personnel.value, 0.5);
  assert.equal(comp.personnel.weight, 0.25);
  assert.deepEqual(comp.trained.figures, { certified: 1, assigned: 2 });
  assert.equal(comp.trained.value, 0.5);
  assert.equal(comp.trained.weight, 0.35);
  assert.deepEqual(comp.equipment.figures, { held: 13, authorised: 14 }, 'held is capped at authorised per item');
  assert.ok(Math.abs(comp.equipment.value - 13 / 14) < 1e-12);
  assert.deepEqual(comp.exercises.figures, { passed: 2, civil_coordination_passed: 1, target: 3, civil_coordination_target: 1, window_days: 180 });
  assert.ok(Math.abs(comp.exercises.value - 2 / 3) < 1e-12);
  const want = 0.25 * 0.5 + 0.35 * 0.5 + 0.2 * (13 / 14) + 0.2 * (2 / 3);
  assert.equal(rd.score, Math.round(want * 1000) / 1000);
  // As of a time before the exercises: they do not count yet.
  const early = await ok(as('board.chair').get(`/api/v1/psf/units/${u}/readiness?as_of=${encodeURIComponent(iso(Date.now() - 10 * D))}`), 200);
  assert.equal(early.components.find((c) => c.component === 'exercises').figures.passed, 0);
  // The figures for reports.
  const sum = await ok(as('board.chair').get('/api/v1/psf/summary'), 200);
  assert.equal(sum.available, true);
  assert.equal(sum.readiness[u], rd.score);
  assert.ok(sum.certificates_valid >= 1 && sum.candidates.approved >= 2 && sum.units >= 3);
  assert.equal((await as('ocha.focal').get('/api/v1/psf/summary')).status, 403);
  // The unit record and list carry it too.
  const rec = await ok(as('isf.hq').get(`/api/v1/psf/units/${u}`), 200);
  assert.equal(rec.assigned_strength, 2);
  assert.equal(rec.readiness.score, rd.score);
  const list = await ok(as('isf.hq').get('/api/v1/psf/units?sector=SEC-GAZA'), 200);
  assert.ok(list.units.every((x) => x.sector === 'SEC-GAZA') && list.units.some((x) => x.id === u));
  // Members: only approved candidates, once.
  const c = await register(as);
  await refused(() => as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: c.id, action: 'add' }), 409, 'candidate', 'unapproved member');
  await refused(() => as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: a.id, action: 'add' }), 409, 'candidate', 'member twice');
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: b.id, action: 'remove' }), 200);
  assert.equal((await ok(as('isf.hq').get(`/api/v1/psf/units/${u}/readiness`), 200)).components[0].figures.assigned, 1);
});

test('bad input: a 4xx naming the field, nothing written, and no personal data echoed', async () => {
  const { id } = await register(as);
  const u = await unit(as);
  const crs = await course(as);
  const base = candidateBody();
  const cases = [
    ['POST', '/api/v1/psf/candidates', { ...base, colour: 'red' }, 400, 'colour'],
    ['POST', '/api/v1/psf/candidates', { ...base, name_en: undefined }, 400, 'name_en'],
    ['POST', '/api/v1/psf/candidates', { ...base, date_of_birth: '12/04/1998' }, 400, 'date_of_birth'],
    ['POST', '/api/v1/psf/candidates', { ...base, date_of_birth: iso(Date.now() - 5 * 365 * D) }, 400, 'date_of_birth'],
    ['POST', '/api/v1/psf/candidates', { ...base, id_number: 'has spaces ' + base.id_number }, 400, 'id_number'],
    ['POST', '/api/v1/psf/candidates', { ...base, service: 'militia' }, 400, 'service'],
    ['POST', '/api/v1/psf/candidates', { ...base, sector: 'SEC-NOWHERE' }, 400, 'sector'],
    ['POST', `/api/v1/psf/candidates/${id}/vetting`, { step: 'astrology', result: 'passed' }, 400, 'step'],
    ['POST', `/api/v1/psf/candidates/${id}/vetting`, { step: 'identity', result: 'maybe' }, 400, 'result'],
    ['POST', `/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved', flags_reviewed: 'yes' }, 400, 'flags_reviewed'],
    ['POST', '/api/v1/psf/courses', { type: 'advanced', name: { en: 'x', ar: 'x' }, provider: 'OSC', starts_on: iso(Date.now()), ends_on: iso(Date.now()) }, 400, 'type'],
    ['POST', '/api/v1/psf/courses', { type: 'basic', name: { en: 'x', ar: 'x' }, provider: 'NOBODY', starts_on: iso(Date.now()), ends_on: iso(Date.now()) }, 400, 'provider'],
    ['POST', '/api/v1/psf/courses', { type: 'basic', name: { en: 'x', ar: 'x' }, provider: 'UN-OCHA', starts_on: iso(Date.now()), ends_on: iso(Date.now()) }, 400, 'provider'],
    ['POST', '/api/v1/psf/courses', { type: 'basic', name: { en: 'x', ar: 'x' }, provider: 'OSC', instructors: ['PER-999'], starts_on: iso(Date.now()), ends_on: iso(Date.now()) }, 400, 'instructors'],
    ['POST', '/api/v1/psf/courses', { type: 'basic', name: { en: 'x', ar: 'x' }, provider: 'OSC', starts_on: iso(Date.now()), ends_on: iso(Date.now() - D) }, 400, 'ends_on'],
    ['POST', `/api/v1/psf/courses/${crs}/enrol`, { candidate: 'CND-99999' }, 400, 'candidate'],
    ['POST', `/api/v1/psf/courses/${crs}/assess`, { candidate: id, score: -1 }, 400, 'score'],
    ['POST', '/api/v1/psf/units', { name: { en: 'x', ar: 'x' }, type: 'police', authorised_strength: 0 }, 400, 'authorised_strength'],
    ['POST', '/api/v1/psf/units', { name: { en: 'x', ar: 'x' }, type: 'police', authorised_strength: 5, sector: 'SEC-MARS' }, 400, 'sector'],
    ['POST', `/api/v1/psf/units/${u}/equipment`, { item: 'vehicle', authorised: -2, held: 1 }, 400, 'authorised'],
    ['POST', `/api/v1/psf/units/${u}/exercises`, { type: 'civil_coordination', date: iso(Date.now() - D), result: 'passed' }, 400, 'civilian_leaders'],
    ['POST', `/api/v1/psf/units/${u}/exercises`, { type: 'field', date: iso(Date.now() + 3 * D), result: 'passed' }, 400, 'date'],
    ['POST', `/api/v1/psf/units/${u}/members`, { candidate: id, action: 'promote' }, 400, 'action'],
    ['POST', `/api/v1/psf/units/${u}/update`, { authorised_strength: 'many' }, 400, 'authorised_strength'],
  ];
  for (const [m, path, body, status, field] of cases) {
    const user = path.startsWith('/api/v1/psf/candidates') ? 'psf.vetting' : 'trainer';
    const r = await refused(() => server.api(m, path, { token: tokens[user], body }), status, field, `${path} ${field}`);
    for (const v of [base.name_en, base.name_ar, base.id_number]) assert.ok(!r.text.includes(v), `${path} ${field}: the error does not echo personal data`);
  }
  assert.equal((await as('trainer').get('/api/v1/psf/units?sector=SEC-NOWHERE')).status, 400);
  assert.equal((await as('trainer').get('/api/v1/psf/courses?type=advanced')).status, 400);
  assertError(await as('trainer').get('/api/v1/psf/candidates?status=hired'), 400, 'bad_value', 'status');
  const approved = await ok(as('trainer').get('/api/v1/psf/candidates?status=approved'), 200);
  assert.ok(approved.candidates.every((c) => c.status === 'approved'));
  assert.equal((await as('trainer').get(`/api/v1/psf/units/${u}/readiness?as_of=yesterday`)).status, 400);
  // Roles: a humanitarian account cannot register or train.
  assert.equal((await as('ocha.focal').post('/api/v1/psf/candidates', candidateBody())).status, 403);
  assert.equal((await as('ocha.focal').post('/api/v1/psf/units', { name: { en: 'x', ar: 'x' }, type: 'police', authorised_strength: 3 })).status, 403);
});

test('a candidate is at least 16 on the day: 16 years ago today is accepted, two days short of 16 is refused', async () => {
  // By the calendar, not 16 x 365 days (which misses the leap days).
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  const dob = (days) => new Date(Date.UTC(y - 16, m - 1, d + days)).toISOString().slice(0, 10) + 'T00:00:00Z';
  await refused(() => as('psf.vetting').post('/api/v1/psf/candidates', candidateBody({ date_of_birth: dob(2) })), 400, 'date_of_birth', 'two days short of 16');
  await ok(as('psf.vetting').post('/api/v1/psf/candidates', candidateBody({ date_of_birth: dob(0) })), 201);
});

test('the SITREP\'s training figures are those of its day: a day before any candidate, unit or member counts none of them', async () => {
  const { id } = await register(as);
  const now = (await ok(as('board.chair').get('/api/v1/psf/summary'), 200));
  assert.ok(now.candidates.registered + now.candidates.in_vetting + now.candidates.approved + now.candidates.rejected >= 1);
  assert.ok(now.units >= 1, 'the scenario\'s units');
  const day = '2026-01-15'; /* before this server existed */
  const r = await as('board.chair').get(`/api/v1/reports/sitrep?date=${day}&format=json`);
  assert.equal(r.status, 200, r.text);
  const tr = r.body.training;
  assert.deepEqual(tr.candidates, { registered: 0, in_vetting: 0, approved: 0, rejected: 0 }, `${day}: no candidate yet (${id} came later)`);
  assert.equal(tr.units, 0, `${day}: no unit yet`);
  assert.equal(tr.members, 0);
  assert.deepEqual(tr.readiness, {});
  // today's SITREP has what the summary has
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const tt = (await as('board.chair').get(`/api/v1/reports/sitrep?date=${today}&format=json`)).body.training;
  assert.deepEqual(tt.candidates, (await ok(as('board.chair').get('/api/v1/psf/summary'), 200)).candidates);
});

test('readiness as of a time reads the members and certificates of then: a revocation or a new member does not rewrite the past', async () => {
  const u = await readyUnit(as, 'SEC-RAFAH', 1);
  const member = (await ok(as('trainer').get(`/api/v1/psf/units/${u}`), 200)).members[0];
  const cert = (await ok(as('trainer').get(`/api/v1/psf/candidates/${member}`), 200)).certificates[0];
  const trained = async (q) => (await ok(as('trainer').get(`/api/v1/psf/units/${u}/readiness${q}`), 200)).components.find((c) => c.component === 'trained').figures.certified;
  assert.equal(await trained(''), 1);
  await ok(as('trainer').post(`/api/v1/psf/certificates/${cert.id}/revoke`, { reason: 'misconduct (exercise)' }), 200);
  const revoked = (await ok(as('trainer').get(`/api/v1/psf/candidates/${member}`), 200)).certificates[0].revoked;
  assert.ok(Date.parse(revoked.at) > Date.parse(cert.issued_at));
  assert.equal(await trained(''), 0, 'now: revoked');
  const justBefore = new Date(Date.parse(revoked.at) - 1).toISOString();
  assert.equal(await trained(`?as_of=${encodeURIComponent(justBefore)}`), 1, `as of ${justBefore}, before the revocation at ${revoked.at}`);
  assert.equal(await trained(`?as_of=${encodeURIComponent(revoked.at)}`), 0, 'as of the revocation');
  // members too: as of the unit's creation it had none yet
  const created = (await ok(as('trainer').get(`/api/v1/psf/units/${u}`), 200)).created_at;
  const then = await ok(as('trainer').get(`/api/v1/psf/units/${u}/readiness?as_of=${encodeURIComponent(created)}`), 200);
  assert.deepEqual(then.components.find((c) => c.component === 'personnel').figures, { assigned: 0, authorised: 1 });
  const now = await ok(as('trainer').get(`/api/v1/psf/units/${u}/readiness`), 200);
  assert.deepEqual(now.components.find((c) => c.component === 'personnel').figures, { assigned: 1, authorised: 1 });
});

test('a restart replays into the same state digest, from the snapshot and from the log alone', async () => {
  const kept = await register(as);
  const digest = async (s, t) => (await s.api('GET', '/api/v1/admin/state-digest', { token: t })).body;
  const before = await digest(server, tokens.admin);
  await server.stop();
  const { rmSync } = await import('node:fs');
  const restarted = await startServer({ dir: server.dir });
  const t1 = (await restarted.login('admin')).token;
  assert.deepEqual(await digest(restarted, t1), before, 'from the snapshot');
  await restarted.stop();
  rmSync(`${server.dir}/snapshot`, { force: true });
  server = await startServer({ dir: restarted.dir });
  const t2 = (await server.login('admin')).token;
  assert.deepEqual(await digest(server, t2), before, 'from the log alone');
  // The sealed personal data opens again with the key in the data folder.
  const tt = (await server.login('trainer')).token;
  const r = await server.api('GET', `/api/v1/psf/candidates/${kept.id}`, { token: tt });
  assert.equal(r.body.personal.id_number, kept.body.id_number);
  tokens.trainer = tt;
  tokens['psf.vetting'] = (await server.login('psf.vetting')).token;
});

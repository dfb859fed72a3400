// DDR end to end (issue 8; docs/ddr.md): registration with eligibility and
// entitlement, the weapons register and its chain of custody (no step
// skipped, never in two places, every hand-over accepted by the receiver),
// stores and stock checks, caches seized by ISF tasks, payments,
// reintegration and follow-ups, the review queue with four eyes, the
// figures, and a restart that replays into the same state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, checkReceipt, assertError, logSize, startServer } from './lib.mjs';
import { personBody, weapon, client, addUser, register, rulesOf } from '../lib/ddr.mjs';

const USERS = ['ddr.officer', 'admin', 'board.chair', 'cmcc.cdr', 'isf.hq', 'isf.aze', 'ocha.focal', 'cmcc.watch'];
let server, tokens = {}, as, key;

before(async () => {
  server = await boot();
  for (const u of USERS) tokens[u] = (await server.login(u)).token;
  tokens['ddr.two'] = await addUser(server, tokens.admin, 'ddr.two', ['ddr_officer']);
  tokens['ddr.three'] = await addUser(server, tokens.admin, 'ddr.three', ['ddr_officer']);
  as = client(server, tokens);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
});
after(async () => { await shutdown(server); });

const custody = (user, id, body) => as(user).post(`/api/v1/ddr/weapons/${id}/custody`, body);
const weaponOf = async (id, user = 'ddr.officer') => (await as(user).get(`/api/v1/ddr/weapons/${id}`)).body;

test('the scenario loads the programme rules, sites and stores as exercise data', async () => {
  const rules = await as('ddr.officer').get('/api/v1/ddr/rules');
  assert.equal(rules.status, 200);
  assert.equal(rules.body.rules.allowance.instalments, 6);
  assert.equal(rules.body.rules.eligibility.min_rounds, 100);
  const sites = (await as('ddr.officer').get('/api/v1/ddr/sites')).body.sites;
  assert.ok(sites.length >= 3);
  assert.ok(sites.every((s) => s.exercise === true && /^DDR-SITE-/.test(s.id)));
  const stores = (await as('board.chair').get('/api/v1/ddr/stores')).body.stores;
  assert.ok(stores.find((s) => s.id === 'DDR-STORE-1'));
  assert.ok(stores.every((s) => s.holding && typeof s.holding.stored === 'number'));
});

test('registration: a person with two weapons and ammunition; eligible, entitled, card issued, receipt verifies', async () => {
  const body = personBody({ weapons: [weapon(), weapon({ type: 'pistol', condition: 'unserviceable' })] });
  const r = await register(as, 'ddr.officer', body);
  assert.match(r.id, /^DDR-P-\d+$/);
  assert.match(r.card_number, /^DDR-CARD-\d{6}$/);
  assert.equal(r.weapons.length, 2);
  assert.equal(checkReceipt(r.receipt, key), null);
  const ev = JSON.parse(r.receipt.event);
  assert.equal(ev.kind, 'ddr.person.registered');
  assert.equal(r.person.eligibility.eligible, true);
  assert.deepEqual(r.person.entitlement, { currency: 'USD', monthly_amount: 150, instalments: 6, total: 900 });
  assert.deepEqual(r.flags, []);
  for (const w of r.weapons) {
    const rec = await weaponOf(w);
    assert.equal(rec.status, 'collected');
    assert.equal(rec.person, r.id);
    assert.equal(rec.holder, 'ddr.officer');
    assert.equal(rec.custody[0].step, 'collect');
  }
});

test('eligibility follows the scenario rules: no serviceable weapon needs 100 rounds; under 18 is referred; failed screening', async () => {
  const few = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ condition: 'unserviceable' })], ammunition: [{ calibre: '9mm', count: 40 }] }));
  assert.equal(few.person.eligibility.eligible, false);
  assert.match(few.person.eligibility.reasons.join(' '), /fewer than 100 rounds/);
  assert.equal(few.person.entitlement, null);
  const rounds = await register(as, 'ddr.officer', personBody({ weapons: [], ammunition: [{ calibre: '9mm', count: 60 }, { calibre: '5.56mm', count: 40 }] }));
  assert.equal(rounds.person.eligibility.eligible, true, JSON.stringify(rounds.person.eligibility));
  assert.equal(rounds.person.rounds, 100);
  const young = new Date(Date.now() - 16 * 365 * 86400000).toISOString().slice(0, 10);
  const child = await register(as, 'ddr.officer', personBody({ date_of_birth: young }));
  assert.equal(child.person.eligibility.eligible, false);
  assert.match(child.person.eligibility.reasons.join(' '), /child protection/);
  const failed = await register(as, 'ddr.officer', personBody({ screening: 'failed' }));
  assert.equal(failed.person.eligibility.eligible, false);
});

test('custody: collected -> in transit -> accepted by the receiver (stored) -> inspected -> destroyed; no step skipped', async () => {
  const r = await register(as, 'ddr.officer', personBody());
  const w = r.weapons[0];
  // skipping steps is refused (409) and writes nothing
  for (const step of [{ step: 'inspect' }, { step: 'destroy', method: 'cutting', witnesses: ['A', 'B'] }, { step: 'accept' },
    { step: 'transfer', to: 'X', authority: 'Y' }]) {
    const size = await logSize(server);
    const x = await custody('ddr.officer', w, step);
    assertError(x, 409, 'conflict', 'step');
    assert.equal(await logSize(server), size);
  }
  // only the holder dispatches; the receiver must be someone else and exist; the store must exist
  assertError(await custody('ddr.two', w, { step: 'dispatch', to_user: 'ddr.three', to_store: 'DDR-STORE-1' }), 403, 'forbidden', 'step');
  assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.officer', to_store: 'DDR-STORE-1' }), 400, 'bad_value', 'to_user');
  assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: 'nobody.here', to_store: 'DDR-STORE-1' }), 400, 'bad_value', 'to_user');
  // weapons pass only between DDR officers: not to a CMCC or ISF account
  for (const u of ['cmcc.watch', 'isf.hq']) assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: u, to_store: 'DDR-STORE-1' }), 400, 'bad_value', 'to_user');
  assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-9' }), 400, 'bad_value', 'to_store');
  assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two' }), 400, 'missing_field', 'to_store');
  const d = await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-1' });
  assert.equal(d.status, 200, d.text);
  assert.equal(checkReceipt(d.body.receipt, key), null);
  assert.equal(d.body.weapon.status, 'in_transit');
  assert.equal(d.body.weapon.pending.to_user, 'ddr.two');
  assert.equal(d.body.weapon.store, undefined, 'in transit it is in no store');
  // pending until the receiver accepts: nobody else may accept, and it cannot be dispatched twice
  const mine = (await as('ddr.two').get('/api/v1/ddr/weapons?pending=me')).body.weapons.map((x) => x.id);
  assert.ok(mine.includes(w));
  assertError(await custody('ddr.officer', w, { step: 'accept' }), 403, 'forbidden', 'step');
  assertError(await custody('ddr.three', w, { step: 'accept' }), 403, 'forbidden', 'step');
  assertError(await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.three', to_store: 'DDR-STORE-2' }), 409, 'conflict', 'step');
  const store0 = (await as('ddr.officer').get('/api/v1/ddr/stores/DDR-STORE-1')).body;
  assert.ok(!store0.weapons.includes(w), 'not counted in the store before acceptance');
  const a = await custody('ddr.two', w, { step: 'accept' });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.weapon.status, 'stored');
  assert.equal(a.body.weapon.store, 'DDR-STORE-1');
  assert.equal(a.body.weapon.holder, 'ddr.two');
  assert.equal(a.body.weapon.pending, undefined);
  const store1 = (await as('ddr.officer').get('/api/v1/ddr/stores/DDR-STORE-1')).body;
  assert.ok(store1.weapons.includes(w));
  // destroy before inspection is refused; inspection then destruction with method and two witnesses
  assertError(await custody('ddr.two', w, { step: 'destroy', method: 'cutting', witnesses: ['Exercise Witness A', 'Exercise Witness B'] }), 409, 'conflict', 'step');
  assert.equal((await custody('ddr.two', w, { step: 'inspect', condition: 'serviceable', note: 'complete' })).status, 200);
  assertError(await custody('ddr.two', w, { step: 'destroy', method: 'cutting', witnesses: ['Only One'] }), 400, 'missing_field', 'witnesses');
  assertError(await custody('ddr.two', w, { step: 'destroy', witnesses: ['A', 'B'] }), 400, 'missing_field', 'method');
  const x = await custody('ddr.two', w, { step: 'destroy', method: 'cutting', date: new Date().toISOString(), witnesses: ['Exercise Witness A', 'Exercise Witness B'] });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.body.weapon.status, 'destroyed');
  const steps = x.body.weapon.custody.map((c) => c.step);
  assert.deepEqual(steps, ['collect', 'dispatch', 'accept', 'inspect', 'destroy']);
  assert.deepEqual(x.body.weapon.custody.at(-1).witnesses, ['Exercise Witness A', 'Exercise Witness B']);
  // a destroyed weapon is at its end
  for (const s of [{ step: 'dispatch', to_user: 'ddr.officer', to_store: 'DDR-STORE-2' }, { step: 'inspect' }])
    assertError(await custody('ddr.two', w, s), 409, 'conflict', 'step');
});

test('custody: a receiver rejects a hand-over (with a reason) and it returns to the sender; transfer needs to whom and authority', async () => {
  const r = await register(as, 'ddr.officer', personBody());
  const w = r.weapons[0];
  assert.equal((await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-2' })).status, 200);
  assertError(await custody('ddr.two', w, { step: 'reject' }), 400, 'missing_field', 'note');
  const rej = await custody('ddr.two', w, { step: 'reject', note: 'wrong store' });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.body.weapon.status, 'collected');
  assert.equal(rej.body.weapon.holder, 'ddr.officer');
  assert.equal((await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.three', to_store: 'DDR-STORE-2' })).status, 200);
  assert.equal((await custody('ddr.three', w, { step: 'accept' })).status, 200);
  // moving between stores goes through transit again: never in two places
  assertError(await custody('ddr.three', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-2' }), 409, 'conflict', 'to_store');
  assert.equal((await custody('ddr.three', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-1' })).status, 200);
  const mid = await weaponOf(w);
  assert.equal(mid.store, 'DDR-STORE-2', 'the register keeps the last store until acceptance');
  const s2 = (await as('ddr.officer').get('/api/v1/ddr/stores/DDR-STORE-2')).body.weapons;
  const s1 = (await as('ddr.officer').get('/api/v1/ddr/stores/DDR-STORE-1')).body.weapons;
  assert.ok(!s2.includes(w) && !s1.includes(w), 'in transit it is held by no store');
  assert.equal((await custody('ddr.two', w, { step: 'accept' })).status, 200);
  assert.equal((await custody('ddr.two', w, { step: 'inspect' })).status, 200);
  assertError(await custody('ddr.two', w, { step: 'transfer', to: 'Exercise national authority' }), 400, 'missing_field', 'authority');
  const t = await custody('ddr.two', w, { step: 'transfer', to: 'Exercise national authority', authority: 'Exercise decision 12/2026' });
  assert.equal(t.status, 200, t.text);
  assert.equal(t.body.weapon.status, 'transferred');
});

test('concurrent hand-overs of one weapon: exactly one is accepted by the writer, the other is refused', async () => {
  const r = await register(as, 'ddr.officer', personBody());
  const w = r.weapons[0];
  const [a, b] = await Promise.all([
    custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-1' }),
    custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.three', to_store: 'DDR-STORE-2' }),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409]);
  const rec = await weaponOf(w);
  assert.equal(rec.custody.filter((c) => c.step === 'dispatch').length, 1);
});

test('stock checks: expected against counted (ids or serials with look-alikes); differences are flagged', async () => {
  const r = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'STK-0O1-SB' }), weapon(), weapon()] }));
  const [w1, w2, w3] = r.weapons;
  for (const w of [w1, w2, w3]) {
    assert.equal((await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-2' })).status, 200);
    assert.equal((await custody('ddr.two', w, { step: 'accept' })).status, 200);
  }
  const held = (await as('ddr.two').get('/api/v1/ddr/stores/DDR-STORE-2')).body.weapons;
  // all counted (one of them by its serial, written with look-alikes): no flag
  const ok = await as('ddr.two').post('/api/v1/ddr/stores/DDR-STORE-2/checks', { counted: held.filter((x) => x !== w1), counted_serials: ['stk 001 58'] });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.check.difference, false, JSON.stringify(ok.body.check));
  assert.deepEqual(ok.body.flags, []);
  // one missing, one counted that the register puts elsewhere
  const other = (await register(as, 'ddr.officer', personBody())).weapons[0];
  const bad = await as('ddr.two').post('/api/v1/ddr/stores/DDR-STORE-2/checks', { counted: [...held.filter((x) => x !== w2), other] });
  assert.equal(bad.status, 201, bad.text);
  assert.deepEqual(bad.body.check.missing, [w2]);
  assert.deepEqual(bad.body.check.unexpected, [other]);
  assert.deepEqual(rulesOf(bad.body.flags), ['stock_difference']);
  assert.match(bad.body.flags[0].explanation, /1 missing/);
  assertError(await as('ddr.two').post('/api/v1/ddr/stores/DDR-STORE-2/checks', {}), 400, 'missing_field', 'counted');
  assertError(await as('ddr.two').post('/api/v1/ddr/stores/DDR-STORE-2/checks', { counted: ['DDR-W-999999'] }), 400, 'bad_value', 'counted');
  const store = (await as('board.chair').get('/api/v1/ddr/stores/DDR-STORE-2')).body;
  assert.ok(store.check_records.length >= 2);
});

test('ISF-seized caches enter the register without a person, by the task id; ISF sees its cache weapons, hands them over to DDR', async () => {
  const tasks = (await as('isf.hq').get('/api/v1/tasks')).body.tasks;
  let task = tasks[0]?.id;
  if (!task) {
    const t = await as('isf.hq').post('/api/v1/tasks', {
      type: 'weapons_cache_seizure', geometry: { type: 'Point', coordinates: [34.305, 31.338] }, radius_m: 300,
      window_from: new Date(Date.now() + 86400000).toISOString(), window_until: new Date(Date.now() + 90000000).toISOString(), use_of_force: 'non_lethal',
    });
    assert.equal(t.status, 201, t.text);
    task = t.body.id;
  }
  assertError(await as('isf.hq').post('/api/v1/ddr/caches', { task: 'TSK-999999', weapons: [weapon()] }), 400, 'bad_value', 'task');
  assertError(await as('ddr.officer').post('/api/v1/ddr/caches', { task, weapons: [weapon()] }), 403, 'forbidden');
  const c = await as('isf.hq').post('/api/v1/ddr/caches', { task, weapons: [weapon({ type: 'mortar' }), weapon({ type: 'rocket_launcher' })], ammunition: [{ calibre: '82mm', count: 12 }], location: { type: 'Point', coordinates: [34.3, 31.34] }, exercise: true });
  assert.equal(c.status, 201, c.text);
  assert.match(c.body.id, /^DDR-CACHE-\d+$/);
  assert.equal(c.body.weapons.length, 2);
  const w = await weaponOf(c.body.weapons[0], 'isf.hq');
  assert.equal(w.cache, c.body.id);
  assert.equal(w.person, undefined);
  assert.equal(w.holder, 'isf.hq');
  // other contingents and humanitarian organisations do not see it
  assert.equal((await as('isf.aze').get(`/api/v1/ddr/weapons/${w.id}`)).status, 404);
  assert.equal((await as('ocha.focal').get(`/api/v1/ddr/weapons/${w.id}`)).status, 404);
  // ISF HQ hands it over; the DDR officer accepts; ISF may not inspect
  assert.equal((await custody('isf.hq', w.id, { step: 'dispatch', to_user: 'ddr.officer', to_store: 'DDR-STORE-1' })).status, 200);
  assert.equal((await custody('ddr.officer', w.id, { step: 'accept' })).status, 200);
  assertError(await custody('isf.hq', w.id, { step: 'inspect' }), 403, 'forbidden', 'step');
});

test('payments in instalments up to the entitlement; reintegration and follow-ups; four-eyes review of flags', async () => {
  const r = await register(as, 'ddr.officer', personBody());
  const pid = r.id;
  for (let i = 1; i <= 6; i++) {
    const p = await as('ddr.officer').post('/api/v1/ddr/payments', { person: pid, amount: 150, method: 'mobile_money', instalment: i, reference: `EX-${i}` });
    assert.equal(p.status, 201, p.text);
    assert.deepEqual(p.body.flags, [], `instalment ${i}`);
  }
  const person = (await as('board.chair').get(`/api/v1/ddr/people/${pid}`)).body;
  assert.equal(person.paid, 900);
  assert.equal(person.payments.length, 6);
  const over = await as('ddr.officer').post('/api/v1/ddr/payments', { person: pid, amount: 150, method: 'cash' });
  assert.equal(over.status, 201, 'the payment was made: it is recorded, and flagged');
  assert.deepEqual(rulesOf(over.body.flags), ['payment_beyond_entitlement']);
  assert.match(over.body.flags[0].explanation, /1050\.00 USD, above the entitlement of 900\.00 USD/);
  assertError(await as('ddr.officer').post('/api/v1/ddr/payments', { person: pid, amount: 10, method: 'cash', currency: 'EUR' }), 400, 'bad_value', 'currency');
  assertError(await as('ddr.officer').post('/api/v1/ddr/payments', { person: 'DDR-P-999999', amount: 10, method: 'cash' }), 400, 'bad_value', 'person');
  // reintegration and a follow-up visit
  const ri = await as('ddr.officer').post(`/api/v1/ddr/people/${pid}/reintegration`, { option: 'vocational_training', partner: 'Exercise Training Centre' });
  assert.equal(ri.status, 200, ri.text);
  const fu = await as('ddr.officer').post(`/api/v1/ddr/people/${pid}/followups`, { date: new Date().toISOString(), outcome: 'on_track', note: 'Exercise note: attending the course' });
  assert.equal(fu.status, 201, fu.text);
  const pub = (await as('board.chair').get(`/api/v1/ddr/people/${pid}`)).body;
  assert.equal(pub.reintegration.option, 'vocational_training');
  assert.equal(pub.followups[0].outcome, 'on_track');
  assert.equal(pub.followups[0].note, undefined, 'the note is for DDR officers only');
  const full = (await as('ddr.two').get(`/api/v1/ddr/people/${pid}`)).body;
  assert.equal(full.followups[0].note, 'Exercise note: attending the course');
  // the flag: not reviewed by the officer whose action raised it; cleared by another; only once
  const fid = over.body.flags[0].id;
  assertError(await as('ddr.officer').post(`/api/v1/ddr/flags/${fid}/review`, { decision: 'confirmed', note: 'mine' }), 403, 'forbidden', 'decision');
  assertError(await as('board.chair').post(`/api/v1/ddr/flags/${fid}/review`, { decision: 'confirmed', note: 'x' }), 403, 'forbidden');
  assertError(await as('ddr.two').post(`/api/v1/ddr/flags/${fid}/review`, { decision: 'maybe', note: 'x' }), 400, undefined, 'decision');
  const rv = await as('ddr.two').post(`/api/v1/ddr/flags/${fid}/review`, { decision: 'confirmed', note: 'Exercise: overpayment to be recovered' });
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.body.flag.status, 'confirmed');
  assertError(await as('ddr.three').post(`/api/v1/ddr/flags/${fid}/review`, { decision: 'cleared', note: 'x' }), 409, 'conflict');
  // the flag never changed the payment: it is still there
  const pays = (await as('ddr.officer').get(`/api/v1/ddr/payments?person=${pid}`)).body.payments;
  assert.equal(pays.length, 7);
  const open = (await as('board.chair').get('/api/v1/ddr/flags?status=confirmed')).body.flags;
  assert.ok(open.find((f) => f.id === fid));
});

test('a pending screening is recorded later: eligibility and entitlement are assessed again', async () => {
  const r = await register(as, 'ddr.officer', personBody({ screening: 'pending' }));
  assert.equal(r.person.eligibility.eligible, false);
  assert.deepEqual(r.person.eligibility.reasons, ['screening pending']);
  assert.equal(r.person.entitlement, null);
  assertError(await as('board.chair').post(`/api/v1/ddr/people/${r.id}/screening`, { screening: 'passed' }), 403, 'forbidden');
  assertError(await as('ddr.officer').post(`/api/v1/ddr/people/${r.id}/screening`, { screening: 'pending' }), 400, 'bad_value', 'screening');
  const s = await as('ddr.officer').post(`/api/v1/ddr/people/${r.id}/screening`, { screening: 'passed', note: 'Exercise: cleared by the screening panel' });
  assert.equal(s.status, 200, s.text);
  assert.equal(checkReceipt(s.body.receipt, key), null);
  assert.equal(JSON.parse(s.body.receipt.event).kind, 'ddr.person.screened');
  const p = (await as('board.chair').get(`/api/v1/ddr/people/${r.id}`)).body;
  assert.equal(p.screening, 'passed');
  assert.equal(p.eligibility.eligible, true);
  assert.equal(p.entitlement.total, 900);
  assertError(await as('ddr.officer').post(`/api/v1/ddr/people/${r.id}/screening`, { screening: 'passed' }), 409, 'conflict', 'screening');
  assertError(await as('ddr.officer').post('/api/v1/ddr/people/DDR-P-999999/screening', { screening: 'passed' }), 404, 'not_found');
});

test('reintegration is refused for a person who is not eligible', async () => {
  const r = await register(as, 'ddr.officer', personBody({ screening: 'failed' }));
  assertError(await as('ddr.officer').post(`/api/v1/ddr/people/${r.id}/reintegration`, { option: 'education' }), 409, 'conflict', 'option');
});

test('figures and the SITREP object: counts without personal data', async () => {
  const f = await as('board.chair').get('/api/v1/ddr/figures');
  assert.equal(f.status, 200, f.text);
  for (const k of ['people_registered', 'weapons_collected', 'weapons_destroyed', 'ammunition_rounds', 'payments', 'flags', 'by_week', 'weapons_by_type', 'people_by_sector', 'reintegration'])
    assert.ok(k in f.body, k);
  assert.ok(f.body.people_registered >= 5);
  assert.ok(f.body.weapons_destroyed >= 1);
  assert.ok(f.body.payments.amount >= 900);
  assert.ok(f.body.people_by_sector['SEC-KHAN'] >= 1);
  const none = await as('board.chair').get(`/api/v1/ddr/figures?from=${new Date(Date.now() + 86400000).toISOString()}`);
  assert.equal(none.body.people_registered, 0);
  assertError(await as('board.chair').get('/api/v1/ddr/figures?from=yesterday'), 400, undefined, 'from');
  assert.equal((await as('ocha.focal').get('/api/v1/ddr/figures')).status, 403);
});

test('lists page with before=N from next_before; a before that is not a record number is refused naming it', async () => {
  for (const list of ['people', 'weapons', 'payments', 'flags']) {
    const first = await as('ddr.officer').get(`/api/v1/ddr/${list}?limit=1`);
    assert.equal(first.status, 200, first.text);
    if (first.body.next_before) {
      const next = await as('ddr.officer').get(`/api/v1/ddr/${list}?limit=1&before=${first.body.next_before}`);
      assert.equal(next.status, 200, next.text);
      assert.notDeepEqual(next.body[list], first.body[list], `${list}: the next page`);
    }
    for (const bad of ['abc', '-5', '0', '1.5', '99999999999999999999', '']) {
      assertError(await as('ddr.officer').get(`/api/v1/ddr/${list}?before=${bad}`), 400, undefined, 'before');
    }
  }
});

test('the weapons register exports as CSV, with no personal data and formula cells defused', async () => {
  await register(as, 'ddr.officer', personBody({ weapons: [weapon({ markings: 'x', model: '=HYPERLINK("x")' })] }));
  const r = await fetch(`${server.base}/api/v1/ddr/weapons?format=csv`, { headers: { Authorization: `Bearer ${tokens['board.chair']}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/csv/);
  const text = await r.text();
  assert.match(text.split('\r\n')[0], /^id,type,make,model,calibre,serial/);
  assert.ok(text.includes(`"'=HYPERLINK(""x"")"`));
  assert.ok(!/Zzperson|تمرين شخص/.test(text));
});

test('a restart replays into the same state digest (snapshot and log)', async () => {
  const before = (await as('admin').get('/api/v1/admin/state-digest')).body;
  await server.stop();
  const again = await startServer({ dir: server.dir });
  const t = (await again.login('admin')).token;
  const after = (await again.api('GET', '/api/v1/admin/state-digest', { token: t })).body;
  assert.equal(after.digest, before.digest);
  // the indexes came back too: a re-used ID number still flags
  const tok = (await again.login('ddr.officer')).token;
  const b = personBody();
  const first = await again.api('POST', '/api/v1/ddr/people', { token: tok, body: b });
  assert.equal(first.status, 201);
  await again.stop();
  const third = await startServer({ dir: server.dir });
  const tok3 = (await third.login('ddr.officer')).token;
  const dup = await third.api('POST', '/api/v1/ddr/people', { token: tok3, body: personBody({ id_number: b.id_number }) });
  assert.equal(dup.status, 201);
  assert.ok(rulesOf(dup.body.flags).includes('duplicate_id_number'), dup.text);
  server.proc = third.proc;
  server.stop = third.stop;
});

// DDR fraud and anomaly rules (issue 8, item 4; docs/ddr.md "Fraud and
// anomaly rules"): each rule with cases that must flag and cases that must
// not — serials with look-alike characters, a weapon handed in again after
// it was stored or destroyed, the same ID number, transliterated names with
// the same date of birth, payments beyond the entitlement, and a site or an
// officer whose daily registrations jump (on a --test-clock server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeDir, shutdown, startServer } from './lib.mjs';
import { personBody, weapon, client, addUser, relogin, register, rulesOf } from '../lib/ddr.mjs';

let server, tokens = {}, as;

before(async () => {
  server = await startServer({ dir: makeDir(), args: ['--test-clock'] });
  for (const u of ['ddr.officer', 'admin', 'board.chair']) tokens[u] = (await server.login(u)).token;
  for (const u of ['ddr.two', 'ddr.three', 'ddr.four']) tokens[u] = await addUser(server, tokens.admin, u, ['ddr_officer']);
  as = client(server, tokens);
});
after(async () => { await shutdown(server); });

const custody = (user, id, body) => as(user).post(`/api/v1/ddr/weapons/${id}/custody`, body);
const flagsOf = (reply, rule) => reply.flags.filter((f) => f.rule === rule);

test('duplicate_serial: the same serial after case, spacing and look-alike folding flags; a different serial does not', async () => {
  const a = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'EXQ-1050-BZ' })] }));
  assert.deepEqual(a.flags, []);
  for (const variant of ['exq 1o5o bz', 'EX0-IO5O-82', 'E X Q 1 0 5 0 B Z', 'ЕХQ1050BZ' /* Cyrillic Е, Х */]) {
    const b = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: variant })] }));
    const f = flagsOf(b, 'duplicate_serial');
    assert.equal(f.length >= 1, true, `${variant}: ${JSON.stringify(b.flags)}`);
    assert.equal(f[0].subject, b.weapons[0]);
    assert.ok(f[0].related.includes(a.weapons[0]));
    assert.match(f[0].explanation, /reads as EX010508 ?2|reads as EX01050822|reads as/);
  }
  for (const other of ['EXQ-1051-BZ', 'EXQ-1050-BZ-2', 'unknown', 'N/A']) {
    const c = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: other })] }));
    assert.deepEqual(flagsOf(c, 'duplicate_serial'), [], `${other} must not flag`);
  }
  // two weapons with one serial in a single registration
  const d = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'EXDUP-77' }), weapon({ serial: 'exdup 77' })] }));
  assert.equal(flagsOf(d, 'duplicate_serial').length, 1);
});

test('weapon_reregistered: a serial already stored, or destroyed, comes back; a collected one is only a duplicate', async () => {
  const a = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'EXST-500' }), weapon({ serial: 'EXDS-600' })] }));
  const [stored, destroyed] = a.weapons;
  for (const w of a.weapons) {
    assert.equal((await custody('ddr.officer', w, { step: 'dispatch', to_user: 'ddr.two', to_store: 'DDR-STORE-1' })).status, 200);
    assert.equal((await custody('ddr.two', w, { step: 'accept' })).status, 200);
  }
  assert.equal((await custody('ddr.two', destroyed, { step: 'inspect' })).status, 200);
  assert.equal((await custody('ddr.two', destroyed, { step: 'destroy', method: 'crushing', witnesses: ['Exercise W1', 'Exercise W2'] })).status, 200);
  const b = await register(as, 'ddr.three', personBody({ weapons: [weapon({ serial: 'EX5T-5OO' })] }));
  const f = flagsOf(b, 'weapon_reregistered');
  assert.equal(f.length, 1, JSON.stringify(b.flags));
  assert.match(f[0].explanation, new RegExp(`${stored}, which is already stored in DDR-STORE-1`));
  assert.deepEqual(flagsOf(b, 'duplicate_serial'), []);
  const c = await register(as, 'ddr.three', personBody({ weapons: [weapon({ serial: 'exds600' })] }));
  assert.match(flagsOf(c, 'weapon_reregistered')[0].explanation, /already destroyed/);
  // and an ISF cache bringing in a stored weapon's serial flags the same way
  const tasks = (await server.api('GET', '/api/v1/tasks', { token: (await server.login('isf.hq')).token })).body.tasks;
  if (tasks.length) {
    const isf = (await server.login('isf.hq')).token;
    const x = await server.api('POST', '/api/v1/ddr/caches', { token: isf, body: { task: tasks[0].id, weapons: [weapon({ serial: 'EXST 5OO' })] } });
    assert.equal(x.status, 201, x.text);
    assert.deepEqual(x.body.flags, [], 'ISF does not see the DDR review queue');
    const q = (await as('ddr.officer').get('/api/v1/ddr/flags?rule=weapon_reregistered')).body.flags;
    assert.ok(q.some((f) => f.subject === x.body.weapons[0]), JSON.stringify(q));
  }
});

test('duplicate_id_number: the same ID number written differently flags; another number does not', async () => {
  const a = await register(as, 'ddr.officer', personBody({ id_number: '401 234 567' }));
  const b = await register(as, 'ddr.two', personBody({ id_number: '0401-234-567' }));
  const f = flagsOf(b, 'duplicate_id_number');
  assert.equal(f.length, 1);
  assert.equal(f[0].subject, b.id);
  assert.deepEqual(f[0].related, [a.id]);
  assert.equal(f[0].explanation, `the ID number is already registered to ${a.id}`);
  const c = await register(as, 'ddr.two', personBody({ id_number: '401 234 568' }));
  assert.deepEqual(flagsOf(c, 'duplicate_id_number'), []);
});

test('possible_same_person: transliteration variants with the same date of birth flag; other names or another date do not', async () => {
  const dob = '1979-03-21';
  const a = await register(as, 'ddr.officer', personBody({ name_latin: 'Mohammed Hussein Abu Khalil al-Exemplar', name_ar: 'محمد حسين أبو خليل التجريبي', date_of_birth: dob }));
  assert.deepEqual(flagsOf(a, 'possible_same_person'), []);
  const variants = ['Muhammad Husayn Abou Khalil el-Exemplar', 'Mohamad Hussain Abo Khalil Exemplar', 'MOHAMMED HUSEIN ABU-KHALIL AL EXEMPLAR'];
  for (const v of variants) {
    const b = await register(as, 'ddr.two', personBody({ name_latin: v, name_ar: 'اسم آخر للتمرين', date_of_birth: dob }));
    const f = flagsOf(b, 'possible_same_person');
    assert.ok(f.length >= 1, `${v}: ${JSON.stringify(b.flags)}`);
    assert.ok(f[0].related.includes(a.id));
    assert.match(f[0].explanation, /similarity 0\.9\d|similarity 1\.00/);
    // the explanation never carries the names or the date
    assert.ok(!f[0].explanation.includes('Khalil') && !f[0].explanation.includes(dob));
  }
  // the same name, another date of birth: no flag
  const c = await register(as, 'ddr.two', personBody({ name_latin: 'Muhammad Husayn Abou Khalil el-Exemplar', date_of_birth: '1979-03-22' }));
  assert.deepEqual(flagsOf(c, 'possible_same_person'), []);
  // other names, the same date of birth: no flag
  for (const other of ['Mahmoud Hassan Abu Khalil al-Exemplar', 'Ibrahim Saleh Odeh', 'Youssef Barakat al-Exemplar']) {
    const d = await register(as, 'ddr.two', personBody({ name_latin: other, name_ar: `اسم ${other.length}`, date_of_birth: dob }));
    assert.deepEqual(flagsOf(d, 'possible_same_person'), [], `${other} must not flag`);
  }
  // the same Arabic name (written with and without harakat) and date, a different Latin spelling
  const e = await register(as, 'ddr.three', personBody({ name_latin: 'Exercise Different Spelling', name_ar: 'مُحَمَّد حُسَيْن ابو خليل التجريبي', date_of_birth: dob }));
  assert.ok(flagsOf(e, 'possible_same_person').some((f) => f.related.includes(a.id) && /Arabic name/.test(f.explanation)), JSON.stringify(e.flags));
});

test('payment_beyond_entitlement: beyond the total, an instalment beyond the schedule or paid twice, or to someone not eligible', async () => {
  const p = (await register(as, 'ddr.officer', personBody())).id;
  const pay = (body) => as('ddr.officer').post('/api/v1/ddr/payments', { person: p, method: 'cash', ...body });
  let r = await pay({ amount: 150, instalment: 1 });
  assert.deepEqual(r.body.flags, []);
  r = await pay({ amount: 150, instalment: 1 });
  assert.match(r.body.flags[0].explanation, /instalment 1 of .* was already paid/);
  r = await pay({ amount: 150, instalment: 7 });
  assert.match(r.body.flags[0].explanation, /beyond the 6 instalments/);
  r = await pay({ amount: 300 });
  assert.deepEqual(r.body.flags, [], '750 of 900: within the entitlement');
  r = await pay({ amount: 150.01 });
  assert.deepEqual(rulesOf(r.body.flags), ['payment_beyond_entitlement']);
  const q = (await register(as, 'ddr.officer', personBody({ screening: 'failed' }))).id;
  r = await as('ddr.officer').post('/api/v1/ddr/payments', { person: q, amount: 10, method: 'voucher' });
  assert.match(r.body.flags[0].explanation, /not eligible/);
});

// Moves the test clock on by seconds; returns the server's new now (ms).
// Sessions last 12 hours, so everyone logs in again.
const advance = async (seconds) => {
  const r = await server.api('POST', '/api/v1/admin/clock', { token: tokens.admin, body: { advance_s: seconds } });
  assert.equal(r.status, 200, r.text);
  for (const u of ['ddr.officer', 'admin', 'board.chair']) tokens[u] = (await server.login(u)).token;
  for (const u of ['ddr.two', 'ddr.three', 'ddr.four']) tokens[u] = await relogin(server, u);
  return Date.parse(r.body.now);
};
const advanceDay = () => advance(86400);
const DAY_MS = 86400e3;

test('registration_spike: a site or an officer far above its trailing 14-day mean (3x, at least 10) flags once a day; a steady site does not', async () => {
  // The rule counts by UTC day, and each of the test's days takes a few
  // seconds of real time: the clock first moves on to the next UTC noon, so
  // that no day's registrations straddle a UTC midnight whenever this runs.
  const now = await advance(0);
  const noon = Math.ceil((now - DAY_MS / 2) / DAY_MS) * DAY_MS + DAY_MS / 2;
  assert.equal(new Date(await advance(Math.ceil((noon - now) / 1000))).toISOString().slice(11, 16), '12:00');
  // 14 days of history: DDR-SITE-3 one a day, DDR-SITE-2 four a day
  for (let d = 0; d < 14; d++) {
    await register(as, 'ddr.officer', personBody({ site: 'DDR-SITE-3' }));
    for (let k = 0; k < 4; k++) await register(as, 'ddr.officer', personBody({ site: 'DDR-SITE-2' }));
    await advanceDay();
  }
  // today: DDR-SITE-3 gets ten, from two officers with five each
  const spikes = [];
  for (let k = 0; k < 10; k++) {
    const r = await register(as, k % 2 ? 'ddr.two' : 'ddr.three', personBody({ site: 'DDR-SITE-3' }));
    spikes.push(...flagsOf(r, 'registration_spike'));
    if (k < 9) assert.deepEqual(flagsOf(r, 'registration_spike'), [], `registration ${k + 1} is below the minimum`);
  }
  assert.equal(spikes.length, 1, JSON.stringify(spikes));
  assert.equal(spikes[0].subject, 'DDR-SITE-3');
  assert.match(spikes[0].explanation, /site DDR-SITE-3 registered 10 people on .*, more than 3 times the mean of the 14 days before \(1\.0 a day\)/);
  // the eleventh does not flag again the same day
  const eleventh = await register(as, 'ddr.two', personBody({ site: 'DDR-SITE-3' }));
  assert.deepEqual(flagsOf(eleventh, 'registration_spike'), []);
  // a new officer with no history registers ten at the steady site: the officer flags, the site (10 <= 3 x 4) does not
  const officer = [];
  for (let k = 0; k < 10; k++) officer.push(...flagsOf(await register(as, 'ddr.four', personBody({ site: 'DDR-SITE-2' })), 'registration_spike'));
  assert.equal(officer.length, 1, JSON.stringify(officer));
  assert.equal(officer[0].subject, 'ddr.four');
  const queue = (await as('board.chair').get('/api/v1/ddr/flags?rule=registration_spike')).body.flags;
  const subjects = queue.map((f) => f.subject);
  assert.ok(subjects.includes('DDR-SITE-3') && subjects.includes('ddr.four'), JSON.stringify(subjects));
  assert.ok(!subjects.includes('DDR-SITE-2'), 'the steady site is not flagged');
  assert.equal(subjects.filter((x) => x === 'DDR-SITE-3').length, 1);
});

test('flags never delete or change what they point at; clearing is an event, and the record keeps the flag', async () => {
  const a = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'EXKEEP-1' })] }));
  const b = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'exkeep1' })] }));
  const f = flagsOf(b, 'duplicate_serial')[0];
  const before = (await as('ddr.officer').get(`/api/v1/ddr/weapons/${b.weapons[0]}`)).body;
  const r = await as('ddr.two').post(`/api/v1/ddr/flags/${f.id}/review`, { decision: 'cleared', note: 'Exercise: two different rifles, checked' });
  assert.equal(r.status, 200);
  assert.equal(r.body.flag.reviews[0].by, 'ddr.two');
  const after = (await as('ddr.officer').get(`/api/v1/ddr/weapons/${b.weapons[0]}`)).body;
  assert.deepEqual(after, before);
  assert.deepEqual(after.flags, [f.id]);
  assert.equal((await as('ddr.officer').get(`/api/v1/ddr/weapons/${a.weapons[0]}`)).status, 200);
});

test('two registrations with one ID number at the same moment: the writer checks them in order, so the second is flagged', async () => {
  const id = '955 000 123';
  const [a, b] = await Promise.all([
    as('ddr.two').post('/api/v1/ddr/people', personBody({ id_number: id })),
    as('ddr.three').post('/api/v1/ddr/people', personBody({ id_number: id })),
  ]);
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  const flagged = [a, b].filter((r) => r.body.flags.some((f) => f.rule === 'duplicate_id_number'));
  assert.equal(flagged.length, 1, 'exactly one of the two is flagged');
  const other = [a, b].find((r) => r !== flagged[0]);
  assert.deepEqual(flagged[0].body.flags.find((f) => f.rule === 'duplicate_id_number').related, [other.body.id]);
});

// The wall clock in Gaza at ms: { weekday, year, month, day, hour, minute }.
const local = (ms) => Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Gaza', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
// Moves the test clock to the next half hour that is 00:30 by Gaza's clocks
// (UTC+2 or +3: always :30 UTC), on a weekday when given; returns that instant.
async function toHalfPastMidnight(weekday) {
  const now = await advance(0);
  let at = Math.ceil((now + 60e3) / 1800e3) * 1800e3;
  for (let k = 0; k < 8 * 48; k++, at += 1800e3) {
    const l = local(at);
    if ((!weekday || l.weekday === weekday) && l.hour === '00' && l.minute === '30') break;
  }
  await advance(Math.ceil((at - now) / 1000));
  return at;
}

test('the programme dashboard counts by local week: a registration at 00:30 on a Monday in Gaza (Sunday evening UTC) is in that Monday\'s week', async () => {
  const at = await toHalfPastMidnight('Mon');
  const monday = local(at);
  assert.equal(`${monday.weekday} ${monday.hour}:${monday.minute}`, 'Mon 00:30');
  assert.equal(new Date(at).getUTCDay(), 0, 'a Sunday in UTC');
  const r = await register(as, 'ddr.officer', personBody({ weapons: [weapon({ serial: 'EXWEEK-1' })] }));
  assert.ok(r.id);
  const since = new Date(at - 60e3).toISOString();
  const fig = await as('ddr.officer').get(`/api/v1/ddr/figures?from=${encodeURIComponent(since)}`);
  assert.equal(fig.status, 200, fig.text);
  assert.deepEqual(fig.body.by_week, [{ week: `${monday.year}-${monday.month}-${monday.day}`, people: 1, weapons: 1 }]);
});

test('eligibility: someone whose 18th birthday is today in Gaza is 18 from local midnight, though it is still yesterday in UTC', async () => {
  const at = await toHalfPastMidnight();
  const l = local(at);
  assert.notEqual(new Date(at).toISOString().slice(0, 10), `${l.year}-${l.month}-${l.day}`, 'UTC is a day behind');
  const r = await register(as, 'ddr.officer', personBody({ date_of_birth: `${Number(l.year) - 18}-${l.month}-${l.day}` }));
  assert.equal(r.person.eligibility.eligible, true, JSON.stringify(r.person.eligibility));
  const minor = await register(as, 'ddr.officer', personBody({ date_of_birth: `${Number(l.year) - 18}-${l.month}-${l.day}`.replace(/^(\d{4})/, (y) => String(Number(y) + 1)) }));
  assert.equal(minor.person.eligibility.eligible, false, 'seventeen is not eligible');
});

test('the SITREP\'s open flags are those open at the end of its day: none before any was raised; one cleared the next day was still open', async () => {
  const day = (ms) => `${local(ms).year}-${local(ms).month}-${local(ms).day}`;
  const sitrepFlags = async (d) => {
    const r = await as('ddr.officer').get(`/api/v1/reports/sitrep?date=${d}&format=json`);
    assert.equal(r.status, 200, r.text);
    return r.body.disarmament.flags;
  };
  // a day before this server: nothing raised, nothing open (flags are open now)
  assert.ok((await as('ddr.officer').get('/api/v1/ddr/flags?status=open&limit=1000')).body.flags.length > 0);
  assert.deepEqual(await sitrepFlags('2026-01-15'), { raised: 0, open: 0 });
  // a flag raised today, cleared tomorrow: open at the end of today
  const at = await toHalfPastMidnight();
  const id = `8${String(at).slice(-8)}`;
  await register(as, 'ddr.officer', personBody({ id_number: id }));
  const b = await register(as, 'ddr.officer', personBody({ id_number: id }));
  const flag = b.flags.find((f) => f.rule === 'duplicate_id_number');
  assert.ok(flag);
  const d0 = day(at);
  const before = await sitrepFlags(d0);
  await advanceDay();
  const r = await as('ddr.two').post(`/api/v1/ddr/flags/${flag.id}/review`, { decision: 'cleared', note: 'Exercise: two people, checked' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await sitrepFlags(d0), before, `the SITREP of ${d0} does not change when a flag is cleared the day after`);
  assert.ok(before.open >= 1);
});

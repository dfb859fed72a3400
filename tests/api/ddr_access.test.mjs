// DDR personal data (issue 8, item 5; docs/ddr.md "Who sees what"): names,
// ID numbers, dates of birth, photo references and the rest reach only DDR
// officers. Checked for every account that is not a DDR officer, by
// searching the raw bytes of every answer for the exact strings: every DDR
// route, the CSV export, the raw log, inclusion proofs of every event, the
// event stream, and error messages; and on disk, where the log holds only
// ciphertext. Every read of personal data is itself an event. Bad input is
// refused with a 4xx naming the field, and nothing is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { boot, shutdown, openStream, assertError, logSize, sleep } from './lib.mjs';
import { personBody, weapon, client, register } from '../lib/ddr.mjs';

const OTHERS = ['admin', 'board.chair', 'cmcc.cdr', 'cmcc.watch', 'isf.hq', 'isf.aze', 'ocha.focal', 'idf.liaison', 'trainer', 'state.desk'];
let server, tokens = {}, as, person, streams = {};

// Exact strings of the personal data, unique to this file.
const SECRET = {
  name_latin: 'Exercise Qorvathan Zelmirquist',
  name_ar: 'قرفاثان زلميركويست تمرين',
  date_of_birth: '1987-11-23',
  id_number: 'EXID-7730-4419-X',
  photo_ref: 'PHOTO-SECRET-QZ-5512',
  affiliation: 'Exercise Brigade Qorvath',
  declared_role: 'Exercise quartermaster Zelm',
  phone: '+970 59 000 7311',
};
const SECRETS = Object.values(SECRET);
const FOLLOWUP_NOTE = 'Exercise note Vrendolax about the family';

function noSecret(text, where) {
  for (const s of [...SECRETS, FOLLOWUP_NOTE]) assert.ok(!text.includes(s), `${where} reveals "${s}"`);
  // JSON may escape non-ASCII: check the escaped form of the Arabic name too
  assert.ok(!text.includes(JSON.stringify(SECRET.name_ar).slice(1, -1).replace(/[\u0600-\u06ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)), `${where} (escaped Arabic)`);
}

before(async () => {
  server = await boot();
  for (const u of ['ddr.officer', ...OTHERS]) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  for (const u of ['ddr.officer', ...OTHERS]) streams[u] = await openStream(server.base, { token: tokens[u] });
  person = await register(as, 'ddr.officer', personBody({ ...SECRET, weapons: [weapon({ serial: 'EXACC-1' }), weapon()] }));
  // a second registration that matches the first: the flags must not carry the data either
  await register(as, 'ddr.officer', personBody({ ...SECRET, weapons: [weapon({ serial: 'exacc 1' })] }));
  const f = await as('ddr.officer').post(`/api/v1/ddr/people/${person.id}/followups`, { date: new Date().toISOString(), outcome: 'at_risk', note: FOLLOWUP_NOTE });
  assert.equal(f.status, 201, f.text);
  await as('ddr.officer').post('/api/v1/ddr/payments', { person: person.id, amount: 150, method: 'cash', instalment: 1 });
});
after(async () => {
  for (const s of Object.values(streams)) s.close();
  await shutdown(server);
});

test('a DDR officer reads the personal data; the read is logged as ddr.person.viewed, which oversight sees', async () => {
  const size = await logSize(server);
  const r = await as('ddr.officer').get(`/api/v1/ddr/people/${person.id}`);
  assert.equal(r.status, 200);
  for (const [k, v] of Object.entries(SECRET)) assert.equal(r.body.personal[k], v, k);
  assert.equal(r.body.followups[0].note, FOLLOWUP_NOTE);
  assert.equal(await logSize(server), size + 1, 'one event for the read');
  assert.equal(r.body.access_log.at(-1).by, 'ddr.officer');
  assert.equal(r.body.access_log.at(-1).purpose, 'record');
  const ev = (await as('board.chair').get(`/api/v1/log/events?after=${size}`)).body.events;
  const viewed = ev.find((e) => e.kind === 'ddr.person.viewed');
  assert.ok(viewed, 'the auditor sees who read which record');
  assert.equal(viewed.actor, 'ddr.officer');
  assert.deepEqual(viewed.body, { person: person.id, purpose: 'record' });
  // the export: the whole record, for the person or an oversight body; also logged
  const x = await as('ddr.officer').get(`/api/v1/ddr/people/${person.id}/export`);
  assert.equal(x.status, 200);
  assert.equal(x.body.person.personal.name_latin, SECRET.name_latin);
  assert.equal(x.body.weapons.length, 2);
  assert.equal(x.body.payments.length, 1);
  assert.ok(x.body.flags.length >= 0);
  assert.equal(x.body.person.access_log.at(-1).purpose, 'export');
  // a read by oversight carries no personal data and is not a read of it
  const s2 = await logSize(server);
  const p = await as('board.chair').get(`/api/v1/ddr/people/${person.id}`);
  assert.equal(p.status, 200);
  assert.equal(p.body.personal, undefined);
  assert.equal(await logSize(server), s2);
});

test('no account but a DDR officer reaches the personal data through any DDR route or export', async () => {
  const paths = ['/api/v1/ddr/people', `/api/v1/ddr/people/${person.id}`, `/api/v1/ddr/people/${person.id}/export`,
    '/api/v1/ddr/weapons', '/api/v1/ddr/weapons?format=csv', `/api/v1/ddr/weapons/${person.weapons[0]}`, '/api/v1/ddr/payments',
    '/api/v1/ddr/flags', '/api/v1/ddr/flags?rule=possible_same_person', '/api/v1/ddr/stores', '/api/v1/ddr/stores/DDR-STORE-1',
    '/api/v1/ddr/figures', '/api/v1/ddr/sites', '/api/v1/ddr/rules', '/api/v1/openapi.json', '/api/v1/me', '/api/v1/journal'];
  for (const u of OTHERS)
    for (const p of paths) {
      const r = await as(u).get(p);
      noSecret(r.text, `${u} GET ${p} (${r.status})`);
      if (p.endsWith('/export')) assert.equal(r.status, 403, `${u} may not export`);
    }
  // the flags that matched the two registrations explain without the data
  const flags = (await as('board.chair').get('/api/v1/ddr/flags')).body.flags;
  assert.ok(flags.some((f) => f.rule === 'duplicate_id_number'));
  assert.ok(flags.some((f) => f.rule === 'duplicate_serial'));
});

test('the raw log, inclusion proofs of every event and the event stream carry no personal data (the DDR officer sees only ciphertext)', async () => {
  const head = await logSize(server);
  for (const u of [...OTHERS, 'ddr.officer']) {
    let after = 0;
    for (;;) {
      const r = await as(u).get(`/api/v1/log/events?after=${after}&limit=1000`);
      if (r.status === 403) break; // not an auditor
      assert.equal(r.status, 200);
      noSecret(r.text, `${u} /log/events`);
      if (r.body.next_after <= after || r.body.next_after >= head) break;
      after = r.body.next_after;
    }
  }
  const first = person.receipt.seq;
  for (let seq = first; seq <= head; seq++)
    for (const u of [...OTHERS, 'ddr.officer']) {
      const r = await as(u).get(`/api/v1/log/proof/${seq}`);
      noSecret(r.text, `${u} /log/proof/${seq}`);
      if (r.status === 200 && u !== 'ddr.officer') assert.ok(!JSON.parse(r.body.event).kind.endsWith('.detail'), `${u} sees a detail event`);
    }
  await sleep(1500);
  for (const [u, s] of Object.entries(streams)) {
    const text = s.events.map((e) => `${e.event}\n${e.data}`).join('\n');
    noSecret(text, `${u} stream`);
    const kinds = s.events.map((e) => e.event);
    if (u === 'ddr.officer') assert.ok(kinds.includes('ddr.person.detail'), 'the officer receives the sealed detail');
    else assert.ok(!kinds.includes('ddr.person.detail') && !kinds.includes('ddr.followup.detail'), `${u} receives no detail event`);
  }
  assert.ok(streams['board.chair'].events.some((e) => e.event === 'ddr.person.registered'), 'leadership follows the pseudonymous records');
  assert.ok(!streams['ocha.focal'].events.some((e) => e.event.startsWith('ddr.')), 'a humanitarian organisation sees no DDR event');
});

test('on disk: the store and the snapshot hold ciphertext only; ddr.key is 0600', async () => {
  const key = join(server.dir, 'ddr.key');
  assert.ok(existsSync(key));
  assert.equal(statSync(key).mode & 0o777, 0o600);
  for (const f of ['truce.db', 'truce.db-wal', 'snapshot']) {
    const p = join(server.dir, f);
    if (!existsSync(p)) continue;
    const bytes = readFileSync(p);
    for (const s of [...SECRETS, FOLLOWUP_NOTE]) assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${f} holds "${s}"`);
  }
});

test('error messages never echo personal data, and refused writes change nothing', async () => {
  const bad = [
    [{ ...personBody(), date_of_birth: '1987-02-30' }, 'date_of_birth'],
    [{ ...personBody(), date_of_birth: '23/11/1987' }, 'date_of_birth'],
    [{ ...personBody(), date_of_birth: '2999-01-01' }, 'date_of_birth'],
    [{ ...personBody(), name_latin: undefined }, 'name_latin'],
    [{ ...personBody(), name_ar: '' }, 'name_ar'],
    [{ ...personBody(), id_number: 12345 }, 'id_number'],
    [{ ...personBody(), household_size: 0 }, 'household_size'],
    [{ ...personBody(), screening: 'maybe' }, 'screening'],
    [{ ...personBody(), site: 'DDR-SITE-99' }, 'site'],
    [{ ...personBody(), nickname: 'x' }, 'nickname'],
    [{ ...personBody(), weapons: 'rifle' }, 'weapons'],
    [{ ...personBody(), weapons: [weapon(), { ...weapon(), type: 'catapult' }] }, 'weapons[1].type'],
    [{ ...personBody(), weapons: [{ ...weapon(), condition: undefined }] }, 'weapons[0].condition'],
    [{ ...personBody(), weapons: [{ ...weapon(), colour: 'black' }] }, 'weapons[0].colour'],
    [{ ...personBody(), ammunition: [{ calibre: '9mm', count: -1 }] }, 'ammunition[0].count'],
    [{ ...personBody(), weapons: [], ammunition: [] }, 'weapons'],
  ];
  for (const [body, field] of bad) {
    const clean = JSON.parse(JSON.stringify(body));
    Object.assign(clean, { name_latin: clean.name_latin === undefined ? undefined : SECRET.name_latin, id_number: typeof clean.id_number === 'number' ? 12345 : SECRET.id_number });
    if (field !== 'date_of_birth') clean.date_of_birth = clean.date_of_birth ?? SECRET.date_of_birth;
    const size = await logSize(server);
    const r = await as('ddr.officer').post('/api/v1/ddr/people', clean);
    assert.ok(r.status >= 400 && r.status < 500, `${field}: ${r.status} ${r.text}`);
    assertError(r, undefined, undefined, field);
    noSecret(r.text, `error for ${field}`);
    assert.ok(!r.text.includes(String(body.date_of_birth ?? '§')) || field !== 'date_of_birth', 'the date is not echoed');
    assert.equal(await logSize(server), size, `${field}: nothing written`);
  }
  // a non-DDR account posting personal data is refused before anything is read
  for (const u of ['board.chair', 'isf.hq', 'ocha.focal']) {
    const r = await as(u).post('/api/v1/ddr/people', personBody(SECRET));
    assertError(r, 403, 'forbidden');
    noSecret(r.text, `${u} 403`);
  }
  // other writes: bad input names the field and writes nothing
  const others = [
    ['/api/v1/ddr/payments', { person: person.id, amount: 0, method: 'cash' }, 'amount'],
    ['/api/v1/ddr/payments', { person: person.id, amount: 10, method: 'gold' }, 'method'],
    ['/api/v1/ddr/payments', { amount: 10, method: 'cash' }, 'person'],
    [`/api/v1/ddr/weapons/${person.weapons[0]}/custody`, { step: 'teleport' }, 'step'],
    [`/api/v1/ddr/weapons/${person.weapons[0]}/custody`, { step: 'destroy', method: 'cutting', witnesses: [1, 2] }, 'witnesses[0]'],
    [`/api/v1/ddr/people/${person.id}/followups`, { date: 'tomorrow', outcome: 'on_track' }, 'date'],
    [`/api/v1/ddr/people/${person.id}/reintegration`, { option: 'lottery' }, 'option'],
    ['/api/v1/ddr/stores', { id: 'STORE-X', name: { en: 'x', ar: 'x' } }, 'id'],
    ['/api/v1/ddr/stores', { id: 'DDR-STORE-9', name: { en: 'x' } }, 'name.ar'],
  ];
  for (const [path, body, field] of others) {
    const size = await logSize(server);
    const r = await as('ddr.officer').post(path, body);
    assertError(r, undefined, undefined, field);
    assert.ok(r.status >= 400 && r.status < 500, `${path} ${field}: ${r.status}`);
    assert.equal(await logSize(server), size, `${path} ${field}: nothing written`);
  }
  assert.equal((await as('ddr.officer').get('/api/v1/ddr/people/DDR-P-999999')).status, 404);
  assertError(await as('board.chair').get('/api/v1/ddr/flags?status=closed'), 400, 'bad_value', 'status');
});

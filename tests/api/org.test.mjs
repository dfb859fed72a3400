// The mission's command structure (issue 2, item 4): the article's structure
// in the Gaza scenario, dual hats and dual reporting lines, org writes with
// receipts, reporting loops refused, and who may write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, assertError, logSize, checkReceipt } from './lib.mjs';

let server, cdr, ocha, watch, key, org;
before(async () => {
  server = await boot();
  cdr = (await server.login('cmcc.cdr')).token;
  ocha = (await server.login('ocha.focal')).token;
  watch = (await server.login('cmcc.watch')).token;
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
  org = await getOrg(watch);
});
after(() => shutdown(server));

async function getOrg(token) {
  const r = await server.api('GET', '/api/v1/org', { token });
  assert.equal(r.status, 200, r.text);
  return r.body;
}
const pos = (o, id) => o.positions.find((p) => p.id === id);
const orgById = (o, id) => o.organisations.find((x) => x.id === id);
const holderOf = (o, id) => o.persons.find((p) => p.id === pos(o, id)?.holder);

test('GET /api/v1/org has the shape of the contract', async () => {
  assert.deepEqual(Object.keys(org).sort(), ['organisations', 'persons', 'positions']);
  for (const o of org.organisations) {
    assert.match(o.id, /^[A-Za-z0-9._:-]+$/);
    assert.ok(o.kind && o.name?.en && o.name?.ar, `${o.id}: kind and a name in English and Arabic`);
    assert.ok(o.parent == null || orgById(org, o.parent), `${o.id}: parent ${o.parent} exists`);
  }
  for (const p of org.positions) {
    assert.ok(orgById(org, p.org), `${p.id}: organisation ${p.org} exists`);
    assert.ok(p.title?.en && p.title?.ar, `${p.id}: a title in English and Arabic`);
    assert.ok(Array.isArray(p.reports_to), `${p.id}: reports_to is a list`);
    for (const s of p.reports_to) assert.ok(pos(org, s), `${p.id} reports to ${s}, which exists`);
    assert.ok(p.holder === null || org.persons.some((x) => x.id === p.holder), `${p.id}: holder exists`);
  }
  for (const person of org.persons) {
    assert.ok(person.id && person.name);
    assert.deepEqual([...person.positions].sort(), org.positions.filter((p) => p.holder === person.id).map((p) => p.id).sort(), `${person.id}'s hats`);
  }
  // No reporting loops in the scenario.
  const up = (id, seen = new Set()) => {
    assert.ok(!seen.has(id), `a reporting loop through ${id}`);
    seen.add(id);
    for (const s of pos(org, id).reports_to) up(s, new Set(seen));
  };
  for (const p of org.positions) up(p.id);
});

test('the article\'s structure: the dual-hatted Security Coordinator, his two reporting lines, the ISF commander under him', () => {
  const ussc = pos(org, 'POS-USSC');
  assert.ok(ussc, 'POS-USSC');
  assert.deepEqual([...ussc.reports_to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE'], 'the USSC reports to both the Secretary of State and the CENTCOM commander');
  assert.ok(pos(org, 'POS-SECSTATE') && pos(org, 'POS-CENTCOM-CDR') && pos(org, 'POS-CMCC-CDR'));
  const person = holderOf(org, 'POS-USSC');
  assert.ok(person, 'someone holds POS-USSC');
  assert.equal(pos(org, 'POS-CMCC-CDR').holder, person.id, 'the same person is CMCC commander');
  assert.ok(person.positions.includes('POS-USSC') && person.positions.includes('POS-CMCC-CDR'));
  // The ISF commander serves under the CMCC commander.
  const isfOrgs = new Set(org.organisations.filter((o) => /ISF|stabili[sz]ation force/i.test(`${o.id} ${o.name.en}`)).map((o) => o.id));
  const isfCdr = org.positions.find((p) => isfOrgs.has(p.org) && /commander/i.test(p.title.en) && !/deputy|contingent/i.test(p.title.en) && p.reports_to.includes('POS-CMCC-CDR'));
  assert.ok(isfCdr, 'an ISF commander position reporting to POS-CMCC-CDR');
  // A civilian lead of the CMCC.
  assert.ok(org.positions.some((p) => p.org === orgById(org, 'CMCC')?.id && /civilian/i.test(p.title.en)), 'the CMCC civilian lead');
});

test('ISF contingents: Azerbaijan, Egypt, Indonesia, and a conditional UAE; other parties of the article', () => {
  const contingents = org.organisations.filter((o) => o.kind === 'force_contingent');
  const byCountry = (codes, re) => contingents.find((o) => codes.includes(o.country) || re.test(o.name.en));
  const aze = byCountry(['AZ', 'AZE'], /azerbaijan/i);
  const egy = byCountry(['EG', 'EGY'], /egypt/i);
  const idn = byCountry(['ID', 'IDN'], /indonesia/i);
  const uae = byCountry(['AE', 'ARE'], /emirat|UAE/i);
  assert.ok(aze && egy && idn && uae, `contingents: ${contingents.map((o) => o.id)}`);
  for (const c of [aze, egy, idn]) assert.ok(!c.conditional, `${c.id} is not conditional`);
  assert.equal(typeof uae.conditional, 'string');
  assert.ok(uae.conditional.length > 0, 'the UAE contingent is conditional');
  const kinds = new Set(org.organisations.map((o) => o.kind));
  for (const k of ['command', 'force_contingent', 'liaison', 'humanitarian', 'training_mission', 'local_security_force', 'oversight']) assert.ok(kinds.has(k), `an organisation of kind ${k}`);
  assert.ok(orgById(org, 'IDF-LO') && orgById(org, 'BOP') && orgById(org, 'CMCC') && orgById(org, 'ISF-HQ'));
});

test('every scenario record is marked as exercise data', async () => {
  for (const o of org.organisations) assert.equal(o.exercise, true, `organisation ${o.id}`);
  for (const p of org.positions) assert.equal(p.exercise, true, `position ${p.id}`);
  for (const p of org.persons) assert.equal(p.exercise, true, `person ${p.id}`);
  const geo = (await server.api('GET', '/api/v1/geo', { token: watch })).body;
  assert.equal(geo.type, 'FeatureCollection');
  assert.ok(geo.features.length > 0);
  for (const f of geo.features) assert.equal(f.properties.exercise, true, `feature ${f.properties.id}`);
  const mission = (await server.api('GET', '/api/v1/mission')).body;
  assert.equal(mission.exercise, true);
  const me = (await server.api('GET', '/api/v1/me', { token: watch })).body;
  assert.equal(me.exercise, true);
});

test('org writes by the CMCC commander return receipts and appear: organisation, a position with two superiors, a person with two hats, reporting lines', async () => {
  const ok = (r, status) => {
    assert.equal(r.status, status, r.text);
    assert.equal(checkReceipt(r.body.receipt, key), null, 'the receipt verifies');
    return r.body;
  };
  const o = ok(await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'ISF-KAZ', kind: 'force_contingent', name: { en: 'ISF Kazakh contingent (test)', ar: 'الوحدة الكازاخستانية' }, country: 'KZ', parent: 'ISF-HQ', conditional: 'pending parliament approval' } }), 201);
  assert.equal(o.id, 'ISF-KAZ');
  assert.equal(JSON.parse(o.receipt.event).kind, 'org.added');
  const p = ok(await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id: 'POS-KAZ-CDR', org: 'ISF-KAZ', title: { en: 'Commander, Kazakh contingent', ar: 'قائد' }, reports_to: ['POS-ISF-CDR', 'POS-CMCC-CDR'], authority: ['task_units'] } }), 201);
  assert.equal(p.id, 'POS-KAZ-CDR');
  const p2 = ok(await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id: 'POS-KAZ-LO', org: 'ISF-KAZ', title: { en: 'Kazakh liaison officer', ar: 'ضابط ارتباط' }, reports_to: ['POS-KAZ-CDR'] } }), 201);
  assert.equal(p2.id, 'POS-KAZ-LO');
  const person = ok(await server.api('POST', '/api/v1/org/persons', { token: cdr, body: { name: 'Test Officer' } }), 201);
  assert.match(person.id, /^PER-/);
  ok(await server.api('POST', '/api/v1/org/positions/POS-KAZ-CDR/holder', { token: cdr, body: { person: person.id } }), 200);
  ok(await server.api('POST', '/api/v1/org/positions/POS-KAZ-LO/holder', { token: cdr, body: { person: person.id } }), 200);
  ok(await server.api('POST', '/api/v1/org/positions/POS-KAZ-LO/reports_to', { token: cdr, body: { reports_to: ['POS-KAZ-CDR', 'POS-ISF-OPS'] } }), 200);

  const now = await getOrg(ocha); // every account sees the org chart
  const kaz = orgById(now, 'ISF-KAZ');
  assert.equal(kaz.kind, 'force_contingent');
  assert.equal(kaz.parent, 'ISF-HQ');
  assert.equal(kaz.conditional, 'pending parliament approval');
  assert.deepEqual(kaz.name, { en: 'ISF Kazakh contingent (test)', ar: 'الوحدة الكازاخستانية' });
  assert.deepEqual([...pos(now, 'POS-KAZ-CDR').reports_to].sort(), ['POS-CMCC-CDR', 'POS-ISF-CDR']);
  assert.deepEqual(pos(now, 'POS-KAZ-CDR').authority, ['task_units']);
  assert.deepEqual([...pos(now, 'POS-KAZ-LO').reports_to].sort(), ['POS-ISF-OPS', 'POS-KAZ-CDR']);
  assert.equal(pos(now, 'POS-KAZ-CDR').holder, person.id);
  const hats = now.persons.find((x) => x.id === person.id);
  assert.deepEqual([...hats.positions].sort(), ['POS-KAZ-CDR', 'POS-KAZ-LO'], 'one person, two hats');
  // Vacating a position.
  ok(await server.api('POST', '/api/v1/org/positions/POS-KAZ-LO/holder', { token: cdr, body: { person: null } }), 200);
  const later = await getOrg(cdr);
  assert.equal(pos(later, 'POS-KAZ-LO').holder, null);
  assert.deepEqual(later.persons.find((x) => x.id === person.id).positions, ['POS-KAZ-CDR']);
});

test('a reporting loop is refused with 400 field reports_to; other bad org writes too; nothing written', async () => {
  const size = await logSize(server);
  const lines = (id, reports_to) => server.api('POST', `/api/v1/org/positions/${id}/reports_to`, { token: cdr, body: { reports_to } });
  // The Secretary of State reporting to the Security Coordinator who reports to her.
  assertError(await lines('POS-SECSTATE', ['POS-USSC']), 400, undefined, 'reports_to');
  // A longer loop: CENTCOM commander under the ISF commander (ISF -> CMCC -> CENTCOM).
  assertError(await lines('POS-CENTCOM-CDR', ['POS-ISF-CDR']), 400, undefined, 'reports_to');
  assertError(await lines('POS-CENTCOM-CDR', ['POS-SECSTATE', 'POS-KAZ-LO']), 400, undefined, 'reports_to');
  assertError(await lines('POS-USSC', ['POS-USSC']), 400, undefined, 'reports_to');
  assertError(await lines('POS-USSC', ['POS-NOWHERE']), 400, undefined, 'reports_to');
  assertError(await lines('POS-USSC', ['POS-SECSTATE', 'POS-SECSTATE']), 400, undefined, 'reports_to');
  assertError(await lines('POS-NOWHERE', ['POS-SECSTATE']), 404);
  assertError(await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id: 'POS-X', org: 'NOPE', title: { en: 'x', ar: 'س' } } }), 400, undefined, 'org');
  assertError(await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id: 'POS-USSC', org: 'CMCC', title: { en: 'x', ar: 'س' } } }), 409, 'conflict', 'id');
  assertError(await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'CMCC', kind: 'command', name: { en: 'x', ar: 'س' } } }), 409, 'conflict', 'id');
  assertError(await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'ORG-Y', kind: 'command', name: { en: 'x', ar: 'س' }, parent: 'NOPE' } }), 400, undefined, 'parent');
  assertError(await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'bad id!', kind: 'command', name: { en: 'x', ar: 'س' } } }), 400, undefined, 'id');
  assertError(await server.api('POST', '/api/v1/org/positions/POS-USSC/holder', { token: cdr, body: { person: 'PER-NOBODY' } }), 400, undefined, 'person');
  assertError(await server.api('POST', '/api/v1/org/persons', { token: cdr, body: { id: 'PER-001', name: 'Duplicate' } }), 409, 'conflict', 'id');
  assertError(await server.api('POST', '/api/v1/org/persons', { token: cdr, body: { name: '' } }), 400, undefined, 'name');
  assert.equal(await logSize(server), size, 'nothing written');
  const after = await getOrg(cdr);
  assert.deepEqual([...pos(after, 'POS-USSC').reports_to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE'], 'the refused changes left the lines as they were');
  assert.deepEqual(pos(after, 'POS-SECSTATE').reports_to, []);
});

test('a humanitarian (and a watch officer) get 403 on every org write; nothing written', async () => {
  const size = await logSize(server);
  for (const token of [ocha, watch]) {
    assertError(await server.api('POST', '/api/v1/org/organisations', { token, body: { id: 'ORG-H', kind: 'humanitarian', name: { en: 'x', ar: 'س' } } }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/org/positions', { token, body: { id: 'POS-H', org: 'UN-OCHA', title: { en: 'x', ar: 'س' } } }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/org/persons', { token, body: { name: 'x' } }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/org/positions/POS-OCHA-FP/holder', { token, body: { person: null } }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/org/positions/POS-OCHA-FP/reports_to', { token, body: { reports_to: ['POS-CMCC-CDR'] } }), 403, 'forbidden');
  }
  assert.equal(await logSize(server), size);
});

test('a reporting loop is refused however many dual lines lie between (a lattice of diamonds)', async () => {
  // S <- Q <- P, and beside Q a lattice of 13 levels of diamonds (2^13 upward
  // paths) that leads nowhere. Making S report to P closes S -> P -> Q -> S.
  const add = async (id, reports_to) => {
    const r = await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id, org: 'CMCC', title: { en: id, ar: 'س' }, reports_to } });
    assert.equal(r.status, 201, r.text);
  };
  await add('POS-LOOP-S', []);
  await add('POS-LOOP-Q', ['POS-LOOP-S']);
  await add('POS-LAT-0A', []);
  await add('POS-LAT-0B', []);
  const LEVELS = 13;
  for (let i = 1; i <= LEVELS; i++) {
    await add(`POS-LAT-${i}A`, [`POS-LAT-${i - 1}A`, `POS-LAT-${i - 1}B`]);
    await add(`POS-LAT-${i}B`, [`POS-LAT-${i - 1}A`, `POS-LAT-${i - 1}B`]);
  }
  await add('POS-LOOP-P', ['POS-LOOP-Q', `POS-LAT-${LEVELS}A`]);
  const size = await logSize(server);
  const r = await server.api('POST', '/api/v1/org/positions/POS-LOOP-S/reports_to', { token: cdr, body: { reports_to: ['POS-LOOP-P'] } });
  assertError(r, 400, undefined, 'reports_to');
  assert.equal(await logSize(server), size, 'nothing written');
  const o = await getOrg(cdr);
  assert.deepEqual(pos(o, 'POS-LOOP-S').reports_to, [], 'POS-LOOP-S still reports to nobody');
});

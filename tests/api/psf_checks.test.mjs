// psf_checks.test.mjs — the vetting checks the DDR register and the incident
// record provide (issue 9 on issues 7 and 8): a candidate whose ID number, or
// whose Latin name with the same date of birth, is in the DDR register is
// flagged; so is one whose name is among the named perpetrators of an
// incident. Flags never reject, and their reasons never repeat personal data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import { client, ok, register, candidateBody } from '../lib/psf.mjs';
import { personBody } from '../lib/ddr.mjs';

const USERS = ['psf.vetting', 'ddr.officer', 'cmcc.watch', 'trainer'];
let server, as;

before(async () => {
  server = await boot();
  const tokens = {};
  for (const u of USERS) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
});
after(async () => { await shutdown(server); });

const checks = async (id) => {
  const r = await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/checks`, {}), 200, 'checks');
  return Object.fromEntries(r.checks.map((c) => [c.check, c]));
};

test('a candidate in the DDR register is flagged, by ID number and by a close name with the same date of birth', async () => {
  const tag = Date.now().toString(36).toUpperCase();
  const ddr = personBody({ id_number: `77${Date.now() % 100000000}`, name_latin: `Mohammed Qx${tag} Zorvani`, date_of_birth: '1991-03-07' });
  const reg = await ok(as('ddr.officer').post('/api/v1/ddr/people', ddr), 201, 'DDR registration');

  const byId = await register(as, { id_number: ddr.id_number });
  let c = await checks(byId.id);
  assert.equal(c.ddr_register.status, 'flag');
  assert.deepEqual(c.ddr_register.refs, [reg.id]);
  assert.doesNotMatch(JSON.stringify(c), new RegExp(ddr.id_number), 'the reason does not repeat the ID number');

  // Another transliteration of the same name, the same date of birth, another ID document.
  const byName = await register(as, { name_en: `Muhammad Qx${tag} Zorvani`, date_of_birth: '1991-03-07T00:00:00Z' });
  c = await checks(byName.id);
  assert.equal(c.ddr_register.status, 'flag', JSON.stringify(c.ddr_register));
  assert.deepEqual(c.ddr_register.refs, [reg.id]);

  // The same name born another day is not the same person.
  const other = await register(as, { name_en: `Muhammad Qx${tag} Zorvani`, date_of_birth: '1992-03-07T00:00:00Z' });
  assert.equal((await checks(other.id)).ddr_register.status, 'clear');

  // Flags never decide: the candidate is still being vetted, and other accounts see no check results.
  const rec = await ok(as('psf.vetting').get(`/api/v1/psf/candidates/${byId.id}`), 200);
  assert.equal(rec.status, 'registered', 'a flag changes no status');
  assert.equal((await ok(as('cmcc.watch').get(`/api/v1/psf/candidates/${byId.id}`), 200)).checks, undefined);
});

test('a candidate named among the perpetrators of an incident is flagged; refuted incidents do not count', async () => {
  const tag = Date.now().toString(36).toUpperCase();
  const name = `Exercise Perp${tag} Haddad`;
  const csv = 'event_id_cnty,event_date,sub_event_type,actor1,actor2,latitude,longitude,geo_precision,source,notes,fatalities\r\n' +
    `EX${tag}1,2026-10-02,Attack,${name},Civilians (Palestine),31.50,34.46,1,Exercise source,Exercise row,0\r\n` +
    `EX${tag}2,2026-10-03,Attack,Exercise Refuted${tag} Someone,,31.51,34.46,1,Exercise source,Exercise row,0\r\n`;
  const imp = await server.api('POST', '/api/v1/incidents/import', { token: (await server.login('cmcc.watch')).token, body: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(imp.status, 201, imp.text.slice(0, 300));
  const [named, refuted] = imp.body.ids;
  const cmcc = as('cmcc.watch');
  await ok(cmcc.post(`/api/v1/incidents/${refuted}/review`, {}), 200);
  await ok(cmcc.post(`/api/v1/incidents/${refuted}/refute`, { note: 'exercise: did not happen' }), 200);

  const hit = await register(as, { name_en: name });
  let c = await checks(hit.id);
  assert.equal(c.incident_perpetrators.status, 'flag');
  assert.deepEqual(c.incident_perpetrators.refs, [named]);
  assert.doesNotMatch(c.incident_perpetrators.reason, new RegExp(tag), 'the reason does not repeat the name');

  const gone = await register(as, { name_en: `Exercise Refuted${tag} Someone` });
  assert.equal((await checks(gone.id)).incident_perpetrators.status, 'clear', 'a refuted incident does not flag');
  const clean = await register(as, candidateBody());
  c = await checks(clean.id);
  assert.equal(c.incident_perpetrators.status, 'clear');
  assert.equal(c.ddr_register.status, 'clear');
});

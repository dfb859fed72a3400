// Personal data of PSF candidates (issue 9, item 1; docs/psf.md): names,
// date of birth and ID number reach only the vetting cell and the trainers.
// For every other exercise account this searches the raw bytes of every GET
// route of the OpenAPI document, the raw log (/api/v1/log/events), the
// receipt of every event (/api/v1/log/proof/{seq}) and the event stream
// (/api/v1/stream from the start) for them; and checks that the search would
// find them where they are allowed (so a silent route cannot pass it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, logSize } from './lib.mjs';
import { client, ok, register, approve, course, train, unit, SIGNERS } from '../lib/psf.mjs';

let server, tokens = {}, as, needles = [], cand, crs, u, cert, users = [];
const PD = ['trainer', 'psf.vetting'];

// Every form a value could take in a JSON or SSE body: raw UTF-8 and \\u-escaped.
const forms = (v) => [v, JSON.stringify(v).slice(1, -1), [...v].map((c) => (c.charCodeAt(0) > 127 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')];
function leaks(text) {
  const low = text.toLowerCase();
  return needles.filter((n) => forms(n).some((f) => low.includes(f.toLowerCase())));
}

before(async () => {
  server = await boot();
  users = Object.keys(server.creds);
  for (const x of users) tokens[x] = (await server.login(x)).token;
  as = client(server, tokens);
  const r = await register(as, { date_of_birth: '1987-03-29T00:00:00Z' });
  cand = r.id;
  needles = [r.body.name_en, r.body.name_ar, r.body.id_number, '1987-03-29'];
  await approve(as, cand);
  crs = await course(as);
  cert = await train(as, crs, cand, 77);
  u = await unit(as, { sector: 'SEC-NORTH', authorised_strength: 3 });
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: cand, action: 'add' }), 200);
  // Reads of personal data (themselves logged), and a hand-over sign-off, so every kind is in the log.
  await ok(as('trainer').get(`/api/v1/psf/candidates/${cand}`), 200);
  await ok(as('psf.vetting').get(`/api/v1/psf/candidates/${cand}`), 200);
  await as(SIGNERS.us).post('/api/v1/sectors/SEC-NORTH/handover/signoff', { to: 'joint', party: 'us' });
});
after(() => shutdown(server));

function fill(path) {
  return path.replace('/psf/candidates/{id}', `/psf/candidates/${cand}`).replace('/psf/courses/{id}', `/psf/courses/${crs}`)
    .replace('/psf/units/{id}', `/psf/units/${u}`).replace('/sectors/{id}', '/sectors/SEC-NORTH')
    .replace('{username}', 'trainer').replace(/\{[^}]+\}/g, 'x');
}

test('the search finds the personal data where it is allowed, and nowhere at rest', async () => {
  for (const x of PD) {
    const r = await as(x).get(`/api/v1/psf/candidates/${cand}`);
    assert.deepEqual(leaks(r.text).sort(), [...needles].sort(), `${x} sees the personal data`);
  }
  // The detail event reaches the trainer, sealed: its receipt carries ciphertext only.
  const head = await logSize(server);
  let sealed = 0;
  for (let seq = 1; seq <= head; seq++) {
    const r = await as('trainer').get(`/api/v1/log/proof/${seq}`);
    if (r.status !== 200) continue;
    assert.deepEqual(leaks(r.text), [], `receipt ${seq} holds no personal data in clear`);
    const ev = JSON.parse(r.body.event);
    if (ev.kind === 'psf.candidate.detail' && ev.subject === cand) {
      assert.equal(ev.body.alg, 'xchacha20poly1305-ietf');
      assert.match(ev.body.ciphertext, /^[0-9a-f]+$/);
      assert.deepEqual(ev.labels.sort(), ['role:psf_vetting', 'role:trainer']);
      sealed++;
    }
  }
  assert.equal(sealed, 1, 'the trainer gets the receipt of the sealed detail event');
  // At rest: no file of the data folder holds them in clear; the key is the owner's only.
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const files = readdirSync(server.dir).filter((f) => f !== 'psf.key');
  assert.ok(files.some((f) => f.startsWith('truce.db')));
  for (const f of files) {
    const bytes = readFileSync(`${server.dir}/${f}`);
    for (const n of needles.slice(0, 3)) assert.ok(!bytes.includes(Buffer.from(n, 'utf8')), `${f} does not hold ${n}`);
  }
  assert.equal(statSync(`${server.dir}/psf.key`).mode & 0o777, 0o600);
});

test('no other account reaches a name, date of birth or ID number through any GET route', async () => {
  const doc = (await server.api('GET', '/api/v1/openapi.json')).body;
  const gets = Object.entries(doc.paths).filter(([, item]) => item.get).map(([p]) => p)
    .filter((p) => !['/api/v1/stream', '/api/v1/log/proof/{seq}', '/api/v1/log/events'].includes(p));
  assert.ok(gets.includes('/api/v1/psf/candidates/{id}') && gets.includes('/api/v1/handover'));
  const failures = [];
  for (const x of users.filter((n) => !PD.includes(n))) {
    for (const p of gets) {
      for (const q of ['', '?format=csv', '?format=geojson', '?limit=1000']) {
        const r = await server.api('GET', fill(p) + q, { token: tokens[x] });
        const l = leaks(r.text);
        if (l.length) failures.push(`${x} GET ${fill(p)}${q}: ${l.join(', ')}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('nor through the raw log, the receipts of every event, or the event stream', async () => {
  const head = await logSize(server);
  const failures = [];
  for (const x of users.filter((n) => !PD.includes(n))) {
    // The raw log, for the accounts that may read it.
    let after = 0;
    for (;;) {
      const r = await server.api('GET', `/api/v1/log/events?after=${after}&limit=1000`, { token: tokens[x] });
      if (r.status !== 200) break;
      const l = leaks(r.text);
      if (l.length) failures.push(`${x} log/events: ${l.join(', ')}`);
      if (r.body.next_after <= after || r.body.next_after >= head) break;
      after = r.body.next_after;
    }
    // The stream from the start, read raw until it has passed the head.
    const ac = new AbortController();
    const res = await fetch(`${server.base}/api/v1/stream`, { headers: { Authorization: `Bearer ${tokens[x]}`, 'Last-Event-ID': '0' }, signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
      const { value, done } = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r({ value: undefined, done: false }), 500))]);
      if (done) break;
      if (value) text += dec.decode(value, { stream: true });
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      if (ids.length && Math.max(...ids) >= head) break;
      if (!value && text.length) break; // nothing more within 500 ms: caught up
    }
    ac.abort();
    const l = leaks(text);
    if (l.length) failures.push(`${x} stream: ${l.join(', ')}`);
  }
  // Receipts of every event, for a sample of accounts of every kind.
  for (const x of ['admin', 'cmcc.cdr', 'board.chair', 'ocha.focal', 'isf.hq', 'ddr.officer', 'pasf.cdr', 'idf.liaison']) {
    for (let seq = 1; seq <= head; seq++) {
      const r = await server.api('GET', `/api/v1/log/proof/${seq}`, { token: tokens[x] });
      const l = leaks(r.text);
      if (l.length) failures.push(`${x} proof ${seq}: ${l.join(', ')}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(cert, 'the candidate was certified');
});

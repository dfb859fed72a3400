// Durability (issue 2, item 3): a restart replays into exactly the same
// state, and kill -9 in the middle of a write storm loses no event that was
// answered 2xx (repeatedly).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { boot, shutdown, startServer, truce, logSize, sleep } from './lib.mjs';

let server;
before(async () => { server = await boot(); });
after(() => shutdown(server));

async function digest(s, token) {
  const r = await s.api('GET', '/api/v1/admin/state-digest', { token });
  assert.equal(r.status, 200, r.text);
  assert.match(r.body.digest, /^[0-9a-f]{64}$/);
  return r.body;
}

// Every journal entry the token may see, by id.
async function allEntries(s, token) {
  const out = new Map();
  let cursor = null;
  for (let guard = 0; guard < 10000; guard++) {
    const r = await s.api('GET', `/api/v1/journal?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    for (const e of r.body.entries) {
      assert.ok(!out.has(e.id), `${e.id} listed twice`);
      out.set(e.id, e);
    }
    if (!r.body.next_cursor) break;
    cursor = r.body.next_cursor;
  }
  return out;
}

// Every event seq the token may see, from the raw log.
async function allSeqs(s, token) {
  const seqs = [];
  let after = 0;
  for (let guard = 0; guard < 10000; guard++) {
    const r = await s.api('GET', `/api/v1/log/events?after=${after}&limit=1000`, { token });
    assert.equal(r.status, 200, r.text);
    for (const e of r.body.events) seqs.push(e.seq);
    if (r.body.next_after === after) break;
    after = r.body.next_after;
  }
  return seqs;
}

test('a restart replays into exactly the same state (API digest, CLI digest, and the data itself)', async () => {
  const admin = (await server.login('admin')).token;
  const watch = (await server.login('cmcc.watch')).token;
  const cdr = (await server.login('cmcc.cdr')).token;
  const idf = (await server.login('idf.liaison')).token;
  const ok = (r) => { assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`); return r.body; };
  // A mix of every kind of event there is.
  ok(await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'plain entry' } }));
  ok(await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'backdated', at: new Date(Date.now() - 3 * 3600e3).toISOString(), sector: 'SEC-KHAN' } }));
  ok(await server.api('POST', '/api/v1/journal', { token: idf, body: { text: 'idf only', labels: ['org:IDF-LO'] } }));
  ok(await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'for everyone: قافلة', labels: ['all', 'role:humanitarian'] } }));
  ok(await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'ISF-TST', kind: 'force_contingent', name: { en: 'Test contingent', ar: 'وحدة' }, country: 'KZ', parent: 'ISF-HQ', conditional: 'test only' } }));
  ok(await server.api('POST', '/api/v1/org/positions', { token: cdr, body: { id: 'POS-TST-CDR', org: 'ISF-TST', title: { en: 'Test commander', ar: 'قائد' }, reports_to: ['POS-ISF-CDR', 'POS-CMCC-CDR'] } }));
  const person = ok(await server.api('POST', '/api/v1/org/persons', { token: cdr, body: { name: 'Test Person' } }));
  ok(await server.api('POST', '/api/v1/org/positions/POS-TST-CDR/holder', { token: cdr, body: { person: person.id } }));
  ok(await server.api('POST', '/api/v1/org/positions/POS-TST-CDR/reports_to', { token: cdr, body: { reports_to: ['POS-ISF-CDR'] } }));
  ok(await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'tst.user', name: 'T', org: 'ISF-TST', roles: ['isf_contingent'], password: 'durable-password' } }));
  ok(await server.api('POST', '/api/v1/users/tst.user/disable', { token: admin }));
  ok(await server.api('POST', '/api/v1/users/ocha.focal/password', { token: admin, body: { password: 'durable-password-2' } }));

  const before = await digest(server, admin);
  assert.equal(before.seq, await logSize(server), 'the digest is of the whole log');
  const snapshot = async (s, t) => ({
    journal: [...(await allEntries(s, t)).values()],
    org: (await s.api('GET', '/api/v1/org', { token: t })).body,
    geo: (await s.api('GET', '/api/v1/geo', { token: t })).body,
    users: (await s.api('GET', '/api/v1/users', { token: t })).body,
    mission: (await s.api('GET', '/api/v1/mission')).body,
    head: (await s.api('GET', '/api/v1/log/head')).body,
  });
  const data = await snapshot(server, admin);
  const idfJournal = [...(await allEntries(server, idf)).values()];

  await server.stop('SIGTERM');
  const cli = truce(['state-digest', server.dir]);
  assert.equal(cli.code, 0, cli.out);
  assert.equal(cli.stdout.trim(), `${before.seq} ${before.digest}`, 'truce state-digest DIR');

  server = await startServer({ dir: server.dir });
  const admin2 = (await server.login('admin')).token;
  const after = await digest(server, admin2);
  assert.deepEqual(after, before, 'the same digest after the restart');
  const data2 = await snapshot(server, admin2);
  assert.deepEqual(data2.journal, data.journal);
  assert.deepEqual(data2.org, data.org);
  assert.deepEqual(data2.geo, data.geo);
  assert.deepEqual(data2.users, data.users);
  assert.deepEqual(data2.mission, data.mission);
  assert.equal(data2.head.size, data.head.size);
  assert.equal(data2.head.root, data.head.root);
  assert.deepEqual([...(await allEntries(server, (await server.login('idf.liaison')).token)).values()], idfJournal);
  // The restored state behaves: the disabled account stays disabled, the new password holds.
  assert.equal((await server.api('POST', '/api/v1/session', { body: { username: 'tst.user', password: 'durable-password' } })).status, 401);
  assert.equal((await server.api('POST', '/api/v1/session', { body: { username: 'ocha.focal', password: 'durable-password-2' } })).status, 201);
  // The digest is of the state: one more event changes it.
  await server.api('POST', '/api/v1/journal', { token: (await server.login('cmcc.watch')).token, body: { text: 'one more' } });
  assert.notEqual((await digest(server, admin2)).digest, before.digest);
});

test('kill -9 during a storm of 32 concurrent writers, 5 times: every acknowledged entry survives with its seq and text; no gaps; truce verify OK', async (t) => {
  const acked = new Map(); // id -> { seq, text }
  const ROUNDS = 5, WRITERS = 32;
  for (let round = 1; round <= ROUNDS; round++) {
    if (server.proc.exitCode !== null || server.proc.signalCode) server = await startServer({ dir: server.dir });
    const token = (await server.login('cmcc.watch')).token;
    const base = server.base;
    let stop = false, roundAcks = 0, errors = 0;
    const bad = [];
    const writer = async (w) => {
      for (let k = 0; !stop; k++) {
        const text = `storm r${round} w${w} n${k} ${Math.random().toString(36).slice(2)}`;
        let res;
        try {
          res = await fetch(`${base}/api/v1/journal`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });
        } catch { errors++; return; }
        let body = null;
        try { body = await res.json(); } catch { errors++; return; }
        if (res.status === 201) {
          if (body.entry?.text !== text || body.receipt?.seq !== body.seq) bad.push(`a reply that does not match its request: ${JSON.stringify(body).slice(0, 200)}`);
          if (acked.has(body.id)) bad.push(`id ${body.id} acknowledged twice`);
          acked.set(body.id, { seq: body.seq, text });
          roundAcks++;
        } else if (res.status < 500) {
          bad.push(`unexpected ${res.status}: ${JSON.stringify(body)}`);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    // Wait for the storm to be under way, then kill at a random moment.
    for (let i = 0; i < 500 && roundAcks < 20; i++) await sleep(10);
    await sleep(100 + Math.random() * 700);
    server.proc.kill('SIGKILL');
    await new Promise((r) => (server.proc.exitCode !== null || server.proc.signalCode ? r() : server.proc.once('exit', r)));
    stop = true;
    await Promise.all(writers);
    assert.deepEqual(bad, []);
    assert.ok(roundAcks > 0, `round ${round}: some writes were acknowledged before the kill`);
    t.diagnostic(`round ${round}: ${roundAcks} writes acknowledged before SIGKILL`);

    // The folder verifies, and its events are 1..N without gaps.
    const v = truce(['verify', server.dir]);
    assert.equal(v.code, 0, `round ${round}: ${v.out}`);
    const [count, min, max] = execFileSync('sqlite3', [join(server.dir, 'truce.db'), 'SELECT count(*), min(seq), max(seq) FROM events'], { encoding: 'utf8' }).trim().split('|').map(Number);
    assert.equal(min, 1);
    assert.equal(max, count, `round ${round}: no gaps in seq`);

    // Restart: every acknowledged entry is there, with the same seq and text.
    server = await startServer({ dir: server.dir });
    const t2 = (await server.login('cmcc.watch')).token;
    const entries = await allEntries(server, t2);
    const lost = [];
    for (const [id, a] of acked) {
      const e = entries.get(id);
      if (!e) lost.push(`${id} (seq ${a.seq}) is missing`);
      else if (e.seq !== a.seq || e.text !== a.text) lost.push(`${id}: acknowledged as seq ${a.seq} "${a.text}", now seq ${e.seq} "${e.text}"`);
    }
    assert.deepEqual(lost, [], `round ${round}: ${lost.length} of ${acked.size} acknowledged entries lost or changed`);
    const size = await logSize(server);
    assert.equal(size, count, 'the server replays every stored event');
    const seqs = await allSeqs(server, (await server.login('admin')).token);
    // (Not every event is visible to the admin: the IDF-only entry above is not.)
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], 'the raw log is in seq order');
    assert.ok(seqs.length && seqs[0] === 1 && seqs[seqs.length - 1] <= size);
    const inLog = new Set(seqs);
    for (const [id, a] of acked) assert.ok(inLog.has(a.seq), `${id} (seq ${a.seq}) is in the raw log`);
    const ids = new Set([...entries.values()].map((e) => e.seq));
    assert.equal(ids.size, entries.size, 'no two entries share a seq');
    // The server accepts writes again after the crash.
    const w = await server.api('POST', '/api/v1/journal', { token: t2, body: { text: `after crash ${round}` } });
    assert.equal(w.status, 201, w.text);
    assert.equal(w.body.seq, size + 1, 'the next seq follows the last stored one');
    acked.set(w.body.id, { seq: w.body.seq, text: `after crash ${round}` });
  }
  assert.ok(acked.size > ROUNDS * 20, `a real storm (${acked.size} acknowledged writes)`);
});

// The verifiable log (issue 2, item 3): every write returns a receipt that
// anyone holding the public key can check (here in JS with node:crypto, per
// RFC 6962 / RFC 9162, and with `truce verify-receipt`); tampered receipts
// fail; consistency proofs; `truce verify` on an intact and on an altered
// data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  boot, shutdown, truce, checkReceipt, verifyHead, verifyConsistency, leafHash, mth, canonical,
  logSize, assertError,
} from './lib.mjs';

let server, watch, cdr, admin, key, tmp;
before(async () => {
  server = await boot();
  watch = (await server.login('cmcc.watch')).token;
  cdr = (await server.login('cmcc.cdr')).token;
  admin = (await server.login('admin')).token;
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
  tmp = mkdtempSync(join(tmpdir(), 'truce-log-test-'));
});
after(async () => {
  await shutdown(server);
  rmSync(tmp, { recursive: true, force: true });
});

const hex = (h) => Buffer.from(h, 'hex');
let fileN = 0;
function cliVerifyReceipt(obj, keyArg = join(server.dir, 'server.pub')) {
  const f = join(tmp, `receipt-${++fileN}.json`);
  writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return truce(['verify-receipt', f, '--key', keyArg]);
}

test('the public key: /api/v1/log/key, server.pub and every receipt agree', async () => {
  const r = await server.api('GET', '/api/v1/log/key');
  assert.equal(r.status, 200);
  assert.equal(r.body.algorithm, 'Ed25519');
  assert.match(r.body.key, /^[0-9a-f]{64}$/);
  assert.equal(readFileSync(join(server.dir, 'server.pub'), 'utf8').trim(), r.body.key);
  const head = await server.api('GET', '/api/v1/log/head');
  assert.equal(head.body.key, r.body.key);
  assert.ok(verifyHead(head.body, key), 'the current head is signed');
});

test('a journal write returns a receipt: canonical event bytes, inclusion proof and signed head verify in JS and with truce verify-receipt', async () => {
  const text = 'Convoy at Kerem Shalom delayed — قافلة متأخرة "quoted" \\ back/slash';
  const r = await server.api('POST', '/api/v1/journal', { token: watch, body: { text, sector: 'SEC-RAFAH' } });
  assert.equal(r.status, 201, r.text);
  const rc = r.body.receipt;
  assert.ok(rc, 'the reply carries its receipt');
  assert.equal(rc.seq, r.body.seq);
  assert.equal(rc.leaf_index, r.body.seq - 1);
  assert.equal(rc.key, key);
  // The event bytes are the canonical JSON the contract describes.
  const ev = JSON.parse(rc.event);
  assert.deepEqual(Object.keys(ev), ['actor', 'body', 'kind', 'labels', 'org', 'seq', 'subject', 'time', 'v']);
  assert.equal(canonical(ev), rc.event, 'compact, keys sorted at every level');
  assert.equal(ev.v, 1);
  assert.equal(ev.seq, r.body.seq);
  assert.equal(ev.kind, 'journal.added');
  assert.equal(ev.subject, r.body.id);
  assert.equal(ev.actor, 'cmcc.watch');
  assert.equal(ev.org, 'CMCC');
  assert.equal(ev.body.text, text);
  assert.equal(ev.body.sector, 'SEC-RAFAH');
  assert.deepEqual(ev.labels, r.body.entry.labels);
  assert.ok(!Number.isNaN(Date.parse(ev.time)) && ev.time.endsWith('Z'), 'UTC time');
  assert.equal(rc.leaf_hash, leafHash(Buffer.from(rc.event, 'utf8')).toString('hex'));
  assert.ok(rc.head.size >= rc.seq, 'the head covers the event');
  assert.ok(rc.proof.length > 0, 'a log of this size needs a non-empty proof');
  // In JS, with the key from /api/v1/log/key (not the one in the receipt).
  assert.equal(checkReceipt(rc, key), null);
  // With the command line: the bare receipt, the whole reply, and a hex key.
  let v = cliVerifyReceipt(rc);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /OK/);
  v = cliVerifyReceipt(r.text);
  assert.equal(v.code, 0, v.out);
  v = cliVerifyReceipt(rc, key);
  assert.equal(v.code, 0, v.out);
});

test('receipts of other writes (org, users) verify too', async () => {
  const writes = [
    await server.api('POST', '/api/v1/org/persons', { token: cdr, body: { name: 'Receipt Person' } }),
    await server.api('POST', '/api/v1/org/organisations', { token: cdr, body: { id: 'ORG-RCPT', kind: 'humanitarian', name: { en: 'Receipt org', ar: 'منظمة' } } }),
    await server.api('POST', '/api/v1/users/ngo.focal/disable', { token: admin }),
    await server.api('POST', '/api/v1/users/ngo.focal/enable', { token: admin }),
  ];
  for (const w of writes) {
    assert.ok(w.status >= 200 && w.status < 300, w.text);
    assert.equal(checkReceipt(w.body.receipt, key), null, w.text.slice(0, 200));
    assert.equal(JSON.parse(w.body.receipt.event).seq, w.body.seq);
    const v = cliVerifyReceipt(w.body.receipt);
    assert.equal(v.code, 0, v.out);
  }
});

test('a tampered receipt fails in JS and with truce verify-receipt', async () => {
  const r = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'original text' } });
  const rc = r.body.receipt;
  assert.equal(checkReceipt(rc, key), null);
  const flip = (h, i = 0) => h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1);
  const clone = () => JSON.parse(JSON.stringify(rc));
  const cases = {
    'one byte of the event': (() => { const c = clone(); c.event = c.event.replace('original text', 'original texT'); return c; })(),
    'the event with its leaf_hash recomputed': (() => { const c = clone(); c.event = c.event.replace('original text', 'forged text!!'); c.leaf_hash = leafHash(Buffer.from(c.event)).toString('hex'); return c; })(),
    'a proof hash': (() => { const c = clone(); c.proof[0] = flip(c.proof[0], 10); return c; })(),
    'the last proof hash': (() => { const c = clone(); c.proof[c.proof.length - 1] = flip(c.proof[c.proof.length - 1], 63); return c; })(),
    'a proof hash dropped': (() => { const c = clone(); c.proof.pop(); return c; })(),
    'the head root': (() => { const c = clone(); c.head.root = flip(c.head.root, 5); return c; })(),
    'the head size': (() => { const c = clone(); c.head.size += 1; return c; })(),
    'the head timestamp': (() => { const c = clone(); c.head.timestamp = new Date(Date.parse(c.head.timestamp) + 1).toISOString(); return c; })(),
    'the signature': (() => { const c = clone(); c.head.signature = flip(c.head.signature, 20); return c; })(),
    'the leaf index': (() => { const c = clone(); c.leaf_index -= 1; return c; })(),
  };
  for (const [what, bad] of Object.entries(cases)) {
    assert.notEqual(checkReceipt(bad, key), null, `JS accepts a receipt with ${what} changed`);
    const v = cliVerifyReceipt(bad);
    assert.notEqual(v.code, 0, `truce verify-receipt accepts a receipt with ${what} changed: ${v.out}`);
  }
  // A genuine receipt does not verify under another key.
  const otherKey = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  assert.notEqual(checkReceipt(rc, otherKey), null);
  const v = cliVerifyReceipt(rc, otherKey);
  assert.notEqual(v.code, 0, v.out);
  // Garbage is refused, not crashed on.
  for (const junk of ['', '{}', '[]', 'not json', '{"event":"x","proof":[],"head":{},"leaf_index":0}']) {
    const j = cliVerifyReceipt(junk);
    assert.ok(j.code !== 0 && j.signal === null, `verify-receipt on ${JSON.stringify(junk)}: ${j.code} ${j.signal} ${j.out}`);
  }
});

test('GET /api/v1/log/proof/{seq}: a receipt of an older event against the current head; the same event bytes', async () => {
  const first = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'proof target' } });
  for (let i = 0; i < 5; i++) await server.api('POST', '/api/v1/journal', { token: watch, body: { text: `later ${i}` } });
  const size = await logSize(server);
  const p = await server.api('GET', `/api/v1/log/proof/${first.body.seq}`, { token: watch });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.event, first.body.receipt.event, 'the event bytes never change');
  assert.equal(p.body.head.size, size, 'against the current head');
  assert.equal(checkReceipt(p.body, key), null);
  // Every event of the log the commander may see has a valid receipt; the rest are 404.
  let ok = 0;
  for (let seq = 1; seq <= size; seq++) {
    const x = await server.api('GET', `/api/v1/log/proof/${seq}`, { token: cdr });
    if (x.status === 404) { assertError(x, 404, 'not_found'); continue; }
    assert.equal(x.status, 200, x.text);
    assert.equal(checkReceipt(x.body, key), null, `receipt of ${seq}`);
    ok++;
  }
  assert.ok(ok > size / 2, 'most of the log is visible to the commander');
  assertError(await server.api('GET', `/api/v1/log/proof/${size + 1}`, { token: cdr }), 404, 'not_found');
  assertError(await server.api('GET', '/api/v1/log/proof/0', { token: cdr }), 400);
});

test('consistency proofs (RFC 9162 §2.1.4.2) between an old head and a new head verify in JS; forged ones do not', async () => {
  const old = (await server.api('GET', '/api/v1/log/head')).body;
  assert.ok(verifyHead(old, key));
  for (let i = 0; i < 7; i++) await server.api('POST', '/api/v1/journal', { token: watch, body: { text: `growth ${i}` } });
  const now = (await server.api('GET', '/api/v1/log/head')).body;
  assert.ok(verifyHead(now, key));
  assert.equal(now.size, old.size + 7);
  const c = await server.api('GET', `/api/v1/log/consistency?from=${old.size}&to=${now.size}`, { token: watch });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.from, old.size);
  assert.equal(c.body.to, now.size);
  const proof = c.body.proof.map(hex);
  // Checked against the roots of the two signed heads we hold, not the server's.
  assert.ok(verifyConsistency(old.size, now.size, hex(old.root), hex(now.root), proof), 'the old head is a prefix of the new one');
  assert.equal(c.body.from_root, old.root);
  assert.equal(c.body.to_root, now.root);
  // Without `to`: up to the current head, which it includes.
  const c2 = await server.api('GET', `/api/v1/log/consistency?from=${old.size}`, { token: watch });
  assert.equal(c2.status, 200);
  assert.equal(c2.body.to, now.size);
  if (c2.body.head) assert.ok(verifyHead(c2.body.head, key));
  // Forgeries fail.
  assert.ok(!verifyConsistency(old.size, now.size, hex(old.root), hex(now.root), proof.slice(1)), 'a shortened proof');
  const bent = proof.map((h, i) => (i === 0 ? Buffer.from(h.map((b, k) => (k === 0 ? b ^ 1 : b))) : h));
  assert.ok(!verifyConsistency(old.size, now.size, hex(old.root), hex(now.root), bent), 'a changed proof hash');
  const otherRoot = Buffer.from(hex(old.root).map((b, k) => (k === 31 ? b ^ 1 : b)));
  assert.ok(!verifyConsistency(old.size, now.size, otherRoot, hex(now.root), proof), 'a different old root');
  // Every prefix is consistent with the current tree (sizes 1 .. n, including powers of two).
  for (let m = 1; m <= now.size; m++) {
    const x = await server.api('GET', `/api/v1/log/consistency?from=${m}&to=${now.size}`, { token: watch });
    assert.equal(x.status, 200);
    assert.ok(verifyConsistency(m, now.size, hex(x.body.from_root), hex(now.root), x.body.proof.map(hex)), `consistency ${m} -> ${now.size}`);
  }
  assertError(await server.api('GET', `/api/v1/log/consistency?from=${now.size + 1}`, { token: watch }), 400, undefined, 'from');
  assertError(await server.api('GET', '/api/v1/log/consistency?from=0', { token: watch }), 400, undefined, 'from');
  assertError(await server.api('GET', `/api/v1/log/consistency?from=2&to=${now.size + 5}`, { token: watch }), 400, undefined, 'to');
});

test('GET /api/v1/log/events pages through the whole log from the start, in order, only what the caller may see', async () => {
  const size = await logSize(server);
  const me = (await server.api('GET', '/api/v1/me', { token: cdr })).body;
  const seqs = [];
  let after = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await server.api('GET', `/api/v1/log/events?after=${after}&limit=40`, { token: cdr });
    assert.equal(r.status, 200, r.text);
    for (const e of r.body.events) {
      assert.ok(e.seq > after, 'ascending, after the cursor');
      assert.ok(e.labels.some((l) => me.labels.includes(l)), `event ${e.seq} is visible to the caller`);
      seqs.push(e.seq);
    }
    if (r.body.next_after === after || r.body.next_after >= size) { after = r.body.next_after; break; }
    after = r.body.next_after;
  }
  assert.equal(after, size, 'paging reaches the head');
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
  assert.equal(new Set(seqs).size, seqs.length, 'no event twice');
  assert.ok(seqs.includes(1), 'the first event (the mission, visible to all) is listed');
  assert.equal((await server.api('GET', '/healthz')).status, 200, 'the server is still up');
});

test('numbers too large for 64 bits, in a path or a query, are refused naming the field (not read as the largest number); next_after stays a JSON integer', async () => {
  const big = '99999999999999999999';
  assertError(await server.api('GET', `/api/v1/log/proof/${big}`, { token: cdr }), 400, undefined, 'seq');
  for (const [path, field] of [[`/api/v1/log/events?after=${big}`, 'after'], ['/api/v1/log/events?after=18446744073709551615', 'after'],
    [`/api/v1/log/consistency?from=1&to=${big}`, 'to'], [`/api/v1/journal?cursor=${big}`, 'cursor'], [`/api/v1/incidents?cursor=${big}`, 'cursor'],
    [`/api/v1/aid/consignments?cursor=${big}`, 'cursor']]) {
    assertError(await server.api('GET', path, { token: cdr }), 400, undefined, field);
  }
  const top = await server.api('GET', '/api/v1/log/events?after=9223372036854775807', { token: cdr });
  assert.equal(top.status, 200, top.text);
  assert.deepEqual(top.body.events, []);
  assert.ok(top.body.next_after > 0, `next_after ${top.body.next_after}`);
});

// ---- the command line on a stopped server's folder ----

function sql(dir, q) {
  return execFileSync('sqlite3', [join(dir, 'truce.db'), q], { encoding: 'utf8' });
}

test('the tree recomputed in JS from the stored events has the root of the last signed head; truce verify DIR says OK', async () => {
  const target = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'tamper-me please' } });
  assert.equal(target.status, 201);
  await new Promise((r) => setTimeout(r, 1100)); // so that a stored head ends just before the next write
  const last = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'the last entry' } });
  assert.equal(last.status, 201);
  const head = (await server.api('GET', '/api/v1/log/head')).body;
  await server.stop();
  const rows = sql(server.dir, 'SELECT seq, hex(bytes), hex(hash) FROM events ORDER BY seq').trim().split('\n').map((l) => l.split('|'));
  assert.equal(rows.length, head.size);
  const leaves = rows.map(([seq, b, h], i) => {
    assert.equal(Number(seq), i + 1, 'seqs 1, 2, 3 ... without gaps');
    const leaf = leafHash(hex(b));
    assert.equal(leaf.toString('hex').toUpperCase(), h, `stored hash of event ${seq}`);
    assert.equal(JSON.parse(hex(b).toString('utf8')).seq, i + 1);
    return leaf;
  });
  assert.equal(mth(leaves).toString('hex'), head.root, 'RFC 6962 Merkle Tree Hash of the stored events');
  const v = truce(['verify', server.dir]);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, new RegExp(`OK: ${head.size} events`));
  // Keep the seq of the target for the next test.
  server.tamperSeq = target.body.seq;
  server.tamperEvent = target.body.receipt.event;
});

test('truce verify DIR exits 1 naming the altered event: bytes changed; bytes and hash both rewritten', () => {
  const seq = server.tamperSeq;
  assert.ok(seq, 'the previous test stopped the server and chose an event');
  // 1. Bytes changed behind the server's back (the stored hash no longer matches).
  const d1 = join(tmp, 'altered-bytes');
  cpSync(server.dir, d1, { recursive: true });
  const forged = Buffer.from(server.tamperEvent.replace('tamper-me please', 'tamper-me PLEASE'), 'utf8');
  sql(d1, `UPDATE events SET bytes = X'${forged.toString('hex')}' WHERE seq = ${seq}`);
  let v = truce(['verify', d1]);
  assert.equal(v.code, 1, v.out);
  assert.match(v.out, new RegExp(`ALTERED: event ${seq}\\b`), v.out);
  // 2. Bytes and hash both rewritten: the signed heads catch it.
  const d2 = join(tmp, 'altered-both');
  cpSync(server.dir, d2, { recursive: true });
  sql(d2, `UPDATE events SET bytes = X'${forged.toString('hex')}', hash = X'${leafHash(forged).toString('hex')}' WHERE seq = ${seq}`);
  v = truce(['verify', d2]);
  assert.equal(v.code, 1, v.out);
  const exact = new RegExp(`event ${seq}\\b`).test(v.out);
  const range = v.out.match(/between (\d+) and (\d+)/);
  assert.ok(exact || (range && Number(range[1]) <= seq && seq <= Number(range[2])), `names event ${seq}: ${v.out}`);
  // 3. A removed event (a gap) and a removed tail.
  const d3 = join(tmp, 'removed');
  cpSync(server.dir, d3, { recursive: true });
  sql(d3, `DELETE FROM events WHERE seq = ${seq}`);
  v = truce(['verify', d3]);
  assert.equal(v.code, 1, v.out);
  assert.match(v.out, new RegExp(`event ${seq}\\b`));
  const d4 = join(tmp, 'truncated');
  cpSync(server.dir, d4, { recursive: true });
  sql(d4, `DELETE FROM events WHERE seq >= ${seq}`);
  v = truce(['verify', d4]);
  assert.equal(v.code, 1, v.out);
  // The original is untouched and still verifies.
  v = truce(['verify', server.dir]);
  assert.equal(v.code, 0, v.out);
});

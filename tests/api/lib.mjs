// tests/api/lib.mjs — helpers shared by the API tests: starting a server on
// the Gaza scenario, the error shape, the log size, an independent RFC 6962 /
// RFC 9162 verifier (node:crypto only), a Server-Sent Events reader and the
// command line.
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initData, startServer, TRUCE, ROOT } from '../lib/server.mjs';

export { TRUCE, ROOT, startServer };

// A fresh data folder from the Gaza scenario (initData's default). For
// development only, TRUCE_TEST_SCENARIOS=PATH makes it `truce init DIR
// --scenarios PATH --scenario gaza`.
export function makeDir() {
  const root = process.env.TRUCE_TEST_SCENARIOS;
  if (!root) return initData();
  const dir = mkdtempSync(join(tmpdir(), 'truce-test-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync(TRUCE, ['init', dir, '--scenarios', root, '--scenario', 'gaza'], { stdio: 'pipe' });
  return dir;
}

// One server per test file on a fresh Gaza folder.
export async function boot() {
  return startServer({ dir: makeDir() });
}

export async function shutdown(server) {
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}

// Runs ./truce ARGS; returns { code, stdout, stderr }.
export function truce(args) {
  const r = spawnSync(TRUCE, args, { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}` };
}

// Logs in every username once; returns { username: token }.
export async function loginAll(server, usernames) {
  const out = {};
  for (const u of usernames) out[u] = (await server.login(u)).token;
  return out;
}

export async function logSize(server) {
  const r = await server.api('GET', '/api/v1/log/head');
  assert.equal(r.status, 200, r.text);
  return r.body.size;
}

// Asserts DESIGN.md's error shape {"error":{"code","message","field"}}.
export function assertError(res, status, code, field) {
  const what = `${res.status} ${res.text}`;
  if (status !== undefined) assert.equal(res.status, status, `status: ${what}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `content type: ${what}`);
  assert.ok(res.body && typeof res.body === 'object', `JSON body: ${what}`);
  assert.deepEqual(Object.keys(res.body), ['error'], `only "error" at the top: ${what}`);
  const e = res.body.error;
  assert.ok(e && typeof e === 'object', `error object: ${what}`);
  assert.equal(typeof e.code, 'string', `error.code: ${what}`);
  assert.ok(e.code.length > 0);
  assert.equal(typeof e.message, 'string', `error.message: ${what}`);
  assert.ok(e.message.length > 0, `error.message not empty: ${what}`);
  assert.ok('field' in e && (e.field === null || typeof e.field === 'string'), `error.field present: ${what}`);
  if (code !== undefined) assert.equal(e.code, code, `error.code: ${what}`);
  if (field !== undefined) assert.equal(e.field, field, `error.field: ${what}`);
}

// A journal entry written by token; asserts 201 and returns the reply.
export async function addEntry(server, token, body) {
  const r = await server.api('POST', '/api/v1/journal', { token, body });
  assert.equal(r.status, 201, `journal write: ${r.status} ${r.text}`);
  return r.body;
}

// ---- RFC 6962 / RFC 9162, independently of the server ----

const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
export const leafHash = (bytes) => sha256(Buffer.from([0]), Buffer.from(bytes));
export const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);
const hex = (h) => Buffer.from(h, 'hex');

// Merkle Tree Hash of a list of leaf hashes (RFC 6962 §2.1), for small trees.
export function mth(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

// RFC 9162 §2.1.3.2: verifying an inclusion proof.
export function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index < size)) return false;
  let fn = BigInt(index), sn = BigInt(size - 1), r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// RFC 9162 §2.1.4.2: verifying a consistency proof between sizes first <= second.
export function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first < 1 || first > second) return false;
  if (proof.length === 0) return false;
  let path = proof;
  if ((first & (first - 1)) === 0) path = [firstRoot, ...proof];
  let fn = BigInt(first - 1), sn = BigInt(second - 1);
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0n;
}

export function publicKey(keyHex) {
  assert.match(keyHex, /^[0-9a-f]{64}$/, 'Ed25519 public key as 64 hex digits');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), hex(keyHex)]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

function u64be(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

// The signed tree head message: "truce-sth-v1" || size u64be || time ms u64be || root.
export function headMessage(head) {
  const ms = Date.parse(head.timestamp);
  if (!Number.isFinite(ms)) throw new Error(`bad head timestamp ${head.timestamp}`);
  return Buffer.concat([Buffer.from('truce-sth-v1', 'ascii'), u64be(head.size), u64be(ms), hex(head.root)]);
}

export function verifyHead(head, keyHex) {
  if (!head || !/^[0-9a-f]{64}$/.test(head.root) || !/^[0-9a-f]{128}$/.test(head.signature)) return false;
  if (!Number.isInteger(head.size) || head.size < 1) return false;
  return edVerify(null, headMessage(head), publicKey(keyHex), hex(head.signature));
}

// Checks a receipt with nothing but the trusted public key. Returns null when
// valid, or the reason it is not.
export function checkReceipt(rc, keyHex) {
  if (!rc || typeof rc.event !== 'string' || !Array.isArray(rc.proof) || !rc.head) return 'not a receipt';
  const bytes = Buffer.from(rc.event, 'utf8');
  const leaf = leafHash(bytes);
  if (rc.leaf_hash !== undefined && rc.leaf_hash !== leaf.toString('hex')) return 'leaf_hash is not SHA-256(0x00 || event)';
  let ev;
  try { ev = JSON.parse(rc.event); } catch { return 'event is not JSON'; }
  if (ev.seq !== rc.leaf_index + 1) return 'leaf_index does not match the event seq';
  if (rc.seq !== undefined && rc.seq !== ev.seq) return 'seq does not match the event';
  if (!verifyHead(rc.head, keyHex)) return 'head signature does not verify';
  if (!rc.proof.every((p) => /^[0-9a-f]{64}$/.test(p))) return 'proof is not a list of hashes';
  if (!verifyInclusion(rc.leaf_index, rc.head.size, leaf, rc.proof.map(hex), hex(rc.head.root))) return 'inclusion proof fails';
  return null;
}

// The canonical form the contract states: compact JSON, keys sorted at every level.
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

// ---- Server-Sent Events over fetch ----

// Opens GET /api/v1/stream; parses text/event-stream as it arrives.
// Returns { status, headers, events, comments, ended, waitFor(pred, ms), close() }.
export async function openStream(base, { token, lastEventId, query = '', headers = {} } = {}) {
  const ac = new AbortController();
  const h = { Accept: 'text/event-stream', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (lastEventId !== undefined) h['Last-Event-ID'] = String(lastEventId);
  const res = await fetch(`${base}/api/v1/stream${query}`, { headers: h, signal: ac.signal });
  const s = {
    status: res.status, headers: res.headers, events: [], comments: [], done: false, error: null, text: '',
    close() { ac.abort(); },
  };
  const listeners = new Set();
  const notify = () => { for (const f of [...listeners]) f(); };
  if (res.status !== 200 || !(res.headers.get('content-type') || '').startsWith('text/event-stream')) {
    s.text = await res.text();
    s.done = true;
    s.ended = Promise.resolve();
  } else {
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let cur = { id: null, event: null, data: [] };
    const line = (l) => {
      if (l === '') {
        if (cur.data.length || cur.event) s.events.push({ id: cur.id, event: cur.event, data: cur.data.join('\n') });
        cur = { id: null, event: null, data: [] };
        return;
      }
      if (l.startsWith(':')) { s.comments.push(l); return; }
      const i = l.indexOf(':');
      const name = i < 0 ? l : l.slice(0, i);
      let value = i < 0 ? '' : l.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'id') cur.id = value;
      else if (name === 'event') cur.event = value;
      else if (name === 'data') cur.data.push(value);
    };
    s.ended = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let k;
          while ((k = buf.search(/\r\n|\r|\n/)) >= 0) {
            const l = buf.slice(0, k);
            buf = buf.slice(k + (buf.startsWith('\r\n', k) ? 2 : 1));
            line(l);
          }
          notify();
        }
      } catch (e) {
        if (e.name !== 'AbortError') s.error = e;
      }
      s.done = true;
      notify();
    })();
  }
  // Resolves with the first event matching pred (or rejects after ms).
  s.waitFor = (pred, ms = 5000) => new Promise((resolve, reject) => {
    const check = () => {
      const e = s.events.find(pred);
      if (e) { cleanup(); resolve(e); return true; }
      if (s.done) { cleanup(); reject(new Error(`stream ended before the awaited event (${s.events.length} events)`)); return true; }
      return false;
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no awaited event within ${ms} ms (${s.events.length} events: ${s.events.map((e) => e.id).join(',')})`)); }, ms);
    const cleanup = () => { clearTimeout(timer); listeners.delete(check); };
    listeners.add(check);
    check();
  });
  return s;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A principal's labels as /me lists them; visible(labels) per the contract.
export function maySee(principalLabels, labels) {
  return labels.some((l) => principalLabels.includes(l));
}

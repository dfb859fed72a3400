// receipt.js — checks a receipt in the browser, trusting nothing but the
// server's public key (GET /api/v1/log/key, fetched once and kept):
//
//   receipt = {"seq", "leaf_index", "event": canonical event bytes as a JSON
//              string, "leaf_hash", "proof": [hex], "head": {"size", "root",
//              "timestamp", "signature"}, "key"}
//
//   1. leaf = SHA-256(0x00 || event bytes (UTF-8));
//   2. the RFC 6962 / 9162 inclusion path from leaf_index in a tree of
//      head.size leaves (node = SHA-256(0x01 || left || right)) must end at
//      head.root;
//   3. Ed25519 over the 60 bytes "truce-sth-v1" || size (8, big-endian)
//      || timestamp in ms since the epoch (8, big-endian) || root (32) must
//      verify with the server's key (src/log.c log_head_message).
//
// The receipt's own "key" is not used: a forged receipt would carry the
// forger's key. WebCrypto's subtle API needs a secure context (HTTPS or
// loopback); without it the answer is {ok: false, reason: 'unsupported'}.
import { api } from './api.js';

const HEAD_TAG = 'truce-sth-v1';
let keyPromise = null;

export function hexToBytes(hex) {
  if (typeof hex !== 'string' || hex.length % 2 || /[^0-9a-f]/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function bytesToHex(b) {
  return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)); }
const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

function equal(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

// RFC 9162 2.1.3.2: the root an inclusion path leads to, or null when the
// path does not fit index and size.
export async function rootFromInclusion(index, size, leaf, path) {
  if (!(index >= 0) || index >= size) return null;
  let fn = BigInt(index), sn = BigInt(size - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) while (fn !== 0n && (fn & 1n) === 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// The signed tree head message (src/log.c log_head_message).
export function headMessage(size, timeMs, root) {
  const msg = new Uint8Array(60);
  msg.set(new TextEncoder().encode(HEAD_TAG), 0);
  const dv = new DataView(msg.buffer);
  dv.setBigUint64(12, BigInt(size), false);
  dv.setBigUint64(20, BigInt(timeMs), false);
  msg.set(root, 28);
  return msg;
}

// RFC 3339 → ms since the epoch, to the millisecond the server signed.
function timeMs(ts) {
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : null;
}

export function cryptoAvailable() {
  return !!(globalThis.crypto && crypto.subtle && globalThis.isSecureContext !== false);
}

// The server's key (hex), fetched once per page.
export function serverKey() {
  if (!keyPromise) {
    keyPromise = api('GET', '/api/v1/log/key').then((r) => {
      if (!r || typeof r.key !== 'string' || !hexToBytes(r.key) || r.key.length !== 64) throw new Error('bad key');
      return r.key.toLowerCase();
    });
    keyPromise.catch(() => { keyPromise = null; });
  }
  return keyPromise;
}

// Parses the event bytes of a receipt ({seq, kind, subject, time, ...}) or null.
export function receiptEvent(receipt) {
  try { return JSON.parse(receipt.event); } catch { return null; }
}

// verifyReceipt(receipt, keyHex, {seq, subject}) →
//   {ok: true, event, head} or {ok: false, reason, event?}
// reason: 'unsupported' | 'malformed' | 'wrong_event' | 'leaf' | 'proof' | 'signature'.
export async function verifyReceipt(receipt, keyHex, expect = {}) {
  if (!cryptoAvailable()) return { ok: false, reason: 'unsupported' };
  const r = receipt || {};
  const head = r.head || {};
  const key = hexToBytes(keyHex);
  const sig = hexToBytes(head.signature);
  const root = hexToBytes(head.root);
  const path = Array.isArray(r.proof) ? r.proof.map(hexToBytes) : null;
  const ms = timeMs(head.timestamp);
  if (typeof r.event !== 'string' || !Number.isInteger(r.leaf_index) || !Number.isInteger(head.size) || head.size < 1
      || !key || key.length !== 32 || !sig || sig.length !== 64 || !root || root.length !== 32
      || !path || path.some((p) => !p || p.length !== 32) || ms === null) {
    return { ok: false, reason: 'malformed' };
  }
  const event = receiptEvent(r);
  if (!event || event.seq !== r.leaf_index + 1) return { ok: false, reason: 'malformed', event };
  if ((expect.seq !== undefined && event.seq !== expect.seq) || (expect.subject && event.subject !== expect.subject)) {
    return { ok: false, reason: 'wrong_event', event };
  }
  const leaf = await leafHash(new TextEncoder().encode(r.event));
  if (r.leaf_hash !== undefined && !equal(leaf, hexToBytes(r.leaf_hash))) return { ok: false, reason: 'leaf', event };
  const got = await rootFromInclusion(r.leaf_index, head.size, leaf, path);
  if (!got || !equal(got, root)) return { ok: false, reason: 'proof', event };
  let good = false;
  try {
    const k = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    good = await crypto.subtle.verify({ name: 'Ed25519' }, k, sig, headMessage(head.size, ms, root));
  } catch (e) {
    // A browser without Ed25519 in WebCrypto throws NotSupportedError.
    if (e && e.name === 'NotSupportedError') return { ok: false, reason: 'unsupported', event };
    return { ok: false, reason: 'signature', event };
  }
  if (!good) return { ok: false, reason: 'signature', event };
  return { ok: true, event, head };
}

// Fetches the receipt of event seq and checks it. Results are kept per seq
// (a receipt does not change; a failure is retried next time).
const cache = new Map();
export function fetchAndVerify(seq, expect = {}) {
  if (!Number.isInteger(seq) || seq < 1) return Promise.resolve({ ok: false, reason: 'missing' });
  const k = `${seq}:${expect.subject || ''}`;
  if (cache.has(k)) return cache.get(k);
  const p = (async () => {
    let receipt, text;
    try {
      receipt = await api('GET', `/api/v1/log/proof/${seq}`);
      text = JSON.stringify(receipt, null, 1);
    } catch (err) {
      return { ok: false, reason: 'fetch', error: err };
    }
    let key;
    try { key = await serverKey(); } catch { return { ok: false, reason: 'fetch', receipt, text }; }
    const v = await verifyReceipt(receipt, key, { seq, subject: expect.subject });
    return { ...v, receipt, text, seq };
  })();
  cache.set(k, p);
  p.then((v) => { if (!v.ok && v.reason === 'fetch') cache.delete(k); });
  return p;
}

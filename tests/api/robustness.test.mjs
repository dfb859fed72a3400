// Robustness (issue 2: "a malformed, slow or oversize request never crashes
// or stalls the server for others"): slow clients, garbage, bad HTTP,
// oversized headers and URLs, path traversal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { boot, shutdown, addEntry, logSize, sleep } from './lib.mjs';

let server, watch;
const sockets = [];
before(async () => {
  server = await boot();
  watch = (await server.login('cmcc.watch')).token;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await shutdown(server);
});

function alive() {
  assert.equal(server.proc.exitCode, null, `the server exited: ${server.output().slice(-2000)}`);
  assert.equal(server.proc.signalCode, null, `the server was killed by ${server.proc.signalCode}: ${server.output().slice(-2000)}`);
}

// A request that must complete; fails (rather than hangs) after 10 s.
async function must(method, path, opts = {}) {
  const h = { ...(opts.headers || {}) };
  if (opts.token) h.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(server.base + path, { method, headers: h, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(10000) });
  const text = await r.text();
  return { status: r.status, text };
}

// Opens a raw TCP connection and writes bytes; resolves with what the server
// answered before closing (or after `wait` ms).
function raw(bytes, { wait = 2000, keep = false } = {}) {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    let out = Buffer.alloc(0);
    let done = false;
    const finish = () => { if (done) return; done = true; if (!keep) s.destroy(); resolve(out.toString('latin1')); };
    s.on('data', (d) => { out = Buffer.concat([out, d]); });
    s.on('error', finish);
    s.on('close', finish);
    s.on('connect', () => { s.write(bytes); });
    setTimeout(finish, wait);
    if (keep) sockets.push(s);
  });
}

test('slow clients (half-sent headers, half-sent bodies, idle connections) do not stall anyone else', async () => {
  const slow = [];
  for (let i = 0; i < 60; i++) {
    const s = connect(server.port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    if (i % 3 === 0) s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    else if (i % 3 === 1) s.write(`POST /api/v1/journal HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${watch}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":"`);
    slow.push(s);
  }
  await sleep(200);
  // Everyone else is served meanwhile: reads, writes, logins.
  for (let i = 0; i < 5; i++) {
    assert.equal((await must('GET', '/healthz')).status, 200);
    assert.equal((await must('GET', '/api/v1/journal', { token: watch })).status, 200);
    assert.equal((await must('POST', '/api/v1/journal', { token: watch, body: { text: `while slow clients wait ${i}` } })).status, 201);
  }
  const login = await must('POST', '/api/v1/session', { body: { username: 'cmcc.cdr', password: server.creds['cmcc.cdr'].password } });
  assert.equal(login.status, 201);
  // A slow client trickling a byte at a time does not block others either.
  const trickle = connect(server.port, '127.0.0.1');
  sockets.push(trickle);
  trickle.on('error', () => {});
  const req = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  let reply = '';
  trickle.on('data', (d) => { reply += d; });
  for (let i = 0; i < req.length; i++) {
    trickle.write(req[i]);
    if (i % 8 === 0) assert.equal((await must('GET', '/api/v1/mission')).status, 200);
    await sleep(5);
  }
  for (let i = 0; i < 100 && !reply.includes('\r\n\r\n'); i++) await sleep(20);
  assert.match(reply, /^HTTP\/1\.1 200/, 'the trickled request is answered too');
  for (const s of slow) s.destroy();
  alive();
});

test('many connections at once are served (or refused cleanly), and the server stays up', async () => {
  const results = await Promise.allSettled(Array.from({ length: 300 }, () => fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(15000) }).then((r) => r.status)));
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value === 200).length;
  assert.ok(ok >= 250, `${ok} of 300 concurrent requests answered 200`);
  alive();
  assert.equal((await must('GET', '/healthz')).status, 200);
});

test('200 garbage requests (random bytes, broken HTTP) do not crash the server; nothing is written', async () => {
  const size = await logSize(server);
  const broken = [
    'GARBAGE\r\n\r\n',
    'GET\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    'GET /healthz HTTP/1.1\r\n\r\n', // no Host
    'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n',
    'POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n',
    'POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{"a":1}',
    `POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'f'.repeat(64)}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n`,
    `POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'f'.repeat(64)}\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nxx\r\n`,
    'POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    'GET /api/v1/journal?limit=%ZZ&cursor=%00 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/v1/%00%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/v1/log/proof/18446744073709551616 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/v1/log/proof/99999999999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/v1/log/consistency?from=18446744073709551615 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET http://evil.example/api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
    'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n',
    `${'A'.repeat(5000)} / HTTP/1.1\r\nHost: x\r\n\r\n`,
    'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\n',
    '\r\n\r\n\r\n',
    '\x00\x01\x02\x03',
    'GET /healthz HTTP/1.1\nHost: x\n\n',
  ];
  await Promise.all(broken.map((b) => raw(b, { wait: 500 })));
  let n = broken.length;
  // Random bytes, and random bytes after a plausible start.
  const batch = [];
  while (n < 200) {
    const r = randomBytes(1 + Math.floor(Math.random() * 2000));
    batch.push(n % 2 ? r : Buffer.concat([Buffer.from(`POST /api/v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${watch}\r\nContent-Type: application/json\r\nContent-Length: ${r.length}\r\n\r\n`), r]));
    n++;
  }
  for (let i = 0; i < batch.length; i += 20) await Promise.all(batch.slice(i, i + 20).map((b) => raw(b, { wait: 300 })));
  alive();
  assert.equal((await must('GET', '/healthz')).status, 200);
  assert.equal(await logSize(server), size, 'no garbage was written to the log');
  const w = await addEntry(server, watch, { text: 'after the garbage' });
  assert.equal(w.seq, size + 1);
});

test('oversized headers, URLs and many headers are refused with a 4xx (or the connection closed), never a crash', async () => {
  const big = 'x'.repeat(100 * 1024);
  const answers = [
    await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`),
    await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: truce_session=${big}\r\n\r\n`),
    await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${big}\r\n\r\n`),
    await raw(`GET /api/v1/journal?cursor=${big} HTTP/1.1\r\nHost: x\r\n\r\n`),
    await raw(`GET /${big} HTTP/1.1\r\nHost: x\r\n\r\n`),
    await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`),
  ];
  for (const a of answers) {
    const status = Number((a.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
    assert.ok(status === 0 || (status >= 400 && status < 500), `a 4xx or a closed connection, got: ${a.slice(0, 200)}`);
  }
  // Through fetch as well: a very long but legal token is just unauthenticated.
  const r = await fetch(`${server.base}/api/v1/me`, { headers: { Authorization: `Bearer ${'a'.repeat(4000)}` } });
  assert.equal(r.status, 401);
  alive();
  assert.equal((await must('GET', '/healthz')).status, 200);
});

test('static files: no path traversal out of web/, no directory listing', async () => {
  for (const p of ['/../Makefile', '/..%2fMakefile', '/%2e%2e/Makefile', '/%2e%2e%2fsrc%2fmain.c', '/../../../../etc/passwd', '/..\\Makefile', '/.%2e/Makefile', '/%2e%2e/truce.db']) {
    const a = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { wait: 1000 });
    assert.ok(!/root:x:0:0|CFLAGS|#include|SQLite format/.test(a), `${p} must not serve files outside web/: ${a.slice(0, 300)}`);
    const status = Number((a.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
    assert.ok(status === 0 || status === 400 || status === 403 || status === 404, `${p}: ${a.slice(0, 120)}`);
  }
  alive();
});

test('logins (argon2id, about 0.1 s of CPU each) run beside the pool threads: other requests are answered meanwhile', async () => {
  // Twelve logins at once keep password hashing busy for a second or more.
  // Were they hashed on the pool threads that serve the connections, each of
  // those threads would hold its other connections for 0.1 s per login.
  const logins = Array.from({ length: 12 }, () => server.login('cmcc.watch'));
  let done = false;
  Promise.allSettled(logins).then(() => { done = true; });
  await sleep(20);
  const lat = [];
  while (!done && lat.length < 200) {
    const t0 = performance.now();
    const r = await must('GET', '/healthz');
    lat.push(performance.now() - t0);
    assert.equal(r.status, 200);
  }
  for (const l of await Promise.all(logins)) assert.ok(l.token, 'every login succeeded');
  assert.ok(lat.length >= 5, `the logins ran alongside ${lat.length} health checks`);
  const worst = Math.max(...lat);
  assert.ok(worst < 80, `a health check waited ${worst.toFixed(1)} ms while logins were hashed (all: ${lat.map((x) => x.toFixed(0)).join(' ')})`);
  alive();
});

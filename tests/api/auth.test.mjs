// Accounts and sessions (issue 2, item 5): login, the session cookie and its
// CSRF token, throttling of failed logins, logout, disabled accounts,
// password changes and the user list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { boot, shutdown, assertError, logSize, openStream } from './lib.mjs';

let server, admin;
before(async () => {
  server = await boot();
  admin = (await server.login('admin')).token;
});
after(() => shutdown(server));

const login = (username, password, headers = {}) => server.api('POST', '/api/v1/session', { body: { username, password }, headers });
const pw = (u) => server.creds[u].password;

test('login: 201 with a 64-hex token, expiry, CSRF token, the account, and a HttpOnly SameSite=Strict cookie', async () => {
  const r = await login('cmcc.watch', pw('cmcc.watch'));
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.token, /^[0-9a-f]{64}$/);
  assert.ok(Date.parse(r.body.expires) > Date.now(), 'expires in the future');
  assert.match(r.body.expires, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'RFC 3339 UTC');
  assert.equal(typeof r.body.csrf, 'string');
  assert.ok(r.body.csrf.length >= 16);
  assert.equal(r.body.user.username, 'cmcc.watch');
  assert.deepEqual(r.body.user.roles, ['cmcc_watch']);
  assert.ok(!JSON.stringify(r.body).includes(pw('cmcc.watch')), 'the password is never echoed');
  const cookie = r.headers.get('set-cookie');
  assert.ok(cookie, 'Set-Cookie');
  const parts = cookie.split(';').map((s) => s.trim());
  assert.equal(parts[0], `truce_session=${r.body.token}`);
  assert.ok(parts.includes('HttpOnly'), cookie);
  assert.ok(parts.some((p) => /^SameSite=Strict$/i.test(p)), cookie);
  assert.ok(parts.some((p) => p === 'Path=/'), cookie);
  // Two logins give two different tokens.
  const again = await login('cmcc.watch', pw('cmcc.watch'));
  assert.notEqual(again.body.token, r.body.token);
  // The token works.
  const me = await server.api('GET', '/api/v1/me', { token: r.body.token });
  assert.equal(me.status, 200);
  assert.equal(me.body.username, 'cmcc.watch');
  assert.ok(me.body.permissions.includes('journal.write'));
});

test('a wrong password or an unknown account is 401 bad_login, alike; nothing is written', async () => {
  const size = await logSize(server);
  const wrong = await login('cmcc.cdr', 'not-the-password');
  assertError(wrong, 401, 'bad_login');
  const unknown = await login('nobody.here', 'whatever-password');
  assertError(unknown, 401, 'bad_login');
  assert.equal(wrong.body.error.message, unknown.body.error.message, 'no hint whether the account exists');
  assertError(await login('cmcc.cdr', ''), 400, 'out_of_range', 'password');
  assertError(await server.api('POST', '/api/v1/session', { body: { username: 'cmcc.cdr' } }), 400, 'missing_field', 'password');
  assertError(await server.api('POST', '/api/v1/session', { body: { username: 'cmcc.cdr', password: 'x', remember: true } }), 400, 'unknown_field', 'remember');
  assert.equal(await logSize(server), size);
  // The right password still works (one failure does not lock anyone out).
  assert.equal((await login('cmcc.cdr', pw('cmcc.cdr'))).status, 201);
});

test('throttling: after 5 failed logins the 6th attempt is 429, even with the right password; other accounts are unaffected', async () => {
  const u = 'wfp.focal';
  for (let i = 1; i <= 5; i++) assertError(await login(u, `wrong-password-${i}`), 401, 'bad_login');
  const sixth = await login(u, pw(u));
  assertError(sixth, 429, 'throttled');
  assert.ok(sixth.headers.get('retry-after'), 'Retry-After tells when to retry');
  assertError(await login(u, 'wrong-again'), 429, 'throttled');
  // Another account from the same address still logs in.
  assert.equal((await login('ngo.focal', pw('ngo.focal'))).status, 201);
});

test('logout ends the session on the server: the old token is 401 afterwards', async () => {
  const { token } = await server.login('isf.hq');
  const other = (await server.login('isf.hq')).token;
  assert.equal((await server.api('GET', '/api/v1/me', { token })).status, 200);
  const out = await server.api('DELETE', '/api/v1/session', { token });
  assert.ok(out.status === 200 || out.status === 204, out.text);
  const cookie = out.headers.get('set-cookie') || '';
  assert.match(cookie, /truce_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i, 'the cookie is cleared');
  assertError(await server.api('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
  assertError(await server.api('POST', '/api/v1/journal', { token, body: { text: 'after logout' } }), 401, 'unauthenticated');
  assertError(await server.api('DELETE', '/api/v1/session', { token }), 401, 'unauthenticated');
  // Only that session ended.
  assert.equal((await server.api('GET', '/api/v1/me', { token: other })).status, 200);
});

test('cookie sessions: reads work with the cookie alone; writes need X-CSRF-Token (403 csrf without it, 201 with it)', async () => {
  const r = await login('cmcc.watch', pw('cmcc.watch'));
  const cookie = `truce_session=${r.body.token}`;
  const csrf = r.body.csrf;
  const me = await server.api('GET', '/api/v1/me', { headers: { Cookie: cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.body.csrf, csrf, '/me gives the same CSRF token');
  const size = await logSize(server);
  assertError(await server.api('POST', '/api/v1/journal', { body: { text: 'no csrf' }, headers: { Cookie: cookie } }), 403, 'csrf');
  assertError(await server.api('POST', '/api/v1/journal', { body: { text: 'bad csrf' }, headers: { Cookie: cookie, 'X-CSRF-Token': '0'.repeat(csrf.length) } }), 403, 'csrf');
  assertError(await server.api('POST', '/api/v1/journal', { body: { text: 'short csrf' }, headers: { Cookie: cookie, 'X-CSRF-Token': csrf.slice(0, 8) } }), 403, 'csrf');
  // Another session's CSRF token is not this session's.
  const other = await login('cmcc.watch', pw('cmcc.watch'));
  assertError(await server.api('POST', '/api/v1/journal', { body: { text: 'foreign csrf' }, headers: { Cookie: cookie, 'X-CSRF-Token': other.body.csrf } }), 403, 'csrf');
  assertError(await server.api('DELETE', '/api/v1/session', { headers: { Cookie: cookie } }), 403, 'csrf');
  assert.equal(await logSize(server), size, 'nothing written without the CSRF token');
  const ok = await server.api('POST', '/api/v1/journal', { body: { text: 'with csrf' }, headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.entry.author, 'cmcc.watch');
  // Logout by cookie (with the CSRF header) ends it.
  const out = await server.api('DELETE', '/api/v1/session', { headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
  assert.ok(out.status === 200 || out.status === 204, out.text);
  assertError(await server.api('GET', '/api/v1/me', { headers: { Cookie: cookie } }), 401, 'unauthenticated');
});

test('a disabled account cannot log in and its open sessions (and streams) end; enabling restores it', async () => {
  const u = 'trainer';
  const { token } = await server.login(u);
  const stream = await openStream(server.base, { token });
  assert.equal(stream.status, 200);
  const dis = await server.api('POST', `/api/v1/users/${u}/disable`, { token: admin });
  assert.equal(dis.status, 200, dis.text);
  assert.ok(dis.body.receipt, 'a write returns its receipt');
  assertError(await server.api('GET', '/api/v1/me', { token }), 401, 'unauthenticated');
  const again = await login(u, pw(u));
  assert.equal(again.status, 401, again.text);
  await Promise.race([stream.ended, new Promise((_, rej) => setTimeout(() => rej(new Error('the stream of a disabled account did not end')), 10000))]);
  const users = await server.api('GET', '/api/v1/users', { token: admin });
  assert.equal(users.body.users.find((x) => x.username === u).disabled, true);
  // An admin cannot disable their own account.
  assert.equal((await server.api('POST', '/api/v1/users/admin/disable', { token: admin })).status, 409);
  assertError(await server.api('POST', '/api/v1/users/no.such.user/disable', { token: admin }), 404);
  const en = await server.api('POST', `/api/v1/users/${u}/enable`, { token: admin });
  assert.equal(en.status, 200, en.text);
  assert.equal((await login(u, pw(u))).status, 201);
});

test('changing one\'s own password needs the current one; the old password stops working; other sessions end', async () => {
  const u = 'idf.liaison';
  const first = (await server.login(u)).token;
  const second = (await server.login(u)).token;
  const size = await logSize(server);
  assertError(await server.api('POST', `/api/v1/users/${u}/password`, { token: first, body: { password: 'a-new-password-1' } }), 400, 'missing_field', 'current');
  const wrong = await server.api('POST', `/api/v1/users/${u}/password`, { token: first, body: { password: 'a-new-password-1', current: 'not-current' } });
  assertError(wrong);
  assert.ok(wrong.status === 400 || wrong.status === 401 || wrong.status === 403, wrong.text);
  assert.equal(wrong.body.error.field, 'current');
  assertError(await server.api('POST', `/api/v1/users/${u}/password`, { token: first, body: { password: 'short', current: pw(u) } }), 400, 'out_of_range', 'password');
  assert.equal(await logSize(server), size, 'refused changes write nothing');
  // Nobody but an admin changes someone else's password.
  assertError(await server.api('POST', '/api/v1/users/cmcc.watch/password', { token: first, body: { password: 'hijacked-password', current: pw(u) } }), 403, 'forbidden');
  const ok = await server.api('POST', `/api/v1/users/${u}/password`, { token: first, body: { password: 'a-new-password-1', current: pw(u) } });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.body.receipt);
  assert.ok(!ok.body.receipt.event.includes('a-new-password-1'), 'the password is not in the log');
  assert.ok(!/argon2/.test(ok.body.receipt.event), 'the password hash is not in the log');
  assertError(await login(u, pw(u)), 401, 'bad_login');
  assert.equal((await login(u, 'a-new-password-1')).status, 201);
  assert.equal((await server.api('GET', '/api/v1/me', { token: first })).status, 200, 'the session that changed it continues');
  assertError(await server.api('GET', '/api/v1/me', { token: second }), 401, 'unauthenticated');
  // An admin may set anyone's password without the current one.
  const reset = await server.api('POST', `/api/v1/users/${u}/password`, { token: admin, body: { password: pw(u) } });
  assert.equal(reset.status, 200, reset.text);
  assert.equal((await login(u, pw(u))).status, 201);
});

test('the user list and user administration are for admins only; no password material is ever listed', async () => {
  const list = await server.api('GET', '/api/v1/users', { token: admin });
  assert.equal(list.status, 200);
  const names = list.body.users.map((x) => x.username);
  for (const u of Object.keys(server.creds)) assert.ok(names.includes(u), `${u} is listed`);
  const text = JSON.stringify(list.body);
  assert.ok(!/argon2|password|hash/i.test(text), 'no password material');
  for (const u of Object.keys(server.creds)) assert.ok(!text.includes(server.creds[u].password));
  for (const u of ['cmcc.watch', 'cmcc.cdr', 'board.chair', 'ocha.focal', 'isf.hq']) {
    const token = (await server.login(u)).token;
    assertError(await server.api('GET', '/api/v1/users', { token }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/users', { token, body: { username: 'x.y', name: 'X', org: 'CMCC', roles: ['admin'], password: 'long-enough-pw' } }), 403, 'forbidden');
    assertError(await server.api('POST', '/api/v1/users/ngo.focal/disable', { token }), 403, 'forbidden');
  }
  assertError(await server.api('GET', '/api/v1/users'), 401, 'unauthenticated');
  // Adding an account: checked, then it can log in.
  const size = await logSize(server);
  assertError(await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'new.officer', name: 'N', org: 'CMCC', roles: ['cmcc_watch'], password: 'short' } }), 400, 'out_of_range', 'password');
  assertError(await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'new.officer', name: 'N', org: 'CMCC', roles: ['pilot'], password: 'long-enough-pw' } }), 400, undefined, 'roles');
  assertError(await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'new.officer', name: 'N', org: 'NO-SUCH-ORG', roles: ['cmcc_watch'], password: 'long-enough-pw' } }), 400, undefined, 'org');
  assertError(await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'cmcc.watch', name: 'N', org: 'CMCC', roles: ['cmcc_watch'], password: 'long-enough-pw' } }), 409, 'conflict', 'username');
  assert.equal(await logSize(server), size);
  const add = await server.api('POST', '/api/v1/users', { token: admin, body: { username: 'new.officer', name: 'New Officer', org: 'CMCC', roles: ['cmcc_watch'], password: 'long-enough-pw' } });
  assert.equal(add.status, 201, add.text);
  assert.ok(add.body.receipt);
  assert.ok(!add.body.receipt.event.includes('long-enough-pw'), 'the password is not in the log');
  const r = await login('new.officer', 'long-enough-pw');
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.user.roles, ['cmcc_watch']);
});

// FNV-1a, the hash the server's throttle table happens to use: lets the test
// pick names that share a slot deterministically (black-box, any table with
// collisions must still keep counts apart).
function fnv1a(s) {
  let h = 2166136261;
  for (const b of Buffer.from(s)) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
function collider(key, avoid = []) {
  const slot = fnv1a(key) % 1024;
  for (let i = 0; ; i++) {
    const name = `probe.${i}`;
    if (fnv1a(`u:${name}`) % 1024 === slot && !avoid.some((k) => fnv1a(k) % 1024 === fnv1a(`u:${name}`) % 1024 && k !== key)) return name;
  }
}
function harmless(n, avoid) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const name = `nobody.${i}`;
    if (!avoid.some((k) => fnv1a(k) % 1024 === fnv1a(`u:${name}`) % 1024)) out.push(name);
  }
  return out;
}

test('a failed login for some other name never resets an account\'s count of failures', async () => {
  const victim = 'cmcc.cdr';
  const other = collider(`u:${victim}`, ['a:127.0.0.1']);
  for (let i = 1; i <= 4; i++) assertError(await login(victim, `guess-${i}`), 401, 'bad_login');
  assertError(await login(other, 'whatever-password'), 401, 'bad_login');
  assertError(await login(victim, 'guess-5'), 401, 'bad_login');
  // Five failures for the victim within five minutes: the right password must now be refused.
  const r = await login(victim, pw(victim));
  assert.equal(r.status, 429, `after 5 failed logins for ${victim} (interleaved with one failure for "${other}") the 6th attempt must be throttled; got ${r.status} ${r.text.slice(0, 100)}`);
});

// Logs in over a connection from another loopback address (127.0.0.x).
function loginFrom(localAddress, username, password) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request(`${server.base}/api/v1/session`, { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => { let json = null; try { json = JSON.parse(text); } catch { /* */ } resolve({ status: res.statusCode, text, body: json, headers: new Headers(res.headers) }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('failed logins are throttled per address too: after 50 failures from one address, logins from it are 429; other addresses are unaffected', async () => {
  const addr = '127.0.0.7';
  const ipKey = `a:${addr}`;
  const avoid = [ipKey, 'u:board.chair', 'u:isf.egy'];
  const names = harmless(60, avoid);
  // 30 failures, one for a name that shares the address's slot in the server's table, 25 more: 56 failures.
  for (const n of names.slice(0, 30)) assertError(await loginFrom(addr, n, 'wrong-password'), 401, 'bad_login');
  assertError(await loginFrom(addr, collider(ipKey, ['u:board.chair', 'u:isf.egy']), 'wrong-password'), 401, 'bad_login');
  for (const n of names.slice(30, 55)) {
    const r = await loginFrom(addr, n, 'wrong-password');
    assert.ok(r.status === 401 || r.status === 429, r.text);
  }
  const r = await loginFrom(addr, 'isf.egy', pw('isf.egy'));
  assert.equal(r.status, 429, `56 failed logins from ${addr}: even a right password from it is throttled; got ${r.status} ${r.text.slice(0, 100)}`);
  assertError(r, 429, 'throttled');
  // Another address logs in as usual.
  assert.equal((await loginFrom('127.0.0.8', 'isf.egy', pw('isf.egy'))).status, 201);
  assert.equal((await login('board.chair', pw('board.chair'))).status, 201);
});

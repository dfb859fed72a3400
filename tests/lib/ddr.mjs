// tests/lib/ddr.mjs — helpers shared by the DDR API and browser tests
// (docs/ddr.md): registration bodies with clearly fictional exercise people,
// a client bound to tokens, a second DDR officer for four-eyes reviews.
import assert from 'node:assert/strict';

let seq = 0;
// A unique, clearly fictional exercise person. over overrides fields.
export function personBody(over = {}) {
  seq += 1;
  const n = `${process.pid % 1000}${seq}`;
  return {
    site: 'DDR-SITE-1',
    name_ar: `تمرين شخص ${n}`,
    name_latin: `Exercise Zzperson${n} Testcase`,
    date_of_birth: `19${50 + (seq % 40)}-0${1 + (seq % 9)}-1${seq % 10}`,
    id_number: `9${String(100000000 + seq * 7919 + process.pid).slice(-8)}`,
    household_size: 4,
    photo_ref: `PHOTO-EX-${n}`,
    affiliation: 'Exercise armed group',
    declared_role: 'fighter',
    screening: 'passed',
    weapons: [weapon()],
    ammunition: [{ calibre: '7.62x39mm', count: 60 }],
    exercise: true,
    ...over,
  };
}

let wseq = 0;
// A weapon with a unique serial (unless given).
export function weapon(over = {}) {
  wseq += 1;
  return {
    type: 'assault_rifle', make: 'Exercise Arms', model: 'EX-47', calibre: '7.62x39mm',
    serial: `EXR${process.pid % 1000}N${wseq}T${Date.now() % 100000}`, country: 'Exerciseland',
    condition: 'serviceable', ...over,
  };
}

// A client: as(user).get(path), .post(path, body) -> { status, body, text, headers }.
export function client(server, tokens) {
  return (user) => ({
    get: (path) => server.api('GET', path, { token: tokens[user] }),
    post: (path, body = {}) => server.api('POST', path, { token: tokens[user], body }),
  });
}

// Adds an account through the admin API and logs it in; returns its token.
export async function addUser(server, adminToken, username, roles, org = 'DDR-CELL') {
  const password = `Exercise-${username}-pw-1`;
  const r = await server.api('POST', '/api/v1/users', {
    token: adminToken, body: { username, name: `Exercise ${username}`, org, roles, password },
  });
  assert.equal(r.status, 201, r.text);
  const s = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  assert.equal(s.status, 201);
  return (await s.json()).token;
}

// Logs an account added by addUser in again (its sessions end after 12 h).
export async function relogin(server, username) {
  const s = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: `Exercise-${username}-pw-1` }),
  });
  assert.equal(s.status, 201);
  return (await s.json()).token;
}

// Registers; asserts 201; returns the reply body.
export async function register(as, user, body) {
  const r = await as(user).post('/api/v1/ddr/people', body);
  assert.equal(r.status, 201, `register: ${r.text.slice(0, 400)}`);
  return r.body;
}

export const rulesOf = (flags) => flags.map((f) => f.rule).sort();

// Concurrent assignments (issue 5; docs/isf.md): two ISF HQ officers assign
// at the same moment — two overlapping tasks to one unit, or one task to two
// units. Exactly one wins; the other is refused (busy / not a draft); both
// answer. Every request here has a deadline, so a server that never answers
// fails the test instead of hanging the suite, and the server is killed
// if it does not stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeDir, startServer } from './lib.mjs';
import { D, H, iso, pt, taskBody } from '../lib/isf.mjs';

let server, hq;
const DEADLINE = 10e3;

before(async () => {
  server = await startServer({ dir: makeDir() });
  hq = (await server.login('isf.hq')).token;
});
after(async () => {
  if (!server) return;
  const exited = new Promise((r) => { if (server.proc.exitCode !== null || server.proc.signalCode) r(); else server.proc.once('exit', r); });
  server.proc.kill('SIGTERM');
  const t = setTimeout(() => server.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
  rmSync(server.dir, { recursive: true, force: true });
});

// POST with a deadline: { status, body } or { status: 'no answer' }.
async function post(path, body) {
  try {
    const r = await fetch(server.base + path, {
      method: 'POST', headers: { Authorization: `Bearer ${hq}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body), signal: AbortSignal.timeout(DEADLINE),
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, body: json, text };
  } catch (e) {
    return { status: `no answer within ${DEADLINE / 1000} s (${e.name})`, text: '' };
  }
}
// Windows from 05:00 UTC three days on (07:00 or 08:00 in Gaza), so twelve
// hours of rounds stay clear of UNIT-EGY-2's 23:00-05:00 local ban whatever
// the time the test runs.
const BASE = Math.floor(Date.now() / D) * D + 3 * D + 5 * H;
async function task(h0, h1) {
  const r = await post('/api/v1/tasks', taskBody({ type: 'checkpoint', geometry: pt([34.29, 31.33]), radius_m: 300, window_from: iso(BASE + h0 * H), window_until: iso(BASE + h1 * H) }));
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

test('two overlapping tasks assigned to one unit at once: one 200, one 409 busy, both answer', { timeout: 120e3 }, async () => {
  for (let round = 0; round < 6; round++) {
    const a = await task(2 * round, 2 * round + 2);
    const b = await task(2 * round + 1, 2 * round + 2);
    const rs = await Promise.all([a, b].map((id) => post(`/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-2' })));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], `round ${round}: ${rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' | ')}`);
    assert.deepEqual(rs.find((r) => r.status === 409).body.error.reasons.map((x) => x.caveat), ['busy']);
  }
});

test('one task assigned to two units at once: exactly one assignment', { timeout: 120e3 }, async () => {
  for (let round = 0; round < 6; round++) {
    const id = await task(24 + 2 * round, 25 + 2 * round); // the next day, 05:00-17:00 UTC
    const rs = await Promise.all(['UNIT-EGY-1', 'UNIT-EGY-2'].map((unit) => post(`/api/v1/tasks/${id}/assign`, { unit })));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], `round ${round}: ${rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' | ')}`);
    const t = await fetch(`${server.base}/api/v1/tasks/${id}`, { headers: { Authorization: `Bearer ${hq}` }, signal: AbortSignal.timeout(DEADLINE) }).then((r) => r.json());
    assert.equal(t.history.filter((h) => h.status === 'assigned').length, 1, 'assigned once');
  }
});

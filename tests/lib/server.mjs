// tests/lib/server.mjs — starts a real Truce server for a test: a fresh data
// folder in /tmp from a scenario, a free port on loopback, the real binary.
// Shared by the API tests and the browser tests.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// TRUCE_BIN runs the tests against another build (e.g. build/asan/truce).
export const TRUCE = process.env.TRUCE_BIN || join(ROOT, 'truce');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Reads DIR/demo-credentials.txt into { username: { password, roles } }.
export function readCredentials(dir) {
  const out = {};
  for (const line of readFileSync(join(dir, 'demo-credentials.txt'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [username, password, roles] = line.split(' ');
    out[username] = { password, roles: roles.split(',') };
  }
  return out;
}

// Creates a data folder (truce init) and returns its path.
export function initData({ scenario = 'gaza', dir } = {}) {
  dir = dir || mkdtempSync(join(tmpdir(), 'truce-test-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync(TRUCE, ['init', dir, '--scenario', scenario], { stdio: 'pipe' });
  return dir;
}

// Starts `truce serve` on a free port; resolves when it answers /healthz.
export async function startServer({ dir, port, args = [] } = {}) {
  dir = dir || initData();
  port = port || await freePort();
  const proc = spawn(TRUCE, ['serve', dir, '--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', d => { output += d; });
  proc.stderr.on('data', d => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`truce serve exited ${proc.exitCode}: ${output}`);
    try { const r = await fetch(`${base}/healthz`); if (r.ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`truce serve did not start: ${output}`); }
    await new Promise(r => setTimeout(r, 50));
  }
  const creds = readCredentials(dir);
  const server = {
    dir, port, base, proc, creds,
    output: () => output,
    // Stops cleanly (SIGTERM) and waits for the exit.
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode) return;
      const done = new Promise(r => proc.once('exit', r));
      proc.kill(signal);
      await done;
    },
    // Logs in; returns { token, csrf, user }.
    async login(username) {
      const r = await fetch(`${base}/api/v1/session`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: creds[username].password }),
      });
      if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    // fetch with a bearer token and JSON body; returns { status, body, headers }.
    async api(method, path, { token, body, headers = {} } = {}) {
      const h = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      if (body !== undefined) h['Content-Type'] = h['Content-Type'] || 'application/json';
      const r = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: r.status, body: json, text, headers: r.headers };
    },
  };
  return server;
}

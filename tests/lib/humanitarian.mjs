// tests/lib/humanitarian.mjs — shared by the API tests of humanitarian
// notification and deconfliction (docs/humanitarian.md): places inside the
// Gaza mission area, request bodies, the log size, receipts checked with the
// command line, HXL CSV reading and writing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TRUCE } from './server.mjs';
import { along, direct, distance, inRing, inverse } from './geodesic.mjs';

export const H = 3600e3;
export const D = 24 * H;
export const iso = (ms) => new Date(ms).toISOString();

// The mission boundary of the Gaza scenario (a single Polygon ring).
export const BOUNDARY = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/boundary.geojson'), 'utf8')).features[0].geometry.coordinates[0];
export const inMission = (p) => inRing(p, BOUNDARY);

// The strip's long axis, from near Rafah to near Gaza City (34.6 km); every
// point of it is inside the boundary by at least 2.3 km.
export const SPINE = [[34.262, 31.295], [34.487, 31.54]];
export const SPINE_AZ = inverse(SPINE[0], SPINE[1]).az1; // about 37 degrees
// Region k of n: a point on the axis, spaced about 34.6 km / n apart.
export const region = (k, n = 14) => along(SPINE[0], SPINE[1], k / n);
// A point d metres from p across the strip (positive: south-east).
export const across = (p, d) => direct(p, (SPINE_AZ + (d >= 0 ? 90 : 270)) % 360, Math.abs(d));
// A point d metres from p along the strip (positive: north-east).
export const lengthwise = (p, d) => direct(p, (SPINE_AZ + (d >= 0 ? 0 : 180)) % 360, Math.abs(d));
export const pt = (p) => ({ type: 'Point', coordinates: p });
export { distance };

export const SITE_CATEGORIES = ['health_facility', 'shelter_school', 'warehouse', 'distribution_point',
  'water_sanitation', 'bakery_kitchen', 'office', 'staff_residence', 'other'];
export const NOSTRIKE_CATEGORIES = ['hospital', 'clinic', 'water_works', 'sanitation', 'power', 'telecom',
  'school', 'religious', 'cultural_heritage', 'shelter', 'other'];
export const MOVEMENT_STATUSES = ['submitted', 'acknowledged', 'facilitated', 'partially_facilitated',
  'impeded', 'denied', 'postponed', 'cancelled', 'completed'];

// A site creation body at p (valid from a day ago for half a year).
let siteN = 0;
export function siteBody(p, over = {}) {
  const n = ++siteN;
  return {
    category: 'health_facility',
    geometry: pt(p),
    name: { en: `Test clinic ${n}`, ar: `عيادة تجريبية ${n}` },
    staff_count: 12,
    valid_from: iso(Date.now() - D),
    valid_until: iso(Date.now() + 180 * D),
    ...over,
  };
}

export function nostrikeBody(p, over = {}) {
  const n = ++siteN;
  return {
    category: 'water_works',
    geometry: pt(p),
    name: { en: `Test pumping station ${n}`, ar: `محطة ضخ ${n}` },
    valid_from: iso(Date.now() - D),
    valid_until: iso(Date.now() + 365 * D),
    ...over,
  };
}

// A movement along coords, one planned time per vertex from t0 every stepMs.
export function movementBody(coords, t0, stepMs = H, over = {}) {
  const times = coords.map((_, i) => iso(t0 + i * stepMs));
  return {
    purpose: 'Test food convoy',
    vehicles: { count: 4, plates: ['123-45'], markings: 'white, logo' },
    staff_count: 6,
    cargo: 'wheat flour, 80 t',
    route: { type: 'LineString', coordinates: coords },
    times,
    window_from: iso(t0 - H),
    window_until: iso(t0 + (coords.length - 1) * stepMs + H),
    escort_requested: false,
    ...over,
  };
}

// The log size as /healthz reports it (no session needed).
export async function healthSize(server) {
  const r = await fetch(`${server.base}/healthz`);
  assert.equal(r.status, 200);
  const b = await r.json();
  assert.ok(Number.isInteger(b.log_size), `/healthz log_size: ${JSON.stringify(b)}`);
  return b.log_size;
}

// Runs `truce verify-receipt FILE --key server.pub` on a receipt (or a whole
// reply); returns { code, out }.
export function cliVerifyReceipt(server, obj) {
  const dir = mkdtempSync(join(tmpdir(), 'truce-receipt-'));
  try {
    const f = join(dir, 'receipt.json');
    writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
    const r = spawnSync(TRUCE, ['verify-receipt', f, '--key', join(server.dir, 'server.pub')], { encoding: 'utf8', timeout: 60000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Asserts that reply r (2xx) carries a receipt for one event about subject
// that verifies with the command line; returns the parsed event.
export function assertReceipt(server, r, subject, kindPattern) {
  assert.ok(r.status >= 200 && r.status < 300, `write failed: ${r.status} ${r.text}`);
  const rc = r.body.receipt;
  assert.ok(rc && typeof rc.event === 'string' && Array.isArray(rc.proof) && rc.head, `a receipt in the reply: ${r.text.slice(0, 300)}`);
  const ev = JSON.parse(rc.event);
  if (subject !== undefined) assert.equal(ev.subject, subject, `the receipt's event is about ${subject}: ${rc.event.slice(0, 300)}`);
  if (kindPattern) assert.match(ev.kind, kindPattern);
  const v = cliVerifyReceipt(server, rc);
  assert.equal(v.code, 0, `truce verify-receipt: ${v.out}`);
  assert.match(v.out, /OK/);
  // A tampered copy fails (the check is real).
  const bad = JSON.parse(JSON.stringify(rc));
  bad.event = bad.event.replace(`"subject":"${ev.subject}"`, `"subject":"${ev.subject}X"`);
  const vb = cliVerifyReceipt(server, bad);
  assert.notEqual(vb.code, 0, 'a tampered receipt must fail verify-receipt');
  return ev;
}

// ---- HXL CSV ----

// RFC 4180 CSV into rows of strings.
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false, i = 0;
  const s = text.replace(/^\uFEFF/, '');
  while (i < s.length) {
    const c = s[i];
    if (q) {
      if (c === '"') {
        if (s[i + 1] === '"') { cell += '"'; i += 2; continue; }
        q = false; i++; continue;
      }
      cell += c; i++; continue;
    }
    if (c === '"') { q = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(cell); rows.push(row); row = []; cell = '';
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += c; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const csvCell = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const toCsv = (rows) => `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

// Reads an HXL CSV (header row, tag row, data) into { header, tags, records }
// where each record maps a tag (as written, lower-case) to its cell.
export function readHxl(text) {
  const rows = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  assert.ok(rows.length >= 2, `an HXL CSV has a header row and a tag row: ${text.slice(0, 200)}`);
  const [header, tags] = rows;
  assert.ok(tags.some((t) => t.startsWith('#')), `the second row holds HXL tags: ${tags}`);
  const norm = tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, ''));
  const records = rows.slice(2).map((r) => Object.fromEntries(norm.map((t, i) => [t, r[i] ?? ''])));
  return { header, tags: norm, records };
}

// The value of an HXL column by tag and attributes in any order
// (`#loc+name+en` matches `#loc+en+name`).
export function hxlGet(record, tag) {
  const want = tag.toLowerCase().split('+');
  for (const [k, v] of Object.entries(record)) {
    const have = k.split('+');
    if (have[0] === want[0] && want.slice(1).every((a) => have.includes(a)) && have.length === want.length) return v;
  }
  return undefined;
}

// Rounds a coordinate pair for comparisons of geometries that went through
// a projection and back (1e-7 degrees is about a centimetre).
export const near = (a, b, eps = 2e-7) => Math.abs(a[0] - b[0]) <= eps && Math.abs(a[1] - b[1]) <= eps;
export function sameGeometry(g1, g2, eps = 2e-7) {
  if (!g1 || !g2 || g1.type !== g2.type) return false;
  const flat = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(flat));
  const a = flat(g1.coordinates), b = flat(g2.coordinates);
  return a.length === b.length && a.every((p, i) => near(p, b[i], eps));
}

// Sends a request that must be refused with a 4xx naming field (a string,
// or a RegExp for fields such as `geometry.coordinates[0]`), and proves
// nothing was written: the log size (/healthz) and the given lists (GET
// paths, read with readToken) are unchanged. Returns the reply.
//
// allowClosed: an oversize upload may be answered (413) and the connection
// closed before the client has finished sending; the client then sees the
// connection reset instead of the reply. That counts as refused (as in
// robustness.test.mjs), and nothing must have been written either way.
export async function refuse(server, { token, method = 'POST', path, body, headers, status, code, field, lists = [], readToken, allowClosed = false }) {
  const before = await healthSize(server);
  const snap = [];
  for (const l of lists) snap.push((await server.api('GET', l, { token: readToken || token })).text);
  let r;
  try {
    r = await server.api(method, path, { token, body, headers });
  } catch (e) {
    if (allowClosed && ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(e.cause?.code)) {
      assert.equal(await healthSize(server), before, `nothing written: ${method} ${path} (connection closed)`);
      for (const [i, l] of lists.entries()) assert.equal((await server.api('GET', l, { token: readToken || token })).text, snap[i], `${l} unchanged`);
      return { status: 413, closed: true, body: { error: { code: 'too_large', field: null, message: 'connection closed' } }, text: '' };
    }
    throw new Error(`${method} ${path} ${typeof body === 'string' ? body.slice(0, 100) : JSON.stringify(body)?.slice(0, 200)}: no reply (${e.cause?.code || e.cause?.message || e.message})`);
  }
  const what = `${method} ${path} ${typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 300)} -> ${r.status} ${r.text.slice(0, 400)}`;
  assert.ok(r.status >= 400 && r.status < 500, `a 4xx: ${what}`);
  if (status !== undefined) assert.equal(r.status, status, `status: ${what}`);
  assert.ok(r.body && r.body.error && typeof r.body.error === 'object', `error shape: ${what}`);
  assert.equal(typeof r.body.error.code, 'string', `error.code: ${what}`);
  assert.equal(typeof r.body.error.message, 'string', `error.message: ${what}`);
  assert.ok(r.body.error.message.length > 0, `error.message: ${what}`);
  if (code !== undefined) assert.equal(r.body.error.code, code, `error.code: ${what}`);
  if (field instanceof RegExp) assert.match(String(r.body.error.field), field, `error.field: ${what}`);
  else if (field !== undefined) assert.equal(r.body.error.field, field, `error.field: ${what}`);
  assert.equal(await healthSize(server), before, `nothing written to the log: ${what}`);
  for (const [i, l] of lists.entries()) {
    const now = (await server.api('GET', l, { token: readToken || token })).text;
    assert.equal(now, snap[i], `${l} unchanged: ${what}`);
  }
  return r;
}

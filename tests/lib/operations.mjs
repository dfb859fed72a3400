// tests/lib/operations.mjs — shared by the API tests of operation
// coordination (docs/operations.md): isolated places in the Gaza strip, notice
// bodies, a client per account, local time in Asia/Gaza, the log size, and
// the comparison of a refusal with the answer for a missing id.
//
// Nothing here reads the server's code: the rules are the contract's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';
import { direct, distance, inRing, pointPolygon } from './geodesic.mjs';

export const MIN = 60e3;
export const H = 3600e3;
export const D = 24 * H;
export const iso = (ms) => new Date(ms).toISOString();
export const pt = (p) => ({ type: 'Point', coordinates: p });
export { direct, distance, inRing, pointPolygon };

export const KINDS = ['air_strike', 'ground_raid', 'arrest', 'engineering_demolition', 'line_crossing', 'other'];
export const URGENCIES = ['immediate', 'urgent', 'priority', 'routine'];
export const ANSWER_MINUTES = { immediate: 15, urgent: 60, priority: 360, routine: 1440 };
export const TASK_TYPES = ['patrol', 'checkpoint', 'convoy_escort', 'site_protection', 'cordon_and_search',
  'weapons_cache_seizure', 'arrest', 'ddr_site_security', 'training_support'];

// Accounts of the Gaza exercise that never see an operation.
export const HUMANITARIAN = ['ocha.focal', 'wfp.focal', 'ngo.focal'];
export const CONTINGENT = ['isf.aze', 'isf.egy', 'isf.idn'];
export const OUTSIDERS = [...HUMANITARIAN, ...CONTINGENT, 'trainer', 'ddr.officer'];
export const ORG_OF = {
  'ocha.focal': 'UN-OCHA', 'wfp.focal': 'UN-WFP', 'ngo.focal': 'MSF', 'isf.aze': 'ISF-AZE', 'isf.egy': 'ISF-EGY',
  'isf.idn': 'ISF-IDN', trainer: 'OSC', 'ddr.officer': 'DDR-CELL', 'idf.liaison': 'IDF-LO', 'cmcc.watch': 'CMCC',
  'cmcc.ops': 'CMCC', 'cmcc.cdr': 'CMCC', 'state.desk': 'USG-STATE', 'centcom.desk': 'CENTCOM', 'isf.hq': 'ISF-HQ',
};

// ---------------------------------------------------------------- geography
const SCEN = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/scenario.json'), 'utf8'));
export const BOUNDARY = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/boundary.geojson'), 'utf8')).features[0].geometry.coordinates[0];

// The exercise objects named by the brief.
export const SITE2 = [34.299, 31.352];    // SITE-2, MSF clinic, health_facility, 300 m
export const NSL2 = [34.2926, 31.3458];   // NSL-2, Nasser hospital, 500 m
export const MOV1_ROUTE = SCEN.movements[0].route.coordinates;

// Everything the scenario puts on the map (points; the movement's route as
// its vertices and segments).
const SCEN_POINTS = [
  ...SCEN.sites.map((s) => s.geometry.coordinates),
  ...SCEN.nostrike.map((s) => s.geometry.coordinates),
  ...SCEN.units.flatMap((u) => [u.position?.coordinates, u.home_base?.coordinates].filter(Boolean)),
];

// Planar metres around the strip (equirectangular at 31.4 N): good to a few
// parts per thousand, enough to keep test places apart.
const KX = 111320 * Math.cos((31.4 * Math.PI) / 180), KY = 110900;
const flat = (p) => [p[0] * KX, p[1] * KY];
function planeDist(a, b) { const [x1, y1] = flat(a), [x2, y2] = flat(b); return Math.hypot(x1 - x2, y1 - y2); }
function planeSegDist(p, a, b) {
  const [px, py] = flat(p), [ax, ay] = flat(a), [bx, by] = flat(b);
  const dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy;
  const t = L ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / L)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
function ringDist(p, ring) {
  let d = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) d = Math.min(d, planeSegDist(p, ring[i], ring[i + 1]));
  return d;
}

// A list of places inside the mission boundary (at least `margin` m in),
// `spacing` m apart on a grid, at least `avoid` m from every scenario object
// and from the exercise convoy's route. Coordinates get 7 decimals with a
// per-list jitter (so each list's numbers are its own).
export function places({ spacing = 600, avoid = 1500, margin = 700, jitter = 0 } = {}) {
  const out = [];
  const dLat = spacing / KY, dLon = spacing / KX;
  const lons = BOUNDARY.map((p) => p[0]), lats = BOUNDARY.map((p) => p[1]);
  for (let lat = Math.min(...lats); lat <= Math.max(...lats); lat += dLat) {
    for (let lon = Math.min(...lons); lon <= Math.max(...lons); lon += dLon) {
      const p = [Number((lon + jitter * 1e-7).toFixed(7)), Number((lat + jitter * 1e-7).toFixed(7))];
      if (!inRing(p, BOUNDARY) || ringDist(p, BOUNDARY) < margin) continue;
      if (SCEN_POINTS.some((q) => planeDist(p, q) < avoid)) continue;
      if (ringDist(p, MOV1_ROUTE) < avoid) continue;
      out.push(p);
    }
  }
  return out;
}

// Rounds a coordinate pair to 7 decimals (as stored).
export const r7 = (p) => [Number(p[0].toFixed(7)), Number(p[1].toFixed(7))];
// A point d metres from p towards azimuth az (degrees), rounded to 7 decimals.
export const offset = (p, az, d) => r7(direct(p, az, d));
// A closed polygon ring of n vertices around c, radii between rmin and rmax
// (random when rng is given), star-shaped, counter-clockwise.
export function starRing(c, n, rmin, rmax, rng) {
  const ring = [];
  const a0 = rng ? rng.next() * 360 : 0;
  for (let i = 0; i < n; i++) {
    const r = rng ? rmin + rng.next() * (rmax - rmin) : rmax;
    const az = (a0 + (360 * i) / n) % 360;
    ring.push(offset(c, 360 - az, r)); // counter-clockwise
  }
  ring.push([...ring[0]]);
  return ring;
}

// ---------------------------------------------------------------- bodies
// A notice at p: a 120 m circle, a window that has begun an hour ago and
// ends in three hours, routine (no escalation during a test).
export function noticeBody(p, over = {}) {
  return {
    mode: 'coordinate',
    kind: 'ground_raid',
    geometry: pt(p),
    radius_m: 120,
    window_from: iso(Date.now() - H),
    window_until: iso(Date.now() + 3 * H),
    urgency: 'routine',
    description: 'Test notice, no personal data',
    ...over,
  };
}

// A humanitarian site at p (warehouse: protection 100 m), valid from a day
// ago for half a year.
let siteN = 0;
export function siteAt(p, over = {}) {
  const n = ++siteN;
  return {
    category: 'warehouse',
    geometry: pt(p),
    name: { en: `Ops test store ${n}`, ar: `مخزن اختبار ${n}` },
    staff_count: 3,
    valid_from: iso(Date.now() - D),
    valid_until: iso(Date.now() + 180 * D),
    ...over,
  };
}

// A movement along coords, one planned time per vertex from t0 every stepMs.
export function movementAlong(coords, t0, stepMs = 30 * MIN, over = {}) {
  return {
    purpose: 'Ops test convoy',
    vehicles: { count: 3, plates: ['OT-1'], markings: 'white' },
    staff_count: 4,
    cargo: 'water',
    route: { type: 'LineString', coordinates: coords },
    times: coords.map((_, i) => iso(t0 + i * stepMs)),
    window_from: iso(t0 - 30 * MIN),
    window_until: iso(t0 + (coords.length - 1) * stepMs + 30 * MIN),
    escort_requested: false,
    ...over,
  };
}

// ---------------------------------------------------------------- time
const FMT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
// "2026-11-30 14:00": local wall time in Gaza at instant ms (minutes truncated).
export function gazaHM(ms) {
  const parts = Object.fromEntries(FMT.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

// ---------------------------------------------------------------- client
export async function loginMany(server, names) {
  const t = {};
  for (const u of names) t[u] = (await server.login(u)).token;
  return t;
}

export function opsClient(server, tokens) {
  const as = (u) => tokens[u];
  const c = {
    notify: (body, u = 'idf.liaison') => server.api('POST', '/api/v1/operations', { token: as(u), body }),
    decide: (id, u, body) => server.api('POST', `/api/v1/operations/${id}/decision`, { token: as(u), body }),
    respond: (id, u, body) => server.api('POST', `/api/v1/operations/${id}/respond`, { token: as(u), body }),
    outcome: (id, u, body) => server.api('POST', `/api/v1/operations/${id}/outcome`, { token: as(u), body }),
    get: (id, u = 'cmcc.cdr') => server.api('GET', `/api/v1/operations/${id}`, { token: as(u) }),
    list: (u, q = '') => server.api('GET', `/api/v1/operations${q}`, { token: as(u) }),
    record: (id, u, q = '') => server.api('GET', `/api/v1/operations/${id}/record${q}`, { token: as(u) }),
    site: (body, u = 'ocha.focal') => server.api('POST', '/api/v1/sites', { token: as(u), body }),
    movement: (body, u = 'wfp.focal') => server.api('POST', '/api/v1/movements', { token: as(u), body }),
    check: (body, u = 'cmcc.cdr') => server.api('POST', '/api/v1/deconfliction/check', { token: as(u), body }),
    advisories: (u) => server.api('GET', '/api/v1/advisories', { token: as(u) }),
    get_: (path, u) => server.api('GET', path, { token: as(u) }),
    post_: (path, u, body = {}) => server.api('POST', path, { token: as(u), body }),
  };
  // Notifies and asserts 201; returns the operation.
  c.notifyOk = async (body, u = 'idf.liaison') => {
    const r = await c.notify(body, u);
    assert.equal(r.status, 201, `notify: ${r.status} ${r.text}`);
    assert.match(r.body.id, /^OPN-\d+$/);
    return r.body.operation;
  };
  // Decides and asserts 200; returns the operation.
  c.decideOk = async (id, u, body) => {
    const r = await c.decide(id, u, body);
    assert.equal(r.status, 200, `${u} ${JSON.stringify(body)} on ${id}: ${r.status} ${r.text}`);
    return r.body.operation;
  };
  c.siteOk = async (body, u = 'ocha.focal') => {
    const r = await c.site(body, u);
    assert.equal(r.status, 201, `site: ${r.status} ${r.text}`);
    return r.body;
  };
  c.movementOk = async (body, u = 'wfp.focal') => {
    const r = await c.movement(body, u);
    assert.equal(r.status, 201, `movement: ${r.status} ${r.text}`);
    return r.body;
  };
  c.getOk = async (id, u = 'cmcc.cdr') => {
    const r = await c.get(id, u);
    assert.equal(r.status, 200, `GET ${id} as ${u}: ${r.status} ${r.text}`);
    return r.body;
  };
  return c;
}

// The log size as /healthz reports it.
export async function healthSize(server) {
  const r = await fetch(`${server.base}/healthz`);
  assert.equal(r.status, 200);
  const b = await r.json();
  assert.ok(Number.isInteger(b.log_size), `/healthz log_size: ${JSON.stringify(b)}`);
  return b.log_size;
}

// The reply with an id replaced, for comparing a refusal about a real
// operation with the one about an id that does not exist.
export function shapeOf(r, id, placeholder = 'OPN-X') {
  const text = id ? r.text.split(id).join(placeholder) : r.text;
  return `${r.status} ${text}`;
}

// Error shape of a 4xx.
export function assertErrorShape(r, what) {
  assert.ok(r.status >= 400 && r.status < 500, `a 4xx: ${what} -> ${r.status} ${r.text.slice(0, 300)}`);
  assert.ok(r.body && r.body.error && typeof r.body.error === 'object', `error shape: ${what} -> ${r.text.slice(0, 300)}`);
  assert.equal(typeof r.body.error.code, 'string', `error.code: ${what}`);
  assert.equal(typeof r.body.error.message, 'string', `error.message: ${what}`);
  assert.ok(r.body.error.message.length > 0, `error.message: ${what}`);
  assert.ok('field' in r.body.error, `error.field present: ${what}`);
}

// mulberry32: a small seeded PRNG.
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    real: (lo, hi) => lo + next() * (hi - lo),
    pick: (a) => a[Math.floor(next() * a.length)],
    chance: (p) => next() < p,
  };
}

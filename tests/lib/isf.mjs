// tests/lib/isf.mjs — shared by the ISF API tests (docs/isf.md): the Gaza
// sectors, local time in Asia/Gaza, request bodies, and an INDEPENDENT
// implementation of the caveat rules (the "oracle") that the tests compare
// the server's answers with. Nothing here reads the server's code: the rules
// are written from the table in docs/isf.md.
//
// Geometry: the oracle measures on the WGS 84 ellipsoid (tests/lib/geodesic.mjs)
// where the server measures in a transverse Mercator plane; the two agree to
// well under a metre over the strip, and the oracle answers "undecidable" for
// anything within MARGIN_M of a limit rather than guess.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';
import { distance, pointPolygon, inRing, direct, inverse } from './geodesic.mjs';

export const H = 3600e3;
export const D = 24 * H;
export const MIN = 60e3;
export const iso = (ms) => new Date(ms).toISOString();
export const pt = (p) => ({ type: 'Point', coordinates: p });

export const MARGIN_M = 15;

// ---------------------------------------------------------------- vocabulary
export const TASK_TYPES = ['patrol', 'checkpoint', 'convoy_escort', 'site_protection', 'cordon_and_search',
  'weapons_cache_seizure', 'arrest', 'ddr_site_security', 'training_support'];
export const UNIT_TYPES = ['infantry', 'military_police', 'engineers_eod', 'medical', 'training_team', 'headquarters'];
export const FORCE = ['none', 'non_lethal', 'lethal_self_defence', 'lethal'];
export const CAVEAT_TYPES = ['allowed_task_types', 'sectors_allowed', 'sectors_excluded', 'no_ops_hours',
  'max_use_of_force', 'no_crowd_riot_control', 'no_detention', 'no_action_against_armed_groups',
  'max_distance_from_base_km', 'national_approval'];
export const UNFIT = ['status', 'capabilities', 'strength', 'busy'];

// Contingents of the Gaza scenario: id, organisation, commander account.
export const CONTINGENTS = {
  'CTG-AZE': { org: 'ISF-AZE', account: 'isf.aze', position: 'POS-AZE-CDR' },
  'CTG-EGY': { org: 'ISF-EGY', account: 'isf.egy', position: 'POS-EGY-CDR' },
  'CTG-IDN': { org: 'ISF-IDN', account: 'isf.idn', position: 'POS-IDN-CDR' },
  'CTG-ARE': { org: 'ISF-ARE', account: null, position: 'POS-ARE-CDR' },
};
export const contingentOfOrg = (org) => Object.keys(CONTINGENTS).find((c) => CONTINGENTS[c].org === org);
export const accountOfOrg = (org) => CONTINGENTS[contingentOfOrg(org)]?.account;

// ---------------------------------------------------------------- geography
const SECTOR_FC = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/sectors.geojson'), 'utf8'));
// { 'SEC-RAFAH': [[ring]], ... } — GeoJSON Polygon coordinates.
export const SECTORS = Object.fromEntries(SECTOR_FC.features.map((f) => [f.properties.id, f.geometry.coordinates]));
export const SECTOR_IDS = Object.keys(SECTORS);
export const BOUNDARY = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/boundary.geojson'), 'utf8')).features[0].geometry.coordinates[0];
export const inMission = (p) => inRing(p, BOUNDARY);
export const inSector = (p, id) => pointPolygon(p, SECTORS[id]) === 0;
export const sectorDistance = (p, id) => pointPolygon(p, SECTORS[id]);

// The strip's long axis, Rafah to Gaza City.
export const SPINE = [[34.262, 31.295], [34.487, 31.54]];
export const SPINE_AZ = inverse(SPINE[0], SPINE[1]).az1;
export const SPINE_LEN = inverse(SPINE[0], SPINE[1]).s;
export { distance, direct, inverse, pointPolygon };

// sectorsOfCircle of a task's Point area, computed once per task object.
const secCache = new WeakMap();
export function circleSectors(task) {
  if (!secCache.has(task)) secCache.set(task, sectorsOfCircle(task.geometry.coordinates, task.radius_m));
  return secCache.get(task);
}

// For a point with a radius: each sector is 'in' (the circle touches it),
// 'out', or 'unsure' (within MARGIN_M of touching).
export function sectorsOfCircle(center, radius) {
  const out = {};
  for (const id of SECTOR_IDS) {
    const d = sectorDistance(center, id);
    if (d === 0 && radius > 0) out[id] = 'in';
    else if (Math.abs(d - radius) < MARGIN_M) out[id] = 'unsure';
    else out[id] = d <= radius ? 'in' : 'out';
  }
  return out;
}

// The point at distance d (metres) from the nearest edge of sector `from`
// toward the inside, on the line from `inside` (a point inside it) to
// `outside` (a point beyond the edge): bisection on the geodesic distance.
// Returns { p, dTo } with dTo the distance from p to sector `to`.
export function pointNearEdge(inside, outside, to, want) {
  // Find the point on inside->outside whose distance to `to` is `want`.
  const { s, az1 } = inverse(inside, outside);
  let lo = 0, hi = s; // distance to `to` decreases from lo to hi (until 0)
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    const d = sectorDistance(direct(inside, az1, mid), to);
    if (d > want) lo = mid; else hi = mid;
  }
  const p = direct(inside, az1, (lo + hi) / 2);
  return { p, dTo: sectorDistance(p, to) };
}

// ---------------------------------------------------------------- local time
const FMT = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Gaza', timeZoneName: 'longOffset' });
// The offset of Asia/Gaza from UTC at instant ms, in milliseconds.
export function gazaOffset(ms) {
  const name = FMT.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName').value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  if (!m) return 0;
  return (m[1] === '+' ? 1 : -1) * (Number(m[2]) * 60 + Number(m[3])) * MIN;
}
// The instant of local wall time day (YYYY-MM-DD) hh:mm in Gaza, with the
// offset in force then (never used across a transition by the tests).
export function gazaLocal(day, hh, mm = 0) {
  const naive = Date.parse(`${day}T00:00:00Z`) + hh * H + mm * MIN;
  let t = naive - 2 * H;
  for (let i = 0; i < 3; i++) t = naive - gazaOffset(t);
  return t;
}

// ---------------------------------------------------------------- the oracle
const rank = (f) => FORCE.indexOf(f);

// Whether the window [from, until) (UTC ms, whole minutes) meets the local
// hours [h1, h2) on any day, local time being what Gaza's clocks show at each
// minute (UTC + the offset in force then).
// Brute force over the window's minutes: independent of any interval algebra.
export function hoursMeet(from, until, h1, h2) {
  if (h1 === h2) return false; // an empty range bans nothing
  const inBan = (tod) => (h1 < h2 ? tod >= h1 && tod < h2 : tod >= h1 || tod < h2);
  const len = until - from;
  if (len >= D) return true;
  for (let t = from; t < until; t += MIN) {
    const local = t + gazaOffset(t);
    const tod = ((((local % D) + D) % D) / H); // hours since local midnight
    if (inBan(tod)) return true;
  }
  return false;
}

// What the task implies beyond its flags (docs/isf.md's table).
export const detention = (task) => task.detention === true || task.type === 'arrest';
export const againstArmedGroups = (task) => task.against_armed_groups === true
  || ['cordon_and_search', 'weapons_cache_seizure', 'arrest'].includes(task.type);

// The caveat set of a contingent in force at instant at, among sets
// [{effective_from, effective_until?, rules, order}] (order: the order they
// were written, later wins a tie on effective_from).
export function setInForce(sets, at) {
  let best = null;
  for (const s of sets) {
    const from = Date.parse(s.effective_from);
    if (from > at) continue;
    if (s.effective_until && Date.parse(s.effective_until) <= at) continue;
    if (!best || from > Date.parse(best.effective_from) || (from === Date.parse(best.effective_from) && s.order > best.order)) best = s;
  }
  return best;
}

// The verdict for unit on task under `rules` (the set in force, or null):
// { caveats: Set of broken caveat names, sectors: { allowed: Set, excluded: Set }
//   (the sector ids each sector rule names), approval: bool, undecidable: string|null }.
// The task's area must be a Point with radius_m (anything else: undecidable).
export function caveatVerdict(rules, unit, task) {
  const out = { caveats: new Set(), sectors: { allowed: new Set(), excluded: new Set() }, approval: false, undecidable: null };
  if (!rules) return out;
  const r = rules;
  if (r.allowed_task_types && !r.allowed_task_types.includes(task.type)) out.caveats.add('allowed_task_types');
  const isPoint = task.geometry?.type === 'Point';
  if ((r.sectors_allowed || r.sectors_excluded || r.max_distance_from_base_km !== undefined) && !isPoint) {
    out.undecidable = 'not a point area';
    return out;
  }
  if (r.sectors_allowed || r.sectors_excluded) {
    const secs = circleSectors(task);
    for (const [id, st] of Object.entries(secs)) {
      if (st === 'out') continue;
      const notAllowed = r.sectors_allowed && !r.sectors_allowed.includes(id);
      const excluded = r.sectors_excluded && r.sectors_excluded.includes(id);
      if (st === 'unsure' && (notAllowed || excluded)) out.undecidable = `${id} within ${MARGIN_M} m of the area's edge`;
      if (st === 'in' && notAllowed) { out.caveats.add('sectors_allowed'); out.sectors.allowed.add(id); }
      if (st === 'in' && excluded) { out.caveats.add('sectors_excluded'); out.sectors.excluded.add(id); }
    }
  }
  if (r.no_ops_hours && hoursMeet(Date.parse(task.window_from), Date.parse(task.window_until), r.no_ops_hours.from, r.no_ops_hours.until)) out.caveats.add('no_ops_hours');
  if (r.max_use_of_force && rank(task.use_of_force) > rank(r.max_use_of_force)) out.caveats.add('max_use_of_force');
  if (r.no_crowd_riot_control === true && task.crowd_riot_control === true) out.caveats.add('no_crowd_riot_control');
  if (r.no_detention === true && detention(task)) out.caveats.add('no_detention');
  if (r.no_action_against_armed_groups === true && againstArmedGroups(task)) out.caveats.add('no_action_against_armed_groups');
  if (r.max_distance_from_base_km !== undefined && unit.home_base) {
    const m = Math.max(0, distance(unit.home_base.coordinates, task.geometry.coordinates) - task.radius_m);
    if (Math.abs(m - r.max_distance_from_base_km * 1000) < MARGIN_M) out.undecidable = `distance ${m.toFixed(1)} m is at the limit`;
    else if (m > r.max_distance_from_base_km * 1000) out.caveats.add('max_distance_from_base_km');
  }
  if (r.national_approval && r.national_approval.task_types.includes(task.type)) out.approval = true;
  return out;
}

// Reasons other than caveats (docs/isf.md): status, capabilities, strength,
// busy (another assigned/awaiting/accepted/in-progress task of the unit
// overlapping the window). assignments: [{unit, from, until, status}].
export function unfitVerdict(unit, task, assignments) {
  const out = new Set();
  if (unit.status && unit.status !== 'available') out.add('status');
  if (task.capabilities && task.capabilities.length && !task.capabilities.includes(unit.type)) out.add('capabilities');
  if (task.strength && unit.strength < task.strength) out.add('strength');
  const f = Date.parse(task.window_from), u = Date.parse(task.window_until);
  for (const a of assignments) {
    if (a.unit !== unit.id || a.task === task.id) continue;
    if (!['assigned', 'awaiting_approval', 'accepted', 'in_progress'].includes(a.status)) continue;
    if (a.from < u && a.until > f) out.add('busy');
  }
  return out;
}

// The whole verdict: { names: Set (caveats and unfit reasons), sectors, approval, undecidable }.
export function verdict(rules, unit, task, assignments) {
  const v = caveatVerdict(rules, unit, task);
  const names = new Set([...v.caveats, ...unfitVerdict(unit, task, assignments)]);
  return { names, sectors: v.sectors, approval: v.approval, undecidable: v.undecidable };
}

// Checks a server's reasons list against a verdict: the same set of names,
// each reason a {caveat, reason} with a non-empty text, a sector reason
// naming a sector the verdict has, no caveat twice except sector ones (one
// per sector). Returns a list of problems (empty when they agree).
export function compareReasons(reasons, v, what = '') {
  const problems = [];
  if (!Array.isArray(reasons)) return [`${what}: reasons is not a list: ${JSON.stringify(reasons)}`];
  const names = new Set();
  const perName = {};
  for (const x of reasons) {
    if (!x || typeof x.caveat !== 'string' || typeof x.reason !== 'string' || !x.reason.length) {
      problems.push(`${what}: malformed reason ${JSON.stringify(x)}`);
      continue;
    }
    names.add(x.caveat);
    perName[x.caveat] = (perName[x.caveat] || 0) + 1;
    if (!v.names.has(x.caveat)) problems.push(`${what}: the server names ${x.caveat} (${x.reason}) which the oracle says is not broken`);
    if (x.caveat === 'sectors_allowed' || x.caveat === 'sectors_excluded') {
      const want = x.caveat === 'sectors_allowed' ? v.sectors.allowed : v.sectors.excluded;
      const named = (x.reason.match(/SEC-[A-Z]+/g) || []);
      if (!named.some((s) => want.has(s))) problems.push(`${what}: ${x.caveat} reason "${x.reason}" names no sector the oracle finds (${[...want]})`);
    }
  }
  for (const n of v.names) if (!names.has(n)) problems.push(`${what}: the oracle finds ${n} broken, the server does not name it (named: ${[...names]})`);
  for (const [n, k] of Object.entries(perName)) {
    const max = n === 'sectors_allowed' ? v.sectors.allowed.size : n === 'sectors_excluded' ? v.sectors.excluded.size : n === 'busy' ? 99 : 1;
    if (k > max) problems.push(`${what}: ${n} named ${k} times`);
  }
  return problems;
}

// ---------------------------------------------------------------- requests
// A task body: a patrol of radius 300 m at p (default UNIT-AZE-1's base),
// the given window, no force.
export function taskBody(over = {}) {
  return {
    type: 'patrol',
    geometry: pt([34.262, 31.292]),
    radius_m: 300,
    window_from: iso(Date.now() + 2 * D),
    window_until: iso(Date.now() + 2 * D + 2 * H),
    use_of_force: 'none',
    ...over,
  };
}

// A small API client per account: as(user).post(path, body) etc.
export function client(server, tokens) {
  const as = (user) => ({
    get: (path) => server.api('GET', path, { token: tokens[user] }),
    post: (path, body = {}) => server.api('POST', path, { token: tokens[user], body }),
  });
  return as;
}

export async function healthSize(server) {
  const r = await fetch(`${server.base}/healthz`);
  assert.equal(r.status, 200);
  return (await r.json()).log_size;
}

// Asserts a 4xx with the error shape, the field (string or RegExp) and,
// when given, the status and code; and that the log did not grow.
export async function refused(server, send, { status, code, field, what = '' } = {}) {
  const before = await healthSize(server);
  const r = await send();
  const msg = `${what} -> ${r.status} ${r.text.slice(0, 400)}`;
  assert.ok(r.status >= 400 && r.status < 500, `a 4xx: ${msg}`);
  if (status !== undefined) {
    if (Array.isArray(status)) assert.ok(status.includes(r.status), `status one of ${status}: ${msg}`);
    else assert.equal(r.status, status, `status: ${msg}`);
  }
  assert.ok(r.body && r.body.error && typeof r.body.error === 'object', `error shape: ${msg}`);
  assert.equal(typeof r.body.error.message, 'string', `error.message: ${msg}`);
  assert.ok(r.body.error.message.length > 0, `error.message: ${msg}`);
  assert.equal(typeof r.body.error.code, 'string', `error.code: ${msg}`);
  if (code !== undefined) assert.equal(r.body.error.code, code, `error.code: ${msg}`);
  if (field instanceof RegExp) assert.match(String(r.body.error.field), field, `error.field: ${msg}`);
  else if (field !== undefined) assert.equal(r.body.error.field, field, `error.field: ${msg}`);
  assert.equal(await healthSize(server), before, `nothing written: ${msg}`);
  return r;
}

// ---------------------------------------------------------------- PRNG
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
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (a) => a[Math.floor(next() * a.length)],
    chance: (p) => next() < p,
    subset: (a, k) => { const c = [...a]; const o = []; while (o.length < k && c.length) o.push(c.splice(Math.floor(next() * c.length), 1)[0]); return o; },
  };
  return r;
}

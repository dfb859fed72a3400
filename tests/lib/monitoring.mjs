// tests/lib/monitoring.mjs — shared by the API tests of cease-fire
// monitoring (issue 7, docs/monitoring.md): places in each sector of the
// Gaza scenario, local days in Asia/Gaza, incident and consignment bodies, a
// client per account, refusals that write nothing, receipts, ACLED CSV, and
// an oracle that computes every dashboard figure from the test's own inputs.
//
// Nothing here reads the server's code: the rules are the contract's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';
import { inRing, pointPolygon, distance } from './geodesic.mjs';
import { checkReceipt } from '../api/lib.mjs';

export const MIN = 60e3;
export const H = 3600e3;
export const D = 24 * H;
export const iso = (ms) => new Date(ms).toISOString();
export const pt = (p) => ({ type: 'Point', coordinates: p });

// ---------------------------------------------------------------- the contract's lists
export const STATUSES = ['reported', 'under_review', 'confirmed', 'unconfirmed', 'refuted', 'merged'];
export const ACLED_TYPES = ['armed_clash', 'government_regains_territory', 'non_state_actor_overtakes_territory',
  'chemical_weapon', 'air_drone_strike', 'suicide_bomb', 'shelling_artillery_missile_attack',
  'remote_explosive_landmine_ied', 'grenade', 'sexual_violence', 'attack', 'abduction_forced_disappearance',
  'peaceful_protest', 'protest_with_intervention', 'excessive_force_against_protesters', 'violent_demonstration',
  'mob_violence', 'agreement', 'arrests', 'change_to_group_activity', 'disrupted_weapons_use',
  'headquarters_or_base_established', 'looting_property_destruction', 'non_violent_transfer_of_territory', 'other'];
export const MISSION_TYPES = ['attack_on_forces', 'rocket_mortar_fire', 'strike', 'reprisal_clan_violence',
  'intimidation', 'aid_obstruction_looting', 'weapons_seizure', 'remains_handover', 'line_crossing'];
// The contract names these as violations and these as not.
export const VIOLATION = ['strike', 'rocket_mortar_fire', 'armed_clash', 'line_crossing'];
export const NOT_VIOLATION = ['remains_handover', 'weapons_seizure', 'peaceful_protest', 'agreement'];
export const isViolation = (type) => {
  if (VIOLATION.includes(type)) return true;
  if (NOT_VIOLATION.includes(type)) return false;
  throw new Error(`the oracle only uses types the contract classifies, not ${type}`);
};
export const GROUPS = ['IDF', 'GRP-QASSAM', 'GRP-PIJ', 'GRP-CLANS', 'GRP-POPULAR-FORCES', 'GRP-OTHER', 'UNKNOWN'];
export const SOURCE_KINDS = ['isf_patrol', 'isf_unit_report', 'cmcc_observation', 'liaison', 'humanitarian',
  'local_contact', 'media', 'social_media', 'acled', 'other'];
export const COMMODITIES = ['food', 'medical', 'shelter', 'fuel', 'cooking_gas', 'water_sanitation', 'other'];
export const CSG_STATUSES = ['at_perimeter', 'crossed', 'offloaded', 'collected', 'delivered', 'intercepted', 'returned'];
export const CSG_NEXT = {
  at_perimeter: ['crossed', 'returned'],
  crossed: ['offloaded', 'intercepted', 'returned'],
  offloaded: ['collected', 'intercepted', 'returned'],
  collected: ['delivered', 'intercepted'],
  delivered: [], intercepted: [], returned: [],
};

// Accounts of the Gaza exercise.
export const ORG_OF = {
  'ocha.focal': 'UN-OCHA', 'wfp.focal': 'UN-WFP', 'ngo.focal': 'MSF', 'isf.aze': 'ISF-AZE', 'isf.egy': 'ISF-EGY',
  'isf.idn': 'ISF-IDN', trainer: 'OSC', 'ddr.officer': 'DDR-CELL', 'idf.liaison': 'IDF-LO', 'cmcc.watch': 'CMCC',
  'cmcc.ops': 'CMCC', 'cmcc.cdr': 'CMCC', 'state.desk': 'USG-STATE', 'centcom.desk': 'CENTCOM', 'isf.hq': 'ISF-HQ',
  'board.chair': 'BOP', admin: 'CMCC',
};
export const HUMANITARIAN = ['ocha.focal', 'wfp.focal', 'ngo.focal'];
export const CMCC = ['cmcc.watch', 'cmcc.ops', 'cmcc.cdr'];
export const LEADERSHIP = ['board.chair', 'state.desk', 'centcom.desk'];
export const OPS_CLEARED = [...CMCC, ...LEADERSHIP];
export const REPORTERS = ['cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze'];

// ---------------------------------------------------------------- geography
const gj = (f) => JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza', f), 'utf8'));
export const BOUNDARY = gj('boundary.geojson').features[0].geometry.coordinates[0];
export const SECTORS = Object.fromEntries(gj('sectors.geojson').features.map((f) => [f.properties.id, f.geometry.coordinates]));
export const CROSSINGS = Object.fromEntries(gj('crossings.geojson').features.map((f) => [f.properties.id, { ...f.properties, coordinates: f.geometry.coordinates }]));
export const SCENARIO = JSON.parse(readFileSync(join(ROOT, 'scenarios/gaza/scenario.json'), 'utf8'));
export const TARGET = SCENARIO.mission.settings.aid_daily_truck_target ?? 600;

// The sector a point lies in, from the scenario's polygons (null: none).
export function sectorOf(p) {
  for (const [id, rings] of Object.entries(SECTORS)) if (pointPolygon(p, rings) === 0) return id;
  return null;
}
// Interior points of each sector, checked against the polygons; OUTSIDE_SECTORS
// is inside the mission area (2 km east of the boundary near Kissufim, within
// the 5 km margin) but in no sector; FAR is Tel Aviv.
export const PLACE = {
  'SEC-NORTH': [34.5012, 31.5521],
  'SEC-GAZA': [34.4521, 31.4913],
  'SEC-DEIR': [34.3812, 31.4214],
  'SEC-KHAN': [34.3103, 31.3517],
  'SEC-RAFAH': [34.2718, 31.2709],
};
export const OUTSIDE_SECTORS = [34.4085, 31.3705];
export const FAR = [34.7818, 32.0853];
for (const [id, p] of Object.entries(PLACE)) if (sectorOf(p) !== id) throw new Error(`PLACE ${id} is not in ${id}`);
if (sectorOf(OUTSIDE_SECTORS) !== null || inRing(OUTSIDE_SECTORS, BOUNDARY)) throw new Error('OUTSIDE_SECTORS is in a sector');
// A point near a sector's interior point, moved by i small steps (distinct coordinates).
export const jitter = (p, i) => [Number((p[0] + i * 0.0007 + 1e-7).toFixed(7)), Number((p[1] + (i % 5) * 0.0004 + 2e-7).toFixed(7))];
export { distance };

// ---------------------------------------------------------------- local time in Gaza
const OFF = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Gaza', timeZoneName: 'longOffset' });
const DAYF = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit' });
export function gazaOffset(ms) {
  const name = OFF.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName').value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  if (!m) return 0;
  return (m[1] === '+' ? 1 : -1) * (Number(m[2]) * 60 + Number(m[3])) * MIN;
}
// The local calendar day (YYYY-MM-DD) in Gaza of an instant (ms or RFC 3339).
export function gazaDay(t) {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return DAYF.format(new Date(ms));
}
// The instant of local wall time day hh:mm in Gaza.
export function gazaLocal(day, hh, mm = 0) {
  const naive = Date.parse(`${day}T00:00:00Z`) + hh * H + mm * MIN;
  let t = naive - 2 * H;
  for (let i = 0; i < 3; i++) t = naive - gazaOffset(t);
  return t;
}
// Waits until Gaza's day will not change for the next `ms` milliseconds, so a
// test that counts "today's" records cannot straddle local midnight.
export async function clearOfGazaMidnight(ms = 60 * 1000) {
  const now = Date.now();
  const next = gazaLocal(addDays(gazaDay(now), 1), 0);
  if (next - now < ms) await new Promise((r) => setTimeout(r, next - now + 1000));
}
// Whether Gaza's offset is the same an hour before ms and an hour after: then
// the local wall time of ms names ms alone. Within an hour of the autumn
// change the local hour 01:00-02:00 happens twice, and a time typed into a
// datetime-local field there reads back as the later of the two instants.
export const clearOfGazaShift = (ms) => gazaOffset(ms - H) === gazaOffset(ms + H);
// Calendar days from..until inclusive (YYYY-MM-DD strings).
export function daysBetween(from, until) {
  const out = [];
  for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${until}T12:00:00Z`); t += D) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
export const addDays = (day, n) => new Date(Date.parse(`${day}T12:00:00Z`) + n * D).toISOString().slice(0, 10);

// ---------------------------------------------------------------- bodies
let incN = 0;
export function incidentBody(over = {}) {
  const n = ++incN;
  return {
    type: 'rocket_mortar_fire',
    title: `Mortar rounds, test ${n}`,
    description: 'Two rounds landed in an open field (exercise).',
    occurred_at: iso(Date.now() - 2 * H),
    time_precision: 'minute',
    location: pt(jitter(PLACE['SEC-DEIR'], n % 7)),
    location_precision: 'exact',
    parties: [{ party: 'GRP-PIJ', role: 'perpetrator' }, { party: 'IDF', role: 'target' }],
    casualties: { killed: { civilian: 0, combatant: 0, isf: 0, idf: 0, other: 0 }, injured: { civilian: 2 } },
    sources: [{ kind: 'isf_patrol', name: `Patrol 3-${n}`, reference: `log ${100 + n}`, reliability: 'B', credibility: '2' }],
    ...over,
  };
}

export function consignmentBody(over = {}) {
  return {
    commodity: 'food', trucks: 12, tonnes: 240.5, crossing: 'XNG-KS',
    at: iso(Date.now() - 3 * H), reference: `REF-${Math.floor(Math.random() * 1e6)}`,
    destination: pt([34.3455, 31.4105]), note: 'Exercise consignment',
    ...over,
  };
}

const CAS_KEYS = ['civilian', 'combatant', 'isf', 'idf', 'other'];
// Totals of a casualties object (missing means 0).
export function casualtyTotals(c = {}) {
  const sum = (o = {}) => CAS_KEYS.reduce((a, k) => a + (o[k] || 0), 0);
  return { killed: sum(c.killed), injured: sum(c.injured) };
}
// The larger of each figure of two casualties objects.
export function casualtyMax(a = {}, b = {}) {
  const out = { killed: {}, injured: {} };
  for (const w of ['killed', 'injured']) for (const k of CAS_KEYS) out[w][k] = Math.max(a[w]?.[k] || 0, b[w]?.[k] || 0);
  return out;
}
// A casualties object as the server may show it (every key, 0 when missing).
export function casualtyFull(c = {}) {
  const out = { killed: {}, injured: {} };
  for (const w of ['killed', 'injured']) for (const k of CAS_KEYS) out[w][k] = c[w]?.[k] || 0;
  return out;
}

// ---------------------------------------------------------------- client
export async function loginMany(server, names) {
  const t = {};
  for (const u of names) t[u] = (await server.login(u)).token;
  return t;
}

export function client(server, tokens) {
  const as = (user) => ({
    get: (path) => server.api('GET', path, { token: tokens[user] }),
    post: (path, body = {}, headers) => server.api('POST', path, { token: tokens[user], body, headers }),
  });
  return as;
}

export async function logSize(server) {
  const r = await server.api('GET', '/api/v1/log/head');
  assert.equal(r.status, 200, r.text);
  return r.body.size;
}

// Sends a request that must be refused with a 4xx (status a number or a
// list), the error shape, the code and field when given (field may be a
// RegExp), and proves the log head did not grow. Returns the reply.
export async function refused(server, send, { status, code, field, what = '' } = {}) {
  const before = await logSize(server);
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
  assert.equal(await logSize(server), before, `nothing written (log head size): ${msg}`);
  return r;
}

// Asserts a write's reply carries a receipt that verifies with the public
// key alone; when given, the event's subject. Returns the parsed event.
export function receiptOf(r, key, subject) {
  assert.ok(r.body?.receipt, `a receipt in the reply: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(checkReceipt(r.body.receipt, key), null, `the receipt verifies: ${r.body.receipt.event?.slice(0, 200)}`);
  const ev = JSON.parse(r.body.receipt.event);
  if (subject) assert.equal(ev.subject, subject, `the receipt is about ${subject}: ${r.body.receipt.event.slice(0, 300)}`);
  return ev;
}

// An incident client over the accounts' tokens.
export function incidents(server, tokens) {
  const as = client(server, tokens);
  const c = {
    as,
    report: (u, body) => as(u).post('/api/v1/incidents', body),
    async reportOk(u, body) {
      const r = await c.report(u, body);
      assert.equal(r.status, 201, `${u} reports: ${r.status} ${r.text.slice(0, 500)}`);
      assert.match(r.body.id, /^INC-\d+$/);
      return r;
    },
    act: (u, id, action, body = {}) => as(u).post(`/api/v1/incidents/${id}/${action}`, body),
    async actOk(u, id, action, body = {}) {
      const r = await c.act(u, id, action, body);
      assert.equal(r.status, 200, `${u} ${action} ${id} ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 500)}`);
      return r;
    },
    get: (u, id) => as(u).get(`/api/v1/incidents/${id}`),
    async getOk(u, id) {
      const r = await c.get(u, id);
      assert.equal(r.status, 200, `${u} GET ${id}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body.incident || r.body;
    },
    // Walks an incident to a status with the CMCC (cmcc.watch).
    async walk(id, to, { attribution = ['UNKNOWN'], confidence = 'medium', by = 'cmcc.watch' } = {}) {
      if (to === 'reported') return;
      await c.actOk(by, id, 'review', { note: 'under review' });
      if (to === 'under_review') return;
      if (to === 'confirmed') await c.actOk(by, id, 'confirm', { attribution, confidence, note: 'confirmed' });
      else if (to === 'unconfirmed') await c.actOk(by, id, 'unconfirm', { note: 'could not be confirmed' });
      else if (to === 'refuted') await c.actOk(by, id, 'refute', { note: 'did not happen' });
      else throw new Error(`walk to ${to}`);
    },
    // Every incident the account lists (following cursors), with a query.
    async listAll(u, q = '') {
      const out = [];
      let cursor = null;
      for (let guard = 0; guard < 1000; guard++) {
        const sep = q ? '&' : '?';
        const r = await as(u).get(`/api/v1/incidents${q}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, `${u} lists incidents${q}: ${r.status} ${r.text.slice(0, 300)}`);
        out.push(...r.body.incidents);
        if (!r.body.next) break;
        cursor = r.body.next;
      }
      return out;
    },
  };
  return c;
}

// ---------------------------------------------------------------- CSV
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false, i = 0;
  const s = text.replace(/^\uFEFF/, '');
  while (i < s.length) {
    const ch = s[i];
    if (q) {
      if (ch === '"') {
        if (s[i + 1] === '"') { cell += '"'; i += 2; continue; }
        q = false; i++; continue;
      }
      cell += ch; i++; continue;
    }
    if (ch === '"') { q = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' || ch === '\n') {
      row.push(cell); rows.push(row); row = []; cell = '';
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
const csvCell = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const toCsv = (rows) => `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
// CSV text into records keyed by the header row.
export function csvRecords(text) {
  const [header, ...rows] = parseCsv(text);
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

// ACLED's export columns, in ACLED's order (the API reads them by name).
export const ACLED_HEADER = ['event_id_cnty', 'event_date', 'year', 'time_precision', 'disorder_type', 'event_type',
  'sub_event_type', 'actor1', 'assoc_actor_1', 'inter1', 'actor2', 'assoc_actor_2', 'inter2', 'interaction',
  'civilian_targeting', 'iso', 'region', 'country', 'admin1', 'admin2', 'admin3', 'location', 'latitude', 'longitude',
  'geo_precision', 'source', 'source_scale', 'notes', 'fatalities', 'tags', 'timestamp'];
export function acledRow(over = {}) {
  const r = {
    event_id_cnty: 'PSE00001', event_date: '2025-10-15', year: '2025', time_precision: '1',
    disorder_type: 'Political violence', event_type: 'Explosions/Remote violence', sub_event_type: 'Air/drone strike',
    actor1: 'Military Forces of Israel', assoc_actor_1: '', inter1: 'State forces', actor2: 'Civilians (Palestine)',
    assoc_actor_2: '', inter2: 'Civilians', interaction: 'State forces-Civilians', civilian_targeting: 'Civilian targeting',
    iso: '275', region: 'Middle East', country: 'Palestine', admin1: 'Gaza Strip', admin2: 'Deir El Balah', admin3: '',
    location: 'Deir al Balah', latitude: '31.4214', longitude: '34.3812', geo_precision: '1',
    source: 'Times of Israel; WAFA', source_scale: 'National-Regional', notes: 'On 15 October 2025, a drone strike hit a tent, killing 2 civilians.',
    fatalities: '2', tags: '', timestamp: '1760600000',
    ...over,
  };
  return ACLED_HEADER.map((h) => r[h]);
}

// ---------------------------------------------------------------- the oracle
// A record the test keeps of each incident it made, as it ends up:
// { id, occurred_at, type, sector, status, perps: [party], attribution: [party]|null,
//   killed, injured, reporter, org }.
// Who may see it: the CMCC, ISF HQ, leadership, the reporter's organisation;
// everyone once confirmed.
export function seesIncident(user, inc) {
  if (inc.status === 'confirmed') return true;
  if (ORG_OF[user] === 'CMCC' || ORG_OF[user] === 'ISF-HQ' || LEADERSHIP.includes(user)) return true;
  return ORG_OF[user] === inc.org;
}
const UNCONF = ['reported', 'under_review', 'unconfirmed'];

// GET /api/v1/stats/violations as the contract computes it over incs on days.
export function violationsOracle(incs, days) {
  const mk = () => ({ by_party: {}, total: days.map(() => 0), total_incidents: days.map(() => 0), per_party_total: {} });
  const out = { confirmed: mk(), unconfirmed: mk() };
  for (const inc of incs) {
    if (!isViolation(inc.type)) continue;
    let side, parties;
    if (inc.status === 'confirmed') { side = out.confirmed; parties = inc.attribution; }
    else if (UNCONF.includes(inc.status)) { side = out.unconfirmed; parties = inc.attribution?.length ? inc.attribution : inc.perps; }
    else continue;
    const i = days.indexOf(gazaDay(inc.occurred_at));
    if (i < 0) continue;
    side.total_incidents[i]++;
    for (const p of new Set(parties)) {
      side.by_party[p] ||= days.map(() => 0);
      side.by_party[p][i]++;
      side.total[i]++;
      side.per_party_total[p] = (side.per_party_total[p] || 0) + 1;
    }
  }
  for (const side of [out.confirmed, out.unconfirmed]) {
    side.trend = {};
    for (const [p, arr] of Object.entries(side.by_party)) {
      const last7 = arr.slice(-7).reduce((a, b) => a + b, 0);
      const prev7 = arr.slice(-14, -7).reduce((a, b) => a + b, 0);
      side.trend[p] = { last7, prev7 };
    }
  }
  return out;
}

// GET /api/v1/stats/incidents?by=sector|type rows over incs on days.
export function incidentsOracle(incs, days, by) {
  const rows = {};
  for (const inc of incs) {
    if (!days.includes(gazaDay(inc.occurred_at))) continue;
    if (inc.status === 'merged') continue;
    const key = by === 'sector' ? (inc.sector || 'none') : inc.type;
    rows[key] ||= { key, confirmed: 0, unconfirmed: 0, refuted: 0, killed: 0, injured: 0 };
    const r = rows[key];
    if (inc.status === 'confirmed') r.confirmed++;
    else if (inc.status === 'refuted') r.refuted++;
    else r.unconfirmed++;
    if (inc.status !== 'refuted') { r.killed += inc.killed; r.injured += inc.injured; }
  }
  return rows;
}

// A consignment the test made: { id, crossing, commodity, trucks, tonnes,
// steps: [{status, at}] } (the first step at_perimeter).
export function aidOracle(csgs, days, crossings) {
  const z = () => days.map(() => 0);
  const out = { trucks: Object.fromEntries(crossings.map((x) => [x, z()])), total_trucks: z(), tonnes: z(),
    by_commodity: {}, intercepted: z(), crossed_n: 0, crossed_trucks: 0, intercepted_n: 0, intercepted_trucks: 0,
    delivered: 0, returned: 0 };
  for (const c of csgs) {
    for (const s of c.steps) {
      const i = days.indexOf(gazaDay(s.at));
      if (i < 0) continue;
      if (s.status === 'crossed') {
        out.trucks[c.crossing] ||= z();
        out.trucks[c.crossing][i] += c.trucks;
        out.total_trucks[i] += c.trucks;
        out.tonnes[i] += c.tonnes;
        out.by_commodity[c.commodity] = (out.by_commodity[c.commodity] || 0) + c.trucks;
        out.crossed_n++;
        out.crossed_trucks += c.trucks;
      } else if (s.status === 'intercepted') {
        out.intercepted[i]++;
        out.intercepted_n++;
        out.intercepted_trucks += c.trucks;
      } else if (s.status === 'delivered') out.delivered++;
      else if (s.status === 'returned') out.returned++;
    }
  }
  out.gap = out.total_trucks.map((t) => Math.max(0, TARGET - t));
  return out;
}

export const close = (a, b, eps = 1e-3) => typeof a === 'number' && Math.abs(a - b) <= eps;

// ---------------------------------------------------------------- the figures' data set
// Incidents and consignments on local days 2026-10-18..31 in Gaza (the
// summer-time change of 2026-10-24 inside it), chosen so that each rule of
// the figures shows: local days at 21:30Z / 22:30Z on both sides of the
// change, several parties, UNKNOWN, an attribution set while unconfirmed,
// refuted and merged reports with casualties, non-violation types, a report
// outside every sector, reports by contingents (seen by whom), days over the
// target of trucks, interceptions and returns, and items just outside the
// window. Nothing in it is derived from the server; the oracle above
// computes the figures from these inputs.
export const WINDOW = { from: '2026-10-18', until: '2026-10-31' };
export const SITREP_DAY = '2026-10-27';
const K = (killed = {}, injured = {}) => ({ killed, injured });
// [name, occurred_at, type, sector (or null), perpetrators, reporter, final status, attribution, casualties, merge_into]
export const DATA_INCIDENTS = [
  ['i1', '2026-10-18T08:00:00Z', 'strike', 'SEC-RAFAH', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K({ civilian: 2 }, { civilian: 3 })],
  ['i17', '2026-10-17T21:30:00Z', 'strike', 'SEC-DEIR', ['GRP-OTHER'], 'cmcc.watch', 'confirmed', ['GRP-OTHER'], K({}, { civilian: 1 })], // 00:30 local on the 18th (UTC+3)
  ['i18', '2026-10-17T20:30:00Z', 'strike', 'SEC-DEIR', ['GRP-OTHER'], 'cmcc.watch', 'confirmed', ['GRP-OTHER'], K({ civilian: 7 })], // 23:30 local on the 17th: outside
  ['i2', '2026-10-19T21:30:00Z', 'rocket_mortar_fire', 'SEC-NORTH', ['GRP-PIJ'], 'cmcc.watch', 'confirmed', ['GRP-PIJ'], K({}, { civilian: 1 })], // the 20th
  ['i3', '2026-10-20T20:30:00Z', 'armed_clash', 'SEC-KHAN', ['GRP-QASSAM'], 'cmcc.cdr', 'confirmed', ['GRP-QASSAM', 'IDF'], K({ combatant: 4 })], // 23:30 on the 20th
  ['i4', '2026-10-22T10:00:00Z', 'line_crossing', 'SEC-GAZA', ['IDF'], 'cmcc.watch', 'unconfirmed', null, K()],
  ['i5', '2026-10-23T12:00:00Z', 'strike', 'SEC-DEIR', ['IDF'], 'isf.aze', 'reported', null, K()],
  ['i6', '2026-10-24T09:00:00Z', 'rocket_mortar_fire', null, ['GRP-PIJ'], 'isf.egy', 'under_review', null, K()],
  ['i7', '2026-10-25T22:30:00Z', 'strike', 'SEC-RAFAH', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K({ civilian: 1 }, { civilian: 6 })], // 00:30 on the 26th (UTC+2)
  ['i8', '2026-10-26T21:30:00Z', 'armed_clash', 'SEC-GAZA', ['GRP-CLANS'], 'cmcc.watch', 'confirmed', ['UNKNOWN'], K({}, { civilian: 2 })], // 23:30 on the 26th
  ['i9', '2026-10-27T11:00:00Z', 'strike', 'SEC-KHAN', ['IDF'], 'cmcc.watch', 'refuted', null, K({ civilian: 5 })],
  ['i10', '2026-10-27T13:00:00Z', 'rocket_mortar_fire', 'SEC-NORTH', ['GRP-PIJ'], 'idf.liaison', 'unconfirmed', ['GRP-POPULAR-FORCES'], K()],
  ['i19', '2026-10-27T06:00:00Z', 'peaceful_protest', 'SEC-GAZA', ['GRP-OTHER'], 'cmcc.watch', 'confirmed', ['GRP-OTHER'], K()],
  ['i20', '2026-10-27T07:00:00Z', 'remains_handover', 'SEC-KHAN', [], 'cmcc.watch', 'confirmed', ['IDF'], K()],
  ['i21', '2026-10-27T08:00:00Z', 'weapons_seizure', 'SEC-DEIR', ['GRP-QASSAM'], 'isf.aze', 'confirmed', ['GRP-QASSAM'], K({}, { isf: 2 })],
  ['i22', '2026-10-27T09:00:00Z', 'line_crossing', null, ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K()],
  ['i23', '2026-10-27T15:00:00Z', 'strike', 'SEC-RAFAH', ['GRP-PIJ'], 'cmcc.watch', 'confirmed', ['GRP-PIJ'], K({ civilian: 3 }, { civilian: 4 })],
  ['i24', '2026-10-27T16:00:00Z', 'strike', 'SEC-RAFAH', ['GRP-PIJ'], 'isf.hq', 'merged', null, K({ civilian: 1 }, { civilian: 1 }), 'i23'],
  ['i25', '2026-10-27T21:30:00Z', 'rocket_mortar_fire', 'SEC-NORTH', ['GRP-PIJ'], 'cmcc.watch', 'confirmed', ['GRP-PIJ'], K({}, { civilian: 1 })], // 23:30 on the 27th
  ['i26', '2026-10-27T22:30:00Z', 'strike', 'SEC-KHAN', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K({ civilian: 9 })], // 00:30 on the 28th
  ['i11', '2026-10-28T08:00:00Z', 'weapons_seizure', 'SEC-DEIR', ['GRP-QASSAM'], 'isf.aze', 'confirmed', ['GRP-QASSAM'], K({}, { isf: 1 })],
  ['i12', '2026-10-29T10:00:00Z', 'strike', 'SEC-GAZA', ['IDF'], 'cmcc.watch', 'merged', null, K({ civilian: 1 }), 'i13'],
  ['i13', '2026-10-29T10:05:00Z', 'strike', 'SEC-GAZA', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K({ civilian: 2 })],
  ['i14', '2026-10-30T15:00:00Z', 'remains_handover', 'SEC-KHAN', [], 'idf.liaison', 'reported', null, K()],
  ['i15', '2026-10-31T21:45:00Z', 'line_crossing', 'SEC-NORTH', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K()], // 23:45 on the 31st
  ['i16', '2026-10-31T22:15:00Z', 'strike', 'SEC-RAFAH', ['IDF'], 'cmcc.watch', 'confirmed', ['IDF'], K({ civilian: 3 })], // 00:15 on 1 November: outside
];
// [name, recorder, org (CMCC recording for another) or null, commodity, trucks, tonnes, crossing, [[status, at], ...] (first: at_perimeter), incident (name) for interceptions]
export const DATA_CONSIGNMENTS = [
  ['c1', 'wfp.focal', null, 'food', 20, 400, 'XNG-KS', [['at_perimeter', '2026-10-20T04:00:00Z'], ['crossed', '2026-10-20T05:00:00Z'], ['offloaded', '2026-10-20T06:00:00Z'], ['collected', '2026-10-20T08:00:00Z'], ['delivered', '2026-10-20T12:00:00Z']]],
  ['c2', 'ocha.focal', null, 'medical', 5, 20, 'XNG-KISSUFIM', [['at_perimeter', '2026-10-20T20:00:00Z'], ['crossed', '2026-10-20T21:30:00Z']]], // the 21st
  ['c3', 'wfp.focal', null, 'fuel', 350, 9000, 'XNG-KS', [['at_perimeter', '2026-10-27T08:00:00Z'], ['crossed', '2026-10-27T10:00:00Z']]],
  ['c4', 'cmcc.watch', 'UNRWA', 'food', 300, 6000, 'XNG-ZIKIM', [['at_perimeter', '2026-10-27T09:00:00Z'], ['crossed', '2026-10-27T12:00:00Z']]],
  ['c11', 'wfp.focal', null, 'food', 25, 500, 'XNG-KS', [['at_perimeter', '2026-10-27T04:00:00Z'], ['crossed', '2026-10-27T05:00:00Z'], ['offloaded', '2026-10-27T06:00:00Z'], ['collected', '2026-10-27T07:00:00Z'], ['delivered', '2026-10-27T10:00:00Z']]],
  ['c12', 'ocha.focal', null, 'medical', 3, 12, 'XNG-KISSUFIM', [['at_perimeter', '2026-10-27T05:00:00Z'], ['crossed', '2026-10-27T06:00:00Z'], ['intercepted', '2026-10-27T07:00:00Z']], 'i21'],
  ['c5', 'wfp.focal', null, 'food', 10, 200, 'XNG-KS', [['at_perimeter', '2026-10-27T21:00:00Z'], ['crossed', '2026-10-27T22:30:00Z'], ['intercepted', '2026-10-27T23:00:00Z']], 'i26'], // the 28th
  ['c6', 'ngo.focal', null, 'shelter', 4, 30, 'XNG-KS', [['at_perimeter', '2026-10-28T07:00:00Z'], ['returned', '2026-10-28T09:00:00Z']]],
  ['c7', 'wfp.focal', null, 'cooking_gas', 6, 90, 'XNG-KISSUFIM', [['at_perimeter', '2026-10-29T06:00:00Z'], ['crossed', '2026-10-29T08:00:00Z'], ['offloaded', '2026-10-29T08:30:00Z'], ['intercepted', '2026-10-29T09:00:00Z']], 'i13'],
  ['c8', 'wfp.focal', null, 'water_sanitation', 15, 100, 'XNG-KS', [['at_perimeter', '2026-10-30T10:00:00Z']]],
  ['c9', 'ocha.focal', null, 'other', 8, 50, 'XNG-ZIKIM', [['at_perimeter', '2026-10-30T05:00:00Z'], ['crossed', '2026-10-30T06:00:00Z'], ['returned', '2026-10-30T07:00:00Z']]],
  ['c10', 'wfp.focal', null, 'food', 40, 800, 'XNG-KS', [['at_perimeter', '2026-10-31T21:00:00Z'], ['crossed', '2026-10-31T22:10:00Z']]], // 1 November: outside
];

// Writes the data set through the API (tokens must hold every account the
// tables name); returns { incs: [oracle records], csgs: [oracle records], byName }.
export async function buildDataset(server, tokens) {
  const c = incidents(server, tokens);
  const byName = {};
  const incs = [];
  let k = 0;
  for (const [name, at, type, sector, perps, reporter, status, attribution, casualties, into] of DATA_INCIDENTS) {
    const p = sector ? jitter(PLACE[sector], k++) : [OUTSIDE_SECTORS[0] + (k++) * 1e-4, OUTSIDE_SECTORS[1]];
    if (sectorOf(p) !== sector) throw new Error(`data set: ${name} not in ${sector}`);
    const body = incidentBody({
      type, title: `Figures ${name}`, occurred_at: at, location: pt(p), time_precision: 'minute', location_precision: 'exact',
      parties: perps.map((party) => ({ party, role: 'perpetrator' })), casualties,
      sources: [{ kind: 'isf_patrol', name: `Data source ${name}`, reliability: 'B', credibility: '2' }],
    });
    const r = await c.reportOk(reporter, body);
    const t = casualtyTotals(casualties);
    const rec = { name, id: r.body.id, occurred_at: at, type, sector, status, perps, attribution, killed: t.killed, injured: t.injured, casualties, reporter, org: ORG_OF[reporter], into };
    byName[name] = rec;
    incs.push(rec);
  }
  for (const rec of incs) {
    if (rec.status === 'merged') continue;
    if (rec.status === 'unconfirmed' && rec.attribution) {
      await c.actOk('cmcc.watch', rec.id, 'review', {});
      await c.actOk('cmcc.watch', rec.id, 'unconfirm', { note: 'one source', attribution: rec.attribution, confidence: 'low' });
    } else await c.walk(rec.id, rec.status, { attribution: rec.attribution || ['UNKNOWN'], confidence: 'high' });
  }
  // Merges: the merged report's casualties are below the survivor's, so the survivor's stay.
  for (const rec of incs.filter((x) => x.status === 'merged')) {
    const into = byName[rec.into];
    await c.actOk('cmcc.watch', rec.id, 'merge', { into: into.id });
    const m = casualtyTotals(casualtyMax(rec.casualties, into.casualties));
    into.killed = m.killed;
    into.injured = m.injured;
  }
  const csgs = [];
  for (const [name, recorder, org, commodity, trucks, tonnes, crossing, steps, incName] of DATA_CONSIGNMENTS) {
    const body = consignmentBody({ commodity, trucks, tonnes, crossing, at: steps[0][1], reference: `FIG-${name}` });
    if (org) body.org = org;
    const r = await server.api('POST', '/api/v1/aid/consignments', { token: tokens[recorder], body });
    assert.equal(r.status, 201, `data set ${name}: ${r.text.slice(0, 300)}`);
    const id = r.body.id;
    for (const [status, at] of steps.slice(1)) {
      const sb = { status, at };
      if (status === 'intercepted') Object.assign(sb, { manner: 'by_force', incident: byName[incName].id });
      if (status === 'returned') sb.note = 'turned back';
      const s = await server.api('POST', `/api/v1/aid/consignments/${id}/status`, { token: tokens[recorder], body: sb });
      assert.equal(s.status, 200, `data set ${name} -> ${status}: ${s.text.slice(0, 300)}`);
    }
    const rec = { name, id, commodity, trucks, tonnes, crossing, steps: steps.map(([status, at]) => ({ status, at })) };
    csgs.push(rec);
    byName[name] = rec;
  }
  return { incs, csgs, byName };
}

// The SITREP of a day as the contract computes it for a reader who sees incs.
export function sitrepOracle(incs, csgs, day) {
  const ofDay = incs.filter((x) => gazaDay(x.occurred_at) === day);
  const live = ofDay.filter((x) => x.status !== 'merged');
  const conf = live.filter((x) => x.status === 'confirmed');
  const v = violationsOracle(incs, daysBetween(addDays(day, -13), day));
  const last = (side) => Object.fromEntries(Object.entries(side.by_party).map(([p, a]) => [p, a[a.length - 1]]).filter(([, n]) => n > 0));
  const sig = live.filter((x) => x.status !== 'refuted' && (x.killed + x.injured > 0 || isViolation(x.type) || ['attack_on_forces', 'strike', 'line_crossing'].includes(x.type)));
  const aid = aidOracle(csgs, [day], Object.keys(CROSSINGS));
  return {
    summary: {
      incidents_with_refuted: live.length,
      incidents_without_refuted: live.filter((x) => x.status !== 'refuted').length,
      confirmed: conf.length,
      violations: conf.filter((x) => isViolation(x.type)).length,
      killed: live.filter((x) => x.status !== 'refuted').reduce((a, x) => a + x.killed, 0),
      injured: live.filter((x) => x.status !== 'refuted').reduce((a, x) => a + x.injured, 0),
      trucks: aid.total_trucks[0],
    },
    by_party: last(v.confirmed),
    unconfirmed_by_party: last(v.unconfirmed),
    trend7: Object.fromEntries(Object.entries(v.confirmed.trend)),
    significant: sig,
    aid: {
      trucks: aid.total_trucks[0], gap: aid.gap[0], tonnes: aid.tonnes[0], intercepted: aid.intercepted[0], delivered: aid.delivered,
      by_crossing: Object.fromEntries(Object.entries(aid.trucks).map(([x, a]) => [x, a[0]]).filter(([, n]) => n > 0)),
    },
  };
}

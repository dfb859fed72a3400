// National caveats as rules (issue 5, item 3 and 5; docs/isf.md): ONE table
// of cases, every caveat type inside and outside its limits and at its
// edges — hours exactly at a ban's start and end in Gaza local time (UTC+2
// in winter, +3 in summer, each instant at the offset of the clock then), a ban wrapping
// midnight, an area just inside and just outside a sector, a distance just
// under and just over the limit — each run end to end: the contingent's
// commander sets the caveats (POST /api/v1/caveats), ISF HQ creates the task,
// reads the candidates and assigns it. Then effective dates.
//
// Each case gets its own days ("slot") and its own caveat set effective from
// the slot's start, so a case's set is the one in force for its window and
// no case's unit is busy with another case's task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  H, D, MIN, iso, pt, gazaOffset, gazaLocal, taskBody, client, refused, verdict, CONTINGENTS,
  pointNearEdge, sectorDistance, SECTOR_IDS, SECTORS, direct, distance, SPINE_AZ, inMission, inSector,
} from '../lib/isf.mjs';

let server, tokens = {}, as, units = {};
const ACCOUNTS = ['isf.hq', 'isf.aze', 'isf.egy', 'isf.idn', 'cmcc.watch'];

before(async () => {
  server = await boot();
  for (const u of ACCOUNTS) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  const r = await as('isf.hq').get('/api/v1/units');
  assert.equal(r.status, 200, r.text);
  for (const u of r.body.units) units[u.id] = u;
});
after(() => shutdown(server));

// ---------------------------------------------------------------- slots
// Days are local (Gaza) calendar days; a slot is [local 00:00 of its first
// day, local 00:00 after its last day).
const dayStr = (ms) => new Date(ms).toISOString().slice(0, 10);
const used = [];
const overlaps = (a, b) => used.some(([u0, u1]) => a < u1 && b > u0);
function reserve(from, until) {
  assert.ok(!overlaps(from, until), `slot ${iso(from)}..${iso(until)} is free`);
  used.push([from, until]);
}
// The next run of n local days, all at the given offset (hours), free.
const cursor = {};
function allocate(offsetH, n) {
  let day = cursor[offsetH] ?? Date.parse(`${dayStr(Date.now() + 3 * D)}T00:00:00Z`);
  for (let k = 0; k < 800; k++, day += D) {
    const days = Array.from({ length: n }, (_, i) => dayStr(day + i * D));
    const from = gazaLocal(days[0], 0), until = gazaLocal(dayStr(day + n * D), 0);
    const allAt = days.every((d) => gazaOffset(gazaLocal(d, 0)) === offsetH * H && gazaOffset(gazaLocal(d, 23, 59)) === offsetH * H);
    if (!allAt || overlaps(from - H, until + H)) continue;
    reserve(from - H, until + H);
    cursor[offsetH] = day + n * D;
    return { days, from, until };
  }
  throw new Error(`no ${n} free days at UTC+${offsetH}`);
}
// The next instant after `after` where Gaza's offset changes from `a` to `b` hours.
function transition(a, b, after = Date.now()) {
  for (let t = Math.floor(after / H) * H; t < after + 800 * D; t += H) {
    if (gazaOffset(t) === a * H && gazaOffset(t + H) === b * H) {
      let lo = t, hi = t + H; // find the exact minute
      while (hi - lo > MIN) { const m = Math.floor((lo + hi) / 2 / MIN) * MIN; if (gazaOffset(m) === a * H) lo = m; else hi = m; }
      return hi;
    }
  }
  throw new Error('no transition found');
}

// ---------------------------------------------------------------- geometry
const AZE1 = [34.262, 31.292]; // UNIT-AZE-1's home base, in SEC-RAFAH, 2.2 km from SEC-KHAN
// A point in SEC-RAFAH exactly 1000 m from SEC-KHAN (the shared edge), far from the others.
const EDGE = pointNearEdge([34.27, 31.29], [34.30, 31.32], 'SEC-KHAN', 1000).p;
// Points 10.5 km and 9.98 / 10.02 km from UNIT-AZE-1's base, along the strip.
const FAR = direct(AZE1, SPINE_AZ, 10500);
const AT_998 = direct(AZE1, SPINE_AZ, 9980);
const AT_1002 = direct(AZE1, SPINE_AZ, 10020);
// SEC-NORTH, far from everyone's base.
const NORTH = [34.51, 31.55];
// A route inside SEC-RAFAH and one from it into SEC-KHAN; a square in SEC-RAFAH and one across the edge.
const ROUTE_RAFAH = { type: 'LineString', coordinates: [[34.255, 31.28], [34.262, 31.292], [34.27, 31.29]] };
const ROUTE_ACROSS = { type: 'LineString', coordinates: [[34.262, 31.292], [34.30, 31.32]] };
const square = (c, h) => {
  const n = direct(c, 0, h), s = direct(c, 180, h);
  const ring = [direct(s, 270, h), direct(s, 90, h), direct(n, 90, h), direct(n, 270, h)];
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
};
// A box around the whole of SEC-RAFAH (200 m clear of it): no edge of the box meets an edge of the sector.
const RAFAH_RING = SECTORS['SEC-RAFAH'][0];
const bbox = (ring, m) => {
  const lons = ring.map((p) => p[0]), lats = ring.map((p) => p[1]);
  const dLat = m / 111000, dLon = m / (111000 * Math.cos(31.3 * Math.PI / 180));
  const [x0, x1, y0, y1] = [Math.min(...lons) - dLon, Math.max(...lons) + dLon, Math.min(...lats) - dLat, Math.max(...lats) + dLat];
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
};
const AROUND_RAFAH = bbox(RAFAH_RING, 200);
// Routes up the strip from UNIT-AZE-1's base: one from 30 km to 2 km away, one from 30 km to 12 km.
const ROUTE_NEAR_END = { type: 'LineString', coordinates: [direct(AZE1, SPINE_AZ, 30000), direct(AZE1, SPINE_AZ, 2000)] };
const ROUTE_FAR = { type: 'LineString', coordinates: [direct(AZE1, SPINE_AZ, 30000), direct(AZE1, SPINE_AZ, 12000)] };
const SQUARE_RAFAH = square(AZE1, 500);
const SQUARE_ACROSS = square(EDGE, 1500);

test('the geometry the table relies on', () => {
  assert.ok(inSector(AZE1, 'SEC-RAFAH'));
  assert.ok(inSector(EDGE, 'SEC-RAFAH'));
  assert.ok(Math.abs(sectorDistance(EDGE, 'SEC-KHAN') - 1000) < 0.01);
  for (const s of SECTOR_IDS) if (s !== 'SEC-RAFAH' && s !== 'SEC-KHAN') assert.ok(sectorDistance(EDGE, s) > 5000, s);
  assert.ok(Math.abs(distance(AZE1, FAR) - 10500) < 0.01 && inMission(FAR));
  assert.ok(Math.abs(distance(AZE1, AT_998) - 9980) < 0.01 && Math.abs(distance(AZE1, AT_1002) - 10020) < 0.01);
  assert.ok(inSector(NORTH, 'SEC-NORTH'));
  assert.ok(ROUTE_RAFAH.coordinates.every((p) => inSector(p, 'SEC-RAFAH') && sectorDistance(p, 'SEC-KHAN') > 500));
  assert.ok(inSector(ROUTE_ACROSS.coordinates[1], 'SEC-KHAN'));
  assert.ok(SQUARE_RAFAH.coordinates[0].every((p) => inSector(p, 'SEC-RAFAH') && sectorDistance(p, 'SEC-KHAN') > 500));
  assert.ok(SQUARE_ACROSS.coordinates[0].some((p) => inSector(p, 'SEC-KHAN')));
  assert.ok(RAFAH_RING.every((p) => p[0] > AROUND_RAFAH.coordinates[0][0][0] && p[1] > AROUND_RAFAH.coordinates[0][0][1]
    && p[0] < AROUND_RAFAH.coordinates[0][2][0] && p[1] < AROUND_RAFAH.coordinates[0][2][1]), 'the box holds all of SEC-RAFAH');
  assert.ok([...ROUTE_NEAR_END.coordinates, ...ROUTE_FAR.coordinates].every(inMission));
  assert.equal(units['UNIT-AZE-1'].home_base.coordinates.join(), AZE1.join(), 'UNIT-AZE-1 is based where the table assumes');
});

// ---------------------------------------------------------------- the table
// win: [offset hours (2 winter, 3 summer), [day, 'HH:MM'] from, [day, 'HH:MM'] until] in LOCAL time,
// or { utc: [from, until] } (a function of nothing, for the time-zone transitions).
// expect: [] (assigned), 'approval' (awaiting_approval), or the caveats broken.
const W = (a, b) => [2, a, b]; // winter
const S = (a, b) => [3, a, b]; // summer
const day0 = (hm) => [0, hm];
const day1 = (hm) => [1, hm];
const DAYTIME = W(day0('10:00'), day0('12:00'));
const AT = (p, r) => ({ geometry: pt(p), radius_m: r });

const CASES = [
  // allowed_task_types
  ['allowed types: patrol is in the list', { allowed_task_types: ['patrol', 'checkpoint'] }, { type: 'patrol' }, DAYTIME, []],
  ['allowed types: checkpoint is in the list', { allowed_task_types: ['patrol', 'checkpoint'] }, { type: 'checkpoint' }, DAYTIME, []],
  ['allowed types: site protection is not', { allowed_task_types: ['patrol', 'checkpoint'] }, { type: 'site_protection' }, DAYTIME, ['allowed_task_types']],
  ['allowed types: arrest is not (and nothing else is set)', { allowed_task_types: ['patrol', 'checkpoint'] }, { type: 'arrest' }, DAYTIME, ['allowed_task_types']],
  ['allowed types: an empty list allows nothing', { allowed_task_types: [] }, { type: 'patrol' }, DAYTIME, ['allowed_task_types']],
  ['no rules at all: anything goes', {}, { type: 'arrest', use_of_force: 'lethal', crowd_riot_control: true, ...AT(NORTH, 500) }, DAYTIME, []],

  // sectors_allowed / sectors_excluded: just inside and just outside the edge with SEC-KHAN
  ['sectors allowed: well inside Rafah', { sectors_allowed: ['SEC-RAFAH'] }, AT(AZE1, 300), DAYTIME, []],
  ['sectors allowed: 25 m short of Khan Younis', { sectors_allowed: ['SEC-RAFAH'] }, AT(EDGE, 975), DAYTIME, []],
  ['sectors allowed: 25 m into Khan Younis', { sectors_allowed: ['SEC-RAFAH'] }, AT(EDGE, 1025), DAYTIME, ['sectors_allowed'], ['SEC-KHAN']],
  ['sectors allowed: both sectors allowed', { sectors_allowed: ['SEC-RAFAH', 'SEC-KHAN'] }, AT(EDGE, 1025), DAYTIME, []],
  ['sectors allowed: Rafah not allowed', { sectors_allowed: ['SEC-KHAN'] }, AT(EDGE, 975), DAYTIME, ['sectors_allowed'], ['SEC-RAFAH']],
  ['sectors excluded: 25 m short of the excluded sector', { sectors_excluded: ['SEC-KHAN'] }, AT(EDGE, 975), DAYTIME, []],
  ['sectors excluded: 25 m into the excluded sector', { sectors_excluded: ['SEC-KHAN'] }, AT(EDGE, 1025), DAYTIME, ['sectors_excluded'], ['SEC-KHAN']],
  ['sectors excluded: another sector excluded', { sectors_excluded: ['SEC-NORTH', 'SEC-GAZA'] }, AT(EDGE, 1025), DAYTIME, []],
  ['sectors: a route inside Rafah', { sectors_allowed: ['SEC-RAFAH'] }, { geometry: undefined, radius_m: undefined, route: ROUTE_RAFAH }, DAYTIME, []],
  ['sectors: a route from Rafah into Khan Younis', { sectors_allowed: ['SEC-RAFAH'] }, { geometry: undefined, radius_m: undefined, route: ROUTE_ACROSS }, DAYTIME, ['sectors_allowed'], ['SEC-KHAN']],
  ['sectors: a route into an excluded sector', { sectors_excluded: ['SEC-KHAN'] }, { geometry: undefined, radius_m: undefined, route: ROUTE_ACROSS }, DAYTIME, ['sectors_excluded'], ['SEC-KHAN']],
  ['sectors: a polygon inside Rafah', { sectors_allowed: ['SEC-RAFAH'] }, { geometry: SQUARE_RAFAH, radius_m: undefined }, DAYTIME, []],
  ['sectors: a polygon around a whole excluded sector (no edges meet)', { sectors_excluded: ['SEC-RAFAH'] }, { geometry: AROUND_RAFAH, radius_m: undefined }, DAYTIME, ['sectors_excluded'], ['SEC-RAFAH']],
  ['sectors: a polygon across the edge', { sectors_allowed: ['SEC-RAFAH'] }, { geometry: SQUARE_ACROSS, radius_m: undefined }, DAYTIME, ['sectors_allowed'], ['SEC-KHAN']],

  // no_ops_hours 23-05 (wraps midnight), winter (UTC+2)
  ['hours 23-05: daytime', { no_ops_hours: { from: 23, until: 5 } }, {}, DAYTIME, []],
  ['hours 23-05: ends exactly when the ban starts', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('18:00'), day0('23:00')), []],
  ['hours 23-05: ends a minute into the ban', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('18:00'), day0('23:01')), ['no_ops_hours']],
  ['hours 23-05: starts exactly when the ban ends', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('05:00'), day0('09:00')), []],
  ['hours 23-05: starts a minute before the ban ends', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('04:59'), day0('09:00')), ['no_ops_hours']],
  ['hours 23-05: inside the ban after midnight', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('01:00'), day0('03:00')), ['no_ops_hours']],
  ['hours 23-05: from midnight', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('00:00'), day0('00:30')), ['no_ops_hours']],
  ['hours 23-05: across midnight', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('23:30'), day1('00:30')), ['no_ops_hours']],
  ['hours 23-05: exactly the allowed hours 05-23', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('05:00'), day0('23:00')), []],
  ['hours 23-05: a whole day', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('05:00'), day1('05:00')), ['no_ops_hours']],
  ['hours 23-05: 22:00 to 06:00 next day', { no_ops_hours: { from: 23, until: 5 } }, {}, W(day0('22:00'), day1('06:00')), ['no_ops_hours']],
  // no_ops_hours from 22:30 (hours may be fractions)
  ['hours 22.5-05: ends exactly at 22:30', { no_ops_hours: { from: 22.5, until: 5 } }, {}, W(day0('18:00'), day0('22:30')), []],
  ['hours 22.5-05: ends at 22:31', { no_ops_hours: { from: 22.5, until: 5 } }, {}, W(day0('18:00'), day0('22:31')), ['no_ops_hours']],
  // no_ops_hours 12-14 (no wrap)
  ['hours 12-14: ends at the ban start', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('10:00'), day0('12:00')), []],
  ['hours 12-14: starts at the ban end', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('14:00'), day0('16:00')), []],
  ['hours 12-14: a minute into the ban', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('11:00'), day0('12:01')), ['no_ops_hours']],
  ['hours 12-14: from a minute before its end', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('13:59'), day0('15:00')), ['no_ops_hours']],
  ['hours 12-14: overnight, missing the ban on both days', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('15:00'), day1('11:00')), []],
  ['hours 12-14: overnight into the next day\'s ban', { no_ops_hours: { from: 12, until: 14 } }, {}, W(day0('15:00'), day1('12:01')), ['no_ops_hours']],
  // half hours, a whole-day ban, a ban from midnight
  ['hours 22.5-06: ends at 22:30', { no_ops_hours: { from: 22.5, until: 6 } }, {}, W(day0('20:00'), day0('22:30')), []],
  ['hours 22.5-06: ends at 22:31', { no_ops_hours: { from: 22.5, until: 6 } }, {}, W(day0('20:00'), day0('22:31')), ['no_ops_hours']],
  ['hours 22.5-06: starts at 06:00', { no_ops_hours: { from: 22.5, until: 6 } }, {}, W(day0('06:00'), day0('08:00')), []],
  ['hours 22.5-06: starts at 05:59', { no_ops_hours: { from: 22.5, until: 6 } }, {}, W(day0('05:59'), day0('08:00')), ['no_ops_hours']],
  ['hours 0-24: any time', { no_ops_hours: { from: 0, until: 24 } }, {}, W(day0('10:00'), day0('10:15')), ['no_ops_hours']],
  ['hours 0-06: 23:00 to 23:59', { no_ops_hours: { from: 0, until: 6 } }, {}, W(day0('23:00'), day0('23:59')), []],
  ['hours 0-06: 23:00 to 00:01', { no_ops_hours: { from: 0, until: 6 } }, {}, W(day0('23:00'), day1('00:01')), ['no_ops_hours']],
  // summer (UTC+3): the same local edges are an hour earlier in UTC
  ['summer, hours 23-05: ends exactly at 23:00 local (20:00 UTC)', { no_ops_hours: { from: 23, until: 5 } }, {}, S(day0('20:00'), day0('23:00')), []],
  ['summer, hours 23-05: ends at 23:01 local (20:01 UTC)', { no_ops_hours: { from: 23, until: 5 } }, {}, S(day0('20:00'), day0('23:01')), ['no_ops_hours']],
  ['summer, hours 23-05: starts at 05:00 local (02:00 UTC)', { no_ops_hours: { from: 23, until: 5 } }, {}, S(day0('05:00'), day0('08:00')), []],
  ['summer, hours 23-05: starts at 04:59 local (01:59 UTC)', { no_ops_hours: { from: 23, until: 5 } }, {}, S(day0('04:59'), day0('08:00')), ['no_ops_hours']],

  // max_use_of_force
  ['force: none under non-lethal', { max_use_of_force: 'non_lethal' }, { use_of_force: 'none' }, DAYTIME, []],
  ['force: non-lethal at its limit', { max_use_of_force: 'non_lethal' }, { use_of_force: 'non_lethal' }, DAYTIME, []],
  ['force: lethal self-defence above non-lethal', { max_use_of_force: 'non_lethal' }, { use_of_force: 'lethal_self_defence' }, DAYTIME, ['max_use_of_force']],
  ['force: lethal above non-lethal', { max_use_of_force: 'non_lethal' }, { use_of_force: 'lethal' }, DAYTIME, ['max_use_of_force']],
  ['force: non-lethal above none', { max_use_of_force: 'none' }, { use_of_force: 'non_lethal' }, DAYTIME, ['max_use_of_force']],
  ['force: lethal at the lethal limit', { max_use_of_force: 'lethal' }, { use_of_force: 'lethal' }, DAYTIME, []],

  // no_crowd_riot_control
  ['crowd and riot control banned: a task with it', { no_crowd_riot_control: true }, { crowd_riot_control: true }, DAYTIME, ['no_crowd_riot_control']],
  ['crowd and riot control banned: a task without it', { no_crowd_riot_control: true }, { crowd_riot_control: false }, DAYTIME, []],
  ['crowd and riot control not banned (false)', { no_crowd_riot_control: false }, { crowd_riot_control: true }, DAYTIME, []],

  // no_detention
  ['detention banned: a task with detention', { no_detention: true }, { type: 'checkpoint', detention: true }, DAYTIME, ['no_detention']],
  ['detention banned: an arrest implies it', { no_detention: true }, { type: 'arrest' }, DAYTIME, ['no_detention']],
  ['detention banned: a checkpoint without it', { no_detention: true }, { type: 'checkpoint', detention: false }, DAYTIME, []],
  ['detention not banned (false): an arrest', { no_detention: false }, { type: 'arrest' }, DAYTIME, []],

  // no_action_against_armed_groups
  ['armed groups banned: the flag', { no_action_against_armed_groups: true }, { type: 'patrol', against_armed_groups: true }, DAYTIME, ['no_action_against_armed_groups']],
  ['armed groups banned: cordon and search implies it', { no_action_against_armed_groups: true }, { type: 'cordon_and_search' }, DAYTIME, ['no_action_against_armed_groups']],
  ['armed groups banned: weapons cache seizure implies it', { no_action_against_armed_groups: true }, { type: 'weapons_cache_seizure' }, DAYTIME, ['no_action_against_armed_groups']],
  ['armed groups banned: arrest implies it', { no_action_against_armed_groups: true }, { type: 'arrest' }, DAYTIME, ['no_action_against_armed_groups']],
  ['armed groups banned: DDR site security does not', { no_action_against_armed_groups: true }, { type: 'ddr_site_security' }, DAYTIME, []],

  // max_distance_from_base_km: the distance to the AREA (centre less radius)
  ['distance: 9.98 km (10.5 km less a 520 m radius) under 10', { max_distance_from_base_km: 10 }, AT(FAR, 520), DAYTIME, []],
  ['distance: 10.02 km (10.5 km less a 480 m radius) over 10', { max_distance_from_base_km: 10 }, AT(FAR, 480), DAYTIME, ['max_distance_from_base_km']],
  ['distance: a point 9.98 km away', { max_distance_from_base_km: 10 }, AT(AT_998, 1), DAYTIME, []],
  ['distance: a point 10.02 km away', { max_distance_from_base_km: 10 }, AT(AT_1002, 1), DAYTIME, ['max_distance_from_base_km']],
  ['distance: to the nearest point of a route (30 km to 2 km away)', { max_distance_from_base_km: 10 }, { geometry: undefined, radius_m: undefined, route: ROUTE_NEAR_END }, DAYTIME, []],
  ['distance: a route 12 km away at its nearest', { max_distance_from_base_km: 10 }, { geometry: undefined, radius_m: undefined, route: ROUTE_FAR }, DAYTIME, ['max_distance_from_base_km']],
  ['distance: a fractional limit, 10.02 km under 10.05', { max_distance_from_base_km: 10.05 }, AT(AT_1002, 1), DAYTIME, []],

  // national_approval: not a refusal
  ['national approval: an arrest is held', { national_approval: { task_types: ['arrest'], delay_h: 12 } }, { type: 'arrest' }, DAYTIME, 'approval', null, 'UNIT-EGY-2'],
  ['national approval: a patrol is not', { national_approval: { task_types: ['arrest'], delay_h: 12 } }, { type: 'patrol' }, DAYTIME, [], null, 'UNIT-EGY-2'],
  ['national approval does not hide a refusal', { national_approval: { task_types: ['arrest'] }, max_use_of_force: 'none' }, { type: 'arrest', use_of_force: 'non_lethal' }, DAYTIME, ['max_use_of_force'], null, 'UNIT-EGY-2'],
  ['Indonesia: allowed types and force together', { allowed_task_types: ['patrol'], max_use_of_force: 'non_lethal' }, { type: 'checkpoint', use_of_force: 'lethal', geometry: pt([34.338, 31.392]) }, DAYTIME, ['allowed_task_types', 'max_use_of_force'], null, 'UNIT-IDN-2'],

  // everything at once: each caveat named once
  ['every caveat broken at once', {
    allowed_task_types: ['patrol'], sectors_allowed: ['SEC-RAFAH'], sectors_excluded: ['SEC-NORTH'], no_ops_hours: { from: 23, until: 5 },
    max_use_of_force: 'non_lethal', no_crowd_riot_control: true, no_detention: true, no_action_against_armed_groups: true,
    max_distance_from_base_km: 25, national_approval: { task_types: ['patrol'] },
  }, { type: 'arrest', use_of_force: 'lethal', crowd_riot_control: true, ...AT(NORTH, 500) }, W(day0('22:00'), day0('23:30')),
  ['allowed_task_types', 'sectors_allowed', 'sectors_excluded', 'no_ops_hours', 'max_use_of_force', 'no_crowd_riot_control',
    'no_detention', 'no_action_against_armed_groups', 'max_distance_from_base_km'], ['SEC-NORTH']],
];

// The time-zone transitions: hours are read off the clock, each instant at the
// offset in force then (a window across the change is taken in two pieces).
const SPRING = transition(2, 3); // e.g. Sat 00:00 UTC, 02:00 -> 03:00 local
const AUTUMN = transition(3, 2); // e.g. Fri 23:00 UTC, 02:00 -> 01:00 local
CASES.push(
  ['spring forward: 00:00 to 04:30 by the clock (03:30 by the start offset) meets a 04-05 ban', { no_ops_hours: { from: 4, until: 5 } }, {},
    { utc: [SPRING - 2 * H, SPRING + 1.5 * H] }, ['no_ops_hours']],
  ['spring forward: 00:00 to 03:59 by the clock misses a 04-05 ban', { no_ops_hours: { from: 4, until: 5 } }, {},
    { utc: [SPRING - 2 * H, SPRING + H - MIN] }, [], null, 'UNIT-AZE-HQ'],
  ['fall back: 23:00 to 02:00, then 01:00 to 01:30 by the clock (02:30 by the start offset) misses a 02-03 ban', { no_ops_hours: { from: 2, until: 3 } }, {},
    { utc: [AUTUMN - 3 * H, AUTUMN + 0.5 * H] }, []],
  ['fall back: 23:00 to 02:00, then 01:00 to 02:01 by the clock meets a 02-03 ban', { no_ops_hours: { from: 2, until: 3 } }, {},
    { utc: [AUTUMN - 3 * H, AUTUMN + H + MIN] }, ['no_ops_hours'], null, 'UNIT-AZE-HQ'],
);

// Resolves a case's window and slot, in table order.
function windowOf(win) {
  if (win.utc) {
    const [from, until] = win.utc;
    used.push([from - D, until + D]); // the two spring cases share their days (and use two units)
    return { from, until, effective: from - 12 * H };
  }
  const [off, [d0, hm0], [d1, hm1]] = win;
  const slot = allocate(off, Math.max(d0, d1) + 1);
  const first = Date.parse(`${slot.days[0]}T00:00:00Z`);
  const at = (d, hm) => gazaLocal(dayStr(first + d * D), Number(hm.slice(0, 2)), Number(hm.slice(3)));
  const from = at(d0, hm0), until = at(d1, hm1);
  // The local times are what the case says, at the offset it says.
  assert.equal(gazaOffset(from), off * H, `UTC+${off} at the window's start`);
  return { from, until, effective: slot.from };
}
// Fixed windows (the transitions) first, then the slots around them.
const windows = new Map();
for (const c of CASES) if (c[3].utc) windows.set(c, windowOf(c[3]));
for (const c of CASES) if (!c[3].utc) windows.set(c, windowOf(c[3]));
const resolved = CASES.map((c) => {
  const [name, rules, task, , expect, sectors, unit] = c;
  return { name, rules, task, expect, sectors, unit: unit || 'UNIT-AZE-1', ...windows.get(c) };
});

test('the transitions the table uses are an hour each way', () => {
  assert.equal(gazaOffset(SPRING - MIN), 2 * H);
  assert.equal(gazaOffset(SPRING), 3 * H);
  assert.equal(gazaOffset(AUTUMN - MIN), 3 * H);
  assert.equal(gazaOffset(AUTUMN), 2 * H);
});

const failures = [];
for (const c of resolved) {
  test(`caveat case: ${c.name}`, async () => {
    const unit = units[c.unit];
    assert.ok(unit, c.unit);
    const ctg = Object.keys(CONTINGENTS).find((k) => CONTINGENTS[k].org === unit.org);
    const set = await as(CONTINGENTS[ctg].account).post('/api/v1/caveats', { contingent: ctg, effective_from: iso(c.effective), rules: c.rules, note: c.name });
    assert.equal(set.status, 201, `caveats: ${set.text.slice(0, 300)}`);
    assert.match(set.body.id, /^CAV-\d+$/);
    const body = { ...taskBody(), ...c.task, window_from: iso(c.from), window_until: iso(c.until), description: c.name };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    if (body.geometry?.type === 'Point' && c.unit !== 'UNIT-AZE-1' && !c.task.geometry) body.geometry = unit.home_base;
    const t = await as('isf.hq').post('/api/v1/tasks', body);
    assert.equal(t.status, 201, `task: ${t.text.slice(0, 300)}`);
    const id = t.body.id;
    const want = c.expect === 'approval' ? [] : [...c.expect].sort();

    // The oracle agrees with the table (Point areas only).
    if (body.geometry?.type === 'Point') {
      const v = verdict(c.rules, unit, body, []);
      assert.equal(v.undecidable, null, `oracle decides: ${v.undecidable}`);
      assert.deepEqual([...v.names].sort(), want, 'the oracle agrees with the table');
      if (want.length === 0) assert.equal(v.approval, c.expect === 'approval', 'the oracle agrees on approval');
    }

    const cand = await as('isf.hq').get(`/api/v1/tasks/${id}/candidates`);
    assert.equal(cand.status, 200, cand.text.slice(0, 300));
    const inC = cand.body.candidates.find((x) => x.unit === c.unit);
    const inX = cand.body.excluded.find((x) => x.unit === c.unit);
    assert.ok(!!inC !== !!inX, `${c.unit} is either a candidate or excluded, once`);

    const a = await as('isf.hq').post(`/api/v1/tasks/${id}/assign`, { unit: c.unit });
    if (want.length === 0) {
      assert.equal(a.status, 200, `assign should succeed: ${a.text.slice(0, 500)}`);
      assert.equal(a.body.task.unit, c.unit);
      assert.equal(a.body.task.contingent, ctg);
      if (c.expect === 'approval') {
        assert.equal(a.body.task.status, 'awaiting_approval');
        assert.equal(a.body.task.approval?.required, true, `approval: ${JSON.stringify(a.body.task.approval)}`);
        if (c.rules.national_approval.delay_h !== undefined) assert.equal(a.body.task.approval.delay_h, c.rules.national_approval.delay_h);
        assert.equal(inC?.approval?.required, true, 'the candidate row says approval is needed');
      } else {
        assert.equal(a.body.task.status, 'assigned');
        assert.ok(!a.body.task.approval, `no approval: ${JSON.stringify(a.body.task.approval)}`);
        assert.ok(!inC?.approval, 'no approval on the candidate row');
      }
      assert.ok(inC, `${c.unit} is among the candidates: ${JSON.stringify(inX)}`);
    } else {
      assert.equal(a.status, 409, `assign should be refused: ${a.text.slice(0, 500)}`);
      assert.deepEqual(Object.keys(a.body), ['error']);
      assert.equal(a.body.error.code, 'conflict');
      assert.equal(a.body.error.field, 'unit');
      const reasons = a.body.error.reasons;
      assert.ok(Array.isArray(reasons), `reasons: ${a.text}`);
      assert.deepEqual([...new Set(reasons.map((x) => x.caveat))].sort(), want, `the caveats named: ${JSON.stringify(reasons)}`);
      assert.equal(reasons.length, want.length, `each caveat once (one sector each here): ${JSON.stringify(reasons)}`);
      for (const x of reasons) assert.ok(typeof x.reason === 'string' && x.reason.length > 3, `a reason in words: ${JSON.stringify(x)}`);
      const hm = (h) => `${String(Math.floor(h)).padStart(2, '0')}:${String(Math.round((h % 1) * 60)).padStart(2, '0')}`;
      const hours = reasons.find((x) => x.caveat === 'no_ops_hours');
      if (hours) assert.equal(hours.reason, `no operations between ${hm(c.rules.no_ops_hours.from)} and ${hm(c.rules.no_ops_hours.until)} local time`);
      for (const x of reasons) if (x.caveat.startsWith('sectors_')) assert.ok(c.sectors.some((s) => x.reason.includes(s)), `${x.reason} names ${c.sectors}`);
      assert.match(a.body.error.message, new RegExp(want[0]), 'the message names the first caveat');
      assert.ok(inX, `${c.unit} is excluded on the candidates list`);
      assert.deepEqual(inX.reasons, reasons, 'the candidates list gives the reasons assign gives');
      const after = await as('isf.hq').get(`/api/v1/tasks/${id}`);
      assert.equal(after.body.status, 'draft', 'a refused assignment leaves the task a draft');
      assert.ok(!after.body.unit);
    }
  });
}

// ---------------------------------------------------------------- effective dates

test('a set effective tomorrow does not apply to a task today; it does to one tomorrow', async () => {
  // Today: the scenario's Azerbaijani set (up to lethal self-defence) is in force.
  const tomorrow = Date.now() + D;
  const set = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(tomorrow), rules: { max_use_of_force: 'none' } });
  assert.equal(set.status, 201, set.text);
  const today = await as('isf.hq').post('/api/v1/tasks', taskBody({ use_of_force: 'non_lethal', window_from: iso(Date.now() + H), window_until: iso(Date.now() + 3 * H) }));
  const tmw = await as('isf.hq').post('/api/v1/tasks', taskBody({ use_of_force: 'non_lethal', window_from: iso(tomorrow + H), window_until: iso(tomorrow + 3 * H) }));
  assert.equal(today.status, 201); assert.equal(tmw.status, 201);
  const a1 = await as('isf.hq').post(`/api/v1/tasks/${today.body.id}/assign`, { unit: 'UNIT-AZE-HQ' });
  assert.equal(a1.status, 200, `today: ${a1.text.slice(0, 300)}`);
  const a2 = await as('isf.hq').post(`/api/v1/tasks/${tmw.body.id}/assign`, { unit: 'UNIT-AZE-HQ' });
  assert.equal(a2.status, 409, `tomorrow: ${a2.text.slice(0, 300)}`);
  assert.deepEqual(a2.body.error.reasons.map((x) => x.caveat), ['max_use_of_force']);
  // The matrix at each time shows the set in force then.
  const m1 = await as('isf.hq').get(`/api/v1/caveats/matrix?at=${encodeURIComponent(iso(Date.now() + H))}`);
  const m2 = await as('isf.hq').get(`/api/v1/caveats/matrix?at=${encodeURIComponent(iso(tomorrow + H))}`);
  assert.equal(m1.status, 200); assert.equal(m2.status, 200);
  const row = (m) => m.body.contingents.find((x) => x.contingent === 'CTG-AZE');
  assert.equal(row(m2).caveat_set, set.body.id);
  assert.deepEqual(row(m2).rules, { max_use_of_force: 'none' });
  assert.notEqual(row(m1).caveat_set, set.body.id);
  assert.equal(row(m1).rules.max_use_of_force, 'lethal_self_defence');
});

test('window_from exactly at effective_from: the new set applies; a minute before: the old one', async () => {
  const slot = allocate(2, 3);
  const T = gazaLocal(slot.days[1], 10);
  const old = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot.from), rules: {} });
  const neu = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(T), rules: { allowed_task_types: ['checkpoint'] } });
  assert.equal(old.status, 201); assert.equal(neu.status, 201);
  const at = await as('isf.hq').post('/api/v1/tasks', taskBody({ window_from: iso(T), window_until: iso(T + H) }));
  const before = await as('isf.hq').post('/api/v1/tasks', taskBody({ window_from: iso(T - MIN), window_until: iso(T - MIN + 30 * MIN) }));
  const rA = await as('isf.hq').post(`/api/v1/tasks/${at.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(rA.status, 409, rA.text.slice(0, 300));
  assert.deepEqual(rA.body.error.reasons.map((x) => x.caveat), ['allowed_task_types']);
  // (a different unit: the first task's window is not the point here)
  const rB = await as('isf.hq').post(`/api/v1/tasks/${before.body.id}/assign`, { unit: 'UNIT-AZE-HQ' });
  assert.equal(rB.status, 200, rB.text.slice(0, 300));
});

test('a set past its effective_until is not in force (the earlier permissive set is)', async () => {
  const slot = allocate(2, 4);
  const base = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot.from), rules: {} });
  const until = gazaLocal(slot.days[1], 12) + 30e3; // not on a whole minute: never equal to a window's start
  const temp = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(gazaLocal(slot.days[1], 0)), effective_until: iso(until), rules: { max_use_of_force: 'none' } });
  assert.equal(base.status, 201); assert.equal(temp.status, 201, temp.text);
  const during = await as('isf.hq').post('/api/v1/tasks', taskBody({ use_of_force: 'non_lethal', window_from: iso(gazaLocal(slot.days[1], 8)), window_until: iso(gazaLocal(slot.days[1], 9)) }));
  const afterIt = await as('isf.hq').post('/api/v1/tasks', taskBody({ use_of_force: 'non_lethal', window_from: iso(gazaLocal(slot.days[2], 8)), window_until: iso(gazaLocal(slot.days[2], 9)) }));
  const r1 = await as('isf.hq').post(`/api/v1/tasks/${during.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(r1.status, 409, r1.text.slice(0, 300));
  assert.deepEqual(r1.body.error.reasons.map((x) => x.caveat), ['max_use_of_force']);
  const r2 = await as('isf.hq').post(`/api/v1/tasks/${afterIt.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(r2.status, 200, `after effective_until: ${r2.text.slice(0, 300)}`);
  const m = await as('isf.hq').get(`/api/v1/caveats/matrix?at=${encodeURIComponent(iso(gazaLocal(slot.days[2], 8)))}`);
  assert.equal(m.body.contingents.find((x) => x.contingent === 'CTG-AZE').caveat_set, base.body.id);
});

test('two sets with the same effective_from: the later one written replaces the earlier', async () => {
  const slot = allocate(2, 1);
  const first = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot.from), rules: { allowed_task_types: ['checkpoint'] } });
  const second = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot.from), rules: { allowed_task_types: ['patrol'] }, note: 'correction' });
  assert.equal(first.status, 201); assert.equal(second.status, 201);
  const t = await as('isf.hq').post('/api/v1/tasks', taskBody({ window_from: iso(gazaLocal(slot.days[0], 10)), window_until: iso(gazaLocal(slot.days[0], 11)) }));
  const r = await as('isf.hq').post(`/api/v1/tasks/${t.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(r.status, 200, `the correction is in force: ${r.text.slice(0, 300)}`);
});

test('max_distance_from_base_km measures from the home base, not the last reported position', async () => {
  const slot = allocate(2, 1);
  const set = await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot.from), rules: { max_distance_from_base_km: 10 } });
  assert.equal(set.status, 201);
  // The unit reports a position 20 km up the strip; the task is 9.98 km from its base, 10 km from where it is.
  const moved = await as('isf.aze').post('/api/v1/units/UNIT-AZE-1/position', { geometry: pt(direct(AZE1, SPINE_AZ, 20000)) });
  assert.equal(moved.status, 200, moved.text.slice(0, 300));
  const near = await as('isf.hq').post('/api/v1/tasks', taskBody({ geometry: pt(AT_998), radius_m: 1, window_from: iso(gazaLocal(slot.days[0], 10)), window_until: iso(gazaLocal(slot.days[0], 11)) }));
  const r = await as('isf.hq').post(`/api/v1/tasks/${near.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  // The unit reports a position at the task, and its contingent moves its home
  // base 12 km beyond it, up the strip: now refused, though the unit is there.
  const slot2 = allocate(2, 1);
  await as('isf.aze').post('/api/v1/caveats', { contingent: 'CTG-AZE', effective_from: iso(slot2.from), rules: { max_distance_from_base_km: 10 } });
  const there = await as('isf.aze').post('/api/v1/units/UNIT-AZE-1/position', { geometry: pt(AT_998) });
  assert.equal(there.status, 200, there.text.slice(0, 300));
  const newBase = direct(AT_998, SPINE_AZ, 12000);
  assert.ok(inMission(newBase));
  const upd = await as('isf.aze').post('/api/v1/units/UNIT-AZE-1/update', { home_base: pt(newBase) });
  assert.equal(upd.status, 200, upd.text.slice(0, 300));
  const t2 = await as('isf.hq').post('/api/v1/tasks', taskBody({ geometry: pt(AT_998), radius_m: 1, window_from: iso(gazaLocal(slot2.days[0], 10)), window_until: iso(gazaLocal(slot2.days[0], 11)) }));
  const r2 = await as('isf.hq').post(`/api/v1/tasks/${t2.body.id}/assign`, { unit: 'UNIT-AZE-1' });
  assert.equal(r2.status, 409, r2.text.slice(0, 300));
  assert.deepEqual(r2.body.error.reasons.map((x) => x.caveat), ['max_distance_from_base_km']);
  assert.match(r2.body.error.reasons[0].reason, /12(\.0)? km/, 'the reason gives the distance');
});

test('only the holder of the commander position sets a contingent\'s caveats; the set is signed by that position', async () => {
  const body = { contingent: 'CTG-AZE', effective_from: iso(Date.now() + 400 * D), rules: { no_detention: true } };
  for (const u of ['isf.hq', 'isf.egy', 'isf.idn', 'cmcc.watch']) {
    await refused(server, () => as(u).post('/api/v1/caveats', body), { status: 403, code: 'forbidden', what: `${u} sets Azerbaijan's caveats` });
  }
  // Nobody holds the Emirati commander's position: nobody sets its caveats.
  for (const u of ['isf.hq', 'isf.aze']) {
    await refused(server, () => as(u).post('/api/v1/caveats', { ...body, contingent: 'CTG-ARE' }), { status: 403, what: `${u} sets the UAE's caveats` });
  }
  const ok = await as('isf.aze').post('/api/v1/caveats', body);
  assert.equal(ok.status, 201, ok.text);
  const ev = JSON.parse(ok.body.receipt.event);
  assert.equal(ev.kind, 'caveat.set');
  assert.equal(ev.actor, 'isf.aze');
  assert.equal(ev.body.signed_by_position, 'POS-AZE-CDR');
  const list = await as('isf.aze').get('/api/v1/caveats?contingent=CTG-AZE');
  const rec = list.body.caveats.find((c) => c.id === ok.body.id);
  assert.ok(rec, 'the new set is listed');
  assert.equal(rec.set_by, 'isf.aze');
  assert.deepEqual(rec.rules, body.rules);
  assert.equal(Date.parse(rec.effective_from), Date.parse(body.effective_from));
});

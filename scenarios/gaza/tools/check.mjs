// check.mjs — checks the Gaza exercise scenario (scenario.json and its GeoJSON
// layers) before the server ever sees it: shape, ids, references, the
// article's command structure, accounts, and geometry (closed, simple,
// counter-clockwise rings; sectors that tile the boundary without
// overlapping; a withdrawal line inside the boundary; crossings on it).
// Node, no dependencies. Run: node scenarios/gaza/tools/check.mjs [DIR]
// Exit status 0 when everything holds; otherwise each problem is listed.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const fail = (msg) => problems.push(msg);
const ok = (cond, msg) => { if (!cond) fail(msg); return !!cond; };
const load = (name) => {
  try { return JSON.parse(readFileSync(join(DIR, name), 'utf8')); } catch (e) { fail(`${name}: ${e.message}`); return null; }
};

const KINDS = ['command', 'force_contingent', 'liaison', 'humanitarian', 'training_mission', 'local_security_force', 'oversight', 'government'];
const ROLES = ['admin', 'cmcc_watch', 'cmcc_commander', 'idf_liaison', 'isf_hq', 'isf_contingent', 'humanitarian', 'trainer', 'ddr_officer', 'leadership'];
const ORG_ID = /^[A-Z][A-Z0-9-]{0,31}$/;
const POS_ID = /^POS-[A-Z0-9-]{1,44}$/;
const PER_ID = /^PER-\d{3,}$/;
const USERNAME = /^[a-z][a-z0-9]*(\.[a-z0-9]+)*$/;
const TOKEN = /^[A-Za-z0-9._:-]{1,48}$/; // what the server accepts in authority lists
const ARABIC = /[\u0600-\u06FF]/;
const LATIN = /[A-Za-z]/;
const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const keysAre = (o, allowed, required, where) => {
  for (const k of Object.keys(o)) ok(allowed.includes(k), `${where}: unknown field '${k}'`);
  for (const k of required) ok(k in o, `${where}: missing '${k}'`);
};
const i18n = (v, where, max = 200) => {
  if (!ok(isObj(v), `${where} must be {"en","ar"}`)) return;
  keysAre(v, ['en', 'ar'], ['en', 'ar'], where);
  ok(typeof v.en === 'string' && v.en.length > 0 && Buffer.byteLength(v.en) <= max && LATIN.test(v.en), `${where}.en must be English text of at most ${max} bytes`);
  ok(typeof v.ar === 'string' && v.ar.length > 0 && Buffer.byteLength(v.ar) <= max && ARABIC.test(v.ar) && !LATIN.test(v.ar),
    `${where}.ar must be Arabic text of at most ${max} bytes (UTF-8)`);
};

/* ---------------- scenario.json ---------------- */
function main() {
  const sc = load('scenario.json');
  if (!sc) return;
  keysAre(sc, ['exercise', 'mission', 'organisations', 'positions', 'persons', 'accounts', 'layers'],
    ['exercise', 'mission', 'organisations', 'positions', 'persons', 'accounts', 'layers'], 'scenario');
  ok(sc.exercise === true, 'scenario.exercise must be true');

  const m = sc.mission || {};
  keysAre(m, ['id', 'name', 'timezone', 'center', 'zoom', 'settings'], ['id', 'name', 'timezone', 'center', 'zoom', 'settings'], 'mission');
  ok(m.id === 'GAZA', 'mission.id is GAZA');
  i18n(m.name, 'mission.name');
  ok(m.timezone === 'Asia/Gaza', 'mission.timezone is Asia/Gaza');
  ok(Array.isArray(m.center) && m.center.length === 2 && m.center.every(Number.isFinite), 'mission.center is [lon, lat]');
  ok(Number.isInteger(m.zoom) && m.zoom >= 1 && m.zoom <= 19, 'mission.zoom is an integer zoom level');
  ok(isObj(m.settings) && m.settings.site_reconfirm_days === 30 && m.settings.aid_daily_truck_target === 600,
    'mission.settings has site_reconfirm_days 30 and aid_daily_truck_target 600');

  const seen = new Map(); // every id across organisations, positions and persons
  const unique = (id, where) => {
    if (seen.has(id)) fail(`${where}: id ${id} already used by ${seen.get(id)}`);
    else seen.set(id, where);
  };

  const orgs = new Map();
  (sc.organisations || []).forEach((o, i) => {
    const w = `organisations[${i}]${o && o.id ? ` (${o.id})` : ''}`;
    keysAre(o, ['id', 'kind', 'name', 'country', 'parent', 'conditional'], ['id', 'kind', 'name', 'country', 'parent', 'conditional'], w);
    ok(typeof o.id === 'string' && ORG_ID.test(o.id), `${w}: id must be upper-case letters, digits and '-'`);
    unique(o.id, w);
    orgs.set(o.id, o);
    ok(KINDS.includes(o.kind), `${w}: kind ${o.kind} is not one of ${KINDS.join(', ')}`);
    i18n(o.name, `${w}.name`);
    ok(o.country === null || (typeof o.country === 'string' && /^[A-Z]{2,3}$/.test(o.country)), `${w}: country is null or an ISO code`);
    ok(o.conditional === null || (typeof o.conditional === 'string' && o.conditional.length > 0 && o.conditional.length <= 300),
      `${w}: conditional is null or a sentence`);
  });
  for (const [id, o] of orgs) {
    if (o.parent === null) continue;
    ok(orgs.has(o.parent), `organisation ${id}: parent ${o.parent} does not exist`);
    const path = new Set([id]);
    for (let p = o.parent; p && orgs.has(p); p = orgs.get(p).parent) {
      if (!ok(!path.has(p), `organisation ${id}: parents form a loop`)) break;
      path.add(p);
    }
  }

  const positions = new Map();
  (sc.positions || []).forEach((p, i) => {
    const w = `positions[${i}]${p && p.id ? ` (${p.id})` : ''}`;
    keysAre(p, ['id', 'org', 'title', 'reports_to', 'authority'], ['id', 'org', 'title', 'reports_to', 'authority'], w);
    ok(typeof p.id === 'string' && POS_ID.test(p.id), `${w}: id must look like POS-...`);
    unique(p.id, w);
    positions.set(p.id, p);
    ok(orgs.has(p.org), `${w}: org ${p.org} does not exist`);
    i18n(p.title, `${w}.title`);
    ok(Array.isArray(p.reports_to) && p.reports_to.length <= 8 && new Set(p.reports_to).size === p.reports_to.length,
      `${w}: reports_to is a list of at most 8 distinct positions`);
    ok(Array.isArray(p.authority) && p.authority.length <= 16 && p.authority.every((a) => TOKEN.test(a)) &&
      new Set(p.authority).size === p.authority.length, `${w}: authority is a list of at most 16 distinct tokens`);
  });
  for (const [id, p] of positions) {
    for (const s of p.reports_to || []) {
      ok(positions.has(s), `position ${id}: reports_to ${s} does not exist`);
      ok(s !== id, `position ${id} reports to itself`);
    }
  }
  // No loops along reporting lines (depth-first, colouring).
  const colour = new Map();
  const visit = (id, trail) => {
    if (colour.get(id) === 2) return;
    if (colour.get(id) === 1) { fail(`reporting lines loop: ${[...trail, id].join(' > ')}`); return; }
    colour.set(id, 1);
    for (const s of positions.get(id)?.reports_to || []) if (positions.has(s)) visit(s, [...trail, id]);
    colour.set(id, 2);
  };
  for (const id of positions.keys()) visit(id, []);

  const persons = new Map();
  const holderOf = new Map();
  (sc.persons || []).forEach((p, i) => {
    const w = `persons[${i}]${p && p.id ? ` (${p.id})` : ''}`;
    keysAre(p, ['id', 'name', 'holds'], ['id', 'name', 'holds'], w);
    ok(typeof p.id === 'string' && PER_ID.test(p.id), `${w}: id must look like PER-001`);
    unique(p.id, w);
    persons.set(p.id, p);
    ok(typeof p.name === 'string' && p.name.length > 0 && Buffer.byteLength(p.name) <= 120, `${w}: name is 1-120 bytes`);
    ok(Array.isArray(p.holds) && new Set(p.holds).size === p.holds.length, `${w}: holds is a list of distinct positions`);
    for (const h of p.holds || []) {
      ok(positions.has(h), `${w}: holds ${h}, which does not exist`);
      if (holderOf.has(h)) fail(`${w}: ${h} is already held by ${holderOf.get(h)}`);
      else holderOf.set(h, p.id);
    }
  });

  const accounts = new Map();
  (sc.accounts || []).forEach((a, i) => {
    const w = `accounts[${i}]${a && a.username ? ` (${a.username})` : ''}`;
    keysAre(a, ['username', 'name', 'person', 'org', 'roles'], ['username', 'name', 'person', 'org', 'roles'], w);
    ok(typeof a.username === 'string' && USERNAME.test(a.username) && a.username.length <= 48, `${w}: username is lower-case words joined by dots`);
    ok(!accounts.has(a.username), `${w}: username ${a.username} is used twice`);
    accounts.set(a.username, a);
    ok(typeof a.name === 'string' && a.name.length > 0 && Buffer.byteLength(a.name) <= 120, `${w}: name is 1-120 bytes`);
    ok(orgs.has(a.org), `${w}: org ${a.org} does not exist`);
    ok(Array.isArray(a.roles) && a.roles.length >= 1 && a.roles.every((r) => ROLES.includes(r)), `${w}: roles must be from ${ROLES.join(', ')}`);
    const person = persons.get(a.person);
    if (ok(person, `${w}: person ${a.person} does not exist`)) {
      ok(person.holds.some((h) => positions.get(h)?.org === a.org), `${w}: ${a.person} holds no position in ${a.org}`);
      ok(a.name === person.name, `${w}: name is the person's name (${person.name})`);
    }
  });

  /* The structure the article describes. */
  const pos = (id) => positions.get(id) || { reports_to: [] };
  const reportsTo = (id, sups) => ok(positions.has(id) && sups.every((s) => pos(id).reports_to.includes(s)) &&
    pos(id).reports_to.length === sups.length, `${id} must report to exactly ${sups.join(' and ')}`);
  const inOrg = (id, org) => ok(pos(id).org === org, `${id} must belong to ${org}`);
  inOrg('POS-CENTCOM-CDR', 'CENTCOM');
  inOrg('POS-SECSTATE', 'USG-STATE');
  inOrg('POS-USSC', 'OSC');
  inOrg('POS-CMCC-CDR', 'CMCC');
  inOrg('POS-CMCC-CIV', 'CMCC');
  inOrg('POS-ISF-CDR', 'ISF-HQ');
  reportsTo('POS-USSC', ['POS-SECSTATE', 'POS-CENTCOM-CDR']);
  reportsTo('POS-CMCC-CDR', ['POS-CENTCOM-CDR']);
  reportsTo('POS-CMCC-CIV', ['POS-CMCC-CDR']);
  reportsTo('POS-ISF-CDR', ['POS-CMCC-CDR']);
  ok(holderOf.get('POS-USSC') && holderOf.get('POS-USSC') === holderOf.get('POS-CMCC-CDR'),
    'one person holds both POS-USSC and POS-CMCC-CDR');
  for (const c of ['ISF-AZE', 'ISF-EGY', 'ISF-IDN', 'ISF-ARE']) {
    ok(orgs.get(c)?.kind === 'force_contingent', `${c} is a force_contingent`);
    const cdrs = [...positions.values()].filter((p) => p.org === c && p.authority.includes('contingent.command'));
    if (ok(cdrs.length === 1, `${c} has one contingent commander (authority contingent.command)`)) reportsTo(cdrs[0].id, ['POS-ISF-CDR']);
  }
  ok(typeof orgs.get('ISF-ARE')?.conditional === 'string' && /US leadership/.test(orgs.get('ISF-ARE').conditional),
    'ISF-ARE is conditional on US leadership of the ISF');
  const kindOf = { 'IDF-LO': 'liaison', PASF: 'local_security_force', 'EUPOL-COPPS': 'training_mission', BOP: 'oversight',
    'UN-OCHA': 'humanitarian', 'UN-WFP': 'humanitarian', UNRWA: 'humanitarian', WHO: 'humanitarian', CMCC: 'command',
    OSC: 'command', CENTCOM: 'command', 'ISF-HQ': 'command', 'USG-STATE': 'government' };
  for (const [id, k] of Object.entries(kindOf)) ok(orgs.get(id)?.kind === k, `${id} exists and is ${k}`);
  ok([...orgs.values()].filter((o) => o.kind === 'humanitarian' && !o.id.startsWith('UN') && o.id !== 'WHO').length >= 1, 'at least one NGO');
  for (const o of orgs.values()) {
    ok([...positions.values()].some((p) => p.org === o.id), `organisation ${o.id} has at least one position`);
  }
  const hasAuth = (a) => ok([...positions.values()].some((p) => p.authority.includes(a)), `some position has authority ${a}`);
  ['cmcc.command', 'cmcc.decide', 'isf.command', 'contingent.command', 'handover.signoff', 'ddr.officer', 'training.certify', 'oversight.chair'].forEach(hasAuth);
  ok(positions.size >= 25 && positions.size <= 40, `25-40 positions (have ${positions.size})`);
  ok(persons.size >= 20 && persons.size <= 30, `20-30 persons (have ${persons.size})`);
  ok([...persons.values()].filter((p) => p.holds.length > 1).length >= 2, 'at least two persons with several hats');

  const WANT = {
    admin: ['admin', 'CMCC'], 'cmcc.watch': ['cmcc_watch', 'CMCC'], 'cmcc.cdr': ['cmcc_commander', 'CMCC'],
    'idf.liaison': ['idf_liaison', 'IDF-LO'], 'isf.hq': ['isf_hq', 'ISF-HQ'], 'isf.aze': ['isf_contingent', 'ISF-AZE'],
    'isf.egy': ['isf_contingent', 'ISF-EGY'], 'isf.idn': ['isf_contingent', 'ISF-IDN'], 'ocha.focal': ['humanitarian', 'UN-OCHA'],
    'wfp.focal': ['humanitarian', 'UN-WFP'], 'ngo.focal': ['humanitarian', null], trainer: ['trainer', null],
    'ddr.officer': ['ddr_officer', null], 'board.chair': ['leadership', 'BOP'],
  };
  for (const [u, [role, org]] of Object.entries(WANT)) {
    const a = accounts.get(u);
    if (!ok(a, `account ${u} is missing`)) continue;
    ok(a.roles.includes(role), `account ${u} has role ${role}`);
    if (org) ok(a.org === org, `account ${u} belongs to ${org}`);
  }
  ok(accounts.get('cmcc.cdr')?.person === holderOf.get('POS-USSC'), 'cmcc.cdr is the US Security Coordinator');
  ok(orgs.get(accounts.get('ngo.focal')?.org)?.kind === 'humanitarian', 'ngo.focal belongs to an NGO');
  ok(['EUPOL-COPPS', 'OSC'].includes(accounts.get('trainer')?.org), 'trainer belongs to EUPOL-COPPS or OSC');

  /* ---------------- layers ---------------- */
  const featureIds = new Set();
  const layers = {};
  ok(JSON.stringify(sc.layers) === JSON.stringify(['boundary.geojson', 'sectors.geojson', 'withdrawal_line.geojson', 'crossings.geojson']),
    'layers lists the four GeoJSON files');
  for (const name of sc.layers || []) {
    if (!ok(existsSync(join(DIR, name)), `layer ${name} is missing`)) continue;
    const fc = load(name);
    if (!fc) continue;
    ok(fc.type === 'FeatureCollection' && Array.isArray(fc.features), `${name} is a FeatureCollection`);
    for (const [i, f] of (fc.features || []).entries()) {
      const p = f.properties || {};
      const w = `${name} features[${i}]${p.id ? ` (${p.id})` : ''}`;
      ok(f.type === 'Feature', `${w}: type Feature`);
      ok(typeof p.id === 'string' && TOKEN.test(p.id), `${w}: properties.id`);
      ok(!featureIds.has(p.id) && !seen.has(p.id), `${w}: id ${p.id} is not unique`);
      featureIds.add(p.id);
      ok(p.exercise === true, `${w}: exercise must be true`);
      ok(typeof p.source === 'string' && p.source.length > 0, `${w}: source`);
      ok(typeof p.name_en === 'string' && LATIN.test(p.name_en), `${w}: name_en`);
      ok(typeof p.name_ar === 'string' && ARABIC.test(p.name_ar), `${w}: name_ar must be Arabic`);
      geometryOk(f.geometry, w);
      (layers[p.layer] ||= []).push(f);
    }
  }
  checkGeography(layers);
}

/* ---------------- geometry ---------------- */
function coordOk(c, w) {
  return ok(Array.isArray(c) && c.length === 2 && c.every(Number.isFinite) && c[0] >= 34 && c[0] <= 35 && c[1] >= 31 && c[1] <= 32 &&
    c.every((x) => Math.round(x * 1e5) / 1e5 === x), `${w}: coordinate ${JSON.stringify(c)} must be [lon, lat] near Gaza, at most 5 decimals`);
}
function geometryOk(g, w) {
  if (!ok(isObj(g) && Array.isArray(g.coordinates), `${w}: geometry`)) return;
  if (g.type === 'Point') coordOk(g.coordinates, w);
  else if (g.type === 'LineString') {
    ok(g.coordinates.length >= 2, `${w}: a line needs two points`);
    g.coordinates.forEach((c) => coordOk(c, w));
    ok(simpleChain(g.coordinates, false), `${w}: the line crosses itself`);
  } else if (g.type === 'Polygon') {
    ok(g.coordinates.length === 1, `${w}: one ring, no holes`);
    for (const ring of g.coordinates) {
      ring.forEach((c) => coordOk(c, w));
      ok(ring.length >= 4 && ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1], `${w}: ring is not closed`);
      ok(area(ring) > 0, `${w}: exterior ring must be counter-clockwise`);
      ok(simpleChain(ring, true), `${w}: ring intersects itself or repeats a vertex`);
    }
  } else fail(`${w}: unexpected geometry type ${g.type}`);
}

// Local metric projection (km) around the mission centre; plenty for checks.
const LAT0 = 31.42, KX = 111.32 * Math.cos((LAT0 * Math.PI) / 180), KY = 110.57;
const xy = ([lon, lat]) => [(lon - 34.4) * KX, (lat - LAT0) * KY];
function area(ring) { // signed, km², positive when counter-clockwise
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = xy(ring[i]), [x2, y2] = xy(ring[i + 1]);
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}
const orient = (a, b, c) => {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return Math.abs(v) < 1e-12 ? 0 : Math.sign(v);
};
const onSeg = (a, b, p) => orient(a, b, p) === 0 && Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
// Do segments ab and cd share any point?
function touch(a, b, c, d) {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 * o2 <= 0 && o3 * o4 <= 0) return true;
  return onSeg(a, b, c) || onSeg(a, b, d) || onSeg(c, d, a) || onSeg(c, d, b);
}
// Do segments ab and cd cross properly (interiors cross, not just touch)?
function cross(a, b, c, d) {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}
// A chain (closed ring or open line) is simple when no two non-adjacent
// segments share a point and adjacent ones share only their common vertex.
function simpleChain(pts, closed) {
  const P = pts.map(xy);
  const n = P.length - 1; // segments
  const keys = new Set(P.slice(0, closed ? -1 : undefined).map((p) => p.join()));
  if (keys.size !== (closed ? n : n + 1)) return false;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (closed && i === 0 && j === n - 1);
      if (adjacent) {
        // collinear overlap back along the previous segment
        const [s, t, u] = j === i + 1 ? [P[i], P[i + 1], P[j + 1]] : [P[j], P[0], P[1]];
        if (orient(s, t, u) === 0 && (onSeg(s, t, u) || onSeg(t, u, s))) return false;
        continue;
      }
      if (touch(P[i], P[i + 1], P[j], P[j + 1])) return false;
    }
  }
  return true;
}
function inside(ring, p) { // strictly inside (ray casting); points on an edge are not inside
  const R = ring.map(xy), q = xy(p);
  for (let i = 0; i + 1 < R.length; i++) if (onSeg(R[i], R[i + 1], q)) return false;
  let c = false;
  for (let i = 0, j = R.length - 2; i < R.length - 1; j = i++) {
    const [xi, yi] = R[i], [xj, yj] = R[j];
    if ((yi > q[1]) !== (yj > q[1]) && q[0] < ((xj - xi) * (q[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
const onBoundary = (ring, p) => { const R = ring.map(xy), q = xy(p); for (let i = 0; i + 1 < R.length; i++) if (onSeg(R[i], R[i + 1], q)) return true; return false; };
function distKm(ring, p) {
  const R = ring.map(xy), [px, py] = xy(p);
  let best = Infinity;
  for (let i = 0; i + 1 < R.length; i++) {
    const [ax, ay] = R[i], [bx, by] = R[i + 1];
    const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay)));
  }
  return best;
}
const centroid = (ring) => { // of a ring's area
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i], [x2, y2] = ring[i + 1], k = x1 * y2 - x2 * y1;
    a += k; cx += (x1 + x2) * k; cy += (y1 + y2) * k;
  }
  return [cx / (3 * a), cy / (3 * a)];
};
const segs = (ring) => ring.slice(0, -1).map((p, i) => [xy(p), xy(ring[i + 1])]);

function checkGeography(L) {
  const b = L.boundary || [];
  if (!ok(b.length === 1 && b[0].geometry.type === 'Polygon' && b[0].properties.id === 'BOUNDARY', 'one boundary polygon BOUNDARY')) return;
  const ring = b[0].geometry.coordinates[0];
  const total = area(ring);
  ok(total > 300 && total < 430, `boundary area ${total.toFixed(1)} km² should be near the Gaza Strip's 365 km²`);

  const S = L.sector || [];
  const want = ['SEC-NORTH', 'SEC-GAZA', 'SEC-DEIR', 'SEC-KHAN', 'SEC-RAFAH'];
  ok(S.length === 5 && want.every((id) => S.some((f) => f.properties.id === id)), `five sectors ${want.join(', ')}`);
  const CONTROL = ['isf', 'idf', 'contested', 'palestinian'];
  let sum = 0;
  for (const f of S) {
    const p = f.properties, r = f.geometry.coordinates[0];
    ok(p.layer === 'sector' && CONTROL.includes(p.control) && typeof p.controlled_by === 'string' && p.controlled_by.length > 0,
      `${p.id}: layer sector, control one of ${CONTROL.join('/')}, controlled_by`);
    sum += area(r);
    for (const v of r) ok(inside(ring, v) || onBoundary(ring, v), `${p.id}: vertex ${v} lies outside the boundary`);
    ok(inside(ring, centroid(r)), `${p.id}: its centre lies outside the boundary`);
    for (const [c, d] of segs(r)) for (const [e, g] of segs(ring)) ok(!cross(c, d, e, g), `${p.id}: an edge crosses the boundary`);
  }
  ok(Math.abs(sum - total) < 1e-6 * total, `sectors cover ${sum.toFixed(3)} km² but the boundary is ${total.toFixed(3)} km²`);
  for (let i = 0; i < S.length; i++) {
    for (let j = i + 1; j < S.length; j++) {
      const A = S[i].geometry.coordinates[0], B = S[j].geometry.coordinates[0], w = `${S[i].properties.id} / ${S[j].properties.id}`;
      for (const [c, d] of segs(A)) for (const [e, g] of segs(B)) ok(!cross(c, d, e, g), `${w}: edges cross (overlap)`);
      for (const v of A) ok(!inside(B, v), `${w}: a vertex of the first lies inside the second`);
      for (const v of B) ok(!inside(A, v), `${w}: a vertex of the second lies inside the first`);
      ok(!inside(B, centroid(A)) && !inside(A, centroid(B)), `${w}: one contains the other`);
    }
  }

  const line = (L.line || []).find((f) => f.properties.id === 'LINE-YELLOW');
  if (ok(line && line.geometry.type === 'LineString', 'LINE-YELLOW is a LineString')) {
    const c = line.geometry.coordinates;
    for (const v of c) ok(inside(ring, v), `LINE-YELLOW: vertex ${v} lies outside the boundary`);
    for (let i = 0; i + 1 < c.length; i++) for (const [e, g] of segs(ring)) ok(!touch(xy(c[i]), xy(c[i + 1]), e, g), 'LINE-YELLOW: a segment leaves the boundary');
    ok(c[0][1] > c.at(-1)[1], 'LINE-YELLOW runs north to south');
  }

  const X = L.crossing || [];
  for (const id of ['XNG-KS', 'XNG-RAFAH', 'XNG-KISSUFIM', 'XNG-ZIKIM', 'XNG-EREZ']) ok(X.some((f) => f.properties.id === id), `crossing ${id}`);
  for (const f of X) {
    const p = f.properties;
    ok(f.geometry.type === 'Point', `${p.id}: a Point`);
    ok(['goods', 'people', 'both'].includes(p.kind), `${p.id}: kind goods|people|both`);
    ok(['open', 'closed', 'restricted'].includes(p.status), `${p.id}: status open|closed|restricted`);
    ok(distKm(ring, f.geometry.coordinates) < 1.5, `${p.id}: more than 1.5 km from the boundary`);
  }
}

main();
if (problems.length) {
  console.error(`${problems.length} problem(s) in ${DIR}:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`scenario in ${DIR} is consistent`);

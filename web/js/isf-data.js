// isf-data.js — the ISF vocabulary (task types, unit types, use-of-force
// levels, caveat types, task statuses) in the user's language, the national
// caveats in plain words, position ages, and the store of the ISF lists the
// user may see: GET /api/v1/tasks, /units, /contingents (docs/isf.md).
import { api } from './api.js';
import { Reloader } from './reload.js';
import { t, tOpt, getLang, pick } from './i18n.js';

export const TASK_TYPES = ['patrol', 'checkpoint', 'convoy_escort', 'site_protection', 'cordon_and_search',
  'weapons_cache_seizure', 'arrest', 'ddr_site_security', 'training_support'];
export const UNIT_TYPES = ['infantry', 'military_police', 'engineers_eod', 'medical', 'training_team', 'headquarters'];
export const FORCE_LEVELS = ['none', 'non_lethal', 'lethal_self_defence', 'lethal'];
export const TASK_FLAGS = ['crowd_riot_control', 'detention', 'against_armed_groups'];
export const CAVEAT_TYPES = ['allowed_task_types', 'sectors_allowed', 'sectors_excluded', 'no_ops_hours', 'max_use_of_force',
  'no_crowd_riot_control', 'no_detention', 'no_action_against_armed_groups', 'max_distance_from_base_km', 'national_approval'];
export const TASK_STATUSES = ['draft', 'awaiting_approval', 'assigned', 'accepted', 'in_progress', 'completed', 'aborted', 'declined'];
// The board's columns, left to right (right to left in Arabic).
export const BOARD_COLUMNS = [
  { id: 'draft', statuses: ['draft'] },
  { id: 'awaiting_approval', statuses: ['awaiting_approval'] },
  { id: 'assigned', statuses: ['assigned'] },
  { id: 'accepted', statuses: ['accepted'] },
  { id: 'in_progress', statuses: ['in_progress'] },
  { id: 'closed', statuses: ['completed', 'aborted', 'declined'] },
];
// A position older than this is drawn faded: it may no longer be true.
export const STALE_MS = 6 * 3600e3;

export const taskTypeLabel = (x) => (x ? tOpt(`isf.task_type.${x}`, x) : '');
export const unitTypeLabel = (x) => (x ? tOpt(`isf.unit_type.${x}`, x) : '');
export const unitStatusLabel = (x) => (x ? tOpt(`isf.unit_status.${x}`, x) : '');
export const forceLabel = (x) => (x ? tOpt(`isf.force.${x}`, x) : '');
export const caveatLabel = (x) => (x ? tOpt(`isf.caveat.${x}`, x) : '');
export const taskStatusLabel = (x) => (x ? tOpt(`isf.status.${x}`, x) : '');
export const flagLabel = (x) => tOpt(`isf.flag.${x}`, x);
export const columnLabel = (x) => tOpt(`isf.column.${x}`, x);

// "a, b and c" in the current language.
export function listText(items) {
  const xs = items.filter((x) => x !== '' && x !== null && x !== undefined).map(String);
  if (!xs.length) return '';
  try { return new Intl.ListFormat(getLang(), { style: 'long', type: 'conjunction' }).format(xs); } catch { return xs.join(', '); }
}

export const km = (n) => t('isf.km', { n: Number.isFinite(n) ? (Math.round(n * 10) / 10).toString() : '?' });
// A local hour as HH:MM (hours may be fractions: 22.5 is 22:30).
const hh = (n) => { const m = Math.round(n * 60); return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`; };

// A unit's or contingent's {en, ar} name (or a string).
export function nameText(x, fallback = '') {
  if (!x) return fallback;
  if (typeof x.name === 'string') return x.name || fallback;
  if (x.name && typeof x.name === 'object') return pick(x.name) || fallback;
  return fallback;
}

// One caveat rule in plain words; null when the rule does not restrict.
// sectorName(id) names a sector in the current language.
export function ruleText(type, value, sectorName = (id) => id) {
  if (value === undefined || value === null || value === false) return null;
  switch (type) {
    case 'allowed_task_types':
      return Array.isArray(value) ? (value.length ? t('isf.rule.allowed_task_types', { list: listText(value.map(taskTypeLabel)) }) : t('isf.rule.no_tasks')) : null;
    case 'sectors_allowed':
      return Array.isArray(value) ? t('isf.rule.sectors_allowed', { list: listText(value.map(sectorName)) }) : null;
    case 'sectors_excluded':
      return Array.isArray(value) && value.length ? t('isf.rule.sectors_excluded', { list: listText(value.map(sectorName)) }) : null;
    case 'no_ops_hours':
      return value && Number.isFinite(value.from) && Number.isFinite(value.until) ? t('isf.rule.no_ops_hours', { from: hh(value.from), until: hh(value.until) }) : null;
    case 'max_use_of_force':
      return t('isf.rule.max_use_of_force', { level: forceLabel(value) });
    case 'no_crowd_riot_control': return t('isf.rule.no_crowd_riot_control');
    case 'no_detention': return t('isf.rule.no_detention');
    case 'no_action_against_armed_groups': return t('isf.rule.no_action_against_armed_groups');
    case 'max_distance_from_base_km':
      return Number.isFinite(value) ? t('isf.rule.max_distance_from_base_km', { n: value }) : null;
    case 'national_approval': {
      const types = (value && value.task_types) || [];
      if (!types.length) return null;
      return Number.isFinite(value.delay_h)
        ? t('isf.rule.national_approval', { list: listText(types.map(taskTypeLabel)), h: value.delay_h })
        : t('isf.rule.national_approval_nodelay', { list: listText(types.map(taskTypeLabel)) });
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

// "12 min ago", "3 h ago": how old a report is.
export function ageText(iso, now = Date.now()) {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const min = Math.max(0, Math.round(ms / 60000));
  if (min < 1) return t('isf.age.now');
  if (min < 60) return t('isf.age.min', { n: min });
  const hours = Math.floor(min / 60);
  if (hours < 48) return t('isf.age.h', { n: hours });
  return t('isf.age.d', { n: Math.floor(hours / 24) });
}
export function isStale(iso, now = Date.now()) {
  const v = Date.parse(iso);
  return Number.isFinite(v) && now - v > STALE_MS;
}

// Point in a Polygon / MultiPolygon (GeoJSON, [lon, lat]), even-odd rule.
function inRing(p, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
export function inPolygon(p, g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  return polys.some((poly) => inRing(p, poly[0]) && !poly.slice(1).some((hole) => inRing(p, hole)));
}

// The anchor point of a task's area or route: the point, the polygon's
// vertex mean, or the route's middle waypoint.
export function taskAnchor(task) {
  const g = task.geometry || task.route;
  if (!g) return null;
  if (g.type === 'Point') return g.coordinates;
  if (g.type === 'LineString') return g.coordinates[Math.floor(g.coordinates.length / 2)] || null;
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0][0] : null;
  if (!ring || !ring.length) return null;
  const pts = ring.slice(0, -1).length ? ring.slice(0, -1) : ring;
  return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
}

// The sector feature (of GET /api/v1/geo) a point lies in, or null.
export function sectorAt(geo, p) {
  if (!geo || !p) return null;
  for (const f of geo.features || []) {
    if (f.properties && f.properties.layer === 'sector' && f.geometry && inPolygon(p, f.geometry)) return f.properties;
  }
  return null;
}

// ---- the store ----

export class IsfData {
  constructor() {
    this.tasks = [];
    this.units = [];
    this.contingents = [];
    this.errors = {};
    this.loaded = false;
    this.loading = null;
    this.listeners = new Set();
    // The pages drawn from these lists keep what is being typed themselves;
    // the task board's cards hold a reload while a move's request runs or
    // its error is shown (reload.js), which a redraw would take away.
    this.reloader = new Reloader(() => this.load(), { scope: '#tk-board', delay: 250 });
  }

  reset() {
    this.tasks = []; this.units = []; this.contingents = [];
    this.errors = {};
    this.loaded = false;
    this.loading = null;
    this.reloader.cancel();
  }

  onChange(f) { this.listeners.add(f); }

  load() {
    if (this.loading) return this.loading;
    const lists = { tasks: '/api/v1/tasks', units: '/api/v1/units', contingents: '/api/v1/contingents' };
    this.loading = (async () => {
      const names = Object.keys(lists);
      const res = await Promise.allSettled(names.map((n) => api('GET', lists[n])));
      names.forEach((n, i) => {
        if (res[i].status === 'fulfilled') {
          const list = (res[i].value || {})[n];
          this[n] = Array.isArray(list) ? list : [];
          delete this.errors[n];
        } else {
          this.errors[n] = res[i].reason;
        }
      });
      this.loaded = true;
      this.loading = null;
      for (const f of this.listeners) { try { f(this); } catch (e) { console.error(e); } }
      return this;
    })();
    return this.loading;
  }

  reloadSoon(ms) { this.reloader.soon(ms); }

  // A reply's task replaces the one in the list at once (the stream follows).
  putTask(task) {
    if (!task || !task.id) return;
    const i = this.tasks.findIndex((x) => x.id === task.id);
    if (i >= 0) this.tasks[i] = task; else this.tasks.push(task);
    for (const f of this.listeners) { try { f(this); } catch (e) { console.error(e); } }
  }

  unit(id) { return this.units.find((u) => u.id === id) || null; }
  contingent(id) { return this.contingents.find((c) => c.id === id) || null; }
  contingentOfOrg(org) { return this.contingents.find((c) => c.org === org) || null; }

  // The organisation that answers a task: its unit's contingent.
  taskOrg(task) {
    const u = task.unit && this.unit(task.unit);
    if (u && u.org) return u.org;
    const c = task.contingent && this.contingent(task.contingent);
    return c ? c.org : null;
  }
}

// The stream events that change these lists (src/isf.c, src/notify.c).
export const ISF_STREAM_KINDS = [
  'task.created', 'task.assigned', 'task.approval', 'task.accepted', 'task.declined', 'task.started', 'task.completed', 'task.aborted',
  'caveat.set', 'contingent.registered', 'contingent.strength', 'unit.registered', 'unit.updated', 'unit.position',
];

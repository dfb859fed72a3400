// notify-data.js — humanitarian notification data shared by the pages (issue
// 4, docs/humanitarian.md): the categories and statuses, the store that keeps
// the lists of sites, no-strike objects, movements and units the caller may
// see (GET /api/v1/sites, /nostrike, /movements, /units), and the geometry
// the browser needs: where a movement is planned to be at a time, geodesic
// lengths for "departure + speed".
import { api } from './api.js';
import { Reloader } from './reload.js';

export const SITE_CATEGORIES = ['health_facility', 'shelter_school', 'warehouse', 'distribution_point',
  'water_sanitation', 'bakery_kitchen', 'office', 'staff_residence', 'other'];
export const NOSTRIKE_CATEGORIES = ['hospital', 'clinic', 'water_works', 'sanitation', 'power', 'telecom',
  'school', 'religious', 'cultural_heritage', 'shelter', 'other'];
export const MOVEMENT_STATUSES = ['submitted', 'acknowledged', 'facilitated', 'partially_facilitated', 'impeded',
  'denied', 'postponed', 'cancelled', 'completed'];
export const CONFLICT_KINDS = ['site', 'nostrike', 'movement', 'unit', 'operation'];
// Statuses that need a reason (docs: POST /movements/{id}/status).
export const NEEDS_REASON = new Set(['impeded', 'denied', 'postponed', 'cancelled']);
// Movements that no longer move: not drawn at a time.
export const MOVEMENT_OVER = new Set(['denied', 'cancelled', 'completed']);

// Movement status transitions: from → [to], for the CMCC (notify.ack) and for the owner.
const ACK_NEXT = {
  submitted: ['acknowledged', 'cancelled'],
  acknowledged: ['facilitated', 'partially_facilitated', 'impeded', 'denied', 'postponed', 'cancelled'],
  postponed: ['facilitated', 'partially_facilitated', 'impeded', 'denied', 'postponed', 'cancelled'],
  facilitated: ['facilitated', 'partially_facilitated', 'impeded', 'completed'],
  partially_facilitated: ['facilitated', 'partially_facilitated', 'impeded', 'completed'],
  impeded: ['facilitated', 'partially_facilitated', 'impeded', 'completed'],
};
const OWNER_NEXT = {
  submitted: ['cancelled'], acknowledged: ['cancelled'], postponed: ['cancelled'],
  facilitated: ['completed'], partially_facilitated: ['completed'], impeded: ['completed'],
};
export function nextStatuses(status, { ack = false, owner = false } = {}) {
  const out = new Set();
  if (ack) for (const s of ACK_NEXT[status] || []) out.add(s);
  if (owner) for (const s of OWNER_NEXT[status] || []) out.add(s);
  return MOVEMENT_STATUSES.filter((s) => out.has(s));
}

// ---- geometry ----

const R = 6371008.8; // mean Earth radius, m
const rad = (d) => (d * Math.PI) / 180;

// Great-circle distance in metres between [lon, lat] points (haversine; within
// 0.5% of the ellipsoid's geodesic, enough for a planned-time preview).
export function distanceM(a, b) {
  const dLat = rad(b[1] - a[1]), dLon = rad(b[0] - a[0]);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

// Planned times (ms) for a route driven from departure at speed km/h.
export function timesFromSpeed(coords, departureMs, speedKmh) {
  const out = [departureMs];
  const v = (speedKmh * 1000) / 3600000; // m per ms
  for (let i = 1; i < coords.length; i++) out.push(out[i - 1] + distanceM(coords[i - 1], coords[i]) / v);
  return out.map((x) => Math.round(x / 1000) * 1000);
}

// Where a movement is planned to be at time ms: {lon, lat, segment, state}.
// state: 'before' (not left yet: at the first waypoint), 'moving', 'after'
// (arrived: at the last waypoint); null without a route and times.
export function positionAt(movement, ms) {
  const coords = movement && movement.route && movement.route.coordinates;
  const times = ((movement && movement.times) || []).map((x) => Date.parse(x));
  if (!coords || coords.length < 2 || times.length !== coords.length || times.some((x) => !Number.isFinite(x))) return null;
  const n = coords.length;
  if (ms < times[0]) return { lon: coords[0][0], lat: coords[0][1], segment: 0, state: 'before' };
  if (ms >= times[n - 1]) return { lon: coords[n - 1][0], lat: coords[n - 1][1], segment: n - 2, state: 'after' };
  for (let i = 0; i < n - 1; i++) {
    if (ms >= times[i] && ms < times[i + 1]) {
      const span = times[i + 1] - times[i];
      const f = span > 0 ? (ms - times[i]) / span : 1;
      const [a, b] = [coords[i], coords[i + 1]];
      return { lon: a[0] + (b[0] - a[0]) * f, lat: a[1] + (b[1] - a[1]) * f, segment: i, state: 'moving' };
    }
  }
  return null;
}

// The point that stands for a geometry (a Point's own; a polygon's first ring's mean).
export function anchorOf(g) {
  if (!g) return null;
  if (g.type === 'Point') return g.coordinates;
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.type === 'LineString' ? g.coordinates : null;
  if (!ring || !ring.length) return null;
  const pts = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring;
  return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
}

// A unit's last position, whatever the exact shape of GET /api/v1/units.
export function unitPosition(u) {
  const p = u.position || u.last_position || null;
  const g = (p && (p.geometry || (p.type === 'Point' ? p : null))) || u.geometry || null;
  const at = (p && p.at) || u.at || u.position_at || null;
  return g && g.type === 'Point' ? { geometry: g, at } : null;
}

// ---- the store ----

const LISTS = {
  sites: { path: '/api/v1/sites', prop: 'sites' },
  nostrike: { path: '/api/v1/nostrike', prop: 'nostrike' },
  movements: { path: '/api/v1/movements', prop: 'movements' },
  units: { path: '/api/v1/units', prop: 'units' },
};

export class NotifyData {
  constructor() {
    this.sites = [];
    this.nostrike = [];
    this.movements = [];
    this.units = [];
    this.errors = {};        // list → ApiError of its last load
    this.loaded = false;
    this.loading = null;
    this.listeners = new Set();
    // The pages drawn from these lists keep what is being typed themselves.
    this.reloader = new Reloader(() => this.load(), { delay: 250 });
  }

  reset() {
    this.sites = []; this.nostrike = []; this.movements = []; this.units = [];
    this.errors = {};
    this.loaded = false;
    this.loading = null;
    this.reloader.cancel();
  }

  onChange(f) { this.listeners.add(f); }

  // Loads every list (each may fail alone: an endpoint the server lacks, or
  // one this account may not read, leaves that list empty).
  load() {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const names = Object.keys(LISTS);
      const res = await Promise.allSettled(names.map((n) => api('GET', LISTS[n].path)));
      names.forEach((n, i) => {
        const r = res[i];
        if (r.status === 'fulfilled') {
          const body = r.value || {};
          const list = body[LISTS[n].prop] || (n === 'nostrike' ? body.objects || body.items : null) || [];
          this[n] = Array.isArray(list) ? list : [];
          delete this.errors[n];
        } else {
          this.errors[n] = r.reason;
        }
      });
      this.loaded = true;
      this.loading = null;
      for (const f of this.listeners) { try { f(this); } catch (e) { console.error(e); } }
      return this;
    })();
    return this.loading;
  }

  // Many events may arrive at once (an import); one reload for all.
  reloadSoon(ms) { this.reloader.soon(ms); }

  find(kind, id) {
    const list = kind === 'site' ? this.sites : kind === 'nostrike' ? this.nostrike : kind === 'movement' ? this.movements : kind === 'unit' ? this.units : [];
    return list.find((x) => x.id === id) || null;
  }
}

// The kinds of stream events that change these lists (src/notify.c).
export const STREAM_KINDS = [
  'site.notified', 'site.detail', 'site.acknowledged', 'site.reconfirmed', 'site.withdrawn', 'site.amended',
  'nostrike.notified', 'nostrike.detail', 'nostrike.withdrawn', 'nostrike.amended',
  'movement.notified', 'movement.detail', 'movement.status', 'movement.amended',
  'unit.position', 'unit.registered',
];

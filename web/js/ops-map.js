// ops-map.js — a mission map for the operation pages: the geography, the
// humanitarian layers for context, and on top of them one operation: its
// area (circle or polygon), the narrowing proposal beside it (dashed green,
// with the area it gives up), and each conflict in red with its protection
// buffer. Every drawn shape carries a test id under the map's prefix
// (`${prefix}area`, `${prefix}proposal`, `${prefix}conflict-site-SITE-2`).
import { t } from './i18n.js';
import { h } from './dom.js';
import { MissionMap } from './map.js';
import { HumLayers } from './hum-layers.js';
import { unitPosition } from './notify-data.js';

/* global L */

const AREA = '#16325c';
const PROPOSAL = '#1d7a46';
const CONFLICT = '#e5202b';

// GeoJSON area of an operation as Leaflet layers (a Point with a radius is a circle).
function areaLayers(geometry, radius, style, pane) {
  if (!geometry) return [];
  if (geometry.type === 'Point') {
    const c = [geometry.coordinates[1], geometry.coordinates[0]];
    return [L.circle(c, { pane, radius: Math.max(1, Number(radius) || 1), interactive: false, ...style }),
      L.circleMarker(c, { pane, radius: 3, color: style.color, fillColor: '#fff', fillOpacity: 1, weight: 2, interactive: false, className: `${style.className}-centre` })];
  }
  return [L.geoJSON(geometry, { pane, interactive: false, style: () => ({ ...style }) })];
}

function tagAll(layer, testid, extra = {}) {
  const set = (l) => {
    if (l.eachLayer) { l.eachLayer(set); return; }
    const e = l.getElement && l.getElement();
    if (!e) return;
    e.setAttribute('data-testid', testid);
    for (const [k, v] of Object.entries(extra)) e.dataset[k] = v;
  };
  layer.on('add', () => set(layer));
  if (layer.eachLayer) layer.eachLayer((l) => l.on && l.on('add', () => set(l)));
}

export class OpsMap {
  // el: the map's element; ctx: the app's context; data: the NotifyData store
  // (sites, no-strike objects, movements and units for the conflicts' shapes).
  constructor(el, ctx, data, { prefix, interactive = false, opsOf = () => [] } = {}) {
    this.el = el;
    this.ctx = ctx;
    this.data = data;
    this.prefix = prefix;
    this.interactive = interactive;
    this.opsOf = opsOf;      // () → the operations listed (conflicts with another operation)
    this.mm = null;
    this.group = null;
    this.op = null;
    this.opts = {};
    this.conflictLayers = new Map();
  }

  // The map needs a size: create it the first time its page is shown.
  show() {
    if (!this.mm) {
      this.mm = new MissionMap(this.el, null, { orgName: this.ctx.orgName, interactive: this.interactive, prefix: this.prefix, legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.layers = new HumLayers(this.mm, this.data, this.ctx, { kinds: ['sites', 'nostrike', 'movements', 'units'], prefix: this.prefix, interactive: false });
      const map = this.mm.map;
      map.createPane(`${this.prefix}areaPane`).style.zIndex = 560;
      map.createPane(`${this.prefix}proposalPane`).style.zIndex = 580;
      map.createPane(`${this.prefix}conflictPane`).style.zIndex = 640;
      this.group = L.featureGroup();
      this.mm.addOverlay(() => t('ops.map.layer'), this.group);
      this.mm.addLegend(() => this.legendRows());
      this.layers.render();
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    this.data.load();
    this.draw(this.op, this.opts, false);
  }

  get map() { return this.mm && this.mm.map; }

  legendRows() {
    const row = (cls, key) => h('li', null, h('span', { class: `legend-swatch ${cls}`, 'aria-hidden': 'true' }), h('span', null, t(key)));
    return [row('ops-sw-area', 'ops.map.legend_area'), row('ops-sw-proposal', 'ops.map.legend_proposal'), row('ops-sw-conflict', 'ops.map.legend_conflict')];
  }

  // The shape of a conflict: the site, no-strike object, movement route, unit
  // position or other operation it names, as far as the caller may see it.
  conflictGeometry(c) {
    if (c.geometry) return c.geometry;
    if (c.kind === 'operation') {
      const o = this.opsOf().find((x) => x.id === c.id);
      return o ? { geometry: o.geometry, radius: o.radius_m } : null;
    }
    const x = this.data.find(c.kind, c.id);
    if (!x) return null;
    if (c.kind === 'movement') return x.route || null;
    if (c.kind === 'unit') { const p = unitPosition(x); return p ? p.geometry : null; }
    return x.geometry || null;
  }

  // Draws op (or clears the map when op is null). opts.proposal: a proposal
  // to draw beside the area; opts.draft: a notice being written ({geometry, radius_m}).
  draw(op, opts = {}, fit = true) {
    this.op = op;
    this.opts = opts;
    if (!this.map) return;
    const g = this.group;
    g.clearLayers();
    this.conflictLayers.clear();
    const area = op || opts.draft;
    if (area && area.geometry) {
      for (const l of areaLayers(area.geometry, area.radius_m, { color: AREA, weight: 2.5, fillColor: '#1c64c8', fillOpacity: 0.14, className: `${this.prefix}area ops-area` }, `${this.prefix}areaPane`)) {
        if (l instanceof L.CircleMarker && !(l instanceof L.Circle)) { l.addTo(g); continue; }
        tagAll(l, `${this.prefix}area`, { id: (op && op.id) || 'draft' });
        l.addTo(g);
      }
    }
    const p = opts.proposal;
    if (p && p.possible && p.geometry) {
      for (const l of areaLayers(p.geometry, p.radius_m, { color: PROPOSAL, weight: 3, dashArray: '7 5', fillColor: PROPOSAL, fillOpacity: 0.22, className: `${this.prefix}proposal ops-proposal` }, `${this.prefix}proposalPane`)) {
        if (l instanceof L.CircleMarker && !(l instanceof L.Circle)) continue;
        tagAll(l, `${this.prefix}proposal`, { radius: String(p.radius_m ?? ''), type: p.geometry.type });
        l.addTo(g);
      }
    }
    for (const c of (op && op.conflicts) || []) this.drawConflict(c, 'conflict');
    for (const a of (op && op.alerts) || []) {
      if (a.conflict && !(op.conflicts || []).some((c) => c.kind === a.conflict.kind && c.id === a.conflict.id)) this.drawConflict(a.conflict, 'alert');
    }
    if (fit) this.fit();
  }

  drawConflict(c, what) {
    const shape = this.conflictGeometry(c);
    if (!shape) return;
    const geometry = shape.geometry || shape;
    const key = `${c.kind}-${c.id}`;
    const testid = `${this.prefix}${what}-${key}`;
    const pane = `${this.prefix}conflictPane`;
    const layers = L.featureGroup();
    const style = { color: CONFLICT, weight: geometry.type === 'LineString' ? 7 : 3, opacity: 0.85, fillColor: CONFLICT, fillOpacity: 0.18, className: `ops-conflict ops-${what}` };
    if (geometry.type === 'Point') {
      const at = [geometry.coordinates[1], geometry.coordinates[0]];
      const buffer = shape.radius || c.protection_m;
      if (buffer > 0) L.circle(at, { pane, radius: buffer, interactive: false, ...style, weight: 1.5, dashArray: '4 4', fillOpacity: 0.08 }).addTo(layers);
      L.circleMarker(at, { pane, radius: 15, interactive: false, ...style, fill: false }).addTo(layers);
    } else {
      L.geoJSON(geometry, { pane, interactive: false, style: () => style }).addTo(layers);
    }
    tagAll(layers, testid, { kind: c.kind, id: c.id });
    layers.addTo(this.group);
    this.conflictLayers.set(key, layers);
  }

  fit() {
    if (!this.map) return;
    const b = this.group.getLayers().length ? this.group.getBounds() : null;
    if (b && b.isValid()) this.map.fitBounds(b, { padding: [40, 40], maxZoom: 15, animate: false });
  }

  focusConflict(c) {
    const l = this.conflictLayers.get(`${c.kind}-${c.id}`);
    if (!l || !this.map) return;
    this.map.fitBounds(l.getBounds(), { padding: [60, 60], maxZoom: 16 });
  }
}

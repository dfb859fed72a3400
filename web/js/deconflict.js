// deconflict.js — the deconfliction panel: draw an area on the map (a point
// and a radius, or a polygon vertex by vertex), choose a window, an extra
// buffer and the kinds of objects, and POST /api/v1/deconfliction/check. The
// conflicts are listed nearest first and highlighted on the map; choosing one
// in the list zooms to it.
import { api } from './api.js';
import { t, pick, onLangChange } from './i18n.js';
import { h, $, $$, clear } from './dom.js';
import { zonedToUtc, utcToZoned, getZone, zoneLabel, timeEl } from './time.js';
import { MissionMap } from './map.js';
import { HumLayers, kindLabel, siteCategoryLabel, nostrikeCategoryLabel, statusLabel } from './hum-layers.js';
import { CONFLICT_KINDS } from './notify-data.js';
import { FormErrors } from './forms.js';

/* global L */

const FIELDS = { geometry: 'dc-lat', 'geometry.coordinates': 'dc-lat', radius_m: 'dc-radius', from: 'dc-from', until: 'dc-until', buffer_m: 'dc-buffer', kinds: 'dc-kinds' };
const round6 = (x) => Math.round(x * 1e6) / 1e6;
const num = (s) => {
  const v = String(s || '').trim().replace(',', '.');
  return v === '' ? null : (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
};

// A conflict's name in the current language (movements: their purpose).
export function conflictName(c) {
  if (!c.name) return c.purpose || '';
  if (typeof c.name === 'string') return c.name;
  return pick(c.name);
}

function categoryLabel(c) {
  if (!c.category) return '';
  return c.kind === 'nostrike' ? nostrikeCategoryLabel(c.category) : c.kind === 'site' ? siteCategoryLabel(c.category) : c.category;
}

export class DeconflictPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.mm = null;
    this.mode = 'point';
    this.centre = null;       // [lon, lat]
    this.vertices = [];       // [[lon, lat]]
    this.areaLayer = null;
    this.hlLayer = null;
    this.hlById = new Map();
    this.conflicts = [];
    this.errors = new FormErrors(FIELDS, 'dc-form-error');
    $('#dc-form').addEventListener('submit', (e) => { e.preventDefault(); this.check(); });
    for (const r of $$('input[name="dc-mode"]')) r.addEventListener('change', () => this.setMode(r.value));
    for (const id of ['dc-lat', 'dc-lon']) $(`#${id}`).addEventListener('input', () => this.centreFromInputs());
    for (const id of ['dc-radius', 'dc-buffer']) $(`#${id}`).addEventListener('input', () => this.drawArea());
    $('#dc-clear').addEventListener('click', () => { this.vertices = []; this.renderVertices(); });
    onLangChange(() => { this.renderKinds(); this.renderHints(); this.renderVertices(); this.renderResults(); });
    this.renderKinds();
  }

  reset() {
    $('#dc-form').reset();
    this.errors.clearAll();
    this.centre = null;
    this.vertices = [];
    this.conflicts = [];
    this.checked = false;
    this.setMode('point');
    this.renderResults();
  }

  show() {
    if (!this.mm) {
      this.mm = new MissionMap($('#dc-map'), null, { orgName: this.ctx.orgName, interactive: false, prefix: 'dc-', legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.layers = new HumLayers(this.mm, this.data, this.ctx, { kinds: ['sites', 'nostrike', 'movements', 'units'], prefix: 'dc-', interactive: false });
      this.mm.map.createPane('dcAreaPane').style.zIndex = 560;
      this.mm.map.createPane('dcHlPane').style.zIndex = 640;
      this.mm.map.on('click', (e) => this.mapClick(e.latlng));
      this.mm.el.classList.add('is-drawing');
      this.layers.render();
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    this.data.load();
    this.renderHints();
    const now = Math.floor(Date.now() / 60000) * 60000;
    if (!$('#dc-from').value) $('#dc-from').value = utcToZoned(now);
    if (!$('#dc-until').value) $('#dc-until').value = utcToZoned(now + 24 * 3600e3);
    if (!$('#dc-radius').value) $('#dc-radius').value = '500';
    this.setMode(this.mode);
  }

  renderHints() {
    $('#dc-time-hint').textContent = t('form.time_hint', { zone: getZone(), offset: zoneLabel() });
    $('#dc-area-hint').textContent = this.mode === 'point' ? t('dc.form.point_hint') : t('dc.form.polygon_hint');
  }

  renderKinds() {
    const box = $('#dc-kinds');
    const checked = new Set($$('#dc-kinds input:checked').map((i) => i.value));
    const first = !box.children.length;
    clear(box);
    for (const k of CONFLICT_KINDS) {
      box.append(h('label', null, h('input', { type: 'checkbox', value: k, checked: first || checked.has(k), 'data-testid': `dc-kind-${k}` }), ' ', h('span', null, kindLabel(k))));
    }
  }

  setMode(mode) {
    this.mode = mode;
    $(`#dc-mode-${mode}`).checked = true;
    $('#dc-point-fields').hidden = mode !== 'point';
    $('#dc-polygon-fields').hidden = mode !== 'polygon';
    if (this.mm) this.mm.el.setAttribute('data-mode', mode);
    this.renderHints();
    this.renderVertices();
  }

  mapClick(latlng) {
    const p = [round6(latlng.lng), round6(latlng.lat)];
    this.errors.clear('dc-lat');
    if (this.mode === 'point') {
      this.centre = p;
      $('#dc-lat').value = String(p[1]);
      $('#dc-lon').value = String(p[0]);
      this.drawArea();
    } else {
      this.vertices.push(p);
      this.renderVertices();
    }
  }

  centreFromInputs() {
    const lat = num($('#dc-lat').value), lon = num($('#dc-lon').value);
    this.centre = lat !== null && lon !== null && !Number.isNaN(lat) && !Number.isNaN(lon) ? [lon, lat] : null;
    this.drawArea();
  }

  renderVertices() {
    const ol = clear($('#dc-vertices'));
    this.vertices.forEach((v, i) => {
      const n = i + 1;
      const lat = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', value: String(v[1]), 'aria-label': t('dc.form.vertex_lat', { n }), 'data-testid': `dc-v-lat-${n}` });
      const lon = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', value: String(v[0]), 'aria-label': t('dc.form.vertex_lon', { n }), 'data-testid': `dc-v-lon-${n}` });
      const upd = () => { const a = num(lat.value), b = num(lon.value); v[1] = a === null ? NaN : a; v[0] = b === null ? NaN : b; this.drawArea(); };
      lat.addEventListener('input', upd);
      lon.addEventListener('input', upd);
      ol.append(h('li', { class: 'waypoint' }, h('span', { class: 'wp-badge', 'aria-hidden': 'true' }, String(n)), h('span', { class: 'wp-fields' }, lat, lon),
        h('button', { type: 'button', class: 'btn btn-small btn-icon', 'aria-label': t('dc.form.vertex_remove', { n }), title: t('dc.form.vertex_remove', { n }), onclick: () => { this.vertices.splice(i, 1); this.renderVertices(); } }, '×')));
    });
    this.drawArea();
  }

  // The area on the map: the circle (and the buffer around it, dashed) or the polygon.
  drawArea() {
    if (!this.mm || !this.mm.map) return;
    const map = this.mm.map;
    if (this.areaLayer) map.removeLayer(this.areaLayer);
    const g = L.layerGroup();
    const buffer = Math.max(0, Number($('#dc-buffer').value) || 0);
    if (this.mode === 'point' && this.centre) {
      const r = Math.max(1, Number($('#dc-radius').value) || 0);
      const c = [this.centre[1], this.centre[0]];
      L.circle(c, { pane: 'dcAreaPane', radius: r, color: '#16325c', weight: 2, fillColor: '#1c64c8', fillOpacity: 0.15, className: 'dc-area', interactive: false }).addTo(g);
      if (buffer > 0) L.circle(c, { pane: 'dcAreaPane', radius: r + buffer, color: '#16325c', weight: 1.5, dashArray: '5 5', fill: false, className: 'dc-buffer', interactive: false }).addTo(g);
      L.circleMarker(c, { pane: 'dcAreaPane', radius: 4, color: '#16325c', fillColor: '#fff', fillOpacity: 1, weight: 2, interactive: false, className: 'dc-centre' }).addTo(g);
    }
    if (this.mode === 'polygon') {
      const pts = this.vertices.filter((v) => Number.isFinite(v[0]) && Number.isFinite(v[1])).map((v) => [v[1], v[0]]);
      if (pts.length >= 3) L.polygon(pts, { pane: 'dcAreaPane', color: '#16325c', weight: 2, fillColor: '#1c64c8', fillOpacity: 0.15, className: 'dc-area', interactive: false }).addTo(g);
      else if (pts.length === 2) L.polyline(pts, { pane: 'dcAreaPane', color: '#16325c', weight: 2, dashArray: '4 4', interactive: false }).addTo(g);
      pts.forEach((p, i) => {
        L.marker(p, { pane: 'dcAreaPane', icon: L.divIcon({ className: 'waypoint-marker', html: `<span class="wp-num">${i + 1}</span>`, iconSize: [22, 22], iconAnchor: [11, 11] }), keyboard: false, interactive: false }).addTo(g);
      });
    }
    this.areaLayer = g.addTo(map);
  }

  body() {
    const body = {};
    if (this.mode === 'point') {
      const lat = num($('#dc-lat').value), lon = num($('#dc-lon').value);
      if (lat !== null || lon !== null) {
        if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon)) return { bad: ['dc-lat', 'form.bad_coordinates'] };
        body.geometry = { type: 'Point', coordinates: [lon, lat] };
      }
      const r = $('#dc-radius').value.trim();
      if (r !== '') body.radius_m = Number(r);
    } else {
      const pts = this.vertices;
      if (pts.some((v) => !Number.isFinite(v[0]) || !Number.isFinite(v[1]))) return { bad: ['dc-lat', 'form.bad_coordinates'] };
      if (pts.length) body.geometry = { type: 'Polygon', coordinates: [[...pts.map((v) => [v[0], v[1]]), [pts[0][0], pts[0][1]]]] };
    }
    const from = $('#dc-from').value, until = $('#dc-until').value;
    if (from) body.from = zonedToUtc(from) || from;
    if (until) body.until = zonedToUtc(until) || until;
    const b = $('#dc-buffer').value.trim();
    if (b !== '') body.buffer_m = Number(b);
    body.kinds = $$('#dc-kinds input:checked').map((i) => i.value);
    return { body };
  }

  async check() {
    const btn = $('#dc-form button[type="submit"]');
    const status = $('#dc-status');
    this.errors.clearAll();
    const { body, bad } = this.body();
    if (bad) { this.errors.showLocal(bad[0], bad[1]); if (this.mode === 'point') $(`#${bad[0]}`).focus(); return; }
    status.textContent = t('dc.checking');
    btn.disabled = true;
    try {
      const r = await api('POST', '/api/v1/deconfliction/check', body);
      this.conflicts = r.conflicts || [];
      this.checked = true;
      this.checkedAt = r.checked_at || null;
      status.textContent = '';
      this.renderResults(true);
      $('#dc-results-title').scrollIntoView({ block: 'start', behavior: 'instant' });
    } catch (err) {
      status.textContent = '';
      const id = this.errors.report(err);
      if (id === 'dc-lat' && this.mode === 'polygon') { const first = $('#dc-vertices input'); if (first) first.focus(); }
    } finally {
      btn.disabled = false;
    }
  }

  renderResults(fit = false) {
    const ol = clear($('#dc-list'));
    const count = $('#dc-count');
    if (!this.checked) { count.textContent = t('dc.not_checked'); this.highlight(false); return; }
    count.textContent = this.conflicts.length ? t('dc.count', { n: this.conflicts.length }) : t('dc.none');
    count.dataset.count = String(this.conflicts.length);
    this.conflicts.forEach((c, i) => {
      const name = conflictName(c);
      const dist = Math.round(c.distance_m || 0);
      const key = `${c.kind}-${c.id}${Number.isInteger(c.segment) && c.segment >= 0 ? `-${c.segment}` : ''}`;
      ol.append(h('li', { class: `conflict conflict-${c.kind}`, 'data-testid': `dc-conflict-${key}`, 'data-kind': c.kind, 'data-id': c.id },
        h('button', { type: 'button', class: 'feature-btn', onclick: () => this.focusConflict(i) },
          h('span', { class: 'feature-name' },
            h('span', { class: `chip chip-kind kind-${c.kind}` }, kindLabel(c.kind)), ' ',
            h('span', { class: 'conflict-id' }, c.id), name ? h('span', { dir: 'auto' }, ` · ${name}`) : null),
          h('span', { class: 'feature-meta' },
            dist === 0 ? t('dc.inside') : t('dc.distance', { n: dist }),
            Number.isFinite(c.protection_m) ? ` · ${t('dc.protection', { n: Math.round(c.protection_m) })}` : null,
            c.category ? ` · ${categoryLabel(c)}` : null,
            c.status ? ` · ${statusLabel(c.status)}` : null,
            c.org ? ` · ${this.ctx.orgName(c.org)}` : null),
          c.kind === 'movement' && Number.isInteger(c.segment) ? h('span', { class: 'feature-meta' },
            t('dc.segment', { n: c.segment + 1 }),
            c.inside_from ? [' · ', t('dc.inside_between'), ' ', timeEl(c.inside_from), ' – ', timeEl(c.inside_until)] : null) : null)));
    });
    this.highlight(fit);
  }

  // Every conflict drawn over the map in red; fit = zoom to them and the area.
  highlight(fit) {
    if (!this.mm || !this.mm.map) return;
    const map = this.mm.map;
    if (this.hlLayer) map.removeLayer(this.hlLayer);
    this.hlById.clear();
    if (!this.checked) return;
    const g = L.featureGroup();
    this.conflicts.forEach((c, i) => {
      if (!c.geometry) return;
      const key = `${c.kind}-${c.id}${Number.isInteger(c.segment) && c.segment >= 0 ? `-${c.segment}` : ''}`;
      const layer = L.geoJSON(c.geometry, {
        pane: 'dcHlPane', interactive: false,
        style: () => ({ className: 'dc-hl', color: '#e5202b', weight: c.geometry.type === 'LineString' ? 8 : 3, opacity: 0.85, fillOpacity: 0.2 }),
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { pane: 'dcHlPane', radius: 17, color: '#e5202b', weight: 3, fill: false, className: 'dc-hl dc-hl-point', interactive: false }),
      });
      layer.on('add', () => layer.eachLayer((l) => { const e = l.getElement && l.getElement(); if (e) { e.setAttribute('data-testid', `dc-hl-${key}`); e.dataset.kind = c.kind; } }));
      layer.addTo(g);
      this.hlById.set(i, layer);
    });
    this.hlLayer = g.addTo(map);
    if (fit) {
      let b = g.getLayers().length ? g.getBounds() : null;
      if (this.areaLayer) this.areaLayer.eachLayer((l) => { if (l.getBounds) b = b ? b.extend(l.getBounds()) : l.getBounds(); });
      if (b && b.isValid()) map.fitBounds(b, { padding: [40, 40], maxZoom: 16, animate: false });
    }
  }

  focusConflict(i) {
    const layer = this.hlById.get(i);
    if (!layer || !this.mm) return;
    const map = this.mm.map;
    map.fitBounds(layer.getBounds(), { padding: [60, 60], maxZoom: 16 });
    layer.eachLayer((l) => { const e = l.getElement && l.getElement(); if (e) { e.classList.remove('is-focus'); void e.getBoundingClientRect(); e.classList.add('is-focus'); } });
    for (const [j, other] of this.hlById) if (j !== i) other.eachLayer((l) => { const e = l.getElement && l.getElement(); if (e) e.classList.remove('is-focus'); });
  }
}

// hum-layers.js — the humanitarian layers of a map (issue 4): notified sites
// (a symbol per category), the no-strike list, movements (the planned route,
// coloured by status, and a vehicle where the movement is planned to be at
// the chosen time) and unit positions. On the mission map they come with a
// time slider and keyboard lists beside the map; the drawing maps (notify,
// deconfliction) show some of them for context.
import { t, tOpt, pick, isRtl, onLangChange } from './i18n.js';
import { h, $, clear, textTip } from './dom.js';
import { timeEl, fmtDateTime, utcString } from './time.js';
import { positionAt, anchorOf, unitPosition, MOVEMENT_OVER } from './notify-data.js';
import { siteIconHtml, nostrikeIconHtml, unitIconHtml, movementIconHtml, MOVEMENT_COLOURS, siteColour } from './icons.js';

/* global L */

const MIN = 60000;
const STEP_MIN = 5;

// A name object {en, ar} (or a plain string) in the current language.
export function nameOf(x) {
  if (!x) return '';
  if (typeof x.name === 'string') return x.name;
  if (x.name && typeof x.name === 'object') return pick(x.name);
  if (x.purpose) return x.purpose;
  return pick(x, 'name') || '';
}

export function siteCategoryLabel(c) { return c ? tOpt(`site.cat.${c}`, c) : ''; }
export function nostrikeCategoryLabel(c) { return c ? tOpt(`nostrike.cat.${c}`, c) : ''; }
export function statusLabel(s) { return s ? tOpt(`status.${s}`, s) : ''; }
export function kindLabel(k) { return tOpt(`kind.${k}`, k); }

// Leaflet [lat, lng] from GeoJSON [lon, lat].
const ll = (c) => [c[1], c[0]];

export class HumLayers {
  // mm: a MissionMap; data: the NotifyData store; ctx: {me, orgName};
  // opts.kinds: which layers; opts.side: {sites, movements: <ul>} lists beside
  // the map; opts.slider: {input, output, now} for the planned-time slider.
  constructor(mm, data, ctx, { kinds = ['sites', 'nostrike', 'movements', 'units'], side = null, slider = null, prefix = '', interactive = true, legend = false } = {}) {
    this.mm = mm;
    this.data = data;
    this.ctx = ctx;
    this.kinds = kinds;
    this.side = side;
    this.slider = slider;
    this.prefix = prefix;
    this.interactive = interactive;
    this.groups = {};
    this.byId = new Map();        // id → layer (marker or route)
    this.vehicles = new Map();    // movement id → marker at the chosen time
    this.time = Date.now();
    this.timeTouched = false;
    const labels = { sites: 'layer.sites', nostrike: 'layer.nostrike', movements: 'layer.movements', units: 'layer.units' };
    for (const k of kinds) {
      this.groups[k] = L.layerGroup();
      const key = labels[k];
      mm.addOverlay(() => tOpt(key, k), this.groups[k]);
    }
    if (legend) {
      mm.addLegend(() => {
        const row = (html, key, cls) => {
          const sw = h('span', { class: `legend-icon ${cls}`, 'aria-hidden': 'true' });
          sw.innerHTML = html; // fixed markup from icons.js
          return h('li', { 'data-layer': cls }, sw, h('span', null, t(key)));
        };
        const out = [];
        if (this.groups.sites) out.push(row(siteIconHtml('health_facility'), 'map.legend_site', 'lg-site'));
        if (this.groups.nostrike) out.push(row(nostrikeIconHtml('hospital'), 'map.legend_nostrike', 'lg-nostrike'));
        if (this.groups.movements) out.push(row(movementIconHtml('acknowledged'), 'map.legend_movement', 'lg-movement'));
        if (this.groups.units) out.push(row(unitIconHtml(), 'map.legend_unit', 'lg-unit'));
        return out;
      });
    }
    data.onChange(() => this.render());
    onLangChange(() => this.render());
    if (slider) {
      slider.input.addEventListener('input', () => { this.timeTouched = true; this.setTime(Number(slider.input.value) * MIN); });
      if (slider.now) slider.now.addEventListener('click', () => { this.timeTouched = true; this.setTime(Date.now(), true); });
    }
  }

  tid(s) { return `${this.prefix}${s}`; }

  render() {
    if (!this.mm.map) return;
    for (const g of Object.values(this.groups)) g.clearLayers();
    this.byId.clear();
    this.vehicles.clear();
    if (this.groups.sites) for (const s of this.data.sites) this.addSite(s, 'site');
    if (this.groups.nostrike) for (const s of this.data.nostrike) this.addSite(s, 'nostrike');
    if (this.groups.movements) for (const m of this.data.movements) this.addMovement(m);
    if (this.groups.units) for (const u of this.data.units) this.addUnit(u);
    this.updateSlider();
    this.placeVehicles();
    this.renderSide();
  }

  popup(title, rows, exercise) {
    return h('div', { class: 'map-popup', dir: isRtl() ? 'rtl' : 'ltr' },
      h('strong', { dir: 'auto' }, title),
      exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null,
      h('dl', null, rows.filter(Boolean).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  addSite(s, kind) {
    const g = s.geometry;
    if (!g) return;
    const group = this.groups[kind === 'site' ? 'sites' : 'nostrike'];
    const cat = s.category || 'other';
    const at = anchorOf(g);
    if (!at) return;
    const gone = s.status === 'withdrawn' || s.status === 'expired';
    const cls = [kind === 'site' ? 'site-marker' : 'nostrike-marker', `cat-${cat}`, `status-${s.status || 'unknown'}`, s.lapsed ? 'is-lapsed' : null, gone ? 'is-gone' : null].filter(Boolean).join(' ');
    if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
      L.geoJSON(g, {
        interactive: false,
        style: () => ({ className: `${kind}-area`, color: kind === 'site' ? siteColour(cat) : '#a1121b', weight: 2, fillOpacity: 0.15, dashArray: kind === 'site' ? null : '4 3' }),
      }).addTo(group);
    }
    const icon = L.divIcon({
      className: cls, html: kind === 'site' ? siteIconHtml(cat) : nostrikeIconHtml(cat),
      iconSize: kind === 'site' ? [28, 28] : [30, 30], iconAnchor: kind === 'site' ? [14, 14] : [15, 15],
    });
    const name = nameOf(s) || s.id;
    const m = L.marker(ll(at), { icon, keyboard: this.interactive, interactive: this.interactive, title: name, alt: name, zIndexOffset: kind === 'site' ? 200 : 100 });
    m.on('add', () => {
      const e = m.getElement();
      if (!e) return;
      e.setAttribute('data-testid', this.tid(`${kind}-${s.id}`));
      e.dataset.id = s.id;
      e.dataset.category = cat;
      e.dataset.status = s.status || '';
      e.setAttribute('aria-label', t('map.site_label', { name, category: kind === 'site' ? siteCategoryLabel(cat) : nostrikeCategoryLabel(cat) }));
    });
    if (this.interactive) {
      m.bindTooltip(() => textTip(name), { direction: 'top', offset: [0, -12], className: 'map-tooltip' });
      m.bindPopup(() => this.popup(name, [
        [t('field.category'), kind === 'site' ? siteCategoryLabel(cat) : nostrikeCategoryLabel(cat)],
        [t('field.status'), h('span', null, statusLabel(s.status), s.lapsed ? h('span', { class: 'chip chip-lapsed' }, t('status.lapsed')) : null)],
        s.org ? [t('field.org'), this.ctx.orgName(s.org)] : null,
        s.valid_from ? [t('field.valid'), h('span', null, timeEl(s.valid_from), ' – ', timeEl(s.valid_until))] : null,
        Number.isInteger(s.staff_count) ? [t('field.staff_count'), String(s.staff_count)] : null,
        [t('map.popup.id'), s.id],
      ], s.exercise));
    }
    m.addTo(group);
    this.byId.set(s.id, m);
  }

  addMovement(mv) {
    const coords = mv.route && mv.route.coordinates;
    if (!coords || coords.length < 2) return;
    const colour = MOVEMENT_COLOURS[mv.status] || MOVEMENT_COLOURS.submitted;
    const over = MOVEMENT_OVER.has(mv.status);
    const line = L.polyline(coords.map(ll), {
      className: `movement-route movement-${mv.id} status-${mv.status}`, color: colour, weight: 4, opacity: over ? 0.45 : 0.9,
      dashArray: mv.status === 'submitted' ? '8 6' : null, interactive: this.interactive,
    });
    line.on('add', () => { const e = line.getElement(); if (e) { e.setAttribute('data-testid', this.tid(`route-${mv.id}`)); e.dataset.status = mv.status || ''; } });
    const name = mv.purpose || mv.id;
    if (this.interactive) {
      line.bindTooltip(() => textTip(name), { sticky: true, className: 'map-tooltip' });
      line.bindPopup(() => this.popup(name, [
        [t('field.status'), statusLabel(mv.status)],
        mv.org ? [t('field.org'), this.ctx.orgName(mv.org)] : null,
        mv.window_from ? [t('field.window'), h('span', null, timeEl(mv.window_from), ' – ', timeEl(mv.window_until))] : null,
        mv.times && mv.times.length ? [t('field.departure'), timeEl(mv.times[0])] : null,
        mv.times && mv.times.length ? [t('field.arrival'), timeEl(mv.times[mv.times.length - 1])] : null,
        mv.vehicles && Number.isInteger(mv.vehicles.count) ? [t('field.vehicles'), String(mv.vehicles.count)] : null,
        [t('map.popup.id'), mv.id],
      ], mv.exercise));
    }
    line.addTo(this.groups.movements);
    // The waypoints, small, with their planned times on hover.
    coords.forEach((c, i) => {
      const v = L.circleMarker(ll(c), { radius: 3.5, weight: 1.5, color: colour, fillColor: '#fff', fillOpacity: 1, interactive: this.interactive, className: 'movement-vertex' });
      if (this.interactive && mv.times && mv.times[i]) v.bindTooltip(() => textTip(t('map.waypoint_time', { n: i + 1, time: fmtDateTime(mv.times[i]) })), { className: 'map-tooltip' });
      v.addTo(this.groups.movements);
    });
    this.byId.set(mv.id, line);
    if (over) return;
    const icon = L.divIcon({ className: `movement-marker status-${mv.status}`, html: movementIconHtml(mv.status), iconSize: [28, 28], iconAnchor: [14, 14] });
    const vm = L.marker(ll(coords[0]), { icon, keyboard: false, interactive: this.interactive, zIndexOffset: 400, title: name, alt: name });
    vm.on('add', () => {
      const e = vm.getElement();
      if (!e) return;
      e.setAttribute('data-testid', this.tid(`vehicle-${mv.id}`));
      e.dataset.id = mv.id;
      if (vm.state) e.dataset.state = vm.state;
    });
    if (this.interactive) vm.bindTooltip(() => textTip(t('map.vehicle_at', { name, time: fmtDateTime(new Date(this.time).toISOString()) })), { direction: 'top', offset: [0, -12], className: 'map-tooltip' });
    vm.movement = mv;
    this.vehicles.set(mv.id, vm);
  }

  addUnit(u) {
    const p = unitPosition(u);
    if (!p) return;
    const name = nameOf(u) || u.id;
    const m = L.marker(ll(p.geometry.coordinates), {
      icon: L.divIcon({ className: 'unit-marker', html: unitIconHtml(), iconSize: [22, 16], iconAnchor: [11, 8] }),
      keyboard: this.interactive, interactive: this.interactive, title: name, alt: name, zIndexOffset: 300,
    });
    m.on('add', () => { const e = m.getElement(); if (e) { e.setAttribute('data-testid', this.tid(`unit-${u.id}`)); e.dataset.id = u.id; } });
    if (this.interactive) {
      m.bindTooltip(() => textTip(name), { direction: 'top', offset: [0, -10], className: 'map-tooltip' });
      m.bindPopup(() => this.popup(name, [
        u.org ? [t('field.org'), this.ctx.orgName(u.org)] : null,
        u.type ? [t('field.unit_type'), tOpt(`unit.type.${u.type}`, u.type)] : null,
        p.at ? [t('field.reported_at'), timeEl(p.at)] : null,
        [t('map.popup.id'), u.id],
      ], u.exercise));
    }
    m.addTo(this.groups.units);
    this.byId.set(u.id, m);
  }

  // ---- time ----

  // The slider spans every movement's window (or its planned times), with
  // now inside; steps of five minutes.
  range() {
    let lo = Infinity, hi = -Infinity;
    for (const m of this.data.movements) {
      if (MOVEMENT_OVER.has(m.status)) continue;
      for (const x of [m.window_from, m.window_until, ...(m.times || [])]) {
        const v = Date.parse(x);
        if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
    }
    const now = Date.now();
    if (!Number.isFinite(lo)) { lo = now - 6 * 3600e3; hi = now + 18 * 3600e3; }
    lo = Math.min(lo, now); hi = Math.max(hi, now);
    const step = STEP_MIN * MIN;
    return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  }

  updateSlider() {
    if (!this.slider) return;
    const [lo, hi] = this.range();
    const inp = this.slider.input;
    inp.min = String(lo / MIN);
    inp.max = String(hi / MIN);
    inp.step = String(STEP_MIN);
    if (!this.timeTouched) this.time = Date.now();
    this.time = Math.min(Math.max(this.time, lo), hi);
    inp.value = String(Math.round(this.time / MIN));
    this.showTime();
  }

  showTime() {
    if (!this.slider) return;
    const iso = new Date(this.time).toISOString();
    const out = this.slider.output;
    clear(out).append(timeEl(iso));
    out.dataset.time = iso;
    this.slider.input.setAttribute('aria-valuetext', `${fmtDateTime(iso)} (${utcString(iso)})`);
  }

  setTime(ms, moveSlider = false) {
    this.time = ms;
    if (this.slider && moveSlider) {
      const inp = this.slider.input;
      const v = Math.min(Math.max(Math.round(ms / MIN), Number(inp.min)), Number(inp.max));
      inp.value = String(v);
    }
    this.showTime();
    this.placeVehicles();
  }

  // Each movement's vehicle where it is planned to be at this.time; none
  // outside its window.
  placeVehicles() {
    const group = this.groups.movements;
    if (!group) return;
    for (const [, vm] of this.vehicles) {
      const mv = vm.movement;
      const p = positionAt(mv, this.time);
      const wf = Date.parse(mv.window_from), wu = Date.parse(mv.window_until);
      const outside = !p || (Number.isFinite(wf) && this.time < wf && p.state === 'before') || (Number.isFinite(wu) && this.time > wu && p.state === 'after');
      if (outside) { if (group.hasLayer(vm)) group.removeLayer(vm); continue; }
      vm.state = p.state;
      vm.setLatLng([p.lat, p.lon]);
      if (!group.hasLayer(vm)) vm.addTo(group);
      const e = vm.getElement();
      if (e) {
        e.dataset.state = p.state;
        e.dataset.segment = String(p.segment);
        e.dataset.lat = p.lat.toFixed(6);
        e.dataset.lon = p.lon.toFixed(6);
        e.classList.toggle('is-waiting', p.state !== 'moving');
      }
    }
    if (this.slider) {
      const moving = [...this.vehicles.values()].filter((vm) => group.hasLayer(vm) && vm.state === 'moving').length;
      this.slider.input.dataset.moving = String(moving);
      if (this.slider.count) this.slider.count.textContent = t('map.moving_count', { n: moving });
    }
  }

  // ---- keyboard lists beside the map ----

  renderSide() {
    if (!this.side) return;
    const item = (id, name, meta, glyphHtmlCls) => h('li', null, h('button', {
      type: 'button', class: 'feature-btn', 'data-feature-id': id, onclick: () => this.focus(id),
    }, h('span', { class: 'feature-name', dir: 'auto' }, h('span', { class: `feature-glyph ${glyphHtmlCls || ''}`, 'aria-hidden': 'true' }), name), h('span', { class: 'feature-meta' }, meta)));
    if (this.side.sites) {
      const ul = clear(this.side.sites);
      const all = [...this.data.sites.map((s) => ['site', s]), ...this.data.nostrike.map((s) => ['nostrike', s])];
      for (const [kind, s] of all.slice(0, 300)) {
        ul.append(item(s.id, nameOf(s) || s.id, `${kind === 'site' ? siteCategoryLabel(s.category) : `${t('layer.nostrike')}: ${nostrikeCategoryLabel(s.category)}`} · ${statusLabel(s.status)}`, `glyph-${kind} cat-${s.category}`));
      }
      if (!all.length) ul.append(h('li', { class: 'empty' }, t('map.no_sites')));
    }
    if (this.side.movements) {
      const ul = clear(this.side.movements);
      for (const m of this.data.movements.slice(0, 300)) ul.append(item(m.id, m.purpose || m.id, `${m.id} · ${statusLabel(m.status)}`, `glyph-movement status-${m.status}`));
      if (!this.data.movements.length) ul.append(h('li', { class: 'empty' }, t('map.no_movements')));
    }
  }

  focus(id) {
    const layer = this.byId.get(id);
    const map = this.mm.map;
    if (!layer || !map) return false;
    // A movement: show where it is at its departure.
    const vm = this.vehicles.get(id);
    if (vm && vm.movement.times && vm.movement.times.length) { this.timeTouched = true; this.setTime(Date.parse(vm.movement.times[0]), true); }
    for (const g of Object.values(this.groups)) if (g.hasLayer(layer) && !map.hasLayer(g)) g.addTo(map);
    if (layer.getBounds) map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 15 });
    else map.setView(layer.getLatLng(), Math.max(map.getZoom(), 14));
    if (layer.getPopup && layer.getPopup()) layer.openPopup(layer.getBounds ? layer.getBounds().getCenter() : undefined);
    return true;
  }
}

// The slider's elements on the mission map page.
export function sliderEls() {
  return { input: $('#mv-time'), output: $('#mv-time-out'), now: $('#mv-time-now'), count: $('#mv-time-count') };
}

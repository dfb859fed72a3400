// map.js — the mission map: Leaflet with no tile layer (no network, no tile
// server): a plain background, and the mission geography from GET
// /api/v1/geo drawn as vector layers — boundary, sectors coloured by who
// controls them, the withdrawal line, crossings. Controls: layers, legend,
// scale, cursor position. Later issues add their layers to the same map
// through addOverlay().
import { t, tOpt, pick, isRtl, onLangChange } from './i18n.js';
import { h, clear, textTip } from './dom.js';

/* global L */

// Colours by the sector's `control` value (lower-cased); anything else gets a
// stable colour from PALETTE. Chosen to stay distinguishable for the common
// colour-vision deficiencies and to carry the withdrawal line's amber on top.
const CONTROL_COLOURS = {
  isf: '#2f6fb3',
  idf: '#b8413a',
  israel: '#b8413a',
  transition: '#7d5ab5',
  pending: '#7d5ab5',
  contested: '#8c6d1f',
  pa: '#2f8f5b',
  palestinian: '#2f8f5b',
  local: '#2f8f5b',
  hamas: '#5d6570',
  unsecured: '#5d6570',
  none: '#8a8f98',
  unassigned: '#8a8f98',
};
const PALETTE = ['#2f6fb3', '#b8413a', '#7d5ab5', '#2f8f5b', '#8c6d1f', '#1f8a99', '#a3487e', '#5d6570'];
const LINE_COLOUR = '#f2b705';
const CROSSING_COLOURS = { open: '#2f8f5b', closed: '#b8413a', restricted: '#d08a00' };

export function controlOf(props) {
  const v = props.control ?? props.controlled_by ?? '';
  return String(v).toLowerCase();
}

export function controlColour(value) {
  if (CONTROL_COLOURS[value]) return CONTROL_COLOURS[value];
  let x = 0;
  for (const ch of value) x = (x * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[x % PALETTE.length];
}

export function controlLabel(value) {
  if (!value) return t('control.unknown');
  return tOpt(`control.${value}`, value);
}

// Area-weighted centroid of a Polygon / MultiPolygon's outer rings, [lon, lat].
function centroid(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let a = 0, x = 0, y = 0;
  for (const poly of polys) {
    const r = poly[0];
    for (let i = 0; i < r.length - 1; i++) {
      const k = r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
      a += k; x += (r[i][0] + r[i + 1][0]) * k; y += (r[i][1] + r[i + 1][1]) * k;
    }
  }
  return a ? [x / (3 * a), y / (3 * a)] : null;
}

function fmtCoord(latlng) {
  return `${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`;
}

export class MissionMap {
  // options.interactive = false: the geography takes no clicks or hovers (a
  // map that is drawn on: every click reaches the map).
  // options.prefix: put before the test ids and the classes of the drawn
  // features, so a second map on another page never shares them.
  constructor(el, sideEls, { orgName = (id) => id, interactive = true, prefix = '', legend = true } = {}) {
    this.prefix = prefix;
    this.legend = legend;
    this.el = el;
    this.orgName = orgName;
    this.interactive = interactive;
    this.side = sideEls;       // {sectors: <ul>, crossings: <ul>} or null
    this.map = null;
    this.geo = null;
    this.mission = null;
    this.layers = {};          // boundary, sectors, line, crossings: L.LayerGroup
    this.byId = new Map();     // feature id → L.Layer
    this.controls = [];
    this.extraOverlays = [];   // [{label: () => string, layer}] added by later issues
    this.extraLegend = [];     // functions returning legend rows (<li>), added by later issues
    this.cursorEl = null;
    onLangChange(() => { if (this.map) this.render(); });
  }

  // Creates the Leaflet map the first time the page is shown (it needs a size).
  show(mission, geo) {
    this.mission = mission;
    if (!this.map) {
      const c = mission && mission.center ? [mission.center[1], mission.center[0]] : [31.42, 34.38];
      this.map = L.map(this.el, {
        center: c, zoom: (mission && mission.zoom) || 11, minZoom: 8, maxZoom: 18,
        zoomControl: false, attributionControl: false, keyboard: true, zoomSnap: 0.25,
      });
      this.map.createPane('boundaryPane').style.zIndex = 350;
      this.map.createPane('sectorPane').style.zIndex = 400;
      this.map.createPane('linePane').style.zIndex = 450;
      this.map.createPane('crossingPane').style.zIndex = 500;
      this.map.createPane('labelPane').style.zIndex = 460;
      this.map.on('mousemove', (e) => this.setCursor(e.latlng, 'cursor'));
      this.map.on('mouseout', () => this.setCursor(this.map.getCenter(), 'centre'));
      this.map.on('move moveend zoomend', () => { if (!this.mouseInside) this.setCursor(this.map.getCenter(), 'centre'); });
      this.el.addEventListener('mouseenter', () => { this.mouseInside = true; });
      this.el.addEventListener('mouseleave', () => { this.mouseInside = false; });
      this.el.setAttribute('data-ready', '0');
    }
    if (geo !== this.geo) {
      this.geo = geo;
      this.render(true);
    }
    this.map.invalidateSize();
  }

  invalidate() { if (this.map) this.map.invalidateSize(); }

  // (Re)draws layers, controls and the feature lists in the current language.
  render(fit = false) {
    const map = this.map;
    for (const g of Object.values(this.layers)) map.removeLayer(g);
    this.layers = {};
    this.byId.clear();
    const feats = (this.geo && this.geo.features) || [];
    const of = (layer) => feats.filter((f) => f.properties && f.properties.layer === layer);
    const rtl = isRtl();

    this.layers.boundary = L.geoJSON(of('boundary'), {
      pane: 'boundaryPane',
      style: (f) => ({ className: `${this.prefix}boundary ${this.prefix}boundary-${f.properties.id}`, color: '#2b2f36', weight: 2.5, fillColor: '#f3efe4', fillOpacity: 1, interactive: false }),
    });

    this.layers.sectors = L.geoJSON(of('sector'), {
      pane: 'sectorPane',
      style: (f) => {
        const col = controlColour(controlOf(f.properties));
        return { className: `${this.prefix}sector ${this.prefix}sector-${f.properties.id}`, color: col, weight: 2, opacity: 0.9, fillColor: col, fillOpacity: 0.28, interactive: this.interactive };
      },
      onEachFeature: (f, layer) => {
        const p = f.properties;
        if (!this.interactive) {
          layer.on('add', () => { const e = layer.getElement(); if (e) e.setAttribute('data-control', controlOf(p)); });
          return;
        }
        layer.on('add', () => {
          const e = layer.getElement();
          if (e) { e.setAttribute('data-testid', `${this.prefix}sector-${p.id}`); e.setAttribute('data-control', controlOf(p)); }
        });
        layer.bindTooltip(() => textTip(pick(p, 'name')), { sticky: true, direction: 'top', className: 'map-tooltip' });
        layer.bindPopup(() => this.popup(p, [
          [t('map.popup.control'), controlLabel(controlOf(p))],
          p.controlled_by && p.controlled_by !== p.control ? [t('map.popup.held_by'), this.orgName(p.controlled_by)] : null,
          [t('map.popup.id'), p.id],
        ].filter(Boolean)));
        layer.on('mouseover', () => layer.setStyle({ fillOpacity: 0.45 }));
        layer.on('mouseout', () => layer.setStyle({ fillOpacity: 0.28 }));
        this.byId.set(p.id, layer);
      },
    });

    // Sector names on the map (not interactive: hovering still reaches the sector).
    for (const f of of('sector')) {
      const c = centroid(f.geometry);
      if (!c) continue;
      L.marker([c[1], c[0]], {
        pane: 'labelPane', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'sector-label', html: '', iconSize: null }),
      }).on('add', (e) => {
        const el = e.target.getElement();
        el.replaceChildren(h('span', { 'data-testid': `${this.prefix}sector-label-${f.properties.id}` }, pick(f.properties, 'name')));
      }).addTo(this.layers.sectors);
    }

    const lineFeats = of('line');
    this.layers.line = L.layerGroup();
    // A dark casing under the dashed amber line keeps it visible on any fill.
    L.geoJSON(lineFeats, { pane: 'linePane', interactive: false, style: () => ({ color: '#3a2f00', weight: 6, opacity: 0.55, className: 'line-casing' }) }).addTo(this.layers.line);
    L.geoJSON(lineFeats, {
      pane: 'linePane',
      style: (f) => ({ className: `${this.prefix}withdrawal-line ${this.prefix}line-${f.properties.id}`, color: LINE_COLOUR, weight: 4, opacity: 1, dashArray: '10 7', lineCap: 'butt', interactive: this.interactive }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        if (!this.interactive) return;
        layer.on('add', () => { const e = layer.getElement(); if (e) e.setAttribute('data-testid', `${this.prefix}line-${p.id}`); });
        layer.bindTooltip(() => textTip(pick(p, 'name')), { sticky: true, className: 'map-tooltip' });
        layer.bindPopup(() => this.popup(p, [[t('map.popup.id'), p.id]]));
        this.byId.set(p.id, layer);
      },
    }).addTo(this.layers.line);

    this.layers.crossings = L.geoJSON(of('crossing'), {
      pane: 'crossingPane',
      pointToLayer: (f, latlng) => {
        const p = f.properties;
        const status = String(p.status || '').toLowerCase();
        const m = L.circleMarker(latlng, {
          pane: 'crossingPane', radius: 7, weight: 2, color: '#15181d', fillColor: CROSSING_COLOURS[status] || '#6b7280', fillOpacity: 1,
          className: `${this.prefix}crossing ${this.prefix}crossing-${p.id}`, interactive: this.interactive,
        });
        m.on('add', () => { const e = m.getElement(); if (e) { e.setAttribute('data-testid', `${this.prefix}crossing-${p.id}`); e.setAttribute('data-status', status); } });
        m.bindTooltip(() => textTip(pick(p, 'name')), { permanent: true, direction: rtl ? 'left' : 'right', offset: rtl ? [-8, 0] : [8, 0], className: 'crossing-label' });
        if (!this.interactive) return m;
        m.bindPopup(() => this.popup(p, [
          [t('map.popup.status'), status ? tOpt(`crossing.status.${status}`, status) : t('control.unknown')],
          [t('map.popup.kind'), p.kind ? tOpt(`crossing.kind.${String(p.kind).toLowerCase()}`, p.kind) : '—'],
          [t('map.popup.id'), p.id],
        ]));
        this.byId.set(p.id, m);
        return m;
      },
    });

    for (const k of ['boundary', 'sectors', 'line', 'crossings']) this.layers[k].addTo(map);
    for (const o of this.extraOverlays) if (!map.hasLayer(o.layer) && o.visible !== false) o.layer.addTo(map);

    this.buildControls(rtl);
    this.buildSideLists();
    if (fit) {
      const b = this.layers.boundary.getBounds();
      // Leave room for the controls in the corners (mirrored in RTL).
      const near = [70, 20], far = [210, 20];
      if (b.isValid()) map.fitBounds(b, { paddingTopLeft: rtl ? far : near, paddingBottomRight: rtl ? near : far, animate: false });
    }
    this.setCursor(map.getCenter(), 'centre');
    this.el.setAttribute('data-ready', '1');
  }

  popup(p, rows) {
    return h('div', { class: 'map-popup', dir: isRtl() ? 'rtl' : 'ltr' },
      h('strong', null, pick(p, 'name') || p.id),
      p.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null,
      h('dl', null, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  // Controls sit in mirrored corners in right-to-left languages.
  buildControls(rtl) {
    const map = this.map;
    for (const c of this.controls) c.remove();
    this.controls = [];
    const start = rtl ? 'right' : 'left', end = rtl ? 'left' : 'right';
    const add = (c) => { c.addTo(map); this.controls.push(c); return c; };

    add(L.control.zoom({ position: `top${start}`, zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }));

    const overlays = {};
    const swatch = (cls) => `<span class="layer-swatch ${cls}" aria-hidden="true"></span>`;
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    overlays[`${swatch('sw-boundary')}${esc(t('layer.boundary'))}`] = this.layers.boundary;
    overlays[`${swatch('sw-sector')}${esc(t('layer.sectors'))}`] = this.layers.sectors;
    overlays[`${swatch('sw-line')}${esc(t('layer.line'))}`] = this.layers.line;
    overlays[`${swatch('sw-crossing')}${esc(t('layer.crossings'))}`] = this.layers.crossings;
    for (const o of this.extraOverlays) overlays[esc(o.label())] = o.layer;
    const lc = add(L.control.layers(null, overlays, { position: `top${end}`, collapsed: this.el.clientWidth < 900 }));
    const lcEl = lc.getContainer();
    lcEl.setAttribute('data-testid', `${this.prefix}layer-control`);
    lcEl.setAttribute('role', 'group');
    lcEl.setAttribute('aria-label', t('map.layers'));
    lcEl.querySelector('.leaflet-control-layers-list').prepend(h('div', { class: 'control-title' }, t('map.layers')));

    add(L.control.scale({ position: `bottom${start}`, imperial: false, maxWidth: 160 }))
      .getContainer().setAttribute('data-testid', `${this.prefix}scale`);

    const Legend = L.Control.extend({
      onAdd: () => this.legendEl(),
    });
    if (this.legend) add(new Legend({ position: `bottom${end}` }));

    const Cursor = L.Control.extend({
      onAdd: () => {
        const box = h('div', { class: 'leaflet-control cursor-pos', 'data-testid': `${this.prefix}cursor-box` },
          h('span', { class: 'cursor-label', 'data-testid': `${this.prefix}cursor-label` }, t('map.cursor')),
          ' ',
          h('output', { class: 'cursor-value', dir: 'ltr', 'data-testid': `${this.prefix}cursor-pos` }, '—'));
        this.cursorEl = box;
        return box;
      },
    });
    add(new Cursor({ position: `bottom${start}` }));
  }

  legendEl() {
    const sectors = ((this.geo && this.geo.features) || []).filter((f) => f.properties && f.properties.layer === 'sector');
    const values = [...new Set(sectors.map((f) => controlOf(f.properties)))];
    const exercise = ((this.geo && this.geo.features) || []).some((f) => f.properties && f.properties.exercise);
    const order = ['open', 'restricted', 'closed'];
    const statuses = [...new Set(((this.geo && this.geo.features) || []).filter((f) => f.properties && f.properties.layer === 'crossing')
      .map((f) => String(f.properties.status || '').toLowerCase()))]
      .sort((a, b) => ((order.indexOf(a) + 1) || 9) - ((order.indexOf(b) + 1) || 9));
    const row = (sw, label, attrs = {}) => h('li', attrs, sw, h('span', null, label));
    const box = h('div', { class: 'leaflet-control map-legend', 'data-testid': 'legend' },
      h('div', { class: 'control-title' }, t('map.legend')),
      exercise ? h('div', { class: 'tag tag-exercise', 'data-testid': 'legend-exercise' }, t('map.legend_exercise')) : null,
      h('ul', null,
        values.map((v) => row(h('span', { class: 'legend-swatch', style: { background: controlColour(v), borderColor: controlColour(v) } }), controlLabel(v), { 'data-control': v })),
        row(h('span', { class: 'legend-dash' }), t('layer.line')),
        statuses.map((st) => row(h('span', { class: 'legend-dot', style: { background: CROSSING_COLOURS[st] || '#6b7280' } }),
          t('map.legend_crossing', { status: st ? tOpt(`crossing.status.${st}`, st) : t('control.unknown') }), { 'data-status': st })),
        this.extraLegend.flatMap((f) => f()),
      ));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  }

  setCursor(latlng, mode) {
    if (!this.cursorEl || !latlng) return;
    this.cursorEl.querySelector('.cursor-label').textContent = mode === 'cursor' ? t('map.cursor') : t('map.centre');
    this.cursorEl.querySelector('.cursor-value').textContent = fmtCoord(latlng);
    this.cursorEl.dataset.mode = mode;
  }

  // Keyboard route to every feature: a list beside the map; a button zooms to
  // the feature and opens its popup.
  buildSideLists() {
    if (!this.side) return;
    const feats = (this.geo && this.geo.features) || [];
    const list = (ul, layer) => {
      clear(ul);
      for (const f of feats.filter((x) => x.properties && x.properties.layer === layer)) {
        const p = f.properties;
        const extra = layer === 'sector'
          ? h('span', { class: 'feature-meta' }, h('span', { class: 'legend-swatch', style: { background: controlColour(controlOf(p)), borderColor: controlColour(controlOf(p)) } }), controlLabel(controlOf(p)))
          : h('span', { class: 'feature-meta' }, p.status ? tOpt(`crossing.status.${String(p.status).toLowerCase()}`, p.status) : '');
        ul.append(h('li', null, h('button', {
          type: 'button', class: 'feature-btn', 'data-feature-id': p.id,
          onclick: () => this.focusFeature(p.id),
        }, h('span', { class: 'feature-name' }, pick(p, 'name') || p.id), extra)));
      }
    };
    list(this.side.sectors, 'sector');
    list(this.side.crossings, 'crossing');
  }

  focusFeature(id) {
    const layer = this.byId.get(id);
    if (!layer) return;
    if (layer.getBounds) this.map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 14 });
    else this.map.setView(layer.getLatLng(), Math.max(this.map.getZoom(), 13));
    const at = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
    layer.openPopup(at);
  }

  // For later issues: map.addOverlay(() => t('layer.sites'), L.layerGroup());
  // the label is a function so it follows the language.
  // Legend rows for an overlay: f() → [<li>], called at every render.
  addLegend(f) {
    this.extraLegend.push(f);
    if (this.map) this.render();
  }

  addOverlay(label, layer) {
    this.extraOverlays.push({ label, layer });
    if (this.map) this.render();
  }
}

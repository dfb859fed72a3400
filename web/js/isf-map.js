// isf-map.js — ISF units on the mission map. The humanitarian layers
// (hum-layers.js) draw each unit's last reported position; this adds what an
// operations officer reads from it: how old the report is (in the tooltip,
// the popup and the list beside the map), a faded marker when the report is
// older than six hours, and the unit's contingent, type, strength and status.
// The list beside the map is the keyboard route to every unit.
import { t, isRtl, onLangChange } from './i18n.js';
import { h, clear, textTip } from './dom.js';
import { timeEl } from './time.js';
import { unitPosition } from './notify-data.js';
import { ageText, isStale, nameText, unitTypeLabel, unitStatusLabel } from './isf-data.js';

export class IsfUnitsOnMap {
  // layers: the mission map's HumLayers; data: its NotifyData (units);
  // listEl: the <ul> beside the map; ctx: {orgName, sectorName}.
  constructor(layers, data, listEl, ctx) {
    this.layers = layers;
    this.data = data;
    this.listEl = listEl;
    this.ctx = ctx;
    // Every time the layers draw a unit, add its age and staleness.
    if (typeof layers.addUnit === 'function') {
      const draw = layers.addUnit.bind(layers);
      layers.addUnit = (u) => { draw(u); this.decorate(u); };
    }
    data.onChange(() => this.renderList());
    onLangChange(() => this.renderList());
  }

  decorate(u) {
    const m = this.layers.byId.get(u.id);
    const p = unitPosition(u);
    if (!m || !p) return;
    const stale = isStale(p.at);
    const name = nameText(u, u.id);
    m.setOpacity(stale ? 0.4 : 1);
    const mark = () => {
      const e = m.getElement();
      if (!e) return;
      e.classList.toggle('is-stale', stale);
      e.dataset.stale = stale ? '1' : '0';
      if (p.at) e.dataset.at = p.at;
      e.setAttribute('title', this.tooltip(name, p.at, stale));
    };
    m.on('add', mark);
    mark();
    if (!this.layers.interactive) return;
    m.unbindTooltip();
    m.bindTooltip(() => textTip(this.tooltip(name, p.at, isStale(p.at))), { direction: 'top', offset: [0, -10], className: 'map-tooltip' });
    m.unbindPopup();
    m.bindPopup(() => this.popup(u, p));
  }

  tooltip(name, at, stale) {
    if (!at) return name;
    return stale ? t('isf.map.tooltip_stale', { name, age: ageText(at) }) : t('isf.map.tooltip', { name, age: ageText(at) });
  }

  popup(u, p) {
    const stale = isStale(p.at);
    const rows = [
      [t('isf.field.contingent'), this.ctx.orgName(u.org)],
      [t('isf.field.unit_type'), unitTypeLabel(u.type)],
      Number.isFinite(u.strength) ? [t('isf.field.strength'), String(u.strength)] : null,
      u.sector ? [t('isf.field.sector'), this.ctx.sectorName(u.sector)] : null,
      u.status ? [t('isf.field.unit_status'), unitStatusLabel(u.status)] : null,
      p.at ? [t('isf.field.position_at'), h('span', null, timeEl(p.at), ' (', ageText(p.at), ')')] : null,
      [t('map.popup.id'), u.id],
    ].filter(Boolean);
    return h('div', { class: 'map-popup', dir: isRtl() ? 'rtl' : 'ltr', 'data-testid': 'unit-popup' },
      h('strong', { dir: 'auto' }, nameText(u, u.id)),
      u.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null,
      stale ? h('p', { class: 'stale-note', 'data-testid': 'unit-stale-note' }, t('isf.map.stale_note')) : null,
      h('dl', null, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  // The units beside the map, freshest report first; stale ones say so.
  renderList() {
    if (!this.listEl) return;
    const ul = clear(this.listEl);
    const units = this.data.units.map((u) => ({ u, p: unitPosition(u) }))
      .sort((a, b) => (Date.parse(b.p && b.p.at) || 0) - (Date.parse(a.p && a.p.at) || 0));
    for (const { u, p } of units) {
      const stale = p && isStale(p.at);
      ul.append(h('li', { 'data-unit': u.id, class: stale ? 'is-stale' : null },
        h('button', {
          type: 'button', class: 'feature-btn', 'data-feature-id': u.id, 'data-testid': `unit-item-${u.id}`,
          'data-stale': stale ? '1' : '0', disabled: p ? null : true,
          onclick: () => this.layers.focus(u.id),
        },
        h('span', { class: 'feature-name', dir: 'auto' }, h('span', { class: 'feature-glyph glyph-unit', 'aria-hidden': 'true' }), nameText(u, u.id)),
        h('span', { class: 'feature-meta unit-meta' },
          h('span', null, [this.ctx.orgName(u.org), unitTypeLabel(u.type), p && p.at ? ageText(p.at) : t('isf.map.no_position')].join(' · ')),
          stale ? h('span', { class: 'chip chip-stale' }, t('isf.map.stale')) : null))));
    }
    if (!units.length) ul.append(h('li', { class: 'empty' }, t('isf.map.no_units')));
    // Only those who may see units get the list (humanitarian users see none).
    const box = ul.closest('#map-units');
    if (box) box.hidden = !units.length;
  }
}

// isf-caveats.js — the caveat matrix (#/caveats): nations in rows, caveat
// types in columns (GET /api/v1/caveats/matrix?at=T), each cell the rule in
// plain words, or "no restriction". A contingent sees its own row; ISF HQ
// and the CMCC see every nation. The time field shows the sets in force at
// another time (a set applies from its effective_from).
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { zonedToUtc, getZone, zoneLabel } from './time.js';
import { errorText } from './forms.js';
import { Reloader } from './reload.js';
import { CAVEAT_TYPES, caveatLabel, ruleText, nameText } from './isf-data.js';

export class CaveatsPage {
  constructor(ctx) {
    this.ctx = ctx;
    this.matrix = null;
    this.loaded = false;
    this.at = null;
    this.reloader = new Reloader(() => this.load());   // a read-only table: bursts only coalesce
    $('#cv-form').addEventListener('submit', (e) => { e.preventDefault(); this.at = zonedToUtc($('#cv-at').value); this.load(); });
    $('#cv-now').addEventListener('click', () => { $('#cv-at').value = ''; this.at = null; this.load(); });
    onLangChange(() => { this.renderHint(); this.render(); });
  }

  reset() {
    this.matrix = null;
    this.loaded = false;
    this.at = null;
    $('#cv-at').value = '';
    clear($('#cv-table'));
  }

  show() {
    this.renderHint();
    this.load();
  }

  reloadSoon() { this.reloader.soon(); }
  renderHint() { $('#cv-at-hint').textContent = t('isf.cv.at_hint', { zone: getZone(), offset: zoneLabel() }); }

  async load() {
    const err = $('#cv-error');
    try {
      this.matrix = await api('GET', `/api/v1/caveats/matrix${this.at ? `?at=${encodeURIComponent(this.at)}` : ''}`);
      err.hidden = true;
    } catch (e) {
      err.textContent = errorText(e);
      err.hidden = false;
    }
    this.loaded = true;
    this.render();
  }

  render() {
    const table = clear($('#cv-table'));
    const m = this.matrix;
    if (!m) return;
    const types = m.caveat_types && m.caveat_types.length ? m.caveat_types : CAVEAT_TYPES;
    const sectorName = (id) => this.ctx.sectorName(id);
    table.append(
      h('caption', { class: 'visually-hidden' }, t('isf.cv.caption')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'cv-corner' }, t('isf.cv.nation')),
        types.map((c) => h('th', { scope: 'col', 'data-caveat': c }, caveatLabel(c))))),
      h('tbody', null, (m.contingents || []).map((row) => h('tr', { 'data-contingent': row.contingent, 'data-testid': `cv-row-${row.contingent}` },
        h('th', { scope: 'row', class: 'cv-nation' },
          h('span', { class: 'cv-nation-name', dir: 'auto' }, row.nation || row.contingent),
          h('span', { class: 'cv-ctg-name', dir: 'auto' }, nameText(row, row.contingent)),
          h('span', { class: 'chip' }, row.caveat_set ? t('isf.cv.set', { id: row.caveat_set }) : t('isf.cv.no_set'))),
        types.map((c) => {
          const text = ruleText(c, row.rules ? row.rules[c] : undefined, sectorName);
          return h('td', {
            'data-caveat': c, 'data-testid': `cv-${row.contingent}-${c}`, class: text ? 'is-rule' : 'is-none',
          }, text || t('isf.cv.none'));
        })))));
    if (!(m.contingents || []).length) table.append(h('tbody', null, h('tr', null, h('td', { colspan: String(types.length + 1), class: 'empty' }, t('isf.cv.empty')))));
    table.dataset.ready = '1';
  }
}

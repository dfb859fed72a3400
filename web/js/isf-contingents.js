// isf-contingents.js — the contingents page (#/contingents/CTG-xxx): each
// contributing nation's contingent, whether it is conditional, its pledged
// and deployed strength now and over time (a chart and the same figures as a
// table), its units with their last reported positions, and for ISF HQ a form
// to record a new strength (POST /api/v1/contingents/{id}/strength).
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl, zonedToUtc, getZone, zoneLabel } from './time.js';
import { FormErrors, errorText } from './forms.js';
import { Reloader, isBusy } from './reload.js';
import { strengthChart, strengthTable } from './isf-chart.js';
import { nameText, unitTypeLabel, unitStatusLabel, ageText, isStale } from './isf-data.js';

export class ContingentsPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.selected = null;
    this.visible = false;
    this.status = '';
    this.redraw = new Reloader(() => this.render(), { when: () => this.visible, delay: 500 });
    data.onChange(() => { if (this.visible) this.render(); });
    onLangChange(() => { if (this.visible) this.render(true); });
  }

  reset() {
    this.selected = null;
    this.visible = false;
    this.status = '';
    clear($('#ctg-list'));
    clear($('#ctg-detail'));
  }

  hide() { this.visible = false; }

  // sub: the contingent id from the address (#/contingents/CTG-EGY), if any.
  show(sub) {
    this.visible = true;
    if (sub) this.selected = sub;
    this.render(true);
    this.data.load();
  }

  isHq() { return !!this.ctx.me && this.ctx.me.permissions.includes('isf.hq'); }

  current() {
    const list = this.data.contingents;
    return list.find((c) => c.id === this.selected)
      || this.data.contingentOfOrg(this.ctx.me && this.ctx.me.org) || list[0] || null;
  }

  // A live update waits while the strength form is in use (reload.js).
  render(force = false) {
    if (!force && isBusy('#ctg-detail')) { this.redraw.soon(); return; }
    this.redraw.cancel();
    const err = $('#ctg-error');
    const e = this.data.errors.contingents;
    err.hidden = !e;
    err.textContent = e ? errorText(e) : '';
    const c = this.current();
    const ul = clear($('#ctg-list'));
    for (const x of this.data.contingents) {
      ul.append(h('li', null, h('a', {
        href: `#/contingents/${x.id}`, class: 'feature-btn ctg-link', 'data-testid': `ctg-link-${x.id}`,
        'aria-current': c && c.id === x.id ? 'true' : null,
      },
      h('span', { class: 'feature-name', dir: 'auto' }, nameText(x, x.id)),
      h('span', { class: 'feature-meta' }, t('isf.ctg.figures', { deployed: x.deployed ?? '—', pledged: x.pledged ?? '—' })))));
    }
    if (this.data.loaded && !this.data.contingents.length) ul.append(h('li', { class: 'empty' }, t('isf.ctg.none')));
    const box = clear($('#ctg-detail'));
    if (!c) return;
    box.dataset.contingent = c.id;
    const pct = c.pledged ? Math.round(((c.deployed || 0) / c.pledged) * 100) : null;
    const units = this.data.units.filter((u) => u.org === c.org);
    box.append(...[
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', dir: 'auto', 'data-testid': 'ctg-name' }, nameText(c, c.id)),
        c.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null,
        h('span', { class: 'card-id' }, c.id)),
      h('p', { class: 'card-line' }, t('isf.ctg.nation', { nation: c.nation || '—' }), ' · ', this.ctx.orgName(c.org)),
      c.conditional ? h('p', { class: 'conditional-note', 'data-testid': 'ctg-conditional' },
        h('strong', null, t('isf.ctg.conditional')), ' ', h('span', { dir: 'auto', lang: 'en' }, c.condition || '')) : null,
      h('dl', { class: 'figures', 'data-testid': 'ctg-figures' },
        h('div', null, h('dt', null, t('isf.field.pledged')), h('dd', { 'data-testid': 'ctg-pledged' }, String(c.pledged ?? '—'))),
        h('div', null, h('dt', null, t('isf.field.deployed')), h('dd', { 'data-testid': 'ctg-deployed' }, String(c.deployed ?? '—'))),
        pct !== null ? h('div', null, h('dt', null, t('isf.ctg.deployed_share')), h('dd', null, t('isf.ctg.percent', { n: pct }))) : null),
      h('section', { class: 'ctg-section', 'aria-labelledby': 'ctg-chart-title' },
        h('h3', { id: 'ctg-chart-title' }, t('isf.ctg.over_time')),
        strengthChart(c.strength_history || []),
        h('details', { class: 'chart-table' }, h('summary', null, t('isf.chart.show_table')), strengthTable(c.strength_history || []))),
      this.isHq() ? this.strengthForm(c) : null,
      h('section', { class: 'ctg-section', 'aria-labelledby': 'ctg-units-title' },
        h('h3', { id: 'ctg-units-title' }, t('isf.ctg.units', { n: units.length })),
        units.length ? this.unitsTable(units) : h('p', { class: 'empty' }, t('isf.ctg.no_units'))),
      h('p', { class: 'card-line' }, h('a', { href: '#/caveats', 'data-testid': 'ctg-caveats-link' }, t('isf.ctg.see_caveats'))),
    ].filter(Boolean));
  }

  unitsTable(units) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'ctg-units' },
      h('thead', null, h('tr', null,
        [t('map.popup.id'), t('isf.field.name'), t('isf.field.unit_type'), t('isf.field.strength'), t('isf.field.sector'),
          t('isf.field.unit_status'), t('isf.field.position_at')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, units.map((u) => {
        const at = u.position && u.position.at;
        return h('tr', { 'data-unit': u.id, class: at && isStale(at) ? 'is-stale' : null },
          h('td', { class: 'mono' }, u.id),
          h('td', { dir: 'auto' }, nameText(u, u.id)),
          h('td', null, unitTypeLabel(u.type)),
          h('td', { class: 'num' }, u.strength ?? '—'),
          h('td', null, u.sector ? this.ctx.sectorName(u.sector) : '—'),
          h('td', null, unitStatusLabel(u.status)),
          h('td', null, at ? h('span', null, timeEl(at), ' · ', ageText(at), isStale(at) ? h('span', { class: 'chip chip-stale' }, t('isf.map.stale')) : null) : t('isf.map.no_position')));
      }))));
  }

  strengthForm(c) {
    const ids = { pledged: 'ctg-f-pledged', deployed: 'ctg-f-deployed', at: 'ctg-f-at', note: 'ctg-f-note' };
    const field = (id, label, input, hint) => h('div', { class: 'field' },
      h('label', { for: id }, label), input, hint || null, h('p', { id: `${id}-error`, class: 'field-error', hidden: true }));
    const num = (id, v) => h('input', { id, type: 'number', min: '0', max: '100000', step: '1', value: v ?? '', 'data-testid': id });
    const status = h('span', { class: 'form-status', role: 'status', 'data-testid': 'ctg-f-status' }, this.status);
    const form = h('form', { class: 'strength-form', novalidate: true, 'data-testid': 'ctg-strength-form', 'aria-labelledby': 'ctg-f-title' },
      h('h3', { id: 'ctg-f-title' }, t('isf.ctg.record')),
      h('div', { class: 'field-pair' },
        field(ids.pledged, t('isf.field.pledged'), num(ids.pledged, c.pledged)),
        field(ids.deployed, t('isf.field.deployed'), num(ids.deployed, c.deployed))),
      field(ids.at, t('isf.ctg.at'), h('input', { id: ids.at, type: 'datetime-local', step: '60', 'aria-describedby': 'ctg-f-at-hint', 'data-testid': ids.at }),
        h('p', { id: 'ctg-f-at-hint', class: 'hint' }, t('isf.ctg.at_hint', { zone: getZone(), offset: zoneLabel() }))),
      field(ids.note, t('field.note'), h('input', { id: ids.note, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': ids.note })),
      h('p', { id: 'ctg-f-error', class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ctg-f-submit' }, t('isf.ctg.record_submit')), status));
    let errors = null;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      errors = errors || new FormErrors(ids, 'ctg-f-error');
      errors.clearAll();
      const body = {};
      for (const k of ['pledged', 'deployed']) {
        const v = $(`#${ids[k]}`).value.trim();
        if (v !== '' && Number(v) !== c[k]) body[k] = Number(v);
      }
      const at = $(`#${ids.at}`).value;
      if (at) body.at = zonedToUtc(at);
      const note = $(`#${ids.note}`).value.trim();
      if (note) body.note = note;
      if (body.pledged === undefined && body.deployed === undefined) { errors.showLocal(ids.deployed, 'isf.ctg.nothing_changed'); $(`#${ids.deployed}`).focus(); return; }
      const btn = form.querySelector('button[type="submit"]');
      btn.disabled = true;
      status.textContent = t('form.sending');
      try {
        const r = await api('POST', `/api/v1/contingents/${encodeURIComponent(c.id)}/strength`, body);
        this.status = t('isf.ctg.recorded', { seq: r.seq });
        await this.data.load();
        this.render(true);
        const st = $('[data-testid="ctg-f-status"]');
        if (st) { st.setAttribute('tabindex', '-1'); st.focus(); }
      } catch (err) {
        status.textContent = '';
        errors.report(err);
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }
}

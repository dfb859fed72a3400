// sitrep.js — the daily situation report (#/sitrep/YYYY-MM-DD): a date
// picker, the report of that mission day from GET /api/v1/reports/sitrep
// (JSON) rendered in the reader's language — summary, cease-fire
// violations, significant incidents, operations coordinated (only for
// readers cleared for operations: the server leaves the key out for the
// others), aid flow against the target, disarmament and training (which say
// so while those capabilities do not exist yet) — a Print button (the print
// stylesheet leaves only the report), and a link to the server's own
// printable HTML page of the same report.
import { api } from './api.js';
import { t, tOpt, pick, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl } from './time.js';
import { errorText } from './forms.js';
import { missionDay, addDays, statusLabel } from './mon-data.js';

const DECISIONS = ['concur', 'acknowledge', 'refer', 'request_narrowing', 'object'];
// A time to decide: minutes and seconds (the SITREP's JSON gives seconds).
const secs = (v) => (v >= 60 ? t('sitrep.min_s', { m: Math.floor(v / 60), s: Math.round(v % 60) }) : t('sitrep.s_only', { s: Math.round(v) }));

export class SitrepPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.report = null;
    this.visible = false;
    this.el = this.build();
    onLangChange(() => { if (this.visible && this.report) this.render(); });
  }

  build() {
    const sec = h('section', { id: 'view-sitrep', class: 'view view-sitrep', 'data-view': 'sitrep', 'aria-labelledby': 'sr-title', hidden: true },
      h('div', { class: 'view-head no-print' },
        h('h1', { id: 'sr-title', tabindex: '-1', 'data-i18n': 'sitrep.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'sitrep.sub' })),
      h('form', { id: 'sr-form', class: 'inc-filters sr-toolbar no-print', novalidate: true, 'data-testid': 'sr-form' },
        h('div', { class: 'field' },
          h('label', { for: 'sr-date', 'data-i18n': 'sitrep.date' }),
          h('input', { id: 'sr-date', type: 'date', 'data-testid': 'sr-date' }),
          h('p', { id: 'sr-date-error', class: 'field-error', hidden: true })),
        h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'sr-show', 'data-i18n': 'sitrep.show' })),
        h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'btn btn-small', id: 'sr-prev', 'data-testid': 'sr-prev', 'data-i18n': 'sitrep.prev' })),
        h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'btn btn-small', id: 'sr-next', 'data-testid': 'sr-next', 'data-i18n': 'sitrep.next' })),
        h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'btn btn-small', id: 'sr-print', 'data-testid': 'sr-print', 'data-i18n': 'sitrep.print' })),
        h('div', { class: 'field field-button' }, h('a', { id: 'sr-html', class: 'btn btn-small', target: '_blank', rel: 'noopener', 'data-testid': 'sr-html', 'data-i18n': 'sitrep.html' })),
        h('span', { id: 'sr-status', class: 'form-status', role: 'status', 'data-testid': 'sr-status' })),
      h('p', { id: 'sr-error', class: 'form-error', role: 'alert', 'data-testid': 'sr-error', hidden: true }),
      h('article', { id: 'sr-report', class: 'card sitrep', 'data-testid': 'sr-report', 'aria-labelledby': 'sr-report-title' }));
    $('#main').append(sec);
    applyI18n(sec);
    const form = sec.querySelector('#sr-form');
    form.addEventListener('submit', (e) => { e.preventDefault(); this.go($('#sr-date').value); });
    sec.querySelector('#sr-prev').addEventListener('click', () => this.go(addDays($('#sr-date').value || missionDay(), -1)));
    sec.querySelector('#sr-next').addEventListener('click', () => this.go(addDays($('#sr-date').value || missionDay(), 1)));
    sec.querySelector('#sr-print').addEventListener('click', () => window.print());
    return sec;
  }

  // The date is part of the address (#/sitrep/2026-11-28): a report can be linked.
  go(day) {
    if (!day) return;
    if (location.hash !== `#/sitrep/${day}`) location.hash = `#/sitrep/${day}`;
    else this.load(day);
  }

  reset() { this.report = null; this.visible = false; clear($('#sr-report')); $('#sr-date').value = ''; }
  hide() { this.visible = false; }

  show(sub) {
    this.visible = true;
    const day = /^\d{4}-\d{2}-\d{2}$/.test(sub || '') ? sub : ($('#sr-date').value || missionDay());
    return this.load(day);
  }

  async load(day) {
    $('#sr-date').value = day;
    $('#sr-html').href = `/api/v1/reports/sitrep?${new URLSearchParams({ date: day, format: 'html' })}`;
    $('#sr-status').textContent = t('dash.loading');
    this.el.dataset.ready = '0';
    const box = $('#sr-date-error');
    box.hidden = true;
    $('#sr-date').removeAttribute('aria-invalid');
    try {
      this.report = await api('GET', `/api/v1/reports/sitrep?${new URLSearchParams({ date: day, format: 'json' })}`);
      $('#sr-error').hidden = true;
    } catch (e) {
      this.report = null;
      if (e.field === 'date') {
        box.textContent = errorText(e);
        box.hidden = false;
        $('#sr-date').setAttribute('aria-invalid', 'true');
        $('#sr-date').setAttribute('aria-describedby', 'sr-date-error');
      } else {
        $('#sr-error').textContent = errorText(e);
        $('#sr-error').hidden = false;
      }
    }
    try { await this.data.loadTaxonomy(); } catch { /* ids stand in for names */ }
    if (!this.visible) return;
    $('#sr-status').textContent = '';
    this.render();
  }

  party(id) { return this.data.partyLabel(id); }

  render() {
    const r = this.report;
    const art = clear($('#sr-report'));
    this.el.dataset.ready = '1';
    if (!r) { this.el.dataset.date = ''; return; }
    this.el.dataset.date = r.date || '';
    const s = r.summary || {};
    const sec = (id, title, ...body) => h('section', { class: 'sr-section', 'data-testid': `sr-${id}`, 'aria-labelledby': `sr-h-${id}` },
      h('h2', { id: `sr-h-${id}` }, title), ...body);
    const dl = (rows) => h('dl', { class: 'sr-dl' }, rows.filter(Boolean).map(([k, v, tid]) => h('div', { class: 'sr-fig' }, h('dt', null, k), h('dd', tid ? { 'data-testid': tid } : null, String(v)))));
    const table = (tid, head, rows, empty) => (rows.length ? h('table', { class: 'data-table sr-table', 'data-testid': tid },
      h('thead', null, h('tr', null, head.map((c, i) => h('th', { scope: 'col', class: i && c.num ? 'num' : null }, c.label)))),
      h('tbody', null, rows.map((row) => h('tr', null, row.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: typeof c === 'number' ? 'num' : null }, c)))))))
      : h('p', { class: 'hint' }, empty));
    const mission = r.mission ? (typeof r.mission.name === 'object' ? pick(r.mission.name) : r.mission.name) || r.mission.id : '';

    // Header: what, when, and the exercise mark.
    art.append(h('header', { class: 'sr-head' },
      r.exercise ? h('p', { class: 'sr-exercise', 'data-testid': 'sr-exercise' }, t('sitrep.exercise')) : null,
      h('h2', { id: 'sr-report-title', class: 'sr-title' }, t('sitrep.report_title', { date: r.date || '' })),
      h('p', { class: 'sr-meta' }, mission, r.generated_at ? [mission ? ' · ' : '', t('sitrep.generated'), ' ', timeEl(r.generated_at)] : null)));

    art.append(sec('summary', t('sitrep.s.summary'), dl([
      [t('sitrep.incidents'), s.incidents ?? 0, 'sr-sum-incidents'],
      [t('sitrep.confirmed'), s.confirmed ?? 0, 'sr-sum-confirmed'],
      [t('sitrep.violations'), s.violations ?? 0, 'sr-sum-violations'],
      [t('inc.cas.killed'), s.killed ?? 0, 'sr-sum-killed'],
      [t('inc.cas.injured'), s.injured ?? 0, 'sr-sum-injured'],
      [t('sitrep.trucks'), t('sitrep.of_target', { n: s.trucks ?? 0, target: s.target ?? 600 }), 'sr-sum-trucks'],
      s.operations !== undefined ? [t('sitrep.operations'), s.operations, 'sr-sum-operations'] : null,
    ])));

    const v = r.violations || {};
    const parties = [...new Set([...Object.keys(v.by_party || {}), ...Object.keys(v.unconfirmed_by_party || {}), ...Object.keys(v.trend7 || {})])];
    art.append(sec('violations', t('sitrep.s.violations'),
      table('sr-violations-table',
        [{ label: t('sitrep.party') }, { label: t('sitrep.confirmed'), num: true }, { label: t('sitrep.unconfirmed'), num: true }, { label: t('dash.col.last7'), num: true }, { label: t('dash.col.prev7'), num: true }],
        parties.map((p) => [this.party(p), (v.by_party || {})[p] ?? 0, (v.unconfirmed_by_party || {})[p] ?? 0, ((v.trend7 || {})[p] || {}).last7 ?? 0, ((v.trend7 || {})[p] || {}).prev7 ?? 0]),
        t('sitrep.no_violations'))));

    const sig = r.significant_incidents || [];
    art.append(sec('incidents', t('sitrep.s.incidents'),
      table('sr-incidents-table',
        [{ label: t('inc.col.id') }, { label: t('inc.col.occurred') }, { label: t('inc.col.type') }, { label: t('inc.col.title') }, { label: t('inc.col.sector') },
          { label: t('inc.col.status') }, { label: t('inc.cas.killed'), num: true }, { label: t('inc.cas.injured'), num: true }, { label: t('inc.field.attribution') }],
        sig.map((x) => [h('a', { href: `#/incidents/${x.id}` }, x.id), x.occurred_at ? timeEl(x.occurred_at) : '', this.data.typeLabel(x.type),
          h('span', { dir: 'auto' }, x.title || ''), x.sector ? this.ctx.sectorName(x.sector) : t('inc.sector_none'), statusLabel(x.status),
          x.killed ?? 0, x.injured ?? 0, (x.attribution || []).map((p) => this.party(p)).join(', ')]),
        t('sitrep.no_incidents'))));

    if (r.operations) {
      const o = r.operations;
      art.append(sec('operations', t('sitrep.s.operations'), dl([
        [t('sitrep.ops_notified'), o.notified ?? 0, 'sr-ops-notified'],
        ...DECISIONS.map((d) => [tOpt(`sitrep.decision.${d}`, d), (o.by_decision || {})[d] ?? 0]),
        [t('sitrep.ops_pending'), o.pending ?? 0, 'sr-ops-pending'],
        [t('sitrep.ops_decided'), (o.decision_time || {}).count ?? 0, 'sr-ops-decided'],
        ...((o.decision_time || {}).median_s !== undefined ? [
          [t('sitrep.ops_median'), secs(o.decision_time.median_s), 'sr-ops-median'],
          [t('sitrep.ops_p90'), secs(o.decision_time.p90_s), 'sr-ops-p90'],
          [t('sitrep.ops_max'), secs(o.decision_time.max_s), 'sr-ops-max'],
        ] : []),
      ])));
    }

    const a = r.aid || {};
    art.append(sec('aid', t('sitrep.s.aid'),
      dl([
        [t('sitrep.trucks'), t('sitrep.of_target', { n: a.trucks ?? 0, target: a.target ?? 600 }), 'sr-aid-trucks'],
        [t('dash.col.gap'), a.gap ?? 0, 'sr-aid-gap'],
        [t('sitrep.tonnes'), a.tonnes ?? 0],
        [t('dash.intercepted'), a.intercepted ?? 0],
        [t('dash.col.delivered'), a.delivered ?? 0],
      ]),
      table('sr-aid-table', [{ label: t('aid.field.crossing') }, { label: t('sitrep.trucks'), num: true }],
        Object.entries(a.by_crossing || {}).map(([x, n]) => [this.crossingName(x), n]), t('sitrep.no_trucks'))));

    for (const [key, title] of [['disarmament', t('sitrep.s.disarmament')], ['training', t('sitrep.s.training')]]) {
      const d = r[key] || { available: false };
      art.append(sec(key, title, d.available === false
        ? h('p', { class: 'hint' }, t('sitrep.not_available'))
        : dl(Object.entries(d).filter(([k, x]) => k !== 'available' && (typeof x === 'number' || typeof x === 'string')).map(([k, x]) => [tOpt(`sitrep.fig.${k}`, k), x]))));
    }
    if (r.exercise) art.append(h('p', { class: 'sr-exercise sr-foot' }, t('sitrep.exercise')));
    art.dataset.date = r.date || '';
  }

  crossingName(id) {
    const f = ((this.ctx.geo() && this.ctx.geo().features) || []).find((x) => x.properties && x.properties.id === id);
    return f ? pick(f.properties, 'name') || id : id;
  }
}

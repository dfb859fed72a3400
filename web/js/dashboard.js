// dashboard.js — the monitoring dashboard (#/dashboard): for a chosen period
// (from / until, mission days), confirmed cease-fire violations per day by
// party and, apart, the unconfirmed ones; trucks per day by crossing against
// the agreement's daily target; interceptions and the interception rate;
// incidents by sector. Charts are drawn with Chart.js (vendored, loaded from
// /vendor/chart.js, never from the network); each chart is also offered as a
// table with the same figures (for screen readers, and for print). The
// incidents of the period are a layer on the mission map, filtered by day;
// the feed lists the last 48 hours. Every figure is the server's, counted
// over what the reader may see.
import { api } from './api.js';
import { t, pick, isRtl, getLang, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear, textTip } from './dom.js';
import { timeEl } from './time.js';
import { FormErrors } from './forms.js';
import { Reloader } from './reload.js';
import { MissionMap } from './map.js';
import { loadChartJs, missionDay, addDays, statusLabel, eventLabel, csgStatusLabel, commodityLabel } from './mon-data.js';
import { casualtyText } from './incidents.js';

/* global L */

// The most incidents the map layer draws (the newest of the period or day).
const MAP_LIMIT = 1000;
const PALETTE = ['#b8413a', '#2f6fb3', '#8c6d1f', '#2f8f5b', '#7d5ab5', '#1f8a99', '#a3487e', '#5d6570', '#d08a00', '#3d3d3d'];
const STATUS_COLOURS = { reported: '#d08a00', under_review: '#7d5ab5', confirmed: '#b42318', unconfirmed: '#6b7380', refuted: '#9aa3ad', merged: '#9aa3ad' };
const DEFAULT_DAYS = 14;

const colourOf = (key, i) => PALETTE[i % PALETTE.length];
const pct = (x) => `${(Math.round((x || 0) * 1000) / 10).toFixed(1)}%`;

export class DashboardPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.visible = false;
    this.loaded = false;
    this.figs = {};          // violations, aid, sectors, feed, geo
    this.charts = {};        // Chart instances by name
    this.mm = null;
    this.layer = null;
    // Nothing to type here but the period (a filter): bursts only coalesce.
    this.reloader = new Reloader(() => this.load(), { when: () => this.visible, delay: 500 });
    this.markers = new Map();
    this.el = this.build();
    this.errors = new FormErrors({ from: 'db-from', until: 'db-until' }, 'db-error');
    onLangChange(() => { if (this.visible && this.loaded) this.render(); });
    window.addEventListener('beforeprint', () => { for (const d of this.el.querySelectorAll('details.dash-table-box')) d.open = true; });
  }

  build() {
    const card = (name, titleKey, subKey) => h('section', { class: 'card dash-card', id: `db-card-${name}`, 'data-testid': `db-card-${name}`, 'aria-labelledby': `db-${name}-title` },
      h('h2', { id: `db-${name}-title`, 'data-i18n': titleKey }),
      subKey ? h('p', { class: 'hint', id: `db-${name}-sub`, 'data-i18n': subKey }) : null,
      h('figure', { class: 'dash-figure' },
        h('div', { class: 'chart-box' }, h('canvas', { id: `db-chart-${name}`, role: 'img', 'data-testid': `db-chart-${name}`, 'aria-describedby': `db-${name}-desc` })),
        h('figcaption', { id: `db-${name}-desc`, class: 'hint', 'data-testid': `db-${name}-desc` })),
      h('details', { class: 'dash-table-box' },
        h('summary', { 'data-i18n': 'dash.as_table', 'data-testid': `db-${name}-table-toggle` }),
        h('div', { class: 'table-wrap', id: `db-${name}-table-wrap` })));
    const sec = h('section', { id: 'view-dashboard', class: 'view view-dashboard', 'data-view': 'dashboard', 'aria-labelledby': 'db-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'db-title', tabindex: '-1', 'data-i18n': 'dash.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'dash.sub' })),
      this.buildPeriod(),
      h('p', { id: 'db-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'db-error', hidden: true }),
      h('dl', { class: 'figures dash-figures', id: 'db-figures', 'data-testid': 'db-figures' }),
      h('div', { class: 'dash-grid' },
        card('violations', 'dash.violations', 'dash.violations_sub'),
        card('unconfirmed', 'dash.unconfirmed', 'dash.unconfirmed_sub'),
        card('trucks', 'dash.trucks', 'dash.trucks_sub'),
        card('interception', 'dash.interception', 'dash.interception_sub'),
        card('sectors', 'dash.sectors', 'dash.sectors_sub')),
      h('section', { class: 'dash-bottom' },
        h('section', { class: 'card dash-map-card', 'aria-labelledby': 'db-map-title' },
          h('h2', { id: 'db-map-title', 'data-i18n': 'dash.map' }),
          h('div', { class: 'field field-inline' },
            h('label', { for: 'db-map-day', 'data-i18n': 'dash.map_day' }),
            h('select', { id: 'db-map-day', 'data-testid': 'db-map-day', 'aria-describedby': 'db-map-count' }),
            h('span', { id: 'db-map-count', class: 'hint', 'data-testid': 'db-map-count', 'aria-live': 'polite' })),
          h('div', { class: 'dash-map-layout' },
            h('div', { id: 'db-map', class: 'map dash-map', 'data-testid': 'db-map', role: 'region', 'data-i18n-attr': 'aria-label:dash.map_region' }),
            h('ul', { id: 'db-map-list', class: 'feature-list dash-map-list', 'data-testid': 'db-map-list', 'data-i18n-attr': 'aria-label:dash.map_list' }))),
        h('section', { class: 'card dash-feed-card', 'aria-labelledby': 'db-feed-title' },
          h('h2', { id: 'db-feed-title', 'data-i18n': 'dash.feed' }),
          h('p', { id: 'db-feed-empty', class: 'empty', 'data-i18n': 'dash.feed_empty', hidden: true }),
          h('ol', { id: 'db-feed', class: 'journal-list dash-feed', 'data-testid': 'db-feed' }))));
    $('#main').append(sec);
    applyI18n(sec);
    sec.querySelector('#db-map-day').addEventListener('change', () => this.loadMap());
    return sec;
  }

  buildPeriod() {
    const f = (id, key) => h('div', { class: 'field' },
      h('label', { for: id, 'data-i18n': key }),
      h('input', { id, type: 'date', 'data-testid': id }),
      h('p', { id: `${id}-error`, class: 'field-error', hidden: true }));
    const form = h('form', { id: 'db-period', class: 'inc-filters dash-period', novalidate: true, 'data-testid': 'db-period', 'data-filters': true },
      f('db-from', 'dash.from'), f('db-until', 'dash.until'),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'db-apply', 'data-i18n': 'dash.apply' })),
      h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'btn btn-small', id: 'db-last7', 'data-testid': 'db-last7', 'data-i18n': 'dash.last7' })),
      h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'btn btn-small', id: 'db-last30', 'data-testid': 'db-last30', 'data-i18n': 'dash.last30' })),
      h('span', { id: 'db-status', class: 'form-status', role: 'status', 'data-testid': 'db-status' }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.load(); });
    form.querySelector('#db-last7').addEventListener('click', () => this.setPeriod(7));
    form.querySelector('#db-last30').addEventListener('click', () => this.setPeriod(30));
    return form;
  }

  setPeriod(days) {
    const until = missionDay();
    $('#db-until').value = until;
    $('#db-from').value = addDays(until, -(days - 1));
    this.load();
  }

  reset() {
    this.visible = false;
    this.loaded = false;
    this.figs = {};
    for (const c of Object.values(this.charts)) c.destroy();
    this.charts = {};
    $('#db-from').value = '';
    $('#db-until').value = '';
  }

  hide() { this.visible = false; }

  show() {
    this.visible = true;
    if (!$('#db-until').value) $('#db-until').value = missionDay();
    if (!$('#db-from').value) $('#db-from').value = addDays($('#db-until').value, -(DEFAULT_DAYS - 1));
    if (!this.mm) {
      this.mm = new MissionMap($('#db-map'), null, { orgName: this.ctx.orgName, prefix: 'db-', legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.layer = L.layerGroup();
      this.mm.addOverlay(() => t('dash.layer'), this.layer);
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    return this.load();
  }

  reloadSoon() { this.reloader.soon(); }

  period() { return { from: $('#db-from').value, until: $('#db-until').value }; }

  async load() {
    this.errors.clearAll();
    const p = this.period();
    const q = new URLSearchParams(Object.entries(p).filter(([, v]) => v));
    const seq = (this.seq = (this.seq || 0) + 1);
    $('#db-status').textContent = t('dash.loading');
    this.el.dataset.ready = '0';
    const get = (path) => api('GET', path).then((x) => ({ ok: x }), (e) => ({ err: e }));
    const [vio, aid, sec, feed] = await Promise.all([
      get(`/api/v1/stats/violations?${q}`), get(`/api/v1/stats/aid?${q}`),
      get(`/api/v1/stats/incidents?by=sector&${q}`), get('/api/v1/stats/feed?hours=48'),
      this.data.loadTaxonomy().catch(() => null),
    ]);
    if (seq !== this.seq) return;
    const failed = [vio, aid, sec, feed].find((x) => x.err);
    if (failed) this.errors.report(failed.err);
    this.figs = { violations: vio.ok || null, aid: aid.ok || null, sectors: sec.ok || null, feed: feed.ok || null };
    // The server's period (its default when a field is empty).
    const known = vio.ok || aid.ok || sec.ok;
    if (known && known.from && !$('#db-from').value) $('#db-from').value = known.from;
    if (known && known.until && !$('#db-until').value) $('#db-until').value = known.until;
    this.loaded = true;
    try { await loadChartJs(); } catch { /* the tables still show the figures */ }
    if (seq !== this.seq) return;
    this.render();
    await this.loadMap(true);
    if (seq !== this.seq) return;
    $('#db-status').textContent = '';
    this.el.dataset.ready = '1';
  }

  render() {
    this.renderFigures();
    this.renderViolations('violations', this.figs.violations && this.figs.violations.confirmed);
    this.renderViolations('unconfirmed', this.figs.violations && this.figs.violations.unconfirmed);
    this.renderTrucks();
    this.renderInterception();
    this.renderSectors();
    this.renderFeed();
    this.renderMapDays();
  }

  // ---- helpers ----

  chart(name, config, label) {
    const canvas = $(`#db-chart-${name}`);
    canvas.setAttribute('aria-label', label);
    if (this.charts[name]) { this.charts[name].destroy(); delete this.charts[name]; }
    const Chart = window.Chart;
    if (!Chart) { canvas.dataset.drawn = '0'; return; }
    const rtl = isRtl();
    const lang = getLang() === 'ar' ? 'ar-u-nu-latn' : 'en-GB';
    config.options = {
      responsive: true, maintainAspectRatio: false, animation: false, locale: lang,
      plugins: {
        legend: { position: 'bottom', rtl, textDirection: rtl ? 'rtl' : 'ltr', labels: { boxWidth: 12 } },
        tooltip: { rtl, textDirection: rtl ? 'rtl' : 'ltr' },
      },
      ...config.options,
    };
    config.options.plugins = { ...config.options.plugins };
    this.charts[name] = new Chart(canvas, config);
    canvas.dataset.drawn = '1';
  }

  table(name, head, rows, { caption, foot } = {}) {
    const wrap = clear($(`#db-${name}-table-wrap`));
    wrap.append(h('table', { class: 'data-table dash-table', 'data-testid': `db-table-${name}` },
      h('caption', { class: 'visually-hidden' }, caption || ''),
      h('thead', null, h('tr', null, head.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null, 'data-key': c.k || '' }, c.label)))),
      h('tbody', null, rows.map((r) => h('tr', { 'data-key': r.k }, r.cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: 'num' }, String(c))))))),
      foot ? h('tfoot', null, foot.map((r) => h('tr', { 'data-key': r.k }, r.cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: 'num' }, String(c))))))) : null));
  }

  dayLabel(day) {
    const d = new Date(`${day}T12:00:00Z`);
    return new Intl.DateTimeFormat(getLang() === 'ar' ? 'ar-u-nu-latn' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
  }

  partyName(id) { return this.data.partyLabel(id); }

  sumArr(a) { return (a || []).reduce((s, x) => s + (x || 0), 0); }

  // ---- the figures at the top ----

  renderFigures() {
    const v = this.figs.violations, a = this.figs.aid;
    const dl = clear($('#db-figures'));
    const fig = (key, value, tid) => [h('div', { class: 'figure' }, h('dt', null, t(key)), h('dd', { 'data-testid': tid }, String(value)))];
    if (v) {
      dl.append(...fig('dash.fig.confirmed', this.sumArr(v.confirmed && v.confirmed.total), 'db-fig-confirmed'));
      dl.append(...fig('dash.fig.unconfirmed', this.sumArr(v.unconfirmed && v.unconfirmed.total), 'db-fig-unconfirmed'));
    }
    if (a) {
      const days = (a.days || []).length || 1;
      dl.append(...fig('dash.fig.trucks', this.sumArr(a.total_trucks), 'db-fig-trucks'));
      dl.append(...fig('dash.fig.trucks_avg', Math.round(this.sumArr(a.total_trucks) / days), 'db-fig-trucks-avg'));
      dl.append(...fig('dash.fig.interception', pct(a.interception_rate && a.interception_rate.consignments), 'db-fig-interception'));
      dl.append(...fig('dash.fig.delivered', a.delivered ?? 0, 'db-fig-delivered'));
    }
  }

  // ---- violations by party (confirmed, or unconfirmed apart) ----

  renderViolations(name, s) {
    const v = this.figs.violations;
    if (!v || !s) { this.table(name, [], []); this.chart(name, { type: 'bar', data: { labels: [], datasets: [] } }, t('dash.no_data')); return; }
    const days = v.days || [];
    const parties = Object.keys(s.by_party || {}).length ? Object.keys(s.by_party) : (v.parties || []);
    const partyIdx = (p) => Math.max(0, (v.parties || parties).indexOf(p));
    this.chart(name, {
      type: 'bar',
      data: {
        labels: days.map((d) => this.dayLabel(d)),
        datasets: parties.map((p) => ({
          label: this.partyName(p), data: (s.by_party[p] || []).slice(), backgroundColor: colourOf(p, partyIdx(p)),
          ...(name === 'unconfirmed' ? { borderColor: colourOf(p, partyIdx(p)), borderWidth: 1, backgroundColor: `${colourOf(p, partyIdx(p))}66` } : {}),
          partyId: p,
        })),
      },
      options: { scales: { x: { stacked: true, reverse: isRtl() }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, position: isRtl() ? 'right' : 'left' } } },
    }, name === 'violations' ? t('dash.violations') : t('dash.unconfirmed'));
    const total = this.sumArr(s.total);
    const trend = s.trend || {};
    const trendTxt = parties.filter((p) => trend[p]).map((p) => t('dash.trend_item', {
      party: this.partyName(p), last7: trend[p].last7 ?? 0, prev7: trend[p].prev7 ?? 0,
      change: trend[p].change_pct === null || trend[p].change_pct === undefined ? '—' : `${trend[p].change_pct > 0 ? '+' : ''}${Math.round(trend[p].change_pct)}%`,
    })).join(' · ');
    $(`#db-${name}-desc`).textContent = `${t('dash.violations_desc', { n: total, days: days.length })}${trendTxt ? ` ${t('dash.trend')}: ${trendTxt}` : ''}`;
    this.table(name,
      [{ label: t('dash.col.day') }, ...parties.map((p) => ({ label: this.partyName(p), k: p })), { label: t('dash.col.total'), k: 'total' }],
      days.map((d, i) => ({ k: d, cells: [d, ...parties.map((p) => (s.by_party[p] || [])[i] ?? 0), (s.total || [])[i] ?? 0] })),
      {
        caption: name === 'violations' ? t('dash.violations') : t('dash.unconfirmed'),
        foot: [
          { k: 'total', cells: [t('dash.col.period_total'), ...parties.map((p) => (s.per_party_total || {})[p] ?? this.sumArr(s.by_party[p])), total] },
          { k: 'last7', cells: [t('dash.col.last7'), ...parties.map((p) => (trend[p] ? trend[p].last7 ?? '' : '')), ''] },
          { k: 'prev7', cells: [t('dash.col.prev7'), ...parties.map((p) => (trend[p] ? trend[p].prev7 ?? '' : '')), ''] },
        ],
      });
  }

  // ---- trucks per day by crossing against the target ----

  renderTrucks() {
    const a = this.figs.aid;
    if (!a) { this.table('trucks', [], []); return; }
    const days = a.days || [];
    const xs = a.crossings || Object.keys(a.trucks || {});
    const target = a.target_trucks_per_day ?? 600;
    const name = (id) => this.crossingName(id);
    this.chart('trucks', {
      type: 'bar',
      data: {
        labels: days.map((d) => this.dayLabel(d)),
        datasets: [
          ...xs.map((x, i) => ({ type: 'bar', label: name(x), data: (a.trucks[x] || []).slice(), backgroundColor: ['#2f8f5b', '#2f6fb3', '#8c6d1f', '#7d5ab5', '#1f8a99'][i % 5], stack: 'trucks', crossingId: x, order: 2 })),
          { type: 'line', label: t('dash.target', { n: target }), data: days.map(() => target), borderColor: '#b42318', borderDash: [6, 4], pointRadius: 0, borderWidth: 2, fill: false, order: 1, targetLine: true },
        ],
      },
      options: { scales: { x: { stacked: true, reverse: isRtl() }, y: { stacked: true, beginAtZero: true, suggestedMax: target * 1.1, ticks: { precision: 0 }, position: isRtl() ? 'right' : 'left' } } },
    }, t('dash.trucks'));
    const total = this.sumArr(a.total_trucks);
    const below = (a.total_trucks || []).filter((n) => n < target).length;
    $('#db-trucks-desc').textContent = t('dash.trucks_desc', { n: total, days: days.length, below, target, tonnes: Math.round(this.sumArr(a.tonnes)) })
      + (a.by_commodity ? ` ${Object.entries(a.by_commodity).filter(([, n]) => n).map(([k, n]) => `${commodityLabel(k)}: ${n}`).join(' · ')}` : '');
    this.table('trucks',
      [{ label: t('dash.col.day') }, ...xs.map((x) => ({ label: name(x), k: x })), { label: t('dash.col.total'), k: 'total' }, { label: t('dash.col.target'), k: 'target' }, { label: t('dash.col.gap'), k: 'gap' }],
      days.map((d, i) => ({ k: d, cells: [d, ...xs.map((x) => (a.trucks[x] || [])[i] ?? 0), (a.total_trucks || [])[i] ?? 0, target, (a.gap || [])[i] ?? 0] })),
      { caption: t('dash.trucks'), foot: [{ k: 'total', cells: [t('dash.col.period_total'), ...xs.map((x) => this.sumArr(a.trucks[x])), total, '', this.sumArr(a.gap)] }] });
  }

  crossingName(id) {
    const f = ((this.ctx.geo() && this.ctx.geo().features) || []).find((x) => x.properties && x.properties.id === id);
    return f ? pick(f.properties, 'name') || id : id;
  }

  // ---- interceptions ----

  renderInterception() {
    const a = this.figs.aid;
    if (!a) { this.table('interception', [], []); return; }
    const days = a.days || [];
    const rate = a.interception_rate || {};
    this.chart('interception', {
      type: 'bar',
      data: {
        labels: days.map((d) => this.dayLabel(d)),
        datasets: [{ label: t('dash.intercepted'), data: (a.intercepted || []).slice(), backgroundColor: '#b42318' }],
      },
      options: { scales: { x: { reverse: isRtl() }, y: { beginAtZero: true, ticks: { precision: 0 }, position: isRtl() ? 'right' : 'left' } } },
    }, t('dash.interception'));
    $('#db-interception-desc').textContent = t('dash.interception_desc', {
      n: this.sumArr(a.intercepted), rate: pct(rate.consignments), trucks_rate: pct(rate.trucks), delivered: a.delivered ?? 0, returned: a.returned ?? 0,
    });
    this.table('interception',
      [{ label: t('dash.col.day') }, { label: t('dash.intercepted'), k: 'intercepted' }],
      days.map((d, i) => ({ k: d, cells: [d, (a.intercepted || [])[i] ?? 0] })),
      {
        caption: t('dash.interception'),
        foot: [
          { k: 'total', cells: [t('dash.col.period_total'), this.sumArr(a.intercepted)] },
          { k: 'rate_consignments', cells: [t('dash.col.rate_consignments'), pct(rate.consignments)] },
          { k: 'rate_trucks', cells: [t('dash.col.rate_trucks'), pct(rate.trucks)] },
          { k: 'delivered', cells: [t('dash.col.delivered'), a.delivered ?? 0] },
          { k: 'returned', cells: [t('dash.col.returned'), a.returned ?? 0] },
        ],
      });
  }

  // ---- incidents by sector ----

  renderSectors() {
    const s = this.figs.sectors;
    if (!s) { this.table('sectors', [], []); return; }
    const rows = s.rows || [];
    const label = (k) => (k === 'none' ? t('inc.sector_none') : this.ctx.sectorName(k));
    const kinds = [['confirmed', '#b42318'], ['unconfirmed', '#6b7380'], ['refuted', '#c9ced6']];
    this.chart('sectors', {
      type: 'bar',
      data: {
        labels: rows.map((r) => label(r.key)),
        datasets: kinds.map(([k, c]) => ({ label: statusLabel(k), data: rows.map((r) => r[k] || 0), backgroundColor: c, statusKey: k })),
      },
      options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, reverse: isRtl() }, y: { stacked: true, position: isRtl() ? 'right' : 'left' } } },
    }, t('dash.sectors'));
    const sum = (k) => rows.reduce((n, r) => n + (r[k] || 0), 0);
    $('#db-sectors-desc').textContent = t('dash.sectors_desc', { confirmed: sum('confirmed'), unconfirmed: sum('unconfirmed'), refuted: sum('refuted'), killed: sum('killed'), injured: sum('injured') });
    this.table('sectors',
      [{ label: t('dash.col.sector') }, ...['confirmed', 'unconfirmed', 'refuted'].map((k) => ({ label: statusLabel(k), k: k })), { label: t('inc.cas.killed'), k: 'killed' }, { label: t('inc.cas.injured'), k: 'injured' }],
      rows.map((r) => ({ k: r.key, cells: [label(r.key), r.confirmed || 0, r.unconfirmed || 0, r.refuted || 0, r.killed || 0, r.injured || 0] })),
      { caption: t('dash.sectors'), foot: [{ k: 'total', cells: [t('dash.col.period_total'), sum('confirmed'), sum('unconfirmed'), sum('refuted'), sum('killed'), sum('injured')] }] });
  }

  // ---- the feed of the last 48 hours ----

  renderFeed() {
    const items = (this.figs.feed && this.figs.feed.items) || [];
    const ol = clear($('#db-feed'));
    $('#db-feed-empty').hidden = !!items.length || !this.figs.feed;
    for (const x of items.slice(0, 200)) {
      const inc = x.kind === 'incident';
      ol.append(h('li', { class: ['journal-entry', 'feed-item', `feed-${x.kind}`], 'data-testid': `db-feed-${x.id}`, 'data-kind': x.kind },
        h('div', { class: 'entry-head' },
          h('span', { class: 'entry-time' }, x.at ? timeEl(x.at) : ''),
          h('span', { class: 'chip' }, inc ? t('dash.feed_incident') : t('dash.feed_consignment')),
          inc && x.event ? h('span', { class: 'hist-event', 'data-event': x.event }, eventLabel(x.event)) : null,
          h('span', { class: `chip inc-status inc-status-${x.status}` }, inc ? statusLabel(x.status) : csgStatusLabel(x.status)),
          x.sector ? h('span', { class: 'chip chip-sector' }, this.ctx.sectorName(x.sector)) : null,
          h('a', { class: 'entry-id', href: inc ? `#/incidents/${x.id}` : '#/aid' }, x.id)),
        x.title ? h('p', { class: 'entry-text', dir: 'auto' }, x.title) : null,
        // The server's summary is in English: shown to English readers only.
        x.summary && getLang() === 'en' ? h('p', { class: 'hint', dir: 'auto' }, x.summary) : null));
    }
  }

  // ---- the incidents on the map ----

  renderMapDays() {
    const sel = $('#db-map-day');
    const was = sel.value;
    const { from, until } = this.period();
    clear(sel).append(h('option', { value: '' }, t('dash.map_all_days')));
    if (from && until && from <= until) {
      for (let d = until, i = 0; d >= from && i < 366; d = addDays(d, -1), i++) sel.append(h('option', { value: d }, d));
    }
    if (was && [...sel.options].some((o) => o.value === was)) sel.value = was;
  }

  async loadMap() {
    const day = $('#db-map-day').value;
    const { from, until } = this.period();
    const q = { format: 'geojson', limit: String(MAP_LIMIT) };
    if (day) { q.since = day; q.until = day; } else { if (from) q.since = from; if (until) q.until = until; }
    try {
      this.figs.geo = await api('GET', `/api/v1/incidents?${new URLSearchParams(q)}`);
    } catch (e) {
      this.figs.geo = null;
      this.errors.report(e);
    }
    this.drawMap();
  }

  drawMap() {
    if (!this.layer) return;
    this.layer.clearLayers();
    this.markers.clear();
    const feats = ((this.figs.geo && this.figs.geo.features) || []).filter((f) => f.geometry && f.geometry.type === 'Point');
    const list = clear($('#db-map-list'));
    for (const f of feats) {
      const p = f.properties || {};
      const [lon, lat] = f.geometry.coordinates;
      const tot = p.casualties_total || {};
      const m = L.circleMarker([lat, lon], {
        radius: 6 + Math.min(8, Math.sqrt((tot.killed || 0) + (tot.injured || 0)) * 2), weight: 2, color: '#15181d',
        fillColor: STATUS_COLOURS[p.status] || '#6b7380', fillOpacity: p.status === 'confirmed' ? 0.95 : 0.6,
        dashArray: p.status === 'confirmed' ? null : '3 3', className: `db-incident db-incident-${p.status}`,
      });
      m.on('add', () => { const e = m.getElement(); if (e) { e.setAttribute('data-testid', `db-inc-${p.id}`); e.setAttribute('data-status', p.status || ''); } });
      m.bindTooltip(() => textTip(p.title || p.id), { direction: 'top', className: 'map-tooltip' });
      m.bindPopup(() => h('div', { class: 'map-popup', dir: isRtl() ? 'rtl' : 'ltr', 'data-testid': 'db-popup' },
        h('strong', { dir: 'auto' }, p.title || p.id),
        h('dl', null,
          h('dt', null, t('inc.col.id')), h('dd', null, h('a', { href: `#/incidents/${p.id}` }, p.id)),
          h('dt', null, t('inc.field.type')), h('dd', null, this.data.typeLabel(p.type)),
          h('dt', null, t('inc.field.status')), h('dd', null, statusLabel(p.status)),
          h('dt', null, t('inc.field.occurred_at')), h('dd', null, p.occurred_at ? timeEl(p.occurred_at) : ''),
          h('dt', null, t('inc.field.sector')), h('dd', null, p.sector ? this.ctx.sectorName(p.sector) : t('inc.sector_none')),
          h('dt', null, t('inc.field.casualties')), h('dd', null, casualtyText(p)))));
      m.addTo(this.layer);
      this.markers.set(p.id, m);
      list.append(h('li', { 'data-testid': `db-map-item-${p.id}` }, h('button', {
        type: 'button', class: 'feature-btn', 'data-feature-id': p.id,
        onclick: () => { this.mm.map.setView([lat, lon], Math.max(this.mm.map.getZoom(), 13)); m.openPopup(); },
      }, h('span', { class: 'feature-name', dir: 'auto' }, p.title || p.id),
      h('span', { class: 'feature-meta' }, h('span', { class: `chip inc-status inc-status-${p.status}` }, statusLabel(p.status)), p.occurred_at ? timeEl(p.occurred_at) : ''))));
    }
    // The layer holds at most MAP_LIMIT incidents, the newest: when the
    // period has more the server gives a next page, and the count says so.
    const more = !!(this.figs.geo && this.figs.geo.next);
    $('#db-map-count').textContent = more ? t('dash.map_count_more', { n: feats.length }) : t('dash.map_count', { n: feats.length });
    $('#db-map').dataset.count = String(feats.length);
    $('#db-map').dataset.more = more ? '1' : '0';
    if (this.mm) this.mm.invalidate();
  }
}


// incidents.js — the incidents page (#/incidents): the list with its filters
// (status, type, sector, period) and the CSV / GeoJSON export of what the
// filters select; the report form (#/incidents/new: the type from the
// taxonomy, ACLED's and the mission's own; title and description; when, with
// its precision; where, clicked on the map or typed, with its precision; the
// parties with their roles; casualties; graded sources; links); one incident
// (#/incidents/INC-n) with its history, and for the CMCC the review actions
// (review, confirm with attribution and confidence, unconfirm, refute,
// reopen, merge) and the ACLED CSV import. The page shows what the server
// gives the reader: a source's name only reaches the CMCC and the reporter.
import { api } from './api.js';
import { t, tOpt, onLangChange, applyI18n } from './i18n.js';
import { h, $, $$, clear } from './dom.js';
import { timeEl, zonedToUtc, utcToZoned, getZone, zoneLabel } from './time.js';
import { FormErrors, errorText } from './forms.js';
import { Reloader, pending } from './reload.js';
import { MissionMap } from './map.js';
import { replyReceipt } from './receipt-ui.js';
import {
  STATUSES, TIME_PRECISIONS, LOCATION_PRECISIONS, ROLES, CASUALTY_GROUPS, SOURCE_KINDS, RELIABILITY, CREDIBILITY, CONFIDENCE,
  statusLabel, eventLabel, sourceKindLabel, roleLabel, groupLabel, confidenceLabel, can, exerciseTag,
} from './mon-data.js';

/* global L */

const round6 = (x) => Math.round(x * 1e6) / 1e6;
const num = (s) => {
  const v = String(s || '').trim().replace(',', '.');
  return v === '' ? null : (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
};
const LINK_KINDS = ['operations', 'tasks', 'movements', 'consignments'];
const FIELDS = {
  type: 'if-type', title: 'if-title', description: 'if-description', occurred_at: 'if-occurred', time_precision: 'if-time-precision',
  location: 'if-lat', 'location.coordinates': 'if-lat', location_precision: 'if-location-precision',
  parties: 'if-party-add', sources: 'if-source-add', casualties: 'if-cas-killed-civilian', links: 'if-link-operations',
  'casualties.killed': 'if-cas-killed-civilian', 'casualties.injured': 'if-cas-injured-civilian',
};
for (const k of ['killed', 'injured']) for (const g of CASUALTY_GROUPS) FIELDS[`casualties.${k}.${g}`] = `if-cas-${k}-${g}`;
for (const k of LINK_KINDS) FIELDS[`links.${k}`] = `if-link-${k}`;
const REVIEW_FIELDS = { attribution: 'rv-attribution', confidence: 'rv-confidence', note: 'rv-note', into: 'rv-into' };
// The review actions the life cycle allows from each status.
const ACTIONS = {
  reported: ['review', 'merge'],
  under_review: ['confirm', 'unconfirm', 'refute', 'merge'],
  confirmed: ['reopen'],
  unconfirmed: ['reopen', 'merge'],
  refuted: ['reopen'],
  merged: [],
};

// The parties offered first for an attribution; organisations of the registry come after.
const ARMED = new Set(['state_force', 'armed_group', 'unknown']);

let uid = 0;

function field(id, labelKey, control, { hintKey, testid } = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id, 'data-i18n': labelKey }),
    control,
    hintKey ? h('p', { id: `${id}-hint`, class: 'hint', 'data-i18n': hintKey }) : null,
    h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': `${testid || id}-error`, hidden: true }));
}
const select = (id, attrs = {}) => h('select', { id, 'data-testid': id, ...attrs });
const fillSelect = (sel, values, label, { any = null } = {}) => {
  const was = sel.value;
  clear(sel);
  if (any) sel.append(h('option', { value: '' }, any));
  for (const v of values) sel.append(h('option', { value: v }, label(v)));
  if (was && [...sel.options].some((o) => o.value === was)) sel.value = was;
};

export function casualtyText(c) {
  const k = (c && (c.casualties_total || c)) || {};
  return t('inc.casualties_short', { killed: k.killed ?? 0, injured: k.injured ?? 0 });
}

export class IncidentsPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.items = [];
    this.next = null;
    this.loaded = false;
    this.visible = false;
    this.sub = null;
    this.current = null;        // the incident shown
    this.lastReply = null;      // {id, receipt} of the report just sent
    this.point = null;
    this.marker = null;
    this.mm = null;
    this.el = this.build();
    this.errors = new FormErrors(FIELDS, 'if-form-error');
    // A change from the stream: the list and the incident shown, but not
    // while the CMCC is at work in its review (an error under it, a merge
    // target typed, a request running); the report form is not redrawn.
    this.reloader = new Reloader(() => {
      this.load();
      if (this.current) this.open(this.current.id, false);
    }, { scope: '#inc-view', when: () => this.visible });
    this.filterErrors = new FormErrors({ status: 'incf-status', type: 'incf-type', sector: 'incf-sector', since: 'incf-since', until: 'incf-until' }, 'inc-error');
    onLangChange(() => { this.fillStatic(); if (this.visible) this.render(); });
  }

  // ---- markup ----

  build() {
    const sec = h('section', { id: 'view-incidents', class: 'view view-incidents', 'data-view': 'incidents', 'aria-labelledby': 'inc-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'inc-title', tabindex: '-1', 'data-i18n': 'inc.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'inc.sub' })),
      h('div', { class: 'mon-toolbar' },
        h('a', { href: '#/incidents/new', class: 'btn btn-primary', id: 'inc-new', 'data-testid': 'inc-new', 'data-i18n': 'inc.new', hidden: true }),
        h('button', { type: 'button', class: 'btn', id: 'inc-import-toggle', 'aria-expanded': 'false', 'aria-controls': 'inc-import', 'data-testid': 'inc-import-toggle', 'data-i18n': 'inc.import.open', hidden: true }),
        h('a', { class: 'btn btn-small', id: 'inc-export-csv', 'data-testid': 'inc-export-csv', 'data-i18n': 'inc.export_csv', download: 'incidents.csv' }),
        h('a', { class: 'btn btn-small', id: 'inc-export-geojson', 'data-testid': 'inc-export-geojson', 'data-i18n': 'inc.export_geojson', download: 'incidents.geojson' })),
      this.buildImport(),
      h('p', { id: 'inc-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'inc-error', hidden: true }),
      h('div', { class: 'inc-layout' },
        h('section', { class: 'inc-list-pane', 'aria-labelledby': 'inc-list-title' },
          h('h2', { id: 'inc-list-title', class: 'visually-hidden', 'data-i18n': 'inc.list' }),
          this.buildFilters(),
          h('p', { id: 'inc-count', class: 'hint', 'data-testid': 'inc-count', 'aria-live': 'polite' }),
          h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-attr': 'aria-label:inc.list' },
            h('table', { class: 'data-table inc-table', 'data-testid': 'inc-table' },
              h('thead', null, h('tr', null,
                ...['inc.col.id', 'inc.col.occurred', 'inc.col.type', 'inc.col.title', 'inc.col.sector', 'inc.col.status', 'inc.col.casualties']
                  .map((k) => h('th', { scope: 'col', 'data-i18n': k })))),
              h('tbody', { id: 'inc-tbody' }))),
          h('p', { id: 'inc-empty', class: 'empty', 'data-testid': 'inc-empty', 'data-i18n': 'inc.empty', hidden: true }),
          h('button', { type: 'button', class: 'btn', id: 'inc-more', 'data-testid': 'inc-more', 'data-i18n': 'inc.more', hidden: true, onclick: () => this.load(true) })),
        h('div', { class: 'inc-detail-pane' },
          this.buildForm(),
          h('article', { id: 'inc-view', class: 'card inc-view', 'data-testid': 'inc-view', 'aria-live': 'polite', hidden: true }),
          h('p', { id: 'inc-pick', class: 'hint card', 'data-i18n': 'inc.pick' }))),
      h('p', { id: 'inc-announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
    $('#main').append(sec);
    applyI18n(sec);
    sec.querySelector('#inc-import-toggle').addEventListener('click', () => this.toggleImport());
    this.fillStatic();
    return sec;
  }

  buildFilters() {
    const form = h('form', { id: 'inc-filters', class: 'inc-filters', novalidate: true, 'data-testid': 'inc-filters', 'data-filters': true },
      field('incf-status', 'inc.field.status', select('incf-status')),
      field('incf-type', 'inc.field.type', select('incf-type')),
      field('incf-sector', 'inc.field.sector', select('incf-sector')),
      field('incf-since', 'inc.filter.since', h('input', { id: 'incf-since', type: 'date', 'data-testid': 'incf-since' })),
      field('incf-until', 'inc.filter.until', h('input', { id: 'incf-until', type: 'date', 'data-testid': 'incf-until' })),
      h('div', { class: 'field field-button' },
        h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'incf-apply', 'data-i18n': 'inc.filter.apply' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.load(); });
    form.addEventListener('change', () => this.load());
    return form;
  }

  buildImport() {
    const form = h('form', { id: 'inc-import', class: 'card inc-import', novalidate: true, hidden: true, 'data-testid': 'inc-import', 'aria-labelledby': 'imp-title' },
      h('h2', { id: 'imp-title', 'data-i18n': 'inc.import.title' }),
      h('p', { class: 'hint', 'data-i18n': 'inc.import.hint' }),
      field('imp-file', 'inc.import.file', h('input', { id: 'imp-file', type: 'file', accept: '.csv,text/csv', 'data-testid': 'imp-file' })),
      h('p', { id: 'imp-form-error', class: 'form-error', role: 'alert', 'data-testid': 'imp-form-error', hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'imp-submit', 'data-i18n': 'inc.import.submit' }),
        h('span', { id: 'imp-status', class: 'form-status', role: 'status', 'data-testid': 'imp-status' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.importCsv(); });
    return form;
  }

  buildForm() {
    const cas = h('table', { class: 'data-table cas-table' },
      h('caption', { class: 'visually-hidden', 'data-i18n': 'inc.field.casualties' }),
      h('thead', null, h('tr', null, h('td'), CASUALTY_GROUPS.map((g) => h('th', { scope: 'col', id: `if-cas-h-${g}`, 'data-i18n': `inc.cas.${g}` })))),
      h('tbody', null, ['killed', 'injured'].map((k) => h('tr', null,
        h('th', { scope: 'row', id: `if-cas-h-${k}`, 'data-i18n': `inc.cas.${k}` }),
        CASUALTY_GROUPS.map((g) => h('td', null,
          h('input', {
            id: `if-cas-${k}-${g}`, type: 'number', min: '0', max: '100000', step: '1', inputmode: 'numeric', class: 'cas-input',
            'aria-labelledby': `if-cas-h-${k} if-cas-h-${g}`, 'data-testid': `if-cas-${k}-${g}`,
          }),
          h('p', { id: `if-cas-${k}-${g}-error`, class: 'field-error', hidden: true })))))));
    const form = h('form', { id: 'inc-form', class: 'card notify-form inc-form', novalidate: true, hidden: true, 'data-testid': 'inc-form', 'aria-labelledby': 'if-title-h' },
      h('h2', { id: 'if-title-h', 'data-i18n': 'inc.form.title' }),
      h('p', { class: 'hint', 'data-i18n': 'inc.form.hint' }),
      field('if-type', 'inc.field.type', select('if-type', { required: true })),
      h('p', { id: 'if-type-desc', class: 'hint', 'data-testid': 'if-type-desc', 'aria-live': 'polite' }),
      field('if-title', 'inc.field.title', h('input', { id: 'if-title', type: 'text', dir: 'auto', maxlength: '200', autocomplete: 'off', required: true, 'data-testid': 'if-title' })),
      field('if-description', 'inc.field.description', h('textarea', { id: 'if-description', rows: '3', dir: 'auto', 'data-testid': 'if-description' })),
      h('div', { class: 'field-pair' },
        field('if-occurred', 'inc.field.occurred_at', h('input', { id: 'if-occurred', type: 'datetime-local', step: '60', 'aria-describedby': 'if-time-hint', 'data-testid': 'if-occurred' })),
        field('if-time-precision', 'inc.field.time_precision', select('if-time-precision'))),
      h('p', { id: 'if-time-hint', class: 'hint time-hint', 'data-testid': 'if-time-hint' }),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'inc.field.location' }),
        h('p', { id: 'if-loc-hint', class: 'hint', 'data-i18n': 'inc.form.location_hint' }),
        h('div', { id: 'if-map', class: 'map inc-form-map is-drawing', 'data-testid': 'if-map', role: 'region', 'aria-describedby': 'if-loc-hint', 'data-i18n-attr': 'aria-label:inc.form.map_region' }),
        h('div', { class: 'field-pair' },
          h('div', { class: 'field' }, h('label', { for: 'if-lat', 'data-i18n': 'field.lat' }),
            h('input', { id: 'if-lat', type: 'text', inputmode: 'decimal', dir: 'ltr', autocomplete: 'off', 'aria-describedby': 'if-loc-hint', 'data-testid': 'if-lat' })),
          h('div', { class: 'field' }, h('label', { for: 'if-lon', 'data-i18n': 'field.lon' }),
            h('input', { id: 'if-lon', type: 'text', inputmode: 'decimal', dir: 'ltr', autocomplete: 'off', 'aria-describedby': 'if-loc-hint', 'data-testid': 'if-lon' }))),
        h('p', { id: 'if-lat-error', class: 'field-error', role: 'alert', 'data-testid': 'if-location-error', hidden: true }),
        field('if-location-precision', 'inc.field.location_precision', select('if-location-precision'))),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'inc.field.parties' }),
        h('p', { class: 'hint', 'data-i18n': 'inc.form.parties_hint' }),
        h('ol', { id: 'if-parties', class: 'rows-list', 'data-testid': 'if-parties' }),
        h('button', { type: 'button', class: 'btn btn-small', id: 'if-party-add', 'data-testid': 'if-party-add', 'data-i18n': 'inc.form.add_party', onclick: () => this.addParty(null, true) }),
        h('p', { id: 'if-party-add-error', class: 'field-error', hidden: true })),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'inc.field.casualties' }),
        h('div', { class: 'table-wrap' }, cas)),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'inc.field.sources' }),
        h('p', { class: 'hint', 'data-i18n': 'inc.form.sources_hint' }),
        h('ol', { id: 'if-sources', class: 'rows-list', 'data-testid': 'if-sources' }),
        h('button', { type: 'button', class: 'btn btn-small', id: 'if-source-add', 'data-testid': 'if-source-add', 'data-i18n': 'inc.form.add_source', onclick: () => this.addSource(null, true) }),
        h('p', { id: 'if-source-add-error', class: 'field-error', hidden: true })),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'inc.field.links' }),
        h('p', { class: 'hint', 'data-i18n': 'inc.form.links_hint' }),
        h('div', { class: 'field-pair' },
          LINK_KINDS.map((k) => field(`if-link-${k}`, `inc.link.${k}`, h('input', { id: `if-link-${k}`, type: 'text', dir: 'ltr', autocomplete: 'off', 'data-testid': `if-link-${k}` }))))),
      h('p', { id: 'if-form-error', class: 'form-error', role: 'alert', 'data-testid': 'if-form-error', hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'if-submit', 'data-i18n': 'inc.form.submit' }),
        h('a', { href: '#/incidents', class: 'btn', 'data-testid': 'if-cancel', 'data-i18n': 'inc.form.cancel' }),
        h('span', { id: 'if-status', class: 'form-status', role: 'status', 'data-testid': 'if-status' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    form.addEventListener('input', (e) => { if (e.target.id === 'if-lat' || e.target.id === 'if-lon') this.pointFromInputs(); });
    form.querySelector('#if-type').addEventListener('change', () => this.renderTypeDesc());
    return form;
  }

  // Options of the selects that come from fixed lists, the taxonomy and the sectors.
  fillStatic() {
    const $r = (s) => $(s);
    fillSelect($r('#incf-status'), [...STATUSES], statusLabel, { any: t('inc.filter.any_status') });
    fillSelect($r('#if-time-precision'), TIME_PRECISIONS, (v) => tOpt(`inc.time_precision.${v}`, v));
    fillSelect($r('#if-location-precision'), LOCATION_PRECISIONS, (v) => tOpt(`inc.location_precision.${v}`, v));
    const sectors = this.ctx.sectors();
    fillSelect($r('#incf-sector'), sectors.map((s) => s.id), (id) => this.ctx.sectorName(id), { any: t('inc.filter.any_sector') });
    const types = (this.data.taxonomy && this.data.taxonomy.types) || [];
    fillSelect($r('#incf-type'), types.map((x) => x.id), (id) => this.data.typeLabel(id), { any: t('inc.filter.any_type') });
    this.fillTypeSelect($r('#if-type'));
    $r('#if-time-hint').textContent = t('form.time_hint', { zone: getZone(), offset: zoneLabel() });
    for (const row of $$('.party-row')) this.fillPartyRow(row);
    for (const row of $$('.source-row')) this.fillSourceRow(row);
    this.renderExport();
  }

  // The type: ACLED's sub-event types and the mission's own, in two groups.
  fillTypeSelect(sel) {
    const was = sel.value;
    clear(sel);
    sel.append(h('option', { value: '' }, t('inc.form.choose_type')));
    const types = (this.data.taxonomy && this.data.taxonomy.types) || [];
    const group = (mission) => h('optgroup', { label: mission ? t('inc.form.group_mission') : t('inc.form.group_acled'), 'data-group': mission ? 'mission' : 'acled' },
      types.filter((x) => !!x.mission === mission)
        .sort((a, b) => this.data.typeLabel(a.id).localeCompare(this.data.typeLabel(b.id)))
        .map((x) => h('option', { value: x.id }, this.data.typeLabel(x.id))));
    sel.append(group(true), group(false));
    if (was) sel.value = was;
  }

  renderTypeDesc() {
    const x = this.data.type($('#if-type').value);
    const box = $('#if-type-desc');
    if (!x) { box.textContent = ''; return; }
    const acled = [x.acled_event_type, x.acled_sub_event_type].filter(Boolean).join(' / ');
    box.textContent = `${x.violation ? t('inc.form.is_violation') : t('inc.form.not_violation')}${acled ? ` · ${t('inc.form.acled_as', { acled })}` : ''}`;
  }

  renderExport() {
    const q = this.query(false);
    $('#inc-export-csv').href = `/api/v1/incidents?${new URLSearchParams({ ...q, format: 'csv' })}`;
    $('#inc-export-geojson').href = `/api/v1/incidents?${new URLSearchParams({ ...q, format: 'geojson' })}`;
  }

  // ---- show / hide ----

  reset() {
    this.items = [];
    this.next = null;
    this.loaded = false;
    this.visible = false;
    this.current = null;
    this.lastReply = null;
    this.resetForm();
    $('#inc-import').hidden = true;
  }

  hide() { this.visible = false; }

  async show(sub) {
    this.visible = true;
    this.sub = sub;
    const me = this.ctx.me;
    $('#inc-new').hidden = !can(me, 'incident.report');
    $('#inc-import-toggle').hidden = !can(me, 'incident.review');
    if (!can(me, 'incident.review')) $('#inc-import').hidden = true;
    try {
      await this.data.loadTaxonomy();
    } catch (e) {
      $('#inc-error').textContent = errorText(e);
      $('#inc-error').hidden = false;
    }
    if (!this.visible) return;
    this.fillStatic();
    this.renderDetail();
    this.load();
  }

  reloadSoon() { this.reloader.soon(); }

  // ---- the list ----

  query(withLimit = true) {
    const q = {};
    const v = (id) => $(`#${id}`).value;
    if (v('incf-status')) q.status = v('incf-status');
    if (v('incf-type')) q.type = v('incf-type');
    if (v('incf-sector')) q.sector = v('incf-sector');
    if (v('incf-since')) q.since = v('incf-since');
    if (v('incf-until')) q.until = v('incf-until');
    if (withLimit) q.limit = '100';
    return q;
  }

  async load(more = false) {
    const q = this.query();
    if (more && this.next) q.cursor = this.next;
    this.renderExport();
    const seq = (this.loadSeq = (this.loadSeq || 0) + 1);
    this.filterErrors.clearAll();
    try {
      const r = await api('GET', `/api/v1/incidents?${new URLSearchParams(q)}`);
      if (seq !== this.loadSeq) return;
      this.items = more ? [...this.items, ...(r.incidents || [])] : (r.incidents || []);
      this.next = r.next || null;
      this.loaded = true;
    } catch (e) {
      if (seq !== this.loadSeq) return;
      const id = this.filterErrors.controlFor(e.field);
      if (!id || !this.filterErrors.show(id, e)) { $('#inc-error').textContent = errorText(e); $('#inc-error').hidden = false; }
    }
    this.renderList();
  }

  render() { this.renderList(); this.renderDetail(); }

  renderList() {
    const tb = clear($('#inc-tbody'));
    for (const x of this.items) {
      const selected = this.current && this.current.id === x.id;
      tb.append(h('tr', { 'data-testid': `inc-row-${x.id}`, 'data-status': x.status, class: selected ? 'is-selected' : null },
        h('td', null, h('a', { href: `#/incidents/${x.id}`, class: 'ops-id', 'aria-current': selected ? 'true' : null }, x.id)),
        h('td', null, x.occurred_at ? timeEl(x.occurred_at) : ''),
        h('td', null, this.data.typeLabel(x.type), x.violation ? [' ', h('span', { class: 'chip chip-violation' }, t('inc.violation'))] : null),
        h('td', { dir: 'auto' }, x.title || '', ' ', exerciseTag(x)),
        h('td', null, x.sector ? this.ctx.sectorName(x.sector) : t('inc.sector_none')),
        h('td', null, h('span', { class: `chip inc-status inc-status-${x.status}` }, statusLabel(x.status))),
        h('td', { class: 'num' }, casualtyText(x))));
    }
    $('#inc-empty').hidden = !this.loaded || this.items.length > 0;
    $('#inc-more').hidden = !this.next;
    $('#inc-count').textContent = this.loaded ? t('inc.count', { n: this.items.length }) : '';
    this.el.dataset.ready = this.loaded ? '1' : '0';
  }

  // ---- the right-hand pane: the form, an incident, or a hint ----

  renderDetail() {
    const sub = this.sub;
    const form = $('#inc-form'), view = $('#inc-view'), pick0 = $('#inc-pick');
    const reporting = sub === 'new' && can(this.ctx.me, 'incident.report');
    form.hidden = !reporting;
    view.hidden = !(sub && sub !== 'new');
    pick0.hidden = reporting || !!(sub && sub !== 'new');
    if (reporting) this.showForm();
    if (sub && sub !== 'new' && (!this.current || this.current.id !== sub)) this.open(sub, true);
    else if (sub && sub !== 'new') this.renderView();
  }

  // ---- the report form ----

  showForm() {
    if (!$('#if-occurred').value) $('#if-occurred').value = utcToZoned(Math.floor(Date.now() / 60000) * 60000);
    if (!$('#if-time-precision').value) $('#if-time-precision').value = 'minute';
    if (!$('#if-parties').children.length) this.addParty({ role: 'perpetrator' });
    if (!$('#if-sources').children.length) this.addSource(null);
    if (!this.mm) {
      this.mm = new MissionMap($('#if-map'), null, { orgName: this.ctx.orgName, interactive: false, prefix: 'if-', legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.mm.map.on('click', (e) => this.setPoint([round6(e.latlng.lng), round6(e.latlng.lat)], true));
      // From the keyboard: the arrow keys move the map (Leaflet), Enter puts the point at its centre.
      this.mm.map.getContainer().addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' || e.target !== this.mm.map.getContainer()) return;
        e.preventDefault();
        const c = this.mm.map.getCenter();
        this.setPoint([round6(c.lng), round6(c.lat)], true);
      });
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    this.drawPoint();
  }

  setPoint(p, fromMap) {
    this.point = p;
    if (fromMap) {
      $('#if-lat').value = String(p[1]);
      $('#if-lon').value = String(p[0]);
      this.errors.clear('if-lat');
    }
    this.drawPoint();
  }

  pointFromInputs() {
    const lat = num($('#if-lat').value), lon = num($('#if-lon').value);
    this.point = Number.isFinite(lat) && Number.isFinite(lon) && lat !== null && lon !== null ? [lon, lat] : null;
    this.drawPoint();
  }

  drawPoint() {
    if (!this.mm || !this.mm.map) return;
    if (this.marker) { this.mm.map.removeLayer(this.marker); this.marker = null; }
    if (!this.point) return;
    this.marker = L.circleMarker([this.point[1], this.point[0]], {
      radius: 9, weight: 3, color: '#15181d', fillColor: '#e5202b', fillOpacity: 0.9, className: 'if-draft', interactive: false,
    }).addTo(this.mm.map);
    const e = this.marker.getElement();
    if (e) e.setAttribute('data-testid', 'if-draft');
  }

  // The taxonomy's groups and forces by kind, then the registry's organisations.
  partyOptions(sel) {
    const parties = (this.data.taxonomy && this.data.taxonomy.parties) || [];
    const was = sel.value;
    clear(sel);
    sel.append(h('option', { value: '' }, t('inc.form.choose_party')));
    const groups = new Map();
    for (const p of parties) {
      const k = p.kind || 'other';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(p.id);
    }
    const known = new Set(parties.map((p) => p.id));
    const orgs = this.ctx.orgs().map((o) => o.id).filter((id) => !known.has(id));
    if (orgs.length) groups.set('organisation', orgs);
    for (const [k, ids] of groups) {
      sel.append(h('optgroup', { label: tOpt(`inc.party_kind.${k}`, tOpt(`org.kind.${k}`, k)) },
        ids.map((id) => h('option', { value: id }, this.data.partyLabel(id)))));
    }
    if (was) sel.value = was;
  }

  fillPartyRow(row) {
    this.partyOptions(row.querySelector('[data-f="party"]'));
    fillSelect(row.querySelector('[data-f="role"]'), ROLES, roleLabel);
    row.querySelector('.row-remove').textContent = t('inc.form.remove');
  }

  addParty(p, focus = false) {
    const n = ++uid;
    const row = h('li', { class: 'party-row row-item', 'data-testid': 'if-party-row' },
      h('div', { class: 'field' },
        h('label', { for: `if-p${n}-party`, 'data-i18n': 'inc.field.party' }),
        h('select', { id: `if-p${n}-party`, 'data-f': 'party', 'data-testid': 'if-party' }),
        h('p', { id: `if-p${n}-party-error`, class: 'field-error', hidden: true })),
      h('div', { class: 'field' },
        h('label', { for: `if-p${n}-role`, 'data-i18n': 'inc.field.role' }),
        h('select', { id: `if-p${n}-role`, 'data-f': 'role', 'data-testid': 'if-party-role' }),
        h('p', { id: `if-p${n}-role-error`, class: 'field-error', hidden: true })),
      h('div', { class: 'field field-button' },
        h('button', { type: 'button', class: 'btn btn-small row-remove', 'data-testid': 'if-party-remove', onclick: () => { row.remove(); } })));
    applyI18n(row);
    this.fillPartyRow(row);
    if (p && p.party) row.querySelector('[data-f="party"]').value = p.party;
    if (p && p.role) row.querySelector('[data-f="role"]').value = p.role;
    $('#if-parties').append(row);
    if (focus) row.querySelector('select').focus();
  }

  fillSourceRow(row) {
    fillSelect(row.querySelector('[data-f="kind"]'), SOURCE_KINDS, sourceKindLabel);
    fillSelect(row.querySelector('[data-f="reliability"]'), RELIABILITY, (v) => tOpt(`inc.reliability.${v}`, v));
    fillSelect(row.querySelector('[data-f="credibility"]'), CREDIBILITY, (v) => tOpt(`inc.credibility.${v}`, v));
    row.querySelector('.row-remove').textContent = t('inc.form.remove');
  }

  addSource(s, focus = false) {
    const n = ++uid;
    const f = (name, key, control) => h('div', { class: 'field' },
      h('label', { for: `if-s${n}-${name}`, 'data-i18n': key }), control,
      h('p', { id: `if-s${n}-${name}-error`, class: 'field-error', hidden: true }));
    const row = h('li', { class: 'source-row row-item', 'data-testid': 'if-source-row' },
      f('kind', 'inc.field.source_kind', h('select', { id: `if-s${n}-kind`, 'data-f': 'kind', 'data-testid': 'if-source-kind' })),
      f('name', 'inc.field.source_name', h('input', { id: `if-s${n}-name`, type: 'text', dir: 'auto', autocomplete: 'off', 'data-f': 'name', 'data-testid': 'if-source-name' })),
      f('reference', 'inc.field.source_reference', h('input', { id: `if-s${n}-reference`, type: 'text', dir: 'auto', autocomplete: 'off', 'data-f': 'reference', 'data-testid': 'if-source-reference' })),
      f('reliability', 'inc.field.reliability', h('select', { id: `if-s${n}-reliability`, 'data-f': 'reliability', 'data-testid': 'if-source-reliability' })),
      f('credibility', 'inc.field.credibility', h('select', { id: `if-s${n}-credibility`, 'data-f': 'credibility', 'data-testid': 'if-source-credibility' })),
      h('div', { class: 'field field-button' },
        h('button', { type: 'button', class: 'btn btn-small row-remove', 'data-testid': 'if-source-remove', onclick: () => { row.remove(); } })));
    applyI18n(row);
    this.fillSourceRow(row);
    const sel = (k, v) => { if (v) row.querySelector(`[data-f="${k}"]`).value = v; };
    if (s) { sel('kind', s.kind); sel('name', s.name); sel('reliability', s.reliability); sel('credibility', s.credibility); }
    else { sel('reliability', 'C'); sel('credibility', '3'); }
    $('#if-sources').append(row);
    if (focus) row.querySelector('select').focus();
  }

  resetForm() {
    const form = $('#inc-form');
    if (!form) return;
    form.reset();
    this.errors && this.errors.clearAll();
    clear($('#if-parties'));
    clear($('#if-sources'));
    this.point = null;
    this.drawPoint();
    $('#if-type-desc').textContent = '';
    $('#if-status').textContent = '';
  }

  // The body of POST /api/v1/incidents from the form. Local checks only for
  // what cannot be sent at all (a number that is not one); the rest is the
  // server's to judge, and its errors show next to the field they name.
  body() {
    const b = {
      type: $('#if-type').value || undefined,
      title: $('#if-title').value.trim(),
      time_precision: $('#if-time-precision').value,
      location_precision: $('#if-location-precision').value,
    };
    const desc = $('#if-description').value.trim();
    if (desc) b.description = desc;
    const occ = zonedToUtc($('#if-occurred').value);
    if (occ) b.occurred_at = occ;
    const lat = num($('#if-lat').value), lon = num($('#if-lon').value);
    if (lat !== null || lon !== null) {
      if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon)) return { local: ['if-lat', 'inc.form.bad_point'] };
      b.location = { type: 'Point', coordinates: [lon, lat] };
    }
    b.parties = $$('.party-row', $('#if-parties')).map((r) => ({ party: r.querySelector('[data-f="party"]').value, role: r.querySelector('[data-f="role"]').value }))
      .filter((p) => p.party);
    const cas = {};
    for (const k of ['killed', 'injured']) {
      for (const g of CASUALTY_GROUPS) {
        const el = $(`#if-cas-${k}-${g}`);
        const v = el.value.trim();
        if (v === '') continue;
        if (!/^\d+$/.test(v)) return { local: [el.id, 'inc.form.bad_number'] };
        (cas[k] = cas[k] || {})[g] = Number(v);
      }
    }
    if (Object.keys(cas).length) b.casualties = cas;
    b.sources = $$('.source-row', $('#if-sources')).map((r) => {
      const s = {};
      for (const k of ['kind', 'name', 'reference', 'reliability', 'credibility']) {
        const v = r.querySelector(`[data-f="${k}"]`).value.trim();
        if (v) s[k] = v;
      }
      return s;
    }).filter((s) => s.name || s.reference);
    const links = {};
    for (const k of LINK_KINDS) {
      const ids = $(`#if-link-${k}`).value.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
      if (ids.length) links[k] = ids;
    }
    if (Object.keys(links).length) b.links = links;
    if (!b.parties.length) delete b.parties;
    if (!b.sources.length) delete b.sources;
    return { body: b };
  }

  // A server field naming a row (parties[1].role, sources[0].reliability)
  // points at that row's control.
  rowControl(field) {
    const m = /^(parties|sources)\[(\d+)\](?:\.(\w+))?/.exec(field || '');
    if (!m) return null;
    // Only the rows that were sent count (blank source rows are not sent).
    const rows = m[1] === 'parties'
      ? $$('.party-row', $('#if-parties')).filter((r) => r.querySelector('[data-f="party"]').value)
      : $$('.source-row', $('#if-sources')).filter((r) => r.querySelector('[data-f="name"]').value.trim() || r.querySelector('[data-f="reference"]').value.trim());
    const row = rows[Number(m[2])];
    if (!row) return null;
    const c = row.querySelector(`[data-f="${m[3] || (m[1] === 'parties' ? 'party' : 'kind')}"]`) || row.querySelector('[data-f]');
    return c ? c.id : null;
  }

  reportError(err, errors) {
    const id = this.rowControl(err.field);
    if (id && errors.show(id, err)) { $(`#${id}`).focus(); return; }
    errors.report(err);
  }

  async submit() {
    for (const c of $$('#inc-form [aria-invalid]')) { const e = $(`#${c.id}-error`); if (e) { e.hidden = true; } c.removeAttribute('aria-invalid'); }
    this.errors.clearAll();
    $('#if-status').textContent = '';
    const r = this.body();
    if (r.local) { this.errors.showLocal(r.local[0], r.local[1]); $(`#${r.local[0]}`).focus(); return; }
    const btn = $('[data-testid="if-submit"]');
    btn.disabled = true;
    try {
      const reply = await api('POST', '/api/v1/incidents', r.body);
      this.lastReply = { id: reply.id, receipt: reply.receipt };
      $('#inc-announce').textContent = t('inc.form.done', { id: reply.id });
      this.resetForm();
      this.current = reply.incident ? { ...reply.incident, id: reply.id } : null;
      location.hash = `#/incidents/${reply.id}`;
    } catch (e) {
      this.reportError(e, this.errors);
    } finally {
      btn.disabled = false;
    }
  }

  // ---- one incident ----

  async open(id, focus, { keep = true } = {}) {
    const seq = (this.openSeq = (this.openSeq || 0) + 1);
    try {
      const x = await api('GET', `/api/v1/incidents/${encodeURIComponent(id)}`);
      if (seq !== this.openSeq) return;
      this.current = x.incident && !x.id ? x.incident : x;
      this.viewError = null;
    } catch (e) {
      if (seq !== this.openSeq) return;
      this.current = { id, missing: true };
      this.viewError = e;
    }
    this.renderView({ keep });
    this.renderList();
    if (focus) { const hd = $('#iv-title'); if (hd) hd.focus({ preventScroll: false }); }
  }

  // keep: what the CMCC has typed in the review form stays when the same
  // incident is drawn again in the same status (a reload from the stream).
  renderView({ keep = true } = {}) {
    const x = this.current;
    const prev = keep && $('#rv-note') ? {
      id: $('#inc-view').dataset.id, status: $('#inc-view').dataset.status, note: $('#rv-note').value,
      confidence: $('#rv-confidence') ? $('#rv-confidence').value : null, into: $('#rv-into') ? $('#rv-into').value : null,
      attribution: $('#rv-attribution') ? $$('#rv-attribution input').map((c) => [c.value, c.checked]) : null,
      focus: document.activeElement && document.activeElement.closest('.inc-review') ? document.activeElement.id || document.activeElement.dataset.testid : null,
    } : null;
    const v = clear($('#inc-view'));
    if (!x || (this.sub && x.id !== this.sub)) { v.dataset.ready = '0'; return; }
    if (x.missing) {
      v.append(h('h2', { id: 'iv-title', tabindex: '-1' }, x.id), h('p', { class: 'form-error', role: 'alert', 'data-testid': 'iv-error' }, errorText(this.viewError)));
      v.dataset.ready = '1';
      return;
    }
    const loc = x.location && x.location.coordinates;
    const cas = x.casualties || {};
    const dl = (rows) => h('dl', { class: 'details-dl' }, rows.filter(Boolean).flatMap(([k, val, tid]) => [h('dt', null, k), h('dd', tid ? { 'data-testid': tid } : null, val)]));
    const link = (id) => h('a', { href: `#/incidents/${id}`, class: 'ops-id' }, id);
    const linked = x.links ? LINK_KINDS.filter((k) => (x.links[k] || []).length) : [];
    const parts = [
      this.lastReply && this.lastReply.id === x.id ? h('div', { class: 'inc-result', 'data-testid': 'iv-result' },
        h('p', { class: 'result-title' }, h('strong', { 'data-testid': 'result-id' }, x.id), ' ', t('inc.form.reported_as')),
        replyReceipt(x.id, this.lastReply.receipt)) : null,
      h('div', { class: 'card-head' },
        h('h2', { id: 'iv-title', tabindex: '-1', dir: 'auto', 'data-testid': 'iv-title' }, x.title || x.id),
        h('span', { class: 'ops-id', 'data-testid': 'iv-id' }, x.id),
        h('span', { class: `chip inc-status inc-status-${x.status}`, 'data-testid': 'iv-status' }, statusLabel(x.status)),
        x.violation ? h('span', { class: 'chip chip-violation' }, t('inc.violation')) : null,
        exerciseTag(x)),
      dl([
        [t('inc.field.type'), this.data.typeLabel(x.type), 'iv-type'],
        [t('inc.field.occurred_at'), [x.occurred_at ? timeEl(x.occurred_at) : '', x.time_precision ? ` (${tOpt(`inc.time_precision.${x.time_precision}`, x.time_precision)})` : '']],
        [t('inc.field.location'), loc ? h('span', { dir: 'ltr' }, `${loc[1]}, ${loc[0]}`) : '—'],
        x.location_precision ? [t('inc.field.location_precision'), tOpt(`inc.location_precision.${x.location_precision}`, x.location_precision)] : null,
        [t('inc.field.sector'), x.sector ? this.ctx.sectorName(x.sector) : t('inc.sector_none'), 'iv-sector'],
        [t('inc.field.reported'), [x.reported_at ? timeEl(x.reported_at) : '', x.reported_by ? ` · ${x.reported_by}` : '', x.reported_org ? ` · ${this.ctx.orgName(x.reported_org)}` : '']],
        (x.attribution || []).length ? [t('inc.field.attribution'), x.attribution.map((p) => this.data.partyLabel(p)).join(', '), 'iv-attribution'] : null,
        x.confidence ? [t('inc.field.confidence'), confidenceLabel(x.confidence), 'iv-confidence'] : null,
        x.merged_into ? [t('inc.field.merged_into'), link(x.merged_into), 'iv-merged-into'] : null,
        (x.merged_from || []).length ? [t('inc.field.merged_from'), x.merged_from.map((id, i) => [i ? ', ' : '', link(id)]), 'iv-merged-from'] : null,
      ]),
      x.description ? h('p', { class: 'ops-description', dir: 'auto', 'data-testid': 'iv-description' }, x.description) : null,
      h('h3', null, t('inc.field.casualties')),
      h('table', { class: 'data-table cas-table', 'data-testid': 'iv-casualties' },
        h('thead', null, h('tr', null, h('td'), CASUALTY_GROUPS.map((g) => h('th', { scope: 'col' }, groupLabel(g))), h('th', { scope: 'col' }, t('inc.cas.total')))),
        h('tbody', null, ['killed', 'injured'].map((k) => h('tr', null, h('th', { scope: 'row' }, (k === 'killed' ? t('inc.cas.killed') : t('inc.cas.injured'))),
          CASUALTY_GROUPS.map((g) => h('td', { class: 'num' }, String((cas[k] && cas[k][g]) || 0))),
          h('td', { class: 'num' }, String((x.casualties_total && x.casualties_total[k]) ?? 0)))))),
      h('h3', null, t('inc.field.parties')),
      (x.parties || []).length ? h('ul', { class: 'plain-list', 'data-testid': 'iv-parties' }, x.parties.map((p) => h('li', null,
        h('span', { dir: 'auto' }, p.party ? this.data.partyLabel(p.party) : (p.name || '')), ' · ', roleLabel(p.role)))) : h('p', { class: 'hint' }, t('inc.none')),
      h('h3', null, t('inc.field.sources')),
      (x.sources || []).length ? h('ul', { class: 'plain-list', 'data-testid': 'iv-sources' }, x.sources.map((s) => h('li', { 'data-testid': 'iv-source' },
        h('span', { class: 'chip' }, sourceKindLabel(s.kind)), ' ',
        h('span', { class: 'grade', title: t('inc.grade_title', { reliability: s.reliability || '?', credibility: s.credibility || '?' }) }, `${s.reliability || '?'}${s.credibility || '?'}`),
        s.name ? [' · ', h('span', { dir: 'auto', 'data-testid': 'iv-source-name' }, s.name)] : null,
        s.reference ? [' · ', h('span', { dir: 'auto' }, s.reference)] : null))) : h('p', { class: 'hint' }, t('inc.none')),
      linked.length ? [h('h3', null, t('inc.field.links')), h('ul', { class: 'plain-list', 'data-testid': 'iv-links' }, linked.map((k) => h('li', null, tOpt(`inc.link.${k}`, k), ' ', h('span', { dir: 'ltr' }, x.links[k].join(', ')))))] : null,
      h('h3', null, t('inc.field.history')),
      h('ol', { class: 'history inc-history', 'data-testid': 'iv-history' }, (x.history || []).map((e) => h('li', null,
        h('span', { class: `chip inc-status inc-status-${e.status}` }, statusLabel(e.status)), ' ',
        e.event ? h('span', { class: 'hist-event', 'data-event': e.event }, eventLabel(e.event)) : null, ' ', e.at ? timeEl(e.at) : null,
        e.by ? ` · ${e.by}` : null, e.note ? [' · ', h('span', { dir: 'auto' }, e.note)] : null))),
      this.reviewForm(x)];
    v.append(...parts.flat(Infinity).filter((p) => p !== null && p !== undefined && p !== false));
    v.dataset.ready = '1';
    v.dataset.id = x.id;
    v.dataset.status = x.status || '';
    if (prev && prev.id === x.id && prev.status === (x.status || '') && $('#rv-note')) {
      $('#rv-note').value = prev.note;
      if (prev.confidence !== null && $('#rv-confidence')) $('#rv-confidence').value = prev.confidence;
      if (prev.into !== null && $('#rv-into')) $('#rv-into').value = prev.into;
      if (prev.attribution && $('#rv-attribution')) {
        const was = new Map(prev.attribution);
        for (const c of $$('#rv-attribution input')) if (was.has(c.value)) c.checked = was.get(c.value);
      }
      const f = prev.focus && ($(`#${prev.focus}`) || $(`[data-testid="${prev.focus}"]`));
      if (f) f.focus();
    }
  }

  // ---- the CMCC's review ----

  reviewForm(x) {
    if (!can(this.ctx.me, 'incident.review')) return null;
    const actions = ACTIONS[x.status] || [];
    if (!actions.length) return null;
    const needsAttr = actions.includes('confirm') || actions.includes('unconfirm');
    const parties = (this.data.taxonomy && this.data.taxonomy.parties) || [];
    const perp = new Set((x.attribution && x.attribution.length ? x.attribution : (x.parties || []).filter((p) => p.role === 'perpetrator').map((p) => p.party)).filter(Boolean));
    const box = (p) => h('label', null,
      h('input', { type: 'checkbox', value: p.id, checked: perp.has(p.id), 'data-testid': `rv-party-${p.id}` }), ' ', this.data.partyLabel(p.id));
    const others = parties.filter((p) => !ARMED.has(p.kind));
    const form = h('form', { class: 'inc-review', novalidate: true, 'data-testid': 'rv-form', 'aria-labelledby': 'rv-title' },
      h('h3', { id: 'rv-title' }, t('inc.review.title')),
      needsAttr ? h('fieldset', { class: 'field-group', id: 'rv-attribution', tabindex: '-1', 'data-testid': 'rv-attribution' },
        h('legend', null, t('inc.field.attribution')),
        h('p', { class: 'hint' }, t('inc.review.attribution_hint')),
        h('div', { class: 'check-grid' }, parties.filter((p) => ARMED.has(p.kind)).map(box)),
        others.length ? h('details', { open: others.some((p) => perp.has(p.id)) },
          h('summary', null, t('inc.review.organisations')),
          h('div', { class: 'check-grid' }, others.map(box))) : null,
        h('p', { id: 'rv-attribution-error', class: 'field-error', hidden: true })) : null,
      needsAttr ? h('div', { class: 'field' },
        h('label', { for: 'rv-confidence' }, t('inc.field.confidence')),
        h('select', { id: 'rv-confidence', 'data-testid': 'rv-confidence' },
          h('option', { value: '' }, t('inc.review.choose_confidence')),
          CONFIDENCE.map((c) => h('option', { value: c, selected: x.confidence === c }, confidenceLabel(c)))),
        h('p', { id: 'rv-confidence-error', class: 'field-error', hidden: true })) : null,
      actions.includes('merge') ? h('div', { class: 'field' },
        h('label', { for: 'rv-into' }, t('inc.review.into')),
        h('input', { id: 'rv-into', type: 'text', dir: 'ltr', autocomplete: 'off', 'aria-describedby': 'rv-into-hint', 'data-testid': 'rv-into' }),
        h('p', { id: 'rv-into-hint', class: 'hint' }, t('inc.review.into_hint')),
        h('p', { id: 'rv-into-error', class: 'field-error', hidden: true })) : null,
      h('div', { class: 'field' },
        h('label', { for: 'rv-note' }, t('inc.review.note')),
        h('textarea', { id: 'rv-note', rows: '2', dir: 'auto', 'aria-describedby': 'rv-note-hint', 'data-testid': 'rv-note' }),
        h('p', { id: 'rv-note-hint', class: 'hint' }, t('inc.review.note_hint')),
        h('p', { id: 'rv-note-error', class: 'field-error', hidden: true })),
      h('p', { id: 'rv-form-error', class: 'form-error', role: 'alert', 'data-testid': 'rv-form-error', hidden: true }),
      h('div', { class: 'form-actions' },
        actions.map((a) => h('button', {
          type: 'button', class: ['btn', a === 'confirm' ? 'btn-primary' : null], 'data-action': a, 'data-testid': `rv-${a}`,
          onclick: () => this.act(x, a),
        }, tOpt(`inc.action.${a}`, a))),
        h('span', { id: 'rv-status', class: 'form-status', role: 'status', 'data-testid': 'rv-status' })));
    return form;
  }

  async act(x, action) {
    const errors = new FormErrors(REVIEW_FIELDS, 'rv-form-error');
    errors.clearAll();
    const note = $('#rv-note').value.trim();
    const body = {};
    if (note) body.note = note;
    if (action === 'confirm' || action === 'unconfirm') {
      const attr = $$('#rv-attribution input:checked').map((c) => c.value);
      const conf = $('#rv-confidence').value;
      if (attr.length || action === 'confirm') body.attribution = attr;
      if (conf || action === 'confirm') body.confidence = conf || undefined;
    }
    if (action === 'merge') body.into = $('#rv-into').value.trim();
    const btns = $$('.inc-review button');
    for (const b of btns) b.disabled = true;
    try {
      await pending($('.inc-review'), () => api('POST', `/api/v1/incidents/${encodeURIComponent(x.id)}/${action}`, body));
      $('#inc-announce').textContent = t('inc.review.done', { id: x.id, action: tOpt(`inc.action.${action}`, action) });
      await this.open(x.id, false, { keep: false });
      const st = $('#rv-status');
      if (st) st.textContent = t('inc.review.done', { id: x.id, action: tOpt(`inc.action.${action}`, action) });
      this.load();
    } catch (e) {
      for (const b of btns) b.disabled = false;
      errors.report(e);
    }
  }

  // ---- ACLED import ----

  toggleImport() {
    const box = $('#inc-import');
    box.hidden = !box.hidden;
    $('#inc-import-toggle').setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) $('#imp-file').focus();
  }

  async importCsv() {
    const errors = new FormErrors({ rows: 'imp-file', file: 'imp-file', body: 'imp-file' }, 'imp-form-error');
    errors.clearAll();
    $('#imp-status').textContent = '';
    const file = $('#imp-file').files[0];
    if (!file) { errors.showLocal('imp-file', 'inc.import.no_file'); $('#imp-file').focus(); return; }
    const btn = $('[data-testid="imp-submit"]');
    btn.disabled = true;
    try {
      const text = await file.text();
      const r = await api('POST', '/api/v1/incidents/import', text, { type: 'text/csv' });
      $('#imp-status').textContent = t('inc.import.done', { n: r.imported, ids: (r.ids || []).slice(0, 10).join(', ') });
      this.load();
    } catch (e) {
      const rows = (e.details && e.details.rows) || [];
      if (rows.length && errors.show('imp-file', e)) {
        const box = $('#imp-file-error');
        box.append(h('ul', { class: 'bad-rows', 'data-testid': 'imp-rows' }, rows.slice(0, 200).map((r) => h('li', { 'data-line': String(r.line), 'data-field': r.field || '' },
          t('inc.import.row', { line: r.line, field: r.field || '—' }), ' ', h('span', { lang: 'en', dir: 'ltr' }, r.message || '')))),
        rows.length > 200 ? h('p', null, t('inc.import.more_rows', { n: rows.length - 200 })) : null);
        $('#imp-file').focus();
      } else {
        errors.report(e);
      }
    } finally {
      btn.disabled = false;
    }
  }
}


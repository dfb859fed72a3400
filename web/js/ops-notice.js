// ops-notice.js — the notifier's view (#/notices, the IDF liaison): notify
// an operation (inform or coordinate; kind; the area as a point clicked on
// the map with a radius, or a polygon clicked vertex by vertex; the window;
// the urgency and, for coordinate, when an answer is needed; a description
// without personal data); follow each notice of the organisation: its
// status, the conflicts found, the CMCC's decisions, the narrowing proposal
// drawn beside the area; answer a narrowing request (accept the proposal,
// amend the notice, or answer with a note); report the outcome once the
// window has begun.
import { api } from './api.js';
import { t, tOpt, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { zonedToUtc, utcToZoned, getZone, zoneLabel } from './time.js';
import { FormErrors, errorText } from './forms.js';
import {
  OpsData, OP_KINDS, URGENCIES, OUTCOMES, RESPONSES, DEFAULT_ANSWER_MINUTES, byDeadline, lastProposal, outcomeDue,
  kindLabel, urgencyLabel, outcomeLabel,
} from './ops-data.js';
import { OpsMap } from './ops-map.js';
import { operationDetails, opListItem, setCountdown, proposalBox } from './ops-view.js';

/* global L */

const round6 = (x) => Math.round(x * 1e6) / 1e6;
const num = (s) => {
  const v = String(s || '').trim().replace(',', '.');
  return v === '' ? null : (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
};
const FIELDS = {
  mode: 'on-mode', kind: 'on-kind', geometry: 'on-lat', 'geometry.coordinates': 'on-lat', radius_m: 'on-radius',
  window_from: 'on-from', window_until: 'on-until', urgency: 'on-urgency', answer_by: 'on-answer-by', description: 'on-description',
};

function field(id, labelKey, control, { hint, hintKey, testid } = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id, 'data-i18n': labelKey }),
    control,
    hintKey ? h('p', { id: `${id}-hint`, class: 'hint', 'data-i18n': hintKey }) : null,
    hint ? h('p', { id: `${id}-hint`, class: 'hint', 'data-testid': `${testid || id}-hint` }) : null,
    h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': `${testid || id}-error`, hidden: true }));
}

export class NoticesPage {
  constructor(ctx, notifyData) {
    this.ctx = ctx;
    this.data = new OpsData();
    this.selected = null;        // an operation id, or null: the new-notice form
    this.shownSig = null;
    this.shownId = null;
    this.visible = false;
    this.mode = 'point';
    this.centre = null;
    this.vertices = [];
    this.draftLayer = null;
    this.el = this.build();
    this.errors = new FormErrors(FIELDS, 'on-form-error');
    this.omap = new OpsMap($('#on-map'), ctx, notifyData, { prefix: 'on-', opsOf: () => this.data.ops });
    this.data.onChange(() => { if (this.visible) this.render(); });
    notifyData.onChange(() => { if (this.visible && this.omap.map && this.selected) this.drawSelected(false); });
    onLangChange(() => { this.fillSelects(); this.renderHints(); this.renderVertices(); this.shownSig = null; if (this.visible) this.render(); });
    this.fillSelects();
  }

  build() {
    const sec = h('section', { id: 'view-notices', class: 'view view-ops', 'data-view': 'notices', 'aria-labelledby': 'on-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'on-title', tabindex: '-1', 'data-i18n': 'ops.notices.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'ops.notices.sub' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'on-refresh', 'data-i18n': 'form.refresh', onclick: () => this.data.load() })),
      h('p', { id: 'on-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'on-error', hidden: true }),
      h('div', { class: 'ops-layout' },
        h('section', { class: 'ops-list-pane', 'aria-labelledby': 'on-list-title' },
          h('button', { type: 'button', class: 'btn btn-primary ops-new', id: 'on-new', 'data-testid': 'on-new', 'data-i18n': 'ops.notices.new', onclick: () => this.select(null, true) }),
          h('h2', { id: 'on-list-title', class: 'ops-pane-title', 'data-i18n': 'ops.notices.mine' }),
          h('p', { id: 'on-empty', class: 'empty', 'data-testid': 'on-empty', 'data-i18n': 'ops.notices.empty', hidden: true }),
          h('ol', { id: 'on-list', class: 'ops-list', 'data-testid': 'on-list' })),
        h('div', { id: 'on-map', class: 'map ops-map is-drawing', 'data-testid': 'on-map', role: 'region', 'data-i18n-attr': 'aria-label:ops.map.region_draw' }),
        h('aside', { class: 'ops-side card' },
          this.buildForm(),
          h('p', { id: 'on-result', class: 'form-status ops-result', role: 'status', 'data-testid': 'on-result' }),
          h('div', { id: 'on-actions' }),
          h('div', { id: 'on-detail', 'data-testid': 'on-detail', hidden: true }))));
    $('#main').append(sec);
    applyI18n(sec);
    return sec;
  }

  buildForm() {
    const radio = (name, value, key, checked) => h('label', null,
      h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked, 'data-testid': `${name}-${value}` }), ' ', h('span', { 'data-i18n': key }));
    const form = h('form', { id: 'on-form', class: 'notify-form', novalidate: true, 'data-testid': 'on-form', 'aria-labelledby': 'on-form-title' },
      h('h2', { id: 'on-form-title', 'data-i18n': 'ops.notices.form_title' }),
      h('fieldset', { class: 'field-group', id: 'on-mode' },
        h('legend', { 'data-i18n': 'ops.field.mode' }),
        h('div', { class: 'radio-row' }, radio('on-mode', 'coordinate', 'ops.mode.coordinate', true), radio('on-mode', 'inform', 'ops.mode.inform', false)),
        h('p', { class: 'hint', id: 'on-mode-hint', 'data-testid': 'on-mode-hint' }),
        h('p', { id: 'on-mode-error', class: 'field-error', hidden: true })),
      field('on-kind', 'ops.field.kind', h('select', { id: 'on-kind', 'data-testid': 'on-kind' })),
      h('fieldset', { class: 'field-group' },
        h('legend', { 'data-i18n': 'ops.field.area' }),
        h('div', { class: 'radio-row' }, radio('on-shape', 'point', 'ops.area.point', true), radio('on-shape', 'polygon', 'ops.area.polygon_mode', false)),
        h('p', { id: 'on-area-hint', class: 'hint', 'data-testid': 'on-area-hint' }),
        h('div', { id: 'on-point-fields' },
          h('div', { class: 'field-pair' },
            h('div', { class: 'field' }, h('label', { for: 'on-lat', 'data-i18n': 'field.lat' }),
              h('input', { id: 'on-lat', type: 'text', inputmode: 'decimal', dir: 'ltr', autocomplete: 'off', 'data-testid': 'on-lat' })),
            h('div', { class: 'field' }, h('label', { for: 'on-lon', 'data-i18n': 'field.lon' }),
              h('input', { id: 'on-lon', type: 'text', inputmode: 'decimal', dir: 'ltr', autocomplete: 'off', 'data-testid': 'on-lon' }))),
          field('on-radius', 'field.radius_m', h('input', { id: 'on-radius', type: 'number', min: '1', max: '20000', step: '1', value: '500', 'data-testid': 'on-radius' }))),
        h('div', { id: 'on-polygon-fields', hidden: true },
          h('ol', { id: 'on-vertices', class: 'waypoints', 'data-testid': 'on-vertices' }),
          h('button', { type: 'button', class: 'btn btn-small', id: 'on-clear', 'data-testid': 'on-clear', 'data-i18n': 'dc.form.clear_polygon' })),
        h('p', { id: 'on-lat-error', class: 'field-error', 'data-testid': 'on-geometry-error', hidden: true })),
      h('div', { class: 'ops-window-fields' },
        field('on-from', 'ops.field.window_from', h('input', { id: 'on-from', type: 'datetime-local', step: '60', 'aria-describedby': 'on-time-hint', 'data-testid': 'on-from' })),
        field('on-until', 'ops.field.window_until', h('input', { id: 'on-until', type: 'datetime-local', step: '60', 'aria-describedby': 'on-time-hint', 'data-testid': 'on-until' }))),
      h('p', { id: 'on-time-hint', class: 'hint time-hint', 'data-testid': 'on-time-hint' }),
      field('on-urgency', 'ops.field.urgency', h('select', { id: 'on-urgency', 'data-testid': 'on-urgency' })),
      h('div', { id: 'on-answer-box' },
        field('on-answer-by', 'ops.field.answer_by', h('input', { id: 'on-answer-by', type: 'datetime-local', step: '60', 'aria-describedby': 'on-answer-by-hint', 'data-testid': 'on-answer-by' }), { hint: true })),
      field('on-description', 'ops.field.description', h('textarea', { id: 'on-description', rows: '3', dir: 'auto', 'aria-describedby': 'on-description-hint', 'data-testid': 'on-description' }), { hintKey: 'ops.notices.description_hint' }),
      h('p', { id: 'on-form-error', class: 'form-error', role: 'alert', 'data-testid': 'on-form-error', hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'on-submit', 'data-i18n': 'ops.notices.submit' }),
        h('span', { id: 'on-status', class: 'form-status', role: 'status', 'data-testid': 'on-status' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    form.addEventListener('change', (e) => {
      if (e.target.name === 'on-mode') this.renderHints();
      if (e.target.name === 'on-shape') this.setShape(e.target.value);
      if (e.target.id === 'on-urgency') this.renderHints();
    });
    form.addEventListener('input', (e) => {
      if (e.target.id === 'on-lat' || e.target.id === 'on-lon') this.centreFromInputs();
      if (e.target.id === 'on-radius') this.drawDraft();
    });
    form.querySelector('#on-clear').addEventListener('click', () => { this.vertices = []; this.renderVertices(); });
    return form;
  }

  fillSelects() {
    const fill = (sel, values, label) => {
      const was = sel.value;
      clear(sel);
      for (const v of values) sel.append(h('option', { value: v }, label(v)));
      if (was) sel.value = was;
    };
    fill($('#on-kind'), OP_KINDS, kindLabel);
    const u = $('#on-urgency');
    fill(u, URGENCIES, urgencyLabel);
    if (!u.dataset.init) { u.value = 'urgent'; u.dataset.init = '1'; }
  }

  answerMinutes(urgency) {
    const s = this.ctx.mission && this.ctx.mission.settings && this.ctx.mission.settings.answer_minutes;
    return (s && s[urgency]) || DEFAULT_ANSWER_MINUTES[urgency];
  }

  modeValue() { const r = this.el.querySelector('input[name="on-mode"]:checked'); return r ? r.value : 'coordinate'; }

  renderHints() {
    const mode = this.modeValue();
    $('#on-mode-hint').textContent = mode === 'inform' ? t('ops.notices.inform_hint') : t('ops.notices.coordinate_hint');
    $('#on-answer-box').hidden = mode !== 'coordinate';
    $('#on-answer-by-hint').textContent = t('ops.notices.answer_hint', { n: this.answerMinutes($('#on-urgency').value) });
    $('#on-time-hint').textContent = t('form.time_hint', { zone: getZone(), offset: zoneLabel() });
    $('#on-area-hint').textContent = this.mode === 'point' ? t('ops.notices.point_hint') : t('dc.form.polygon_hint');
  }

  reset() {
    this.hide();
    this.data.reset();
    this.selected = null;
    this.shownSig = null;
    this.shownId = null;
    $('#on-form').reset();
    this.errors.clearAll();
    this.centre = null;
    this.vertices = [];
    this.setShape('point');
    clear($('#on-result'));
  }

  hide() { this.visible = false; clearInterval(this.timer); this.timer = null; }

  show(sub) {
    this.visible = true;
    const first = !this.omap.mm;
    this.omap.show();
    if (first) {
      this.omap.map.on('click', (e) => this.mapClick(e.latlng));
      this.omap.map.createPane('onDraftPane').style.zIndex = 600;
    }
    if (sub) this.selected = sub;
    const now = Math.ceil(Date.now() / 60000) * 60000;
    if (!$('#on-from').value) $('#on-from').value = utcToZoned(now + 3600e3);
    if (!$('#on-until').value) $('#on-until').value = utcToZoned(now + 3 * 3600e3);
    this.renderHints();
    this.setShape(this.mode);
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000);
    this.render();
    return this.data.load();
  }

  // ---- the area drawn on the map ----

  setShape(mode) {
    this.mode = mode;
    const r = this.el.querySelector(`#on-shape-${mode}`);
    if (r) r.checked = true;
    $('#on-point-fields').hidden = mode !== 'point';
    $('#on-polygon-fields').hidden = mode !== 'polygon';
    if (this.omap.mm) this.omap.el.setAttribute('data-mode', mode);
    this.renderHints();
    this.renderVertices();
  }

  mapClick(latlng) {
    if (this.selected) return;   // the map shows a notice, not the form
    const p = [round6(latlng.lng), round6(latlng.lat)];
    this.errors.clear('on-lat');
    if (this.mode === 'point') {
      this.centre = p;
      $('#on-lat').value = String(p[1]);
      $('#on-lon').value = String(p[0]);
      this.drawDraft();
    } else {
      this.vertices.push(p);
      this.renderVertices();
    }
  }

  centreFromInputs() {
    const lat = num($('#on-lat').value), lon = num($('#on-lon').value);
    this.centre = lat !== null && lon !== null && !Number.isNaN(lat) && !Number.isNaN(lon) ? [lon, lat] : null;
    this.drawDraft();
  }

  renderVertices() {
    const ol = clear($('#on-vertices'));
    this.vertices.forEach((v, i) => {
      const n = i + 1;
      const lat = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', value: String(v[1]), 'aria-label': t('dc.form.vertex_lat', { n }), 'data-testid': `on-v-lat-${n}` });
      const lon = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', value: String(v[0]), 'aria-label': t('dc.form.vertex_lon', { n }), 'data-testid': `on-v-lon-${n}` });
      const upd = () => { const a = num(lat.value), b = num(lon.value); v[1] = a === null ? NaN : a; v[0] = b === null ? NaN : b; this.drawDraft(); };
      lat.addEventListener('input', upd);
      lon.addEventListener('input', upd);
      ol.append(h('li', { class: 'waypoint' }, h('span', { class: 'wp-badge', 'aria-hidden': 'true' }, String(n)), h('span', { class: 'wp-fields' }, lat, lon),
        h('button', { type: 'button', class: 'btn btn-small btn-icon', 'aria-label': t('dc.form.vertex_remove', { n }), title: t('dc.form.vertex_remove', { n }), onclick: () => { this.vertices.splice(i, 1); this.renderVertices(); } }, '×')));
    });
    this.drawDraft();
  }

  draftGeometry() {
    if (this.mode === 'point') return this.centre ? { type: 'Point', coordinates: this.centre } : null;
    const pts = this.vertices.filter((v) => Number.isFinite(v[0]) && Number.isFinite(v[1]));
    return pts.length >= 3 ? { type: 'Polygon', coordinates: [[...pts.map((v) => [v[0], v[1]]), [pts[0][0], pts[0][1]]]] } : null;
  }

  drawDraft() {
    const map = this.omap.map;
    if (!map || this.selected) return;
    if (this.draftLayer) { map.removeLayer(this.draftLayer); this.draftLayer = null; }
    const g = this.draftGeometry();
    const r = Math.max(1, Number($('#on-radius').value) || 1);
    this.omap.draw(null, { draft: g ? { geometry: g, radius_m: r } : null }, false);
    if (this.mode === 'polygon') {
      const grp = L.layerGroup();
      const pts = this.vertices.filter((v) => Number.isFinite(v[0]) && Number.isFinite(v[1])).map((v) => [v[1], v[0]]);
      if (pts.length === 2) L.polyline(pts, { pane: 'onDraftPane', color: '#16325c', weight: 2, dashArray: '4 4', interactive: false }).addTo(grp);
      pts.forEach((p, i) => L.marker(p, { pane: 'onDraftPane', icon: L.divIcon({ className: 'waypoint-marker', html: `<span class="wp-num">${i + 1}</span>`, iconSize: [22, 22], iconAnchor: [11, 11] }), keyboard: false, interactive: false }).addTo(grp));
      this.draftLayer = grp.addTo(map);
    }
  }

  // ---- the list and the selected notice ----

  select(id, focus) {
    if (id !== this.selected) clear($('#on-result'));
    this.selected = id;
    if (this.visible) history.replaceState(null, '', id ? `#/notices/${id}` : '#/notices');
    this.shownSig = null;
    this.render(true);
    if (focus) {
      const target = id ? $('#on-detail h2') : $('#on-form-title');
      if (target) { target.setAttribute('tabindex', '-1'); target.focus(); }
    }
  }

  render(fit = false) {
    const err = $('#on-error');
    err.hidden = !this.data.error;
    err.textContent = this.data.error ? errorText(this.data.error) : '';
    const ops = [...this.data.ops].sort(byDeadline);
    const list = clear($('#on-list'));
    $('#on-empty').hidden = !this.data.loaded || ops.length > 0;
    for (const op of ops) list.append(opListItem(op, { prefix: 'on', selected: op.id === this.selected, secondsLeft: this.data.secondsLeft(op), onSelect: (id) => this.select(id, true) }));
    this.el.dataset.ready = this.data.loaded ? '1' : '0';
    const form = $('#on-form');
    form.hidden = !!this.selected;
    $('#on-detail').hidden = !this.selected;
    $('#on-new').setAttribute('aria-pressed', this.selected ? 'false' : 'true');
    if (!this.selected) {
      clear($('#on-actions'));
      this.shownSig = null;
      this.shownId = null;
      if (this.omap.map) this.drawDraft();
      return;
    }
    const op = this.data.get(this.selected);
    const sig = op ? JSON.stringify({ ...op, seconds_left: undefined, _at: undefined }) : 'none';
    if (sig === this.shownSig) return;
    const changed = !op || op.id !== this.shownId;
    this.shownSig = sig;
    this.shownId = op ? op.id : null;
    if (this.draftLayer && this.omap.map) { this.omap.map.removeLayer(this.draftLayer); this.draftLayer = null; }
    const hadFocus = $('#on-detail').contains(document.activeElement);
    const box = clear($('#on-detail'));
    if (!op) {
      box.append(h('p', { class: 'hint' }, this.data.loaded ? t('ops.detail.gone') : t('ops.detail.loading')));
      clear($('#on-actions'));
      this.omap.draw(null, {}, false);
      return;
    }
    box.append(operationDetails(op, {
      prefix: 'on', orgName: this.ctx.orgName, posName: (x) => this.ctx.posName(x), secondsLeft: this.data.secondsLeft(op),
      onFocus: (c) => this.omap.focusConflict(c), showProposal: op.status !== 'narrowing_requested',
    }));
    this.renderActions(op, changed);
    this.drawSelected(fit || changed);
    if (hadFocus) { const t2 = box.querySelector('h2'); if (t2) t2.focus({ preventScroll: true }); }
  }

  drawSelected(fit) {
    const op = this.selected ? this.data.get(this.selected) : null;
    const lp = op ? lastProposal(op) : null;
    this.omap.draw(op, { proposal: lp && lp.open ? lp.proposal : null }, fit);
  }

  // The notifier's answers: to a narrowing request, and the outcome.
  renderActions(op, fresh) {
    const box = $('#on-actions');
    if (!fresh && box.contains(document.activeElement)) return;   // keep what is being typed
    clear(box);
    if (op.status === 'narrowing_requested') box.append(this.respondForm(op));
    if (outcomeDue(op)) box.append(this.outcomeForm(op));
  }

  respondForm(op) {
    const p = op.proposal;
    const point = op.geometry && op.geometry.type === 'Point';
    const err = (id) => h('p', { id: `${id}-error`, class: 'field-error', role: 'alert', 'data-testid': `${id}-error`, hidden: true });
    const choices = h('div', { class: 'radio-col' }, RESPONSES.map((r) => h('label', { class: 'radio-line' },
      h('input', { type: 'radio', name: 'on-response', value: r, id: `on-response-${r}`, 'data-testid': `on-response-${r}`, disabled: r === 'accept' && !(p && p.possible), checked: r === 'accept' && p && p.possible }),
      ' ', h('span', null, tOpt(`ops.response.${r}`, r)))));
    const radius = h('input', { id: 'on-amend-radius', type: 'number', min: '1', max: '20000', step: '1', value: point ? String(Math.round(op.radius_m || 0)) : '', disabled: !point, 'data-testid': 'on-amend-radius' });
    const from = h('input', { id: 'on-amend-from', type: 'datetime-local', step: '60', value: utcToZoned(op.window_from), 'data-testid': 'on-amend-from' });
    const until = h('input', { id: 'on-amend-until', type: 'datetime-local', step: '60', value: utcToZoned(op.window_until), 'data-testid': 'on-amend-until' });
    const note = h('textarea', { id: 'on-answer-note', rows: '2', dir: 'auto', 'data-testid': 'on-answer-note' });
    const amend = h('div', { id: 'on-amend-fields', class: 'field-group', hidden: true },
      point ? h('div', { class: 'field' }, h('label', { for: 'on-amend-radius' }, t('field.radius_m')), radius, err('on-amend-radius')) : null,
      h('div', { class: 'field-pair' },
        h('div', { class: 'field' }, h('label', { for: 'on-amend-from' }, t('ops.field.window_from')), from, err('on-amend-from')),
        h('div', { class: 'field' }, h('label', { for: 'on-amend-until' }, t('ops.field.window_until')), until, err('on-amend-until'))));
    const answer = h('div', { id: 'on-answer-fields', class: 'field', hidden: true },
      h('label', { for: 'on-answer-note' }, t('ops.field.answer_note')), note, err('on-answer-note'));
    const formErr = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'on-respond-error', hidden: true });
    const respErr = err('on-response');
    const sync = () => {
      const v = (form.querySelector('input[name="on-response"]:checked') || {}).value;
      amend.hidden = v !== 'amend';
      answer.hidden = v !== 'answer';
    };
    const form = h('form', { class: 'ops-respond-form', novalidate: true, 'data-testid': 'on-respond-form', 'aria-labelledby': 'on-respond-title' },
      h('h2', { id: 'on-respond-title' }, t('ops.respond.title')),
      h('p', { class: 'hint' }, p && p.possible ? t('ops.respond.hint') : t('ops.respond.hint_impossible')),
      proposalBox(p, { prefix: 'on', open: true }),
      h('fieldset', { class: 'field-group', id: 'on-response' }, h('legend', null, t('ops.respond.choose')), choices, respErr),
      amend, answer, formErr,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'on-respond-submit' }, t('ops.respond.submit'))));
    form.addEventListener('change', sync);
    sync();
    const show = (id, e) => {
      const b = form.querySelector(`#${id}-error`);
      if (!b) return false;
      if (e.local) clear(b).append(h('span', { class: 'err-title' }, e.local));
      else clear(b).append(h('span', { class: 'err-title' }, tOpt(`error.${e.code}`, t('error.generic'))), ' ', h('span', { class: 'err-detail', lang: 'en', dir: 'ltr' }, e.serverMessage || ''));
      b.hidden = false;
      const c = form.querySelector(`#${id}`);
      if (c) { c.setAttribute('aria-invalid', 'true'); c.setAttribute('aria-describedby', b.id); if (c.focus) c.focus(); }
      return true;
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const b of form.querySelectorAll('.field-error')) { b.hidden = true; clear(b); }
      for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
      formErr.hidden = true;
      const v = (form.querySelector('input[name="on-response"]:checked') || {}).value;
      if (!v) { show('on-response', { local: t('ops.respond.choose') }); return; }
      const body = { response: v };
      if (v === 'amend') {
        // A new radius goes with its centre (the server reads radius_m with a geometry).
        if (point && radius.value.trim() !== '' && Number(radius.value) !== op.radius_m) {
          body.geometry = op.geometry;
          body.radius_m = Number(radius.value);
        }
        // Only what the notifier changed (the fields show whole minutes).
        if (from.value !== utcToZoned(op.window_from)) body.window_from = zonedToUtc(from.value) || from.value;
        if (until.value !== utcToZoned(op.window_until)) body.window_until = zonedToUtc(until.value) || until.value;
        if (Object.keys(body).length === 1) { show('on-response', { local: t('ops.respond.nothing_changed') }); return; }
      }
      if (v === 'answer') {
        if (!note.value.trim()) { show('on-answer-note', { local: t('ops.respond.note_needed') }); return; }
        body.note = note.value.trim();
      }
      const btn = form.querySelector('button[type="submit"]');
      btn.disabled = true;
      try {
        const r = await api('POST', `/api/v1/operations/${encodeURIComponent(op.id)}/respond`, body);
        $('#on-result').textContent = t('ops.respond.done', { id: op.id, response: tOpt(`ops.response.${v}`, v) });
        this.data.put(r.operation);
        this.data.reloadSoon(50);
      } catch (err) {
        const map = { response: 'on-response', radius_m: 'on-amend-radius', window_from: 'on-amend-from', window_until: 'on-amend-until', note: 'on-answer-note', geometry: 'on-amend-radius' };
        if (!(map[err.field] && show(map[err.field], err))) { formErr.textContent = errorText(err); formErr.hidden = false; }
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  outcomeForm(op) {
    const sel = h('select', { id: 'on-outcome-result', 'data-testid': 'on-outcome-result' }, OUTCOMES.map((o) => h('option', { value: o }, outcomeLabel(o))));
    const note = h('textarea', { id: 'on-outcome-note', rows: '2', dir: 'auto', 'data-testid': 'on-outcome-note' });
    const inc = h('input', { id: 'on-outcome-incidents', type: 'text', dir: 'ltr', autocomplete: 'off', 'aria-describedby': 'on-outcome-incidents-hint', 'data-testid': 'on-outcome-incidents' });
    const errs = {};
    const err = (id) => { errs[id] = h('p', { id: `${id}-error`, class: 'field-error', role: 'alert', hidden: true }); return errs[id]; };
    const formErr = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'on-outcome-error', hidden: true });
    const form = h('form', { class: 'ops-outcome-form', novalidate: true, 'data-testid': 'on-outcome-form', 'aria-labelledby': 'on-outcome-title' },
      h('h2', { id: 'on-outcome-title' }, t('ops.outcome_form.title')),
      h('div', { class: 'field' }, h('label', { for: 'on-outcome-result' }, t('ops.outcome_form.result')), sel, err('on-outcome-result')),
      h('div', { class: 'field' }, h('label', { for: 'on-outcome-note' }, t('ops.field.note')), note, err('on-outcome-note')),
      h('div', { class: 'field' }, h('label', { for: 'on-outcome-incidents' }, t('ops.outcome_form.incidents')), inc,
        h('p', { class: 'hint', id: 'on-outcome-incidents-hint' }, t('ops.outcome_form.incidents_hint')), err('on-outcome-incidents')),
      formErr,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'on-outcome-submit' }, t('ops.outcome_form.submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const b of Object.values(errs)) { b.hidden = true; clear(b); }
      formErr.hidden = true;
      const body = { result: sel.value };
      if (note.value.trim()) body.note = note.value.trim();
      const ids = inc.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
      if (ids.length) body.incidents = ids;
      const btn = form.querySelector('button[type="submit"]');
      btn.disabled = true;
      try {
        const r = await api('POST', `/api/v1/operations/${encodeURIComponent(op.id)}/outcome`, body);
        $('#on-result').textContent = t('ops.outcome_form.done', { id: op.id });
        this.data.put(r.operation);
      } catch (err2) {
        const map = { result: 'on-outcome-result', note: 'on-outcome-note', incidents: 'on-outcome-incidents' };
        const id = map[String(err2.field || '').split(/[.[]/)[0]];
        if (id && errs[id]) {
          clear(errs[id]).append(h('span', { class: 'err-title' }, tOpt(`error.${err2.code}`, t('error.generic'))), ' ', h('span', { class: 'err-detail', lang: 'en', dir: 'ltr' }, err2.serverMessage || ''));
          errs[id].hidden = false;
          const c = form.querySelector(`#${id}`);
          c.setAttribute('aria-invalid', 'true');
          c.focus();
        } else { formErr.textContent = errorText(err2); formErr.hidden = false; }
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  // ---- a new notice ----

  body() {
    const body = { mode: this.modeValue(), kind: $('#on-kind').value };
    if (this.mode === 'point') {
      const lat = num($('#on-lat').value), lon = num($('#on-lon').value);
      if (lat !== null || lon !== null) {
        if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon)) return { bad: ['on-lat', 'form.bad_coordinates'] };
        body.geometry = { type: 'Point', coordinates: [lon, lat] };
      }
      const r = $('#on-radius').value.trim();
      if (r !== '') body.radius_m = Number(r);
    } else {
      if (this.vertices.some((v) => !Number.isFinite(v[0]) || !Number.isFinite(v[1]))) return { bad: ['on-lat', 'form.bad_coordinates'] };
      if (this.vertices.length) body.geometry = { type: 'Polygon', coordinates: [[...this.vertices.map((v) => [v[0], v[1]]), [this.vertices[0][0], this.vertices[0][1]]]] };
    }
    const from = $('#on-from').value, until = $('#on-until').value;
    if (from) body.window_from = zonedToUtc(from) || from;
    if (until) body.window_until = zonedToUtc(until) || until;
    body.urgency = $('#on-urgency').value;
    const ab = $('#on-answer-by').value;
    if (body.mode === 'coordinate' && ab) body.answer_by = zonedToUtc(ab) || ab;
    body.description = $('#on-description').value.trim();
    return { body };
  }

  async submit() {
    this.errors.clearAll();
    const { body, bad } = this.body();
    if (bad) { this.errors.showLocal(bad[0], bad[1]); $(`#${bad[0]}`).focus(); return; }
    const btn = this.el.querySelector('[data-testid="on-submit"]');
    const status = $('#on-status');
    btn.disabled = true;
    status.textContent = t('ops.form.sending');
    try {
      const r = await api('POST', '/api/v1/operations', body);
      status.textContent = '';
      const op = r.operation;
      this.data.put(op);
      $('#on-form').reset();
      $('#on-urgency').value = 'urgent';
      this.centre = null;
      this.vertices = [];
      this.setShape('point');
      $('#on-from').value = '';
      $('#on-until').value = '';
      this.select(op.id, true);
      $('#on-result').textContent = t('ops.notices.sent', { id: op.id, n: (op.conflicts || []).length });
      this.data.reloadSoon(50);
    } catch (err) {
      status.textContent = '';
      const id = this.errors.report(err);
      if (id === 'on-lat' && this.mode === 'polygon') { const first = $('#on-vertices input'); if (first) first.focus(); }
      if (id === 'on-mode') { const r = this.el.querySelector('input[name="on-mode"]:checked'); if (r) r.focus(); }
    } finally {
      btn.disabled = false;
    }
  }

  tick() {
    for (const e of this.el.querySelectorAll('[data-countdown][data-op]')) {
      const op = this.data.get(e.dataset.op);
      if (op) setCountdown(e, this.data.secondsLeft(op));
    }
  }
}

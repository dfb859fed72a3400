// isf-board.js — the ISF task board (#/tasks): tasks in columns by status
// (draft, awaiting national approval, assigned, accepted, in progress, then
// completed / aborted / declined). ISF HQ sees every task, creates new ones
// (type, an area clicked on the map or typed, window, capabilities, strength,
// use of force, flags) and assigns them through the assignment dialog; a
// contingent sees the tasks of its own units and answers them: approve or
// refuse national approval, accept or decline with a reason, start, complete
// with an outcome report, abort. Every answer goes to the server, which says
// whether it holds (docs/isf.md); the board follows the event stream.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, $, $$, clear } from './dom.js';
import { timeEl, zonedToUtc, utcToZoned, getZone, zoneLabel } from './time.js';
import { MissionMap } from './map.js';
import { FormErrors, errorText } from './forms.js';
import { pending } from './reload.js';
import {
  TASK_TYPES, UNIT_TYPES, FORCE_LEVELS, TASK_FLAGS, BOARD_COLUMNS, taskTypeLabel, unitTypeLabel, forceLabel,
  taskStatusLabel, flagLabel, columnLabel, nameText, taskAnchor, sectorAt, listText,
} from './isf-data.js';

/* global L */

const FIELDS = {
  type: 'tk-type', geometry: 'tk-lat', 'geometry.coordinates': 'tk-lat', radius_m: 'tk-radius',
  window_from: 'tk-from', window_until: 'tk-until', capabilities: 'tk-caps', strength: 'tk-strength',
  use_of_force: 'tk-force', crowd_riot_control: 'tk-flags', detention: 'tk-flags', against_armed_groups: 'tk-flags',
  description: 'tk-desc',
};
const round6 = (x) => Math.round(x * 1e6) / 1e6;
const num = (s) => {
  const v = String(s || '').trim().replace(',', '.');
  return v === '' ? null : (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
};
// Task moves a contingent makes on its own units' tasks, and those ISF HQ may make too.
const MOVES = {
  awaiting_approval: [{ action: 'approve', own: true }, { action: 'refuse', own: true, note: true }],
  assigned: [{ action: 'accept', own: true }, { action: 'decline', own: true, note: true }, { action: 'abort', own: true, hq: true, note: true }],
  accepted: [{ action: 'start', own: true, hq: true }, { action: 'abort', own: true, hq: true, note: true }],
  in_progress: [{ action: 'complete', own: true, hq: true, outcome: true }, { action: 'abort', own: true, hq: true, note: true }],
};

export class TasksPage {
  // dialogs: {assign: AssignDialog, action: ActionDialog}
  constructor(ctx, data, dialogs) {
    this.ctx = ctx;
    this.data = data;
    this.dialogs = dialogs;
    this.visible = false;
    this.filter = '';
    this.mm = null;
    this.centre = null;
    this.areaLayer = null;
    this.highlight = null;
    this.historyOpen = new Set(); // the tasks whose history is unfolded: a redraw keeps them so
    this.errors = new FormErrors(FIELDS, 'tk-form-error');
    $('#tk-new').addEventListener('click', () => this.openForm(!!$('#tk-create').hidden));
    $('#tk-cancel').addEventListener('click', () => this.openForm(false));
    $('#tk-refresh').addEventListener('click', () => this.data.load());
    $('#tk-filter').addEventListener('change', () => { this.filter = $('#tk-filter').value; this.renderBoard(); });
    $('#tk-form').addEventListener('submit', (e) => { e.preventDefault(); this.create(); });
    for (const id of ['tk-lat', 'tk-lon']) $(`#${id}`).addEventListener('input', () => this.centreFromInputs());
    $('#tk-radius').addEventListener('input', () => this.drawArea());
    data.onChange(() => { if (this.visible) this.render(); });
    onLangChange(() => { this.renderFormOptions(); this.renderHints(); if (this.visible) this.render(); });
    this.renderFormOptions();
  }

  get me() { return this.ctx.me; }
  isHq() { return !!this.me && this.me.permissions.includes('isf.hq'); }

  reset() {
    this.visible = false;
    this.filter = '';
    this.centre = null;
    this.highlight = null;
    $('#tk-form').reset();
    this.errors.clearAll();
    $('#tk-create').hidden = true;
    $('#tk-new').setAttribute('aria-expanded', 'false');
    $('#tk-status').textContent = '';
    clear($('#tk-board'));
    this.drawArea();
  }

  hide() { this.visible = false; }

  show() {
    this.visible = true;
    $('#tk-new').hidden = !this.isHq();
    this.renderHints();
    this.render();
    this.data.load();
    if (!$('#tk-create').hidden && this.mm) this.mm.invalidate();
  }

  // ---- the new-task form ----

  renderFormOptions() {
    const keep = (id) => ($(`#${id}`) ? $(`#${id}`).value : '');
    const type = keep('tk-type'), force = keep('tk-force');
    const sel = clear($('#tk-type'));
    sel.append(h('option', { value: '' }, t('isf.form.choose')), ...TASK_TYPES.map((x) => h('option', { value: x }, taskTypeLabel(x))));
    sel.value = type;
    const fsel = clear($('#tk-force'));
    fsel.append(h('option', { value: '' }, t('isf.form.choose')), ...FORCE_LEVELS.map((x) => h('option', { value: x }, forceLabel(x))));
    fsel.value = force;
    const checked = new Set($$('#tk-caps input:checked, #tk-flags input:checked').map((i) => i.value));
    clear($('#tk-caps')).append(...UNIT_TYPES.map((x) => h('label', null,
      h('input', { type: 'checkbox', value: x, checked: checked.has(x), 'data-testid': `tk-cap-${x}` }), ' ', h('span', null, unitTypeLabel(x)))));
    clear($('#tk-flags')).append(...TASK_FLAGS.map((x) => h('label', null,
      h('input', { type: 'checkbox', value: x, checked: checked.has(x), 'data-testid': `tk-flag-${x}` }), ' ', h('span', null, flagLabel(x)))));
  }

  renderHints() {
    $('#tk-time-hint').textContent = t('form.time_hint', { zone: getZone(), offset: zoneLabel() });
    this.renderSector();
  }

  openForm(open) {
    $('#tk-create').hidden = !open;
    $('#tk-new').setAttribute('aria-expanded', open ? 'true' : 'false');
    if (!open) { $('#tk-new').focus(); return; }
    if (!this.mm) {
      this.mm = new MissionMap($('#tk-map'), null, { orgName: this.ctx.orgName, interactive: false, prefix: 'tk-', legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.mm.map.createPane('tkAreaPane').style.zIndex = 560;
      this.mm.map.on('click', (e) => this.mapClick(e.latlng));
      this.mm.el.classList.add('is-drawing');
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    // A sensible window: from the next full hour, for four hours.
    const next = Math.ceil((Date.now() + 60e3) / 3600e3) * 3600e3;
    if (!$('#tk-from').value) $('#tk-from').value = utcToZoned(next);
    if (!$('#tk-until').value) $('#tk-until').value = utcToZoned(next + 4 * 3600e3);
    if (!$('#tk-radius').value) $('#tk-radius').value = '500';
    this.renderHints();
    this.drawArea();
    $('#tk-type').focus();
  }

  mapClick(latlng) {
    const p = [round6(latlng.lng), round6(latlng.lat)];
    this.errors.clear('tk-lat');
    this.centre = p;
    $('#tk-lat').value = String(p[1]);
    $('#tk-lon').value = String(p[0]);
    this.drawArea();
  }

  centreFromInputs() {
    const lat = num($('#tk-lat').value), lon = num($('#tk-lon').value);
    this.centre = lat !== null && lon !== null && !Number.isNaN(lat) && !Number.isNaN(lon) ? [lon, lat] : null;
    this.drawArea();
  }

  drawArea() {
    this.renderSector();
    if (!this.mm || !this.mm.map) return;
    if (this.areaLayer) { this.mm.map.removeLayer(this.areaLayer); this.areaLayer = null; }
    if (!this.centre) return;
    const r = Number($('#tk-radius').value) || 0;
    const ll = [this.centre[1], this.centre[0]];
    this.areaLayer = L.layerGroup([
      L.circle(ll, { radius: Math.max(r, 1), pane: 'tkAreaPane', color: '#16325c', weight: 2, dashArray: '6 4', fillColor: '#1c64c8', fillOpacity: 0.15, interactive: false, className: 'tk-area' }),
      L.circleMarker(ll, { radius: 5, pane: 'tkAreaPane', color: '#fff', weight: 2, fillColor: '#16325c', fillOpacity: 1, interactive: false, className: 'tk-centre' }),
    ]).addTo(this.mm.map);
  }

  renderSector() {
    const s = this.centre ? sectorAt(this.ctx.geo(), this.centre) : null;
    $('#tk-sector').textContent = !this.centre ? '' : s ? t('isf.form.in_sector', { sector: this.ctx.sectorName(s.id) }) : t('isf.form.no_sector');
  }

  async create() {
    this.errors.clearAll();
    const lat = num($('#tk-lat').value), lon = num($('#tk-lon').value);
    if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon)) {
      this.errors.showLocal('tk-lat', 'form.bad_coordinates');
      $('#tk-lat').focus();
      return;
    }
    const body = {
      type: $('#tk-type').value || undefined,
      geometry: { type: 'Point', coordinates: [lon, lat] },
      radius_m: $('#tk-radius').value.trim() === '' ? undefined : Number($('#tk-radius').value),
      window_from: zonedToUtc($('#tk-from').value) || undefined,
      window_until: zonedToUtc($('#tk-until').value) || undefined,
      use_of_force: $('#tk-force').value || undefined,
    };
    const caps = $$('#tk-caps input:checked').map((i) => i.value);
    if (caps.length) body.capabilities = caps;
    if ($('#tk-strength').value.trim() !== '') body.strength = Number($('#tk-strength').value);
    for (const i of $$('#tk-flags input:checked')) body[i.value] = true;
    const desc = $('#tk-desc').value.trim();
    if (desc) body.description = desc;
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const btn = $('[data-testid="tk-submit"]');
    btn.disabled = true;
    $('#tk-form-status').textContent = t('form.sending');
    try {
      const r = await api('POST', '/api/v1/tasks', body);
      let task = null;
      try { task = await api('GET', `/api/v1/tasks/${encodeURIComponent(r.id)}`); } catch { /* the stream brings it */ }
      $('#tk-form').reset();
      this.centre = null;
      this.drawArea();
      $('#tk-form-status').textContent = '';
      $('#tk-create').hidden = true;
      $('#tk-new').setAttribute('aria-expanded', 'false');
      this.highlight = r.id;
      if (task) this.data.putTask(task); else await this.data.load();
      this.announce(t('isf.tasks.created', { id: r.id }));
      const next = $(`[data-testid="tk-assign-${r.id}"]`) || $(`[data-testid="task-${r.id}"]`);
      if (next) next.focus();
    } catch (err) {
      $('#tk-form-status').textContent = '';
      this.errors.report(err);
    } finally {
      btn.disabled = false;
    }
  }

  announce(text) {
    $('#tk-status').textContent = text;
  }

  // ---- the board ----

  render() {
    this.renderFilter();
    this.renderBoard();
  }

  renderFilter() {
    const sel = $('#tk-filter');
    const field = sel.closest('.field');
    // A contingent sees its own tasks only: nothing to filter.
    field.hidden = !this.isHq() && this.data.contingents.length <= 1;
    const value = this.filter;
    clear(sel).append(
      h('option', { value: '' }, t('isf.tasks.filter_all')),
      h('option', { value: '-' }, t('isf.tasks.filter_unassigned')),
      ...this.data.contingents.map((c) => h('option', { value: c.id }, nameText(c, c.id))));
    sel.value = value;
  }

  visibleTasks() {
    const f = this.filter;
    return this.data.tasks.filter((x) => !f || (f === '-' ? !x.contingent : x.contingent === f));
  }

  renderBoard() {
    // A live update redraws the board: keep the focus where it was.
    const active = document.activeElement;
    const keep = active && $('#tk-board').contains(active) ? active.dataset.testid : null;
    const board = clear($('#tk-board'));
    const err = this.data.errors.tasks;
    $('#tk-error').hidden = !err;
    $('#tk-error').textContent = err ? errorText(err) : '';
    const tasks = this.visibleTasks().slice().sort((a, b) => Date.parse(a.window_from) - Date.parse(b.window_from) || String(a.id).localeCompare(String(b.id)));
    for (const col of BOARD_COLUMNS) {
      const items = tasks.filter((x) => col.statuses.includes(x.status));
      const hid = `tk-col-${col.id}-title`;
      board.append(h('section', { class: `task-col col-${col.id}`, 'aria-labelledby': hid, 'data-testid': `tk-col-${col.id}`, 'data-count': String(items.length) },
        h('h2', { id: hid, class: 'task-col-title' }, columnLabel(col.id), ' ', h('span', { class: 'count', 'aria-label': t('isf.tasks.count', { n: items.length }) }, String(items.length))),
        items.length ? h('ul', { class: 'card-list' }, items.map((x) => this.card(x))) : h('p', { class: 'empty' }, t('isf.tasks.none'))));
    }
    board.dataset.ready = '1';
    board.dataset.tasks = String(tasks.length);
    if (keep) { const e = board.querySelector(`[data-testid="${keep}"]`); if (e) e.focus({ preventScroll: true }); }
  }

  // What this user may do with a task: [{action, note?, outcome?}]
  movesFor(task) {
    const me = this.me;
    if (!me) return [];
    const own = me.permissions.includes('isf.contingent') && !!task.unit && this.data.taskOrg(task) === me.org;
    const hq = this.isHq();
    return (MOVES[task.status] || []).filter((m) => (m.own && own) || (m.hq && hq));
  }

  card(task) {
    const unit = task.unit ? this.data.unit(task.unit) : null;
    const anchor = taskAnchor(task);
    const sector = anchor ? sectorAt(this.ctx.geo(), anchor) : null;
    const moves = this.movesFor(task);
    const waiting = moves.some((m) => ['approve', 'accept'].includes(m.action)) && !this.isHq();
    const canAssign = this.isHq() && (task.status === 'draft' || task.status === 'declined');
    const last = (task.history || [])[task.history ? task.history.length - 1 : 0];
    const flags = TASK_FLAGS.filter((f) => task[f]);
    const o = task.outcome;
    return h('li', {
      class: ['card', 'task-card', `status-${task.status}`, waiting ? 'needs-action' : null, this.highlight === task.id ? 'is-new' : null],
      'data-task': task.id, 'data-status': task.status, 'data-testid': `task-${task.id}`, tabindex: '-1',
      'aria-labelledby': `tk-card-${task.id}`,
    },
    h('div', { class: 'card-head' },
      h('h3', { class: 'card-title', id: `tk-card-${task.id}` }, taskTypeLabel(task.type)),
      h('span', { class: 'card-id' }, task.id)),
    h('div', { class: 'card-meta' },
      h('span', { class: `chip chip-status status-${task.status}`, 'data-testid': 'task-status' }, taskStatusLabel(task.status)),
      task.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null,
      waiting ? h('span', { class: 'chip chip-action' }, t('isf.tasks.your_answer')) : null),
    task.description ? h('p', { class: 'card-line task-desc', dir: 'auto' }, task.description) : null,
    h('p', { class: 'card-line' }, h('span', { class: 'label' }, t('isf.field.window')), ' ', timeEl(task.window_from), ' – ', timeEl(task.window_until)),
    h('p', { class: 'card-line' }, h('span', { class: 'label' }, t('isf.field.area')), ' ',
      sector ? this.ctx.sectorName(sector.id) : t('isf.tasks.outside_sectors'),
      task.radius_m ? ` · ${t('unit.m', { n: task.radius_m })}` : '',
      task.route ? ` · ${t('isf.tasks.route')}` : ''),
    task.unit ? h('p', { class: 'card-line task-unit', 'data-testid': 'task-unit' }, h('span', { class: 'label' }, t('isf.field.unit')), ' ',
      h('span', { dir: 'auto' }, unit ? nameText(unit, task.unit) : task.unit), ` (${task.unit})`) : null,
    h('ul', { class: 'chips' },
      h('li', { class: 'chip chip-force' }, forceLabel(task.use_of_force)),
      (task.capabilities || []).map((c) => h('li', { class: 'chip' }, unitTypeLabel(c))),
      Number.isFinite(task.strength) && task.strength > 0 ? h('li', { class: 'chip' }, t('isf.tasks.strength', { n: task.strength })) : null,
      flags.map((f) => h('li', { class: 'chip chip-flag' }, flagLabel(f))),
      task.movement ? h('li', { class: 'chip chip-escort' }, t('isf.tasks.escort_for', { id: task.movement })) : null),
    this.approvalLine(task),
    (task.status === 'declined' || task.status === 'aborted') && last && last.note
      ? h('p', { class: 'card-line task-reason', 'data-testid': 'task-reason' }, h('strong', null, task.status === 'declined' ? t('isf.tasks.declined_because') : t('isf.tasks.aborted_because')), ' ', h('span', { dir: 'auto' }, last.note))
      : null,
    o ? h('p', { class: 'card-line task-outcome', 'data-testid': 'task-outcome' }, h('strong', null, t('isf.outcome.title')), ' ',
      t('isf.outcome.line', { weapons: o.weapons_seized ?? 0, detained: o.people_detained ?? 0 }),
      o.incidents && o.incidents.length ? ` · ${t('isf.outcome.incidents_line', { list: listText(o.incidents) })}` : '',
      o.summary ? h('span', { class: 'outcome-summary', dir: 'auto' }, ` — ${o.summary}`) : null) : null,
    h('details', {
      class: 'task-history', open: this.historyOpen.has(task.id),
      ontoggle: (e) => { if (e.currentTarget.open) this.historyOpen.add(task.id); else this.historyOpen.delete(task.id); },
    },
      h('summary', null, t('isf.tasks.history', { n: (task.history || []).length })),
      h('ol', { class: 'history' }, (task.history || []).map((x) => h('li', null,
        h('strong', null, taskStatusLabel(x.status)), ' · ', timeEl(x.at), ' · ', x.by || '',
        x.note ? h('span', { dir: 'auto' }, ` — ${x.note}`) : null)))),
    canAssign || moves.length ? h('div', { class: 'task-actions' },
      canAssign ? h('button', {
        type: 'button', class: 'btn btn-primary btn-small', 'data-testid': `tk-assign-${task.id}`,
        'aria-label': t('isf.tasks.assign_label', { id: task.id }),
        onclick: () => this.dialogs.assign.open(task, `[data-testid="tk-assign-${task.id}"]`),
      }, task.status === 'declined' ? t('isf.tasks.reassign') : t('isf.tasks.assign')) : null,
      moves.map((m) => h('button', {
        type: 'button', class: ['btn', 'btn-small', ['approve', 'accept', 'start', 'complete'].includes(m.action) ? 'btn-primary' : null],
        'data-testid': `tk-${m.action}-${task.id}`, 'data-action': m.action,
        'aria-label': this.actionLabel(m.action, task),
        onclick: (e) => this.act(task, m, e.currentTarget),
      }, this.actionText(m.action)))) : null);
  }

  approvalLine(task) {
    const a = task.approval;
    if (!a || !a.required) return null;
    if (a.granted) return h('p', { class: 'card-line approval granted', 'data-testid': 'task-approval' }, t('isf.tasks.approval_granted', { by: a.by || '—' }), ' ', a.recorded_at ? timeEl(a.recorded_at) : '');
    if (task.status !== 'awaiting_approval') return null;
    return h('p', { class: 'card-line approval', 'data-testid': 'task-approval' }, Number.isFinite(a.delay_h) ? t('isf.tasks.approval_needed', { h: a.delay_h }) : t('isf.tasks.approval_needed_nodelay'));
  }

  actionText(action) {
    switch (action) {
      case 'approve': return t('isf.action.approve');
      case 'refuse': return t('isf.action.refuse');
      case 'accept': return t('isf.action.accept');
      case 'decline': return t('isf.action.decline');
      case 'start': return t('isf.action.start');
      case 'complete': return t('isf.action.complete');
      case 'abort': return t('isf.action.abort');
      default: return action;
    }
  }

  actionLabel(action, task) { return `${this.actionText(action)} — ${taskTypeLabel(task.type)} ${task.id}`; }

  doneText(action, id) {
    switch (action) {
      case 'approve': return t('isf.done.approve', { id });
      case 'refuse': return t('isf.done.refuse', { id });
      case 'accept': return t('isf.done.accept', { id });
      case 'decline': return t('isf.done.decline', { id });
      case 'start': return t('isf.done.start', { id });
      case 'complete': return t('isf.done.complete', { id });
      case 'abort': return t('isf.done.abort', { id });
      default: return id;
    }
  }

  // A move without a note is sent at once; one that needs a reason or an
  // outcome report opens the action dialog.
  async act(task, move, button) {
    if (move.note || move.outcome) {
      this.dialogs.action.open(task, move, {
        title: this.actionLabel(move.action, task), submit: this.actionText(move.action), returnTo: `[data-testid="${button.dataset.testid}"]`,
        done: (r) => this.afterMove(r, move.action, task.id),
      });
      return;
    }
    button.disabled = true;
    try {
      // While it runs, the board is not redrawn (the button would come back enabled).
      const r = await pending(button.closest('.card') || button,
        () => api('POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/${move.action}`, {}));
      this.afterMove(r, move.action, task.id);
    } catch (err) {
      button.disabled = false;
      this.showError(task.id, err);
    }
  }

  afterMove(r, action, id) {
    this.highlight = id;
    if (r && r.task) this.data.putTask(r.task); else this.data.load();
    this.announce(this.doneText(action, id));
    const card = $(`[data-testid="task-${id}"]`);
    if (card) card.focus({ preventScroll: false });
  }

  showError(id, err) {
    const card = $(`[data-testid="task-${id}"]`);
    if (!card) { this.announce(errorText(err)); return; }
    let box = card.querySelector('.task-error');
    if (!box) { box = h('p', { class: 'form-error task-error', role: 'alert', 'data-testid': 'task-error' }); card.append(box); }
    box.textContent = errorText(err);
  }

  // For the assignment dialog: after an assignment.
  assigned(r, id, unitId) {
    this.highlight = id;
    if (r && r.task) this.data.putTask(r.task); else this.data.load();
    const st = r && r.task && r.task.status;
    this.announce(st === 'awaiting_approval' ? t('isf.done.assign_held', { id, unit: unitId }) : t('isf.done.assign', { id, unit: unitId }));
    const card = $(`[data-testid="task-${id}"]`);
    if (card) card.focus();
  }
}

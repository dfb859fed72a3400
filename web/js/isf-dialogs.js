// isf-dialogs.js — the two dialogs of the task board.
// The assignment dialog (ISF HQ): GET /api/v1/tasks/{id}/candidates lists the
// units that may take the task, nearest first, and every excluded unit with
// each reason (the caveat it breaks, or availability, capability, strength,
// a clashing task); choosing a candidate POSTs /assign. When the server
// refuses (the situation changed since the list was drawn), its reasons are
// shown and the list is drawn again.
// The action dialog: a move that needs a reason (refuse, decline, abort) or
// an outcome report (complete).
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl } from './time.js';
import { FormErrors, errorText } from './forms.js';
import { taskTypeLabel, unitTypeLabel, caveatLabel, nameText, km } from './isf-data.js';

function openModal(dlg) {
  if (dlg.open) return;
  if (typeof dlg.showModal === 'function') dlg.showModal(); else dlg.setAttribute('open', '');
}
function closeModal(dlg) {
  if (typeof dlg.close === 'function') dlg.close(); else dlg.removeAttribute('open');
}

// Where the focus goes back when a dialog closes: a selector (the board may
// have been redrawn meanwhile) or an element.
function refocus(x) {
  if (!x) return null;
  const e = typeof x === 'string' ? $(x) : x;
  return e && e.isConnected ? e : null;
}

function summary(task) {
  return [taskTypeLabel(task.type), ' · ', timeEl(task.window_from), ' – ', timeEl(task.window_until),
    task.description ? h('span', { dir: 'auto' }, ` · ${task.description}`) : null];
}

function reasonsList(reasons, testid) {
  return h('ul', { class: 'reasons', 'data-testid': testid },
    (reasons || []).map((r) => h('li', { 'data-caveat': r.caveat },
      h('strong', { class: 'reason-caveat' }, caveatLabel(r.caveat)), ': ',
      h('span', { class: 'reason-text', lang: 'en', dir: 'ltr' }, r.reason || ''))));
}

export class AssignDialog {
  constructor(ctx, data, onAssigned) {
    this.ctx = ctx;
    this.data = data;
    this.onAssigned = onAssigned;
    this.dlg = $('#assign-dialog');
    this.task = null;
    this.result = null;
    this.refusal = null;
    this.returnTo = null;
    this.dlg.querySelector('[data-close]').addEventListener('click', () => closeModal(this.dlg));
    this.dlg.addEventListener('close', () => {
      const back = refocus(this.returnTo);
      this.task = null;
      this.returnTo = null;
      if (back) back.focus();
    });
    onLangChange(() => { if (this.task) this.render(); });
  }

  async open(task, returnTo) {
    this.task = task;
    this.returnTo = returnTo || null;
    this.result = null;
    this.refusal = null;
    this.render();
    openModal(this.dlg);
    $('#assign-title').focus();
    await this.load();
  }

  async load() {
    const task = this.task;
    if (!task) return;
    $('#assign-status').textContent = t('isf.assign.loading');
    this.dlg.dataset.ready = '0';
    try {
      this.result = await api('GET', `/api/v1/tasks/${encodeURIComponent(task.id)}/candidates`);
      $('#assign-status').textContent = t('isf.assign.loaded', {
        n: (this.result.candidates || []).length, x: (this.result.excluded || []).length,
      });
    } catch (err) {
      this.result = null;
      $('#assign-status').textContent = errorText(err);
    }
    if (this.task !== task) return;
    this.render();
    this.dlg.dataset.ready = '1';
  }

  render() {
    const task = this.task;
    if (!task) return;
    $('#assign-title').textContent = t('isf.assign.title', { id: task.id });
    clear($('#assign-summary')).append(...summary(task).filter(Boolean));
    const refused = $('#assign-refused');
    clear(refused);
    refused.hidden = !this.refusal;
    if (this.refusal) {
      const r = this.refusal;
      refused.append(h('p', null, h('strong', null, t('isf.assign.refused', { unit: r.unit }))));
      if (r.reasons && r.reasons.length) refused.append(reasonsList(r.reasons, 'assign-refused-reasons'));
      else refused.append(h('p', null, r.message));
    }
    const cands = clear($('#assign-candidates'));
    const excl = clear($('#assign-excluded'));
    const res = this.result;
    if (!res) return;
    for (const c of res.candidates || []) {
      const a = c.approval;
      cands.append(h('li', { class: 'cand', 'data-unit': c.unit, 'data-testid': `candidate-${c.unit}` },
        h('span', { class: 'cand-rank', 'aria-label': t('isf.assign.rank', { n: c.rank }) }, String(c.rank)),
        h('div', { class: 'cand-body' },
          h('div', { class: 'cand-name' }, h('strong', { dir: 'auto' }, nameText(c, c.unit)), ' ', h('span', { class: 'mono' }, c.unit)),
          h('div', { class: 'cand-meta' }, [this.ctx.orgName(c.org), unitTypeLabel(c.type), t('isf.assign.strength', { n: c.strength ?? '—' }),
            t('isf.assign.distance', { d: km(c.distance_km) })].join(' · ')),
          a && a.required ? h('p', { class: 'approval', 'data-testid': 'candidate-approval' },
            Number.isFinite(a.delay_h) ? t('isf.assign.approval', { h: a.delay_h }) : t('isf.tasks.approval_needed_nodelay')) : null),
        h('button', {
          type: 'button', class: 'btn btn-primary btn-small', 'data-testid': `assign-${c.unit}`,
          'aria-label': t('isf.assign.assign_to', { unit: nameText(c, c.unit) }),
          onclick: (e) => this.assign(c.unit, e.currentTarget),
        }, t('isf.assign.assign'))));
    }
    if (!(res.candidates || []).length) cands.append(h('li', { class: 'empty', 'data-testid': 'no-candidates' }, t('isf.assign.no_candidates')));
    for (const x of res.excluded || []) {
      excl.append(h('li', { class: 'cand is-excluded', 'data-unit': x.unit, 'data-testid': `excluded-${x.unit}` },
        h('div', { class: 'cand-body' },
          h('div', { class: 'cand-name' }, h('strong', { dir: 'auto' }, nameText(x, x.unit)), ' ', h('span', { class: 'mono' }, x.unit)),
          h('div', { class: 'cand-meta' }, [this.ctx.orgName(x.org), unitTypeLabel(x.type), t('isf.assign.strength', { n: x.strength ?? '—' }),
            Number.isFinite(x.distance_km) ? t('isf.assign.distance', { d: km(x.distance_km) }) : null].filter(Boolean).join(' · ')),
          reasonsList(x.reasons, `reasons-${x.unit}`))));
    }
    if (!(res.excluded || []).length) excl.append(h('li', { class: 'empty' }, t('isf.assign.no_excluded')));
  }

  async assign(unit, button) {
    const task = this.task;
    if (!task) return;
    button.disabled = true;
    try {
      const r = await api('POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/assign`, { unit });
      this.returnTo = null;
      closeModal(this.dlg);
      this.onAssigned(r, task.id, unit);
    } catch (err) {
      button.disabled = false;
      const d = err.details || {};
      this.refusal = { unit, reasons: Array.isArray(d.reasons) ? d.reasons : [], message: errorText(err) };
      await this.load();
      const box = $('#assign-refused');
      if (!box.hidden) box.focus();
    }
  }
}

export class ActionDialog {
  constructor() {
    this.dlg = $('#task-action-dialog');
    this.task = null;
    this.move = null;
    this.opts = null;
    this.errors = new FormErrors({
      note: 'ta-note', 'outcome.weapons_seized': 'ta-weapons', 'outcome.people_detained': 'ta-detained',
      'outcome.incidents': 'ta-incidents', 'outcome.summary': 'ta-summary-text', outcome: 'ta-summary-text',
    }, 'ta-form-error');
    $('#ta-form').addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    $('#ta-cancel').addEventListener('click', () => closeModal(this.dlg));
    this.dlg.addEventListener('close', () => {
      const back = refocus(this.opts && this.opts.returnTo);
      this.task = null;
      if (back) back.focus();
    });
  }

  open(task, move, opts) {
    this.task = task;
    this.move = move;
    this.opts = opts;
    $('#ta-form').reset();
    this.errors.clearAll();
    this.dlg.dataset.action = move.action;
    $('#ta-title').textContent = opts.title;
    clear($('#ta-summary')).append(...summary(task).filter(Boolean));
    $('#ta-note-label').textContent = this.noteLabel(move);
    $('#ta-note').required = !!move.note;
    $('#ta-outcome').hidden = !move.outcome;
    $('#ta-submit').textContent = opts.submit;
    openModal(this.dlg);
    (move.outcome ? $('#ta-weapons') : $('#ta-note')).focus();
  }

  noteLabel(move) {
    switch (move.action) {
      case 'refuse': return t('isf.note.refuse');
      case 'decline': return t('isf.note.decline');
      case 'abort': return t('isf.note.abort');
      default: return t('isf.note.optional');
    }
  }

  async submit() {
    const task = this.task, move = this.move;
    if (!task) return;
    this.errors.clearAll();
    const body = {};
    const note = $('#ta-note').value.trim();
    if (note) body.note = note;
    if (move.note && !note) { this.errors.showLocal('ta-note', 'isf.note.required'); $('#ta-note').focus(); return; }
    if (move.outcome) {
      const n = (id) => ($(`#${id}`).value.trim() === '' ? 0 : Number($(`#${id}`).value));
      body.outcome = {
        weapons_seized: n('ta-weapons'),
        people_detained: n('ta-detained'),
        incidents: $('#ta-incidents').value.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean),
        summary: $('#ta-summary-text').value.trim(),
      };
    }
    const btn = $('#ta-submit');
    btn.disabled = true;
    try {
      const r = await api('POST', `/api/v1/tasks/${encodeURIComponent(task.id)}/${move.action}`, body);
      const done = this.opts.done;
      this.opts.returnTo = null;
      closeModal(this.dlg);
      done(r);
    } catch (err) {
      this.errors.report(err);
    } finally {
      btn.disabled = false;
    }
  }
}

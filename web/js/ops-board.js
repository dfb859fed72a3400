// ops-board.js — the CMCC operations board (#/ops) and the escalation queue
// of the positions the CMCC commander reports to (#/escalations): the
// operations in the chosen queue (all, awaiting a decision, with alerts,
// escalated to me), ordered by the time an answer is needed, each with its
// countdown, status, conflicts, alerts and escalation level; the selected one
// drawn on the map with its conflicts (and the narrowing proposal beside its
// area), its record, and the decision form. The server decides who may
// decide; its refusal (403, 409) shows next to the field it names.
import { api } from './api.js';
import { t, tOpt, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { errorText } from './forms.js';
import { OpsData, byDeadline, allowedDecisions, decisionLabel, lastProposal } from './ops-data.js';
import { OpsMap } from './ops-map.js';
import { operationDetails, opListItem, setCountdown } from './ops-view.js';

const QUEUE_KEYS = { all: 'ops.queue.all', decisions: 'ops.queue.decisions', alerts: 'ops.queue.alerts', escalated: 'ops.queue.escalated' };

export class OpsBoard {
  // opts: {route, prefix, titleKey, subKey, queues: ['all', ...], decide: bool}
  constructor(ctx, notifyData, opts) {
    this.ctx = ctx;
    this.opts = opts;
    this.p = opts.prefix;
    this.queue = opts.queues[0];
    this.data = new OpsData(this.queue === 'all' ? null : this.queue);
    this.selected = null;
    this.shownSig = null;
    this.visible = false;
    this.timer = null;
    this.el = this.build();
    this.omap = new OpsMap(this.$('map'), ctx, notifyData, { prefix: `${this.p}-`, opsOf: () => this.data.ops });
    this.data.onChange(() => { if (this.visible) this.render(); });
    notifyData.onChange(() => { if (this.visible && this.omap.map) this.drawSelected(false); });
    onLangChange(() => { this.shownSig = null; if (this.visible) this.render(); this.renderQueues(); });
  }

  $(name) { return this.el.querySelector(`#${this.p}-${name}`); }

  build() {
    const p = this.p;
    const sec = h('section', { id: `view-${this.opts.route}`, class: 'view view-ops', 'data-view': this.opts.route, 'aria-labelledby': `${p}-title`, hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: `${p}-title`, tabindex: '-1', 'data-i18n': this.opts.titleKey }),
        h('p', { class: 'view-sub', 'data-i18n': this.opts.subKey }),
        h('button', { type: 'button', class: 'btn btn-small', id: `${p}-refresh`, 'data-testid': `${p}-refresh`, 'data-i18n': 'form.refresh', onclick: () => this.data.load() })),
      this.opts.queues.length > 1 ? h('div', { class: 'ops-queues', role: 'group', id: `${p}-queues`, 'data-i18n-attr': 'aria-label:ops.queue.label' }) : null,
      h('p', { id: `${p}-error`, class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': `${p}-error`, hidden: true }),
      h('div', { class: 'ops-layout' },
        h('section', { class: 'ops-list-pane', 'aria-labelledby': `${p}-list-title` },
          h('h2', { id: `${p}-list-title`, class: 'ops-pane-title', 'data-i18n': 'ops.list.title' }),
          h('p', { id: `${p}-empty`, class: 'empty', 'data-testid': `${p}-empty`, hidden: true }),
          h('ol', { id: `${p}-list`, class: 'ops-list', 'data-testid': `${p}-list` })),
        h('div', { id: `${p}-map`, class: 'map ops-map', 'data-testid': `${p}-map`, role: 'region', 'data-i18n-attr': 'aria-label:ops.map.region' }),
        h('aside', { class: 'ops-side card', 'aria-labelledby': `${p}-side-title` },
          h('h2', { id: `${p}-side-title`, class: 'visually-hidden', 'data-i18n': 'ops.detail.title' }),
          h('div', { id: `${p}-detail`, 'data-testid': `${p}-detail` }),
          this.opts.decide ? this.buildForm() : null,
          h('p', { id: `${p}-result`, class: 'form-status ops-result', role: 'status', 'data-testid': `${p}-result` }))));
    $('#main').append(sec);
    applyI18n(sec);
    this.renderQueues(sec);
    return sec;
  }

  renderQueues(root = this.el) {
    const box = root.querySelector(`#${this.p}-queues`);
    if (!box) return;
    clear(box);
    for (const q of this.opts.queues) {
      box.append(h('button', {
        type: 'button', class: 'btn btn-small ops-queue', 'aria-pressed': q === this.queue ? 'true' : 'false', 'data-testid': `${this.p}-queue-${q}`,
        onclick: () => this.setQueue(q),
      }, tOpt(QUEUE_KEYS[q], q)));
    }
  }

  buildForm() {
    const p = this.p;
    const form = h('form', { id: `${p}-form`, class: 'ops-decision-form', novalidate: true, 'data-testid': `${p}-form`, 'aria-labelledby': `${p}-form-title`, hidden: true },
      h('h2', { id: `${p}-form-title`, 'data-i18n': 'ops.form.title' }),
      h('fieldset', { class: 'field-group', id: `${p}-decision`, 'aria-describedby': `${p}-authority` },
        h('legend', { 'data-i18n': 'ops.field.decision' }),
        h('div', { id: `${p}-choices`, class: 'radio-col', 'data-testid': `${p}-choices` }),
        h('p', { id: `${p}-authority`, class: 'hint', 'data-testid': `${p}-authority` }),
        h('p', { id: `${p}-decision-error`, class: 'field-error', role: 'alert', 'data-testid': `${p}-decision-error`, hidden: true })),
      h('div', { class: 'field' },
        h('label', { for: `${p}-reasons`, id: `${p}-reasons-label`, 'data-i18n': 'ops.field.reasons' }),
        h('textarea', { id: `${p}-reasons`, rows: '3', dir: 'auto', 'data-testid': `${p}-reasons`, 'aria-describedby': `${p}-reasons-hint` }),
        h('p', { id: `${p}-reasons-hint`, class: 'hint', 'data-i18n': 'ops.form.reasons_hint' }),
        h('p', { id: `${p}-reasons-error`, class: 'field-error', role: 'alert', 'data-testid': `${p}-reasons-error`, hidden: true })),
      h('div', { class: 'field' },
        h('label', { for: `${p}-note`, 'data-i18n': 'ops.field.note' }),
        h('textarea', { id: `${p}-note`, rows: '2', dir: 'auto', 'data-testid': `${p}-note` }),
        h('p', { id: `${p}-note-error`, class: 'field-error', role: 'alert', 'data-testid': `${p}-note-error`, hidden: true })),
      h('p', { id: `${p}-form-error`, class: 'form-error', role: 'alert', 'data-testid': `${p}-form-error`, hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${p}-submit`, 'data-i18n': 'ops.form.submit' }),
        h('span', { id: `${p}-status`, class: 'form-status', role: 'status', 'data-testid': `${p}-status` })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.decide(); });
    form.addEventListener('input', (e) => {
      if (e.target.name === `${p}-choice`) { this.clearErr('decision'); this.syncReasons(); }
      if (e.target.id === `${p}-reasons`) this.clearErr('reasons');
      if (e.target.id === `${p}-note`) this.clearErr('note');
    });
    this.noDecision = h('p', { id: `${p}-none`, class: 'hint', 'data-testid': `${p}-no-decision`, hidden: true });
    return [form, this.noDecision];
  }

  reset() {
    this.hide();
    this.data.reset();
    this.selected = null;
    this.pinned = null;
    this.shownSig = null;
  }

  hide() {
    this.visible = false;
    clearInterval(this.timer);
    this.timer = null;
  }

  // sub: an operation id from the address (#/ops/OPN-7).
  show(sub) {
    this.visible = true;
    if (sub) this.selected = sub;
    this.omap.show();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000);
    this.render();
    return this.data.load();
  }

  setQueue(q) {
    this.queue = q;
    this.renderQueues();
    this.data.setQueue(q === 'all' ? null : q);
    this.render();
  }

  sorted() { return [...this.data.ops].sort(byDeadline); }

  render() {
    const err = this.$('error');
    err.hidden = !this.data.error;
    err.textContent = this.data.error ? errorText(this.data.error) : '';
    const list = clear(this.$('list'));
    const ops = this.sorted();
    const empty = this.$('empty');
    empty.hidden = !this.data.loaded || ops.length > 0;
    empty.textContent = this.queue === 'escalated' ? t('ops.list.empty_escalated') : t('ops.list.empty');
    for (const op of ops) {
      list.append(opListItem(op, { prefix: this.p, selected: op.id === this.selected, secondsLeft: this.data.secondsLeft(op), onSelect: (id) => this.select(id, true) }));
    }
    this.el.dataset.ready = this.data.loaded ? '1' : '0';
    this.el.dataset.count = String(ops.length);
    if (this.selected && this.data.loaded && !this.data.get(this.selected)) this.fetchSelected();
    this.renderDetail();
  }

  select(id, focus) {
    if (id !== this.selected) this.$('result').textContent = '';
    this.selected = id;
    if (this.visible) history.replaceState(null, '', `#/${this.opts.route}/${id}`);
    for (const b of this.el.querySelectorAll('.ops-item')) {
      const on = b.dataset.id === id;
      b.classList.toggle('is-selected', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    this.renderDetail(true);
    if (focus) { const t2 = this.$('detail').querySelector('h2'); if (t2) t2.focus({ preventScroll: false }); }
  }

  // The selected operation: from the list, or (when a decision took it out
  // of the queue shown, or it came from a link) fetched on its own.
  current() {
    if (!this.selected) return null;
    const listed = this.data.get(this.selected);
    if (listed) return listed;
    return this.pinned && this.pinned.id === this.selected ? this.pinned : null;
  }

  async fetchSelected() {
    const id = this.selected;
    if (!id || this.fetching === id) return;
    this.fetching = id;
    try {
      const op = await api('GET', `/api/v1/operations/${encodeURIComponent(id)}`);
      op._at = Date.now();
      if (this.selected === id) this.pinned = op;
    } catch {
      if (this.selected === id) this.pinned = null;
    } finally {
      this.fetching = null;
    }
    this.renderDetail();
  }

  // Re-renders the record only when it changed (the form keeps what is typed).
  renderDetail(fit = false) {
    const op = this.current();
    const sig = op ? JSON.stringify({ ...op, seconds_left: undefined, _at: undefined }) : 'none';
    if (sig === this.shownSig) return;
    const changedOp = !op || this.shownId !== op.id;
    this.shownSig = sig;
    this.shownId = op ? op.id : null;
    const hadFocus = this.$('detail').contains(document.activeElement);
    const box = clear(this.$('detail'));
    if (!op) {
      const key = !this.selected ? 'ops.detail.pick' : (this.data.loaded && !this.fetching ? 'ops.detail.gone' : 'ops.detail.loading');
      box.append(h('p', { class: 'hint', 'data-testid': `${this.p}-pick` }, tOpt(key, '')));
      if (this.opts.decide) { this.$('form').hidden = true; this.noDecision.hidden = true; }
      this.drawSelected(fit);
      return;
    }
    box.append(operationDetails(op, {
      prefix: this.p, orgName: this.ctx.orgName, posName: (x) => this.ctx.posName(x), secondsLeft: this.data.secondsLeft(op),
      onFocus: (c) => this.omap.focusConflict(c),
    }));
    if (this.opts.decide) this.renderForm(op, changedOp);
    this.drawSelected(fit || changedOp);
    if (hadFocus) { const t2 = box.querySelector('h2'); if (t2) t2.focus({ preventScroll: true }); }
  }

  drawSelected(fit) {
    const op = this.current();
    const lp = op ? lastProposal(op) : null;
    this.omap.draw(op, { proposal: lp && lp.open ? lp.proposal : null }, fit);
  }

  renderForm(op, fresh) {
    const p = this.p;
    const form = this.$('form');
    const allowed = allowedDecisions(op);
    form.hidden = allowed.length === 0;
    this.noDecision.hidden = allowed.length > 0;
    this.noDecision.textContent = op.outcome ? t('ops.form.none_outcome') : t('ops.form.none', { status: tOpt(`ops.status.${op.status}`, op.status) });
    const box = this.$('choices');
    const was = (box.querySelector('input:checked') || {}).value;
    clear(box);
    allowed.forEach((d) => {
      const id = `${p}-choice-${d}`;
      box.append(h('label', { class: 'radio-line', for: id },
        h('input', { type: 'radio', name: `${p}-choice`, id, value: d, 'data-testid': `${p}-choice-${d}`, checked: !fresh && was === d }),
        h('span', { class: 'radio-text' }, h('span', { class: 'radio-label' }, decisionLabel(d)), ' ',
          h('span', { class: 'hint' }, tOpt(`ops.decision_hint.${d}`, '')))));
    });
    const n = (op.conflicts || []).length;
    this.$('authority').textContent = n ? t('ops.form.authority_conflicts', { n }) : t('ops.form.authority');
    // A refusal answered the operation as it was: a new state clears it.
    const key = [op.id, op.status, n, (op.decisions || []).length, (op.alerts || []).length].join('|');
    if (fresh || key !== this.formKey) {
      for (const f of ['decision', 'reasons', 'note']) this.clearErr(f);
      this.$('form-error').hidden = true;
      this.$('status').textContent = '';
    }
    this.formKey = key;
    if (fresh) {
      this.$('reasons').value = '';
      this.$('note').value = '';
    }
    this.syncReasons();
  }

  choice() { const c = this.el.querySelector(`input[name="${this.p}-choice"]:checked`); return c ? c.value : null; }

  syncReasons() {
    const obj = this.choice() === 'object';
    const r = this.$('reasons');
    r.required = obj;
    r.setAttribute('aria-required', obj ? 'true' : 'false');
    this.$('reasons-label').textContent = obj ? t('ops.field.reasons_required') : t('ops.field.reasons');
  }

  // The server's error next to the control it names (decision, reasons, note).
  showErr(field, err) {
    const box = this.$(`${field}-error`);
    const ctl = field === 'decision' ? this.$('decision') : this.$(field);
    if (!box) return false;
    if (err.local) clear(box).append(h('span', { class: 'err-title' }, err.local));
    else {
      clear(box).append(h('span', { class: 'err-title' }, tOpt(`error.${err.code}`, t('error.generic'))), ' ',
        h('span', { class: 'err-detail', lang: 'en', dir: 'ltr' }, err.serverMessage || ''));
    }
    box.hidden = false;
    box.dataset.status = String(err.status || '');
    if (ctl) {
      if (field !== 'decision') ctl.setAttribute('aria-invalid', 'true');
      const ids = (ctl.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      if (!ids.includes(box.id)) ids.push(box.id);
      ctl.setAttribute('aria-describedby', ids.join(' '));
    }
    return true;
  }

  clearErr(field) {
    const box = this.$(`${field}-error`);
    if (!box || box.hidden) return;
    box.hidden = true;
    clear(box);
    const ctl = field === 'decision' ? this.$('decision') : this.$(field);
    if (ctl) {
      ctl.removeAttribute('aria-invalid');
      const rest = (ctl.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== box.id).join(' ');
      if (rest) ctl.setAttribute('aria-describedby', rest); else ctl.removeAttribute('aria-describedby');
    }
  }

  async decide() {
    const op = this.current();
    if (!op) return;
    for (const f of ['decision', 'reasons', 'note']) this.clearErr(f);
    const fe = this.$('form-error');
    fe.hidden = true;
    const decision = this.choice();
    const reasons = this.$('reasons').value.trim();
    const note = this.$('note').value.trim();
    if (!decision) { this.showErr('decision', { local: t('ops.form.choose') }); const c = this.el.querySelector(`input[name="${this.p}-choice"]`); if (c) c.focus(); return; }
    if (decision === 'object' && !reasons) {
      this.showErr('reasons', { local: t('ops.form.reasons_needed') });
      this.$('reasons').focus();
      return;
    }
    const body = { decision };
    if (reasons) body.reasons = reasons;
    if (note) body.note = note;
    const btn = this.el.querySelector(`[data-testid="${this.p}-submit"]`);
    const status = this.$('status');
    btn.disabled = true;
    status.textContent = t('ops.form.sending');
    try {
      const r = await api('POST', `/api/v1/operations/${encodeURIComponent(op.id)}/decision`, body);
      status.textContent = '';
      const done = t('ops.form.done', { id: op.id, decision: decisionLabel(decision) });
      this.$('result').textContent = done;
      this.$('reasons').value = '';
      this.$('note').value = '';
      r.operation._at = Date.now();
      this.pinned = r.operation;
      this.data.put(r.operation);
      this.data.reloadSoon(50);
    } catch (err) {
      status.textContent = '';
      const field = err.field === 'reasons' || err.field === 'note' ? err.field : (err.field === 'decision' || err.status === 403 || err.status === 409 ? 'decision' : null);
      if (field && this.showErr(field, err)) {
        if (field === 'decision') { const c = this.el.querySelector(`input[name="${this.p}-choice"]:checked`); if (c) c.focus(); } else this.$(field).focus();
      } else {
        fe.textContent = errorText(err);
        fe.hidden = false;
      }
    } finally {
      btn.disabled = false;
    }
  }

  // Every second: the countdowns count down.
  tick() {
    for (const e of this.el.querySelectorAll('[data-countdown][data-op]')) {
      const op = this.data.get(e.dataset.op);
      if (op) setCountdown(e, this.data.secondsLeft(op));
    }
  }
}

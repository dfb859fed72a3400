// aid.js — the aid flow page (#/aid): the crossings with their status and
// today's trucks against the agreement's daily target (the CMCC sets a
// crossing's status); the consignments (organisation, commodity, trucks,
// tonnes, crossing, reference) with a form to record one, and on each the
// buttons of the next steps of its chain: at the perimeter → crossed →
// offloaded → collected → delivered, or intercepted (peacefully or by
// force; an incident is linked, or the server reports one) or returned
// (with a note). Aid figures are for every account.
import { api } from './api.js';
import { t, tOpt, pick, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl, zonedToUtc, getZone, zoneLabel } from './time.js';
import { FormErrors, errorText } from './forms.js';
import { Reloader, pending } from './reload.js';
import { COMMODITIES, CSG_STATUSES, CSG_NEXT, csgStatusLabel, commodityLabel, can, isCmcc, exerciseTag, missionDay } from './mon-data.js';

const FIELDS = {
  org: 'cf-org', commodity: 'cf-commodity', trucks: 'cf-trucks', tonnes: 'cf-tonnes', crossing: 'cf-crossing',
  at: 'cf-at', reference: 'cf-reference', note: 'cf-note', destination: 'cf-note',
};
const CROSSING_STATUSES = ['open', 'restricted', 'closed'];
const MANNERS = ['peaceful', 'by_force'];

function field(id, labelKey, control, { hintKey } = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id, 'data-i18n': labelKey }),
    control,
    hintKey ? h('p', { id: `${id}-hint`, class: 'hint', 'data-i18n': hintKey }) : null,
    h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': `${id}-error`, hidden: true }));
}

export class AidPage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.crossings = [];
    this.target = 600;
    this.consignments = [];
    this.next = null;
    this.loaded = false;
    this.visible = false;
    this.el = this.build();
    this.errors = new FormErrors(FIELDS, 'cf-form-error');
    // A change from the stream reloads, but not under the hands of someone
    // filling in a form or a step's details (the list is drawn again on load).
    this.reloader = new Reloader(() => this.load(), { scope: '#view-aid', when: () => this.visible });
    onLangChange(() => { this.fillSelects(); if (this.visible) this.render(); });
  }

  build() {
    const sec = h('section', { id: 'view-aid', class: 'view view-aid', 'data-view': 'aid', 'aria-labelledby': 'aid-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'aid-title', tabindex: '-1', 'data-i18n': 'aid.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'aid.sub' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'aid-refresh', 'data-i18n': 'form.refresh', onclick: () => this.load() })),
      h('p', { id: 'aid-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'aid-error', hidden: true }),
      h('section', { 'aria-labelledby': 'aid-crossings-title' },
        h('h2', { id: 'aid-crossings-title', 'data-i18n': 'aid.crossings' }),
        h('p', { id: 'aid-today', class: 'aid-today', 'data-testid': 'aid-today' }),
        h('ul', { id: 'aid-crossings', class: 'card-list crossing-list', 'data-testid': 'aid-crossings' })),
      h('section', { 'aria-labelledby': 'aid-csg-title', class: 'aid-csg' },
        h('div', { class: 'mon-toolbar' },
          h('h2', { id: 'aid-csg-title', 'data-i18n': 'aid.consignments' }),
          h('button', { type: 'button', class: 'btn btn-primary', id: 'aid-new', 'aria-expanded': 'false', 'aria-controls': 'csg-form', 'data-testid': 'aid-new', 'data-i18n': 'aid.new', hidden: true, onclick: () => this.toggleForm() })),
        this.buildForm(),
        this.buildFilters(),
        h('p', { id: 'aid-csg-empty', class: 'empty', 'data-testid': 'aid-csg-empty', 'data-i18n': 'aid.none', hidden: true }),
        h('ul', { id: 'aid-csg-list', class: 'card-list csg-list', 'data-testid': 'aid-csg-list' }),
        h('button', { type: 'button', class: 'btn', id: 'aid-more', 'data-testid': 'aid-more', 'data-i18n': 'inc.more', hidden: true, onclick: () => this.loadConsignments(true) })),
      h('p', { id: 'aid-announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
    $('#main').append(sec);
    applyI18n(sec);
    return sec;
  }

  buildFilters() {
    const form = h('form', { class: 'inc-filters', novalidate: true, 'data-testid': 'aid-filters', 'data-filters': true },
      field('csgf-status', 'aid.field.status', h('select', { id: 'csgf-status', 'data-testid': 'csgf-status' })),
      field('csgf-crossing', 'aid.field.crossing', h('select', { id: 'csgf-crossing', 'data-testid': 'csgf-crossing' })),
      field('csgf-date', 'aid.filter.date', h('input', { id: 'csgf-date', type: 'date', 'data-testid': 'csgf-date' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.loadConsignments(); });
    form.addEventListener('change', () => this.loadConsignments());
    return form;
  }

  buildForm() {
    const form = h('form', { id: 'csg-form', class: 'card notify-form csg-form', novalidate: true, hidden: true, 'data-testid': 'csg-form', 'aria-labelledby': 'cf-title' },
      h('h3', { id: 'cf-title', 'data-i18n': 'aid.form.title' }),
      h('div', { class: 'field-pair' },
        field('cf-org', 'aid.field.org', h('select', { id: 'cf-org', 'data-testid': 'cf-org' })),
        field('cf-commodity', 'aid.field.commodity', h('select', { id: 'cf-commodity', 'data-testid': 'cf-commodity' }))),
      h('div', { class: 'field-pair' },
        field('cf-trucks', 'aid.field.trucks', h('input', { id: 'cf-trucks', type: 'number', min: '1', max: '1000', step: '1', 'data-testid': 'cf-trucks' })),
        field('cf-tonnes', 'aid.field.tonnes', h('input', { id: 'cf-tonnes', type: 'number', min: '0', max: '100000', step: '0.1', 'data-testid': 'cf-tonnes' }))),
      h('div', { class: 'field-pair' },
        field('cf-crossing', 'aid.field.crossing', h('select', { id: 'cf-crossing', 'data-testid': 'cf-crossing' })),
        field('cf-at', 'aid.field.at', h('input', { id: 'cf-at', type: 'datetime-local', step: '60', 'aria-describedby': 'cf-at-hint', 'data-testid': 'cf-at' }))),
      h('p', { id: 'cf-at-hint', class: 'hint time-hint' }),
      field('cf-reference', 'aid.field.reference', h('input', { id: 'cf-reference', type: 'text', dir: 'ltr', autocomplete: 'off', 'data-testid': 'cf-reference' })),
      field('cf-note', 'aid.field.note', h('textarea', { id: 'cf-note', rows: '2', dir: 'auto', 'data-testid': 'cf-note' })),
      h('p', { id: 'cf-form-error', class: 'form-error', role: 'alert', 'data-testid': 'cf-form-error', hidden: true }),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'cf-submit', 'data-i18n': 'aid.form.submit' }),
        h('span', { id: 'cf-status', class: 'form-status', role: 'status', 'data-testid': 'cf-status' })));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    return form;
  }

  fillSelects() {
    const fill = (sel, values, label, any) => {
      const was = sel.value;
      clear(sel);
      if (any) sel.append(h('option', { value: '' }, any));
      for (const v of values) sel.append(h('option', { value: v }, label(v)));
      if (was && [...sel.options].some((o) => o.value === was)) sel.value = was;
    };
    fill($('#cf-commodity'), COMMODITIES, commodityLabel);
    const names = (id) => { const c = this.crossings.find((x) => x.id === id); return c ? pick(c.name) || id : id; };
    fill($('#cf-crossing'), this.crossings.map((c) => c.id), names);
    fill($('#csgf-crossing'), this.crossings.map((c) => c.id), names, t('aid.filter.any_crossing'));
    fill($('#csgf-status'), CSG_STATUSES, csgStatusLabel, t('aid.filter.any_status'));
    const me = this.ctx.me;
    const orgs = isCmcc(me) ? this.ctx.orgs().map((o) => o.id) : (me ? [me.org] : []);
    fill($('#cf-org'), orgs.length ? orgs : (me ? [me.org] : []), (id) => this.ctx.orgName(id));
    if (!$('#cf-org').dataset.init && me) { $('#cf-org').value = me.org; $('#cf-org').dataset.init = '1'; }
    $('#cf-org').disabled = !isCmcc(me);
    $('#cf-at-hint').textContent = t('aid.form.at_hint', { zone: getZone(), offset: zoneLabel() });
  }

  reset() {
    this.crossings = [];
    this.consignments = [];
    this.loaded = false;
    this.visible = false;
    const f = $('#csg-form');
    f.reset();
    f.hidden = true;
    delete $('#cf-org').dataset.init;
    this.errors.clearAll();
  }

  hide() { this.visible = false; }

  show() {
    this.visible = true;
    $('#aid-new').hidden = !can(this.ctx.me, 'aid.write');
    this.fillSelects();
    this.render();
    return this.load();
  }

  reloadSoon() { this.reloader.soon(); }

  async load() {
    try {
      const r = await api('GET', '/api/v1/aid/crossings');
      this.crossings = r.crossings || [];
      if (Number.isFinite(r.target_trucks_per_day)) this.target = r.target_trucks_per_day;
      $('#aid-error').hidden = true;
    } catch (e) {
      $('#aid-error').textContent = errorText(e);
      $('#aid-error').hidden = false;
    }
    this.fillSelects();
    await this.loadConsignments();
  }

  async loadConsignments(more = false) {
    const q = { limit: '100' };
    for (const [k, id] of [['status', 'csgf-status'], ['crossing', 'csgf-crossing'], ['date', 'csgf-date']]) if ($(`#${id}`).value) q[k] = $(`#${id}`).value;
    if (more && this.next) q.cursor = this.next;
    try {
      const r = await api('GET', `/api/v1/aid/consignments?${new URLSearchParams(q)}`);
      this.consignments = more ? [...this.consignments, ...(r.consignments || [])] : (r.consignments || []);
      this.next = r.next || null;
      this.loaded = true;
    } catch (e) {
      $('#aid-error').textContent = errorText(e);
      $('#aid-error').hidden = false;
    }
    this.render();
  }

  crossingName(id) { const c = this.crossings.find((x) => x.id === id); return c ? pick(c.name) || id : (id || ''); }

  render() {
    const today = this.crossings.reduce((s, c) => s + ((c.today && c.today.trucks) || 0), 0);
    const pct = this.target ? Math.min(100, Math.round((today / this.target) * 100)) : 0;
    clear($('#aid-today')).append(
      h('span', { 'data-testid': 'aid-today-text' }, t('aid.today', { trucks: today, target: this.target, gap: Math.max(0, this.target - today), day: missionDay() })),
      h('span', { class: 'bar', role: 'img', 'aria-label': t('aid.today_pct', { pct }) }, h('span', { class: 'bar-fill', style: { width: `${pct}%` } })));
    const ul = clear($('#aid-crossings'));
    const ack = can(this.ctx.me, 'notify.ack');
    for (const c of this.crossings) {
      const tr = (c.today && c.today.trucks) || 0;
      ul.append(h('li', { class: ['card', 'crossing-card', `crossing-${c.status}`], 'data-testid': `aid-crossing-${c.id}`, 'data-status': c.status || '' },
        h('div', { class: 'card-head' },
          h('strong', { class: 'card-title' }, pick(c.name) || c.id),
          h('span', { class: `chip crossing-status crossing-status-${c.status}`, 'data-testid': 'crossing-status' }, tOpt(`crossing.status.${c.status}`, c.status || '')),
          c.kind ? h('span', { class: 'chip' }, tOpt(`crossing.kind.${String(c.kind).toLowerCase()}`, c.kind)) : null,
          exerciseTag(c)),
        h('p', { class: 'card-line', 'data-testid': 'crossing-today' }, t('aid.crossing_today', { trucks: tr, consignments: (c.today && c.today.consignments) || 0 })),
        ack ? this.crossingForm(c) : null));
    }
    const me = this.ctx.me;
    const list = clear($('#aid-csg-list'));
    for (const x of this.consignments) list.append(this.card(x, can(me, 'aid.write') && (isCmcc(me) || (me && x.org === me.org))));
    $('#aid-csg-empty').hidden = !this.loaded || this.consignments.length > 0;
    $('#aid-more').hidden = !this.next;
    this.el.dataset.ready = this.loaded ? '1' : '0';
  }

  crossingForm(c) {
    const id = `xs-${c.id}`;
    const sel = h('select', { id, 'data-testid': `xs-status-${c.id}` }, CROSSING_STATUSES.map((s) => h('option', { value: s, selected: s === c.status }, tOpt(`crossing.status.${s}`, s))));
    const note = h('input', { id: `${id}-note`, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': `xs-note-${c.id}` });
    const err = h('p', { id: `${id}-error`, class: 'field-error', role: 'alert', hidden: true });
    const btn = h('button', { type: 'submit', class: 'btn btn-small' }, t('aid.crossing_set'));
    const form = h('form', { class: 'card-actions', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: id }, t('aid.crossing_status')), sel),
      h('div', { class: 'field' }, h('label', { for: `${id}-note` }, t('aid.field.note')), note),
      h('div', { class: 'field field-button' }, btn), err);
    form.addEventListener('submit', (e) => pending(form, async () => {
      e.preventDefault();
      err.hidden = true;
      btn.disabled = true;
      try {
        await api('POST', `/api/v1/aid/crossings/${encodeURIComponent(c.id)}/status`, note.value.trim() ? { status: sel.value, note: note.value.trim() } : { status: sel.value });
        $('#aid-announce').textContent = t('aid.crossing_done', { name: pick(c.name) || c.id });
        this.load();
      } catch (ex) {
        err.textContent = errorText(ex);
        err.hidden = false;
        btn.disabled = false;
      }
    }));
    return form;
  }

  card(x, mayAct) {
    const hist = (x.history || []).filter((e) => e.status);
    return h('li', { class: ['card', 'csg-card', `csg-${x.status}`], 'data-testid': `csg-${x.id}`, 'data-status': x.status },
      h('div', { class: 'card-head' },
        h('strong', { class: 'card-title' }, t('aid.card_title', { trucks: x.trucks, commodity: commodityLabel(x.commodity) })),
        h('span', { class: 'ops-id' }, x.id),
        h('span', { class: `chip csg-status csg-status-${x.status}`, 'data-testid': 'csg-status' }, csgStatusLabel(x.status)),
        x.manner ? h('span', { class: 'chip chip-violation' }, tOpt(`aid.manner.${x.manner}`, x.manner)) : null,
        exerciseTag(x)),
      h('p', { class: 'card-line' },
        this.ctx.orgName(x.org), ' · ', this.crossingName(x.crossing),
        Number.isFinite(x.tonnes) ? ` · ${t('aid.tonnes', { n: x.tonnes })}` : null,
        x.reference ? [' · ', h('span', { dir: 'ltr' }, x.reference)] : null,
        x.at ? [' · ', timeEl(x.at)] : null),
      x.incident ? h('p', { class: 'card-line' }, t('aid.incident'), ' ', h('a', { href: `#/incidents/${x.incident}`, class: 'ops-id', 'data-testid': 'csg-incident' }, x.incident)) : null,
      x.note ? h('p', { class: 'card-line', dir: 'auto' }, x.note) : null,
      hist.length > 1 ? h('details', { class: 'task-history' }, h('summary', null, t('aid.history', { n: hist.length })),
        h('ol', { class: 'history' }, hist.map((e) => h('li', null,
          h('span', { class: `chip csg-status csg-status-${e.status}` }, csgStatusLabel(e.status)), ' ', e.at ? timeEl(e.at) : null,
          e.by ? ` · ${e.by}` : null, e.note ? [' · ', h('span', { dir: 'auto' }, e.note)] : null)))) : null,
      mayAct ? this.actions(x) : null);
  }

  // The buttons of the next steps; intercepted and returned ask first for
  // what they need (the manner; a note).
  actions(x) {
    const next = CSG_NEXT[x.status] || [];
    if (!next.length) return null;
    const box = h('div', { class: 'task-actions csg-actions', 'data-testid': 'csg-actions' });
    const extra = h('div', { class: 'csg-extra', 'data-panel': true, hidden: true });
    const err = h('p', { class: 'field-error', role: 'alert', id: `ca-${x.id}-error`, 'data-testid': 'csg-error', hidden: true });
    const run = (body, btns) => pending(box, async () => {
      err.hidden = true;
      for (const b of btns) b.disabled = true;
      try {
        await api('POST', `/api/v1/aid/consignments/${encodeURIComponent(x.id)}/status`, body);
        $('#aid-announce').textContent = t('aid.status_done', { id: x.id, status: csgStatusLabel(body.status) });
        await this.load();
      } catch (e) {
        err.textContent = errorText(e);
        err.hidden = false;
        for (const b of btns) b.disabled = false;
        const c = e.field && extra.querySelector(`[data-f="${e.field}"]`);
        if (c) { c.setAttribute('aria-invalid', 'true'); c.setAttribute('aria-describedby', err.id); c.focus(); }
      }
    });
    for (const st of next) {
      const b = h('button', { type: 'button', class: ['btn', 'btn-small', st === 'intercepted' || st === 'returned' ? 'btn-warn' : null], 'data-testid': `csg-to-${st}` }, tOpt(`aid.action.${st}`, st));
      b.addEventListener('click', () => {
        if (st !== 'intercepted' && st !== 'returned') { run({ status: st }, [...box.querySelectorAll('button')]); return; }
        clear(extra).hidden = false;
        const n = `ca-${x.id}-${st}`;
        const inputs = [];
        if (st === 'intercepted') {
          inputs.push(h('div', { class: 'field' }, h('label', { for: `${n}-manner` }, t('aid.field.manner')),
            h('select', { id: `${n}-manner`, 'data-f': 'manner', 'data-testid': 'csg-manner' }, MANNERS.map((m) => h('option', { value: m }, tOpt(`aid.manner.${m}`, m))))));
          inputs.push(h('div', { class: 'field' }, h('label', { for: `${n}-incident` }, t('aid.field.incident')),
            h('input', { id: `${n}-incident`, type: 'text', dir: 'ltr', autocomplete: 'off', 'data-f': 'incident', 'aria-describedby': `${n}-incident-hint`, 'data-testid': 'csg-incident-input' }),
            h('p', { id: `${n}-incident-hint`, class: 'hint' }, t('aid.form.incident_hint'))));
        }
        inputs.push(h('div', { class: 'field' }, h('label', { for: `${n}-note` }, st === 'returned' ? t('aid.field.note_required') : t('aid.field.note')),
          h('input', { id: `${n}-note`, type: 'text', dir: 'auto', autocomplete: 'off', 'data-f': 'note', 'data-testid': 'csg-note' })));
        const go = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'csg-apply' }, tOpt(`aid.action.${st}`, st));
        const form = h('form', { class: 'card-actions', novalidate: true }, inputs, h('div', { class: 'field field-button' }, go));
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          const body = { status: st };
          for (const el of form.querySelectorAll('[data-f]')) { el.removeAttribute('aria-invalid'); if (el.value.trim()) body[el.dataset.f] = el.value.trim(); }
          run(body, [...box.querySelectorAll('button'), go]);
        });
        extra.append(form);
        form.querySelector('select, input').focus();
      });
      box.append(b);
    }
    return h('div', null, box, extra, err);
  }

  toggleForm() {
    const f = $('#csg-form');
    f.hidden = !f.hidden;
    $('#aid-new').setAttribute('aria-expanded', String(!f.hidden));
    if (!f.hidden) $('#cf-commodity').focus();
  }

  async submit() {
    this.errors.clearAll();
    $('#cf-status').textContent = '';
    const b = { commodity: $('#cf-commodity').value, crossing: $('#cf-crossing').value };
    if (isCmcc(this.ctx.me) && $('#cf-org').value) b.org = $('#cf-org').value;
    const numOf = (id, key) => {
      const v = $(`#${id}`).value.trim();
      if (v === '') return true;
      const n = Number(v);
      if (!Number.isFinite(n)) { this.errors.showLocal(id, 'inc.form.bad_number'); $(`#${id}`).focus(); return false; }
      b[key] = n;
      return true;
    };
    if (!numOf('cf-trucks', 'trucks') || !numOf('cf-tonnes', 'tonnes')) return;
    const at = zonedToUtc($('#cf-at').value);
    if (at) b.at = at;
    for (const [id, k] of [['cf-reference', 'reference'], ['cf-note', 'note']]) if ($(`#${id}`).value.trim()) b[k] = $(`#${id}`).value.trim();
    const btn = $('[data-testid="cf-submit"]');
    btn.disabled = true;
    try {
      const r = await api('POST', '/api/v1/aid/consignments', b);
      $('#cf-status').textContent = t('aid.form.done', { id: r.id });
      $('#cf-trucks').value = '';
      $('#cf-tonnes').value = '';
      $('#cf-reference').value = '';
      $('#cf-note').value = '';
      await this.load();
    } catch (e) {
      this.errors.report(e);
    } finally {
      btn.disabled = false;
    }
  }
}

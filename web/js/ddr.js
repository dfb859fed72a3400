// ddr.js — the disarmament (DDR) pages of the app (issue 8; docs/ddr.md),
// wired into the shell by app.js under one navigation entry (#/ddr) with
// tabs: the registration wizard at the disarmament site (Arabic name first,
// works at tablet width), the weapons register with its chain of custody,
// the review queue of fraud and anomaly flags, stores and stock checks,
// payments, and the programme dashboard. The page builds its own markup.
// Personal data appears only in what the server gives a DDR officer, and
// only on the registration form and its result: lists are pseudonymous.
import { api } from './api.js';
import { t, tOpt, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { errorText } from './forms.js';
import { Reloader, pending } from './reload.js';

const has = (me, p) => !!me && me.permissions.includes(p);
export const canSeeDdr = (me) => has(me, 'ddr.audit');
const isOfficer = (me) => has(me, 'ddr');

export const DDR_ROUTES = [{ id: 'ddr', key: 'nav.ddr', perm: canSeeDdr }];
export const DDR_STREAM_KINDS = ['ddr.person.registered', 'ddr.weapon.registered', 'ddr.weapon.custody', 'ddr.flag.raised',
  'ddr.flag.reviewed', 'ddr.payment.made', 'ddr.stock.checked', 'ddr.cache.registered'];

const TABS = ['register', 'people', 'weapons', 'flags', 'stores', 'payments', 'dashboard'];
const WEAPON_TYPES = ['assault_rifle', 'rifle', 'pistol', 'machine_gun', 'sniper_rifle', 'shotgun', 'submachine_gun',
  'rocket_launcher', 'mortar', 'grenade', 'explosive', 'ied_component', 'other'];
const CONDITIONS = ['serviceable', 'repairable', 'unserviceable'];
const SCREENING = ['passed', 'pending', 'failed'];
const PAY_METHODS = ['cash', 'mobile_money', 'bank_transfer', 'voucher'];
const DESTROY = ['cutting', 'crushing', 'smelting', 'burning', 'detonation', 'other'];
const OPTIONS = ['vocational_training', 'education', 'agriculture', 'small_business', 'public_works'];
const OUTCOMES = ['on_track', 'at_risk', 'dropped_out', 'not_found', 'rearmed_suspected'];

const opt = (value, label, selected) => h('option', { value, selected: selected || null }, label);
const enumLabel = (group, v) => tOpt(`ddr.${group}.${v}`, v);

// A labelled control with its error box (the forms.js pattern).
function field(id, key, control, hint) {
  control.id = id;
  control.dataset.testid = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(key)), control,
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': `${id}-error`, hidden: true }));
}

function input(type = 'text', attrs = {}) { return h('input', { type, ...attrs }); }
function select(values, group, attrs = {}) { return h('select', attrs, ...values.map((v) => opt(v, enumLabel(group, v)))); }

export class DdrPages {
  constructor(ctx) {
    this.ctx = ctx;
    this.tab = 'register';
    this.sites = [];
    this.stores = [];
    this.weapons = [];
    this.flags = [];
    this.payments = [];
    this.figures = null;
    this.selected = null;
    this.step = 1;
    this.weaponRows = 0;
    this.results = {};
    this.built = false;
    this.visible = false;
    // Not the form being filled in, nor an open person (re-opening would log
    // another read); elsewhere not under the hands of someone at work.
    this.reloader = new Reloader(() => this.load(), { scope: '#ddr-body',
      when: () => this.visible && this.tab !== 'register' && this.tab !== 'people' });
    onLangChange(() => { if (this.built) { this.build(); if (this.visible) this.render(); } });
  }

  build() {
    const old = $('#view-ddr');
    if (old) old.remove();
    const sec = h('section', { id: 'view-ddr', class: 'view view-ddr', 'data-view': 'ddr', 'aria-labelledby': 'ddr-title', hidden: !this.visible },
      h('div', { class: 'view-head' },
        h('h1', { id: 'ddr-title', tabindex: '-1' }, t('ddr.title')),
        h('p', { class: 'view-sub' }, t('ddr.sub'))),
      h('nav', { class: 'subnav', 'data-testid': 'ddr-subnav', 'aria-label': t('ddr.tabs') },
        ...TABS.map((id) => h('a', { href: `#/ddr/${id}`, class: 'subnav-link', 'data-testid': `ddr-tab-${id}` }, tOpt(`ddr.tab.${id}`, id)))),
      h('p', { id: 'ddr-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'ddr-error', hidden: true }),
      h('div', { id: 'ddr-body', class: 'ddr-body', 'data-testid': 'ddr-body' }));
    $('#main').append(sec);
    this.built = true;
    this.regForm = null;
  }

  hide() { this.visible = false; const s = $('#view-ddr'); if (s) s.hidden = true; }

  async show(sub) {
    this.reloader.cancel(); // a reload asked for by another tab
    this.visible = true;
    if (!this.built) this.build();
    $('#view-ddr').hidden = false;
    const was = this.tab;
    this.tab = TABS.includes(sub) ? sub : (isOfficer(this.ctx.me) ? 'register' : 'dashboard');
    if (this.tab !== was) this.results = {};
    for (const a of document.querySelectorAll('#view-ddr .subnav-link')) {
      if (a.dataset.testid === `ddr-tab-${this.tab}`) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
      if (['register', 'payments'].includes(a.dataset.testid.slice(8)) && !isOfficer(this.ctx.me)) a.hidden = true;
      if (a.dataset.testid === 'ddr-tab-people' && !isOfficer(this.ctx.me)) a.hidden = true;
    }
    await this.load();
  }

  reset() { this.sites = []; this.stores = []; this.selected = null; this.step = 1; this.built = false; this.regForm = null; this.results = {}; const s = $('#view-ddr'); if (s) s.remove(); }

  reloadSoon() { this.reloader.soon(); }

  // The answer to a stock check or a payment: one element per form, kept
  // across reloads (the stream echoes the write itself).
  result(name) {
    return this.results[name] || (this.results[name] = h('div', { role: 'status', 'data-testid': `ddr-${name}-result` }));
  }

  async load() {
    const err = $('#ddr-error');
    try {
      if (!this.sites.length) this.sites = (await api('GET', '/api/v1/ddr/sites')).sites || [];
      if (this.tab === 'people') this.people = (await api('GET', '/api/v1/ddr/people?limit=200')).people || [];
      if (this.tab === 'weapons') this.weapons = (await api('GET', '/api/v1/ddr/weapons?limit=500')).weapons || [];
      if (this.tab === 'flags') this.flags = (await api('GET', `/api/v1/ddr/flags?status=${this.flagStatus || 'open'}`)).flags || [];
      if (this.tab === 'stores' || this.tab === 'weapons') this.stores = (await api('GET', '/api/v1/ddr/stores')).stores || [];
      if (this.tab === 'payments') this.payments = (await api('GET', '/api/v1/ddr/payments?limit=200')).payments || [];
      if (this.tab === 'dashboard') this.figures = await api('GET', '/api/v1/ddr/figures');
      err.hidden = true;
    } catch (e) {
      err.textContent = errorText(e);
      err.hidden = false;
    }
    this.render();
  }

  render() {
    const body = clear($('#ddr-body'));
    body.dataset.tab = this.tab;
    const page = { register: () => this.renderRegister(), people: () => this.renderPeople(), weapons: () => this.renderWeapons(), flags: () => this.renderFlags(),
      stores: () => this.renderStores(), payments: () => this.renderPayments(), dashboard: () => this.renderDashboard() }[this.tab];
    body.append(page());
    $('#view-ddr').dataset.ready = '1';
  }

  // Shows a server error under the control it names (or in the form's box).
  showError(form, e, ids) {
    for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
    for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    const f = String(e.field || '');
    const id = ids[f] || ids[f.split('.')[0]] || ids[f.replace(/\[\d+\]/, '[]')] || null;
    const box = id && $(`#${CSS.escape(id)}-error`);
    if (box) {
      box.textContent = errorText(e);
      box.hidden = false;
      const c = $(`#${CSS.escape(id)}`);
      if (c) { c.setAttribute('aria-invalid', 'true'); c.focus(); }
    } else {
      const fe = form.querySelector('.form-error');
      fe.textContent = errorText(e);
      fe.hidden = false;
    }
  }

  // ---- the registration wizard ----

  renderRegister() {
    if (this.regForm) return this.regForm;
    const siteSel = h('select', {}, ...this.sites.map((s) => opt(s.id, (s.name && (s.name[document.documentElement.lang] || s.name.en)) || s.id)));
    const person = h('fieldset', { class: 'field-group ddr-step', 'data-step': '1' },
      h('legend', {}, t('ddr.reg.step1')),
      field('ddr-site', 'ddr.reg.site', siteSel),
      field('ddr-name-ar', 'ddr.reg.name_ar', input('text', { dir: 'rtl', lang: 'ar', autocomplete: 'off' })),
      field('ddr-name-latin', 'ddr.reg.name_latin', input('text', { dir: 'ltr', lang: 'en', autocomplete: 'off' })),
      h('div', { class: 'field-pair' },
        field('ddr-dob', 'ddr.reg.dob', input('date')),
        field('ddr-idnum', 'ddr.reg.id_number', input('text', { autocomplete: 'off', inputmode: 'numeric' }))),
      h('div', { class: 'field-pair' },
        field('ddr-household', 'ddr.reg.household', input('number', { min: 1, max: 50, value: 1 })),
        field('ddr-photo', 'ddr.reg.photo', input('text'))),
      h('div', { class: 'field-pair' },
        field('ddr-affiliation', 'ddr.reg.affiliation', input('text')),
        field('ddr-role', 'ddr.reg.role', input('text'))),
      field('ddr-screening', 'ddr.reg.screening', select(SCREENING, 'screening')),
      h('p', { class: 'hint' }, t('ddr.reg.personal_hint')));
    const weapons = h('div', { id: 'ddr-weapons', class: 'ddr-weapons', 'data-testid': 'ddr-weapons' });
    const ammo = h('div', { class: 'field-pair' },
      field('ddr-ammo-calibre', 'ddr.reg.ammo_calibre', input('text', { placeholder: '7.62x39mm' })),
      field('ddr-ammo-count', 'ddr.reg.ammo_count', input('number', { min: 0, value: 0 })));
    const step2 = h('fieldset', { class: 'field-group ddr-step', 'data-step': '2', hidden: true },
      h('legend', {}, t('ddr.reg.step2')), weapons,
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-add-weapon', onclick: () => weapons.append(this.weaponRow()) }, t('ddr.reg.add_weapon')),
      h('h3', {}, t('ddr.reg.ammunition')), ammo);
    const review = h('div', { id: 'ddr-review', class: 'ddr-review', 'data-testid': 'ddr-review' });
    const step3 = h('fieldset', { class: 'field-group ddr-step', 'data-step': '3', hidden: true }, h('legend', {}, t('ddr.reg.step3')), review);
    const status = h('div', { id: 'ddr-result', class: 'ddr-result', 'data-testid': 'ddr-result', role: 'status' });
    const back = h('button', { type: 'button', class: 'btn', 'data-testid': 'ddr-back', onclick: () => this.goStep(this.step - 1) }, t('ddr.reg.back'));
    const next = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'ddr-next', onclick: () => this.goStep(this.step + 1) }, t('ddr.reg.next'));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ddr-submit', hidden: true }, t('ddr.reg.submit'));
    const form = h('form', { id: 'ddr-reg-form', class: 'card ddr-reg', novalidate: true, 'data-testid': 'ddr-reg-form',
      onsubmit: (e) => { e.preventDefault(); this.submitRegistration(); } },
      h('ol', { class: 'ddr-steps', 'data-testid': 'ddr-steps' }, ...[1, 2, 3].map((n) => h('li', { 'data-step': String(n) }, tOpt(`ddr.reg.step${n}`, String(n))))),
      person, step2, step3,
      h('p', { class: 'form-error', role: 'alert', 'data-testid': 'ddr-reg-error', hidden: true }),
      h('div', { class: 'form-actions' }, back, next, submit), status);
    weapons.append(this.weaponRow());
    this.regForm = form;
    this.regParts = { back, next, submit };
    this.goStep(1, form);
    return form;
  }

  weaponRow() {
    const i = this.weaponRows++;
    const row = h('div', { class: 'ddr-weapon-row card', 'data-testid': `ddr-weapon-${i}`, dataset: { index: String(i) } },
      h('div', { class: 'field-pair' },
        field(`ddr-w${i}-type`, 'ddr.w.type', select(WEAPON_TYPES, 'wtype')),
        field(`ddr-w${i}-condition`, 'ddr.w.condition', select(CONDITIONS, 'condition'))),
      h('div', { class: 'field-pair' },
        field(`ddr-w${i}-serial`, 'ddr.w.serial', input('text', { autocomplete: 'off', dir: 'ltr' })),
        field(`ddr-w${i}-calibre`, 'ddr.w.calibre', input('text', { dir: 'ltr' }))),
      h('div', { class: 'field-pair' },
        field(`ddr-w${i}-make`, 'ddr.w.make', input('text')),
        field(`ddr-w${i}-model`, 'ddr.w.model', input('text'))),
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `ddr-w${i}-remove`, onclick: () => row.remove() }, t('ddr.reg.remove_weapon')));
    return row;
  }

  goStep(n, form = this.regForm) {
    this.step = Math.max(1, Math.min(3, n));
    for (const s of form.querySelectorAll('.ddr-step')) s.hidden = s.dataset.step !== String(this.step);
    for (const li of form.querySelectorAll('.ddr-steps li')) {
      if (li.dataset.step === String(this.step)) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    }
    const { back, next, submit } = this.regParts || {};
    if (back) { back.hidden = this.step === 1; next.hidden = this.step === 3; submit.hidden = this.step !== 3; }
    if (this.step === 3) this.renderReview(form);
    const first = form.querySelector(`.ddr-step[data-step="${this.step}"] input, .ddr-step[data-step="${this.step}"] select`);
    if (first && this.visible) first.focus();
  }

  registrationBody(form) {
    const v = (id) => ($(`#${id}`, form) || {}).value || '';
    const body = {
      site: v('ddr-site'), name_ar: v('ddr-name-ar').trim(), name_latin: v('ddr-name-latin').trim(), date_of_birth: v('ddr-dob'),
      screening: v('ddr-screening'), weapons: [], ammunition: [],
    };
    if (v('ddr-idnum').trim()) body.id_number = v('ddr-idnum').trim();
    if (v('ddr-household')) body.household_size = Number(v('ddr-household'));
    for (const [k, id] of [['photo_ref', 'ddr-photo'], ['affiliation', 'ddr-affiliation'], ['declared_role', 'ddr-role']])
      if (v(id).trim()) body[k] = v(id).trim();
    for (const row of form.querySelectorAll('.ddr-weapon-row')) {
      const i = row.dataset.index;
      const w = { type: v(`ddr-w${i}-type`), condition: v(`ddr-w${i}-condition`) };
      for (const k of ['serial', 'calibre', 'make', 'model']) if (v(`ddr-w${i}-${k}`).trim()) w[k] = v(`ddr-w${i}-${k}`).trim();
      body.weapons.push(w);
    }
    const n = Number(v('ddr-ammo-count'));
    if (n > 0) body.ammunition.push({ calibre: v('ddr-ammo-calibre').trim() || '?', count: n });
    if (this.ctx.mission && this.ctx.mission.exercise) body.exercise = true;
    return body;
  }

  renderReview(form) {
    const b = this.registrationBody(form);
    clear($('#ddr-review', form)).append(h('dl', { class: 'ddr-dl' },
      h('dt', {}, t('ddr.reg.name_ar')), h('dd', { dir: 'rtl' }, b.name_ar),
      h('dt', {}, t('ddr.reg.name_latin')), h('dd', { dir: 'ltr' }, b.name_latin),
      h('dt', {}, t('ddr.reg.dob')), h('dd', {}, b.date_of_birth),
      h('dt', {}, t('ddr.reg.site')), h('dd', {}, b.site),
      h('dt', {}, t('ddr.reg.weapons_count')), h('dd', { 'data-testid': 'ddr-review-weapons' }, String(b.weapons.length)),
      h('dt', {}, t('ddr.reg.ammunition')), h('dd', {}, String(b.ammunition.reduce((s, a) => s + a.count, 0)))));
  }

  weaponIds(form) {
    const ids = {};
    for (const row of form.querySelectorAll('.ddr-weapon-row')) {
      const i = row.dataset.index, k = [...form.querySelectorAll('.ddr-weapon-row')].indexOf(row);
      for (const f of ['type', 'condition', 'serial', 'calibre', 'make', 'model']) ids[`weapons[${k}].${f}`] = `ddr-w${i}-${f}`;
    }
    return ids;
  }

  async submitRegistration() {
    const form = this.regForm;
    const ids = { site: 'ddr-site', name_ar: 'ddr-name-ar', name_latin: 'ddr-name-latin', date_of_birth: 'ddr-dob', id_number: 'ddr-idnum',
      household_size: 'ddr-household', photo_ref: 'ddr-photo', affiliation: 'ddr-affiliation', declared_role: 'ddr-role',
      screening: 'ddr-screening', 'ammunition[0].count': 'ddr-ammo-count', 'ammunition[0].calibre': 'ddr-ammo-calibre', ...this.weaponIds(form) };
    const stepOf = (id) => { const s = id && $(`#${CSS.escape(id)}`)?.closest('.ddr-step'); return s ? Number(s.dataset.step) : 3; };
    const btn = this.regParts.submit;
    btn.disabled = true;
    try {
      const r = await api('POST', '/api/v1/ddr/people', this.registrationBody(form));
      this.showResult(r);
      form.reset();
      clear($('#ddr-weapons', form)).append(this.weaponRow());
      this.goStep(1);
    } catch (e) {
      const f = String(e.field || '');
      const id = ids[f] || ids[f.split('.')[0]];
      if (id) this.goStep(stepOf(id));
      this.showError(form, e, ids);
    } finally {
      btn.disabled = false;
    }
  }

  showResult(r) {
    const box = clear($('#ddr-result'));
    const el = r.person.eligibility;
    box.append(h('div', { class: 'card ddr-done', 'data-testid': 'ddr-registered' },
      h('h3', {}, t('ddr.reg.done', { id: r.id })),
      h('p', { 'data-testid': 'ddr-card' }, t('ddr.reg.card', { card: r.card_number || '' })),
      h('p', { 'data-testid': 'ddr-eligible' }, el.eligible ? t('ddr.reg.eligible', { total: r.person.entitlement.total, currency: r.person.entitlement.currency }) : t('ddr.reg.not_eligible')),
      el.reasons.length ? h('ul', {}, ...el.reasons.map((x) => h('li', {}, x))) : null,
      h('p', { 'data-testid': 'ddr-result-weapons' }, t('ddr.reg.weapons_done', { ids: r.weapons.join(', ') })),
      h('h4', {}, t('ddr.reg.flags')),
      r.flags.length ? h('ul', { class: 'card-list', 'data-testid': 'ddr-result-flags' }, ...r.flags.map((f) => this.flagItem(f, false)))
        : h('p', { 'data-testid': 'ddr-result-noflags' }, t('ddr.reg.no_flags'))));
    box.focus?.();
  }

  // ---- people: pseudonymous list; opening one is a logged read ----

  renderPeople() {
    const rows = (this.people || []).map((p) => h('tr', { 'data-testid': `ddr-prow-${p.id}` },
      h('td', {}, h('button', { type: 'button', class: 'btn-link', onclick: () => this.openPerson(p.id) }, p.id)),
      h('td', {}, p.site), h('td', {}, enumLabel('screening', p.screening)),
      h('td', {}, p.eligibility && p.eligibility.eligible ? t('ddr.people.yes') : t('ddr.people.no')),
      h('td', { class: 'num' }, String((p.weapons || []).length)), h('td', { class: 'num' }, String(p.paid || 0)),
      h('td', { class: 'num' }, String((p.flags || []).length))));
    const table = h('table', { class: 'data-table', 'data-testid': 'ddr-people-table' },
      h('thead', {}, h('tr', {}, ...['id', 'site', 'screening', 'eligible', 'weapons', 'paid', 'flags'].map((k) => h('th', {}, tOpt(`ddr.pcol.${k}`, k))))),
      h('tbody', {}, ...rows));
    return h('div', { class: 'ddr-people' }, h('p', { class: 'hint' }, t('ddr.people.hint')), h('div', { class: 'table-wrap' }, table),
      h('div', { id: 'ddr-person', 'data-testid': 'ddr-person' }));
  }

  // Opens a person: the server logs the read before it sends the personal data.
  async openPerson(id) {
    const box = clear($('#ddr-person'));
    let p;
    try { p = await api('GET', `/api/v1/ddr/people/${id}`); } catch (e) { box.append(h('p', { class: 'form-error', role: 'alert' }, errorText(e))); return; }
    const d = p.personal || {};
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const post = async (path, body) => {
      try { await api('POST', `/api/v1/ddr/people/${id}/${path}`, body); await this.openPerson(id); } catch (e) { err.textContent = errorText(e); err.hidden = false; }
    };
    const screening = select(['passed', 'failed'], 'screening', { 'aria-label': t('ddr.reg.screening'), 'data-testid': 'ddr-p-screening' });
    const option = select(OPTIONS, 'option', { 'aria-label': t('ddr.people.option'), 'data-testid': 'ddr-p-option' });
    const outcome = select(OUTCOMES, 'outcome', { 'aria-label': t('ddr.people.outcome'), 'data-testid': 'ddr-p-outcome' });
    const note = input('text', { 'aria-label': t('ddr.people.note'), 'data-testid': 'ddr-p-note' });
    box.append(h('article', { class: 'card ddr-person-card', 'data-testid': 'ddr-person-card' },
      h('h2', {}, `${p.id} — ${d.card_number || ''}`),
      h('dl', { class: 'ddr-dl' },
        h('dt', {}, t('ddr.reg.name_ar')), h('dd', { dir: 'rtl', 'data-testid': 'ddr-p-name-ar' }, d.name_ar || ''),
        h('dt', {}, t('ddr.reg.name_latin')), h('dd', { dir: 'ltr', 'data-testid': 'ddr-p-name-latin' }, d.name_latin || ''),
        h('dt', {}, t('ddr.reg.dob')), h('dd', {}, d.date_of_birth || ''),
        h('dt', {}, t('ddr.reg.id_number')), h('dd', {}, d.id_number || ''),
        h('dt', {}, t('ddr.reg.screening')), h('dd', {}, enumLabel('screening', p.screening)),
        h('dt', {}, t('ddr.people.entitlement')), h('dd', {}, p.entitlement ? `${p.paid} / ${p.entitlement.total} ${p.entitlement.currency}` : t('ddr.people.no')),
        h('dt', {}, t('ddr.people.option')), h('dd', {}, p.reintegration ? enumLabel('option', p.reintegration.option) : '—')),
      h('p', { class: 'hint', 'data-testid': 'ddr-p-access' }, t('ddr.people.reads', { n: (p.access_log || []).length })),
      h('h3', {}, t('ddr.people.followups')),
      h('ul', {}, ...(p.followups || []).map((f) => h('li', {}, `${(f.date || '').slice(0, 10)} — ${enumLabel('outcome', f.outcome)}${f.note ? ` — ${f.note}` : ''}`))),
      h('div', { class: 'form-actions' }, screening, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-p-screen',
        onclick: () => post('screening', { screening: screening.value }) }, t('ddr.people.screen'))),
      h('div', { class: 'form-actions' }, option, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-p-reintegrate',
        onclick: () => post('reintegration', { option: option.value }) }, t('ddr.people.reintegrate'))),
      h('div', { class: 'form-actions' }, outcome, note, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-p-followup',
        onclick: () => post('followups', { date: new Date().toISOString(), outcome: outcome.value, note: note.value.trim() || undefined }) }, t('ddr.people.followup'))),
      err));
  }

  // ---- the review queue ----

  flagItem(f, review) {
    const li = h('li', { class: 'card ddr-flag', 'data-testid': `ddr-flag-${f.id}`, dataset: { rule: f.rule, status: f.status } },
      h('div', { class: 'card-head' },
        h('strong', { class: 'card-title' }, enumLabel('rule', f.rule)),
        h('span', { class: 'tag' }, f.id), h('span', { class: 'tag' }, enumLabel('flag_status', f.status))),
      h('p', { dir: 'ltr', class: 'ddr-explanation' }, f.explanation),
      h('p', { class: 'hint' }, t('ddr.flag.raised', { by: f.raised_by, at: (f.raised_at || '').slice(0, 16).replace('T', ' ') })),
      ...(f.reviews || []).map((rv) => h('p', { class: 'hint' }, t('ddr.flag.reviewed', { by: rv.by, decision: enumLabel('flag_status', rv.decision), note: rv.note }))));
    if (review && f.status === 'open' && isOfficer(this.ctx.me)) {
      const note = input('text', { 'aria-label': t('ddr.flag.note'), 'data-testid': `ddr-flag-${f.id}-note` });
      const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
      const act = (decision) => () => pending(li, async () => {
        try {
          await api('POST', `/api/v1/ddr/flags/${f.id}/review`, { decision, note: note.value.trim() });
          this.load();
        } catch (e) { err.textContent = errorText(e); err.hidden = false; }
      });
      li.append(h('div', { class: 'form-actions' }, note,
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `ddr-flag-${f.id}-clear`, onclick: act('cleared') }, t('ddr.flag.clear')),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `ddr-flag-${f.id}-confirm`, onclick: act('confirmed') }, t('ddr.flag.confirm'))), err);
    }
    return li;
  }

  renderFlags() {
    const status = h('select', { 'data-testid': 'ddr-flag-status', 'aria-label': t('ddr.flag.status'),
      onchange: (e) => { this.flagStatus = e.target.value; this.load(); } },
    ...['open', 'cleared', 'confirmed'].map((s) => opt(s, enumLabel('flag_status', s), (this.flagStatus || 'open') === s)));
    return h('div', { class: 'ddr-flags' }, h('div', { class: 'form-actions', 'data-filters': true }, status),
      this.flags.length ? h('ul', { class: 'card-list', 'data-testid': 'ddr-flag-list' }, ...this.flags.map((f) => this.flagItem(f, true)))
        : h('p', { class: 'hint', 'data-testid': 'ddr-flags-empty' }, t('ddr.flag.none')));
  }

  // ---- the weapons register and custody ----

  renderWeapons() {
    const rows = this.weapons.map((w) => h('tr', { 'data-testid': `ddr-wrow-${w.id}`, class: this.selected === w.id ? 'is-selected' : null },
      h('td', {}, h('button', { type: 'button', class: 'btn-link', onclick: () => { this.selected = w.id; this.render(); } }, w.id)),
      h('td', {}, enumLabel('wtype', w.type)), h('td', { dir: 'ltr' }, w.serial || ''), h('td', {}, enumLabel('wstatus', w.status)),
      h('td', {}, w.store || ''), h('td', {}, w.holder || ''), h('td', { class: 'num' }, String((w.flags || []).length))));
    const table = h('table', { class: 'data-table', 'data-testid': 'ddr-weapon-table' },
      h('thead', {}, h('tr', {}, ...['id', 'type', 'serial', 'status', 'store', 'holder', 'flags'].map((k) => h('th', {}, tOpt(`ddr.wcol.${k}`, k))))),
      h('tbody', {}, ...rows));
    const w = this.weapons.find((x) => x.id === this.selected);
    return h('div', { class: 'ddr-register' }, h('div', { class: 'table-wrap' }, table), w ? this.weaponDetail(w) : null);
  }

  weaponDetail(w) {
    const me = this.ctx.me.username;
    const steps = h('ol', { class: 'ddr-custody', 'data-testid': 'ddr-custody' }, ...(w.custody || []).map((c) => h('li', {},
      `${enumLabel('step', c.step)} — ${c.by} — ${(c.at || '').slice(0, 16).replace('T', ' ')}${c.to_user ? ` → ${c.to_user} (${c.to_store})` : ''}`)));
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const send = (body) => pending(actions, async () => {
      try {
        await api('POST', `/api/v1/ddr/weapons/${w.id}/custody`, body);
        await this.load();
      } catch (e) { err.textContent = errorText(e); err.hidden = false; }
    });
    const actions = h('div', { class: 'form-actions', 'data-testid': 'ddr-custody-actions' });
    if (['collected', 'stored', 'inspected'].includes(w.status) && w.holder === me) {
      const to = input('text', { 'aria-label': t('ddr.cust.to_user'), 'data-testid': 'ddr-cust-to-user' });
      const store = h('select', { 'aria-label': t('ddr.cust.to_store'), 'data-testid': 'ddr-cust-to-store' }, ...this.stores.map((s) => opt(s.id, s.id)));
      actions.append(to, store, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-cust-dispatch',
        onclick: () => send({ step: 'dispatch', to_user: to.value.trim(), to_store: store.value }) }, t('ddr.step.dispatch')));
    }
    if (w.status === 'in_transit' && w.pending && w.pending.to_user === me) {
      const note = input('text', { 'aria-label': t('ddr.flag.note'), 'data-testid': 'ddr-cust-note' });
      actions.append(h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'ddr-cust-accept', onclick: () => send({ step: 'accept' }) }, t('ddr.step.accept')),
        note, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-cust-reject', onclick: () => send({ step: 'reject', note: note.value.trim() || undefined }) }, t('ddr.step.reject')));
    }
    if (isOfficer(this.ctx.me) && w.status === 'stored')
      actions.append(h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-cust-inspect', onclick: () => send({ step: 'inspect' }) }, t('ddr.step.inspect')));
    if (isOfficer(this.ctx.me) && w.status === 'inspected') {
      const method = select(DESTROY, 'method', { 'aria-label': t('ddr.cust.method'), 'data-testid': 'ddr-cust-method' });
      const wit = input('text', { 'aria-label': t('ddr.cust.witnesses'), 'data-testid': 'ddr-cust-witnesses' });
      actions.append(method, wit, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ddr-cust-destroy',
        onclick: () => send({ step: 'destroy', method: method.value, witnesses: wit.value.split(/[;,]/).map((s) => s.trim()).filter(Boolean) }) }, t('ddr.step.destroy')));
    }
    return h('article', { class: 'card ddr-weapon-detail', 'data-testid': 'ddr-weapon-detail' },
      h('h2', {}, `${w.id} — ${enumLabel('wtype', w.type)}`),
      h('p', {}, t('ddr.w.status_line', { status: enumLabel('wstatus', w.status), store: w.store || '—', holder: w.holder || '—' })),
      h('h3', {}, t('ddr.cust.chain')), steps, actions, err);
  }

  // ---- stores and stock checks ----

  renderStores() {
    const list = h('ul', { class: 'card-list', 'data-testid': 'ddr-store-list' }, ...this.stores.map((s) => h('li', { class: 'card', 'data-testid': `ddr-store-${s.id}` },
      h('strong', {}, `${s.id} — ${(s.name && (s.name[document.documentElement.lang] || s.name.en)) || ''}`),
      h('p', {}, t('ddr.store.holding', { stored: s.holding.stored, inspected: s.holding.inspected, transit: s.holding.in_transit_to })))));
    if (!isOfficer(this.ctx.me)) return list;
    const store = h('select', {}, ...this.stores.map((s) => opt(s.id, s.id)));
    const counted = h('textarea', { rows: 5, dir: 'ltr' });
    const result = this.result('check');
    const form = h('form', { class: 'card', novalidate: true, 'data-testid': 'ddr-check-form', onsubmit: (e) => pending(form, async () => {
      e.preventDefault();
      const lines = counted.value.split(/\n/).map((s) => s.trim()).filter(Boolean);
      const body = { counted: lines.filter((l) => /^DDR-W-\d+$/.test(l)), counted_serials: lines.filter((l) => !/^DDR-W-\d+$/.test(l)) };
      try {
        const r = await api('POST', `/api/v1/ddr/stores/${store.value}/checks`, body);
        clear(result).append(h('p', {}, t('ddr.check.result', { expected: r.check.expected_count, missing: r.check.missing.length, unexpected: r.check.unexpected.length + r.check.unknown_serials.length })),
          r.flags.length ? h('ul', { class: 'card-list' }, ...r.flags.map((f) => this.flagItem(f, false))) : null);
        const s2 = await api('GET', '/api/v1/ddr/stores');
        this.stores = s2.stores || [];
        form.reset();
      } catch (err) { this.showError(form, err, { counted: 'ddr-check-counted' }); }
    }) },
    h('h2', {}, t('ddr.check.title')),
    field('ddr-check-store', 'ddr.check.store', store),
    field('ddr-check-counted', 'ddr.check.counted', counted, t('ddr.check.hint')),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ddr-check-submit' }, t('ddr.check.submit'))), result);
    return h('div', { class: 'cards-layout' }, list, form);
  }

  // ---- payments ----

  renderPayments() {
    const person = input('text', { dir: 'ltr', placeholder: 'DDR-P-1' });
    const amount = input('number', { min: 0.01, step: 0.01 });
    const method = select(PAY_METHODS, 'pay');
    const inst = input('number', { min: 1, max: 120 });
    const status = this.result('pay');
    const form = h('form', { class: 'card', novalidate: true, 'data-testid': 'ddr-pay-form', onsubmit: (e) => pending(form, async () => {
      e.preventDefault();
      const body = { person: person.value.trim(), amount: Number(amount.value), method: method.value };
      if (inst.value) body.instalment = Number(inst.value);
      try {
        const r = await api('POST', '/api/v1/ddr/payments', body);
        clear(status).append(h('p', {}, t('ddr.pay.done', { id: r.id })), r.flags.length ? h('ul', { class: 'card-list' }, ...r.flags.map((f) => this.flagItem(f, false))) : null);
        this.payments = (await api('GET', '/api/v1/ddr/payments?limit=200')).payments || [];
        $('#ddr-pay-table tbody')?.replaceWith(this.payRows());
        form.reset();
      } catch (err) {
        this.showError(form, err, { person: 'ddr-pay-person', amount: 'ddr-pay-amount', method: 'ddr-pay-method', instalment: 'ddr-pay-inst', currency: 'ddr-pay-amount' });
      }
    }) },
    h('h2', {}, t('ddr.pay.title')),
    h('div', { class: 'field-pair' }, field('ddr-pay-person', 'ddr.pay.person', person), field('ddr-pay-amount', 'ddr.pay.amount', amount)),
    h('div', { class: 'field-pair' }, field('ddr-pay-method', 'ddr.pay.method', method), field('ddr-pay-inst', 'ddr.pay.instalment', inst)),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'ddr-pay-submit' }, t('ddr.pay.submit'))), status);
    const table = h('table', { id: 'ddr-pay-table', class: 'data-table', 'data-testid': 'ddr-pay-table' },
      h('thead', {}, h('tr', {}, ...['id', 'person', 'amount', 'method', 'instalment', 'officer'].map((k) => h('th', {}, tOpt(`ddr.paycol.${k}`, k))))), this.payRows());
    return h('div', { class: 'cards-layout' }, form, h('div', { class: 'table-wrap' }, table));
  }

  payRows() {
    return h('tbody', {}, ...this.payments.map((p) => h('tr', {}, h('td', {}, p.id), h('td', {}, p.person), h('td', { class: 'num' }, `${p.amount} ${p.currency}`),
      h('td', {}, enumLabel('pay', p.method)), h('td', { class: 'num' }, p.instalment ? String(p.instalment) : ''), h('td', {}, p.paying_officer))));
  }

  // ---- the programme dashboard ----

  renderDashboard() {
    const f = this.figures;
    if (!f) return h('p', { class: 'hint' }, t('ddr.dash.loading'));
    const kpi = (key, value, id) => h('div', { class: 'card ddr-kpi', 'data-testid': `ddr-kpi-${id}` }, h('span', { class: 'ddr-kpi-value' }, String(value)), h('span', {}, t(key)));
    const table = (key, obj, group) => h('section', { class: 'card' }, h('h2', {}, t(key)),
      h('table', { class: 'data-table' }, h('tbody', {}, ...Object.entries(obj || {}).map(([k, v]) => h('tr', {}, h('td', {}, group ? enumLabel(group, k) : this.ctx.sectorName(k)), h('td', { class: 'num' }, String(v)))))));
    return h('div', { class: 'ddr-dashboard', 'data-testid': 'ddr-dashboard' },
      h('div', { class: 'ddr-kpis' },
        kpi('ddr.dash.people', f.people_registered, 'people'), kpi('ddr.dash.eligible', f.people_eligible, 'eligible'),
        kpi('ddr.dash.weapons', f.weapons_collected, 'weapons'), kpi('ddr.dash.destroyed', f.weapons_destroyed, 'destroyed'),
        kpi('ddr.dash.rounds', f.ammunition_rounds, 'rounds'), kpi('ddr.dash.paid', `${f.payments.amount} ${f.payments.currency}`, 'paid'),
        kpi('ddr.dash.open_flags', f.flags.open, 'flags')),
      h('div', { class: 'cards-layout' },
        h('section', { class: 'card' }, h('h2', {}, t('ddr.dash.by_week')), h('table', { class: 'data-table', 'data-testid': 'ddr-by-week' },
          h('thead', {}, h('tr', {}, h('th', {}, t('ddr.dash.week')), h('th', {}, t('ddr.dash.people')), h('th', {}, t('ddr.dash.weapons')))),
          h('tbody', {}, ...f.by_week.map((w) => h('tr', {}, h('td', {}, w.week), h('td', { class: 'num' }, String(w.people)), h('td', { class: 'num' }, String(w.weapons))))))),
        table('ddr.dash.by_type', f.weapons_by_type, 'wtype'),
        table('ddr.dash.by_sector', f.people_by_sector, null),
        table('ddr.dash.weapons_by_sector', f.weapons_by_sector, null),
        table('ddr.dash.payments', f.payments_by_method, 'pay'),
        table('ddr.dash.reintegration', f.reintegration, 'option'),
        table('ddr.dash.flags', f.flags_by_rule, 'rule')));
  }
}

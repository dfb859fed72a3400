// psf.js — the Palestinian security forces pages (issue 9), wired into the
// shell by app.js: candidates and their vetting (#/psf-candidates), courses
// with enrolment, assessments and certificates (#/psf-courses), and the
// readiness dashboard of the PSF units with each component and its figures
// (#/psf-units). Personal data shows only on one candidate's panel, and only
// when the server sends it (the vetting cell and the trainers: their read is
// logged); lists never carry it.
import { api } from './api.js';
import { t, tOpt, pick, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl, zonedToUtc } from './time.js';
import { errorText, loadOnce } from './forms.js';
import { Reloader, pending } from './reload.js';
import { HandoverPage } from './handover.js';

const has = (me, p) => !!me && me.permissions.includes(p);
export const canVet = (me) => has(me, 'psf.vet');
export const canTrain = (me) => has(me, 'psf.train');
// Who sees the PSF records (their labels): trainers, the vetting cell, OSC,
// EUPOL COPPS, the PASF, the CMCC, ISF HQ and leadership.
const PSF_ORGS = ['OSC', 'EUPOL-COPPS', 'PASF', 'CMCC', 'ISF-HQ'];
export const canSeePsf = (me) => !!me && (canVet(me) || canTrain(me) || PSF_ORGS.includes(me.org) || me.roles.includes('leadership'));

// One entry in the navigation for the PSF pages (tabs between them), one for the tracker.
export const PSF_ROUTES = [
  { id: 'psf-units', key: 'nav.psf', perm: canSeePsf },
  { id: 'psf-candidates', key: 'nav.psf_candidates', perm: canSeePsf, navAs: 'psf-units' },
  { id: 'psf-courses', key: 'nav.psf_courses', perm: canSeePsf, navAs: 'psf-units' },
  { id: 'handover', key: 'nav.handover', perm: 'logged_in' },
];
export const PSF_STREAM_KINDS = ['psf.candidate.registered', 'psf.vetting.recorded', 'psf.vetting.decided', 'psf.course.created',
  'psf.course.enrolled', 'psf.course.assessed', 'psf.certificate.issued', 'psf.certificate.revoked', 'psf.unit.created',
  'psf.unit.updated', 'psf.unit.member', 'psf.unit.equipment', 'psf.unit.exercise'];
export const HANDOVER_STREAM_KINDS = ['handover.signed', 'handover.withdrawn', 'handover.phase_changed'];

const STEPS = ['identity', 'criminal_record', 'human_rights', 'ddr_register', 'incident_perpetrators', 'interview', 'medical'];
const SERVICES = ['police', 'civil_defence', 'national_security', 'presidential_guard'];
const COURSE_TYPES = ['basic', 'specialist', 'leadership', 'civil_coordination'];
const UNIT_TYPES = ['police', 'civil_defence', 'national_security', 'public_order'];
const EXERCISE_TYPES = ['field', 'command_post', 'civil_coordination', 'public_order'];
const pct = (v) => `${Math.round((v || 0) * 100)}%`;
const num = (v) => (Number.isInteger(v) ? String(v) : String(Math.round(Number(v) * 1000) / 1000));

// A small form: fields [{name, label, el}], submit(body) → promise; errors under the form.
function form(testid, fields, submitLabel, submit) {
  const err = h('p', { id: `${testid}-error`, class: 'field-error', role: 'alert', 'data-testid': `${testid}-error`, hidden: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': `${testid}-submit` }, submitLabel);
  const f = h('form', { class: 'card-actions psf-form', 'data-testid': testid, novalidate: true },
    fields.map((x) => h('div', { class: 'field' }, h('label', { for: x.el.id }, x.label), x.el)),
    h('div', { class: 'field field-button' }, btn), err);
  f.addEventListener('submit', (e) => pending(f, async () => {
    e.preventDefault();
    err.hidden = true;
    btn.disabled = true;
    for (const x of fields) x.el.removeAttribute('aria-invalid');
    try {
      await submit(Object.fromEntries(fields.map((x) => [x.name, x.value ? x.value(x.el) : x.el.value.trim()]).filter(([, v]) => v !== '' && v !== undefined)));
    } catch (e2) {
      err.textContent = errorText(e2);
      err.hidden = false;
      const bad = fields.find((x) => x.name === e2.field);
      if (bad) { bad.el.setAttribute('aria-invalid', 'true'); bad.el.setAttribute('aria-describedby', err.id); bad.el.focus(); }
    } finally {
      btn.disabled = false;
    }
  }));
  return f;
}
const input = (id, attrs = {}) => h('input', { id, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': id, ...attrs });
const select = (id, values, labelOf) => h('select', { id, 'data-testid': id }, values.map((v) => h('option', { value: v }, labelOf(v))));
const dateValue = (el) => (el.value ? `${el.value}T00:00:00Z` : '');
// A day something happened on, by the mission's calendar: its local midnight.
// (UTC midnight is 02:00 or 03:00 in Gaza: an exercise held today and
// recorded before then was refused as in the future.)
const localDayValue = (el) => (el.value ? zonedToUtc(`${el.value}T00:00`) : '');
const intValue = (el) => (el.value === '' ? undefined : Number(el.value));

class PsfPage {
  constructor(ctx, data, id, titleKey, subKey) {
    this.ctx = ctx;
    this.data = data;
    this.id = id;
    this.visible = false;
    this.sub = null;
    this.el = h('section', { id: `view-${id}`, class: `view view-${id}`, 'data-view': id, 'aria-labelledby': `${id}-title`, hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: `${id}-title`, tabindex: '-1', 'data-i18n': titleKey }),
        h('p', { class: 'view-sub', 'data-i18n': subKey }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `${id}-refresh`, 'data-i18n': 'form.refresh', onclick: () => this.data.load() })),
      h('p', { id: `${id}-error`, class: 'form-error', role: 'alert', 'data-testid': `${id}-error`, hidden: true }),
      h('div', { id: `${id}-body`, class: 'psf-body' }));
    $('#main').append(this.el);
    applyI18n(this.el);
  }

  show(sub) { this.visible = true; this.sub = sub; this.render(); }
  hide() { this.visible = false; }
  body() { return clear($(`#${this.id}-body`)); }
  done() { this.el.dataset.ready = this.data.loaded ? '1' : '0'; }
}

// ---- candidates ----

class CandidatesPage extends PsfPage {
  constructor(ctx, data) {
    super(ctx, data, 'psf-candidates', 'psf.cand.title', 'psf.cand.sub');
    this.detail = null;   // the candidate shown with its personal data (when sent)
  }

  async open(id) {
    try { this.detail = await api('GET', `/api/v1/psf/candidates/${encodeURIComponent(id)}`); } catch (e) { this.detail = null; $('#psf-candidates-error').textContent = errorText(e); $('#psf-candidates-error').hidden = false; }
    this.render();
  }

  show(sub) {
    super.show(sub);
    if (sub && (!this.detail || this.detail.id !== sub)) this.open(sub);
    if (!sub) this.detail = null;
  }

  render() {
    if (!this.visible) return;
    const b = this.body();
    const me = this.ctx.me;
    if (canVet(me)) b.append(this.registerForm());
    if (this.detail && this.sub === this.detail.id) {
      // A reload from the stream keeps the open panel as it is (what was
      // typed, an error shown under a form) unless the candidate changed.
      const key = JSON.stringify(this.detail);
      if (!this.panelEl || this.panelKey !== key) { this.panelEl = this.panel(this.detail); this.panelKey = key; }
      b.append(this.panelEl);
    }
    const rows = this.data.candidates.map((c) => h('tr', { 'data-testid': `cand-row-${c.id}`, 'data-status': c.status },
      h('td', null, h('a', { href: `#/psf-candidates/${c.id}`, 'data-testid': `cand-open-${c.id}` }, c.id), c.exercise ? [' ', h('span', { class: 'tag tag-exercise' }, t('exercise.tag'))] : null),
      h('td', null, tOpt(`psf.service.${c.service}`, c.service)),
      h('td', null, c.sector ? this.ctx.sectorName(c.sector) : '—'),
      h('td', null, h('span', { class: `chip psf-status-${c.status}` }, tOpt(`psf.status.${c.status}`, c.status))),
      h('td', null, STEPS.filter((s) => c.vetting && c.vetting[s]).map((s) => h('span', { class: `chip psf-step-${c.vetting[s].result}`, title: tOpt(`psf.step.${s}`, s) },
        `${tOpt(`psf.step.${s}`, s)}: ${tOpt(`psf.result.${c.vetting[s].result}`, c.vetting[s].result)}`))),
      h('td', null, c.unit || '—'),
      h('td', { class: 'num' }, String((c.certificates || []).filter((x) => !x.revoked).length))));
    b.append(h('div', { class: 'table-wrap' }, h('table', { class: 'data-table', 'data-testid': 'cand-table' },
      h('thead', null, h('tr', null, ['psf.cand.id', 'psf.cand.service', 'psf.cand.sector', 'psf.cand.status', 'psf.cand.vetting', 'psf.cand.unit', 'psf.cand.certs'].map((k) => h('th', null, tOpt(k, k))))),
      h('tbody', null, rows))));
    if (this.data.loaded && !rows.length) b.append(h('p', { class: 'empty' }, t('psf.cand.none')));
    this.done();
  }

  registerForm() {
    const sectors = this.ctx.sectors();
    const fields = [
      { name: 'name_en', label: t('psf.cand.name_en'), el: input('cand-name-en') },
      { name: 'name_ar', label: t('psf.cand.name_ar'), el: input('cand-name-ar', { dir: 'rtl', lang: 'ar' }) },
      { name: 'date_of_birth', label: t('psf.cand.dob'), el: input('cand-dob', { type: 'date', dir: 'ltr' }), value: dateValue },
      { name: 'id_number', label: t('psf.cand.id_number'), el: input('cand-id-number', { dir: 'ltr' }) },
      { name: 'service', label: t('psf.cand.service'), el: select('cand-service', SERVICES, (v) => tOpt(`psf.service.${v}`, v)) },
      { name: 'sector', label: t('psf.cand.sector'), el: select('cand-sector', sectors.map((s) => s.id), (v) => this.ctx.sectorName(v)) },
    ];
    return h('details', { class: 'card psf-new', 'data-testid': 'cand-new', 'data-panel': true }, h('summary', null, t('psf.cand.register')),
      h('p', { class: 'feature-meta' }, t('psf.cand.pd_note')),
      form('cand-form', fields, t('psf.cand.register'), async (body) => {
        const r = await api('POST', '/api/v1/psf/candidates', { ...body, exercise: !!this.ctx.mission?.exercise || undefined });
        await this.data.load();
        location.hash = `#/psf-candidates/${r.id}`;
      }));
  }

  panel(c) {
    const id = c.id;
    const reload = async () => { await this.data.load(); await this.open(id); };
    const p = c.personal;
    const box = h('article', { class: 'card psf-panel', 'data-testid': `cand-panel-${id}` },
      h('h2', null, t('psf.cand.panel', { id })),
      p ? h('dl', { class: 'psf-personal', 'data-testid': 'cand-personal' },
        h('dt', null, t('psf.cand.name_en')), h('dd', null, p.name_en),
        h('dt', null, t('psf.cand.name_ar')), h('dd', null, h('bdi', { dir: 'rtl', lang: 'ar' }, p.name_ar)),
        h('dt', null, t('psf.cand.dob')), h('dd', { dir: 'ltr' }, String(p.date_of_birth).slice(0, 10)),
        h('dt', null, t('psf.cand.id_number')), h('dd', { dir: 'ltr' }, p.id_number)) : h('p', { class: 'feature-meta' }, t('psf.cand.no_pd')),
      h('h3', null, t('psf.cand.vetting')),
      h('ul', { class: 'psf-steps' }, STEPS.map((s) => {
        const v = c.vetting && c.vetting[s];
        return h('li', { 'data-step': s, 'data-result': v ? v.result : 'none' }, h('strong', null, tOpt(`psf.step.${s}`, s)), ' ',
          v ? [h('span', { class: `chip psf-step-${v.result}` }, tOpt(`psf.result.${v.result}`, v.result)), ' ', v.by, ' ', timeEl(v.at), v.note ? [' ', h('q', { dir: 'auto' }, v.note)] : null]
            : h('span', { class: 'chip' }, t('psf.cand.not_recorded')));
      })));
    if (c.checks) {
      box.append(h('h3', null, t('psf.cand.checks')), h('ul', { 'data-testid': 'cand-checks' }, c.checks.results.map((r) => h('li', { 'data-check': r.check, 'data-status': r.status },
        h('strong', null, tOpt(`psf.step.${r.check}`, r.check)), ' ', h('span', { class: `chip psf-check-${r.status}` }, tOpt(`psf.check.${r.status}`, r.status)), ' ', r.reason || ''))));
    }
    if (c.decision) box.append(h('p', { 'data-testid': 'cand-decision' }, t('psf.cand.decided', { outcome: tOpt(`psf.status.${c.decision.outcome}`, c.decision.outcome), by: c.decision.by }), ' ', timeEl(c.decision.at)));
    if (canVet(this.ctx.me)) {
      box.append(form('vet-form', [
        { name: 'step', label: t('psf.cand.step'), el: select('vet-step', STEPS, (v) => tOpt(`psf.step.${v}`, v)) },
        { name: 'result', label: t('psf.cand.result'), el: select('vet-result', ['passed', 'failed'], (v) => tOpt(`psf.result.${v}`, v)) },
        { name: 'note', label: t('psf.cand.note'), el: input('vet-note') },
      ], t('psf.cand.record_step'), async (body) => { await api('POST', `/api/v1/psf/candidates/${id}/vetting`, body); await reload(); }));
      box.append(form('checks-form', [], t('psf.cand.run_checks'), async () => { await api('POST', `/api/v1/psf/candidates/${id}/checks`, {}); await reload(); }));
      const reviewed = h('input', { id: 'dec-flags', type: 'checkbox', 'data-testid': 'dec-flags' });
      box.append(form('dec-form', [
        { name: 'outcome', label: t('psf.cand.outcome'), el: select('dec-outcome', ['approved', 'rejected'], (v) => tOpt(`psf.status.${v}`, v)) },
        { name: 'note', label: t('psf.cand.note'), el: input('dec-note') },
        { name: 'flags_reviewed', label: t('psf.cand.flags_reviewed'), el: reviewed, value: (el) => (el.checked ? true : undefined) },
      ], t('psf.cand.decide'), async (body) => { await api('POST', `/api/v1/psf/candidates/${id}/decision`, body); await reload(); }));
    }
    box.append(h('p', null, h('a', { href: '#/psf-candidates' }, t('psf.cand.close'))));
    return box;
  }
}

// ---- courses ----

class CoursesPage extends PsfPage {
  constructor(ctx, data) { super(ctx, data, 'psf-courses', 'psf.crs.title', 'psf.crs.sub'); }

  render() {
    if (!this.visible) return;
    const b = this.body();
    const me = this.ctx.me;
    if (canTrain(me)) b.append(this.createForm());
    const ul = h('ul', { class: 'card-list', 'data-testid': 'crs-list' });
    for (const c of this.data.courses) ul.append(this.card(c, canTrain(me)));
    b.append(ul);
    if (this.data.loaded && !this.data.courses.length) b.append(h('p', { class: 'empty' }, t('psf.crs.none')));
    this.done();
  }

  createForm() {
    const orgs = ((this.data.org && this.data.org.organisations) || []).filter((o) => ['command', 'training_mission', 'force_contingent'].includes(o.kind)).map((o) => o.id);
    const fields = [
      { name: 'type', label: t('psf.crs.type'), el: select('crs-type', COURSE_TYPES, (v) => tOpt(`psf.course.${v}`, v)) },
      { name: 'name_en', label: t('psf.crs.name_en'), el: input('crs-name-en') },
      { name: 'name_ar', label: t('psf.crs.name_ar'), el: input('crs-name-ar', { dir: 'rtl', lang: 'ar' }) },
      { name: 'provider', label: t('psf.crs.provider'), el: select('crs-provider', orgs.length ? orgs : ['OSC', 'EUPOL-COPPS'], (v) => this.ctx.orgName(v)) },
      { name: 'starts_on', label: t('psf.crs.starts'), el: input('crs-starts', { type: 'date', dir: 'ltr' }), value: dateValue },
      { name: 'ends_on', label: t('psf.crs.ends'), el: input('crs-ends', { type: 'date', dir: 'ltr' }), value: dateValue },
      { name: 'capacity', label: t('psf.crs.capacity'), el: input('crs-capacity', { type: 'number', min: 1, dir: 'ltr' }), value: intValue },
      { name: 'pass_mark', label: t('psf.crs.pass_mark'), el: input('crs-pass', { type: 'number', min: 0, max: 100, dir: 'ltr' }), value: intValue },
    ];
    return h('details', { class: 'card psf-new', 'data-testid': 'crs-new', 'data-panel': true }, h('summary', null, t('psf.crs.create')),
      form('crs-form', fields, t('psf.crs.create'), async (b) => {
        const { name_en: en, name_ar: ar, ...rest } = b;
        await api('POST', '/api/v1/psf/courses', { ...rest, name: { en: en || '', ar: ar || '' } });
        await this.data.load();
      }));
  }

  card(c, trainer) {
    const results = c.results || {};
    const li = h('li', { class: 'card psf-course', 'data-testid': `crs-${c.id}` },
      h('div', { class: 'entry-head' }, h('strong', null, c.id), ' ', h('span', { class: 'chip' }, tOpt(`psf.course.${c.type}`, c.type)), ' ', pick(c.name),
        c.exercise ? [' ', h('span', { class: 'tag tag-exercise' }, t('exercise.tag'))] : null),
      h('p', { class: 'feature-meta' }, t('psf.crs.by', { provider: this.ctx.orgName(c.provider) }), ' · ', timeEl(c.starts_on), ' – ', timeEl(c.ends_on),
        ' · ', t('psf.crs.places', { n: (c.enrolled || []).length, cap: c.capacity || '—' }), ' · ', t('psf.crs.pass_at', { mark: c.pass_mark })),
      h('table', { class: 'data-table', 'data-testid': `crs-enrolled-${c.id}` },
        h('thead', null, h('tr', null, h('th', null, t('psf.cand.id')), h('th', null, t('psf.crs.score')), h('th', null, t('psf.crs.result')), h('th', null, t('psf.crs.certificate')))),
        h('tbody', null, (c.enrolled || []).map((id) => {
          const r = results[id];
          const cand = this.data.candidates.find((x) => x.id === id);
          const cert = cand && (cand.certificates || []).find((x) => x.course === c.id && !x.revoked);
          return h('tr', { 'data-candidate': id },
            h('td', null, h('a', { href: `#/psf-candidates/${id}` }, id)),
            h('td', { class: 'num' }, r ? num(r.score) : '—'),
            h('td', null, r ? h('span', { class: `chip psf-step-${r.result}` }, tOpt(`psf.result.${r.result}`, r.result)) : '—'),
            h('td', null, cert ? [cert.id, ' ', t('psf.crs.valid_until'), ' ', timeEl(cert.valid_until)]
              : trainer && r && r.result === 'passed' ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `crs-certify-${c.id}-${id}`, onclick: async (e) => {
                e.target.disabled = true;
                try { await api('POST', `/api/v1/psf/courses/${c.id}/certify`, { candidate: id }); await this.data.load(); } catch (e2) { $('#psf-courses-error').textContent = errorText(e2); $('#psf-courses-error').hidden = false; e.target.disabled = false; }
              } }, t('psf.crs.certify')) : '—'));
        }))));
    if (trainer) {
      const ready = this.data.candidates.filter((x) => x.status === 'approved' && !(c.enrolled || []).includes(x.id)).map((x) => x.id);
      li.append(form(`enrol-${c.id}`, [{ name: 'candidate', label: t('psf.crs.candidate'), el: select(`enrol-cand-${c.id}`, ready, (v) => v) }],
        t('psf.crs.enrol'), async (b) => { await api('POST', `/api/v1/psf/courses/${c.id}/enrol`, b); await this.data.load(); }));
      li.append(form(`assess-${c.id}`, [
        { name: 'candidate', label: t('psf.crs.candidate'), el: select(`assess-cand-${c.id}`, c.enrolled || [], (v) => v) },
        { name: 'score', label: t('psf.crs.score'), el: input(`assess-score-${c.id}`, { type: 'number', min: 0, max: 100, step: '0.5', dir: 'ltr' }), value: intValue },
      ], t('psf.crs.assess'), async (b) => { await api('POST', `/api/v1/psf/courses/${c.id}/assess`, b); await this.data.load(); }));
    }
    return li;
  }
}

// ---- units: the readiness dashboard ----

class UnitsPage extends PsfPage {
  constructor(ctx, data) { super(ctx, data, 'psf-units', 'psf.unit.title', 'psf.unit.sub'); }

  render() {
    if (!this.visible) return;
    const b = this.body();
    const trainer = canTrain(this.ctx.me);
    if (trainer) b.append(this.createForm());
    const ul = h('ul', { class: 'card-list psf-units', 'data-testid': 'unit-list' });
    for (const u of this.data.units) ul.append(this.card(u, trainer));
    b.append(ul);
    if (this.data.loaded && !this.data.units.length) b.append(h('p', { class: 'empty' }, t('psf.unit.none')));
    this.done();
  }

  createForm() {
    const fields = [
      { name: 'name_en', label: t('psf.crs.name_en'), el: input('unit-name-en') },
      { name: 'name_ar', label: t('psf.crs.name_ar'), el: input('unit-name-ar', { dir: 'rtl', lang: 'ar' }) },
      { name: 'type', label: t('psf.unit.type'), el: select('unit-type', UNIT_TYPES, (v) => tOpt(`psf.unit_type.${v}`, v)) },
      { name: 'sector', label: t('psf.cand.sector'), el: select('unit-sector', this.ctx.sectors().map((s) => s.id), (v) => this.ctx.sectorName(v)) },
      { name: 'authorised_strength', label: t('psf.unit.authorised'), el: input('unit-authorised', { type: 'number', min: 1, dir: 'ltr' }), value: intValue },
    ];
    return h('details', { class: 'card psf-new', 'data-testid': 'unit-new', 'data-panel': true }, h('summary', null, t('psf.unit.create')),
      form('unit-form', fields, t('psf.unit.create'), async (b) => {
        const { name_en: en, name_ar: ar, ...rest } = b;
        await api('POST', '/api/v1/psf/units', { ...rest, name: { en: en || '', ar: ar || '' } });
        await this.data.load();
      }));
  }

  card(u, trainer) {
    const r = u.readiness || { score: 0, components: [] };
    const li = h('li', { class: 'card psf-unit', 'data-testid': `unit-${u.id}` },
      h('div', { class: 'entry-head' }, h('strong', null, u.id), ' ', pick(u.name), ' ', h('span', { class: 'chip' }, tOpt(`psf.unit_type.${u.type}`, u.type)),
        u.sector ? [' ', h('span', { class: 'chip chip-sector' }, this.ctx.sectorName(u.sector))] : null,
        u.exercise ? [' ', h('span', { class: 'tag tag-exercise' }, t('exercise.tag'))] : null),
      h('p', { class: 'psf-score', 'data-testid': `unit-score-${u.id}`, 'data-score': String(r.score) }, t('psf.unit.readiness', { score: pct(r.score) })),
      h('table', { class: 'data-table psf-components', 'data-testid': `unit-components-${u.id}` },
        h('thead', null, h('tr', null, h('th', null, t('psf.unit.component')), h('th', null, t('psf.unit.weight')), h('th', null, t('psf.unit.value')), h('th', null, t('psf.unit.figures')))),
        h('tbody', null, r.components.map((c) => h('tr', { 'data-component': c.component },
          h('td', null, tOpt(`psf.comp.${c.component}`, c.component)),
          h('td', { class: 'num' }, num(c.weight)),
          h('td', null, h('span', { class: 'psf-bar', style: { '--v': String(c.value) } }), ' ', pct(c.value)),
          h('td', { 'data-testid': `unit-figures-${u.id}-${c.component}` }, this.figures(c)))))));
    if (trainer) li.append(this.forms(u));
    return li;
  }

  figures(c) {
    const f = c.figures || {};
    if (c.component === 'personnel') return t('psf.fig.personnel', { assigned: f.assigned, authorised: f.authorised });
    if (c.component === 'trained') return t('psf.fig.trained', { certified: f.certified, assigned: f.assigned });
    if (c.component === 'equipment') return t('psf.fig.equipment', { held: num(f.held), authorised: num(f.authorised) });
    return t('psf.fig.exercises', { passed: f.passed, civil: f.civil_coordination_passed, target: f.target, civil_target: f.civil_coordination_target, days: f.window_days });
  }

  forms(u) {
    const done = async () => { await this.data.load(); };
    const free = this.data.candidates.filter((c) => c.status === 'approved' && !c.unit).map((c) => c.id);
    const leaders = h('input', { id: `ex-leaders-${u.id}`, type: 'text', dir: 'ltr', autocomplete: 'off', 'data-testid': `ex-leaders-${u.id}` });
    return h('details', { class: 'psf-unit-edit', 'data-panel': true }, h('summary', null, t('psf.unit.edit')),
      form(`member-${u.id}`, [{ name: 'candidate', label: t('psf.crs.candidate'), el: select(`member-cand-${u.id}`, free, (v) => v) }],
        t('psf.unit.add_member'), async (b) => { await api('POST', `/api/v1/psf/units/${u.id}/members`, { ...b, action: 'add' }); await done(); }),
      form(`equip-${u.id}`, [
        { name: 'item', label: t('psf.unit.item'), el: input(`equip-item-${u.id}`, { dir: 'ltr' }) },
        { name: 'authorised', label: t('psf.unit.authorised'), el: input(`equip-auth-${u.id}`, { type: 'number', min: 0, dir: 'ltr' }), value: intValue },
        { name: 'held', label: t('psf.unit.held'), el: input(`equip-held-${u.id}`, { type: 'number', min: 0, dir: 'ltr' }), value: intValue },
      ], t('psf.unit.set_equipment'), async (b) => { await api('POST', `/api/v1/psf/units/${u.id}/equipment`, b); await done(); }),
      form(`ex-${u.id}`, [
        { name: 'type', label: t('psf.unit.exercise_type'), el: select(`ex-type-${u.id}`, EXERCISE_TYPES, (v) => tOpt(`psf.ex.${v}`, v)) },
        { name: 'date', label: t('psf.unit.date'), el: input(`ex-date-${u.id}`, { type: 'date', dir: 'ltr' }), value: localDayValue },
        { name: 'result', label: t('psf.crs.result'), el: select(`ex-result-${u.id}`, ['passed', 'failed'], (v) => tOpt(`psf.result.${v}`, v)) },
        { name: 'civilian_leaders', label: t('psf.unit.leaders'), el: leaders, value: (el) => (el.value.trim() ? el.value.split(',').map((s) => s.trim()).filter(Boolean) : undefined) },
      ], t('psf.unit.record_exercise'), async (b) => { await api('POST', `/api/v1/psf/units/${u.id}/exercises`, b); await done(); }));
  }
}

// ---- the pages together ----

class PsfData {
  constructor() {
    this.candidates = []; this.courses = []; this.units = []; this.org = null;
    this.loaded = false; this.loading = null; this.pages = []; this.errSel = '#psf-units-error';
    // A reload draws the page shown again: not while a form or panel on it is in use.
    this.reloader = new Reloader(() => this.load(), { scope: '.psf-body', delay: 250 });
  }
  reset() { this.candidates = []; this.courses = []; this.units = []; this.org = null; this.loaded = false; }
  load() {
    return loadOnce(this, this.errSel, async () => {
      const [c, k, u, o] = await Promise.all([api('GET', '/api/v1/psf/candidates'), api('GET', '/api/v1/psf/courses'), api('GET', '/api/v1/psf/units'),
        this.org ? this.org : api('GET', '/api/v1/org')]);
      this.org = o;
      this.candidates = c.candidates || [];
      this.courses = k.courses || [];
      this.units = u.units || [];
    });
  }
  render() { for (const p of this.pages) p.render(); }
  reloadSoon() { this.reloader.soon(); }
}

export class PsfPages {
  constructor(ctx) {
    this.data = new PsfData();
    this.candidates = new CandidatesPage(ctx, this.data);
    this.courses = new CoursesPage(ctx, this.data);
    this.units = new UnitsPage(ctx, this.data);
    this.data.pages = [this.candidates, this.courses, this.units];
    this.handover = new HandoverPage(ctx);
    this.current = null;
    // The tabs between the PSF pages, moved to the top of the page shown.
    this.subnav = h('nav', { class: 'subnav', 'data-testid': 'psf-subnav' });
    onLangChange(() => { this.renderSubnav(); this.data.render(); });
  }

  renderSubnav() {
    const links = [['psf-units', t('nav.psf_units')], ['psf-candidates', t('nav.psf_candidates')], ['psf-courses', t('nav.psf_courses')]];
    this.subnav.setAttribute('aria-label', t('psf.subnav.label'));
    clear(this.subnav).append(...links.map(([id, label]) => h('a', {
      href: `#/${id}`, class: 'subnav-link', 'data-testid': `subnav-${id}`, 'aria-current': this.current === id ? 'page' : null,
    }, label)));
  }

  route(id) {
    this.current = id;
    const sub = (/^#\/[\w-]+\/([\w-]+)/.exec(location.hash || '') || [])[1] || null;
    const pages = { 'psf-candidates': this.candidates, 'psf-courses': this.courses, 'psf-units': this.units };
    for (const [k, p] of Object.entries(pages)) if (k !== id) p.hide();
    if (id !== 'handover') this.handover.hide();
    if (pages[id]) { this.renderSubnav(); pages[id].el.prepend(this.subnav); }
    if (pages[id]) { this.data.errSel = `#${id}-error`; pages[id].show(sub); this.data.load(); }
    if (id === 'handover') this.handover.show();
  }

  reset() {
    this.current = null;
    this.data.reset();
    this.candidates.detail = null;
    this.handover.reset();
  }

  listen(es) {
    for (const kind of PSF_STREAM_KINDS) es.addEventListener(kind, () => { if (this.current && this.current.startsWith('psf-')) this.data.reloadSoon(); if (this.current === 'handover') this.handover.reloadSoon(); });
    for (const kind of HANDOVER_STREAM_KINDS) es.addEventListener(kind, () => { if (this.current === 'handover') this.handover.reloadSoon(); });
  }
}

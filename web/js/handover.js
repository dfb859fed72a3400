// handover.js — the sector hand-over tracker (#/handover, issue 9): the
// sectors on the mission map coloured by phase (isf_led → joint →
// pa_led_isf_support → pa_led), and for each sector the next step's gates
// with the figures behind each (GET /api/v1/handover), the parties that
// have signed (who, from which position, when) and those still missing,
// the step back (reversal) with its own sign-offs, and the sector's history
// (GET /api/v1/sectors/{id}/handover). An account signs for a party only
// where one of its positions holds that party's authority: the page offers
// the button there and nowhere else (the server checks it again).
import { api } from './api.js';
import { t, tOpt, pick, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl } from './time.js';
import { errorText, loadOnce } from './forms.js';
import { Reloader, pending } from './reload.js';
import { MissionMap } from './map.js';

export const PHASE_COLOURS = { isf_led: '#2f6fb3', joint: '#7d5ab5', pa_led_isf_support: '#1f8a99', pa_led: '#2f8f5b' };
export const phaseLabel = (p) => tOpt(`ho.phase.${p}`, p);
const metricLabel = (m) => tOpt(`ho.metric.${m}`, m);
const fmtNum = (v) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : Number(v).toFixed(3).replace(/\.?0+$/, ''));

export class HandoverPage {
  constructor(ctx) {
    this.ctx = ctx;
    this.data = null;
    this.org = null;
    this.history = new Map();
    this.loaded = false;
    this.loading = null;
    this.visible = false;
    // A sign-off from the stream, but not over a note being written.
    this.reloader = new Reloader(() => this.load(), { scope: '#ho-sectors', when: () => this.visible });
    this.el = this.build();
    this.map = new MissionMap($('#ho-map'), null, { orgName: ctx.orgName, prefix: 'ho-', legend: false });
    const draw = this.map.render.bind(this.map);
    this.map.render = (fit) => { draw(fit); this.colour(); };
    onLangChange(() => { if (this.loaded) this.render(); });
  }

  build() {
    const sec = h('section', { id: 'view-handover', class: 'view view-handover', 'data-view': 'handover', 'aria-labelledby': 'ho-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'ho-title', tabindex: '-1', 'data-i18n': 'ho.title' }),
        h('p', { class: 'view-sub', 'data-i18n': 'ho.sub' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ho-refresh', 'data-i18n': 'form.refresh', onclick: () => this.load() })),
      h('p', { id: 'ho-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'ho-error', hidden: true }),
      h('div', { class: 'ho-layout' },
        h('div', { class: 'ho-map-wrap' },
          h('div', { id: 'ho-map', class: 'ho-map', 'data-testid': 'ho-map', role: 'region', 'data-i18n-attr': 'aria-label:ho.map' }),
          h('ul', { id: 'ho-legend', class: 'ho-legend', 'data-testid': 'ho-legend' })),
        h('div', { id: 'ho-sectors', class: 'ho-sectors', 'data-testid': 'ho-sectors' })),
      h('p', { id: 'ho-announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
    $('#main').append(sec);
    applyI18n(sec);
    return sec;
  }

  reset() { this.data = null; this.org = null; this.loaded = false; this.visible = false; this.history.clear(); }
  hide() { this.visible = false; }
  reloadSoon() { this.reloader.soon(); }

  show() {
    this.visible = true;
    this.map.show(this.ctx.mission, this.ctx.geo());
    this.render();
    return this.load();
  }

  load() {
    return loadOnce(this, '#ho-error', async () => {
      const [d, o] = await Promise.all([api('GET', '/api/v1/handover'), this.org ? this.org : api('GET', '/api/v1/org')]);
      this.data = d;
      this.org = o;
      await Promise.all([...this.history.keys()].map((id) => this.loadHistory(id)));
    });
  }

  async loadHistory(id) {
    try { this.history.set(id, (await api('GET', `/api/v1/sectors/${encodeURIComponent(id)}/handover`)).history || []); } catch { /* shown on the next load */ }
  }

  // Parties this account may sign for: those whose authority one of its positions holds.
  myParties() {
    const me = this.ctx.me;
    if (!me || !this.org || !this.data) return new Map();
    const out = new Map();
    for (const pid of me.positions || []) {
      const pos = (this.org.positions || []).find((p) => p.id === pid);
      for (const [party, def] of Object.entries(this.data.parties || {})) {
        if (pos && (pos.authority || []).includes(def.authority)) out.set(party, pid);
      }
    }
    return out;
  }

  positionTitle(id) {
    const p = this.org && (this.org.positions || []).find((x) => x.id === id);
    return p ? pick(p.title) || id : id;
  }

  partyName(id) {
    const d = this.data && this.data.parties && this.data.parties[id];
    return d ? pick(d.name) || id : id;
  }

  colour() {
    if (!this.data || !this.map.map) return;
    for (const s of this.data.sectors) {
      const layer = this.map.byId.get(s.sector);
      if (!layer) continue;
      const col = PHASE_COLOURS[s.phase] || '#8a8f98';
      layer.setStyle({ color: col, fillColor: col, fillOpacity: 0.4 });
      const e = layer.getElement();
      if (e) e.setAttribute('data-phase', s.phase);
      layer.unbindPopup();
      layer.bindPopup(() => this.map.popup({ name_en: s.name.en, name_ar: s.name.ar, id: s.sector }, [
        [t('ho.phase'), phaseLabel(s.phase)],
        [t('ho.next'), s.next ? phaseLabel(s.next.to) : t('ho.last_phase')],
        [t('ho.missing'), s.next && s.next.missing.length ? s.next.missing.map((p) => this.partyName(p)).join(', ') : '—'],
      ]));
    }
  }

  render() {
    const legend = clear($('#ho-legend'));
    for (const p of (this.data && this.data.phases) || Object.keys(PHASE_COLOURS)) {
      legend.append(h('li', { 'data-phase': p }, h('span', { class: 'legend-swatch', style: { background: PHASE_COLOURS[p], borderColor: PHASE_COLOURS[p] } }), h('span', null, phaseLabel(p))));
    }
    const box = clear($('#ho-sectors'));
    if (this.data) {
      const mine = this.myParties();
      for (const s of this.data.sectors) box.append(this.card(s, mine));
      this.colour();
    }
    this.el.dataset.ready = this.loaded ? '1' : '0';
  }

  card(s, mine) {
    const id = s.sector;
    const hist = h('details', { class: 'ho-history', 'data-testid': `ho-history-${id}`, open: this.history.has(id) || null },
      h('summary', null, t('ho.history')),
      this.history.has(id) ? this.historyList(this.history.get(id)) : h('p', { class: 'empty' }, t('ho.loading')));
    hist.addEventListener('toggle', async () => {
      if (hist.open && !this.history.has(id)) { await this.loadHistory(id); this.render(); }
      if (!hist.open) this.history.delete(id);
    });
    return h('article', { class: 'card ho-card', 'data-testid': `ho-${id}`, 'data-phase': s.phase, 'aria-labelledby': `ho-name-${id}` },
      h('div', { class: 'entry-head' },
        h('h2', { id: `ho-name-${id}`, class: 'ho-name' }, pick(s.name) || id),
        h('span', { class: 'chip ho-phase', 'data-testid': `ho-phase-${id}`, style: { background: PHASE_COLOURS[s.phase], color: '#fff' } }, phaseLabel(s.phase)),
        s.since ? h('span', { class: 'feature-meta' }, t('ho.since'), ' ', timeEl(s.since)) : null),
      s.next ? this.step(s, s.next, mine) : h('p', { class: 'feature-meta' }, t('ho.last_phase')),
      s.reverse ? h('details', { class: 'ho-reverse', 'data-testid': `ho-reverse-${id}`, open: s.reverse.parties.some((p) => p.signoff) || null },
        h('summary', null, t('ho.reverse', { phase: phaseLabel(s.reverse.to) })),
        this.step(s, s.reverse, mine)) : null,
      hist);
  }

  step(s, st, mine) {
    const id = s.sector, fwd = st.direction === 'forward';
    const key = `${id}-${st.to}`;
    const out = h('section', { class: 'ho-step', 'data-testid': `ho-step-${key}`, 'data-direction': st.direction },
      h('h3', null, fwd ? t('ho.next_step', { phase: phaseLabel(st.to) }) : t('ho.reverse_step', { phase: phaseLabel(st.to) })));
    if (!st.configured) { out.append(h('p', { class: 'feature-meta' }, t('ho.not_configured'))); return out; }
    if (fwd) {
      out.append(h('p', { class: ['ho-gates-verdict', st.gates_hold ? 'is-pass' : 'is-fail'], 'data-testid': `ho-gates-hold-${key}` },
        st.gates_hold ? t('ho.gates_hold') : t('ho.gates_not_hold')));
      out.append(this.gatesTable(key, st.gates));
    }
    const ul = h('ul', { class: 'ho-parties', 'data-testid': `ho-parties-${key}` });
    for (const p of st.parties) {
      const li = h('li', { 'data-party': p.party, 'data-signed': p.signoff ? '1' : '0', 'data-testid': `ho-party-${key}-${p.party}` },
        h('strong', null, pick(p.name) || p.party), ' ',
        p.signoff
          ? h('span', { class: 'chip ho-signed' }, t('ho.signed_by', { by: p.signoff.by, position: this.positionTitle(p.signoff.position) }), ' ', timeEl(p.signoff.at))
          : h('span', { class: 'chip ho-missing' }, t('ho.not_signed')));
      if (!p.signoff && mine.has(p.party)) li.append(this.signForm(s, st, p.party, mine.get(p.party)));
      if (p.signoff && mine.has(p.party)) li.append(this.withdrawButton(s, st, p.party));
      ul.append(li);
    }
    out.append(h('p', { class: 'feature-meta', 'data-testid': `ho-missing-${key}` },
      st.missing.length ? t('ho.missing_list', { parties: st.missing.map((p) => this.partyName(p)).join(', ') }) : t('ho.missing_none')));
    out.append(ul);
    return out;
  }

  gatesTable(key, gates) {
    const rows = gates.map((g) => h('tr', { 'data-testid': `ho-gate-${key}-${g.id}`, 'data-status': g.status },
      h('td', null, metricLabel(g.metric)),
      h('td', null, g.weeks ? t('ho.rule_weeks', { op: g.op, threshold: fmtNum(g.threshold), weeks: g.weeks }) : h('bdi', { dir: 'ltr' }, `${g.op} ${fmtNum(g.threshold)}`)),
      h('td', { class: 'num', 'data-testid': `ho-gate-value-${key}-${g.id}` }, fmtNum(g.value)),
      h('td', null, h('span', { class: `chip ho-gate-${g.status}` }, tOpt(`ho.gate_status.${g.status}`, g.status))),
      h('td', null, this.evidence(g))));
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data-table ho-gates', 'data-testid': `ho-gates-${key}` },
      h('thead', null, h('tr', null, h('th', null, t('ho.metric')), h('th', null, t('ho.rule')), h('th', null, t('ho.value')), h('th', null, t('ho.status')), h('th', null, t('ho.figures')))),
      h('tbody', null, rows)));
  }

  // What a gate's figure rests on: the windows with their values, and the units behind a readiness.
  evidence(g) {
    if (!g.registered) return h('span', { class: 'feature-meta' }, t('ho.metric_unregistered'));
    const parts = [];
    const w0 = g.windows && g.windows[0];
    for (const u of (w0 && w0.evidence && w0.evidence.units) || []) {
      parts.push(typeof u === 'string' ? h('span', { class: 'chip' }, u) : h('span', { class: 'chip' }, t('ho.unit_score', { unit: u.unit, score: fmtNum(u.score) })));
    }
    if (g.windows && g.windows.length > 1) {
      parts.push(h('span', { class: 'feature-meta' }, t('ho.weeks_values', { values: g.windows.map((w) => fmtNum(w.value)).join(' · ') })));
    }
    return parts.length ? parts : '—';
  }

  signForm(s, st, party, position) {
    const key = `${s.sector}-${st.to}-${party}`;
    const fwd = st.direction === 'forward';
    const noteId = `ho-note-${key}`;
    const note = h('input', { id: noteId, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': `ho-note-${key}`, required: !fwd || null });
    const err = h('p', { id: `${noteId}-error`, class: 'field-error', role: 'alert', 'data-testid': `ho-sign-error-${key}`, hidden: true });
    const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': `ho-sign-${key}`, disabled: (fwd && !st.gates_hold) || null },
      t('ho.sign_for', { party: this.partyName(party) }));
    const form = h('form', { class: 'card-actions ho-sign', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: noteId }, fwd ? t('ho.note') : t('ho.reason')), note),
      h('div', { class: 'field field-button' }, btn),
      h('p', { class: 'feature-meta' }, t('ho.as_position', { position: this.positionTitle(position) })),
      err);
    form.addEventListener('submit', (e) => pending(form, async () => {
      e.preventDefault();
      err.hidden = true;
      btn.disabled = true;
      try {
        const body = { to: st.to, party };
        if (note.value.trim()) body.note = note.value.trim();
        const r = await api('POST', `/api/v1/sectors/${encodeURIComponent(s.sector)}/handover/signoff`, body);
        $('#ho-announce').textContent = r.phase_changed
          ? t('ho.phase_changed', { sector: pick(s.name) || s.sector, phase: phaseLabel(r.handover.phase) })
          : t('ho.signed_done', { party: this.partyName(party) });
        await this.load();
      } catch (e2) {
        err.textContent = errorText(e2);
        err.hidden = false;
        note.setAttribute('aria-describedby', err.id);
        btn.disabled = false;
      }
    }));
    return form;
  }

  // A party takes back its sign-off of a step not yet taken.
  withdrawButton(s, st, party) {
    const key = `${s.sector}-${st.to}-${party}`;
    const err = h('span', { class: 'field-error', role: 'alert', 'data-testid': `ho-withdraw-error-${key}`, hidden: true });
    const btn = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `ho-withdraw-${key}` }, t('ho.withdraw'));
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      err.hidden = true;
      try {
        await api('POST', `/api/v1/sectors/${encodeURIComponent(s.sector)}/handover/withdraw`, { to: st.to, party });
        $('#ho-announce').textContent = t('ho.withdrawn_done', { party: this.partyName(party) });
        await this.load();
      } catch (e) {
        err.textContent = errorText(e);
        err.hidden = false;
        btn.disabled = false;
      }
    });
    return h('span', { class: 'ho-withdraw' }, ' ', btn, ' ', err);
  }

  historyList(items) {
    if (!items.length) return h('p', { class: 'empty' }, t('ho.history_none'));
    return h('ol', { class: 'ho-history-list' }, items.map((x) => h('li', { 'data-event': x.event },
      timeEl(x.at), ' ',
      x.event === 'phase_changed'
        ? h('strong', null, t('ho.history_changed', { from: phaseLabel(x.from), to: phaseLabel(x.to) }))
        : x.event === 'withdrawn'
          ? t('ho.history_withdrawn', { party: this.partyName(x.party), by: x.by, phase: phaseLabel(x.to) })
          : t('ho.history_signed', { party: this.partyName(x.party), by: x.by, position: this.positionTitle(x.position), phase: phaseLabel(x.to) }),
      x.note ? h('q', { dir: 'auto' }, x.note) : null)));
  }
}

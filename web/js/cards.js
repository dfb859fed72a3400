// cards.js — a site or a movement as a card in "My notifications" and in the
// CMCC queue: what it is, its status, its receipt line, and the actions the
// viewer may take on it (each an inline form: choose, give a reason where one
// is needed, apply). Errors show in the card.
import { api } from './api.js';
import { t, tOpt } from './i18n.js';
import { h, clear } from './dom.js';
import { timeEl } from './time.js';
import { nameOf, siteCategoryLabel, nostrikeCategoryLabel, statusLabel, kindLabel } from './hum-layers.js';
import { receiptLine } from './receipt-ui.js';
import { NEEDS_REASON } from './notify-data.js';
import { errorText } from './forms.js';
import { pending } from './reload.js';

let uid = 0;

function chip(cls, text, attrs = {}) { return h('span', { class: `chip ${cls}`, ...attrs }, text); }

function mapButton(item, opts) {
  if (!opts.showOnMap) return null;
  return h('button', { type: 'button', class: 'btn-link link-btn card-map', 'data-testid': 'card-map', onclick: () => opts.showOnMap(item.id) }, t('card.show_on_map'));
}

function conflictsLine(item) {
  const c = item.conflicts || [];
  if (!c.length) return null;
  return h('p', { class: 'card-conflicts', 'data-testid': 'card-conflicts' },
    h('strong', null, t('card.conflicts', { n: c.length })), ' ',
    c.slice(0, 6).map((x) => `${kindLabel(x.kind)} ${x.id} (${t('unit.m', { n: Math.round(x.distance_m || 0) })})`).join(' · '));
}

// actions: [{value, label, needsReason, run(reason) → Promise}]
function actionForm(item, actions, onDone) {
  if (!actions.length) return null;
  const n = ++uid;
  const sel = h('select', { id: `act-${n}`, 'data-testid': 'action-select' },
    actions.map((a) => h('option', { value: a.value }, a.label)));
  const reason = h('input', { id: `act-${n}-reason`, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': 'action-reason' });
  const reasonLabel = h('label', { for: `act-${n}-reason` }, t('card.reason'));
  const err = h('p', { class: 'field-error', id: `act-${n}-reason-error`, role: 'alert', 'data-testid': 'action-error', hidden: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'action-apply' }, t('card.apply'));
  const sync = () => {
    const a = actions.find((x) => x.value === sel.value);
    reasonLabel.textContent = a && a.needsReason ? t('card.reason_required') : t('card.reason');
    reason.required = !!(a && a.needsReason);
  };
  sel.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'card-actions', novalidate: true, 'data-testid': 'card-actions' },
    h('div', { class: 'field' }, h('label', { for: `act-${n}` }, t('card.action')), sel),
    h('div', { class: 'field' }, reasonLabel, reason),
    h('div', { class: 'field field-button' }, btn),
    err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const a = actions.find((x) => x.value === sel.value);
    if (!a) return;
    err.hidden = true;
    reason.removeAttribute('aria-invalid');
    btn.disabled = true;
    try {
      await pending(form, () => a.run(reason.value.trim()));
      onDone && onDone(item, a);
    } catch (ex) {
      err.textContent = errorText(ex);
      err.hidden = false;
      if (ex.field === 'reason') { reason.setAttribute('aria-invalid', 'true'); reason.setAttribute('aria-describedby', err.id); reason.focus(); }
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

// A site or a no-strike object. opts: {kind: 'site'|'nostrike', testid, showOrg,
// orgName, actions: [...], onDone, receipt: bool}
export function siteCard(s, opts) {
  const kind = opts.kind || 'site';
  const name = nameOf(s) || s.id;
  const other = kind === 'site' && s.name && typeof s.name === 'object' ? [s.name.en, s.name.ar].filter((x) => x && x !== name) : [];
  return h('li', { class: ['card', 'notif-card', `status-${s.status}`, s.lapsed ? 'is-lapsed' : null], 'data-testid': opts.testid, 'data-id': s.id, 'data-status': s.status || '' },
    h('div', { class: 'card-head' },
      h('span', { class: `feature-glyph glyph-${kind} cat-${s.category}`, 'aria-hidden': 'true' }),
      h('strong', { class: 'card-title', dir: 'auto' }, name),
      other.length ? h('span', { class: 'card-alt', dir: 'auto' }, other.join(' · ')) : null,
      h('span', { class: 'card-id' }, s.id), mapButton(s, opts)),
    h('div', { class: 'card-meta' },
      chip('chip-cat', kind === 'site' ? siteCategoryLabel(s.category) : nostrikeCategoryLabel(s.category)),
      chip(`chip-status status-${s.status}`, statusLabel(s.status), { 'data-testid': 'card-status' }),
      s.lapsed ? chip('chip-lapsed', t('status.lapsed'), { 'data-testid': 'card-lapsed' }) : null,
      opts.showOrg && s.org ? chip('chip-org', opts.orgName(s.org)) : null,
      s.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null),
    h('p', { class: 'card-line' },
      s.valid_from ? [t('field.valid'), ' ', timeEl(s.valid_from), ' – ', timeEl(s.valid_until)] : null,
      Number.isInteger(s.staff_count) ? ` · ${t('card.staff', { n: s.staff_count })}` : null,
      s.confirmed_at ? [' · ', t('card.confirmed_at'), ' ', timeEl(s.confirmed_at)] : null),
    s.withdrawn_reason ? h('p', { class: 'card-line' }, t('card.withdrawn_reason'), ' ', h('span', { dir: 'auto' }, s.withdrawn_reason)) : null,
    conflictsLine(s),
    opts.receipt === false ? null : receiptLine(s, { kind }),
    actionForm(s, opts.actions || [], opts.onDone));
}

export function movementCard(m, opts) {
  const hist = (m.history || []).filter((x) => x.status);
  return h('li', { class: ['card', 'notif-card', `status-${m.status}`], 'data-testid': opts.testid, 'data-id': m.id, 'data-status': m.status || '' },
    h('div', { class: 'card-head' },
      h('span', { class: `feature-glyph glyph-movement status-${m.status}`, 'aria-hidden': 'true' }),
      h('strong', { class: 'card-title', dir: 'auto' }, m.purpose || m.id),
      h('span', { class: 'card-id' }, m.id), mapButton(m, opts)),
    h('div', { class: 'card-meta' },
      chip(`chip-status status-${m.status}`, statusLabel(m.status), { 'data-testid': 'card-status' }),
      m.escort_requested ? chip('chip-escort', t('card.escort')) : null,
      opts.showOrg && m.org ? chip('chip-org', opts.orgName(m.org)) : null,
      m.exercise ? h('span', { class: 'tag tag-exercise' }, t('exercise.tag')) : null),
    h('p', { class: 'card-line' },
      m.window_from ? [t('field.window'), ' ', timeEl(m.window_from), ' – ', timeEl(m.window_until)] : null,
      m.times && m.times.length ? [' · ', t('field.departure'), ' ', timeEl(m.times[0]), ' · ', t('field.arrival'), ' ', timeEl(m.times[m.times.length - 1])] : null),
    h('p', { class: 'card-line' },
      m.route && m.route.coordinates ? t('card.waypoints', { n: m.route.coordinates.length }) : null,
      m.vehicles && Number.isInteger(m.vehicles.count) ? ` · ${t('card.vehicles', { n: m.vehicles.count })}` : null,
      Number.isInteger(m.staff_count) ? ` · ${t('card.staff', { n: m.staff_count })}` : null,
      m.cargo ? [' · ', h('span', { dir: 'auto' }, m.cargo)] : null),
    hist.length > 1 ? h('ol', { class: 'history', 'data-testid': 'card-history', 'aria-label': t('card.history') }, hist.map((x) => h('li', null,
      h('span', { class: `chip chip-status status-${x.status}` }, statusLabel(x.status)), ' ', x.at ? timeEl(x.at) : null,
      x.by ? ` · ${x.by}` : null, x.reason ? [' · ', h('span', { dir: 'auto' }, x.reason)] : null))) : null,
    conflictsLine(m),
    receiptLine(m, { kind: 'movement' }),
    actionForm(m, opts.actions || [], opts.onDone));
}

// ---- the actions ----

export function siteActions(s, { owner = false, ack = false, kind = 'site' } = {}) {
  const base = kind === 'site' ? '/api/v1/sites' : '/api/v1/nostrike';
  const out = [];
  const live = s.status !== 'withdrawn' && s.status !== 'expired';
  if (ack && kind === 'site' && s.status === 'submitted') {
    out.push({ value: 'acknowledge', label: t('action.acknowledge'), run: (reason) => api('POST', `${base}/${encodeURIComponent(s.id)}/acknowledge`, reason ? { note: reason } : {}) });
  }
  if (owner && live && kind === 'site') {
    out.push({ value: 'reconfirm', label: t('action.reconfirm'), run: () => api('POST', `${base}/${encodeURIComponent(s.id)}/reconfirm`, {}) });
  }
  if ((owner || ack) && live) {
    out.push({ value: 'withdraw', label: t('action.withdraw'), needsReason: true, run: (reason) => api('POST', `${base}/${encodeURIComponent(s.id)}/withdraw`, { reason }) });
  }
  return out;
}

export function movementActions(m, statuses) {
  return statuses.map((st) => ({
    value: st,
    label: tOpt(`action.status.${st}`, statusLabel(st)),
    needsReason: NEEDS_REASON.has(st),
    run: (reason) => api('POST', `/api/v1/movements/${encodeURIComponent(m.id)}/status`, reason ? { status: st, reason } : { status: st }),
  }));
}

export function fillList(ul, empty, items, make) {
  clear(ul);
  for (const x of items) ul.append(make(x));
  if (empty) empty.hidden = items.length > 0;
}

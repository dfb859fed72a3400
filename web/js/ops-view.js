// ops-view.js — pieces the operation pages share: the summary of an
// operation (what, where, when, status, countdown), its conflicts, alerts,
// escalations and decisions, and the narrowing proposal with what it keeps.
import { t, tOpt } from './i18n.js';
import { h } from './dom.js';
import { timeEl } from './time.js';
import {
  kindLabel, modeLabel, urgencyLabel, statusLabel, decisionLabel, outcomeLabel, isfStatusLabel,
  conflictKindLabel, pct, countdownText,
} from './ops-data.js';

export function chip(cls, text, attrs = {}) { return h('span', { class: `chip ${cls}`, ...attrs }, text); }

export function statusChip(op, attrs = {}) {
  return chip(`ops-status ops-status-${op.status}`, statusLabel(op.status), { 'data-status': op.status, ...attrs });
}

// A countdown element; tickCountdowns() keeps its text current.
export function countdownEl(secs, attrs = {}) {
  const e = h('span', { class: 'ops-countdown', 'data-countdown': '1', ...attrs });
  setCountdown(e, secs);
  return e;
}

export function setCountdown(e, secs) {
  const text = countdownText(secs);
  e.hidden = text === null;
  e.textContent = text || '';
  e.dataset.seconds = secs === null || secs === undefined ? '' : String(secs);
  e.classList.toggle('is-overdue', secs !== null && secs !== undefined && secs < 0);
  e.classList.toggle('is-soon', secs !== null && secs !== undefined && secs >= 0 && secs < 600);
}

const window2 = (from, until) => h('span', { class: 'ops-window' }, timeEl(from), ' – ', timeEl(until));

export function areaText(g, radius) {
  if (!g) return '';
  if (g.type === 'Point') return t('ops.area.circle', { radius: Math.round(radius || 0), lat: g.coordinates[1].toFixed(5), lon: g.coordinates[0].toFixed(5) });
  if (g.type === 'Polygon') return t('ops.area.polygon', { n: Math.max(0, (g.coordinates[0] || []).length - 1) });
  if (g.type === 'MultiPolygon') return t('ops.area.multipolygon', { n: g.coordinates.length });
  return g.type;
}

export function conflictLine(c, { onFocus, prefix }) {
  const dist = Math.round(c.distance_m || 0);
  const body = [
    h('span', { class: `chip chip-kind kind-${c.kind}` }, conflictKindLabel(c.kind)), ' ',
    h('span', { class: 'conflict-id' }, c.id),
    h('span', { class: 'feature-meta' },
      dist === 0 ? t('dc.inside') : t('dc.distance', { n: dist }),
      Number.isFinite(c.protection_m) && c.protection_m > 0 ? ` · ${t('dc.protection', { n: Math.round(c.protection_m) })}` : null,
      c.category ? ` · ${tOpt(`site.cat.${c.category}`, tOpt(`nostrike.cat.${c.category}`, tOpt(`ops.kind.${c.category}`, c.category)))}` : null),
  ];
  return h('li', { class: `conflict conflict-${c.kind}`, 'data-testid': `${prefix}-conflict-${c.kind}-${c.id}` },
    onFocus ? h('button', { type: 'button', class: 'feature-btn', onclick: () => onFocus(c) }, body) : h('div', { class: 'feature-btn' }, body));
}

// The proposal: what it keeps of the area and of the window, and the loss.
export function proposalBox(p, { prefix, open }) {
  if (!p) return null;
  if (!p.possible) {
    return h('div', { class: 'ops-proposal-box is-impossible', 'data-testid': `${prefix}-proposal-box`, 'data-possible': 'false' },
      h('h3', null, t('ops.proposal.title')),
      h('p', null, t('ops.proposal.impossible')),
      p.why ? h('p', { class: 'hint', lang: 'en', dir: 'ltr' }, p.why) : null);
  }
  return h('div', { class: 'ops-proposal-box', 'data-testid': `${prefix}-proposal-box`, 'data-possible': 'true', 'data-open': open ? '1' : '0' },
    h('h3', null, open ? t('ops.proposal.title') : t('ops.proposal.title_past')),
    h('p', { class: 'hint' }, t('ops.proposal.drawn')),
    h('dl', { class: 'details-dl' },
      h('dt', null, t('ops.proposal.area')), h('dd', { 'data-testid': `${prefix}-proposal-area` }, areaText(p.geometry, p.radius_m)),
      h('dt', null, t('ops.proposal.window')), h('dd', null, window2(p.window_from, p.window_until)),
      h('dt', null, t('ops.proposal.area_kept')), h('dd', { 'data-testid': `${prefix}-area-kept` }, pct(p.area_kept)),
      h('dt', null, t('ops.proposal.time_kept')), h('dd', { 'data-testid': `${prefix}-time-kept` }, pct(p.time_kept)),
      h('dt', null, t('ops.proposal.loss')), h('dd', { 'data-testid': `${prefix}-loss` }, pct(p.loss))));
}

function decisionItem(d, posName) {
  return h('li', { class: `ops-decision ops-decision-${d.decision}`, 'data-decision': d.decision },
    h('div', { class: 'entry-head' },
      h('strong', null, decisionLabel(d.decision)),
      h('span', null, t('ops.by', { who: d.by || '' })),
      d.at ? timeEl(d.at, { class: 'entry-time' }) : null,
      Array.isArray(d.conflicts) ? h('span', null, t('ops.decision.on_conflicts', { n: d.conflicts.length })) : null),
    d.reasons ? h('p', { class: 'entry-text', dir: 'auto' }, h('span', { class: 'muted' }, `${t('ops.field.reasons')}: `), d.reasons) : null,
    d.note ? h('p', { class: 'entry-text', dir: 'auto' }, h('span', { class: 'muted' }, `${t('ops.field.note')}: `), d.note) : null,
    d.task ? h('p', { class: 'entry-text' }, t('ops.detail.task', { id: d.task })) : null,
    d.escalated_to && d.escalated_to.length ? h('p', { class: 'entry-text' }, t('ops.detail.escalated_to', { to: d.escalated_to.map(posName).join(', ') })) : null);
}

// The whole record of an operation as the CMCC or the notifier sees it.
// opts: {prefix, orgName, posName, secondsLeft, onFocus(conflict), showProposal}
export function operationDetails(op, opts) {
  const { prefix, orgName } = opts;
  const posName = opts.posName || ((x) => x);
  const rows = [
    [t('ops.field.status'), h('span', null, statusChip(op, { 'data-testid': `${prefix}-status` }),
      countdownEl(opts.secondsLeft, { 'data-testid': `${prefix}-countdown`, 'data-op': op.id }))],
    [t('ops.field.mode'), modeLabel(op.mode)],
    [t('ops.field.kind'), kindLabel(op.kind)],
    [t('ops.field.urgency'), urgencyLabel(op.urgency)],
    [t('ops.field.area'), h('span', { 'data-testid': `${prefix}-area-text` }, areaText(op.geometry, op.radius_m))],
    [t('ops.field.window'), window2(op.window_from, op.window_until)],
    op.answer_by ? [t('ops.field.answer_by'), timeEl(op.answer_by)] : null,
    [t('ops.field.notified'), h('span', null, timeEl(op.notified_at), ' · ', t('ops.by', { who: op.notified_by || '' }), ' · ', orgName(op.org))],
    op.escalation_level ? [t('ops.field.escalation'), chip('ops-esc', t('ops.escalation.level', { n: op.escalation_level }), { 'data-testid': `${prefix}-escalation` })] : null,
    op.task ? [t('ops.field.task'), h('span', null, op.task, op.isf_status ? ` · ${isfStatusLabel(op.isf_status)}` : '')] : null,
    op.isf_outcome ? [t('ops.field.isf_outcome'), h('span', { dir: 'auto' }, typeof op.isf_outcome === 'string' ? op.isf_outcome : JSON.stringify(op.isf_outcome))] : null,
    (op.advisories || []).length ? [t('ops.field.advisories'), t('ops.detail.advisories', { n: op.advisories.length })] : null,
    Number.isFinite(op.decision_seconds) ? [t('ops.field.decision_time'), t('ops.detail.seconds', { n: Math.round(op.decision_seconds) })] : null,
  ].filter(Boolean);
  const conflicts = op.conflicts || [];
  const prop = op.proposal;
  return h('div', { class: 'ops-details', 'data-testid': `${prefix}-details`, 'data-id': op.id, 'data-status': op.status },
    h('h2', { class: 'details-title', tabindex: '-1' }, h('span', { class: 'ops-id' }, op.id), ' · ', kindLabel(op.kind)),
    h('dl', { class: 'details-dl' }, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    h('h3', null, t('ops.field.description')),
    h('p', { class: 'ops-description', dir: 'auto', 'data-testid': `${prefix}-description` }, op.description || ''),
    h('h3', null, t('ops.detail.conflicts')),
    h('p', { class: conflicts.length ? 'ops-count has-conflicts' : 'ops-count', 'data-testid': `${prefix}-conflict-count`, 'data-count': String(conflicts.length) },
      conflicts.length ? t('ops.conflicts', { n: conflicts.length }) : t('ops.no_conflicts')),
    conflicts.length ? h('ol', { class: 'conflict-list' }, conflicts.map((c) => conflictLine(c, opts))) : null,
    (op.alerts || []).length ? [
      h('h3', null, t('ops.detail.alerts')),
      h('ol', { class: 'conflict-list ops-alerts', 'data-testid': `${prefix}-alerts` }, op.alerts.map((a) => h('li', { class: 'ops-alert' },
        h('span', { class: 'feature-meta' }, timeEl(a.at), ' · ', tOpt(`ops.cause.${a.cause}`, a.cause || '')),
        a.conflict ? h('ul', { class: 'conflict-list' }, conflictLine(a.conflict, { ...opts, prefix: `${prefix}-alert` })) : null))),
    ] : null,
    prop && opts.showProposal !== false ? proposalBox(prop, { prefix, open: op.status === 'narrowing_requested' }) : null,
    op.answer ? h('div', { class: 'ops-answer' }, h('h3', null, t('ops.detail.answer')),
      h('p', { dir: 'auto', 'data-testid': `${prefix}-answer` }, typeof op.answer === 'string' ? op.answer : (op.answer.note || ''))) : null,
    (op.escalations || []).length ? [
      h('h3', null, t('ops.detail.escalations')),
      h('ol', { class: 'ops-escalations', 'data-testid': `${prefix}-escalations` }, op.escalations.map((e) => h('li', null,
        e.level ? chip('ops-esc', t('ops.escalation.level', { n: e.level })) : chip('ops-esc', t('ops.escalation.objection')), ' ',
        t('ops.escalation.to', { to: (e.to || []).map(posName).join(', ') }), ' · ', timeEl(e.at),
        e.reason ? h('span', { class: 'hint', lang: 'en', dir: 'ltr' }, ` (${e.reason})`) : null))),
    ] : null,
    op.outcome ? h('div', { class: 'ops-outcome' }, h('h3', null, t('ops.detail.outcome')),
      h('p', { 'data-testid': `${prefix}-outcome` }, outcomeLabel(op.outcome.result), op.outcome.note ? h('span', { dir: 'auto' }, ` — ${op.outcome.note}`) : null)) : null,
    h('h3', null, t('ops.detail.decisions')),
    (op.decisions || []).length
      ? h('ol', { class: 'ops-decisions journal-list', 'data-testid': `${prefix}-decisions` }, [...op.decisions].reverse().map((d) => decisionItem(d, posName)))
      : h('p', { class: 'empty' }, t('ops.detail.no_decisions')));
}

// A row of the list: id, kind, mode, status, countdown, counts.
export function opListItem(op, { prefix, selected, secondsLeft, onSelect }) {
  const n = (op.conflicts || []).length, a = (op.alerts || []).length;
  return h('li', { class: 'ops-item-row' }, h('button', {
    type: 'button', class: ['ops-item', selected ? 'is-selected' : null, n ? 'has-conflicts' : null],
    'aria-pressed': selected ? 'true' : 'false', 'data-testid': `${prefix}-op-${op.id}`, 'data-id': op.id, 'data-status': op.status,
    onclick: () => onSelect(op.id),
  },
  h('span', { class: 'ops-item-head' },
    h('span', { class: 'ops-id' }, op.id), h('span', { class: 'ops-kind' }, kindLabel(op.kind)),
    chip('ops-mode', modeLabel(op.mode))),
  h('span', { class: 'ops-item-meta' },
    statusChip(op),
    countdownEl(secondsLeft, { 'data-testid': `${prefix}-countdown-${op.id}`, 'data-op': op.id }),
    chip(n ? 'ops-conflicts has-conflicts' : 'ops-conflicts', n ? t('ops.conflicts', { n }) : t('ops.no_conflicts'), { 'data-testid': `${prefix}-conflicts-${op.id}`, 'data-count': String(n) }),
    a ? chip('ops-alerts-chip', t('ops.alerts', { n: a }), { 'data-testid': `${prefix}-alerts-${op.id}` }) : null,
    op.escalation_level ? chip('ops-esc', t('ops.escalation.level', { n: op.escalation_level }), { 'data-testid': `${prefix}-esc-${op.id}` }) : null),
  h('span', { class: 'feature-meta' }, op.answer_by ? [t('ops.answer_by_short'), ' ', timeEl(op.answer_by)] : [t('ops.window_short'), ' ', timeEl(op.window_from)])));
}

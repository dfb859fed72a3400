// ops-data.js — operation coordination (issue 6, docs/operations.md): the
// values of a notice (modes, kinds, urgencies), the life cycle (which
// decisions each status allows), labels in the current language, the
// countdown to an answer, and the store of the operations the caller may see
// (GET /api/v1/operations, ?queue=decisions|alerts|escalated).
import { api } from './api.js';
import { Reloader } from './reload.js';
import { t, tOpt } from './i18n.js';

export const OP_MODES = ['coordinate', 'inform'];
export const OP_KINDS = ['air_strike', 'ground_raid', 'arrest', 'engineering_demolition', 'line_crossing', 'other'];
export const URGENCIES = ['immediate', 'urgent', 'priority', 'routine'];
export const DEFAULT_ANSWER_MINUTES = { immediate: 15, urgent: 60, priority: 360, routine: 1440 };
export const DECISIONS = ['concur', 'acknowledge', 'refer', 'request_narrowing', 'object'];
export const OUTCOMES = ['as_notified', 'with_changes', 'not_carried_out'];
export const RESPONSES = ['accept', 'amend', 'answer'];
// Statuses that still wait for the CMCC or the notifier.
export const OPEN_STATUSES = new Set(['pending', 'notified', 'narrowing_requested', 'objected']);

// The decisions the life cycle allows from an operation's state (the server
// is the judge; the form offers only these).
export function allowedDecisions(op) {
  if (!op || op.outcome) return [];
  const inform = op.mode === 'inform';
  const alerts = (op.alerts || []).length > 0;
  switch (op.status) {
    case 'pending': return ['concur', 'refer', 'request_narrowing', 'object'];
    case 'notified': return ['acknowledge', 'refer', 'request_narrowing', 'object'];
    case 'objected': return [inform ? 'acknowledge' : 'concur', 'refer'];
    case 'concurred':
    case 'acknowledged': return alerts ? ['refer', 'request_narrowing', 'object'] : [];
    default: return [];
  }
}

// The notifier may report the outcome once the window has begun.
export function outcomeDue(op, nowMs = Date.now()) {
  return !!op && !op.outcome && Date.parse(op.window_from) <= nowMs;
}

// ---- labels ----
export const kindLabel = (k) => tOpt(`ops.kind.${k}`, k);
export const modeLabel = (m) => tOpt(`ops.mode.${m}`, m);
export const urgencyLabel = (u) => tOpt(`ops.urgency.${u}`, u);
export const statusLabel = (s) => tOpt(`ops.status.${s}`, s);
export const decisionLabel = (d) => tOpt(`ops.decision.${d}`, d);
export const outcomeLabel = (o) => tOpt(`ops.outcome.${o}`, o);
export const isfStatusLabel = (s) => tOpt(`isf.status.${s}`, s);
export const conflictKindLabel = (k) => tOpt(`kind.${k}`, k);
export const pct = (x) => `${Math.round((Number(x) || 0) * 100)}%`;

// "12 min 05 s" left, or how long ago the deadline passed.
export function fmtDuration(sec) {
  const s = Math.abs(Math.round(sec));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (d) return t('ops.dur.dh', { d, h: hh });
  if (hh) return t('ops.dur.hm', { h: hh, m: String(mm).padStart(2, '0') });
  return t('ops.dur.ms', { m: mm, s: String(ss).padStart(2, '0') });
}

// The countdown text of an operation; null when it waits for no answer.
export function countdownText(secondsLeft) {
  if (secondsLeft === null || secondsLeft === undefined) return null;
  return secondsLeft >= 0 ? t('ops.countdown.left', { time: fmtDuration(secondsLeft) }) : t('ops.countdown.overdue', { time: fmtDuration(-secondsLeft) });
}

// ---- the store ----

export class OpsData {
  // queue: null (all), 'decisions', 'alerts' or 'escalated' (the server's queues).
  constructor(queue = null) {
    this.queue = queue;
    this.ops = [];
    this.loadedAt = 0;       // Date.now() when the list arrived (seconds_left counts from then)
    this.loaded = false;
    this.loading = null;
    this.listeners = new Set();
    // The pages drawn from these lists keep what is being typed themselves.
    this.reloader = new Reloader(() => this.load(), { delay: 250 });
  }

  reset() {
    this.ops = [];
    this.loaded = false;
    this.loading = null;
    this.reloader.cancel();
  }

  onChange(f) { this.listeners.add(f); }

  load() {
    if (this.loading && this.loadingQueue === this.queue) return this.loading;
    const q = this.queue;
    this.loadingQueue = q;
    const p = (async () => {
      try {
        const r = await api('GET', `/api/v1/operations${q ? `?queue=${encodeURIComponent(q)}` : ''}`);
        if (q !== this.queue) return this;
        this.ops = r.operations || [];
        this.loadedAt = Date.now();
        for (const o of this.ops) delete o._at;
        this.loaded = true;
        this.error = null;
      } catch (e) {
        if (q !== this.queue) return this;
        this.error = e;
      } finally {
        if (this.loading === p) this.loading = null;
      }
      for (const f of this.listeners) { try { f(this); } catch (e) { console.error(e); } }
      return this;
    })();
    this.loading = p;
    return p;
  }

  setQueue(q) {
    this.queue = q || null;
    this.ops = [];
    this.loaded = false;
    return this.load();
  }

  reloadSoon(ms) { this.reloader.soon(ms); }

  get(id) { return this.ops.find((o) => o.id === id) || null; }

  // An operation just returned by a write replaces the listed one.
  put(op) {
    if (!op || !op.id) return;
    op._at = Date.now();
    const i = this.ops.findIndex((o) => o.id === op.id);
    if (i >= 0) this.ops[i] = op; else this.ops.push(op);
    for (const f of this.listeners) { try { f(this); } catch (e) { console.error(e); } }
  }

  // Seconds left now, counted down from the server's figure when it came.
  secondsLeft(op) {
    if (!op || op.seconds_left === null || op.seconds_left === undefined || op.status !== 'pending' || op.outcome) return null;
    const since = op._at || this.loadedAt;
    return op.seconds_left - Math.floor((Date.now() - since) / 1000);
  }
}

// The order of the board: open operations first, by the time an answer is
// needed (those without one after), then by when they were notified.
export function byDeadline(a, b) {
  const open = (o) => (OPEN_STATUSES.has(o.status) && !o.outcome ? 0 : 1);
  const oa = open(a), ob = open(b);
  if (oa !== ob) return oa - ob;
  const da = a.answer_by ? Date.parse(a.answer_by) : Infinity, db = b.answer_by ? Date.parse(b.answer_by) : Infinity;
  if (da !== db) return da - db;
  return String(a.notified_at || '').localeCompare(String(b.notified_at || ''));
}

// The last narrowing proposal of an operation: the open one, else the one of
// the last request_narrowing decision (kept after the notifier accepted it).
export function lastProposal(op) {
  if (op.proposal) return { proposal: op.proposal, open: true };
  const d = [...(op.decisions || [])].reverse().find((x) => x.decision === 'request_narrowing' && x.proposal);
  return d ? { proposal: d.proposal, open: false } : null;
}

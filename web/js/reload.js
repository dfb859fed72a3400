// reload.js — how a page follows the event stream. Pages reload their lists
// when an event arrives, and a reload draws the page again: done while a
// user is half-way through something, it would wipe what they typed, close
// the panel they opened, drop the error shown under a form or re-enable a
// button whose request still runs. In an operations centre events come all
// the time, so a reload waits until the part of the page it redraws is idle.
//
//   const r = new Reloader(() => this.load(), { scope: '#ddr-body', when: () => this.visible });
//   es.addEventListener(kind, () => r.soon());
//
// scope: CSS selector of what the reload redraws (none: never waits).
// when(): false drops the reload (page hidden, a tab that must not reload).

// Busy: under a visible element of scope, focus is in a field, a field
// differs from its default (a half-filled form, a chosen action), a panel
// marked data-panel is open (<details open>, or not hidden), a request
// runs (aria-busy="true", set by pending()), or an error the server gave is
// shown (role="alert") and the user has not touched the page since (for at
// most ERROR_HOLD_MS): an error after a button alone, with no form to hold
// the page, would else vanish with the next event. Filter forms
// (data-filters) never hold a reload: their values are the page's state,
// not unfinished work; nor does a page's own load error (data-load-error),
// which the next reload may clear.
import { t } from './i18n.js';

const ERROR_HOLD_MS = 20000;
let lastInput = 0;
for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, () => { lastInput = Date.now(); }, true);

// Whether an error box still holds reloads: it shows text, and since the
// reloads first found it so (data-seen) the user has neither clicked nor
// typed, and ERROR_HOLD_MS have not passed.
function errorHolds(el) {
  const text = el.textContent.trim();
  if (!text || el.hidden || el.closest('[hidden], [data-load-error]')) return false;
  if (el.dataset.seenText !== text) { el.dataset.seen = String(Date.now()); el.dataset.seenText = text; }
  const seen = Number(el.dataset.seen);
  return lastInput < seen && Date.now() - seen < ERROR_HOLD_MS;
}

export function isBusy(scope) {
  if (!scope) return false;
  const fields = 'input, textarea, select';
  for (const root of document.querySelectorAll(scope)) {
    if (root.closest('[hidden]')) continue;
    const a = document.activeElement;
    if (a && root.contains(a) && a.matches(fields) && !a.closest('[data-filters]')) return true;
    if (root.querySelector('[aria-busy="true"]')) return true;
    for (const el of root.querySelectorAll('[role="alert"]')) if (errorHolds(el)) return true;
    for (const p of root.querySelectorAll('[data-panel]')) if (p.tagName === 'DETAILS' ? p.open : !p.hidden) return true;
    for (const f of root.querySelectorAll(fields)) if (changed(f) && !f.closest('[hidden], [data-filters]')) return true;
  }
  return false;
}

function changed(f) {
  if (f.disabled || ['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type)) return false;
  if (f.type === 'checkbox' || f.type === 'radio') return f.checked !== f.defaultChecked;
  if (f.tagName === 'SELECT' && f.multiple) return [...f.options].some((o) => o.selected !== o.defaultSelected);
  if (f.tagName === 'SELECT') {
    // The option marked selected (the last, if several) or else the first.
    const def = [...f.options].findLastIndex((o) => o.defaultSelected);
    return f.options.length > 0 && f.selectedIndex !== Math.max(def, 0);
  }
  return f.value !== f.defaultValue;
}

export class Reloader {
  constructor(load, { scope = null, when = () => true, delay = 300, retry = 500 } = {}) {
    Object.assign(this, { load, scope, when, delay, retry });
    this.timer = null;
    this.due = 0;
  }

  // A burst of events makes one reload: a reload already waiting keeps its
  // time (it is not pushed back by each new event, or a steady stream would
  // starve it), unless the caller asks for a sooner one (after its own write).
  soon(ms = this.delay) {
    const due = Date.now() + ms;
    if (this.timer && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => this.fire(), ms);
  }

  // While the page is busy, look again shortly: the reload comes once the
  // user has submitted, cancelled, or left the form as it was.
  // The part held back says so (data-held, shown by style.css), so that a
  // user who leaves a form open knows the list is not the latest.
  fire() {
    this.timer = null;
    if (!this.when()) { this.hold(false); return; } // dropped: nothing waits any more
    if (isBusy(this.scope)) { this.hold(true); this.soon(this.retry); return; }
    this.hold(false);
    this.load();
  }

  hold(on) {
    if (!this.scope) return;
    for (const root of document.querySelectorAll(this.scope)) {
      if (on) root.setAttribute('data-held', t('reload.held'));
      else root.removeAttribute('data-held');
    }
  }

  cancel() { clearTimeout(this.timer); this.timer = null; this.hold(false); }
}

// Runs f() (a request) with el marked aria-busy, which holds reloads of the
// page that contains it (and tells assistive technology the part is updating).
export async function pending(el, f) {
  el.setAttribute('aria-busy', 'true');
  try { return await f(); } finally { el.removeAttribute('aria-busy'); }
}

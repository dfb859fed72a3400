// forms.js — the error pattern of every form (as in the journal form): the
// server's error names a field; its message shows in the box `${id}-error`
// right under that control, the control gets aria-invalid and points at the
// box with aria-describedby, and focus moves there. An error without a known
// field shows in the form's own error box.
import { t, tOpt } from './i18n.js';
import { h, $ } from './dom.js';
import { ApiError } from './api.js';

export function errorText(err) {
  const title = tOpt(`error.${err.code}`, t('error.generic'));
  return err.serverMessage ? `${title} ${err.serverMessage}` : title;
}

// A page's load: one at a time (a second call while one runs gets the same
// promise), fetch() fills the page, a failure shows in the page's error box
// (selector errSel; marked data-load-error: it never holds a reload, the
// next one may clear it), and the page renders either way.
export function loadOnce(page, errSel, fetch) {
  if (page.loading) return page.loading;
  page.loading = (async () => {
    const err = $(errSel);
    err.setAttribute('data-load-error', '');
    try {
      await fetch();
      page.loaded = true;
      err.hidden = true;
    } catch (e) {
      err.textContent = errorText(e);
      err.hidden = false;
    } finally {
      page.loading = null;
    }
    page.render();
  })();
  return page.loading;
}

export class FormErrors {
  // fieldIds: {serverField: controlId}; a server field "a.b[2]" is looked up
  // as "a.b[2]", then "a.b", then "a". formError: id of the form's box.
  constructor(fieldIds, formError) {
    this.fieldIds = fieldIds;
    this.formError = formError;
    for (const id of new Set(Object.values(fieldIds))) {
      const c = $(`#${id}`);
      if (c) c.addEventListener('input', () => this.clear(id));
    }
  }

  controlFor(field) {
    if (!field) return null;
    const f = String(field);
    const tries = [f, f.replace(/\[\d+\]$/, ''), f.split('[')[0], f.split(/[.[]/)[0]];
    for (const k of tries) if (this.fieldIds[k]) return this.fieldIds[k];
    return null;
  }

  clear(id) {
    const ctl = $(`#${id}`);
    const err = $(`#${id}-error`);
    if (!ctl || !err || err.hidden) return;
    err.hidden = true;
    err.textContent = '';
    ctl.removeAttribute('aria-invalid');
    const rest = (ctl.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== err.id).join(' ');
    if (rest) ctl.setAttribute('aria-describedby', rest); else ctl.removeAttribute('aria-describedby');
  }

  clearAll() {
    for (const id of new Set(Object.values(this.fieldIds))) this.clear(id);
    const fe = $(`#${this.formError}`);
    if (fe) { fe.hidden = true; fe.textContent = ''; }
  }

  // Shows err (an ApiError, or {code, serverMessage}) next to control id.
  show(id, err) {
    const ctl = $(`#${id}`);
    const box = $(`#${id}-error`);
    if (!ctl || !box) return false;
    box.textContent = '';
    box.append(h('span', { class: 'err-title' }, tOpt(`error.${err.code}`, t('error.generic'))), ' ',
      h('span', { class: 'err-detail', lang: 'en', dir: 'ltr' }, err.serverMessage || ''));
    box.hidden = false;
    ctl.setAttribute('aria-invalid', 'true');
    const ids = (ctl.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (!ids.includes(box.id)) ids.push(box.id);
    ctl.setAttribute('aria-describedby', ids.join(' '));
    return true;
  }

  // A local check failed: a message from the catalogue next to the control.
  showLocal(id, key, params) {
    return this.show(id, { code: 'local', serverMessage: '' }) && this.setText(id, t(key, params));
  }

  setText(id, text) {
    const box = $(`#${id}-error`);
    box.textContent = '';
    box.append(h('span', { class: 'err-title' }, text));
    return true;
  }

  // Shows a failed request: next to its field when the server names one we
  // have, else in the form's box. Moves focus to what shows it.
  report(err) {
    const id = err instanceof ApiError || err.field ? this.controlFor(err.field) : null;
    if (id && this.show(id, err)) {
      const c = $(`#${id}`);
      if (c) c.focus();
      return id;
    }
    const fe = $(`#${this.formError}`);
    fe.textContent = errorText(err);
    fe.hidden = false;
    fe.setAttribute('tabindex', '-1');
    fe.focus();
    return null;
  }
}

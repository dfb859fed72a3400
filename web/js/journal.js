// journal.js — the CMCC duty journal: newest first from GET /api/v1/journal,
// older pages with next_cursor, new entries from the event stream (kind
// journal.added) inserted at their place without reloading and without
// duplicates, and the form that writes POST /api/v1/journal. Server errors
// are shown next to the field they name; nothing is written on an error.
import { api, ApiError } from './api.js';
import { t, tOpt, pick, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl, zonedToUtc, getZone, zoneLabel } from './time.js';

const PAGE = 50;
// error.field from the server → the form control it is about.
const FIELD_IDS = { text: 'j-text', at: 'j-at', sector: 'j-sector', labels: 'j-vis' };

// Sort key: newest `at` first, then the higher JRN number first.
function num(id) { const m = /(\d+)$/.exec(id || ''); return m ? Number(m[1]) : 0; }
function newerFirst(a, b) {
  const ta = Date.parse(a.at), tb = Date.parse(b.at);
  if (ta !== tb) return tb - ta;
  return num(b.id) - num(a.id);
}

// A journal.added event (canonical event JSON) → the entry the list shows.
export function entryFromEvent(ev) {
  const b = ev.body || {};
  return {
    id: ev.subject, text: b.text, at: b.at, sector: b.sector || null,
    labels: b.labels || ev.labels || [], author: ev.actor, org: ev.org, recorded: ev.time, seq: ev.seq,
  };
}

export class Journal {
  constructor(ctx) {
    this.ctx = ctx;            // {me, mission, sectors(), orgName(id)}
    this.entries = new Map();  // id → entry
    this.nextCursor = null;
    this.loaded = false;
    this.loading = null;
    this.list = $('#journal-list');
    this.more = $('#journal-more');
    this.form = $('#journal-form');
    this.more.addEventListener('click', () => this.loadMore());
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    for (const id of Object.values(FIELD_IDS)) $(`#${id}`).addEventListener('input', () => this.clearFieldError(id));
    onLangChange(() => { this.renderSectorOptions(); this.renderHints(); this.renderAll(); });
  }

  reset() {
    this.entries.clear();
    this.nextCursor = null;
    this.loaded = false;
    this.loading = null;
    clear(this.list);
    this.clearErrors();
    this.form.reset();
    $('#j-status').textContent = '';
  }

  // Called when the page is shown.
  async show() {
    const me = this.ctx.me;
    const canWrite = me.permissions.includes('journal.write');
    this.form.hidden = !canWrite;
    this.form.parentElement.classList.toggle('no-form', !canWrite);
    const orgOpt = this.form.querySelector('#j-vis option[value="org"]');
    orgOpt.hidden = orgOpt.disabled = me.org === 'CMCC';
    this.renderSectorOptions();
    this.renderHints();
    if (!this.loaded) await this.load();
  }

  async load() {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const r = await api('GET', `/api/v1/journal?limit=${PAGE}`);
        for (const e of r.entries) this.entries.set(e.id, e);
        this.nextCursor = r.next_cursor || null;
        this.loaded = true;
        $('#journal-error').hidden = true;
      } catch (err) {
        this.showListError(err);
      } finally {
        this.loading = null;
      }
      this.renderAll();
    })();
    return this.loading;
  }

  async loadMore() {
    if (!this.nextCursor) return;
    this.more.disabled = true;
    try {
      const r = await api('GET', `/api/v1/journal?limit=${PAGE}&cursor=${encodeURIComponent(this.nextCursor)}`);
      const firstNew = r.entries.find((e) => !this.entries.has(e.id));
      for (const e of r.entries) this.entries.set(e.id, e);
      this.nextCursor = r.next_cursor || null;
      this.renderAll();
      // Keyboard users continue from the first entry that was added.
      const li = firstNew && this.list.querySelector(`[data-entry-id="${firstNew.id}"]`);
      if (li) li.focus();
    } catch (err) {
      this.showListError(err);
    } finally {
      this.more.disabled = false;
    }
  }

  showListError(err) {
    const p = $('#journal-error');
    p.textContent = errorText(err);
    p.hidden = false;
  }

  // An entry from the stream or from our own write; the same id twice is shown once.
  addLive(entry, announce = true) {
    if (!entry || !entry.id) return;
    const known = this.entries.has(entry.id);
    this.entries.set(entry.id, { ...(this.entries.get(entry.id) || {}), ...entry });
    if (!this.loaded) return;
    if (known) return;
    const li = this.entryEl(this.entries.get(entry.id));
    li.classList.add('is-new');
    setTimeout(() => li.classList.remove('is-new'), 4000);
    // Insert before the first shown entry that is older.
    const sorted = [...this.entries.values()].sort(newerFirst);
    const idx = sorted.findIndex((e) => e.id === entry.id);
    let before = null;
    for (let i = idx + 1; i < sorted.length; i++) {
      before = this.list.querySelector(`[data-entry-id="${sorted[i].id}"]`);
      if (before) break;
    }
    // Older than everything shown while more pages exist: it will come with "Load more".
    if (!before && this.nextCursor) { this.entries.delete(entry.id); return; }
    this.list.insertBefore(li, before);
    $('#journal-empty').hidden = true;
    if (announce) $('#journal-announce').textContent = t('journal.announce', { author: entry.author || '' });
  }

  renderAll() {
    clear(this.list);
    const sorted = [...this.entries.values()].sort(newerFirst);
    for (const e of sorted) this.list.append(this.entryEl(e));
    $('#journal-empty').hidden = !this.loaded || sorted.length > 0;
    this.more.hidden = !this.nextCursor;
  }

  entryEl(e) {
    const sector = e.sector ? this.ctx.sectorName(e.sector) : null;
    return h('li', { class: 'journal-entry', 'data-testid': 'journal-entry', 'data-entry-id': e.id, tabindex: '-1' },
      h('div', { class: 'entry-head' },
        timeEl(e.at, { class: 'entry-time' }),
        h('span', { class: 'entry-author' }, e.author || ''),
        h('span', { class: 'entry-org' }, this.ctx.orgName(e.org)),
        sector ? h('span', { class: 'chip chip-sector', 'data-sector': e.sector }, sector) : null,
        h('span', { class: 'entry-vis', title: t('journal.form.visibility') }, (e.labels || []).map((l) => h('span', { class: 'chip chip-label', 'data-label': l, title: this.labelTitle(l) }, this.labelText(l)))),
        h('span', { class: 'entry-id' }, e.id)),
      h('p', { class: 'entry-text', dir: 'auto' }, e.text || ''));
  }

  labelText(l) {
    if (l === 'all') return t('journal.vis.all_short');
    const [kind, v] = l.split(':');
    if (kind === 'org') return v;
    if (kind === 'role') return tOpt(`role.${v}`, v);
    return v || l;
  }

  labelTitle(l) {
    const [kind, v] = l.split(':');
    return kind === 'org' ? this.ctx.orgName(v) : null;
  }

  renderSectorOptions() {
    const sel = $('#j-sector');
    const keep = sel.value;
    clear(sel);
    sel.append(h('option', { value: '' }, t('journal.form.no_sector')));
    for (const s of this.ctx.sectors()) sel.append(h('option', { value: s.id }, pick(s, 'name') || s.id));
    sel.value = keep;
    if (sel.value !== keep) sel.value = '';
  }

  renderHints() {
    $('#j-at-hint').textContent = t('journal.form.at_hint', { zone: getZone(), offset: zoneLabel() });
  }

  // ---- the form ----

  clearFieldError(id) {
    const ctl = $(`#${id}`);
    const err = $(`#${id}-error`);
    if (!err || err.hidden) return;
    err.hidden = true;
    err.textContent = '';
    ctl.removeAttribute('aria-invalid');
    ctl.setAttribute('aria-describedby', (ctl.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== err.id).join(' '));
    if (!ctl.getAttribute('aria-describedby')) ctl.removeAttribute('aria-describedby');
  }

  clearErrors() {
    for (const id of Object.values(FIELD_IDS)) this.clearFieldError(id);
    const fe = $('#j-form-error');
    fe.hidden = true;
    fe.textContent = '';
  }

  showFieldError(id, err) {
    const ctl = $(`#${id}`);
    const box = $(`#${id}-error`);
    box.textContent = '';
    box.append(h('span', { class: 'err-title' }, tOpt(`error.${err.code}`, t('error.generic'))), ' ',
      h('span', { class: 'err-detail', lang: 'en', dir: 'ltr' }, err.serverMessage || ''));
    box.hidden = false;
    ctl.setAttribute('aria-invalid', 'true');
    const ids = (ctl.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (!ids.includes(box.id)) ids.push(box.id);
    ctl.setAttribute('aria-describedby', ids.join(' '));
  }

  body() {
    const text = $('#j-text').value;
    const body = { text };
    const sector = $('#j-sector').value;
    if (sector) body.sector = sector;
    const atLocal = $('#j-at').value;
    if (atLocal) body.at = zonedToUtc(atLocal) || atLocal;
    const vis = $('#j-vis').value;
    if (vis === 'all') body.labels = ['all'];
    else if (vis === 'org') body.labels = [`org:${this.ctx.me.org}`];
    else body.labels = ['org:CMCC'];
    return body;
  }

  async submit() {
    const btn = this.form.querySelector('button[type="submit"]');
    const status = $('#j-status');
    this.clearErrors();
    status.textContent = t('journal.form.sending');
    btn.disabled = true;
    try {
      const r = await api('POST', '/api/v1/journal', this.body());
      this.addLive(r.entry || { id: r.id }, false);
      this.form.reset();
      status.textContent = t('journal.form.saved', { id: r.id });
      $('#j-text').focus();
    } catch (err) {
      status.textContent = '';
      const id = err instanceof ApiError && err.field ? FIELD_IDS[String(err.field).split(/[.[]/)[0]] : null;
      if (id) {
        this.showFieldError(id, err);
        $(`#${id}`).focus();
      } else {
        const fe = $('#j-form-error');
        fe.textContent = errorText(err);
        fe.hidden = false;
      }
    } finally {
      btn.disabled = false;
    }
  }
}

export function errorText(err) {
  const title = tOpt(`error.${err.code}`, t('error.generic'));
  return err.serverMessage ? `${title} ${err.serverMessage}` : title;
}

// advisories.js — the advisory inbox (#/advisories): what a humanitarian
// organisation is asked to do because of an operation near its sites or
// movements ("hold movement MOV-3 between ...", "SITE-2: shelter in place
// between ..."), in the reader's language, and its acknowledgement (on the
// record). The server gives nothing of the operation itself (GET
// /api/v1/advisories), and this page shows only what it gives. The CMCC
// sees every organisation's advisories and whether they were acknowledged.
import { api } from './api.js';
import { t, tOpt, getLang, onLangChange, applyI18n } from './i18n.js';
import { h, $, clear } from './dom.js';
import { timeEl } from './time.js';
import { errorText, loadOnce } from './forms.js';
import { Reloader, pending } from './reload.js';

export class AdvisoriesPage {
  constructor(ctx) {
    this.ctx = ctx;
    this.items = [];
    this.loaded = false;
    this.loading = null;
    this.visible = false;
    // A new advisory from the stream, but not over a note being written.
    this.reloader = new Reloader(() => this.load(), { scope: '#adv-open', when: () => this.visible, delay: 250 });
    this.el = this.build();
    onLangChange(() => { if (this.loaded) this.render(); });
  }

  build() {
    const sec = h('section', { id: 'view-advisories', class: 'view view-advisories', 'data-view': 'advisories', 'aria-labelledby': 'adv-title', hidden: true },
      h('div', { class: 'view-head' },
        h('h1', { id: 'adv-title', tabindex: '-1', 'data-i18n': 'adv.title' }),
        h('p', { class: 'view-sub', id: 'adv-sub' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'adv-refresh', 'data-i18n': 'form.refresh', onclick: () => this.load() })),
      h('p', { id: 'adv-error', class: 'form-error', role: 'alert', 'data-load-error': '', 'data-testid': 'adv-error', hidden: true }),
      h('section', { 'aria-labelledby': 'adv-open-title' },
        h('h2', { id: 'adv-open-title', 'data-i18n': 'adv.open' }),
        h('p', { class: 'empty', id: 'adv-open-empty', 'data-testid': 'adv-open-empty', 'data-i18n': 'adv.none_open', hidden: true }),
        h('ul', { id: 'adv-open', class: 'card-list adv-list', 'data-testid': 'adv-open' })),
      h('section', { 'aria-labelledby': 'adv-done-title' },
        h('h2', { id: 'adv-done-title', 'data-i18n': 'adv.done' }),
        h('p', { class: 'empty', id: 'adv-done-empty', 'data-testid': 'adv-done-empty', 'data-i18n': 'adv.none_done', hidden: true }),
        h('ul', { id: 'adv-done', class: 'card-list adv-list', 'data-testid': 'adv-done' })),
      h('p', { id: 'adv-announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
    $('#main').append(sec);
    applyI18n(sec);
    return sec;
  }

  reset() { this.items = []; this.loaded = false; this.visible = false; }
  hide() { this.visible = false; }
  reloadSoon() { this.reloader.soon(); }

  show() {
    this.visible = true;
    this.render();
    return this.load();
  }

  load() {
    return loadOnce(this, '#adv-error', async () => {
      const r = await api('GET', '/api/v1/advisories');
      this.items = (r.advisories || []).sort((a, b) => String(a.from || '').localeCompare(String(b.from || '')));
    });
  }

  mine(a) { return !!this.ctx.me && a.org === this.ctx.me.org; }

  render() {
    const cmcc = !!this.ctx.me && this.ctx.me.permissions.includes('ops.decide');
    $('#adv-sub').textContent = cmcc ? t('adv.sub_cmcc') : t('adv.sub');
    const open = this.items.filter((a) => a.status !== 'acknowledged');
    const done = this.items.filter((a) => a.status === 'acknowledged');
    const fill = (ul, empty, list) => {
      clear(ul);
      empty.hidden = !this.loaded || list.length > 0;
      for (const a of list) ul.append(this.card(a, cmcc));
    };
    fill($('#adv-open'), $('#adv-open-empty'), open);
    fill($('#adv-done'), $('#adv-done-empty'), done);
    this.el.dataset.ready = this.loaded ? '1' : '0';
    this.el.dataset.count = String(this.items.length);
  }

  card(a, cmcc) {
    const lang = getLang();
    const text = (a.text && (a.text[lang] || a.text.en)) || '';
    const li = h('li', { class: ['card', 'adv-card', a.status === 'acknowledged' ? 'is-done' : null], 'data-testid': `adv-${a.id}`, 'data-status': a.status },
      h('div', { class: 'entry-head' },
        h('span', { class: 'adv-id' }, a.id),
        h('span', { class: `chip adv-status adv-status-${a.status}` }, tOpt(`adv.status.${a.status}`, a.status)),
        h('span', { class: 'chip' }, a.subject),
        cmcc ? h('span', null, this.ctx.orgName(a.org)) : null),
      h('p', { class: 'adv-text', lang, dir: lang === 'ar' ? 'rtl' : 'ltr', 'data-testid': `adv-text-${a.id}` }, text),
      h('p', { class: 'feature-meta' }, t('adv.between'), ' ', timeEl(a.from), ' – ', timeEl(a.until)),
      h('p', { class: 'feature-meta' }, t('adv.issued'), ' ', timeEl(a.issued_at),
        a.acknowledged_at ? [' · ', t('adv.acknowledged_at'), ' ', timeEl(a.acknowledged_at)] : null));
    if (a.status !== 'acknowledged' && this.mine(a)) li.append(this.ackForm(a));
    return li;
  }

  ackForm(a) {
    const id = `adv-note-${a.id}`;
    const note = h('input', { id, type: 'text', dir: 'auto', autocomplete: 'off', 'data-testid': `adv-note-${a.id}` });
    const err = h('p', { id: `${id}-error`, class: 'field-error', role: 'alert', 'data-testid': `adv-ack-error-${a.id}`, hidden: true });
    const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': `adv-ack-${a.id}` }, t('adv.ack'));
    const form = h('form', { class: 'card-actions', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: id }, t('adv.note')), note),
      h('div', { class: 'field field-button' }, btn), err);
    form.addEventListener('submit', (e) => pending(form, async () => {
      e.preventDefault();
      err.hidden = true;
      btn.disabled = true;
      try {
        const body = note.value.trim() ? { note: note.value.trim() } : {};
        await api('POST', `/api/v1/advisories/${encodeURIComponent(a.id)}/acknowledge`, body);
        $('#adv-announce').textContent = t('adv.ack_done', { id: a.id });
        await this.load();
        const done = this.el.querySelector(`[data-testid="adv-${a.id}"]`);
        if (done) { done.setAttribute('tabindex', '-1'); done.focus(); }
      } catch (e2) {
        err.textContent = errorText(e2);
        err.hidden = false;
        note.setAttribute('aria-describedby', err.id);
      } finally {
        btn.disabled = false;
      }
    }));
    return form;
  }
}

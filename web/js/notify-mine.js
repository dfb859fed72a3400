// notify-mine.js — "My notifications": the sites and movements of the
// caller's organisation (GET /api/v1/sites?mine=1, /movements?mine=1) with
// their statuses, each with its receipt line ("notified at T, acknowledged at
// T2, receipt verified", checked in this browser) and the owner's actions:
// re-confirm or withdraw a site, cancel or complete a movement.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { $ } from './dom.js';
import { siteCard, movementCard, siteActions, movementActions, fillList } from './cards.js';
import { nextStatuses } from './notify-data.js';
import { serverKey } from './receipt.js';
import { loadOnce } from './forms.js';
import { Reloader } from './reload.js';

export class MinePage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.sites = [];
    this.movements = [];
    this.loaded = false;
    this.loading = null;
    this.visible = false;
    // A change from the stream, but not over an action being chosen on a card.
    this.reloader = new Reloader(() => this.load(), { scope: '#view-mine', when: () => this.visible, delay: 250 });
    $('#mine-refresh').addEventListener('click', () => this.load());
    onLangChange(() => { if (this.loaded) this.render(); });
  }

  reset() { this.sites = []; this.movements = []; this.loaded = false; this.visible = false; }

  show() {
    this.visible = true;
    serverKey().then((k) => { $('#mine-key').textContent = t('receipt.key_line', { key: `${k.slice(0, 16)}…${k.slice(-8)}` }); $('#mine-key').title = k; }).catch(() => {});
    return this.load();
  }

  hide() { this.visible = false; }
  reloadSoon() { this.reloader.soon(); }

  load() {
    return loadOnce(this, '#mine-error', async () => {
      const [s, m] = await Promise.all([api('GET', '/api/v1/sites?mine=1'), api('GET', '/api/v1/movements?mine=1')]);
      const org = this.ctx.me && this.ctx.me.org;
      // mine=1 is the filter; the org check guards against a server that ignores it.
      this.sites = (s.sites || []).filter((x) => !org || !x.org || x.org === org);
      this.movements = (m.movements || []).filter((x) => !org || !x.org || x.org === org);
    });
  }

  render() {
    const byNewest = (a, b) => String(b.notified_at || '').localeCompare(String(a.notified_at || ''));
    const done = (item, a) => {
      $('#mine-announce').textContent = t('card.done', { id: item.id, action: a.label });
      this.load();
      this.data.reloadSoon();
    };
    fillList($('#mine-sites'), this.loaded ? $('#mine-sites-empty') : null, [...this.sites].sort(byNewest), (s) => siteCard(s, {
      kind: 'site', testid: `mine-site-${s.id}`, orgName: this.ctx.orgName, showOnMap: this.ctx.showOnMap,
      actions: siteActions(s, { owner: true }), onDone: done,
    }));
    fillList($('#mine-movements'), this.loaded ? $('#mine-movements-empty') : null, [...this.movements].sort(byNewest), (m) => movementCard(m, {
      testid: `mine-movement-${m.id}`, orgName: this.ctx.orgName, showOnMap: this.ctx.showOnMap,
      actions: movementActions(m, nextStatuses(m.status, { owner: true })), onDone: done,
    }));
    $('#view-mine').dataset.ready = this.loaded ? '1' : '0';
  }
}

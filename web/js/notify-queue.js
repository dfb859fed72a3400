// notify-queue.js — the CMCC queue (notify.ack): sites and movements waiting
// for acknowledgement, movements whose outcome the CMCC records
// (facilitated, partially facilitated, impeded, denied, postponed, ...,
// with a reason where one is needed), and lapsed sites (not re-confirmed
// within the scenario's days), oldest first.
import { api } from './api.js';
import { t, onLangChange } from './i18n.js';
import { $ } from './dom.js';
import { siteCard, movementCard, siteActions, movementActions, fillList } from './cards.js';
import { nextStatuses, MOVEMENT_OVER } from './notify-data.js';
import { loadOnce } from './forms.js';
import { Reloader } from './reload.js';

export class QueuePage {
  constructor(ctx, data) {
    this.ctx = ctx;
    this.data = data;
    this.lists = { sites: [], movements: [], progress: [], lapsed: [] };
    this.loaded = false;
    this.loading = null;
    // A change from the stream, but not over a note or reason being written on a card.
    this.reloader = new Reloader(() => this.load(), { scope: '#view-queue', when: () => !$('#view-queue').hidden, delay: 250 });
    $('#queue-refresh').addEventListener('click', () => this.load());
    onLangChange(() => { if (this.loaded) this.render(); });
  }

  reset() { this.lists = { sites: [], movements: [], progress: [], lapsed: [] }; this.loaded = false; }

  show() { return this.load(); }
  reloadSoon() { this.reloader.soon(); }

  load() {
    return loadOnce(this, '#queue-error', async () => {
      const [sub, mov, lapsed] = await Promise.all([
        api('GET', '/api/v1/sites?status=submitted'),
        api('GET', '/api/v1/movements'),
        api('GET', '/api/v1/sites?lapsed=1'),
      ]);
      const oldest = (a, b) => String(a.notified_at || '').localeCompare(String(b.notified_at || ''));
      const movements = mov.movements || [];
      this.lists.sites = (sub.sites || []).filter((s) => s.status === 'submitted').sort(oldest);
      this.lists.movements = movements.filter((m) => m.status === 'submitted').sort(oldest);
      this.lists.progress = movements.filter((m) => m.status !== 'submitted' && !MOVEMENT_OVER.has(m.status))
        .sort((a, b) => String((a.times || [])[0] || '').localeCompare(String((b.times || [])[0] || '')));
      this.lists.lapsed = (lapsed.sites || []).filter((s) => s.lapsed).sort((a, b) => String(a.confirmed_at || '').localeCompare(String(b.confirmed_at || '')));
    });
  }

  render() {
    const days = this.ctx.mission && this.ctx.mission.settings && this.ctx.mission.settings.site_reconfirm_days;
    $('#queue-lapsed-hint').textContent = t('queue.lapsed_hint', { days: days || 30 });
    const done = (item, a) => {
      $('#queue-announce').textContent = t('card.done', { id: item.id, action: a.label });
      this.load();
      this.data.reloadSoon();
    };
    const common = { showOrg: true, orgName: this.ctx.orgName, showOnMap: this.ctx.showOnMap, onDone: done };
    const ld = this.loaded;
    fillList($('#queue-sites'), ld ? $('#queue-sites-empty') : null, this.lists.sites, (s) => siteCard(s, {
      ...common, kind: 'site', testid: `queue-site-${s.id}`, receipt: false, actions: siteActions(s, { ack: true }),
    }));
    fillList($('#queue-movements'), ld ? $('#queue-movements-empty') : null, this.lists.movements, (m) => movementCard(m, {
      ...common, testid: `queue-movement-${m.id}`, actions: movementActions(m, nextStatuses(m.status, { ack: true })),
    }));
    fillList($('#queue-progress'), ld ? $('#queue-progress-empty') : null, this.lists.progress, (m) => movementCard(m, {
      ...common, testid: `queue-progress-${m.id}`, actions: movementActions(m, nextStatuses(m.status, { ack: true })),
    }));
    fillList($('#queue-lapsed'), ld ? $('#queue-lapsed-empty') : null, this.lists.lapsed, (s) => siteCard(s, {
      ...common, kind: 'site', testid: `queue-lapsed-${s.id}`, receipt: false, actions: siteActions(s, { ack: true }),
    }));
    $('#view-queue').dataset.ready = ld ? '1' : '0';
  }
}

// mon.js — the cease-fire monitoring pages (issue 7), wired into the shell
// by app.js: one navigation entry, "Monitoring", opens the dashboard
// (#/dashboard: charts, the incidents on a map, the last 48 hours); its tabs
// lead to the incidents (#/incidents, #/incidents/new, #/incidents/INC-n),
// the aid flow (#/aid) and the daily SITREP (#/sitrep/YYYY-MM-DD). Also the
// labels and data every one of those pages shares (the taxonomy).
import { t, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { MonData } from './mon-data.js';
import { IncidentsPage } from './incidents.js';
import { AidPage } from './aid.js';
import { DashboardPage } from './dashboard.js';
import { SitrepPage } from './sitrep.js';

export const MON_ROUTES = [
  { id: 'dashboard', key: 'nav.monitoring', perm: 'logged_in' },
  { id: 'incidents', key: 'nav.incidents', perm: 'logged_in', navAs: 'dashboard' },
  { id: 'aid', key: 'nav.aid', perm: 'logged_in', navAs: 'dashboard' },
  { id: 'sitrep', key: 'nav.sitrep', perm: 'logged_in', navAs: 'dashboard' },
];
const SUBNAV = [['dashboard', 'mon.subnav.dashboard'], ['incidents', 'mon.subnav.incidents'], ['aid', 'mon.subnav.aid'], ['sitrep', 'mon.subnav.sitrep']];

// Event kinds of the stream that change what these pages show (the server
// sends each only to readers who may see it).
export const INCIDENT_STREAM_KINDS = ['incident.reported', 'incident.amended', 'incident.status', 'incident.merged'];
export const AID_STREAM_KINDS = ['aid.consignment', 'aid.status', 'aid.crossing'];

export class MonPages {
  constructor(ctx) {
    this.data = new MonData((id) => ctx.orgName(id));
    this.ctx = ctx;
    this.incidents = new IncidentsPage(ctx, this.data);
    this.aid = new AidPage(ctx, this.data);
    this.dashboard = new DashboardPage(ctx, this.data);
    this.sitrep = new SitrepPage(ctx, this.data);
    this.current = null;
    this.subnav = h('nav', { class: 'subnav', 'data-testid': 'mon-subnav' });
    onLangChange(() => this.renderSubnav());
  }

  renderSubnav() {
    this.subnav.setAttribute('aria-label', t('mon.subnav.label'));
    clear(this.subnav).append(...SUBNAV.map(([id, key]) => h('a', {
      href: `#/${id}`, class: 'subnav-link', 'data-testid': `subnav-${id}`, 'aria-current': this.current === id ? 'page' : null,
    }, t(key))));
  }

  route(id) {
    this.current = id;
    const pages = { dashboard: this.dashboard, incidents: this.incidents, aid: this.aid, sitrep: this.sitrep };
    const section = id && pages[id] ? $(`#view-${id}`) : null;
    if (section) { this.renderSubnav(); section.prepend(this.subnav); }
    const sub = (/^#\/[\w-]+\/([\w.-]+)/.exec(location.hash || '') || [])[1] || null;
    for (const [k, p] of Object.entries(pages)) if (k !== id) p.hide();
    if (id && pages[id]) pages[id].show(sub);
  }

  reset() {
    this.current = null;
    this.data.reset();
    for (const p of [this.incidents, this.aid, this.dashboard, this.sitrep]) p.reset();
  }

  listen(es) {
    for (const kind of INCIDENT_STREAM_KINDS) {
      es.addEventListener(kind, () => {
        if (this.current === 'incidents') this.incidents.reloadSoon();
        if (this.current === 'dashboard') this.dashboard.reloadSoon();
      });
    }
    for (const kind of AID_STREAM_KINDS) {
      es.addEventListener(kind, () => {
        if (this.current === 'aid') this.aid.reloadSoon();
        if (this.current === 'dashboard') this.dashboard.reloadSoon();
      });
    }
  }
}

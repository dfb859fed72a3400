// ops.js — the operation coordination pages (issue 6), wired into the shell
// by app.js: the CMCC operations board with the decision form (#/ops), the
// escalation queue of the positions the CMCC commander reports to
// (#/escalations), the notifier's view (#/notices) and the advisory inbox
// (#/advisories). Each page builds its own markup into <main>.
import { api } from './api.js';
import { pick } from './i18n.js';
import { OpsBoard } from './ops-board.js';
import { NoticesPage } from './ops-notice.js';
import { AdvisoriesPage } from './advisories.js';

const has = (me, p) => !!me && me.permissions.includes(p);
export const canDecide = (me) => has(me, 'ops.decide');
export const canNotify = (me) => has(me, 'ops.notify');
// The escalation queue: leadership accounts (whose positions objections and
// overdue notices go up to) that do not sit on the CMCC's board.
export const canSeeEscalations = (me) => !!me && me.roles.includes('leadership') && !has(me, 'ops.decide');
// The advisory inbox: humanitarian organisations, and the CMCC that follows them.
export const canSeeAdvisories = (me) => !!me && (me.roles.includes('humanitarian') || has(me, 'ops.decide'));

export const OPS_ROUTES = [
  { id: 'ops', key: 'nav.ops', perm: canDecide },
  { id: 'escalations', key: 'nav.escalations', perm: canSeeEscalations },
  { id: 'notices', key: 'nav.notices', perm: canNotify },
  { id: 'advisories', key: 'nav.advisories', perm: canSeeAdvisories },
];

// Changes that reach the operations: their own events, ISF tasks made from
// referrals, and anything that may raise an alert on one (a re-check).
export const OPS_STREAM_KINDS = [
  'operation.notified', 'operation.decided', 'operation.amended', 'operation.conflicts', 'operation.answered', 'operation.escalated', 'operation.outcome',
  'task.assigned', 'task.approval', 'task.accepted', 'task.declined', 'task.started', 'task.completed', 'task.aborted',
  'site.notified', 'site.amended', 'nostrike.notified', 'nostrike.amended', 'movement.notified', 'movement.amended', 'unit.position',
];
export const ADVISORY_STREAM_KINDS = ['advisory.issued', 'advisory.linked', 'advisory.acknowledged'];

export class OpsPages {
  // ctx: the app's context; notifyData: the shared store of sites, movements, units.
  constructor(ctx, notifyData) {
    this.org = null;
    this.orgLoading = null;
    const self = this;
    // The app's context, plus position titles (escalations go to positions).
    this.ctx = Object.create(ctx, {
      posName: { value: (id) => self.positionTitle(id) },
    });
    this.board = new OpsBoard(this.ctx, notifyData, {
      route: 'ops', prefix: 'ob', titleKey: 'ops.board.title', subKey: 'ops.board.sub', queues: ['all', 'decisions', 'alerts', 'escalated'], decide: true,
    });
    this.escalations = new OpsBoard(this.ctx, notifyData, {
      route: 'escalations', prefix: 'oe', titleKey: 'ops.esc.title', subKey: 'ops.esc.sub', queues: ['escalated'], decide: false,
    });
    this.notices = new NoticesPage(this.ctx, notifyData);
    this.advisories = new AdvisoriesPage(this.ctx);
    this.current = null;
  }

  positionTitle(id) {
    const p = this.org && (this.org.positions || []).find((x) => x.id === id);
    return p ? pick(p.title) || id : id;
  }

  loadOrg() {
    if (this.org || this.orgLoading) return this.orgLoading;
    this.orgLoading = api('GET', '/api/v1/org').then((o) => {
      this.org = o;
      for (const b of [this.board, this.escalations, this.notices]) { b.shownSig = null; if (b.visible) b.render(); }
    }).catch(() => { /* titles fall back to ids */ }).finally(() => { this.orgLoading = null; });
    return this.orgLoading;
  }

  // Called on every route change with the page shown.
  route(id) {
    this.current = id;
    const sub = (/^#\/[\w-]+\/([\w-]+)/.exec(location.hash || '') || [])[1] || null;
    if (id !== 'ops') this.board.hide();
    if (id !== 'escalations') this.escalations.hide();
    if (id !== 'notices') this.notices.hide();
    if (id !== 'advisories') this.advisories.hide();
    if (['ops', 'escalations', 'notices'].includes(id)) this.loadOrg();
    if (id === 'ops') this.board.show(sub);
    if (id === 'escalations') this.escalations.show(sub);
    if (id === 'notices') this.notices.show(sub);
    if (id === 'advisories') this.advisories.show();
  }

  reset() {
    this.current = null;
    this.org = null;
    this.board.reset();
    this.escalations.reset();
    this.notices.reset();
    this.advisories.reset();
  }

  // The event stream: reload what changed (only the page in view; the
  // others load when they are shown).
  listen(es) {
    for (const kind of OPS_STREAM_KINDS) {
      es.addEventListener(kind, () => {
        if (this.current === 'ops') this.board.data.reloadSoon();
        if (this.current === 'escalations') this.escalations.data.reloadSoon();
        if (this.current === 'notices') this.notices.data.reloadSoon();
      });
    }
    for (const kind of ADVISORY_STREAM_KINDS) {
      es.addEventListener(kind, () => {
        if (this.current === 'advisories') this.advisories.reloadSoon();
        if (this.current === 'ops') this.board.data.reloadSoon();
      });
    }
  }
}

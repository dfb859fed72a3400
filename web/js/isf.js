// isf.js — the ISF pages of the app (issue 5), wired into the shell by
// app.js: the task board with its dialogs (#/tasks), the caveat matrix
// (#/caveats), the contingents and their strength over time
// (#/contingents/CTG-xxx), and the units' ages on the mission map.
import { t, onLangChange } from './i18n.js';
import { h, $, clear } from './dom.js';
import { IsfData, ISF_STREAM_KINDS } from './isf-data.js';
import { IsfUnitsOnMap } from './isf-map.js';
import { TasksPage } from './isf-board.js';
import { AssignDialog, ActionDialog } from './isf-dialogs.js';
import { CaveatsPage } from './isf-caveats.js';
import { ContingentsPage } from './isf-contingents.js';

// Who is offered the ISF pages: the ISF (HQ and contingents) and the CMCC.
// What each sees on them is what the server's labels let it read.
export function canSeeIsf(me) {
  return !!me && (me.permissions.includes('isf.contingent') || me.permissions.includes('isf.hq')
    || me.roles.includes('cmcc_watch') || me.roles.includes('cmcc_commander'));
}

// The pages, for app.js's route table (after its own): one navigation entry,
// "ISF", opens the task board; the caveat matrix and the contingents are
// sub-pages reached from the tabs at the top of each ISF page.
export const ISF_ROUTES = [
  { id: 'tasks', key: 'nav.isf', perm: canSeeIsf },
  { id: 'caveats', key: 'nav.caveats', perm: canSeeIsf, navAs: 'tasks' },
  { id: 'contingents', key: 'nav.contingents', perm: canSeeIsf, navAs: 'tasks' },
];

export class IsfPages {
  // ctx: the app's context; mapParts: {layers: the mission map's HumLayers, data: its NotifyData}
  constructor(ctx, { layers, data }) {
    this.ctx = ctx;
    this.notifyData = data;
    this.data = new IsfData();
    this.action = new ActionDialog();
    this.assign = new AssignDialog(ctx, this.data, (r, id, unit) => this.tasks.assigned(r, id, unit));
    this.tasks = new TasksPage(ctx, this.data, { assign: this.assign, action: this.action });
    this.caveats = new CaveatsPage(ctx);
    this.contingents = new ContingentsPage(ctx, this.data);
    this.units = layers ? new IsfUnitsOnMap(layers, data, $('#map-unit-list'), ctx) : null;
    this.current = null;
    // The tabs between the ISF pages, moved to the top of the page shown.
    this.subnav = h('nav', { class: 'subnav', 'data-testid': 'isf-subnav' });
    onLangChange(() => this.renderSubnav());
  }

  renderSubnav() {
    const links = [['tasks', t('isf.subnav.tasks')], ['caveats', t('isf.subnav.caveats')], ['contingents', t('isf.subnav.contingents')]];
    this.subnav.setAttribute('aria-label', t('isf.subnav.label'));
    clear(this.subnav).append(...links.map(([id, label]) => h('a', {
      href: `#/${id}`, class: 'subnav-link', 'data-testid': `subnav-${id}`, 'aria-current': this.current === id ? 'page' : null,
    }, label)));
  }

  // Called on every route change with the page shown (null: none of ours).
  route(id) {
    this.current = id;
    const section = id && $(`#view-${id}`);
    if (section && ['tasks', 'caveats', 'contingents'].includes(id)) {
      this.renderSubnav();
      section.prepend(this.subnav);
    }
    if (id !== 'tasks') this.tasks.hide();
    if (id !== 'contingents') this.contingents.hide();
    const sub = (/^#\/[\w-]+\/([\w-]+)/.exec(location.hash || '') || [])[1] || null;
    // The mission map shows the units' last positions: make sure they are loaded.
    if (id === 'map' && this.notifyData && !this.notifyData.loaded) this.notifyData.load();
    if (id === 'tasks') this.tasks.show();
    if (id === 'caveats') this.caveats.show();
    if (id === 'contingents') this.contingents.show(sub);
  }

  reset() {
    this.current = null;
    for (const d of [$('#assign-dialog'), $('#task-action-dialog')]) if (d && d.open) d.close();
    this.data.reset();
    this.tasks.reset();
    this.caveats.reset();
    this.contingents.reset();
  }

  // The event stream: reload what changed.
  listen(es) {
    for (const kind of ISF_STREAM_KINDS) {
      es.addEventListener(kind, () => {
        this.data.reloadSoon();
        if (kind === 'caveat.set' && this.current === 'caveats') this.caveats.reloadSoon();
        if (kind.startsWith('unit.') && this.notifyData) this.notifyData.reloadSoon();
      });
    }
  }
}

// app.js — the browser app's entry: login, the shell (navigation, user,
// language, exercise banner, live status), hash routing (#/map, #/journal,
// #/org) and the event stream that keeps every open page current.
import { loadCatalogues, initialLang, setLang, getLang, t, tOpt, pick, onLangChange } from './js/i18n.js';
import { api, setCsrf, whenUnauthenticated, ApiError } from './js/api.js';
import { h, $, $$, clear } from './js/dom.js';
import { setZone, fmtClock, zoneLabel } from './js/time.js';
import { MissionMap } from './js/map.js';
import { Journal, entryFromEvent, errorText } from './js/journal.js';
import { OrgChart } from './js/org.js';
import { NotifyData, STREAM_KINDS } from './js/notify-data.js';
import { HumLayers, sliderEls } from './js/hum-layers.js';
import { NotifyPage } from './js/notify-forms.js';
import { MinePage } from './js/notify-mine.js';
import { QueuePage } from './js/notify-queue.js';
import { DeconflictPage } from './js/deconflict.js';
import { IsfPages, ISF_ROUTES } from './js/isf.js';
import { OpsPages, OPS_ROUTES } from './js/ops.js';
import { MonPages, MON_ROUTES } from './js/mon.js';
import { DdrPages, DDR_ROUTES, DDR_STREAM_KINDS } from './js/ddr.js';
import { PsfPages, PSF_ROUTES } from './js/psf.js';
import { Reloader } from './js/reload.js';

// The pages, the permission each needs (from GET /api/v1/me), in nav order.
const ROUTES = [
  { id: 'map', key: 'nav.map', perm: 'logged_in' },
  { id: 'journal', key: 'nav.journal', perm: 'journal.read' },
  { id: 'org', key: 'nav.org', perm: 'logged_in' },
  { id: 'notify', key: 'nav.notify', perm: 'notify.write' },
  { id: 'mine', key: 'nav.mine', perm: 'notify.write' },
  { id: 'queue', key: 'nav.queue', perm: 'notify.ack' },
  { id: 'deconflict', key: 'nav.deconflict', perm: 'logged_in' },
  ...ISF_ROUTES,
  ...OPS_ROUTES,
  ...MON_ROUTES,
  ...DDR_ROUTES,
  ...PSF_ROUTES,
];
const DEFAULT_ROUTE = 'map';

const app = {
  me: null,
  mission: null,
  geo: null,
  org: null,
  stream: null,
  route: null,
  clockTimer: null,
};

const ctx = {
  get me() { return app.me; },
  get mission() { return app.mission; },
  geo: () => app.geo,
  // Opens the mission map on a site, no-strike object, movement or unit.
  showOnMap: (id) => {
    app.focusAfterRoute = id;
    if (app.route === 'map') route(false); else location.hash = '#/map';
  },
  sectors: () => ((app.geo && app.geo.features) || []).filter((f) => f.properties && f.properties.layer === 'sector').map((f) => f.properties),
  sectorName: (id) => {
    const f = ((app.geo && app.geo.features) || []).find((x) => x.properties && x.properties.id === id);
    return f ? pick(f.properties, 'name') || id : id;
  },
  orgs: () => (app.org && app.org.organisations) || [],
  orgName: (id) => {
    const o = app.org && app.org.organisations.find((x) => x.id === id);
    return o ? pick(o.name) || id : (id || '');
  },
};

let missionMap, journal, orgChart;
let notifyData, humLayers, notifyPage, minePage, queuePage, deconflictPage;
let isf;
let ops;
let mon;
let ddr;
let psf;

// perm: a permission of GET /api/v1/me, or a function of the user (ISF pages).
function can(perm) { return !!app.me && (perm === 'logged_in' || (typeof perm === 'function' ? perm(app.me) : app.me.permissions.includes(perm))); }

// ---- boot ----

async function boot() {
  await loadCatalogues();
  setLang(initialLang());
  missionMap = new MissionMap($('#map'), { sectors: $('#map-sector-list'), crossings: $('#map-crossing-list') }, { orgName: ctx.orgName });
  journal = new Journal(ctx);
  orgChart = new OrgChart(ctx);
  notifyData = new NotifyData();
  humLayers = new HumLayers(missionMap, notifyData, ctx, {
    side: { sites: $('#map-site-list'), movements: $('#map-movement-list') }, slider: sliderEls(), legend: true,
  });
  notifyPage = new NotifyPage(ctx, notifyData);
  minePage = new MinePage(ctx, notifyData);
  queuePage = new QueuePage(ctx, notifyData);
  deconflictPage = new DeconflictPage(ctx, notifyData);
  isf = new IsfPages(ctx, { layers: humLayers, data: notifyData });
  ops = new OpsPages(ctx, notifyData);
  mon = new MonPages(ctx);
  ddr = new DdrPages(ctx);
  psf = new PsfPages(ctx);
  whenUnauthenticated(() => sessionEnded());
  for (const b of $$('.lang-switch')) b.addEventListener('click', () => setLang(getLang() === 'ar' ? 'en' : 'ar'));
  $('#login-form').addEventListener('submit', (e) => { e.preventDefault(); login(); });
  $('#logout').addEventListener('click', () => logout());
  // The skip link must not change the hash (the hash is the route).
  $('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const target = app.me ? $('#main') : $('#login-view');
    target.focus();
    target.scrollIntoView({ block: 'start' });
  });
  window.addEventListener('hashchange', () => { if (app.me) route(true); });
  onLangChange(() => { renderShell(); renderMission(); });

  try {
    app.mission = await api('GET', '/api/v1/mission');
    setZone(app.mission.timezone);
  } catch { app.mission = null; }
  renderMission();
  try {
    const me = await api('GET', '/api/v1/me', undefined, { quiet401: true });
    await enterApp(me, false);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) console.error(err);
    showLogin();
  }
  document.body.classList.remove('is-loading');
}

function renderMission() {
  const ex = !!(app.mission && app.mission.exercise);
  $('.exercise-banner').hidden = !ex;
  document.body.classList.toggle('is-exercise', ex);
  const name = app.mission ? pick(app.mission.name) : '';
  $('[data-testid="login-mission"]').textContent = name;
  $('[data-testid="mission-name"]').textContent = name;
  for (const e of $$('.legend-exercise')) e.hidden = !ex;
}

// ---- login / logout ----

function showLogin(message) {
  $('#app-view').hidden = true;
  $('#login-view').hidden = false;
  const err = $('#login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('#login-password').value = '';
  document.body.dataset.state = 'login';
  $('#login-username').focus();
}

async function login() {
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  const err = $('#login-error');
  err.hidden = true;
  if (!username || !password) {
    err.textContent = t('login.missing');
    err.hidden = false;
    (username ? $('#login-password') : $('#login-username')).focus();
    return;
  }
  const btn = $('[data-testid="login-submit"]');
  btn.disabled = true;
  try {
    const r = await api('POST', '/api/v1/session', { username, password });
    // The reply also carries the session token for scripts; the browser uses
    // the HttpOnly cookie and keeps only the CSRF token.
    await enterApp(r.user, true);
  } catch (e) {
    err.textContent = e.code === 'bad_login' ? t('login.bad') : e.code === 'throttled' ? t('login.throttled') : errorText(e);
    err.hidden = false;
    $('#login-password').select();
    $('#login-password').focus();
  } finally {
    btn.disabled = false;
  }
}

async function logout() {
  try { await api('DELETE', '/api/v1/session', undefined, { quiet401: true }); } catch { /* ended already */ }
  leaveApp();
  showLogin();
  $('#login-error').hidden = true;
}

// The server refused the session (expired, ended elsewhere, account disabled).
function sessionEnded() {
  if (!app.me) return;
  leaveApp();
  showLogin(t('login.ended'));
}

function leaveApp() {
  if (app.stream) { app.stream.close(); app.stream = null; }
  clearInterval(app.clockTimer);
  app.me = null;
  app.org = null;
  app.route = null;
  setCsrf(null);
  journal.reset();
  orgChart.reset();
  notifyData.reset();
  notifyPage.reset();
  minePage.reset();
  queuePage.reset();
  deconflictPage.reset();
  isf.reset();
  ops.reset();
  mon.reset();
  ddr.reset();
  psf.reset();
  clear($('#nav-list'));
  for (const v of $$('.view')) v.hidden = true;
}

async function enterApp(me, fromLogin) {
  app.me = me;
  setCsrf(me.csrf);
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  document.body.dataset.state = 'app';
  renderShell();
  startStream();
  startClock();
  // Reference data every page uses; the map and the org chart render when it arrives.
  const geo = api('GET', '/api/v1/geo').then((g) => { app.geo = g; }).catch((e) => console.error(e));
  const org = api('GET', '/api/v1/org').then((o) => { app.org = o; orgChart.setData(o); renderShell(); }).catch((e) => console.error(e));
  await Promise.all([geo, org]);
  if (!app.me) return;
  if (fromLogin && !location.hash) history.replaceState(null, '', `#/${DEFAULT_ROUTE}`);
  route(fromLogin);
}

function renderShell() {
  const me = app.me;
  if (!me) return;
  $('[data-testid="user-name"]').textContent = me.name || me.username;
  $('[data-testid="user-org"]').textContent = ctx.orgName(me.org);
  $('[data-testid="user-roles"]').textContent = me.roles.map((r) => tOpt(`role.${r}`, r)).join(', ');
  $('[data-testid="user"]').title = t('shell.user_title', { username: me.username });
  const ul = clear($('#nav-list'));
  for (const r of ROUTES) {
    if (!can(r.perm) || r.navAs) continue; // pages a role may not use are not offered; sub-pages sit under their entry
    ul.append(h('li', null, h('a', {
      href: `#/${r.id}`, 'data-testid': `nav-${r.id}`, 'data-route': r.id,
      'aria-current': navRoute() === r.id ? 'page' : null,
    }, t(r.key))));
  }
  renderLive();
  tickClock();
}

// ---- routing ----

// The navigation entry of the page shown (a sub-page names its entry with navAs).
function navRoute() {
  const r = ROUTES.find((x) => x.id === app.route);
  return r && r.navAs ? r.navAs : app.route;
}

function currentRoute() {
  const m = /^#\/([\w-]+)/.exec(location.hash || '');
  return m ? m[1] : DEFAULT_ROUTE;
}

function route(moveFocus) {
  const id = currentRoute();
  const r = ROUTES.find((x) => x.id === id);
  if (!r) { location.hash = `#/${DEFAULT_ROUTE}`; return; }
  const allowed = can(r.perm);
  app.route = allowed ? id : null;
  for (const v of $$('.view')) v.hidden = v.dataset.view !== (allowed ? id : 'denied');
  for (const a of $$('#nav-list a')) {
    if (a.dataset.route === navRoute()) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${allowed ? t(r.key) : t('denied.title')} — ${t('app.name')}`;
  document.body.dataset.route = allowed ? id : 'denied';
  if (allowed && id === 'map') {
    missionMap.show(app.mission, app.geo);
    humLayers.render();
    const focus = app.focusAfterRoute;
    app.focusAfterRoute = null;
    if (focus) notifyData.load().then(() => humLayers.focus(focus));
  }
  if (allowed && id === 'notify') notifyPage.show();
  if (allowed && id === 'mine') minePage.show();
  if (allowed && id === 'queue') queuePage.show();
  if (allowed && id === 'deconflict') deconflictPage.show();
  isf.route(allowed ? id : null);
  ops.route(allowed ? id : null);
  mon.route(allowed ? id : null);
  if (allowed && id === 'ddr') ddr.show((/^#\/ddr\/([\w-]+)/.exec(location.hash || '') || [])[1]); else ddr.hide();
  psf.route(allowed ? id : null);
  if (allowed && id === 'journal') journal.show();
  if (allowed && id === 'org') orgChart.show();
  if (moveFocus) {
    const heading = $(`[data-view="${allowed ? id : 'denied'}"] h1`);
    if (heading) heading.focus({ preventScroll: true });
  }
}

onLangChange(() => {
  if (!app.me) return;
  const r = ROUTES.find((x) => x.id === app.route);
  document.title = `${r ? t(r.key) : t('denied.title')} — ${t('app.name')}`;
});

// ---- the event stream ----

let liveState = 'off';
function setLive(s) { liveState = s; renderLive(); }
function renderLive() {
  const e = $('#live-status');
  e.dataset.state = liveState;
  e.textContent = liveState === 'on' ? t('live.on') : liveState === 'connecting' ? t('live.connecting') : t('live.off');
}

// The organisation (names, positions) behind every page: nothing typed in it.
const orgReloader = new Reloader(async () => {
  try { app.org = await api('GET', '/api/v1/org'); orgChart.setData(app.org); renderShell(); } catch { /* shown elsewhere */ }
});
const reloadOrgSoon = () => orgReloader.soon();

function startStream() {
  if (app.stream) app.stream.close();
  setLive('connecting');
  const es = new EventSource('/api/v1/stream', { withCredentials: true });
  app.stream = es;
  es.addEventListener('open', () => setLive('on'));
  es.addEventListener('error', async () => {
    if (app.stream !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The server refused the stream: find out whether the session ended.
      setLive('off');
      try { await api('GET', '/api/v1/me'); setTimeout(() => { if (app.stream === es && app.me) startStream(); }, 3000); } catch { /* 401 handled */ }
    } else {
      setLive('connecting');
    }
  });
  es.addEventListener('journal.added', (m) => {
    try { journal.addLive(entryFromEvent(JSON.parse(m.data))); } catch (e) { console.error('journal event', e); }
  });
  for (const kind of ['org.added', 'position.added', 'position.assigned', 'position.lines_set', 'person.added']) {
    es.addEventListener(kind, reloadOrgSoon);
  }
  // Humanitarian notifications: the shared lists, and the page that shows them.
  isf.listen(es);
  ops.listen(es);
  mon.listen(es);
  for (const kind of DDR_STREAM_KINDS) es.addEventListener(kind, () => ddr.reloadSoon());
  psf.listen(es);
  for (const kind of STREAM_KINDS) {
    es.addEventListener(kind, () => {
      notifyData.reloadSoon();
      if (app.route === 'mine') minePage.reloadSoon();
      if (app.route === 'queue') queuePage.reloadSoon();
    });
  }
  es.addEventListener('geo.feature_added', async () => {
    try { app.geo = await api('GET', '/api/v1/geo'); if (app.route === 'map') missionMap.show(app.mission, app.geo); } catch { /* next time */ }
  });
}

// ---- clock: mission local time, UTC on hover ----

function tickClock() {
  const c = $('[data-testid="clock"]');
  const now = new Date();
  c.textContent = t('shell.clock', { time: fmtClock(now), offset: zoneLabel(now.getTime()) });
  c.title = t('time.utc_title', { time: `${now.toISOString().slice(0, 16).replace('T', ' ')}Z` });
}
function startClock() {
  clearInterval(app.clockTimer);
  tickClock();
  app.clockTimer = setInterval(tickClock, 20000);
}

// ---- hooks for the browser tests and later issues ----
window.truce = {
  app, ctx, get map() { return missionMap; }, get journal() { return journal; }, get org() { return orgChart; },
  get notifyData() { return notifyData; }, get layers() { return humLayers; }, get notify() { return notifyPage; },
  get mine() { return minePage; }, get queue() { return queuePage; }, get deconflict() { return deconflictPage; },
  get isf() { return isf; }, get ops() { return ops; }, get mon() { return mon; },
  get psf() { return psf; },
};

boot().catch((e) => {
  console.error(e);
  document.body.classList.remove('is-loading');
  document.body.append(h('p', { class: 'fatal', role: 'alert' }, String(e && e.message || e)));
});

// notify-forms.js — the Notify page: a map of the mission area to point at,
// and two forms. A site (POST /api/v1/sites): a click on the map (or typed
// coordinates) sets its point; a site within the duplicate radius of one the
// organisation already notified answers 409 possible_duplicate, and the form
// asks whether it is a different site before sending again with
// not_duplicate_of. A movement (POST /api/v1/movements): clicks on the map
// add the route's waypoints in order (drag to move, or type them), with a
// planned time per waypoint or a departure time and a speed.
import { api, ApiError } from './api.js';
import { t, isRtl, onLangChange } from './i18n.js';
import { h, $, $$, clear } from './dom.js';
import { zonedToUtc, utcToZoned, getZone, zoneLabel, timeEl } from './time.js';
import { MissionMap } from './map.js';
import { HumLayers, kindLabel, nameOf, siteCategoryLabel, nostrikeCategoryLabel } from './hum-layers.js';
import { SITE_CATEGORIES, NOSTRIKE_CATEGORIES, timesFromSpeed } from './notify-data.js';
import { FormErrors } from './forms.js';
import { conflictName } from './deconflict.js';
import { replyReceipt } from './receipt-ui.js';
import { siteIconHtml, nostrikeIconHtml, waypointIconHtml } from './icons.js';

/* global L */

const SITE_FIELDS = {
  category: 's-category', geometry: 's-lat', 'geometry.coordinates': 's-lat', name: 's-name-en', 'name.en': 's-name-en',
  'name.ar': 's-name-ar', staff_count: 's-staff', valid_from: 's-from', valid_until: 's-until', contact: 's-contact-name',
  'contact.name': 's-contact-name', 'contact.phone': 's-contact-phone', 'contact.email': 's-contact-email', note: 's-note',
  not_duplicate_of: 's-lat',
};
const MOVEMENT_FIELDS = {
  purpose: 'm-purpose', route: 'm-route', 'route.coordinates': 'm-route', times: 'm-times', departure: 'm-departure',
  speed_kmh: 'm-speed', window_from: 'm-window-from', window_until: 'm-window-until', vehicles: 'm-veh-count',
  'vehicles.count': 'm-veh-count', 'vehicles.plates': 'm-veh-plates', 'vehicles.markings': 'm-veh-markings',
  staff_count: 'm-staff', staff_names: 'm-staff-names', contact: 'm-contact-name', 'contact.name': 'm-contact-name',
  'contact.phone': 'm-contact-phone', cargo: 'm-cargo', escort_requested: 'm-escort', note: 'm-note',
};

// The tabs: a site, an object of the no-strike list (nostrike.write), a movement.
const MODES = ['site', 'nostrike', 'movement'];

const num = (s) => {
  const v = String(s || '').trim().replace(',', '.');
  return v === '' ? null : (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
};
const round6 = (x) => Math.round(x * 1e6) / 1e6;
const minuteNow = () => Math.floor(Date.now() / 60000) * 60000;

// A coordinate pair typed by the user: [lon, lat], null when both are empty,
// NaN-marked when either is not a number.
function readPoint(latEl, lonEl) {
  const lat = num(latEl.value), lon = num(lonEl.value);
  if (lat === null && lon === null) return null;
  if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return 'bad';
  return [lon, lat];
}

export class NotifyPage {
  constructor(ctx, data) {
    this.ctx = ctx;       // {me, mission, geo(), orgName(id)}
    this.data = data;     // NotifyData
    this.mm = null;
    this.layers = null;
    this.mode = 'site';
    this.sitePoint = null;      // [lon, lat]
    this.siteMarker = null;
    this.waypoints = [];        // [{lon, lat, time: 'YYYY-MM-DDTHH:MM' local}]
    this.routeLayer = null;
    this.windowTouched = false;
    this.pendingDup = null;     // body waiting for the duplicate confirmation
    this.siteErrors = new FormErrors(SITE_FIELDS, 's-form-error');
    this.movErrors = new FormErrors(MOVEMENT_FIELDS, 'm-form-error');

    for (const m of MODES) $(`#tab-${m}`).addEventListener('click', () => this.setMode(m, true));
    // Arrow keys move between the tabs (mirrored in right-to-left), Home and End to the ends.
    for (const tab of $$('#view-notify [role="tab"]')) {
      tab.addEventListener('keydown', (e) => {
        if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
        e.preventDefault();
        const modes = MODES.filter((m) => !$(`#tab-${m}`).hidden);
        const i = modes.indexOf(this.mode);
        const fwd = (e.key === 'ArrowRight') !== isRtl();
        const next = e.key === 'Home' ? 0 : e.key === 'End' ? modes.length - 1 : (i + (fwd ? 1 : -1) + modes.length) % modes.length;
        this.setMode(modes[next], true);
      });
    }
    $('#site-form').addEventListener('submit', (e) => { e.preventDefault(); this.submitSite(); });
    $('#movement-form').addEventListener('submit', (e) => { e.preventDefault(); this.submitMovement(); });
    for (const id of ['s-lat', 's-lon']) $(`#${id}`).addEventListener('input', () => this.siteFromInputs());
    $('#s-reset').addEventListener('click', () => this.resetSite());
    $('#m-reset').addEventListener('click', () => this.resetMovement());
    $('#s-dup-confirm').addEventListener('click', () => this.confirmDuplicate());
    $('#s-dup-cancel').addEventListener('click', () => this.cancelDuplicate());
    $('#m-add-wp').addEventListener('click', () => { this.addWaypoint(null, true); });
    $('#m-clear-route').addEventListener('click', () => { this.waypoints = []; this.renderRoute(); });
    for (const r of $$('input[name="m-timing"]')) r.addEventListener('change', () => this.renderTiming());
    for (const id of ['m-departure', 'm-speed']) $(`#${id}`).addEventListener('input', () => { this.renderRoute(false); this.autoWindow(); });
    for (const id of ['m-window-from', 'm-window-until']) $(`#${id}`).addEventListener('input', () => { this.windowTouched = true; });
    $('#s-category').addEventListener('change', () => this.drawDraft());
    onLangChange(() => { this.setMode(this.mode); this.renderHints(); this.renderRoute(false); });
    this.renderCategories();
  }

  reset() {
    this.resetSite();
    this.resetMovement();
    this.setMode('site');
  }

  show() {
    if (!this.mm) {
      this.mm = new MissionMap($('#notify-map'), null, { orgName: this.ctx.orgName, interactive: false, prefix: 'notify-', legend: false });
      this.mm.show(this.ctx.mission, this.ctx.geo());
      this.layers = new HumLayers(this.mm, this.data, this.ctx, { kinds: ['sites', 'movements'], prefix: 'notify-', interactive: false });
      this.mm.map.on('click', (e) => this.mapClick(e.latlng));
      this.mm.el.classList.add('is-drawing');
      this.layers.render();
    } else {
      this.mm.show(this.ctx.mission, this.ctx.geo());
    }
    this.data.load();
    this.renderTabs();
    this.renderHints();
    this.defaultSiteTimes();
    this.renderTiming();
    this.setMode(this.mode);
  }

  setMode(mode, focus = false) {
    const place = mode !== 'movement';
    const changedKind = place && this.mode !== 'movement' && mode !== this.mode;
    this.mode = mode;
    for (const m of MODES) {
      const tab = $(`#tab-${m}`);
      tab.setAttribute('aria-selected', String(m === mode));
      tab.tabIndex = m === mode ? 0 : -1;
    }
    // One form for sites and no-strike objects; it says which it is.
    const form = $('#site-form');
    form.hidden = !place;
    form.setAttribute('aria-labelledby', `tab-${place ? mode : 'site'}`);
    form.dataset.kind = place ? mode : 'site';
    $('#movement-form').hidden = place;
    if (place) {
      this.renderCategories();
      if (changedKind) { this.siteErrors.clearAll(); this.hideDup(); $('#s-result').hidden = true; $('#s-status').textContent = ''; }
      $('#s-intro').textContent = mode === 'nostrike' ? t('nostrike.form.intro') : t('site.form.intro');
      form.querySelector('button[type="submit"]').textContent = mode === 'nostrike' ? t('nostrike.form.submit') : t('site.form.submit');
    }
    this.mm && this.mm.el.setAttribute('data-mode', mode);
    if (focus) $(`#tab-${mode}`).focus();
    this.drawDraft();
  }

  // Which tabs this account has (called when the page is shown).
  renderTabs() {
    const me = this.ctx.me;
    const nsl = !!me && me.permissions.includes('nostrike.write');
    $('#tab-nostrike').hidden = !nsl;
    if (!nsl && this.mode === 'nostrike') this.setMode('site');
  }

  placeKind() { return this.mode === 'nostrike' ? 'nostrike' : 'site'; }

  renderCategories() {
    const sel = $('#s-category');
    const keep = sel.value;
    clear(sel);
    sel.append(h('option', { value: '' }, t('site.form.choose_category')));
    const nsl = this.mode === 'nostrike';
    for (const c of nsl ? NOSTRIKE_CATEGORIES : SITE_CATEGORIES) sel.append(h('option', { value: c }, nsl ? nostrikeCategoryLabel(c) : siteCategoryLabel(c)));
    sel.value = keep;
    if (sel.value !== keep) sel.value = '';
  }

  renderHints() {
    const hint = t('form.time_hint', { zone: getZone(), offset: zoneLabel() });
    for (const id of ['s-time-hint', 'm-time-hint']) $(`#${id}`).textContent = hint;
  }

  defaultSiteTimes() {
    if (!$('#s-from').value) $('#s-from').value = utcToZoned(minuteNow());
    if (!$('#s-until').value) $('#s-until').value = utcToZoned(minuteNow() + 180 * 86400e3);
  }

  mapClick(latlng) {
    const p = [round6(latlng.lng), round6(latlng.lat)];
    if (this.mode !== 'movement') {
      this.sitePoint = p;
      $('#s-lat').value = String(p[1]);
      $('#s-lon').value = String(p[0]);
      this.siteErrors.clear('s-lat');
      this.drawDraft();
    } else {
      this.addWaypoint(p, false);
    }
  }

  siteFromInputs() {
    const p = readPoint($('#s-lat'), $('#s-lon'));
    this.sitePoint = Array.isArray(p) ? p : null;
    this.drawDraft(false);
  }

  // The draft on the map: the site's marker, or the route being drawn.
  drawDraft(pan = false) {
    if (!this.mm || !this.mm.map) return;
    const map = this.mm.map;
    if (this.siteMarker) { map.removeLayer(this.siteMarker); this.siteMarker = null; }
    if (this.routeLayer) { map.removeLayer(this.routeLayer); this.routeLayer = null; }
    if (this.mode !== 'movement' && this.sitePoint) {
      const cat = $('#s-category').value || 'other';
      const nsl = this.mode === 'nostrike';
      this.siteMarker = L.marker([this.sitePoint[1], this.sitePoint[0]], {
        icon: L.divIcon({ className: `${nsl ? 'nostrike' : 'site'}-marker draft-marker`, html: nsl ? nostrikeIconHtml(cat) : siteIconHtml(cat), iconSize: nsl ? [30, 30] : [28, 28], iconAnchor: nsl ? [15, 15] : [14, 14] }),
        draggable: true, keyboard: false, zIndexOffset: 1000,
      }).addTo(map);
      this.siteMarker.on('add', () => { const e = this.siteMarker.getElement(); if (e) e.setAttribute('data-testid', 'draft-site'); });
      const e = this.siteMarker.getElement();
      if (e) e.setAttribute('data-testid', 'draft-site');
      this.siteMarker.on('dragend', () => {
        const ll = this.siteMarker.getLatLng();
        this.sitePoint = [round6(ll.lng), round6(ll.lat)];
        $('#s-lat').value = String(this.sitePoint[1]);
        $('#s-lon').value = String(this.sitePoint[0]);
      });
      if (pan) map.panTo([this.sitePoint[1], this.sitePoint[0]]);
    }
    if (this.mode === 'movement' && this.waypoints.length) {
      const g = L.layerGroup();
      const pts = this.waypoints.filter((w) => Number.isFinite(w.lat) && Number.isFinite(w.lon));
      if (pts.length > 1) L.polyline(pts.map((w) => [w.lat, w.lon]), { className: 'draft-route', color: '#16325c', weight: 4, dashArray: '6 5', interactive: false }).addTo(g);
      this.waypoints.forEach((w, i) => {
        if (!Number.isFinite(w.lat) || !Number.isFinite(w.lon)) return;
        const m = L.marker([w.lat, w.lon], {
          icon: L.divIcon({ className: 'waypoint-marker', html: waypointIconHtml(i + 1), iconSize: [22, 22], iconAnchor: [11, 11] }),
          draggable: true, keyboard: false, zIndexOffset: 1000,
        });
        m.on('add', () => { const e = m.getElement(); if (e) { e.setAttribute('data-testid', `draft-wp-${i + 1}`); } });
        m.on('dragend', () => {
          const ll = m.getLatLng();
          w.lat = round6(ll.lat); w.lon = round6(ll.lng);
          this.renderRoute();
        });
        m.addTo(g);
      });
      this.routeLayer = g.addTo(map);
    }
  }

  // ---- site ----

  siteBody() {
    const body = {};
    const cat = $('#s-category').value;
    if (cat) body.category = cat;
    const p = readPoint($('#s-lat'), $('#s-lon'));
    if (p === 'bad') return { bad: ['s-lat', 'form.bad_coordinates'] };
    if (p) body.geometry = { type: 'Point', coordinates: p };
    const en = $('#s-name-en').value.trim(), ar = $('#s-name-ar').value.trim();
    if (en || ar) { body.name = {}; if (en) body.name.en = en; if (ar) body.name.ar = ar; }
    const staff = $('#s-staff').value.trim();
    if (staff !== '') body.staff_count = Number(staff);
    const from = $('#s-from').value, until = $('#s-until').value;
    if (from) body.valid_from = zonedToUtc(from) || from;
    if (until) body.valid_until = zonedToUtc(until) || until;
    const cn = $('#s-contact-name').value.trim(), cp = $('#s-contact-phone').value.trim(), ce = $('#s-contact-email').value.trim();
    if (cn || cp || ce) { body.contact = {}; if (cn) body.contact.name = cn; if (cp) body.contact.phone = cp; if (ce) body.contact.email = ce; }
    const note = $('#s-note').value.trim();
    if (note) body.note = note;
    return { body };
  }

  async submitSite(extra = null) {
    const form = $('#site-form');
    const btn = form.querySelector('button[type="submit"]');
    const status = $('#s-status');
    this.siteErrors.clearAll();
    if (!extra) this.hideDup();
    $('#s-result').hidden = true;
    const { body, bad } = this.siteBody();
    if (bad) { this.siteErrors.showLocal(bad[0], bad[1]); $(`#${bad[0]}`).focus(); return; }
    if (extra) Object.assign(body, extra);
    status.textContent = t('form.sending');
    btn.disabled = true;
    try {
      const nsl = this.placeKind() === 'nostrike';
      const r = await api('POST', nsl ? '/api/v1/nostrike' : '/api/v1/sites', body);
      status.textContent = t('site.form.saved', { id: r.id });
      this.showResult('s-result', r, { mine: !nsl });
      this.data.load();
      this.resetSite(true);
    } catch (err) {
      status.textContent = '';
      if (err instanceof ApiError && err.code === 'possible_duplicate') {
        this.showDup(body, err);
      } else {
        this.siteErrors.report(err);
      }
    } finally {
      btn.disabled = false;
    }
  }

  showDup(body, err) {
    const ids = (err.details && Array.isArray(err.details.duplicates)) ? err.details.duplicates : [];
    this.pendingDup = { body, ids };
    const box = $('#s-dup');
    $('#s-dup-text').textContent = t('site.dup.text', { n: ids.length, radius: (this.ctx.mission && this.ctx.mission.settings && this.ctx.mission.settings.duplicate_radius_m) || 25 });
    const ul = clear($('#s-dup-list'));
    for (const id of ids) {
      const s = this.data.find('site', id);
      ul.append(h('li', { 'data-id': id }, h('strong', null, id), s ? h('span', { dir: 'auto' }, ` ${nameOf(s)} · ${siteCategoryLabel(s.category)}`) : null));
    }
    if (err.serverMessage) ul.append(h('li', { class: 'hint', lang: 'en', dir: 'ltr' }, err.serverMessage));
    box.hidden = false;
    $('#s-dup-confirm').focus();
  }

  hideDup() {
    this.pendingDup = null;
    $('#s-dup').hidden = true;
  }

  confirmDuplicate() {
    const p = this.pendingDup;
    if (!p) return;
    $('#s-dup').hidden = true;
    this.submitSite({ not_duplicate_of: p.ids });
  }

  cancelDuplicate() {
    this.hideDup();
    $('#s-status').textContent = t('site.dup.cancelled');
    $('#s-lat').focus();
  }

  resetSite(keepResult = false) {
    $('#site-form').reset();
    this.siteErrors.clearAll();
    this.hideDup();
    this.sitePoint = null;
    if (!keepResult) { $('#s-result').hidden = true; $('#s-status').textContent = ''; }
    this.defaultSiteTimes();
    this.drawDraft();
  }

  // The reply: the new id, the receipt checked here, the conflicts found.
  showResult(boxId, r, { mine = true } = {}) {
    const box = clear($(`#${boxId}`));
    const conflicts = r.conflicts || [];
    box.append(
      h('p', { class: 'result-title' }, h('strong', { 'data-testid': 'result-id' }, r.id), ' ', t('form.notified_as')),
      replyReceipt(r.id, r.receipt),
      h('p', { 'data-testid': 'result-conflicts' }, conflicts.length ? t('form.conflicts_found', { n: conflicts.length }) : t('form.no_conflicts')),
      conflicts.length ? h('ul', { class: 'conflict-mini' }, conflicts.slice(0, 20).map((c) => h('li', null,
        `${kindLabel(c.kind)} ${c.id}`, conflictName(c) ? h('span', { dir: 'auto' }, ` · ${conflictName(c)}`) : null,
        ` · ${t('unit.m', { n: Math.round(c.distance_m || 0) })}`))) : null,
      mine ? h('p', null, h('a', { href: '#/mine', 'data-testid': 'result-mine' }, t('form.see_mine'))) : null);
    box.hidden = false;
  }

  // ---- movement ----

  timing() { return $('#m-timing-speed').checked ? 'speed' : 'times'; }

  renderTiming() {
    $('#m-speed-fields').hidden = this.timing() !== 'speed';
    this.renderRoute(true);
    this.autoWindow();
  }

  addWaypoint(p, focus) {
    const prev = this.waypoints[this.waypoints.length - 1];
    let time = '';
    if (prev && prev.time) {
      const ms = Date.parse(zonedToUtc(prev.time) || '');
      if (Number.isFinite(ms)) time = utcToZoned(ms + 30 * 60000);
    }
    this.waypoints.push({ lon: p ? p[0] : NaN, lat: p ? p[1] : NaN, time });
    this.movErrors.clear('m-route');
    this.renderRoute();
    this.autoWindow();
    if (focus) {
      const rows = $$('#m-waypoints li');
      const last = rows[rows.length - 1];
      if (last) last.querySelector('input').focus();
    }
  }

  // Planned times (ms) per waypoint, or null where unknown.
  plannedTimes() {
    if (this.timing() === 'speed') {
      const dep = Date.parse(zonedToUtc($('#m-departure').value) || '');
      const v = Number($('#m-speed').value);
      const pts = this.waypoints.map((w) => [w.lon, w.lat]);
      if (!Number.isFinite(dep) || !(v > 0) || pts.some((c) => !Number.isFinite(c[0]) || !Number.isFinite(c[1]))) return this.waypoints.map(() => null);
      return timesFromSpeed(pts, dep, v);
    }
    return this.waypoints.map((w) => { const ms = Date.parse(zonedToUtc(w.time) || ''); return Number.isFinite(ms) ? ms : null; });
  }

  // The waypoint list; rebuild = false only refreshes the computed times.
  renderRoute(rebuild = true) {
    const ol = $('#m-waypoints');
    const speed = this.timing() === 'speed';
    const planned = this.plannedTimes();
    if (rebuild) {
      clear(ol);
      this.waypoints.forEach((w, i) => {
        const n = i + 1;
        const lat = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', class: 'wp-lat', value: Number.isFinite(w.lat) ? String(w.lat) : '', 'aria-label': t('movement.form.wp_lat', { n }), 'data-testid': `wp-lat-${n}` });
        const lon = h('input', { type: 'text', inputmode: 'decimal', dir: 'ltr', class: 'wp-lon', value: Number.isFinite(w.lon) ? String(w.lon) : '', 'aria-label': t('movement.form.wp_lon', { n }), 'data-testid': `wp-lon-${n}` });
        const time = h('input', { type: 'datetime-local', step: '60', class: 'wp-time', value: w.time || '', 'aria-label': t('movement.form.wp_time', { n }), 'data-testid': `wp-time-${n}` });
        const upd = () => {
          const la = num(lat.value), lo = num(lon.value);
          w.lat = la === null ? NaN : la; w.lon = lo === null ? NaN : lo;
          this.drawDraft();
          this.renderRoute(false);
        };
        lat.addEventListener('input', upd);
        lon.addEventListener('input', upd);
        time.addEventListener('input', () => { w.time = time.value; this.movErrors.clear('m-times'); this.renderRoute(false); this.autoWindow(); });
        const remove = h('button', {
          type: 'button', class: 'btn btn-small btn-icon', 'aria-label': t('movement.form.wp_remove', { n }), title: t('movement.form.wp_remove', { n }), 'data-testid': `wp-remove-${n}`,
          onclick: () => { this.waypoints.splice(i, 1); this.renderRoute(); const b = $$('#m-waypoints li input')[0]; if (b) b.focus(); else $('#m-add-wp').focus(); },
        }, '×');
        ol.append(h('li', { class: 'waypoint', 'data-testid': `wp-${n}` },
          h('span', { class: 'wp-badge', 'aria-hidden': 'true' }, String(n)),
          h('span', { class: 'wp-fields' }, lat, lon, speed ? h('output', { class: 'wp-computed', 'data-testid': `wp-computed-${n}` }) : time),
          remove));
      });
    }
    // Computed times in "departure + speed" mode.
    $$('#m-waypoints li').forEach((li, i) => {
      const out = li.querySelector('.wp-computed');
      if (out) { clear(out); if (planned[i] !== null && planned[i] !== undefined) out.append(timeEl(new Date(planned[i]).toISOString())); else out.textContent = '—'; }
    });
    const okPts = this.waypoints.filter((w) => Number.isFinite(w.lat) && Number.isFinite(w.lon)).length;
    $('#m-route').textContent = t('movement.form.route_summary', { n: okPts });
    this.drawDraft();
  }

  // The window follows the planned times until the user sets it.
  autoWindow() {
    if (this.windowTouched) return;
    const times = this.plannedTimes().filter((x) => x !== null);
    if (!times.length) return;
    const lo = Math.min(...times), hi = Math.max(...times);
    $('#m-window-from').value = utcToZoned(lo - 30 * 60000);
    $('#m-window-until').value = utcToZoned(hi + 60 * 60000);
  }

  movementBody() {
    const body = {};
    const purpose = $('#m-purpose').value.trim();
    if (purpose) body.purpose = purpose;
    if (this.waypoints.length) {
      const bad = this.waypoints.findIndex((w) => !Number.isFinite(w.lat) || !Number.isFinite(w.lon) || Math.abs(w.lat) > 90 || Math.abs(w.lon) > 180);
      if (bad >= 0) return { bad: ['m-route', 'movement.form.bad_waypoint', { n: bad + 1 }] };
      body.route = { type: 'LineString', coordinates: this.waypoints.map((w) => [w.lon, w.lat]) };
    }
    if (this.timing() === 'speed') {
      const dep = $('#m-departure').value;
      if (dep) body.departure = zonedToUtc(dep) || dep;
      const v = $('#m-speed').value.trim();
      if (v !== '') body.speed_kmh = Number(v);
    } else if (this.waypoints.length) {
      const missing = this.waypoints.findIndex((w) => !w.time);
      if (missing >= 0) return { bad: ['m-times', 'movement.form.missing_time', { n: missing + 1 }] };
      body.times = this.waypoints.map((w) => zonedToUtc(w.time) || w.time);
    }
    const wf = $('#m-window-from').value, wu = $('#m-window-until').value;
    if (wf) body.window_from = zonedToUtc(wf) || wf;
    if (wu) body.window_until = zonedToUtc(wu) || wu;
    const count = $('#m-veh-count').value.trim(), plates = $('#m-veh-plates').value.trim(), markings = $('#m-veh-markings').value.trim();
    if (count !== '' || plates || markings) {
      body.vehicles = {};
      if (count !== '') body.vehicles.count = Number(count);
      if (plates) body.vehicles.plates = plates.split(/[,\u060C;\n]+/).map((s) => s.trim()).filter(Boolean);
      if (markings) body.vehicles.markings = markings;
    }
    const staff = $('#m-staff').value.trim();
    if (staff !== '') body.staff_count = Number(staff);
    const names = $('#m-staff-names').value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (names.length) body.staff_names = names;
    const cn = $('#m-contact-name').value.trim(), cp = $('#m-contact-phone').value.trim();
    if (cn || cp) { body.contact = {}; if (cn) body.contact.name = cn; if (cp) body.contact.phone = cp; }
    const cargo = $('#m-cargo').value.trim();
    if (cargo) body.cargo = cargo;
    body.escort_requested = $('#m-escort').checked;
    const note = $('#m-note').value.trim();
    if (note) body.note = note;
    return { body };
  }

  async submitMovement() {
    const form = $('#movement-form');
    const btn = form.querySelector('button[type="submit"]');
    const status = $('#m-status');
    this.movErrors.clearAll();
    $('#m-result').hidden = true;
    const { body, bad } = this.movementBody();
    if (bad) { this.movErrors.showLocal(bad[0], bad[1], bad[2]); $(`#${bad[0]}`).focus(); return; }
    status.textContent = t('form.sending');
    btn.disabled = true;
    try {
      const r = await api('POST', '/api/v1/movements', body);
      status.textContent = t('movement.form.saved', { id: r.id });
      this.showResult('m-result', r);
      this.data.load();
      this.resetMovement(true);
    } catch (err) {
      status.textContent = '';
      this.movErrors.report(err);
    } finally {
      btn.disabled = false;
    }
  }

  resetMovement(keepResult = false) {
    $('#movement-form').reset();
    this.movErrors.clearAll();
    this.waypoints = [];
    this.windowTouched = false;
    if (!keepResult) { $('#m-result').hidden = true; $('#m-status').textContent = ''; }
    $('#m-speed-fields').hidden = true;
    this.renderRoute();
  }
}

// Cease-fire monitoring in the browser (issue 7). A new ISF user reports an
// incident through the form as they would (the type picked from the
// taxonomy, the place clicked on the map, a graded source); the CMCC finds
// it on the dashboard's map layer, reviews and confirms it with an
// attribution, and finds it in that day's SITREP. The dashboard's charts
// and their tables carry the server's figures; the SITREP prints to a PDF
// whose text holds its sections and the incident (headless Chromium,
// pdftotext); a humanitarian account sees confirmed incidents only and never
// a source's name; the form works in Arabic, right to left; the server's
// error on bad input shows next to the field it names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launch, startTestServer, stopTestServer, openPage, loginUI, shot, EN, AR, OUT, assertNoErrors, assertNoForeignRequests,
} from './browser.mjs';
import { clearOfGazaMidnight, clearOfGazaShift } from '../lib/monitoring.mjs';

let server, browser, watch, aze, wfp;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  watch = (await server.login('cmcc.watch')).token;
  aze = (await server.login('isf.aze')).token;
  wfp = (await server.login('wfp.focal')).token;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const MIN = 60e3, H = 60 * MIN, D = 24 * H;
const KHAN_YOUNIS = [34.306, 31.346];
const DEIR = [34.35, 31.418];
const TEL_AVIV = [34.78, 32.08];
// A day (YYYY-MM-DD) and a wall-clock time ("YYYY-MM-DDTHH:MM", what a
// datetime-local field holds) in the mission's time zone.
const gazaDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza' }).format(new Date(ms));
function gazaLocal(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Gaza', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
function metres(a, b) {
  const r = (d) => (d * Math.PI) / 180;
  const s = Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(s));
}
// An instant safely inside today's mission day (so the incident's day is
// today's), and typed into the form as a local time it reads back as itself:
// not in the hour Gaza's autumn change repeats (earlier, still today: the
// change is at 02:00 local).
function earlierToday(minutes) {
  const now = Date.now();
  let t = now - minutes * MIN;
  if (gazaDay(t) !== gazaDay(now)) t = now - 2 * MIN;
  while (!clearOfGazaShift(t)) t -= 15 * MIN;
  return t;
}

async function open(username, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  return page;
}
// The monitoring pages through the navigation, as a user reaches them: the
// "Monitoring" entry opens the dashboard, its tabs the other pages.
async function nav(page, route) {
  await page.getByTestId('nav-dashboard').click();
  await page.waitForFunction(() => document.body.dataset.route === 'dashboard');
  if (route !== 'dashboard') {
    await page.getByTestId(`subnav-${route}`).click();
    await page.waitForFunction((r) => document.body.dataset.route === r, route);
  }
  assert.equal(await page.getByTestId('nav-dashboard').getAttribute('aria-current'), 'page', 'the Monitoring entry is the current one');
  assert.equal(await page.getByTestId(`subnav-${route}`).getAttribute('aria-current'), 'page');
}
async function clickMap(page, which, lonlat) {
  const xy = await page.evaluate(([w, p]) => {
    const m = w === 'form' ? window.truce.mon.incidents.mm.map : window.truce.mon.dashboard.mm.map;
    m.getContainer().scrollIntoView({ block: 'center' });
    const pt = m.latLngToContainerPoint([p[1], p[0]]);
    const r = m.getContainer().getBoundingClientRect();
    return [r.left + m.getContainer().clientLeft + pt.x, r.top + m.getContainer().clientTop + pt.y];
  }, [which, lonlat]);
  await page.mouse.click(xy[0], xy[1]);
}
// GET /api/v1/incidents/{id} answers {incident: {...}}.
async function getIncident(token, id) {
  const r = await server.api('GET', `/api/v1/incidents/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.body.incident || r.body;
}
async function report(token, body) {
  const r = await server.api('POST', '/api/v1/incidents', { token, body });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
async function act(token, id, action, body = {}) {
  const r = await server.api('POST', `/api/v1/incidents/${id}/${action}`, { token, body });
  assert.ok(r.status >= 200 && r.status < 300, `${action} ${id}: ${r.status} ${r.text}`);
  return r.body;
}
const incidentBody = (over = {}) => ({
  type: 'strike', title: `Strike ${Math.random().toString(36).slice(2, 8)}`, occurred_at: new Date(earlierToday(45)).toISOString().replace(/\.\d+Z$/, 'Z'),
  time_precision: 'minute', location: { type: 'Point', coordinates: DEIR }, location_precision: 'exact',
  parties: [{ party: 'IDF', role: 'perpetrator' }], casualties: { killed: { civilian: 1 }, injured: { civilian: 2 } },
  sources: [{ kind: 'local_contact', name: 'Informant Umm Khaled', reference: 'call 0612', reliability: 'C', credibility: '3' }],
  ...over,
});
const visibleTexts = (page) => page.evaluate(() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.textContent.trim();
    const e = n.parentElement;
    if (!s || !e || e.closest('[hidden], script, style, noscript')) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden' || !e.getClientRects().length) continue;
    out.push(s);
  }
  return out;
});

test('a new ISF user reports an incident through the form; the CMCC finds it on the map, confirms it, and reads it in the SITREP', async () => {
  // ---- the Azerbaijani contingent reports what its patrol saw ----
  const page = await open('isf.aze');
  await nav(page, 'incidents');
  await page.waitForSelector('#view-incidents[data-ready="1"]');
  await page.getByTestId('inc-new').click();
  await page.waitForFunction(() => location.hash === '#/incidents/new');
  await page.waitForSelector('#if-map[data-ready="1"]');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#inc-form input, #inc-form select, #inc-form textarea')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, [], 'every field of the incident form has a label');
  // The types come from the taxonomy in two groups, the mission's and ACLED's.
  const groups = await page.locator('#if-type optgroup').evaluateAll((gs) => gs.map((g) => [g.dataset.group, [...g.querySelectorAll('option')].map((o) => o.value)]));
  const byGroup = Object.fromEntries(groups);
  assert.ok(byGroup.mission.includes('attack_on_forces') && byGroup.mission.includes('line_crossing'), 'mission types');
  assert.ok(byGroup.acled.includes('armed_clash') && !byGroup.acled.includes('attack_on_forces'), 'ACLED types');
  await page.getByTestId('if-type').selectOption('attack_on_forces');
  assert.match(await page.getByTestId('if-type-desc').textContent(), new RegExp(EN['inc.form.is_violation']));
  const title = `Shots at the AZE checkpoint ${Date.now().toString(36)}`;
  await page.getByTestId('if-title').fill(title);
  await page.getByTestId('if-description').fill('Two bursts of small-arms fire at the checkpoint from a building to the east.');
  const occurred = earlierToday(30);
  await page.getByTestId('if-occurred').fill(gazaLocal(occurred));
  await page.getByTestId('if-time-precision').selectOption('minute');
  // Where: clicked on the map.
  await clickMap(page, 'form', KHAN_YOUNIS);
  const typed = [Number(await page.getByTestId('if-lon').inputValue()), Number(await page.getByTestId('if-lat').inputValue())];
  assert.ok(metres(typed, KHAN_YOUNIS) < 150, `the click set the point near Khan Younis (${typed})`);
  assert.equal(await page.locator('#if-map path.if-draft').count(), 1, 'the point is drawn');
  await page.getByTestId('if-location-precision').selectOption('exact');
  // Who: the perpetrator, and the contingent as the target.
  await page.getByTestId('if-party').first().selectOption('GRP-CLANS');
  await page.getByTestId('if-party-role').first().selectOption('perpetrator');
  await page.getByTestId('if-party-add').click();
  await page.getByTestId('if-party').nth(1).selectOption('ISF-AZE');
  await page.getByTestId('if-party-role').nth(1).selectOption('target');
  await page.getByTestId('if-cas-injured-isf').fill('1');
  // How we know: the patrol, graded.
  await page.getByTestId('if-source-kind').first().selectOption('isf_patrol');
  await page.getByTestId('if-source-name').first().fill('Patrol AZE-2');
  await page.getByTestId('if-source-reference').first().fill('log 114');
  await page.getByTestId('if-source-reliability').first().selectOption('B');
  await page.getByTestId('if-source-credibility').first().selectOption('2');
  await shot(page, 'monitoring-report-form');
  await page.getByTestId('if-submit').click();
  await page.waitForSelector('#inc-view[data-ready="1"][data-id^="INC-"] [data-testid="iv-result"]');
  const id = await page.getByTestId('iv-id').textContent();
  assert.equal(await page.getByTestId('iv-title').textContent(), title);
  assert.equal(await page.getByTestId('iv-status').textContent(), EN['inc.status.reported']);
  assert.ok(await page.getByTestId(`inc-row-${id}`).isVisible(), 'the new incident is in the list');
  // What the server recorded is what was entered.
  const rec = await getIncident(aze, id);
  assert.equal(rec.type, 'attack_on_forces');
  assert.equal(rec.title, title);
  assert.equal(rec.sector, 'SEC-KHAN');
  assert.ok(metres(rec.location.coordinates, KHAN_YOUNIS) < 150);
  assert.equal(Date.parse(rec.occurred_at), Math.floor(occurred / MIN) * MIN, 'the time typed in mission time is the instant recorded');
  assert.deepEqual(rec.parties, [{ party: 'GRP-CLANS', role: 'perpetrator' }, { party: 'ISF-AZE', role: 'target' }]);
  assert.equal(rec.casualties.injured.isf, 1);
  assert.equal(rec.sources.length, 1);
  assert.equal(rec.sources[0].kind, 'isf_patrol');
  assert.equal(rec.sources[0].reliability, 'B');
  assert.equal(rec.sources[0].credibility, '2');
  assert.equal(rec.sources[0].name, 'Patrol AZE-2', 'the reporter sees its own source');
  assertNoErrors(page);
  await page.context().close();

  // ---- the CMCC watch officer finds it on the dashboard's map ----
  const cmcc = await open('cmcc.watch');
  await nav(cmcc, 'dashboard');
  await cmcc.waitForSelector('#view-dashboard[data-ready="1"]');
  const marker = cmcc.locator(`#db-map [data-testid="db-inc-${id}"]`);
  await marker.waitFor();
  assert.equal(await marker.getAttribute('data-status'), 'reported');
  // The day filter: the incident's day keeps it, another day drops it.
  await cmcc.getByTestId('db-map-day').selectOption(gazaDay(occurred));
  await cmcc.waitForFunction((i) => !!document.querySelector(`[data-testid="db-inc-${i}"]`) && !!document.querySelector(`[data-testid="db-map-item-${i}"]`), id);
  const otherDay = await cmcc.locator('#db-map-day option').evaluateAll((os, d) => os.map((o) => o.value).find((v) => v && v !== d), gazaDay(occurred));
  await cmcc.getByTestId('db-map-day').selectOption(otherDay);
  await cmcc.waitForFunction((i) => !document.querySelector(`[data-testid="db-inc-${i}"]`), id);
  await cmcc.getByTestId('db-map-day').selectOption('');
  await marker.waitFor();
  // The list beside the map is the keyboard's way to each marker: it opens the marker's popup.
  await cmcc.getByTestId(`db-map-item-${id}`).getByRole('button').click();
  const popup = cmcc.getByTestId('db-popup');
  await popup.waitFor();
  assert.ok((await popup.textContent()).includes(title));
  await shot(cmcc, 'monitoring-dashboard-map');
  // From the popup to the incident.
  await popup.getByRole('link', { name: id }).click();
  await cmcc.waitForFunction((i) => document.body.dataset.route === 'incidents' && document.querySelector(`#inc-view[data-ready="1"][data-id="${i}"]`), id);
  // The CMCC sees the source's name.
  assert.equal(await cmcc.getByTestId('iv-source-name').textContent(), 'Patrol AZE-2');
  // Review, then confirm with the attribution (the perpetrator named is offered) and a confidence.
  await cmcc.getByTestId('rv-review').click();
  await cmcc.waitForFunction(() => document.querySelector('#inc-view').dataset.status === 'under_review');
  assert.equal(await cmcc.getByTestId('rv-party-GRP-CLANS').isChecked(), true, 'the reported perpetrator is offered as the attribution');
  await cmcc.getByTestId('rv-confidence').selectOption('medium');
  await cmcc.getByTestId('rv-note').fill('Corroborated by the company commander.');
  await cmcc.getByTestId('rv-confirm').click();
  await cmcc.waitForFunction(() => document.querySelector('#inc-view').dataset.status === 'confirmed');
  assert.equal(await cmcc.getByTestId('iv-status').textContent(), EN['inc.status.confirmed']);
  assert.equal(await cmcc.getByTestId('iv-confidence').textContent(), EN['inc.confidence.medium']);
  const hist = await cmcc.getByTestId('iv-history').locator('li').allTextContents();
  assert.ok(hist.length >= 3 && hist[hist.length - 1].includes(EN['inc.status.confirmed']), `the history shows the steps (${hist})`);
  const after = await getIncident(watch, id);
  assert.equal(after.status, 'confirmed');
  assert.deepEqual(after.attribution, ['GRP-CLANS']);
  assert.equal(after.confidence, 'medium');

  // ---- and in the SITREP of that day ----
  await nav(cmcc, 'sitrep');
  await cmcc.getByTestId('sr-date').fill(gazaDay(occurred));
  await cmcc.getByTestId('sr-show').click();
  await cmcc.waitForFunction((d) => document.querySelector('#view-sitrep').dataset.ready === '1' && document.querySelector('#view-sitrep').dataset.date === d, gazaDay(occurred));
  const row = cmcc.getByTestId('sr-incidents-table').locator('tr', { hasText: id });
  assert.equal(await row.count(), 1, 'the incident is among the significant incidents');
  const cells = await row.locator('th, td').allTextContents();
  assert.ok(cells.includes(title));
  assert.ok(cells.includes(EN['inc.status.confirmed']));
  assert.ok(cells.some((c) => c.includes('Clan')), `the attribution is shown (${cells})`);
  const json = (await server.api('GET', `/api/v1/reports/sitrep?date=${gazaDay(occurred)}&format=json`, { token: watch })).body;
  assert.equal(await cmcc.getByTestId('sr-sum-incidents').textContent(), String(json.summary.incidents));
  assert.equal(await cmcc.getByTestId('sr-sum-confirmed').textContent(), String(json.summary.confirmed));
  assert.equal(await cmcc.getByTestId('sr-ops-decided').textContent(), String(json.operations.decision_time.count), 'first decisions of the day');
  await shot(cmcc, 'monitoring-sitrep');
  assertNoForeignRequests(cmcc);
  assertNoErrors(cmcc);
  await cmcc.context().close();
});

test('the dashboard draws its charts with the server\'s figures, and each chart\'s table holds the same figures', async () => {
  // The consignment crosses "today", the page's period ends "today" and the
  // test reads "today" seconds apart: not across Gaza's midnight.
  await clearOfGazaMidnight(2 * 60e3);
  // Some aid today, so that the figures are not all zero.
  const c = await server.api('POST', '/api/v1/aid/consignments', { token: wfp, body: { commodity: 'food', trucks: 37, tonnes: 410, crossing: 'XNG-KS', reference: 'WFP-T1' } });
  assert.equal(c.status, 201, c.text);
  const s = await server.api('POST', `/api/v1/aid/consignments/${c.body.id}/status`, { token: wfp, body: { status: 'crossed' } });
  assert.equal(s.status, 200, s.text);

  const page = await open('cmcc.cdr');
  await nav(page, 'dashboard');
  await page.waitForSelector('#view-dashboard[data-ready="1"]');
  await page.getByTestId('db-last7').click();
  await page.waitForFunction(() => document.querySelector('#view-dashboard').dataset.ready === '1');
  const from = await page.getByTestId('db-from').inputValue(), until = await page.getByTestId('db-until').inputValue();
  assert.equal(until, gazaDay(Date.now()));
  const token = (await server.login('cmcc.cdr')).token;
  const get = async (p) => { const r = await server.api('GET', p, { token }); assert.equal(r.status, 200, r.text); return r.body; };
  const vio = await get(`/api/v1/stats/violations?from=${from}&until=${until}`);
  const aid = await get(`/api/v1/stats/aid?from=${from}&until=${until}`);
  const sec = await get(`/api/v1/stats/incidents?by=sector&from=${from}&until=${until}`);
  assert.equal(vio.days.length, 7);
  assert.ok(aid.total_trucks[aid.total_trucks.length - 1] >= 37, 'today\'s trucks include the consignment');

  // A table as {row key: {column key: text}}.
  const table = (name) => page.evaluate((n) => {
    const t = document.querySelector(`[data-testid="db-table-${n}"]`);
    const cols = [...t.querySelectorAll('thead th')].map((th) => th.dataset.key);
    const out = {};
    for (const tr of t.querySelectorAll('tbody tr, tfoot tr')) {
      out[tr.dataset.key] = {};
      [...tr.children].forEach((td, i) => { if (i) out[tr.dataset.key][cols[i]] = td.textContent; });
    }
    return out;
  }, name);
  // The chart's datasets: label, figures, and the id they stand for.
  const chart = (name) => page.evaluate((n) => {
    const ch = window.Chart.getChart(document.querySelector(`[data-testid="db-chart-${n}"]`));
    return ch ? { labels: ch.data.labels.length, sets: ch.data.datasets.map((d) => ({ data: d.data, party: d.partyId, crossing: d.crossingId, status: d.statusKey, target: !!d.targetLine })) } : null;
  }, name);

  // Violations: confirmed, and unconfirmed apart.
  for (const [name, part] of [['violations', vio.confirmed], ['unconfirmed', vio.unconfirmed]]) {
    const tb = await table(name);
    const parties = Object.keys(part.by_party);
    vio.days.forEach((d, i) => {
      for (const p of parties) assert.equal(tb[d][p], String(part.by_party[p][i]), `${name} ${d} ${p}`);
      assert.equal(tb[d].total, String(part.total[i]), `${name} ${d} total`);
    });
    for (const p of parties) assert.equal(tb.total[p], String(part.per_party_total[p]), `${name} total ${p}`);
    const ch = await chart(name);
    assert.ok(ch, `the ${name} chart is drawn`);
    assert.equal(ch.labels, vio.days.length);
    assert.deepEqual(Object.fromEntries(ch.sets.map((x) => [x.party, x.data])), part.by_party, `${name} chart figures`);
  }
  assert.equal(await page.getByTestId('db-fig-confirmed').textContent(), String(vio.confirmed.total.reduce((a, b) => a + b, 0)));

  // Trucks per day by crossing, against the target line.
  const tt = await table('trucks');
  aid.days.forEach((d, i) => {
    for (const x of aid.crossings) assert.equal(tt[d][x], String(aid.trucks[x][i]), `trucks ${d} ${x}`);
    assert.equal(tt[d].total, String(aid.total_trucks[i]));
    assert.equal(tt[d].target, String(aid.target_trucks_per_day));
    assert.equal(tt[d].gap, String(aid.gap[i]));
  });
  const tc = await chart('trucks');
  assert.deepEqual(Object.fromEntries(tc.sets.filter((x) => x.crossing).map((x) => [x.crossing, x.data])), aid.trucks);
  const line = tc.sets.find((x) => x.target);
  assert.ok(line && line.data.length === aid.days.length && line.data.every((n) => n === aid.target_trucks_per_day), 'the target line is drawn at the target');

  // Interceptions and their rate.
  const ti = await table('interception');
  aid.days.forEach((d, i) => assert.equal(ti[d].intercepted, String(aid.intercepted[i])));
  const rate = (x) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
  assert.equal(ti.rate_consignments.intercepted, rate(aid.interception_rate.consignments));
  assert.equal(ti.rate_trucks.intercepted, rate(aid.interception_rate.trucks));
  assert.deepEqual((await chart('interception')).sets[0].data, aid.intercepted);

  // Incidents by sector.
  const ts = await table('sectors');
  for (const r of sec.rows) for (const k of ['confirmed', 'unconfirmed', 'refuted', 'killed', 'injured']) assert.equal(ts[r.key][k], String(r[k]), `sector ${r.key} ${k}`);
  const sc = await chart('sectors');
  for (const set of sc.sets) assert.deepEqual(set.data, sec.rows.map((r) => r[set.status]), `sectors chart ${set.status}`);

  // The tables open from the keyboard.
  await page.getByTestId('db-trucks-table-toggle').focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.getByTestId('db-table-trucks').isVisible(), 'the trucks table opens');
  // The feed of the last 48 hours holds the consignment that crossed.
  await page.getByTestId(`db-feed-${c.body.id}`).first().waitFor();
  // Chart.js came from this server (web/vendor), not from the network.
  assert.ok(page.requests.some((u) => u.endsWith('/vendor/chart.js/chart.umd.js')));
  assertNoForeignRequests(page);
  await shot(page, 'monitoring-dashboard');
  assertNoErrors(page);
  await page.context().close();
});

test('the SITREP prints to a clean PDF with its sections and the day\'s incidents', async () => {
  const pdftotext = ['/usr/bin/pdftotext', '/usr/local/bin/pdftotext'].find((p) => existsSync(p));
  assert.ok(pdftotext, 'pdftotext is missing: install the Debian package poppler-utils (apt-get install poppler-utils)');
  const title = `Mortar rounds near Kissufim ${Date.now().toString(36)}`;
  const id = await report(watch, incidentBody({ type: 'rocket_mortar_fire', title, parties: [{ party: 'GRP-PIJ', role: 'perpetrator' }], casualties: { injured: { civilian: 3 } } }));
  await act(watch, id, 'review');
  await act(watch, id, 'confirm', { attribution: ['GRP-PIJ'], confidence: 'high' });
  const day = gazaDay(Date.parse((await getIncident(watch, id)).occurred_at));

  const page = await open('board.chair');
  await nav(page, 'sitrep');
  await page.getByTestId('sr-date').fill(day);
  await page.getByTestId('sr-show').click();
  await page.waitForFunction((d) => document.querySelector('#view-sitrep').dataset.date === d && document.querySelector('#view-sitrep').dataset.ready === '1', day);
  assert.equal(await page.evaluate(() => location.hash), `#/sitrep/${day}`, 'the day is in the address');
  assert.equal(await page.getByTestId('sr-html').getAttribute('href'), `/api/v1/reports/sitrep?date=${day}&format=html`);
  // Leadership is cleared for operations: that section is there.
  assert.ok(await page.getByTestId('sr-operations').isVisible());
  mkdirSync(OUT, { recursive: true });
  const pdfPath = join(OUT, 'sitrep.pdf');
  writeFileSync(pdfPath, await page.pdf({ format: 'A4', printBackground: true }));
  const text = execFileSync(pdftotext, ['-raw', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const k of ['sitrep.s.summary', 'sitrep.s.violations', 'sitrep.s.incidents', 'sitrep.s.operations', 'sitrep.s.aid', 'sitrep.s.disarmament', 'sitrep.s.training']) {
    assert.ok(text.includes(EN[k]), `the PDF has the section "${EN[k]}"`);
  }
  assert.ok(text.includes(title), 'the PDF names the incident');
  assert.ok(text.includes(id));
  assert.ok(text.includes(EN['sitrep.exercise']), 'the PDF is marked as exercise');
  // A clean page: none of the application around the report.
  for (const k of ['nav.map', 'nav.journal', 'shell.logout', 'mon.subnav.dashboard', 'sitrep.print', 'sitrep.sub']) assert.ok(!text.includes(EN[k]), `no "${EN[k]}" in the PDF`);
  const pages = Number((execFileSync(pdftotext.replace(/pdftotext$/, 'pdfinfo'), [pdfPath], { encoding: 'utf8' }).match(/Pages:\s+(\d+)/) || [])[1]);
  assert.ok(pages >= 1 && pages <= 3, `the SITREP prints on a few pages (${pages})`);
  assertNoErrors(page);
  await page.context().close();
});

test('a humanitarian account sees confirmed incidents but not unconfirmed ones, and never a source\'s name', async () => {
  const secret = `Informant ${Date.now().toString(36)}`;
  const confirmedTitle = `Confirmed strike ${Date.now().toString(36)}`;
  const pendingTitle = `Unconfirmed clash ${Date.now().toString(36)}`;
  const confirmed = await report(watch, incidentBody({ title: confirmedTitle, sources: [{ kind: 'local_contact', name: secret, reference: 'ref-77', reliability: 'C', credibility: '3' }] }));
  await act(watch, confirmed, 'review');
  await act(watch, confirmed, 'confirm', { attribution: ['IDF'], confidence: 'high' });
  const pending = await report(watch, incidentBody({ type: 'armed_clash', title: pendingTitle, sources: [{ kind: 'media', name: secret, reliability: 'D', credibility: '4' }] }));

  const page = await open('ocha.focal');
  await nav(page, 'incidents');
  await page.waitForSelector('#view-incidents[data-ready="1"]');
  assert.equal(await page.getByTestId('inc-new').isVisible(), false, 'no report form for a humanitarian account');
  assert.equal(await page.getByTestId('inc-import-toggle').isVisible(), false);
  assert.ok(await page.getByTestId(`inc-row-${confirmed}`).isVisible(), 'the confirmed incident is listed');
  assert.equal(await page.getByTestId(`inc-row-${pending}`).count(), 0, 'the unconfirmed one is not');
  // Only confirmed incidents, besides those its own organisation reported.
  const rows = await page.locator('#inc-tbody tr').evaluateAll((rs) => rs.map((r) => [r.dataset.testid.slice('inc-row-'.length), r.dataset.status]));
  assert.ok(rows.filter(([, st]) => st === 'confirmed').length >= 2);
  for (const [rid, st] of rows) {
    if (st !== 'confirmed') assert.equal((await getIncident(watch, rid)).reported_org, 'UN-OCHA', `${rid} (${st}) is listed only because OCHA reported it`);
  }
  await page.getByTestId(`inc-row-${confirmed}`).getByRole('link').click();
  await page.waitForSelector(`#inc-view[data-ready="1"][data-id="${confirmed}"]`);
  // The source's kind and grades, never its name or reference.
  const src = await page.getByTestId('iv-source').textContent();
  assert.ok(src.includes(EN['inc.source_kind.local_contact']) && src.includes('C3'), src);
  assert.equal(await page.getByTestId('iv-source-name').count(), 0);
  assert.equal(await page.getByTestId('rv-form').count(), 0, 'no review actions');
  const all = (await visibleTexts(page)).join(' ');
  assert.ok(!all.includes(secret) && !all.includes('ref-77'), 'the source\'s identity is nowhere on the page');
  // Not on the dashboard map or feed, nor in the exports the page links to.
  await nav(page, 'dashboard');
  await page.waitForSelector('#view-dashboard[data-ready="1"]');
  await page.locator(`[data-testid="db-inc-${confirmed}"]`).waitFor();
  assert.equal(await page.locator(`[data-testid="db-inc-${pending}"]`).count(), 0);
  assert.equal(await page.locator(`[data-testid="db-feed-${pending}"]`).count(), 0);
  await nav(page, 'incidents');
  for (const tid of ['inc-export-csv', 'inc-export-geojson']) {
    const href = await page.getByTestId(tid).getAttribute('href');
    const body = await page.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).text(), href);
    assert.ok(body.includes(confirmed), `${tid} holds the confirmed incident`);
    assert.ok(!body.includes(pending), `${tid} leaves out the unconfirmed one`);
    assert.ok(!body.includes(secret), `${tid} has no source name`);
  }
  // Typing the unconfirmed incident's address shows the server's refusal, not the incident.
  await page.evaluate((i) => { location.hash = `#/incidents/${i}`; }, pending);
  await page.getByTestId('iv-error').waitFor();
  assert.ok(!(await page.getByTestId('inc-view').textContent()).includes(pendingTitle));
  await shot(page, 'monitoring-humanitarian');
  assertNoErrors(page);
  await page.context().close();
});

test('the incident form in Arabic, right to left', async () => {
  const page = await open('isf.hq', { lang: 'ar' });
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  await nav(page, 'incidents');
  await page.getByTestId('inc-new').click();
  await page.waitForSelector('#if-map[data-ready="1"]');
  assert.equal(await page.locator('#inc-title').textContent(), AR['inc.title']);
  assert.equal(await page.locator('#if-title-h').textContent(), AR['inc.form.title']);
  assert.equal(await page.locator('label[for="if-type"]').textContent(), AR['inc.field.type']);
  assert.equal(await page.locator('#if-type option[value="attack_on_forces"]').textContent(), AR['inc.type.attack_on_forces']);
  assert.equal(await page.locator('#if-type optgroup[data-group="mission"]').getAttribute('label'), AR['inc.form.group_mission']);
  assert.equal(await page.getByTestId('if-source-kind').first().locator('option[value="isf_patrol"]').textContent(), AR['inc.source_kind.isf_patrol']);
  assert.equal(await page.locator('#if-cas-h-civilian').textContent(), AR['inc.cas.civilian']);
  // No English interface string is left on the page.
  const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v)).map(([, v]) => v));
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on the incident page');
  // Right to left: the form pane sits left of the list, labels start at the right edge of their fields.
  const list = await page.locator('.inc-list-pane').boundingBox();
  const form = await page.locator('.inc-detail-pane').boundingBox();
  assert.ok(form.x < list.x, 'the form is on the left of the list in Arabic');
  const label = await page.locator('label[for="if-title"]').boundingBox();
  const input = await page.getByTestId('if-title').boundingBox();
  assert.ok(Math.abs(label.x + label.width - (input.x + input.width)) < 4, 'the label starts at the right');
  assert.equal(await page.getByTestId('if-lat').getAttribute('dir'), 'ltr', 'coordinates stay left to right');
  // The point from the keyboard: the map focused, Enter puts it at the map's centre.
  await page.locator('#if-map').focus();
  await page.keyboard.press('Enter');
  const centre = await page.evaluate(() => { const c = window.truce.mon.incidents.mm.map.getCenter(); return [c.lng, c.lat]; });
  const keyed = [Number(await page.getByTestId('if-lon').inputValue()), Number(await page.getByTestId('if-lat').inputValue())];
  assert.ok(metres(keyed, centre) < 1, `Enter on the map set the point at its centre (${keyed})`);
  // A report in Arabic goes through, and the error of a missing type is in Arabic.
  await page.getByTestId('if-title').fill('إطلاق نار قرب نقطة التفتيش');
  await clickMap(page, 'form', KHAN_YOUNIS);
  await page.getByTestId('if-submit').click();
  const err = page.getByTestId('if-type-error');
  await err.waitFor();
  assert.ok((await err.textContent()).length > 0);
  assert.match(await err.locator('.err-title').textContent(), /[\u0600-\u06FF]/, 'the error title is in Arabic');
  await page.getByTestId('if-type').selectOption('attack_on_forces');
  await page.getByTestId('if-submit').click();
  await page.waitForSelector('#inc-view[data-ready="1"][data-id^="INC-"] [data-testid="iv-result"]');
  assert.equal(await page.getByTestId('iv-title').textContent(), 'إطلاق نار قرب نقطة التفتيش');
  assert.equal(await page.getByTestId('iv-status').textContent(), AR['inc.status.reported']);
  await shot(page, 'monitoring-form-ar');
  assertNoErrors(page);
  await page.context().close();
});

test('bad input shows the server\'s error next to the field it names, and nothing is recorded', async () => {
  const page = await open('isf.aze');
  await nav(page, 'incidents');
  await page.getByTestId('inc-new').click();
  await page.waitForSelector('#if-map[data-ready="1"]');
  const before = (await server.api('GET', '/api/v1/incidents?limit=1000', { token: watch })).body.incidents.length;
  const title = `Outside the area ${Date.now().toString(36)}`;
  await page.getByTestId('if-type').selectOption('rocket_mortar_fire');
  await page.getByTestId('if-title').fill(title);
  // A place outside the mission area, typed.
  await page.getByTestId('if-lat').fill(String(TEL_AVIV[1]));
  await page.getByTestId('if-lon').fill(String(TEL_AVIV[0]));
  const reply = page.waitForResponse((r) => r.url().endsWith('/api/v1/incidents') && r.request().method() === 'POST');
  await page.getByTestId('if-submit').click();
  const r = await reply;
  assert.equal(r.status(), 400);
  const body = await r.json();
  assert.equal(body.error.field, 'location');
  const box = page.getByTestId('if-location-error');
  await box.waitFor();
  assert.ok((await box.textContent()).includes(body.error.message), 'the server\'s message is shown');
  assert.equal(await page.getByTestId('if-lat').getAttribute('aria-invalid'), 'true');
  assert.ok((await page.getByTestId('if-lat').getAttribute('aria-describedby')).includes('if-lat-error'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'if-lat', 'focus moves to the field');
  await shot(page, 'monitoring-bad-location');
  // Fixed: a place in the area; now a time in the future.
  await clickMap(page, 'form', DEIR);
  assert.equal(await box.isVisible(), false, 'the error clears when the place changes');
  await page.getByTestId('if-occurred').fill(gazaLocal(Date.now() + 3 * H));
  await page.getByTestId('if-submit').click();
  await page.getByTestId('if-occurred-error').waitFor();
  assert.equal(await page.getByTestId('if-occurred').getAttribute('aria-invalid'), 'true');
  // A second source without a name: the error lands on that row's name.
  await page.getByTestId('if-occurred').fill(gazaLocal(earlierToday(20)));
  await page.getByTestId('if-source-name').first().fill('Patrol AZE-1');
  await page.getByTestId('if-source-add').click();
  await page.getByTestId('if-source-reference').nth(1).fill('radio log 9');
  await page.getByTestId('if-submit').click();
  const second = page.getByTestId('if-source-name').nth(1);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="if-source-name"]')[1].getAttribute('aria-invalid') === 'true');
  const errId = (await second.getAttribute('aria-describedby')).split(' ').find((x) => x.endsWith('-error'));
  assert.ok(await page.locator(`#${errId}`).isVisible(), 'the error shows under the second source\'s name');
  assert.equal(await page.getByTestId('if-source-name').first().getAttribute('aria-invalid'), null);
  const afterCount = (await server.api('GET', '/api/v1/incidents?limit=1000', { token: watch })).body.incidents.length;
  assert.equal(afterCount, before, 'nothing was recorded');
  // Given the name, it goes through.
  await second.fill('Radio operator');
  await page.getByTestId('if-submit').click();
  await page.waitForSelector('#inc-view[data-ready="1"][data-id^="INC-"] [data-testid="iv-result"]');
  assert.equal(await page.getByTestId('iv-title').textContent(), title);
  assertNoErrors(page);
  await page.context().close();
});

test('the other monitoring pages in Arabic have no English interface string left', async () => {
  const page = await open('cmcc.cdr', { lang: 'ar' });
  const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v)).map(([, v]) => v));
  for (const route of ['dashboard', 'aid', 'sitrep']) {
    await nav(page, route);
    await page.waitForSelector(`#view-${route}[data-ready="1"]`);
    assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], `no English on ${route}`);
    await shot(page, `monitoring-${route}-ar`);
  }
  // The charts read right to left too: the day axis is reversed.
  await nav(page, 'dashboard');
  await page.waitForSelector('#view-dashboard[data-ready="1"]');
  assert.equal(await page.evaluate(() => window.Chart.getChart(document.querySelector('[data-testid="db-chart-trucks"]')).options.scales.x.reverse), true);
  assertNoErrors(page);
  await page.context().close();
});

test('the CMCC imports ACLED CSV: bad rows are listed by line and field and nothing is imported; a good file is', async () => {
  const header = 'event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities';
  const tag = Date.now().toString(36).toUpperCase();
  const good = (n, notes) => `PSE${tag}${n},15 November 2026,1,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Israel (2022-),,Civilians (Palestine),,Gaza Strip,Khan Younis,31.346,34.306,2,Al Jazeera,${notes},2`;
  const bad = [header, good(1, 'first row fine'), `PSE${tag}2,2026-11-16,1,Battles,Armed clash,Hamas Movement,,,,Gaza Strip,Gaza City,north,34.455,2,WAFA,bad latitude,0`, good(3, 'third row fine')].join('\n');
  const page = await open('cmcc.watch');
  await nav(page, 'incidents');
  await page.getByTestId('inc-import-toggle').click();
  assert.equal(await page.getByTestId('inc-import-toggle').getAttribute('aria-expanded'), 'true');
  const before = (await server.api('GET', '/api/v1/incidents?limit=1000', { token: watch })).body.incidents.length;
  await page.getByTestId('imp-file').setInputFiles({ name: 'acled.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByTestId('imp-submit').click();
  const rows = page.getByTestId('imp-rows').locator('li');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getAttribute('data-line'), '3', 'the bad row is named by its line (the header is line 1)');
  assert.equal(await rows.first().getAttribute('data-field'), 'latitude');
  assert.equal(await page.getByTestId('imp-file').getAttribute('aria-invalid'), 'true');
  assert.equal((await server.api('GET', '/api/v1/incidents?limit=1000', { token: watch })).body.incidents.length, before, 'nothing imported');
  await shot(page, 'monitoring-import-bad-rows');
  await page.getByTestId('imp-file').setInputFiles({ name: 'acled.csv', mimeType: 'text/csv', buffer: Buffer.from([header, good(1, 'first'), good(3, 'third')].join('\n')) });
  await page.getByTestId('imp-submit').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="imp-status"]').textContent.length > 0);
  assert.match(await page.getByTestId('imp-status').textContent(), /\b2\b/);
  assert.equal(await page.getByTestId('imp-file-error').isVisible(), false);
  assert.equal((await server.api('GET', '/api/v1/incidents?limit=1000', { token: watch })).body.incidents.length, before + 2);
  assertNoErrors(page);
  await page.context().close();
});

test('an aid organisation records a consignment and moves it along its chain; an interception reports an incident', async () => {
  // The page's "today" at a crossing is compared with the server's, read a
  // moment apart: not across Gaza's midnight.
  await clearOfGazaMidnight(2 * 60e3);
  const page = await open('wfp.focal');
  await nav(page, 'aid');
  await page.waitForSelector('#view-aid[data-ready="1"]');
  const crossings = (await server.api('GET', '/api/v1/aid/crossings', { token: wfp })).body;
  const ks = () => page.getByTestId('aid-crossing-XNG-KS');
  assert.ok((await ks().getByTestId('crossing-today').textContent()).includes(String(crossings.crossings.find((c) => c.id === 'XNG-KS').today.trucks)));
  await page.getByTestId('aid-new').click();
  assert.equal(await page.getByTestId('cf-org').isDisabled(), true, 'an organisation records for itself');
  // Bad input first: no trucks is refused by the server, next to the field.
  const ref = `WFP-${Date.now().toString(36)}`;
  await page.getByTestId('cf-commodity').selectOption('medical');
  await page.getByTestId('cf-trucks').fill('0');
  await page.getByTestId('cf-tonnes').fill('80.5');
  await page.getByTestId('cf-crossing').selectOption('XNG-KS');
  await page.getByTestId('cf-reference').fill(ref);
  await page.getByTestId('cf-submit').click();
  await page.getByTestId('cf-trucks-error').waitFor();
  assert.equal(await page.getByTestId('cf-trucks').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('cf-trucks').fill('12');
  await page.getByTestId('cf-submit').click();
  await page.waitForFunction(() => /CSG-\d+/.test(document.querySelector('[data-testid="cf-status"]').textContent));
  const id = (await page.getByTestId('cf-status').textContent()).match(/CSG-\d+/)[0];
  const card = () => page.getByTestId(`csg-${id}`);
  await card().waitFor();
  assert.equal(await card().getAttribute('data-status'), 'at_perimeter');
  // The buttons follow the chain.
  assert.deepEqual(await card().getByTestId('csg-actions').locator('button').evaluateAll((bs) => bs.map((b) => b.dataset.testid)), ['csg-to-crossed', 'csg-to-returned']);
  await card().getByTestId('csg-to-crossed').click();
  await page.waitForFunction((i) => document.querySelector(`[data-testid="csg-${i}"]`)?.dataset.status === 'crossed', id);
  const today = (await server.api('GET', '/api/v1/aid/crossings', { token: wfp })).body.crossings.find((c) => c.id === 'XNG-KS').today.trucks;
  assert.ok((await ks().getByTestId('crossing-today').textContent()).includes(String(today)), 'today\'s trucks at the crossing follow');
  assert.deepEqual(await card().getByTestId('csg-actions').locator('button').evaluateAll((bs) => bs.map((b) => b.dataset.testid)), ['csg-to-offloaded', 'csg-to-intercepted', 'csg-to-returned']);
  // Intercepted by force: the manner is asked, and an incident is reported for it.
  await card().getByTestId('csg-to-intercepted').click();
  await card().getByTestId('csg-manner').selectOption('by_force');
  await card().getByTestId('csg-apply').click();
  await page.waitForFunction((i) => document.querySelector(`[data-testid="csg-${i}"]`)?.dataset.status === 'intercepted', id);
  const inc = await card().getByTestId('csg-incident').textContent();
  const rec = (await server.api('GET', `/api/v1/aid/consignments/${id}`, { token: wfp })).body;
  const csg = rec.consignment || rec;
  assert.equal(csg.incident, inc);
  assert.equal(csg.manner, 'by_force');
  const incident = await getIncident(watch, inc);
  assert.equal(incident.type, 'aid_obstruction_looting');
  // Returned needs a note: the server's refusal shows at the card, then it goes through.
  await card().getByTestId('csg-incident').click();
  await page.waitForSelector(`#inc-view[data-ready="1"][data-id="${inc}"]`);
  await nav(page, 'aid');
  assert.equal(await page.getByTestId('aid-new').getAttribute('aria-expanded'), 'true', 'the form stays open');
  await page.getByTestId('cf-commodity').selectOption('fuel');
  await page.getByTestId('cf-trucks').fill('3');
  await page.getByTestId('cf-crossing').selectOption('XNG-KS');
  await page.getByTestId('cf-submit').click();
  await page.waitForFunction((prev) => { const m = /CSG-\d+/.exec(document.querySelector('[data-testid="cf-status"]').textContent); return m && m[0] !== prev; }, id);
  const id2 = (await page.getByTestId('cf-status').textContent()).match(/CSG-\d+/)[0];
  await page.getByTestId(`csg-${id2}`).getByTestId('csg-to-returned').click();
  await page.getByTestId(`csg-${id2}`).getByTestId('csg-apply').click();
  const err = page.getByTestId(`csg-${id2}`).getByTestId('csg-error');
  await err.waitFor();
  // The stream's reload (300 ms after an event) waits while the step's
  // details are open: the error and the field stay.
  await page.waitForTimeout(900);
  assert.equal(await err.isVisible(), true, 'the error stays');
  assert.equal(await page.getByTestId(`csg-${id2}`).getByTestId('csg-note').getAttribute('aria-invalid'), 'true');
  await page.getByTestId(`csg-${id2}`).getByTestId('csg-note').fill('Closed crossing, trucks sent back to Al-Arish.');
  await page.getByTestId(`csg-${id2}`).getByTestId('csg-apply').click();
  await page.waitForFunction((i) => document.querySelector(`[data-testid="csg-${i}"]`)?.dataset.status === 'returned', id2);
  await shot(page, 'monitoring-aid');
  assertNoErrors(page);
  await page.context().close();
});

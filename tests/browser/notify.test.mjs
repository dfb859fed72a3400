// Humanitarian notification in the browser (issue 4): a humanitarian officer
// notifies a site by clicking the map and finds it in "My notifications" with
// its receipt checked in the browser; the CMCC watch acknowledges it in the
// queue and the owner sees the acknowledgement; a movement's route is drawn
// on the map and the time slider moves its vehicle along it; the
// deconfliction panel finds and highlights a site; the server's field errors
// show next to their fields; a possible duplicate asks for confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, assertNoErrors, assertNoForeignRequests } from './browser.mjs';
import { clearOfGazaShift } from '../lib/monitoring.mjs';

let server, browser, ocha, watch;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  ocha = (await server.login('ocha.focal')).token;
  watch = (await server.login('cmcc.watch')).token;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const H = 3600e3, D = 24 * H;
const iso = (ms) => new Date(ms).toISOString();
// A time as typed into a datetime-local field: the wall clock in Asia/Gaza.
const gazaLocal = (ms) => new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).format(new Date(ms)).replace(' ', 'T');
const gazaShown = (isoTime, locale = 'en-GB') => new Intl.DateTimeFormat(locale, {
  timeZone: 'Asia/Gaza', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).format(new Date(isoTime));
// Metres between two [lon, lat] points (spherical; enough for tolerances).
function metres(a, b) {
  const r = (d) => (d * Math.PI) / 180;
  const s = Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(s));
}

// Clicks a download link; the downloaded file parsed as JSON.
async function download(page, link) {
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await dl.path();
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function logSize() { return (await server.api('GET', '/api/v1/log/head')).body.size; }

function siteBody(p, over = {}) {
  return {
    category: 'health_facility', geometry: { type: 'Point', coordinates: p },
    name: { en: `Clinic ${Date.now() % 100000}`, ar: 'عيادة' }, staff_count: 5,
    valid_from: iso(Date.now() - D), valid_until: iso(Date.now() + 90 * D), ...over,
  };
}

async function open(username, route, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  await goto(page, route);
  return page;
}

// Clicks the map of a page (hook: the Leaflet map) at [lon, lat].
async function clickMap(page, hook, lonlat) {
  const xy = await page.evaluate(([k, p]) => {
    const m = k === 'map' ? window.truce.map.map : window.truce[k].mm.map;
    const pt = m.latLngToContainerPoint([p[1], p[0]]);
    const r = m.getContainer().getBoundingClientRect();
    return [r.left + m.getContainer().clientLeft + pt.x, r.top + m.getContainer().clientTop + pt.y];
  }, [hook, lonlat]);
  await page.mouse.click(xy[0], xy[1]);
}

async function zoomTo(page, hook, lonlat, zoom) {
  await page.evaluate(([k, p, z]) => {
    const m = k === 'map' ? window.truce.map.map : window.truce[k].mm.map;
    m.setView([p[1], p[0]], z, { animate: false });
  }, [hook, lonlat, zoom]);
}

test('a humanitarian officer notifies a site by clicking the map and sees it in My notifications with its receipt verified', async () => {
  const page = await open('ocha.focal', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  const target = [34.4431, 31.4962]; // Gaza City
  await zoomTo(page, 'notify', target, 14);
  await page.selectOption('#s-category', 'health_facility');
  await clickMap(page, 'notify', target);
  // The click filled the coordinates (within a pixel at zoom 14) and placed the draft marker.
  const typed = [Number(await page.inputValue('#s-lon')), Number(await page.inputValue('#s-lat'))];
  assert.ok(metres(typed, target) < 15, `clicked point ${typed} is the target`);
  await page.getByTestId('draft-site').waitFor();
  const name = `Al-Shifa annex ${Date.now() % 100000}`;
  await page.fill('#s-name-en', name);
  await page.fill('#s-name-ar', 'ملحق الشفاء');
  await page.fill('#s-staff', '14');
  await page.fill('#s-contact-name', 'Dr. Amal');
  await page.fill('#s-contact-phone', '+970 59 111 2222');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp.status(), 201);
  const reply = await resp.json();
  const sent = JSON.parse(resp.request().postData());
  assert.deepEqual(sent.geometry.coordinates, typed);
  assert.equal(sent.category, 'health_facility');
  assert.deepEqual(sent.name, { en: name, ar: 'ملحق الشفاء' });
  assert.equal(sent.staff_count, 14);
  // The reply's receipt is checked at once in the browser.
  const result = page.getByTestId('s-result');
  await result.waitFor();
  assert.equal(await result.getByTestId('result-id').textContent(), reply.id);
  await page.waitForSelector('[data-testid="s-result"] [data-testid="reply-receipt"][data-state="verified"]');

  // What the server holds is what was clicked and typed.
  const site = (await server.api('GET', `/api/v1/sites/${reply.id}`, { token: ocha })).body;
  assert.equal(site.org, 'UN-OCHA');
  assert.equal(site.status, 'submitted');
  assert.equal(site.name.en, name);
  assert.ok(metres(site.geometry.coordinates, target) < 15);
  await shot(page, 'notify-site-clicked');

  // My notifications: the card, its status, "notified at T", not yet acknowledged, receipt verified.
  await page.getByTestId('result-mine').click();
  await page.waitForFunction(() => document.body.dataset.route === 'mine');
  const card = page.getByTestId(`mine-site-${reply.id}`);
  await card.waitFor();
  assert.equal(await card.getByTestId('card-status').textContent(), EN['status.submitted']);
  assert.ok((await card.locator('.card-title').textContent()).includes(name));
  const rc = card.getByTestId(`receipt-${reply.id}`);
  await page.waitForSelector(`[data-testid="receipt-${reply.id}"]:not([data-state="checking"])`);
  assert.equal(await rc.getAttribute('data-state'), 'verified');
  assert.equal(await rc.getByTestId('receipt-status').textContent(), EN['receipt.verified']);
  const notified = rc.getByTestId('receipt-notified');
  assert.equal(await notified.locator('time').getAttribute('datetime'), site.notified_at);
  assert.equal(await notified.locator('time').textContent(), gazaShown(site.notified_at));
  assert.ok((await notified.textContent()).startsWith(EN['receipt.notified_at']));
  assert.equal(await rc.getByTestId('receipt-not-acknowledged').textContent(), EN['receipt.not_acknowledged']);

  // The download is exactly the receipt the server gives for the notification event.
  const link = rc.getByTestId('receipt-download-notified');
  assert.match(await link.getAttribute('download'), new RegExp(`${reply.id}-${site.notified_seq}\\.json$`));
  const downloaded = await download(page, link);
  const proof = (await server.api('GET', `/api/v1/log/proof/${site.notified_seq}`, { token: ocha })).body;
  assert.equal(downloaded.event, proof.event);
  assert.equal(JSON.parse(downloaded.event).subject, reply.id);
  assert.equal(JSON.parse(downloaded.event).kind, 'site.notified');

  // The check is real: the same code refuses a receipt whose event, proof or signature was changed.
  const verdicts = await page.evaluate(async (r) => {
    const { verifyReceipt, serverKey } = await import('/js/receipt.js');
    const key = await serverKey();
    const event = structuredClone(r); event.event = event.event.replace('"staff_count":14', '"staff_count":15');
    const path = structuredClone(r); if (path.proof.length) path.proof[0] = path.proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const when = structuredClone(r); when.head.timestamp = new Date(Date.parse(r.head.timestamp) + 1).toISOString();
    const other = structuredClone(r);
    const otherKey = key.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    return {
      good: (await verifyReceipt(r, key, { subject: JSON.parse(r.event).subject })).ok,
      event: (await verifyReceipt(event, key)).reason,
      path: (await verifyReceipt(path, key)).reason,
      when: (await verifyReceipt(when, key)).reason,
      key: (await verifyReceipt(other, otherKey)).ok,
      subject: (await verifyReceipt(r, key, { subject: 'SITE-999999' })).reason,
    };
  }, downloaded);
  assert.equal(verdicts.good, true);
  assert.equal(verdicts.event, 'leaf');
  assert.equal(verdicts.path, 'proof');
  assert.equal(verdicts.when, 'signature');
  assert.equal(verdicts.key, false);
  assert.equal(verdicts.subject, 'wrong_event');
  await shot(page, 'mine-receipt-verified');

  // The mission map shows it with its category's symbol.
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  const marker = page.getByTestId(`site-${reply.id}`);
  await marker.waitFor();
  assert.equal(await marker.getAttribute('data-category'), 'health_facility');
  assert.equal(await page.locator(`#map-site-list button[data-feature-id="${reply.id}"]`).count(), 1);
  assertNoForeignRequests(page);
  assertNoErrors(page);
  await page.context().close();
});

test('the CMCC watch acknowledges a site in its queue, and the owner sees when', async () => {
  const body = siteBody([34.3052, 31.3415], { category: 'shelter_school', name: { en: `UNRWA school shelter ${Date.now() % 100000}`, ar: 'مدرسة إيواء' } });
  const made = await server.api('POST', '/api/v1/sites', { token: ocha, body });
  assert.equal(made.status, 201);
  const id = made.body.id;

  // The owner watches "My notifications" while the CMCC works.
  const owner = await open('ocha.focal', 'mine');
  const ownCard = owner.getByTestId(`mine-site-${id}`);
  await ownCard.waitFor();
  await owner.getByTestId(`receipt-${id}`).getByTestId('receipt-not-acknowledged').waitFor();
  await owner.waitForFunction(() => document.getElementById('live-status').dataset.state === 'on');
  await owner.evaluate(() => { window.__noReload = true; });
  assert.equal(await owner.getByTestId('nav-queue').count(), 0, 'a humanitarian account has no CMCC queue');

  const cmcc = await open('cmcc.watch', 'queue');
  const card = cmcc.getByTestId(`queue-site-${id}`);
  await card.waitFor();
  assert.ok((await card.textContent()).includes(body.name.en));
  assert.ok((await card.textContent()).includes(EN['site.cat.shelter_school']));
  assert.equal(await card.getByTestId('action-select').inputValue(), 'acknowledge');
  await card.getByTestId('action-reason').fill('Checked against the grid');
  const [resp] = await Promise.all([
    cmcc.waitForResponse((r) => r.url().endsWith(`/api/v1/sites/${id}/acknowledge`)),
    card.getByTestId('action-apply').click(),
  ]);
  assert.equal(resp.status(), 200);
  // It leaves the queue.
  await cmcc.waitForFunction((sel) => !document.querySelector(sel), `[data-testid="queue-site-${id}"]`);
  await shot(cmcc, 'queue-after-ack');

  const site = (await server.api('GET', `/api/v1/sites/${id}`, { token: ocha })).body;
  assert.ok(['acknowledged', 'active'].includes(site.status), site.status);
  assert.ok(site.acknowledged_at, 'acknowledged_at is set');

  // The owner's page updates by itself: acknowledged at T2, both receipts verified.
  const ack = owner.getByTestId(`receipt-${id}`).getByTestId('receipt-acknowledged');
  await ack.waitFor({ timeout: 5000 });
  assert.equal(await owner.evaluate(() => window.__noReload), true, 'no reload');
  assert.equal(await ack.locator('time').getAttribute('datetime'), site.acknowledged_at);
  assert.equal(await ack.locator('time').textContent(), gazaShown(site.acknowledged_at));
  assert.equal(await ownCard.getByTestId('card-status').textContent(), EN[`status.${site.status}`]);
  await owner.waitForSelector(`[data-testid="receipt-${id}"][data-state="verified"]`);
  assert.ok(Number.isInteger(site.acknowledged_seq), 'acknowledged_seq');
  assert.equal(await owner.getByTestId(`receipt-${id}`).getByTestId('receipt-status').textContent(), EN['receipt.verified_both']);
  const ackLink = owner.getByTestId(`receipt-${id}`).getByTestId('receipt-download-ack');
  const r = await download(owner, ackLink);
  assert.equal(JSON.parse(r.event).kind, 'site.acknowledged');
  assert.equal(JSON.parse(r.event).subject, id);
  assert.equal(JSON.parse(r.event).seq, site.acknowledged_seq);
  await shot(owner, 'mine-acknowledged');
  assertNoErrors(owner);
  assertNoErrors(cmcc);
  await owner.context().close();
  await cmcc.context().close();
});

test('a movement drawn on the map is notified, and the time slider moves its vehicle along the route', async () => {
  const page = await open('ocha.focal', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  await page.getByTestId('tab-movement').click();
  assert.equal(await page.locator('#movement-form').isVisible(), true);
  assert.equal(await page.locator('#site-form').isVisible(), false);
  const purpose = `Flour convoy to Deir al-Balah ${Date.now() % 100000}`;
  await page.fill('#m-purpose', purpose);
  // Three waypoints by clicking the map, in order.
  const pts = [[34.3005, 31.3301], [34.3352, 31.3702], [34.3651, 31.4003]];
  await zoomTo(page, 'notify', pts[1], 12);
  for (const p of pts) await clickMap(page, 'notify', p);
  assert.equal(await page.locator('#m-waypoints li').count(), 3);
  for (let i = 1; i <= 3; i++) await page.getByTestId(`draft-wp-${i}`).waitFor();
  // A planned time per waypoint, typed in mission time.
  // Whole hours, none of them (nor the window's ends) in the hour Gaza's
  // autumn change repeats, where a typed time reads back as another instant.
  let t0 = Math.ceil((Date.now() + H) / H) * H;
  while (![t0 - 30 * 60e3, t0, t0 + H, t0 + 3 * H, t0 + 4 * H].every(clearOfGazaShift)) t0 += H;
  const times = [t0, t0 + H, t0 + 3 * H];
  for (let i = 0; i < 3; i++) await page.getByTestId(`wp-time-${i + 1}`).fill(gazaLocal(times[i]));
  // The window follows the planned times until it is set by hand.
  assert.equal(await page.inputValue('#m-window-from'), gazaLocal(t0 - 30 * 60e3));
  assert.equal(await page.inputValue('#m-window-until'), gazaLocal(times[2] + H));
  await page.fill('#m-veh-count', '8');
  await page.fill('#m-veh-plates', '123-45, 678-90');
  await page.fill('#m-cargo', 'wheat flour, 160 t');
  await page.fill('#m-staff', '10');
  await page.check('#m-escort');
  await shot(page, 'notify-movement-drawn');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/movements') && r.request().method() === 'POST'),
    page.getByTestId('m-submit').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  const reply = await resp.json();
  const sent = JSON.parse(resp.request().postData());
  assert.deepEqual(sent.times, times.map(iso).map((s) => s.replace('.000Z', 'Z')));
  assert.deepEqual(sent.vehicles, { count: 8, plates: ['123-45', '678-90'] });
  assert.equal(sent.escort_requested, true);
  await page.waitForSelector('[data-testid="m-result"] [data-testid="reply-receipt"][data-state="verified"]');
  const mv = (await server.api('GET', `/api/v1/movements/${reply.id}`, { token: ocha })).body;
  assert.equal(mv.purpose, purpose);
  assert.equal(mv.route.coordinates.length, 3);
  mv.route.coordinates.forEach((c, i) => assert.ok(metres(c, pts[i]) < 60, `waypoint ${i + 1} where clicked`));
  assert.deepEqual(mv.times.map((x) => Date.parse(x)), times);

  // The mission map: the route, and the vehicle where it is planned to be.
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  await page.getByTestId(`route-${reply.id}`).waitFor();
  const setSlider = (ms) => page.evaluate((m) => {
    const inp = document.getElementById('mv-time');
    inp.value = String(Math.round(m / 60000));
    inp.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  const vehicle = page.getByTestId(`vehicle-${reply.id}`);
  const at = async () => page.evaluate((id) => {
    const ll = window.truce.layers.vehicles.get(id).getLatLng();
    return [ll.lng, ll.lat];
  }, reply.id);
  // Expected: linear between the planned vertex times.
  const expect = (ms) => {
    const c = mv.route.coordinates, ts = mv.times.map((x) => Date.parse(x));
    for (let i = 0; i < c.length - 1; i++) {
      if (ms >= ts[i] && ms <= ts[i + 1]) {
        const f = (ms - ts[i]) / (ts[i + 1] - ts[i]);
        return [c[i][0] + (c[i + 1][0] - c[i][0]) * f, c[i][1] + (c[i + 1][1] - c[i][1]) * f];
      }
    }
    return null;
  };
  await page.locator('#map').scrollIntoViewIfNeeded();
  // Half-way along the first segment.
  await setSlider(t0 + 30 * 60e3);
  await vehicle.waitFor();
  assert.ok(metres(await at(), expect(t0 + 30 * 60e3)) < 1, 'half-way along segment 1');
  assert.equal(await vehicle.getAttribute('data-state'), 'moving');
  assert.equal(await vehicle.getAttribute('data-segment'), '0');
  assert.equal(await page.getByTestId('mv-time-out').locator('time').getAttribute('datetime'), iso(t0 + 30 * 60e3));
  // The marker is drawn again after each slider step: wait for it on the screen.
  let box1 = null;
  for (let i = 0; i < 60 && !box1; i++) {
    box1 = await vehicle.boundingBox();
    if (!box1) await page.waitForTimeout(50);
  }
  assert.ok(box1, 'the vehicle is on the screen at half an hour');
  await shot(page, 'map-slider-1');
  // Two hours in: a third of the way along the second segment (it takes two hours).
  await setSlider(t0 + 2 * H);
  assert.ok(metres(await at(), expect(t0 + 2 * H)) < 1, 'on segment 2');
  assert.equal(await vehicle.getAttribute('data-segment'), '1');
  // The marker is drawn again after the slider moves: wait for the new one on the screen.
  let box2 = null;
  for (let i = 0; i < 60; i++) {
    box2 = await vehicle.boundingBox();
    if (box2 && Math.hypot(box2.x - box1.x, box2.y - box1.y) > 5) break;
    await page.waitForTimeout(50);
  }
  assert.ok(box2, 'the vehicle is on the screen at two hours');
  assert.ok(Math.hypot(box2.x - box1.x, box2.y - box1.y) > 5, 'the vehicle moved on the screen');
  // It drives north-east: right and up on the screen.
  assert.ok(box2.x > box1.x && box2.y < box1.y);
  await shot(page, 'map-slider-2');
  // The slider works from the keyboard: one step is five minutes.
  await page.locator('#mv-time').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('mv-time-out').locator('time').getAttribute('datetime'), iso(t0 + 2 * H + 5 * 60e3));
  assert.ok(metres(await at(), expect(t0 + 2 * H + 5 * 60e3)) < 1);
  // Before the window: no vehicle; after arrival (window still open): waiting at the end.
  await setSlider(t0 - H);
  assert.equal(await vehicle.count(), 0, 'not shown before its window');
  await setSlider(times[2] + 30 * 60e3);
  assert.equal(await vehicle.getAttribute('data-state'), 'after');
  assert.ok(metres(await at(), mv.route.coordinates[2]) < 1);

  // My notifications lists it with its receipt.
  await goto(page, 'mine');
  const card = page.getByTestId(`mine-movement-${reply.id}`);
  await card.waitFor();
  await page.waitForSelector(`[data-testid="receipt-${reply.id}"][data-state="verified"]`);
  assert.equal(await card.getByTestId('card-status').textContent(), EN['status.submitted']);
  assertNoErrors(page);
  await page.context().close();
});

test('the deconfliction panel finds a notified site and highlights it on the map', async () => {
  const p = [34.3901, 31.4502];
  const made = await server.api('POST', '/api/v1/sites', { token: ocha, body: siteBody(p, { category: 'water_sanitation', name: { en: `Water point ${Date.now() % 100000}`, ar: 'نقطة مياه' } }) });
  assert.equal(made.status, 201);
  const id = made.body.id;
  const page = await open('cmcc.watch', 'deconflict');
  await page.waitForSelector('#dc-map[data-ready="1"]');
  await zoomTo(page, 'deconflict', p, 15);
  // A point about 150 m away, radius 100 m: the site (150 m protection for water) conflicts.
  const near = [p[0] + 0.0016, p[1]];
  await clickMap(page, 'deconflict', near);
  assert.ok(metres([Number(await page.inputValue('#dc-lon')), Number(await page.inputValue('#dc-lat'))], near) < 5);
  await page.fill('#dc-radius', '100');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/deconfliction/check')),
    page.getByTestId('dc-submit').click(),
  ]);
  assert.equal(resp.status(), 200);
  const sent = JSON.parse(resp.request().postData());
  assert.equal(sent.radius_m, 100);
  // The list is what the API answers for the same request.
  const api = (await server.api('POST', '/api/v1/deconfliction/check', { token: watch, body: sent })).body;
  assert.ok(api.conflicts.some((c) => c.kind === 'site' && c.id === id));
  const item = page.getByTestId(`dc-conflict-site-${id}`);
  await item.waitFor();
  const shown = await page.locator('#dc-list > li').evaluateAll((lis) => lis.map((li) => `${li.dataset.kind}:${li.dataset.id}`));
  assert.deepEqual(shown, api.conflicts.map((c) => `${c.kind}:${c.id}`));
  const c = api.conflicts.find((x) => x.id === id);
  assert.ok((await item.textContent()).includes(EN['dc.distance'].replace('{n}', String(Math.round(c.distance_m)))));
  assert.equal(await page.getByTestId('dc-count').textContent(), EN['dc.count'].replace('{n}', String(api.conflicts.length)));
  // Highlighted on the map, over the site.
  const hl = page.getByTestId(`dc-hl-site-${id}`);
  await hl.waitFor();
  const hb = await hl.boundingBox();
  const want = await page.evaluate(([k, q]) => {
    const m = window.truce[k].mm.map;
    const pt = m.latLngToContainerPoint([q[1], q[0]]);
    const r = m.getContainer().getBoundingClientRect();
    return [r.left + pt.x, r.top + pt.y];
  }, ['deconflict', p]);
  assert.ok(Math.abs(hb.x + hb.width / 2 - want[0]) < 4 && Math.abs(hb.y + hb.height / 2 - want[1]) < 4, 'the highlight is on the site');
  await item.locator('button').click();
  await shot(page, 'deconflict-point');

  // A polygon drawn vertex by vertex around the site: inside, distance 0.
  await page.getByTestId('dc-mode-polygon').check();
  const d = 0.002;
  for (const q of [[p[0] - d, p[1] - d], [p[0] + d, p[1] - d], [p[0] + d, p[1] + d], [p[0] - d, p[1] + d]]) await clickMap(page, 'deconflict', q);
  assert.equal(await page.locator('#dc-vertices li').count(), 4);
  const [resp2] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/deconfliction/check')),
    page.getByTestId('dc-submit').click(),
  ]);
  assert.equal(resp2.status(), 200);
  const sent2 = JSON.parse(resp2.request().postData());
  assert.equal(sent2.geometry.type, 'Polygon');
  assert.equal(sent2.geometry.coordinates[0].length, 5, 'closed ring');
  const c2 = (await resp2.json()).conflicts.find((x) => x.id === id);
  assert.equal(c2.distance_m, 0);
  await page.getByTestId(`dc-conflict-site-${id}`).waitFor();
  assert.ok((await page.getByTestId(`dc-conflict-site-${id}`).textContent()).includes(EN['dc.inside']));
  await shot(page, 'deconflict-polygon');
  assertNoErrors(page);
  await page.context().close();
});

test('bad input shows the server\'s error next to its field, and nothing is written', async () => {
  const page = await open('ocha.focal', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  const size0 = await logSize();
  await page.selectOption('#s-category', 'warehouse');
  await page.fill('#s-lat', '31.45');
  await page.fill('#s-lon', '34.39');
  await page.fill('#s-name-en', 'Warehouse that must not be written');
  await page.fill('#s-name-ar', 'مستودع');
  // Valid until before valid from.
  await page.fill('#s-from', gazaLocal(Date.now() + 10 * D));
  await page.fill('#s-until', gazaLocal(Date.now() + 2 * D));
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp.status(), 400);
  const err = (await resp.json()).error;
  assert.equal(err.field, 'valid_until');
  const box = page.getByTestId('s-until-error');
  await box.waitFor();
  assert.ok((await box.textContent()).includes(err.message));
  assert.equal(await page.getAttribute('#s-until', 'aria-invalid'), 'true');
  assert.ok((await page.getAttribute('#s-until', 'aria-describedby')).split(' ').includes('s-until-error'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 's-until');
  const [ib, eb] = [await page.locator('#s-until').boundingBox(), await box.boundingBox()];
  assert.ok(eb.y >= ib.y + ib.height - 1 && eb.y - (ib.y + ib.height) < 40, 'error right under the field');
  assert.equal(await page.getByTestId('s-from-error').isVisible(), false);
  assert.equal(await logSize(), size0, 'nothing written');
  await shot(page, 'notify-error-valid-until');

  // Correcting the field clears its error. A point far outside the mission
  // area is refused next to the coordinates.
  await page.fill('#s-until', gazaLocal(Date.now() + 40 * D));
  assert.equal(await box.isVisible(), false);
  assert.equal(await page.getAttribute('#s-until', 'aria-invalid'), null);
  await page.fill('#s-lat', '31.9');
  await page.fill('#s-lon', '34.95');
  const [resp2] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp2.status(), 400);
  const err2 = (await resp2.json()).error;
  assert.match(err2.field, /^geometry/);
  const gbox = page.getByTestId('s-geometry-error');
  await gbox.waitFor();
  assert.ok((await gbox.textContent()).includes(err2.message));
  assert.equal(await page.getAttribute('#s-lat', 'aria-invalid'), 'true');
  // Not numbers: refused in the browser, nothing sent.
  await page.fill('#s-lat', 'north');
  let posted = false;
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/sites') && r.method() === 'POST') posted = true; });
  await page.getByTestId('s-submit').click();
  assert.equal((await gbox.textContent()).trim(), EN['form.bad_coordinates']);
  assert.equal(posted, false);
  assert.equal(await logSize(), size0, 'still nothing written');

  // A movement whose window ends before it starts.
  await page.getByTestId('tab-movement').click();
  await page.fill('#m-purpose', 'Convoy that must not be written');
  await page.fill('#m-veh-count', '3');
  await page.getByTestId('m-add-wp').click();
  await page.getByTestId('wp-lat-1').fill('31.33');
  await page.getByTestId('wp-lon-1').fill('34.30');
  await page.getByTestId('m-add-wp').click();
  await page.getByTestId('wp-lat-2').fill('31.37');
  await page.getByTestId('wp-lon-2').fill('34.335');
  const t0 = Date.now() + 5 * H;
  await page.getByTestId('wp-time-1').fill(gazaLocal(t0));
  await page.getByTestId('wp-time-2').fill(gazaLocal(t0 + H));
  await page.fill('#m-window-from', gazaLocal(t0 + 3 * H));
  await page.fill('#m-window-until', gazaLocal(t0 - 3 * H));
  const [resp3] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/movements') && r.request().method() === 'POST'),
    page.getByTestId('m-submit').click(),
  ]);
  assert.equal(resp3.status(), 400);
  const err3 = (await resp3.json()).error;
  const ids = { window_until: 'm-window-until', window_from: 'm-window-from', times: 'm-times' };
  const field = err3.field.split(/[.[]/)[0];
  assert.ok(ids[field], `a field the form shows: ${err3.field}`);
  const mbox = page.locator(`#${ids[field]}-error`);
  await mbox.waitFor();
  assert.ok((await mbox.textContent()).includes(err3.message));
  assert.equal(await logSize(), size0, 'nothing written');
  await shot(page, 'notify-error-movement');
  await page.context().close();
});

test('a site next to one of the organisation\'s own asks whether it is a duplicate, and is sent again when confirmed', async () => {
  const p = [34.2702, 31.3003];
  const first = await server.api('POST', '/api/v1/sites', { token: ocha, body: siteBody(p, { category: 'warehouse', name: { en: 'WFP warehouse Rafah', ar: 'مستودع' } }) });
  assert.equal(first.status, 201);
  const page = await open('ocha.focal', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  await page.selectOption('#s-category', 'distribution_point');
  await page.fill('#s-lat', String(p[1] + 0.0001)); // about 11 m north
  await page.fill('#s-lon', String(p[0]));
  await page.fill('#s-name-en', 'Distribution point at the warehouse');
  await page.fill('#s-name-ar', 'نقطة توزيع');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp.status(), 409);
  const dup = page.getByTestId('s-dup');
  await dup.waitFor();
  assert.equal(await page.locator('#s-dup-title').textContent(), EN['site.dup.title']);
  assert.ok((await page.getByTestId('s-dup-list').textContent()).includes(first.body.id));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 's-dup-confirm');
  await shot(page, 'notify-duplicate');
  const [resp2] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-dup-confirm').click(),
  ]);
  assert.equal(resp2.status(), 201);
  assert.deepEqual(JSON.parse(resp2.request().postData()).not_duplicate_of, [first.body.id]);
  await page.getByTestId('s-result').waitFor();
  assert.equal(await dup.isVisible(), false);
  await page.context().close();
});

test('the CMCC records a movement\'s outcome in the queue; a reason is asked for where it is needed', async () => {
  const t0 = Date.now() + 2 * H;
  const body = {
    purpose: `Medical convoy ${Date.now() % 100000}`, vehicles: { count: 3 },
    route: { type: 'LineString', coordinates: [[34.30, 31.33], [34.34, 31.37]] },
    times: [iso(t0), iso(t0 + H)], window_from: iso(t0 - H), window_until: iso(t0 + 2 * H),
  };
  const made = await server.api('POST', '/api/v1/movements', { token: ocha, body });
  assert.equal(made.status, 201);
  const id = made.body.id;
  const page = await open('cmcc.watch', 'queue');
  const card = page.getByTestId(`queue-movement-${id}`);
  await card.waitFor();
  // Waiting for acknowledgement: acknowledge (or cancel) are offered.
  assert.deepEqual(await card.getByTestId('action-select').locator('option').evaluateAll((os) => os.map((o) => o.value)), ['acknowledged', 'cancelled']);
  await card.getByTestId('action-apply').click();
  const progress = page.getByTestId(`queue-progress-${id}`);
  await progress.waitFor();
  assert.equal(await progress.getByTestId('card-status').textContent(), EN['status.acknowledged']);
  const offered = await progress.getByTestId('action-select').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['facilitated', 'partially_facilitated', 'impeded', 'denied', 'postponed', 'cancelled']);
  // Impeded without a reason: the server's error in the card, focus on the reason.
  await progress.getByTestId('action-select').selectOption('impeded');
  assert.equal(await progress.locator('label', { hasText: EN['card.reason_required'] }).count(), 1);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/movements/${id}/status`)),
    progress.getByTestId('action-apply').click(),
  ]);
  assert.equal(resp.status(), 400);
  const err = (await resp.json()).error;
  assert.equal(err.field, 'reason');
  const box = progress.getByTestId('action-error');
  await box.waitFor();
  assert.ok((await box.textContent()).includes(err.message));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'action-reason');
  assert.equal((await server.api('GET', `/api/v1/movements/${id}`, { token: watch })).body.status, 'acknowledged', 'nothing changed');
  await page.keyboard.type('Road blocked by rubble at Salah al-Din junction');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-testid="queue-progress-${id}"][data-status="impeded"]`);
  const mv = (await server.api('GET', `/api/v1/movements/${id}`, { token: ocha })).body;
  assert.equal(mv.status, 'impeded');
  assert.equal(mv.history.at(-1).reason, 'Road blocked by rubble at Salah al-Din junction');
  await shot(page, 'queue-impeded');
  await page.context().close();

  // The owner sees the outcome and why, and may mark it completed.
  const owner = await open('ocha.focal', 'mine');
  const mine = owner.getByTestId(`mine-movement-${id}`);
  await mine.waitFor();
  assert.equal(await mine.getByTestId('card-status').textContent(), EN['status.impeded']);
  assert.ok((await mine.getByTestId('card-history').textContent()).includes('Road blocked by rubble'));
  assert.deepEqual(await mine.getByTestId('action-select').locator('option').evaluateAll((os) => os.map((o) => o.value)), ['completed']);
  await owner.waitForSelector(`[data-testid="receipt-${id}"][data-state="verified"]`);
  assert.equal(await mine.getByTestId('receipt-status').textContent(), EN['receipt.verified_both']);
  await owner.context().close();
});

test('a movement typed by coordinates with a departure time and a speed', async () => {
  const page = await open('ocha.focal', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  await page.getByTestId('tab-movement').click();
  await page.fill('#m-purpose', 'Staff rotation');
  const pts = [[34.3101, 31.3402], [34.3305, 31.3651]];
  for (let i = 0; i < pts.length; i++) {
    await page.getByTestId('m-add-wp').click();
    await page.getByTestId(`wp-lat-${i + 1}`).fill(String(pts[i][1]));
    await page.getByTestId(`wp-lon-${i + 1}`).fill(String(pts[i][0]));
  }
  await page.getByTestId('draft-wp-2').waitFor();
  await page.getByTestId('m-timing-speed').check();
  // Not in the hour Gaza's autumn change repeats (see the movement above).
  let dep = Math.ceil((Date.now() + 2 * H) / H) * H;
  const arrivalOf = (d) => d + (metres(pts[0], pts[1]) / 30000) * H;
  while (![dep - 30 * 60e3, dep, arrivalOf(dep)].every(clearOfGazaShift)) dep += H;
  await page.fill('#m-departure', gazaLocal(dep));
  await page.fill('#m-speed', '30');
  // The planned arrival is computed in the browser from the distance.
  const arrival = arrivalOf(dep);
  const shown = await page.getByTestId('wp-computed-2').locator('time').getAttribute('datetime');
  assert.ok(Math.abs(Date.parse(shown) - arrival) < 60e3, `arrival ${shown}`);
  assert.equal(await page.inputValue('#m-window-from'), gazaLocal(dep - 30 * 60e3));
  await page.fill('#m-veh-count', '2');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/movements') && r.request().method() === 'POST'),
    page.getByTestId('m-submit').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  const sent = JSON.parse(resp.request().postData());
  assert.equal(sent.times, undefined);
  assert.equal(Date.parse(sent.departure), dep);
  assert.equal(sent.speed_kmh, 30);
  assert.deepEqual(sent.route.coordinates, pts);
  const mv = (await resp.json()).movement;
  // The server's geodesic times agree with the browser's preview within half a minute.
  assert.ok(Math.abs(Date.parse(mv.times[1]) - Date.parse(shown)) < 30e3, `${mv.times[1]} vs ${shown}`);
  await page.context().close();
});

test('the humanitarian pages fit 1280x800 and 768x1024 without sideways scrolling', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    const page = await openPage(browser, server, { viewport });
    await loginUI(page, 'cmcc.watch');
    for (const r of ['notify', 'mine', 'queue', 'deconflict']) {
      await goto(page, r);
      if (r === 'notify') await page.waitForSelector('#notify-map[data-ready="1"]');
      if (r === 'deconflict') await page.waitForSelector('#dc-map[data-ready="1"]');
      if (r === 'mine' || r === 'queue') await page.waitForSelector(`#view-${r}[data-ready="1"]`);
      const m = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        header: document.querySelector('.topbar').getBoundingClientRect().height,
      }));
      assert.ok(m.overflow <= 0, `${r} at ${viewport.width}: no sideways scrolling (${m.overflow}px)`);
      assert.ok(m.header < viewport.height / 5, `${r} at ${viewport.width}: header ${m.header}px`);
      if (r === 'notify' || r === 'deconflict') {
        const map = await page.locator(`#${r === 'notify' ? 'notify' : 'dc'}-map`).boundingBox();
        assert.ok(map.width > 300 && map.height > 300, `${r} map is usable: ${map.width}x${map.height}`);
      }
      await shot(page, `${r}-${viewport.width}x${viewport.height}`);
    }
    await page.context().close();
  }
});

test('the CMCC adds an object to the no-strike list from the Notify page; humanitarian accounts are not offered it', async () => {
  const page = await open('cmcc.watch', 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  const tabs = await page.locator('#view-notify [role="tab"]:not([hidden])').evaluateAll((ts) => ts.map((x) => x.id));
  assert.deepEqual(tabs, ['tab-site', 'tab-nostrike', 'tab-movement']);
  await page.getByTestId('tab-nostrike').click();
  const cats = await page.locator('#s-category option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(cats, ['hospital', 'clinic', 'water_works', 'sanitation', 'power', 'telecom', 'school', 'religious', 'cultural_heritage', 'shelter', 'other']);
  assert.equal(await page.getByTestId('s-submit').textContent(), EN['nostrike.form.submit']);
  await page.selectOption('#s-category', 'power');
  const p = [34.3555, 31.4211];
  await zoomTo(page, 'notify', p, 13);
  await clickMap(page, 'notify', p);
  await page.fill('#s-name-en', 'Gaza power plant');
  await page.fill('#s-name-ar', 'محطة كهرباء غزة');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/nostrike') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  const id = (await resp.json()).id;
  assert.match(id, /^NSL-/);
  await page.waitForSelector('[data-testid="s-result"] [data-testid="reply-receipt"][data-state="verified"]');
  // On the mission map, in the no-strike layer.
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  const marker = page.getByTestId(`nostrike-${id}`);
  await marker.waitFor();
  assert.equal(await marker.getAttribute('data-category'), 'power');
  await page.context().close();

  const hum = await open('ocha.focal', 'notify');
  await hum.waitForSelector('#notify-map[data-ready="1"]');
  assert.equal(await hum.getByTestId('tab-nostrike').isVisible(), false);
  // The humanitarian sees the no-strike object on the map all the same.
  await goto(hum, 'map');
  await hum.waitForSelector('#map[data-ready="1"]');
  await hum.getByTestId(`nostrike-${id}`).waitFor();
  await hum.context().close();
});

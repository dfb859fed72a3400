// The humanitarian pages in Arabic (issue 4): right to left, every interface
// string from the Arabic catalogue, the map beside the form mirrored, the
// receipt line and the queue in Arabic, and a server error shown with its
// Arabic title next to the field. The exercise banner stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, AR, EN, assertNoErrors } from './browser.mjs';

let server, browser, siteOcha, siteCmcc;
const D = 86400e3;
const iso = (ms) => new Date(ms).toISOString();
before(async () => {
  server = await startTestServer();
  browser = await launch();
  const ocha = (await server.login('ocha.focal')).token;
  const watch = (await server.login('cmcc.watch')).token;
  const body = (p, en, ar) => ({
    category: 'bakery_kitchen', geometry: { type: 'Point', coordinates: p }, name: { en, ar }, staff_count: 4,
    valid_from: iso(Date.now() - D), valid_until: iso(Date.now() + 60 * D),
  });
  const a = await server.api('POST', '/api/v1/sites', { token: ocha, body: body([34.4402, 31.5103], 'Community kitchen', 'مطبخ مجتمعي') });
  assert.equal(a.status, 201);
  siteOcha = a.body.id;
  const b = await server.api('POST', '/api/v1/sites', { token: watch, body: body([34.4005, 31.4405], 'CMCC liaison office', 'مكتب ارتباط') });
  assert.equal(b.status, 201);
  siteCmcc = b.body.id;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const centreX = (page, sel) => page.locator(sel).first().boundingBox().then((b) => b.x + b.width / 2);

// Visible text nodes (as in i18n.test.mjs), to find English interface strings left.
function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const s = n.textContent.trim();
      if (!s) continue;
      const e = n.parentElement;
      if (!e || e.closest('[hidden], script, style, noscript')) continue;
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || !e.getClientRects().length) continue;
      out.push(s);
    }
    return out;
  });
}
const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v)).map(([, v]) => v));

test('the notify, my notifications, queue and deconfliction pages in Arabic, right to left', async () => {
  const page = await openPage(browser, server, { lang: 'ar' });
  await loginUI(page, 'cmcc.watch');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal((await page.getByTestId('exercise-banner').textContent()).trim(), AR['banner.exercise']);
  for (const r of ['notify', 'mine', 'queue', 'deconflict']) assert.equal(await page.getByTestId(`nav-${r}`).textContent(), AR[`nav.${r}`]);

  // Notify: Arabic labels and categories, the form on the left of the map, map controls mirrored.
  await goto(page, 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  assert.equal(await page.locator('label[for="s-category"]').textContent(), AR['field.category']);
  assert.equal(await page.getByTestId('tab-site').textContent(), AR['notify.tab_site']);
  const options = await page.locator('#s-category option').allTextContents();
  assert.ok(options.includes(AR['site.cat.health_facility']) && options.includes(AR['site.cat.bakery_kitchen']));
  assert.ok(await centreX(page, '#view-notify .notify-side') < await centreX(page, '#notify-map'), 'form on the left');
  assert.ok(await centreX(page, '#notify-map .leaflet-control-zoom') > await centreX(page, '#notify-map'), 'zoom on the right');
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on notify');
  // A field error: Arabic title, the server's English detail isolated left to right.
  await page.selectOption('#s-category', 'office');
  await page.fill('#s-lat', '31.45');
  await page.fill('#s-lon', '34.40');
  await page.fill('#s-name-en', 'Office');
  await page.fill('#s-name-ar', 'مكتب');
  await page.fill('#s-staff', '-3');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/sites') && r.request().method() === 'POST'),
    page.getByTestId('s-submit').click(),
  ]);
  assert.equal(resp.status(), 400);
  const err = (await resp.json()).error;
  assert.equal(err.field, 'staff_count');
  const box = page.getByTestId('s-staff-error');
  await box.waitFor();
  assert.equal(await box.locator('.err-title').textContent(), AR[`error.${err.code}`]);
  assert.equal(await box.locator('.err-detail').getAttribute('dir'), 'ltr');
  assert.equal(await box.locator('.err-detail').textContent(), err.message);
  await page.getByTestId('tab-movement').click();
  assert.equal(await page.locator('label[for="m-purpose"]').textContent(), AR['field.purpose']);
  await page.getByTestId('m-add-wp').click();
  assert.equal(await page.getByTestId('wp-lat-1').getAttribute('aria-label'), AR['movement.form.wp_lat'].replace('{n}', '1'));
  await shot(page, 'notify-ar');

  // My notifications: the CMCC's own site, its receipt verified in Arabic, times in the mission zone.
  await goto(page, 'mine');
  const card = page.getByTestId(`mine-site-${siteCmcc}`);
  await card.waitFor();
  await page.waitForSelector(`[data-testid="receipt-${siteCmcc}"][data-state="verified"]`);
  assert.equal(await card.getByTestId('receipt-status').textContent(), AR['receipt.verified']);
  assert.equal(await card.getByTestId('card-status').textContent(), AR['status.submitted']);
  assert.equal(await card.locator('.card-title').textContent(), 'مكتب ارتباط', 'the Arabic name first');
  const t = card.getByTestId('receipt-notified').locator('time');
  const want = new Intl.DateTimeFormat('ar-u-nu-latn', { timeZone: 'Asia/Gaza', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(await t.getAttribute('datetime')));
  assert.equal(await t.textContent(), want);
  assert.equal(await card.getByTestId('receipt-download-notified').textContent(), AR['receipt.download']);
  assert.equal(await page.getByTestId(`mine-site-${siteOcha}`).count(), 0, 'another organisation\'s site is not mine');
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on mine');
  // Cards start at the right.
  const cb = await card.boundingBox();
  const vw = page.viewportSize().width;
  assert.ok(cb.x + cb.width > vw - 60, 'cards are on the right');
  await shot(page, 'mine-ar');

  // The CMCC queue: the humanitarian site waiting, in Arabic.
  await goto(page, 'queue');
  const q = page.getByTestId(`queue-site-${siteOcha}`);
  await q.waitFor();
  assert.equal(await q.getByTestId('card-status').textContent(), AR['status.submitted']);
  assert.ok((await q.textContent()).includes(AR['site.cat.bakery_kitchen']));
  assert.equal(await q.getByTestId('action-apply').textContent(), AR['card.apply']);
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on the queue');
  await shot(page, 'queue-ar');

  // Deconfliction: Arabic form and results.
  await goto(page, 'deconflict');
  await page.waitForSelector('#dc-map[data-ready="1"]');
  assert.ok(await centreX(page, '#view-deconflict .notify-side') < await centreX(page, '#dc-map'), 'form on the left');
  await page.fill('#dc-lat', '31.5103');
  await page.fill('#dc-lon', '34.4402');
  await page.fill('#dc-radius', '50');
  await page.getByTestId('dc-submit').click();
  await page.getByTestId(`dc-conflict-site-${siteOcha}`).waitFor();
  assert.ok((await page.getByTestId(`dc-conflict-site-${siteOcha}`).textContent()).includes(AR['dc.inside']));
  assert.ok((await page.getByTestId(`dc-conflict-site-${siteOcha}`).textContent()).includes('مطبخ مجتمعي'));
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on deconfliction');
  await shot(page, 'deconflict-ar');

  // The mission map: the humanitarian layers and the time slider in Arabic.
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  const labels = await page.getByTestId('layer-control').locator('label').allTextContents();
  for (const k of ['layer.sites', 'layer.nostrike', 'layer.movements', 'layer.units']) assert.ok(labels.some((l) => l.includes(AR[k])), k);
  assert.equal(await page.locator('label[for="mv-time"]').textContent(), AR['map.time_label']);
  assert.deepEqual((await visibleTexts(page)).filter((s) => english.has(s)), [], 'no English on the map');
  await shot(page, 'map-ar-humanitarian');
  assertNoErrors(page);
  await page.context().close();
});

test('the Notify page is usable with the keyboard alone', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'ocha.focal');
  await goto(page, 'notify');
  await page.waitForSelector('#notify-map[data-ready="1"]');
  // Tabs: arrow keys move between "A site" and "A movement".
  await page.getByTestId('tab-site').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-movement');
  assert.equal(await page.locator('#movement-form').isVisible(), true);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-site');
  // From the tab, Tab walks the form in order; type everything, Enter sends.
  const seen = [];
  const tabTo = async (id, max = 10) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const a = await page.evaluate(() => document.activeElement.id);
      seen.push(a);
      if (a === id) return;
    }
    throw new Error(`${id} not reached: ${seen.join(' ')}`);
  };
  await tabTo('s-category');
  await page.keyboard.press('ArrowDown'); // the first category
  assert.equal(await page.inputValue('#s-category'), 'health_facility');
  await tabTo('s-lat');
  await page.keyboard.type('31.5221');
  await tabTo('s-lon');
  await page.keyboard.type('34.4533');
  await tabTo('s-name-en');
  const name = `Keyboard clinic ${Date.now() % 100000}`;
  await page.keyboard.type(name);
  await tabTo('s-name-ar');
  await page.keyboard.type('عيادة');
  await page.keyboard.press('Enter');
  await page.getByTestId('s-result').waitFor();
  const id = await page.getByTestId('result-id').textContent();
  const { token } = await server.login('ocha.focal');
  const site = (await server.api('GET', `/api/v1/sites/${id}`, { token })).body;
  assert.equal(site.name.en, name);
  assert.deepEqual(site.geometry.coordinates, [34.4533, 31.5221]);
  // Every field on the page has a label.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#view-notify input, #view-notify select, #view-notify textarea')]
    .filter((e) => e.type !== 'hidden')
    .filter((e) => !([...(e.labels || [])].some((l) => l.textContent.trim()) || (e.getAttribute('aria-label') || '').trim()))
    .map((e) => e.id || e.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, []);
  await page.context().close();
});

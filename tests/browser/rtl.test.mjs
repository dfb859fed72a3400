// Arabic at any time: the page turns right to left (dir="rtl", lang="ar"),
// the whole layout mirrors, data shows in Arabic (sector and position names),
// times keep the mission zone, and the choice survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, AR, EN } from './browser.mjs';

let server, browser, org, geo;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  const { token } = await server.login('cmcc.watch');
  org = (await server.api('GET', '/api/v1/org', { token })).body;
  geo = (await server.api('GET', '/api/v1/geo', { token })).body;
  const r = await server.api('POST', '/api/v1/journal', { token, body: { text: 'Crossing opened at 08:00', sector: 'SEC-RAFAH', labels: ['all'] } });
  assert.equal(r.status, 201);
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const centreX = (page, sel) => page.locator(sel).first().boundingBox().then((b) => b.x + b.width / 2);

test('switching to Arabic turns the whole app right to left, and back', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'cmcc.cdr');
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  const ltr = { brand: await centreX(page, '.brand'), logout: await centreX(page, '[data-testid="logout"]'), map: await centreX(page, '#map'), side: await centreX(page, '.map-side'), zoom: await centreX(page, '.leaflet-control-zoom') };
  assert.ok(ltr.brand < ltr.logout && ltr.map < ltr.side);

  // Switch while working on the map page.
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
  assert.equal((await page.getByTestId('exercise-banner').textContent()).trim(), AR['banner.exercise']);
  assert.equal(await page.getByTestId('nav-map').textContent(), AR['nav.map']);
  assert.equal(await page.getByTestId('logout').textContent(), AR['shell.logout']);
  assert.equal(await page.getByTestId('user-roles').textContent(), AR['role.cmcc_commander']);
  // Mirrored: the brand is now at the right, logout at the left, the feature list left of the map, map controls swapped.
  const rtl = { brand: await centreX(page, '.brand'), logout: await centreX(page, '[data-testid="logout"]'), map: await centreX(page, '#map'), side: await centreX(page, '.map-side'), zoom: await centreX(page, '.leaflet-control-zoom') };
  assert.ok(rtl.brand > rtl.logout, 'brand right of logout');
  assert.ok(rtl.map > rtl.side, 'feature list left of the map');
  assert.ok(rtl.zoom > rtl.map, 'zoom control on the right side of the map');
  // The map shows names in Arabic.
  const rafah = geo.features.find((f) => f.properties.id === 'SEC-RAFAH');
  assert.equal(await page.locator('#map-sector-list button[data-feature-id="SEC-RAFAH"] .feature-name').textContent(), rafah.properties.name_ar);
  const crossing = geo.features.find((f) => f.properties.layer === 'crossing');
  assert.ok((await page.locator('.crossing-label').allTextContents()).includes(crossing.properties.name_ar));
  assert.equal(await page.locator('.map-legend .control-title').textContent(), AR['map.legend']);
  await shot(page, 'map-ar');

  // Journal: Arabic labels, the form on the right, times in the mission zone with Arabic month names.
  await goto(page, 'journal');
  await page.waitForFunction(() => window.truce.journal.loaded);
  assert.equal(await page.locator('label[for="j-text"]').textContent(), AR['journal.form.text']);
  assert.ok(await centreX(page, '#journal-form') > await centreX(page, '#journal-list'), 'form on the right');
  const time = page.locator('[data-testid="journal-entry"] time').first();
  const iso = await time.getAttribute('datetime');
  const want = new Intl.DateTimeFormat('ar-u-nu-latn', { timeZone: 'Asia/Gaza', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  assert.equal(await time.textContent(), want);
  assert.ok((await time.getAttribute('title')).includes(`${iso.slice(0, 19).replace('T', ' ')}Z`));
  assert.equal(await page.locator('[data-testid="journal-entry"] .chip-sector').first().textContent(), rafah.properties.name_ar);
  await shot(page, 'journal-ar');

  // Org chart: Arabic titles, the chart mirrored (details panel on the left).
  await goto(page, 'org');
  await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
  const ussc = org.positions.find((p) => p.id === 'POS-USSC');
  assert.equal(await page.getByTestId('pos-POS-USSC').locator('.pos-title').textContent(), ussc.title.ar);
  assert.ok(await centreX(page, '#org-details') < await centreX(page, '#org-chart'), 'details panel on the left');
  const arX = await page.evaluate(() => [...document.querySelectorAll('.org-group')].map((g) => [g.dataset.orgId, g.getBoundingClientRect().left]));
  await page.getByTestId('pos-POS-USSC').click();
  assert.equal(await page.getByTestId('details-title').textContent(), ussc.title.ar);
  await shot(page, 'org-ar');

  // The choice survives a reload.
  await page.reload();
  await page.waitForSelector('body:not(.is-loading)');
  await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await page.evaluate(() => localStorage.getItem('truce.lang')), 'ar');

  // Back to English: left to right again, and the org chart is the mirror image of the Arabic one.
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  assert.equal(await page.getByTestId('nav-org').textContent(), EN['nav.org']);
  const enX = await page.evaluate(() => [...document.querySelectorAll('.org-group')].map((g) => [g.dataset.orgId, g.getBoundingClientRect().left]));
  // Two groups in the same row swap sides.
  const pairs = new Map(arX);
  const top = org.positions.filter((p) => p.id === 'POS-SECSTATE' || p.id === 'POS-CENTCOM-CDR').map((p) => p.org);
  if (top.length === 2 && top[0] !== top[1]) {
    const [g1, g2] = top;
    const en = new Map(enX);
    assert.equal(Math.sign(en.get(g1) - en.get(g2)), -Math.sign(pairs.get(g1) - pairs.get(g2)), 'groups mirror');
  }
  await page.context().close();
});

test('the login page switches language before logging in', async () => {
  const page = await openPage(browser, server);
  await page.getByTestId('lang-switch-login').click();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await page.locator('label[for="login-username"]').textContent(), AR['login.username']);
  // Labels are at the right edge of the card.
  const card = await page.locator('.login-card').boundingBox();
  const label = await page.locator('label[for="login-username"]').boundingBox();
  assert.ok(label.x + label.width > card.x + card.width - 40, 'labels start at the right');
  await page.fill('#login-username', 'cmcc.watch');
  await page.fill('#login-password', 'wrong-password');
  await page.click('[data-testid="login-submit"]');
  await page.getByTestId('login-error').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('login-error').textContent(), AR['login.bad']);
  await shot(page, 'login-ar-error');
  await page.context().close();
});

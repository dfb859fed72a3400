// Pages a role may not use are not offered, and the server refuses them
// anyway: a humanitarian account has no journal; an ISF contingent reads the
// journal but gets no form; the API answers 403 where the page is absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN } from './browser.mjs';

let server, browser;
before(async () => { server = await startTestServer(); browser = await launch(); });
after(async () => { await browser?.close(); await stopTestServer(server); });

test('a humanitarian account is not offered the journal, and the server refuses it', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'ocha.focal');
  const me = (await server.login('ocha.focal'));
  assert.ok(!me.user.permissions.includes('journal.read'));
  const nav = await page.locator('#nav-list a').evaluateAll((as) => as.map((a) => a.dataset.route));
  // Humanitarian pages (issue 4) but no journal and no CMCC queue.
  // Operation coordination (issue 6): the advisory inbox, and no operation page.
  // Monitoring (issue 7): the dashboard (confirmed incidents and aid figures are for everyone);
  // sector hand-over (issue 9): the tracker is on everyone's record; no PSF page.
  assert.deepEqual(nav, ['map', 'org', 'notify', 'mine', 'deconflict', 'advisories', 'dashboard', 'handover'], 'no journal in the navigation');
  assert.equal(await page.getByTestId('nav-queue').count(), 0);
  assert.equal(await page.getByTestId('nav-journal').count(), 0);
  // Typing the address anyway shows a refusal, not the journal.
  await goto(page, 'journal');
  assert.equal(await page.evaluate(() => document.body.dataset.route), 'denied');
  assert.equal(await page.locator('#view-journal').isVisible(), false);
  assert.equal(await page.locator('#denied-title').textContent(), EN['denied.title']);
  await shot(page, 'humanitarian-no-journal');
  // The server refuses the journal to this account, by cookie and by token.
  const r = await server.api('GET', '/api/v1/journal', { token: me.token });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'forbidden');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'truce_session');
  const viaCookie = await fetch(`${server.base}/api/v1/journal`, { headers: { Cookie: `truce_session=${cookie.value}` } });
  assert.equal(viaCookie.status, 403);
  // Pages it may use work: the map and the org chart.
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  assert.equal(await page.locator('path.sector').count(), 5);
  await page.context().close();
});

test('a contingent reads the journal but is not offered the form', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'isf.aze');
  await goto(page, 'journal');
  await page.waitForFunction(() => window.truce.journal.loaded);
  assert.equal(await page.locator('#journal-list').isVisible() || await page.getByTestId('journal-empty').isVisible(), true);
  assert.equal(await page.locator('#journal-form').isVisible(), false);
  const { token } = await server.login('isf.aze');
  const w = await server.api('POST', '/api/v1/journal', { token, body: { text: 'not allowed' } });
  assert.equal(w.status, 403);
  await shot(page, 'contingent-journal-read-only');
  await page.context().close();
});

test('writes without the CSRF token are refused even with the session cookie', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'cmcc.watch');
  // A script on the page (or another site) posting with the cookie but without the header.
  const status = await page.evaluate(async () => (await fetch('/api/v1/journal', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'forged' }),
  })).status);
  assert.equal(status, 403);
  const { token } = await server.login('cmcc.watch');
  const list = await server.api('GET', '/api/v1/journal', { token });
  assert.equal(list.body.entries.filter((e) => e.text === 'forged').length, 0);
  await shot(page, 'csrf-refused');
  await page.context().close();
});

// Logging in from the credentials file, the shell, staying logged in across
// a reload, and logging out so that the server refuses the old session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, shot, EN, assertNoErrors, assertNoForeignRequests } from './browser.mjs';

let server, browser;
before(async () => { server = await startTestServer(); browser = await launch(); });
after(async () => { await browser?.close(); await stopTestServer(server); });

test('a wrong password is refused with a message and no session', async () => {
  const page = await openPage(browser, server);
  await page.fill('#login-username', 'cmcc.watch');
  await page.fill('#login-password', 'not-the-password');
  await page.click('[data-testid="login-submit"]');
  const err = page.getByTestId('login-error');
  await err.waitFor({ state: 'visible' });
  assert.equal(await err.textContent(), EN['login.bad']);
  assert.equal(await page.isVisible('#app-view'), false);
  assert.deepEqual((await page.context().cookies()).filter((c) => c.name === 'truce_session'), []);
  // The exercise banner is already on the login page.
  assert.equal((await page.getByTestId('exercise-banner').textContent()).trim(), EN['banner.exercise']);
  await shot(page, 'login-refused');
  await page.context().close();
});

test('log in, see the shell, reload and stay logged in, log out and the old session is refused', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'cmcc.watch');
  const me = (await server.login('cmcc.watch')).user;

  // The shell: name, organisation, roles, navigation, banner, logout, language.
  assert.equal(await page.getByTestId('user-name').textContent(), me.name);
  const org = (await server.api('GET', '/api/v1/org', { token: (await server.login('cmcc.watch')).token })).body
    .organisations.find((o) => o.id === me.org);
  assert.equal(await page.getByTestId('user-org').textContent(), org.name.en);
  assert.equal(await page.getByTestId('user-roles').textContent(), EN['role.cmcc_watch']);
  const nav = await page.locator('#nav-list a').evaluateAll((as) => as.map((a) => [a.dataset.route, a.textContent]));
  assert.deepEqual(nav, [['map', EN['nav.map']], ['journal', EN['nav.journal']], ['org', EN['nav.org']],
    // Humanitarian notification (issue 4): the CMCC watch notifies, acknowledges and checks.
    ['notify', EN['nav.notify']], ['mine', EN['nav.mine']], ['queue', EN['nav.queue']], ['deconflict', EN['nav.deconflict']],
    // ISF (issue 5): the CMCC sees the task board, the caveats and the contingents.
    ['tasks', EN['nav.isf']],
    // Operation coordination (issue 6): the operations board and the advisories sent.
    ['ops', EN['nav.ops']], ['advisories', EN['nav.advisories']],
    // Monitoring (issue 7): the dashboard, whose tabs lead to incidents, aid and the SITREP.
    ['dashboard', EN['nav.monitoring']],
    // Palestinian security forces and sector hand-over (issue 9): the CMCC follows the PSF and the tracker.
    ['psf-units', EN['nav.psf']], ['handover', EN['nav.handover']]]);
  assert.equal(await page.getByTestId('exercise-banner').isVisible(), true);
  assert.equal((await page.getByTestId('exercise-banner').textContent()).trim(), 'EXERCISE — synthetic data');
  assert.equal(await page.getByTestId('logout').textContent(), EN['shell.logout']);
  assert.match(page.url(), /#\/map$/);

  // The session is an HttpOnly cookie: scripts cannot read it, and the app
  // keeps no copy of it in storage.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'truce_session');
  assert.ok(cookie, 'the session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  const seen = await page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  }));
  assert.ok(!seen.cookie.includes(cookie.value), 'document.cookie does not show the session');
  assert.ok(!seen.storage.includes(cookie.value), 'the session token is not in web storage');
  await shot(page, 'shell-map');

  // Reload: still logged in (GET /api/v1/me with the cookie).
  await page.reload();
  await page.waitForSelector('body:not(.is-loading)');
  await page.getByTestId('user-name').waitFor({ state: 'visible' });
  assert.equal(await page.isVisible('#login-view'), false);
  assert.equal(await page.getByTestId('user-name').textContent(), me.name);

  // The cookie works for the API before logout …
  const before = await fetch(`${server.base}/api/v1/me`, { headers: { Cookie: `truce_session=${cookie.value}` } });
  assert.equal(before.status, 200);

  // … log out: back to the login page, and the server refuses the old cookie.
  await page.getByTestId('logout').click();
  await page.waitForSelector('#login-view:not([hidden])');
  assert.equal(await page.isVisible('#app-view'), false);
  const after = await fetch(`${server.base}/api/v1/me`, { headers: { Cookie: `truce_session=${cookie.value}` } });
  assert.equal(after.status, 401);
  assert.equal((await after.json()).error.code, 'unauthenticated');
  // And a reload stays on the login page.
  await page.reload();
  await page.waitForSelector('body:not(.is-loading)');
  assert.equal(await page.isVisible('#login-view'), true);
  await shot(page, 'logged-out');
  assertNoErrors(page);
  assertNoForeignRequests(page);
  await page.context().close();
});

test('a session ended elsewhere sends the open page back to the login page', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'isf.hq');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'truce_session');
  const me = await (await fetch(`${server.base}/api/v1/me`, { headers: { Cookie: `truce_session=${cookie.value}` } })).json();
  // End the session from outside the page (as an admin disabling it would).
  const r = await fetch(`${server.base}/api/v1/session`, { method: 'DELETE', headers: { Authorization: `Bearer ${cookie.value}` } });
  assert.equal(r.status, 200);
  assert.ok(me.csrf);
  // The next thing the user does reaches the server and finds the session gone.
  await page.getByTestId('nav-org').click();
  await page.waitForSelector('#login-view:not([hidden])', { timeout: 8000 });
  assert.equal(await page.getByTestId('login-error').textContent(), EN['login.ended']);
  await shot(page, 'session-ended');
  await page.context().close();
});

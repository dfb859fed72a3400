// Keyboard alone: skip link, login, navigation, the journal form, visible
// focus, labelled fields; and the pages at 1280x800 and at tablet width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN } from './browser.mjs';

let server, browser;
before(async () => { server = await startTestServer(); browser = await launch(); });
after(async () => { await browser?.close(); await stopTestServer(server); });

const active = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return { id: e.id, testid: e.dataset.testid, tag: e.tagName, route: e.dataset.route };
});

// Tab until the predicate holds for the focused element; fails after `max` presses.
async function tabTo(page, pred, max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await active(page);
    if (pred(a)) return a;
    seen.push(a.testid || a.id || a.tag);
  }
  throw new Error(`not reachable with Tab; focus went through ${seen.join(' ')}`);
}

async function focusRing(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  });
}

test('log in, move around and write a journal entry with the keyboard only', async () => {
  const page = await openPage(browser, server);
  const creds = server.creds['cmcc.watch'];
  // First Tab: the skip link, visible when focused.
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).testid, 'skip-link');
  const skip = await page.getByTestId('skip-link').boundingBox();
  assert.ok(skip.y >= 0 && skip.height > 10, 'the skip link shows when focused');
  assert.equal(await page.getByTestId('skip-link').textContent(), EN['shell.skip']);
  // Login form: the username field has focus on the login page; type, Tab, type, Enter.
  await tabTo(page, (a) => a.id === 'login-username');
  assert.ok(await focusRing(page), 'visible focus on the username field');
  await page.keyboard.type('cmcc.watch');
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).id, 'login-password');
  await page.keyboard.type(creds.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#app-view:not([hidden])');
  await page.waitForSelector('[data-testid="nav-map"]');

  // After login the focus is on the page heading. From the top of a freshly
  // loaded page, the skip link jumps past the header into the main content.
  assert.equal((await active(page)).id, 'map-title');
  await page.reload();
  await page.waitForSelector('#map[data-ready="1"]');
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).testid, 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal((await active(page)).id, 'main');

  // Reach the journal link by Tab from the top, open it with Enter.
  await page.evaluate(() => document.activeElement.blur());
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('[data-testid="skip-link"]').focus();
  const link = await tabTo(page, (a) => a.route === 'journal');
  assert.equal(link.tag, 'A');
  assert.ok(await focusRing(page), 'visible focus on the nav link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.route === 'journal');
  await page.waitForFunction(() => window.truce.journal.loaded);
  assert.equal((await active(page)).id, 'journal-title', 'focus moves to the page heading');

  // The form with the keyboard: text, sector, visibility, submit.
  await tabTo(page, (a) => a.id === 'j-text');
  await page.keyboard.type('Typed with the keyboard only');
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).id, 'j-sector');
  await page.keyboard.press('ArrowDown'); // first sector
  const sector = await page.inputValue('#j-sector');
  assert.ok(sector.startsWith('SEC-'));
  await tabTo(page, (a) => a.id === 'j-vis', 10); // the date-time field has a stop per part
  await tabTo(page, (a) => a.testid === 'j-submit', 5);
  assert.ok(await focusRing(page));
  await shot(page, 'keyboard-journal-focus');
  await page.keyboard.press('Enter');
  const entry = page.locator('[data-testid="journal-entry"]', { hasText: 'Typed with the keyboard only' });
  await entry.waitFor();
  assert.equal(await entry.locator('.chip-sector').getAttribute('data-sector'), sector);

  // Map and org chart by keyboard too.
  await page.locator('[data-testid="skip-link"]').focus();
  await tabTo(page, (a) => a.route === 'org');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
  await tabTo(page, (a) => a.tag === 'BUTTON' && a.testid && a.testid.startsWith('pos-'), 40);
  await page.keyboard.press('Enter');
  assert.notEqual(await page.getByTestId('details-title').count(), 0);
  // Language switch and logout are buttons in the tab order.
  await page.locator('[data-testid="skip-link"]').focus();
  await tabTo(page, (a) => a.testid === 'lang-switch');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  await tabTo(page, (a) => a.testid === 'logout', 3);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#login-view:not([hidden])');
  await page.context().close();
});

test('every form field has a label', async () => {
  const page = await openPage(browser, server);
  const unlabelled = () => page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.type !== 'hidden' && e.getClientRects().length)
    .filter((e) => {
      const byLabel = [...(e.labels || [])].some((l) => l.textContent.trim());
      const aria = (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') || '').split(' ').some((id) => document.getElementById(id)?.textContent.trim());
      return !byLabel && !aria;
    }).map((e) => e.id || e.name || e.outerHTML.slice(0, 60)));
  assert.deepEqual(await unlabelled(), []);
  await loginUI(page, 'cmcc.watch');
  for (const r of ['map', 'journal', 'org']) {
    await goto(page, r);
    if (r === 'map') await page.waitForSelector('#map[data-ready="1"]');
    if (r === 'journal') await page.waitForFunction(() => window.truce.journal.loaded);
    assert.deepEqual(await unlabelled(), [], `fields without a label on ${r}`);
  }
  await shot(page, 'labelled-fields-org');
  await page.context().close();
});

test('each page fits 1280x800 and 768x1024 without sideways scrolling', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    const page = await openPage(browser, server, { viewport });
    await loginUI(page, 'cmcc.watch');
    for (const r of ['map', 'journal', 'org']) {
      await goto(page, r);
      if (r === 'map') await page.waitForSelector('#map[data-ready="1"]');
      if (r === 'journal') await page.waitForFunction(() => window.truce.journal.loaded);
      if (r === 'org') await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
      const m = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        header: document.querySelector('.topbar').getBoundingClientRect().height,
      }));
      assert.ok(m.overflow <= 0, `${r} at ${viewport.width}: no sideways scrolling (${m.overflow}px)`);
      assert.ok(m.header < viewport.height / 5, `${r} at ${viewport.width}: the header leaves room (${m.header}px)`);
      for (const n of ['map', 'journal', 'org']) {
        const b = await page.getByTestId(`nav-${n}`).boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= viewport.width, `nav ${n} on screen`);
      }
      const main = await page.locator(`[data-view="${r}"]`).boundingBox();
      assert.ok(main.width >= viewport.width - 40, `${r} uses the width`);
      await shot(page, `${r}-${viewport.width}x${viewport.height}`);
    }
    await page.context().close();
  }
});

// The DDR page (issue 8, item 6; docs/ddr.md): a new DDR officer logs in
// with the password from demo-credentials.txt, registers a person with two
// weapons through the wizard and sees the flags raised (one weapon's serial
// is a look-alike of one already registered), then finds the flag in the
// review queue and the weapon's chain of custody in the register. The
// wizard works in Arabic, right to left, at tablet width; oversight sees the
// dashboard but not the registration form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../lib/ddr.mjs';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, assertNoErrors, assertNoForeignRequests, AR, EN } from './browser.mjs';

let server, browser;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  // One weapon already in the register, so the new registration's serial matches it.
  const tok = (await server.login('ddr.officer')).token;
  const r = await server.api('POST', '/api/v1/ddr/people', {
    token: tok,
    body: {
      site: 'DDR-SITE-2', name_ar: 'سابق تمرين أول', name_latin: 'Exercise Earlier Person', date_of_birth: '1970-01-02',
      screening: 'passed', weapons: [{ type: 'rifle', condition: 'serviceable', serial: 'EXBR-4410' }], exercise: true,
    },
  });
  assert.equal(r.status, 201, r.text);
  // A store keeper of the DDR cell to hand weapons over to (weapons pass only between DDR officers).
  await addUser(server, (await server.login('admin')).token, 'ddr.store', ['ddr_officer']);
});
after(async () => { await browser?.close(); await stopTestServer(server); });

test('a new DDR officer registers a person with two weapons through the wizard and sees the flags', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'ddr.officer');
  assert.equal(await page.getByTestId('nav-ddr').textContent(), EN['nav.ddr']);
  await page.getByTestId('nav-ddr').click();
  await page.waitForSelector('#view-ddr[data-ready="1"] [data-testid="ddr-reg-form"]');
  // step 1 left empty: the server names the field, the wizard goes back to it
  await page.getByTestId('ddr-next').click();
  await page.getByTestId('ddr-next').click();
  await page.getByTestId('ddr-submit').click();
  await page.waitForSelector('[data-testid="ddr-name-ar-error"]:not([hidden]), [data-testid="ddr-name-latin-error"]:not([hidden]), [data-testid="ddr-dob-error"]:not([hidden])');
  assert.equal(await page.locator('.ddr-step[data-step="1"]').isVisible(), true);
  // step 1: the person (Arabic name first)
  await page.selectOption('#ddr-site', 'DDR-SITE-1');
  await page.fill('#ddr-name-ar', 'شخص تمرين للمتصفح');
  await page.fill('#ddr-name-latin', 'Exercise Browser Person');
  await page.fill('#ddr-dob', '1988-06-15');
  await page.fill('#ddr-idnum', '977001234');
  await page.fill('#ddr-household', '6');
  await page.selectOption('#ddr-screening', 'passed');
  await page.getByTestId('ddr-next').click();
  // step 2: two weapons and some ammunition
  const rows = page.locator('.ddr-weapon-row');
  assert.equal(await rows.count(), 1);
  const first = await rows.nth(0).getAttribute('data-index');
  await page.selectOption(`#ddr-w${first}-type`, 'assault_rifle');
  await page.selectOption(`#ddr-w${first}-condition`, 'serviceable');
  await page.fill(`#ddr-w${first}-serial`, 'exbr 44l0'); // look-alike of EXBR-4410
  await page.fill(`#ddr-w${first}-calibre`, '7.62x39mm');
  await page.getByTestId('ddr-add-weapon').click();
  assert.equal(await rows.count(), 2);
  const second = await rows.nth(1).getAttribute('data-index');
  await page.selectOption(`#ddr-w${second}-type`, 'pistol');
  await page.selectOption(`#ddr-w${second}-condition`, 'repairable');
  await page.fill(`#ddr-w${second}-serial`, 'EXPISTOL-BROWSER-1');
  await page.fill('#ddr-ammo-calibre', '7.62x39mm');
  await page.fill('#ddr-ammo-count', '90');
  await page.getByTestId('ddr-next').click();
  // step 3: review, then register
  assert.equal(await page.getByTestId('ddr-review-weapons').textContent(), '2');
  await shot(page, 'ddr-review');
  await page.getByTestId('ddr-submit').click();
  const done = page.getByTestId('ddr-registered');
  await done.waitFor();
  const pid = (await done.locator('h3').textContent()).match(/DDR-P-\d+/)[0];
  assert.match(await page.getByTestId('ddr-card').textContent(), /DDR-CARD-\d{6}/);
  assert.match(await page.getByTestId('ddr-result-weapons').textContent(), /DDR-W-\d+, DDR-W-\d+/);
  const flags = page.locator('[data-testid="ddr-result-flags"] li');
  assert.equal(await flags.count(), 1);
  assert.equal(await flags.first().getAttribute('data-rule'), 'duplicate_serial');
  assert.match(await flags.first().textContent(), /EX8R441|reads as/);
  await shot(page, 'ddr-registered');
  // the review queue shows the flag, open
  await page.getByTestId('ddr-tab-flags').click();
  await page.waitForSelector('[data-testid="ddr-flag-list"] [data-rule="duplicate_serial"]');
  const fid = await page.locator('[data-testid="ddr-flag-list"] [data-rule="duplicate_serial"]').first().getAttribute('data-testid');
  assert.match(fid, /^ddr-flag-DDR-F-\d+$/);
  // the registering officer may not review it (four eyes): the server's refusal shows
  await page.getByTestId(`${fid}-note`).fill('mine');
  await page.getByTestId(`${fid}-clear`).click();
  await page.waitForSelector(`[data-testid="${fid}"] .field-error:not([hidden])`);
  // the weapons register: the new weapon, collected, with its chain of custody
  await page.getByTestId('ddr-tab-weapons').click();
  await page.waitForSelector('[data-testid="ddr-weapon-table"] tbody tr');
  const firstRow = page.locator('[data-testid="ddr-weapon-table"] tbody tr').first();
  await firstRow.locator('button').click();
  await page.waitForSelector('[data-testid="ddr-weapon-detail"]');
  assert.match(await page.getByTestId('ddr-custody').textContent(), new RegExp(EN['ddr.step.collect']));
  await page.getByTestId('ddr-cust-to-user').fill('ddr.store');
  await page.selectOption('[data-testid="ddr-cust-to-store"]', 'DDR-STORE-1');
  await page.getByTestId('ddr-cust-dispatch').click();
  await page.waitForFunction(() => /Hand over/.test(document.querySelector('[data-testid="ddr-custody"]')?.textContent || ''));
  // people: the list is pseudonymous; opening the person shows the personal data (a logged read)
  await page.getByTestId('ddr-tab-people').click();
  await page.waitForSelector(`[data-testid="ddr-prow-${pid}"]`);
  assert.ok(!(await page.getByTestId('ddr-people-table').textContent()).includes('Exercise Browser Person'));
  await page.locator(`[data-testid="ddr-prow-${pid}"] button`).click();
  await page.waitForSelector('[data-testid="ddr-person-card"]');
  assert.equal(await page.getByTestId('ddr-p-name-latin').textContent(), 'Exercise Browser Person');
  assert.match(await page.getByTestId('ddr-p-access').textContent(), /1 times/);
  await page.selectOption('[data-testid="ddr-p-outcome"]', 'on_track');
  await page.getByTestId('ddr-p-note').fill('Exercise visit note');
  await page.getByTestId('ddr-p-followup').click();
  await page.waitForFunction(() => /Exercise visit note/.test(document.querySelector('[data-testid="ddr-person-card"]')?.textContent || ''));
  assertNoErrors(page);
  assertNoForeignRequests(page);
  await page.context().close();
});

test('in Arabic at tablet width the wizard is right to left, translated and fits the screen', async () => {
  const page = await openPage(browser, server, { lang: 'ar', viewport: { width: 800, height: 1180 } });
  await loginUI(page, 'ddr.officer');
  await goto(page, 'ddr');
  await page.waitForSelector('#view-ddr[data-ready="1"] [data-testid="ddr-reg-form"]');
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await page.locator('label[for="ddr-name-ar"]').textContent(), AR['ddr.reg.name_ar']);
  assert.equal(await page.getByTestId('ddr-tab-flags').textContent(), AR['ddr.tab.flags']);
  assert.equal(await page.locator('#ddr-name-ar').getAttribute('dir'), 'rtl');
  // the Arabic name comes first, before the Latin one
  const order = await page.evaluate(() => {
    const a = document.querySelector('#ddr-name-ar').getBoundingClientRect().top;
    const l = document.querySelector('#ddr-name-latin').getBoundingClientRect().top;
    return a < l;
  });
  assert.ok(order);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling (${overflow}px)`);
  await shot(page, 'ddr-wizard-ar-tablet');
  assertNoErrors(page);
  await page.context().close();
});

test('oversight (leadership) sees the dashboard and the queue, not the registration form', async () => {
  const page = await openPage(browser, server);
  await loginUI(page, 'board.chair');
  await goto(page, 'ddr');
  await page.waitForSelector('[data-testid="ddr-dashboard"]');
  assert.ok(Number(await page.locator('[data-testid="ddr-kpi-people"] .ddr-kpi-value').textContent()) >= 2);
  assert.equal(await page.getByTestId('ddr-tab-register').isHidden(), true);
  assert.equal(await page.getByTestId('ddr-tab-people').isHidden(), true);
  assert.equal(await page.locator('[data-testid="ddr-reg-form"]').count(), 0);
  // no personal data anywhere on the pages oversight can open
  for (const tab of ['dashboard', 'flags', 'weapons', 'stores']) {
    await page.getByTestId(`ddr-tab-${tab}`).click();
    await page.waitForFunction((x) => document.querySelector('#ddr-body')?.dataset.tab === x, tab);
    const text = await page.locator('#ddr-body').textContent();
    assert.ok(!text.includes('Exercise Browser Person') && !text.includes('977001234') && !text.includes('1988-06-15'), tab);
  }
  await shot(page, 'ddr-dashboard');
  assertNoErrors(page);
  await page.context().close();
});

// The duty journal: an entry written in one browser appears live in another
// (no reload, within seconds, once), need-to-know holds on the live stream,
// bad input shows the server's error next to its field and writes nothing,
// and older entries load with "Load more".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, assertNoErrors } from './browser.mjs';

let server, browser, watchToken;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  watchToken = (await server.login('cmcc.watch')).token;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

async function openJournal(username, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  await goto(page, 'journal');
  await page.waitForFunction(() => window.truce.journal.loaded);
  return page;
}

async function apiEntries(token = watchToken, limit = 500) {
  const r = await server.api('GET', `/api/v1/journal?limit=${limit}`, { token });
  assert.equal(r.status, 200);
  return r.body.entries;
}

const entryIds = (page) => page.locator('[data-testid="journal-entry"]').evaluateAll((lis) => lis.map((li) => li.dataset.entryId));
const liveNow = (page) => page.waitForFunction(() => document.getElementById('live-status').dataset.state === 'on');

test('an entry added in one browser appears live in another, at the top, once', async () => {
  const a = await openJournal('cmcc.watch');
  const b = await openJournal('cmcc.cdr');
  const c = await openJournal('isf.aze'); // journal.read only, not in the CMCC
  await Promise.all([liveNow(a), liveNow(b), liveNow(c)]);
  // Marks that vanish if a page reloads.
  for (const p of [b, c]) await p.evaluate(() => { window.__noReload = true; });

  // A writes a CMCC-only entry, then one for everyone.
  const secret = `CMCC only ${Date.now()}`;
  await a.fill('#j-text', secret);
  await a.selectOption('#j-vis', 'cmcc');
  await a.click('[data-testid="j-submit"]');
  await a.locator('[data-testid="journal-entry"]', { hasText: secret }).waitFor();

  const text = `Patrol reports the Salah al-Din road clear ${Date.now()}`;
  await a.fill('#j-text', text);
  await a.selectOption('#j-sector', 'SEC-GAZA');
  await a.selectOption('#j-vis', 'all');
  const t0 = Date.now();
  await a.click('[data-testid="j-submit"]');

  // B (CMCC commander) sees it within a few seconds, without reloading, at the top.
  const inB = b.locator('[data-testid="journal-entry"]', { hasText: text });
  await inB.waitFor({ timeout: 5000 });
  const latency = Date.now() - t0;
  assert.ok(latency < 5000, `live within seconds (${latency} ms)`);
  assert.equal(await b.evaluate(() => window.__noReload), true, 'B did not reload');
  const mine = (await apiEntries()).find((e) => e.text === text);
  assert.ok(mine, 'the entry is in the journal');
  assert.equal((await entryIds(b))[0], mine.id, 'newest first');
  assert.equal(await inB.count(), 1, 'shown once');
  assert.equal(await inB.locator('.chip-sector').getAttribute('data-sector'), 'SEC-GAZA');
  assert.equal(await inB.locator('.entry-author').textContent(), 'cmcc.watch');
  // Both entries reached B; A shows its own entries once each (reply and stream).
  await b.locator('[data-testid="journal-entry"]', { hasText: secret }).waitFor({ timeout: 5000 });
  const idsA = await entryIds(a);
  assert.equal(new Set(idsA).size, idsA.length, 'no duplicates in the writer\'s page');
  assert.equal(idsA[0], mine.id);

  // C (an ISF contingent) gets the entry for everyone but never the CMCC-only one,
  // though it was written first.
  await c.locator('[data-testid="journal-entry"]', { hasText: text }).waitFor({ timeout: 5000 });
  assert.equal(await c.locator('[data-testid="journal-entry"]', { hasText: secret }).count(), 0);
  assert.equal(await c.evaluate(() => window.__noReload), true);
  // C may read but not write: no form.
  assert.equal(await c.locator('#journal-form').isVisible(), false);

  // Time in the mission zone (not the browser's New York), UTC on hover.
  const time = inB.locator('time');
  const iso = await time.getAttribute('datetime');
  assert.equal(iso, mine.at);
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Gaza', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  assert.equal(await time.textContent(), local);
  assert.equal(await time.getAttribute('title'), EN['time.utc_title'].replace('{time}', `${iso.slice(0, 19).replace('T', ' ')}Z`));

  await shot(a, 'journal-writer');
  await shot(b, 'journal-live-reader');
  await shot(c, 'journal-contingent');
  for (const p of [a, b, c]) { assertNoErrors(p); await p.context().close(); }
});

test('a time in the future shows the server\'s error next to the time field; nothing is written', async () => {
  const page = await openJournal('cmcc.watch');
  const before = await apiEntries();
  const head0 = (await server.api('GET', '/api/v1/log/head')).body.size;

  await page.fill('#j-text', 'This entry must not be written');
  // Two days ahead, typed as the mission's local time.
  const future = new Date(Date.now() + 2 * 86400e3);
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(future).replace(' ', 'T');
  await page.fill('#j-at', local);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/journal') && r.request().method() === 'POST'),
    page.click('[data-testid="j-submit"]'),
  ]);
  assert.equal(resp.status(), 400);
  const err = (await resp.json()).error;
  assert.equal(err.field, 'at');
  // What the browser sent is the typed local time converted to UTC.
  const sent = JSON.parse(resp.request().postData());
  assert.ok(Math.abs(Date.parse(sent.at) - Math.floor(future.getTime() / 60000) * 60000) < 60000, `sent ${sent.at}`);

  const box = page.getByTestId('j-at-error');
  await box.waitFor({ state: 'visible' });
  assert.ok((await box.textContent()).includes(err.message), 'the server\'s message is shown');
  assert.ok((await box.textContent()).includes(EN[`error.${err.code}`]));
  const input = page.locator('#j-at');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes('j-at-error'));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'j-at', 'focus moves to the field');
  // The error sits next to its field (inside the same field block, below it).
  const [ib, eb] = [await input.boundingBox(), await box.boundingBox()];
  assert.ok(eb.y >= ib.y + ib.height - 1 && eb.y - (ib.y + ib.height) < 60, 'error directly under the field');
  assert.equal(await page.getByTestId('j-text-error').isVisible(), false);
  // Nothing written: the list, the API and the log are unchanged; the text stays for correction.
  assert.deepEqual((await apiEntries()).map((e) => e.id), before.map((e) => e.id));
  assert.equal((await server.api('GET', '/api/v1/log/head')).body.size, head0);
  assert.equal(await page.locator('[data-testid="journal-entry"]', { hasText: 'must not be written' }).count(), 0);
  assert.equal(await page.inputValue('#j-text'), 'This entry must not be written');
  await shot(page, 'journal-error-time');

  // Correcting the field clears its error, and the entry is then written.
  await page.fill('#j-at', '');
  assert.equal(await box.isVisible(), false);
  assert.equal(await input.getAttribute('aria-invalid'), null);
  await page.click('[data-testid="j-submit"]');
  await page.locator('[data-testid="journal-entry"]', { hasText: 'must not be written' }).waitFor();
  assert.equal((await apiEntries()).length, before.length + 1);
  await page.context().close();
});

test('text over 4000 characters shows the error next to the text field; nothing is written', async () => {
  const page = await openJournal('cmcc.watch');
  const before = await apiEntries();
  await page.fill('#j-text', 'x'.repeat(4001));
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/journal') && r.request().method() === 'POST'),
    page.click('[data-testid="j-submit"]'),
  ]);
  assert.equal(resp.status(), 400);
  const err = (await resp.json()).error;
  assert.equal(err.field, 'text');
  const box = page.getByTestId('j-text-error');
  await box.waitFor({ state: 'visible' });
  assert.ok((await box.textContent()).includes(err.message));
  assert.ok((await page.getAttribute('#j-text', 'aria-describedby')).split(' ').includes('j-text-error'));
  assert.equal(await page.getAttribute('#j-text', 'aria-invalid'), 'true');
  assert.deepEqual((await apiEntries()).map((e) => e.id), before.map((e) => e.id));

  // An empty text is refused the same way.
  await page.fill('#j-text', '');
  await page.click('[data-testid="j-submit"]');
  await box.waitFor({ state: 'visible' });
  assert.deepEqual((await apiEntries()).map((e) => e.id), before.map((e) => e.id));
  await shot(page, 'journal-error-text');
  await page.context().close();
});

test('older entries load with "Load more", newest first, without duplicates', async () => {
  for (let i = 0; i < 60; i++) {
    const r = await server.api('POST', '/api/v1/journal', { token: watchToken, body: { text: `Bulk entry ${i}`, labels: ['all'] } });
    assert.equal(r.status, 201);
  }
  const all = await apiEntries();
  const page = await openJournal('cmcc.watch');
  assert.equal(await page.locator('[data-testid="journal-entry"]').count(), 50);
  const more = page.getByTestId('journal-more');
  assert.equal(await more.isVisible(), true);
  assert.equal(await more.textContent(), EN['journal.more']);
  await more.click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="journal-entry"]').length === n, Math.min(all.length, 100));
  const ids = await entryIds(page);
  assert.deepEqual(ids, all.slice(0, ids.length).map((e) => e.id), 'same order as the API: newest first');
  assert.equal(new Set(ids).size, ids.length);
  if (all.length <= 100) assert.equal(await more.isVisible(), false);
  await shot(page, 'journal-load-more');
  await page.context().close();
});

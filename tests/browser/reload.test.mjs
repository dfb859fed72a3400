// Live reloads never take work out of a user's hands (web/js/reload.js).
// (Also: on the ISF board, the error of a move refused by the server stays
// through other people's changes until the user acts, and a task's unfolded
// history stays unfolded when the board is drawn again.)
// Pages follow the event stream and draw their lists again when something
// changes; in a busy operations centre that is all the time. On four pages
// a user starts something (types in a card's action form, opens a unit's
// edit panel and types, fills in a payment, is refused a merge), another
// person's write reaches the stream meanwhile, and after the reload delay
// what the user typed or opened, or the error the server gave, is still
// there; once they finish, cancel or submit, the page shows the other
// person's change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, assertNoErrors } from './browser.mjs';
import { siteBody } from '../lib/humanitarian.mjs';
import { client as psfClient, register as psfRegister, approve, unit } from '../lib/psf.mjs';
import { addUser, personBody, register as ddrRegister, client as ddrClient } from '../lib/ddr.mjs';
import { gazaLocal, D } from '../lib/isf.mjs';

// Past the longest reload delay (300 ms) and a retry (500 ms).
const PAST_RELOAD = 1200;

let server, browser, tokens;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  tokens = {};
  for (const u of ['ocha.focal', 'trainer', 'psf.vetting', 'ddr.officer', 'isf.hq', 'isf.egy']) tokens[u] = (await server.login(u)).token;
  tokens['ddr.cashier'] = await addUser(server, (await server.login('admin')).token, 'ddr.cashier', ['ddr_officer']);
});
after(async () => { await browser?.close(); await stopTestServer(server); });

async function open(username, route) {
  const page = await openPage(browser, server);
  await loginUI(page, username);
  await page.waitForFunction(() => document.getElementById('live-status').dataset.state === 'on');
  await goto(page, route);
  return page;
}

const post = async (user, path, body) => {
  const r = await server.api('POST', path, { token: tokens[user], body });
  assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
};

test('CMCC queue: a note half-typed on a card survives a new notification; acknowledging shows it', async () => {
  const a = await post('ocha.focal', '/api/v1/sites', siteBody([34.3052, 31.3415], { name: { en: 'Reload test shelter A', ar: 'مأوى أ' } }));
  const page = await open('cmcc.watch', 'queue');
  const card = page.getByTestId(`queue-site-${a.id}`);
  await card.waitFor();
  await card.getByTestId('action-reason').fill('Checked against the grid, call back');

  const b = await post('ocha.focal', '/api/v1/sites', siteBody([34.3101, 31.3452], { name: { en: 'Reload test shelter B', ar: 'مأوى ب' } }));
  await page.waitForTimeout(PAST_RELOAD);
  assert.equal(await card.getByTestId('action-reason').inputValue(), 'Checked against the grid, call back', 'the note is still there');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'action-reason', 'and the focus');
  assert.equal(await page.getByTestId(`queue-site-${b.id}`).count(), 0, 'the reload waits');
  const held = await page.evaluate(() => {
    const v = document.getElementById('view-queue');
    return { text: v.dataset.held, shown: getComputedStyle(v, '::before').content };
  });
  assert.match(held.text || '', /Updates are waiting/, 'and the page says so');
  assert.match(held.shown, /Updates are waiting/, 'visibly');

  await card.getByTestId('action-apply').click();
  await page.waitForSelector(`[data-testid="queue-site-${b.id}"]`);
  await page.waitForFunction(() => document.getElementById('view-queue').dataset.held === undefined); // the hint goes with the held reload
  await page.waitForFunction((sel) => !document.querySelector(sel), `[data-testid="queue-site-${a.id}"]`);
  assertNoErrors(page);
  await page.context().close();
});

test('PSF units: an open edit panel with an item typed survives another unit being created; closing it shows the new unit', async () => {
  const as = psfClient(server, tokens);
  const u = await unit(as, { name: { en: 'Reload test company', ar: 'سرية اختبار' } });
  const page = await open('trainer', 'psf-units');
  const card = page.getByTestId(`unit-${u}`);
  await card.waitFor();
  const panel = card.locator('details.psf-unit-edit');
  await panel.locator('summary').click();
  await page.getByTestId(`equip-item-${u}`).fill('Radio sets');
  await card.getByTestId(`unit-score-${u}`).click();   // the focus leaves the form; the text stays

  const other = await unit(as, { name: { en: 'Reload test second company', ar: 'سرية ثانية' } });
  const { id: cand } = await psfRegister(as);
  await approve(as, cand);
  await page.waitForTimeout(PAST_RELOAD);
  assert.equal(await panel.evaluate((d) => d.open), true, 'the panel is still open');
  assert.equal(await page.getByTestId(`equip-item-${u}`).inputValue(), 'Radio sets', 'the item is still there');
  assert.equal(await page.getByTestId(`unit-${other}`).count(), 0, 'the reload waits');

  // The trainer thinks better of it: empties the field and closes the panel.
  await page.getByTestId(`equip-item-${u}`).fill('');
  await panel.locator('summary').click();
  await page.getByTestId(`unit-${other}`).waitFor();
  assert.equal(await page.locator(`#member-cand-${u} option[value="${cand}"]`).count(), 1, 'the approved candidate can be added');
  assertNoErrors(page);
  await page.context().close();
});

test('DDR payments: a payment being filled in survives another officer\'s payment; paying shows both', async () => {
  const as = ddrClient(server, tokens);
  const person = await ddrRegister(as, 'ddr.officer', personBody());
  const page = await open('ddr.officer', 'ddr');
  await page.getByTestId('ddr-tab-payments').click();
  await page.waitForSelector('#view-ddr[data-ready="1"] [data-testid="ddr-pay-form"]');
  await page.getByTestId('ddr-pay-person').fill(person.id);
  await page.getByTestId('ddr-pay-amount').fill('150');
  await page.getByTestId('ddr-pay-inst').fill('2');

  const paid = await post('ddr.cashier', '/api/v1/ddr/payments', { person: person.id, amount: 150, method: 'cash', instalment: 1 });
  await page.waitForTimeout(PAST_RELOAD);
  assert.equal(await page.getByTestId('ddr-pay-person').inputValue(), person.id, 'the person is still there');
  assert.equal(await page.getByTestId('ddr-pay-amount').inputValue(), '150');
  assert.equal(await page.getByTestId('ddr-pay-inst').inputValue(), '2');
  assert.equal(await page.locator('#ddr-pay-table td', { hasText: paid.id }).count(), 0, 'the reload waits');

  await page.getByTestId('ddr-pay-submit').click();
  await page.waitForSelector('[data-testid="ddr-pay-result"] p');
  const mine = (await page.getByTestId('ddr-pay-result').innerText()).match(/DDR-PAY-\d+/)[0];
  for (const id of [paid.id, mine]) await page.locator('#ddr-pay-table td', { hasText: id }).first().waitFor();
  // The stream's echo of this payment reloads the tab: the answer stays.
  await page.waitForTimeout(PAST_RELOAD);
  assert.match(await page.getByTestId('ddr-pay-result').innerText(), new RegExp(mine));
  assert.equal(await page.getByTestId('ddr-pay-person').inputValue(), '', 'the form is ready for the next payment');
  assertNoErrors(page);
  await page.context().close();
});

test('Incidents: the server\'s refusal of a merge stays under the review form while another incident is reported; merging into it then works', async () => {
  const body = (title) => ({
    type: 'strike', title, occurred_at: new Date(Date.now() - 40 * 60e3).toISOString().replace(/\.\d+Z$/, 'Z'),
    time_precision: 'minute', location: { type: 'Point', coordinates: [34.35, 31.418] }, location_precision: 'exact',
    parties: [{ party: 'IDF', role: 'perpetrator' }], casualties: { killed: { civilian: 1 } },
    sources: [{ kind: 'local_contact', name: 'Exercise informant', reliability: 'C', credibility: '3' }],
  });
  tokens['isf.hq'] = (await server.login('isf.hq')).token;
  const first = (await post('isf.hq', '/api/v1/incidents', body('Reload test strike one'))).id;
  const page = await open('cmcc.watch', 'incidents');
  await page.evaluate((id) => { location.hash = `#/incidents/${id}`; }, first);
  await page.waitForSelector(`#inc-view[data-id="${first}"] [data-testid="rv-form"]`);
  await page.getByTestId('rv-into').fill('INC-999999');
  await page.getByTestId('rv-merge').click();
  const error = page.locator('.inc-review .field-error:not([hidden]), .inc-review .form-error:not([hidden])');
  await error.first().waitFor();
  const said = await error.first().innerText();
  assert.ok(said.trim(), 'the refusal is shown');

  const second = (await post('isf.hq', '/api/v1/incidents', body('Reload test strike two'))).id;
  await page.waitForTimeout(PAST_RELOAD);
  assert.equal(await error.count(), 1, 'the refusal is still shown');
  assert.equal(await error.first().innerText(), said);
  assert.equal(await page.getByTestId('rv-into').inputValue(), 'INC-999999');
  assert.equal(await page.getByTestId(`inc-row-${second}`).count(), 0, 'the reload waits');

  await page.getByTestId('rv-into').fill(second);
  await page.getByTestId('rv-merge').click();
  await page.waitForSelector(`#inc-view[data-id="${first}"][data-status="merged"]`);
  await page.getByTestId(`inc-row-${second}`).waitFor();
  assertNoErrors(page);
  await page.context().close();
});

test('ISF board: a refused move\'s error stays through another task\'s arrival until the user acts; an unfolded history stays unfolded', async () => {
  // Two days on, 08:00-12:00 in Gaza (the contingents' caveats bar the night).
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza' }).format(new Date(Date.now() + 2 * D));
  const from = new Date(gazaLocal(day, 8)), until = new Date(gazaLocal(day, 12));
  const task = async () => (await post('isf.hq', '/api/v1/tasks', { type: 'patrol', geometry: { type: 'Point', coordinates: [34.30, 31.34] }, radius_m: 200,
    window_from: from.toISOString(), window_until: until.toISOString(), use_of_force: 'non_lethal' })).id;
  const id = await task();
  let st = (await post('isf.hq', `/api/v1/tasks/${id}/assign`, { unit: 'UNIT-EGY-2' })).task.status;
  if (st === 'awaiting_approval') st = (await post('isf.egy', `/api/v1/tasks/${id}/approve`, {})).task.status;
  assert.equal((await post('isf.egy', `/api/v1/tasks/${id}/accept`, {})).task.status, 'accepted');

  const page = await open('isf.hq', 'tasks');
  const card = page.getByTestId(`task-${id}`);
  await card.getByTestId(`tk-start-${id}`).waitFor();
  await card.locator('details.task-history summary').click();
  // While HQ's page has a request of its own running, Egypt calls the task off;
  // HQ then presses Start on the card it sees, and the server refuses.
  await page.evaluate((x) => document.querySelector(`[data-testid="task-${x}"]`).setAttribute('aria-busy', 'true'), id);
  await post('isf.egy', `/api/v1/tasks/${id}/abort`, { note: 'Exercise: called off' });
  await page.waitForSelector('#tk-board[data-held]');
  await page.evaluate((x) => {
    const c = document.querySelector(`[data-testid="task-${x}"]`);
    c.removeAttribute('aria-busy');
    c.querySelector(`[data-testid="tk-start-${x}"]`).click();
  }, id);
  const error = card.getByTestId('task-error');
  await error.waitFor();
  assert.match(await error.textContent(), /aborted/, 'the server\'s reason');

  // Another task reaches the stream: the board waits, the error stays.
  const other = await task();
  await page.waitForTimeout(PAST_RELOAD);
  assert.ok(await error.isVisible(), 'the error is still shown');
  assert.equal(await page.getByTestId(`task-${other}`).count(), 0, 'the reload waits');
  assert.match(await page.evaluate(() => document.getElementById('tk-board').dataset.held || ''), /Updates are waiting/);

  // The user reads it and goes on (a click anywhere): the board is drawn again.
  await page.locator('#view-tasks h1, #view-tasks h2').first().click();
  await page.getByTestId(`task-${other}`).waitFor();
  const closed = page.locator(`[data-testid="tk-col-closed"] [data-testid="task-${id}"]`);
  await closed.waitFor();
  assert.equal(await closed.getByTestId('task-error').count(), 0, 'the error went with the redraw');
  assert.ok(await closed.locator('details.task-history').evaluate((d) => d.open), 'the history is still unfolded');
  assertNoErrors(page);
  await page.context().close();
});

// ISF tasking in the browser (issue 5): a new ISF HQ officer creates an
// arrest in Khan Younis on the task board (area clicked on the map), opens
// the assignment dialog, reads why the Azerbaijani company is excluded (its
// caveats: no arrests, no detention), sees a refusal with the server's
// reasons when the chosen unit became busy meanwhile, and assigns it to an
// eligible Egyptian unit; the Egyptian contingent, in its own browser,
// records the national approval, accepts, starts and completes it with an
// outcome report, while HQ's board follows live. A contingent declines a
// task with a reason (required) and HQ sees it ready to assign again. The
// caveat matrix shows every contingent with each rule in plain words (and a
// contingent only its own); units appear on the mission map with the age of
// their reports, stale ones faded; a contingent's strength over time is
// charted and HQ records a new figure; the pages work in Arabic, right to left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, shot, EN, AR, assertNoErrors, assertNoForeignRequests } from './browser.mjs';

let server, browser, hq, egy, idn;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  hq = (await server.login('isf.hq')).token;
  egy = (await server.login('isf.egy')).token;
  idn = (await server.login('isf.idn')).token;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const H = 3600e3, D = 24 * H;
const KHAN_YOUNIS = [34.306, 31.346];
// A day (YYYY-MM-DD) in the mission's time zone, and a time typed into a datetime-local field.
const gazaDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Gaza' }).format(new Date(ms));
function metres(a, b) {
  const r = (d) => (d * Math.PI) / 180;
  const s = Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(s));
}
// The UTC instant of a wall-clock time in Asia/Gaza (for checking what the form sent).
function gazaToUtc(local) {
  const guess = Date.parse(`${local}:00Z`);
  const off = (ms) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Gaza', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute) - Math.floor(ms / 60000) * 60000;
  };
  return guess - off(guess - off(guess));
}

async function open(username, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  return page;
}
// Goes to a page through the navigation, as a user would: the ISF entry
// opens the task board, whose tabs lead to the caveats and the contingents.
async function nav(page, route) {
  const sub = ['caveats', 'contingents'].includes(route);
  await page.getByTestId(`nav-${sub ? 'tasks' : route}`).click();
  if (sub) {
    await page.waitForFunction(() => document.body.dataset.route === 'tasks');
    await page.getByTestId(`subnav-${route}`).click();
  }
  await page.waitForFunction((r) => document.body.dataset.route === r, route);
  if (sub || route === 'tasks') {
    assert.equal(await page.getByTestId('nav-tasks').getAttribute('aria-current'), 'page', 'the ISF entry is the current one');
    assert.equal(await page.getByTestId(`subnav-${route}`).getAttribute('aria-current'), 'page');
  }
}
const col = (page, status, id) => page.locator(`[data-testid="tk-col-${status}"] [data-testid="task-${id}"]`);

async function clickMap(page, lonlat) {
  const xy = await page.evaluate((p) => {
    const m = window.truce.isf.tasks.mm.map;
    const pt = m.latLngToContainerPoint([p[1], p[0]]);
    const r = m.getContainer().getBoundingClientRect();
    return [r.left + m.getContainer().clientLeft + pt.x, r.top + m.getContainer().clientTop + pt.y];
  }, lonlat);
  await page.mouse.click(xy[0], xy[1]);
}

async function apiTask(body) {
  const r = await server.api('POST', '/api/v1/tasks', { token: hq, body });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
async function act(token, id, action, body = {}) {
  const r = await server.api('POST', `/api/v1/tasks/${id}/${action}`, { token, body });
  assert.ok(r.status >= 200 && r.status < 300, `${action} ${id}: ${r.text}`);
  return r.body.task;
}

test('ISF HQ creates an arrest in Khan Younis, sees why a unit is excluded, assigns it; the Egyptian contingent approves, accepts and completes it', async () => {
  const page = await open('isf.hq');
  await nav(page, 'tasks');
  assert.ok(await page.getByTestId('exercise-banner').isVisible(), 'the exercise banner stays');
  assert.equal(await page.locator('#tasks-title').textContent(), EN['isf.tasks.title']);
  // The board has a column for each status; the escort the scenario's movement asked for is a draft.
  for (const c of ['draft', 'awaiting_approval', 'assigned', 'accepted', 'in_progress', 'closed']) {
    assert.ok(await page.getByTestId(`tk-col-${c}`).isVisible(), `column ${c}`);
  }
  await page.waitForSelector('#tk-board[data-ready="1"] [data-testid="task-TSK-1"]');
  assert.equal(await col(page, 'draft', 'TSK-1').locator('.card-title').textContent(), EN['isf.task_type.convoy_escort']);

  // ---- a new task: the area clicked on the map ----
  await page.getByTestId('tk-new').click();
  assert.equal(await page.getByTestId('tk-new').getAttribute('aria-expanded'), 'true');
  await page.waitForSelector('#tk-map[data-ready="1"]');
  // Every field has a label.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#tk-form input, #tk-form select, #tk-form textarea')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, [], 'every field of the task form has a label');
  await page.getByTestId('tk-type').selectOption('arrest');
  await clickMap(page, KHAN_YOUNIS);
  const typed = [Number(await page.getByTestId('tk-lon').inputValue()), Number(await page.getByTestId('tk-lat').inputValue())];
  assert.ok(metres(typed, KHAN_YOUNIS) < 150, `the click set the centre near Khan Younis (${typed})`);
  assert.equal(await page.getByTestId('tk-sector').textContent(), EN['isf.form.in_sector'].replace('{sector}', 'Khan Younis'));
  assert.equal(await page.locator('#tk-map path.tk-area').count(), 1, 'the area is drawn');
  await page.getByTestId('tk-radius').fill('400');
  // Tomorrow 10:00–14:00 mission time (outside Egypt's no-operation hours 23:00–05:00).
  const day = gazaDay(Date.now() + D);
  await page.getByTestId('tk-from').fill(`${day}T10:00`);
  await page.getByTestId('tk-until').fill(`${day}T14:00`);
  await page.getByTestId('tk-cap-military_police').check();
  await page.getByTestId('tk-strength').fill('60');
  await page.getByTestId('tk-flag-detention').check();
  const desc = 'Arrest of a weapons smuggler in Khan Younis';
  await page.getByTestId('tk-desc').fill(desc);
  // Use of force not chosen: the server's error shows next to its field.
  await page.getByTestId('tk-submit').click();
  await page.waitForSelector('#tk-force-error:not([hidden])');
  assert.equal(await page.getByTestId('tk-force').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#tk-force-error').textContent(), /use_of_force/);
  assert.ok(await page.evaluate(() => document.activeElement.id === 'tk-force'), 'focus moves to the field in error');
  await page.getByTestId('tk-force').selectOption('lethal_self_defence');
  await page.getByTestId('tk-submit').click();
  await page.waitForFunction(() => /TSK-\d+/.test(document.querySelector('[data-testid="tk-status"]').textContent));
  const id = /TSK-\d+/.exec(await page.getByTestId('tk-status').textContent())[0];
  assert.ok(await page.getByTestId('tk-create').isHidden(), 'the form closes');
  const card = col(page, 'draft', id);
  await card.waitFor();
  assert.equal(await card.locator('.card-title').textContent(), EN['isf.task_type.arrest']);
  assert.match(await card.textContent(), /Khan Younis/);
  assert.match(await card.textContent(), new RegExp(desc));
  assert.ok(await page.evaluate((x) => document.activeElement.dataset.testid === `tk-assign-${x}`, id), 'focus goes to the new task\'s Assign button');
  // What the server recorded is what was entered.
  const rec = (await server.api('GET', `/api/v1/tasks/${id}`, { token: hq })).body;
  assert.equal(rec.type, 'arrest');
  assert.equal(rec.status, 'draft');
  assert.equal(rec.radius_m, 400);
  assert.ok(metres(rec.geometry.coordinates, KHAN_YOUNIS) < 150);
  assert.deepEqual(rec.capabilities, ['military_police']);
  assert.equal(rec.strength, 60);
  assert.equal(rec.detention, true);
  assert.equal(rec.use_of_force, 'lethal_self_defence');
  assert.equal(Date.parse(rec.window_from), gazaToUtc(`${day}T10:00`));
  assert.equal(Date.parse(rec.window_until), gazaToUtc(`${day}T14:00`));

  // ---- the assignment dialog ----
  await page.getByTestId(`tk-assign-${id}`).click();
  const dlg = page.getByTestId('assign-dialog');
  await page.waitForSelector('#assign-dialog[open][data-ready="1"]');
  assert.equal(await page.locator('#assign-title').textContent(), EN['isf.assign.title'].replace('{id}', id));
  // Azerbaijan's company is excluded, with each caveat the arrest breaks.
  const aze = dlg.getByTestId('excluded-UNIT-AZE-1');
  assert.ok(await aze.isVisible());
  const azeCaveats = await aze.locator('.reasons li').evaluateAll((li) => li.map((x) => x.dataset.caveat));
  for (const c of ['allowed_task_types', 'no_detention', 'no_action_against_armed_groups', 'capabilities']) assert.ok(azeCaveats.includes(c), `UNIT-AZE-1 excluded for ${c} (${azeCaveats})`);
  const nd = aze.locator('.reasons li[data-caveat="no_detention"]');
  assert.equal(await nd.locator('.reason-caveat').textContent(), EN['isf.caveat.no_detention']);
  assert.match(await aze.locator('.reasons li[data-caveat="allowed_task_types"] .reason-text').textContent(), /Azerbaijan does not allow arrest/);
  // The Egyptian engineers have the wrong capability; the military police is the one candidate, held for approval.
  assert.deepEqual(await dlg.getByTestId('excluded-UNIT-EGY-1').locator('.reasons li').evaluateAll((li) => li.map((x) => x.dataset.caveat)), ['capabilities']);
  const cands = await page.locator('#assign-candidates > li.cand').evaluateAll((li) => li.map((x) => x.dataset.unit));
  assert.deepEqual(cands, ['UNIT-EGY-2']);
  const cand = dlg.getByTestId('candidate-UNIT-EGY-2');
  assert.equal(await cand.locator('.cand-rank').textContent(), '1');
  assert.equal(await cand.getByTestId('candidate-approval').textContent(), EN['isf.assign.approval'].replace('{h}', '12'));
  // Escape closes the dialog and gives the focus back to the Assign button.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#assign-dialog').open);
  await page.waitForFunction((x) => document.activeElement.dataset.testid === `tk-assign-${x}`, id, { timeout: 3000 });

  // Meanwhile the unit is given another task in the same window: the assignment is refused, with the server's reason.
  await page.getByTestId(`tk-assign-${id}`).click();
  await page.waitForSelector('#assign-dialog[open][data-ready="1"] [data-testid="assign-UNIT-EGY-2"]');
  const other = await apiTask({ type: 'patrol', geometry: { type: 'Point', coordinates: [34.29, 31.33] }, radius_m: 300, window_from: rec.window_from, window_until: rec.window_until, use_of_force: 'non_lethal' });
  await act(hq, other, 'assign', { unit: 'UNIT-EGY-2' });
  await dlg.getByTestId('assign-UNIT-EGY-2').click();
  const refused = page.getByTestId('assign-refused');
  await refused.waitFor();
  assert.match(await refused.textContent(), new RegExp(EN['isf.assign.refused'].replace('{unit}', 'UNIT-EGY-2').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.deepEqual(await refused.locator('.reasons li').evaluateAll((li) => li.map((x) => x.dataset.caveat)), ['busy']);
  assert.equal(await refused.locator('.reason-caveat').textContent(), EN['isf.caveat.busy']);
  await page.waitForSelector('#assign-dialog [data-testid="excluded-UNIT-EGY-2"]');
  assert.ok(await dlg.getByTestId('no-candidates').isVisible(), 'the list is drawn again: no candidate left');
  assert.equal((await server.api('GET', `/api/v1/tasks/${id}`, { token: hq })).body.status, 'draft', 'nothing was assigned');
  // The other task is declined by Egypt: the unit is free again.
  await act(egy, other, 'decline', { note: 'Exercise: freeing the unit' });
  await page.getByTestId('assign-close').click();
  await page.getByTestId(`tk-assign-${id}`).click();
  await page.waitForSelector('#assign-dialog[open][data-ready="1"] [data-testid="assign-UNIT-EGY-2"]');
  await shot(page, 'isf-assign-dialog');
  await dlg.getByTestId('assign-UNIT-EGY-2').click();
  await page.waitForFunction(() => !document.querySelector('#assign-dialog').open);
  const held = col(page, 'awaiting_approval', id);
  await held.waitFor();
  assert.equal(await held.getByTestId('task-status').textContent(), EN['isf.status.awaiting_approval']);
  assert.equal(await held.getByTestId('task-approval').textContent(), EN['isf.tasks.approval_needed'].replace('{h}', '12'));
  assert.match(await held.getByTestId('task-unit').textContent(), /UNIT-EGY-2/);
  assert.equal(await page.getByTestId('tk-status').textContent(), EN['isf.done.assign_held'].replace('{id}', id).replace('{unit}', 'UNIT-EGY-2'));
  // HQ cannot answer for the contingent.
  assert.equal(await held.getByTestId(`tk-approve-${id}`).count(), 0);

  // ---- the Egyptian contingent, in its own browser ----
  const cpage = await open('isf.egy');
  await nav(cpage, 'tasks');
  await cpage.waitForSelector('#tk-board[data-ready="1"]');
  assert.ok(await cpage.getByTestId('tk-new').isHidden(), 'a contingent does not create tasks');
  const mine = col(cpage, 'awaiting_approval', id);
  await mine.waitFor();
  assert.match(await mine.getAttribute('class'), /needs-action/);
  assert.equal(await cpage.getByTestId('task-TSK-1').count(), 0, 'the contingent does not see the tasks of other units');
  // With the keyboard: the approval, then the acceptance.
  await mine.getByTestId(`tk-approve-${id}`).focus();
  await cpage.keyboard.press('Enter');
  const assigned = col(cpage, 'assigned', id);
  await assigned.waitFor();
  assert.match(await assigned.getByTestId('task-approval').textContent(), /isf\.egy/);
  await assigned.getByTestId(`tk-accept-${id}`).focus();
  await cpage.keyboard.press('Enter');
  await col(cpage, 'accepted', id).waitFor();
  assert.equal(await cpage.getByTestId('tk-status').textContent(), EN['isf.done.accept'].replace('{id}', id));
  let srv = (await server.api('GET', `/api/v1/tasks/${id}`, { token: hq })).body;
  assert.equal(srv.status, 'accepted');
  assert.deepEqual(srv.history.map((x) => x.status), ['draft', 'awaiting_approval', 'assigned', 'accepted']);
  assert.equal(srv.approval.granted, true);
  // HQ's board follows live (event stream).
  await col(page, 'accepted', id).waitFor({ timeout: 10000 });

  // Start, then complete with an outcome report.
  await col(cpage, 'accepted', id).getByTestId(`tk-start-${id}`).click();
  await col(cpage, 'in_progress', id).getByTestId(`tk-complete-${id}`).click();
  await cpage.waitForSelector('#task-action-dialog[open] #ta-outcome:not([hidden])');
  await cpage.getByTestId('ta-weapons').fill('3');
  await cpage.getByTestId('ta-detained').fill('1');
  await cpage.getByTestId('ta-incidents').fill('INC-4, INC-7');
  await cpage.getByTestId('ta-outcome-summary').fill('Suspect detained without incident; three rifles seized.');
  await cpage.getByTestId('ta-submit').click();
  const done = col(cpage, 'closed', id);
  await done.waitFor();
  assert.equal(await done.getByTestId('task-status').textContent(), EN['isf.status.completed']);
  assert.match(await done.getByTestId('task-outcome').textContent(), /3 weapons seized, 1 people detained/);
  srv = (await server.api('GET', `/api/v1/tasks/${id}`, { token: hq })).body;
  assert.equal(srv.status, 'completed');
  assert.deepEqual(srv.outcome, { weapons_seized: 3, people_detained: 1, incidents: ['INC-4', 'INC-7'], summary: 'Suspect detained without incident; three rifles seized.' });
  await shot(cpage, 'isf-board-contingent');
  for (const p of [page, cpage]) { assertNoErrors(p); assertNoForeignRequests(p); }
  await cpage.context().close();
  await page.context().close();
});

test('a contingent declines a task only with a reason; ISF HQ sees the reason and may assign it again', async () => {
  const day = gazaDay(Date.now() + 2 * D);
  const id = await apiTask({ type: 'checkpoint', geometry: { type: 'Point', coordinates: [34.30, 31.34] }, radius_m: 200,
    window_from: new Date(gazaToUtc(`${day}T08:00`)).toISOString(), window_until: new Date(gazaToUtc(`${day}T12:00`)).toISOString(), use_of_force: 'non_lethal', capabilities: ['military_police'] });
  await act(hq, id, 'assign', { unit: 'UNIT-EGY-2' });
  const cpage = await open('isf.egy');
  await nav(cpage, 'tasks');
  const card = col(cpage, 'assigned', id);
  await card.waitFor();
  await card.getByTestId(`tk-decline-${id}`).click();
  await cpage.waitForSelector('#task-action-dialog[open]');
  assert.ok(await cpage.locator('#ta-outcome').isHidden());
  assert.equal(await cpage.locator('#ta-note-label').textContent(), EN['isf.note.decline']);
  assert.ok(await cpage.evaluate(() => document.activeElement.id === 'ta-note'), 'the dialog opens on the reason');
  const unlabelled = await cpage.evaluate(() => [...document.querySelectorAll('#ta-form input, #ta-form textarea')]
    .filter((e) => !(e.labels && e.labels.length && e.labels[0].textContent.trim())).map((e) => e.id));
  assert.deepEqual(unlabelled, [], 'every field of the dialog has a label');
  // No reason: refused here, next to the field.
  await cpage.getByTestId('ta-submit').click();
  await cpage.waitForSelector('#ta-note-error:not([hidden])');
  assert.equal(await cpage.getByTestId('ta-note').getAttribute('aria-invalid'), 'true');
  assert.equal((await server.api('GET', `/api/v1/tasks/${id}`, { token: hq })).body.status, 'assigned');
  const reason = 'Company on rest rotation that day';
  await cpage.getByTestId('ta-note').fill(reason);
  await cpage.getByTestId('ta-submit').click();
  const closed = col(cpage, 'closed', id);
  await closed.waitFor();
  assert.equal(await closed.getByTestId('task-status').textContent(), EN['isf.status.declined']);
  assert.match(await closed.getByTestId('task-reason').textContent(), new RegExp(reason));
  // HQ: the declined task carries the reason and can be assigned again.
  const page = await open('isf.hq');
  await nav(page, 'tasks');
  const hqCard = col(page, 'closed', id);
  await hqCard.waitFor();
  assert.match(await hqCard.getByTestId('task-reason').textContent(), new RegExp(reason));
  assert.equal(await hqCard.getByTestId(`tk-assign-${id}`).textContent(), EN['isf.tasks.reassign']);
  // The filter by contingent keeps it under Egypt.
  await page.getByTestId('tk-filter').selectOption('CTG-AZE');
  assert.equal(await page.getByTestId(`task-${id}`).count(), 0);
  await page.getByTestId('tk-filter').selectOption('CTG-EGY');
  assert.equal(await page.getByTestId(`task-${id}`).count(), 1);
  for (const p of [page, cpage]) assertNoErrors(p);
  await cpage.context().close();
  await page.context().close();
});

test('the caveat matrix shows every contingent, each rule in plain words; a contingent sees its own', async () => {
  const contingents = (await server.api('GET', '/api/v1/contingents', { token: hq })).body.contingents;
  assert.ok(contingents.length >= 4);
  const page = await open('isf.hq');
  await nav(page, 'caveats');
  await page.waitForSelector('#cv-table[data-ready="1"]');
  const rows = await page.locator('#cv-table tbody tr').evaluateAll((tr) => tr.map((x) => x.dataset.contingent));
  assert.deepEqual(rows.sort(), contingents.map((c) => c.id).sort(), 'a row for every contingent');
  const heads = await page.locator('#cv-table thead th[data-caveat]').allTextContents();
  assert.deepEqual(heads, ['allowed_task_types', 'sectors_allowed', 'sectors_excluded', 'no_ops_hours', 'max_use_of_force',
    'no_crowd_riot_control', 'no_detention', 'no_action_against_armed_groups', 'max_distance_from_base_km', 'national_approval'].map((c) => EN[`isf.caveat.${c}`]));
  const cell = (c, k) => page.getByTestId(`cv-${c}-${k}`).textContent();
  assert.equal(await cell('CTG-AZE', 'no_detention'), EN['isf.rule.no_detention']);
  assert.equal(await cell('CTG-AZE', 'max_distance_from_base_km'), EN['isf.rule.max_distance_from_base_km'].replace('{n}', '25'));
  assert.equal(await cell('CTG-AZE', 'sectors_allowed'), 'Only in Rafah and Khan Younis');
  assert.match(await cell('CTG-AZE', 'allowed_task_types'), /^Only: Patrol, Checkpoint, .*Training support$/);
  assert.equal(await cell('CTG-EGY', 'no_ops_hours'), 'No operations from 23:00 to 05:00 (mission time)');
  assert.equal(await cell('CTG-EGY', 'sectors_excluded'), 'Never in North Gaza');
  assert.equal(await cell('CTG-EGY', 'national_approval'), 'National approval first for: Cordon and search, Arrest, and Weapons cache seizure (about 12 h)');
  assert.equal(await cell('CTG-EGY', 'no_detention'), EN['isf.cv.none']);
  assert.equal(await cell('CTG-IDN', 'max_use_of_force'), `At most: ${EN['isf.force.non_lethal']}`);
  const uae = await page.locator('[data-testid="cv-row-CTG-ARE"] td').allTextContents();
  assert.equal(uae.length, 10);
  assert.ok(uae.every((x) => x === EN['isf.cv.none']), 'no caveats recorded for the UAE');
  // A time before the caveats took effect: nothing in force yet.
  await page.getByTestId('cv-at').fill('2020-01-01T12:00');
  await page.getByTestId('cv-show').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cv-CTG-AZE-no_detention"]')?.classList.contains('is-none'));
  await page.getByTestId('cv-now').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cv-CTG-AZE-no_detention"]')?.classList.contains('is-rule'));
  await shot(page, 'isf-caveats');
  assertNoErrors(page);
  await page.context().close();
  // The Azerbaijani contingent sees its own row only.
  const aze = await open('isf.aze');
  await nav(aze, 'caveats');
  await aze.waitForSelector('#cv-table[data-ready="1"]');
  assert.deepEqual(await aze.locator('#cv-table tbody tr').evaluateAll((tr) => tr.map((x) => x.dataset.contingent)), ['CTG-AZE']);
  await aze.context().close();
});

test('units appear on the mission map with the age of their last report; reports older than six hours are faded', async () => {
  // The scenario's Azerbaijani headquarters last reported eight hours before
  // the data was made (position_at "now-8h"); a report older than the current
  // one would only go to the unit's history.
  const units = (await server.api('GET', '/api/v1/units', { token: hq })).body.units;
  const page = await open('isf.hq');
  await nav(page, 'map');
  await page.waitForSelector('#map[data-ready="1"] [data-testid="unit-UNIT-AZE-HQ"]');
  for (const u of units) assert.equal(await page.getByTestId(`unit-${u.id}`).count(), 1, `${u.id} is on the map`);
  const stale = page.getByTestId('unit-UNIT-AZE-HQ');
  const fresh = page.getByTestId('unit-UNIT-EGY-2');
  assert.equal(await stale.getAttribute('data-stale'), '1');
  assert.equal(await fresh.getAttribute('data-stale'), '0');
  const opacity = (l) => l.evaluate((e) => Number(getComputedStyle(e).opacity));
  assert.ok(await opacity(stale) < 0.6, 'the stale position is faded');
  assert.equal(await opacity(fresh), 1);
  // The list beside the map: every unit with the age of its report; the keyboard route to each.
  await page.waitForSelector('#map-units:not([hidden])');
  const item = page.getByTestId('unit-item-UNIT-AZE-HQ');
  assert.match(await item.textContent(), /8 h ago/);
  assert.match(await item.textContent(), new RegExp(EN['isf.map.stale']));
  assert.match(await page.getByTestId('unit-item-UNIT-EGY-2').textContent(), /(just now|\d+ min ago)/);
  assert.doesNotMatch(await page.getByTestId('unit-item-UNIT-EGY-2').textContent(), new RegExp(`\\b${EN['isf.map.stale']}\\b`));
  assert.equal(await page.locator('#map-unit-list > li').count(), units.length);
  await item.focus();
  await page.keyboard.press('Enter');
  const popup = page.getByTestId('unit-popup');
  await popup.waitFor();
  assert.equal(await popup.getByTestId('unit-stale-note').textContent(), EN['isf.map.stale_note']);
  assert.match(await popup.textContent(), /Azerbaijani contingent headquarters/);
  await shot(page, 'isf-units-map');
  assertNoErrors(page);
  await page.context().close();
});

test('a contingent page charts its strength over time; ISF HQ records a new figure', async () => {
  const page = await open('isf.hq');
  await nav(page, 'contingents');
  await page.getByTestId('ctg-link-CTG-EGY').click();
  await page.waitForSelector('#ctg-detail[data-contingent="CTG-EGY"]');
  const before = (await server.api('GET', '/api/v1/contingents/CTG-EGY', { token: hq })).body;
  assert.equal(await page.getByTestId('ctg-pledged').textContent(), String(before.pledged));
  assert.equal(await page.getByTestId('ctg-deployed').textContent(), String(before.deployed));
  const n0 = before.strength_history.length;
  assert.equal(await page.getByTestId('strength-chart').getAttribute('data-points'), String(n0));
  assert.equal(await page.locator('[data-testid="strength-chart"] circle.dot-deployed').count(), n0);
  await page.getByTestId('ctg-f-deployed').fill(String(before.deployed + 150));
  await page.getByTestId('ctg-f-note').fill('Second military police company arrived');
  await page.getByTestId('ctg-f-submit').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="strength-chart"]')?.dataset.points === String(n), n0 + 1);
  assert.equal(await page.getByTestId('ctg-deployed').textContent(), String(before.deployed + 150));
  const after = (await server.api('GET', '/api/v1/contingents/CTG-EGY', { token: hq })).body;
  assert.equal(after.deployed, before.deployed + 150);
  assert.equal(after.strength_history.length, n0 + 1);
  // The chart's text alternative and the table carry the same figures.
  assert.match(await page.getByTestId('strength-chart-desc').textContent(), new RegExp(`now ${before.deployed + 150} deployed of ${before.pledged} pledged`));
  await page.locator('.chart-table summary').click();
  assert.equal(await page.locator('[data-testid="strength-table"] tbody tr').count(), n0 + 1);
  assert.match(await page.locator('[data-testid="strength-table"] tbody tr').first().textContent(), /Second military police company arrived/);
  assert.equal(await page.locator('[data-testid="ctg-units"] tbody tr').count(), 2, 'the Egyptian units');
  await shot(page, 'isf-contingent');
  assertNoErrors(page);
  await page.context().close();
  // A contingent sees its own contingent only, without the HQ form.
  const c = await open('isf.idn');
  await nav(c, 'contingents');
  await c.waitForSelector('#ctg-detail[data-contingent="CTG-IDN"]');
  assert.deepEqual(await c.locator('#ctg-list a').evaluateAll((a) => a.map((x) => x.dataset.testid)), ['ctg-link-CTG-IDN']);
  assert.equal(await c.getByTestId('ctg-strength-form').count(), 0);
  await c.context().close();
});

test('in Arabic the ISF pages are right to left, with no English interface string left', async () => {
  const page = await open('isf.hq', { lang: 'ar' });
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v)).map(([, v]) => v));
  const leftovers = async () => (await page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const s = n.textContent.trim();
      const e = n.parentElement;
      if (!s || !e || e.closest('[hidden], script, style')) continue;
      if (!e.getClientRects().length) continue;
      out.push(s);
    }
    return out;
  })).filter((s) => english.has(s));
  await nav(page, 'tasks');
  await page.waitForSelector('#tk-board[data-ready="1"] [data-testid="task-TSK-1"]');
  assert.equal(await page.locator('[data-testid="tk-col-draft"] .task-col-title').evaluate((e) => e.firstChild.textContent), AR['isf.column.draft']);
  // The first column (draft) is on the right in Arabic.
  const [d, c] = await Promise.all(['draft', 'closed'].map((x) => page.getByTestId(`tk-col-${x}`).boundingBox()));
  assert.ok(d.x > c.x, 'columns run right to left');
  await page.getByTestId('tk-new').click();
  await page.waitForSelector('#tk-map[data-ready="1"]');
  assert.deepEqual(await leftovers(), [], 'English left on the task board');
  await page.getByTestId('tk-assign-TSK-1').click();
  await page.waitForSelector('#assign-dialog[open][data-ready="1"]');
  assert.equal(await page.locator('#assign-cand-title').textContent(), AR['isf.assign.candidates']);
  const caveatNames = await page.locator('#assign-excluded .reason-caveat').allTextContents();
  assert.ok(caveatNames.length > 0 && caveatNames.every((x) => Object.keys(AR).some((k) => k.startsWith('isf.caveat.') && AR[k] === x)), 'the reasons name the caveats in Arabic');
  assert.deepEqual(await leftovers(), [], 'English left in the assignment dialog');
  await page.keyboard.press('Escape');
  await nav(page, 'caveats');
  await page.waitForSelector('#cv-table[data-ready="1"]');
  assert.equal(await page.getByTestId('cv-CTG-AZE-no_detention').textContent(), AR['isf.rule.no_detention']);
  const [first, last] = await Promise.all(['.cv-corner', 'th[data-caveat="national_approval"]'].map((s) => page.locator(`#cv-table thead ${s}`).boundingBox()));
  assert.ok(first.x > last.x, 'the nation column is on the right');
  assert.deepEqual(await leftovers(), [], 'English left on the caveat matrix');
  await nav(page, 'contingents');
  await page.waitForSelector('#ctg-detail[data-contingent]');
  assert.deepEqual(await leftovers(), [], 'English left on the contingents page');
  await nav(page, 'map');
  await page.waitForSelector('#map-units:not([hidden])');
  assert.deepEqual(await leftovers(), [], 'English left on the map');
  await shot(page, 'isf-caveats-ar');
  assertNoErrors(page);
  await page.context().close();
});

// Operation coordination in the browser (issue 6), as new users of each role
// would use it: the IDF liaison notifies a coordinate operation by clicking
// the map, overlapping a clinic's protection (SITE-2); the CMCC watch
// officer finds it on the board with a countdown, and is refused when he
// concurs (the server's 403 shows next to the decision); the CMCC commander
// requests narrowing and sees the proposal drawn beside the area; the IDF
// liaison accepts the proposal; the watch officer concurs, now without
// conflict. Then: an objection goes up to the State Department's desk, the
// board's queues, the board in Arabic and by keyboard, and a humanitarian
// account whose advisory inbox and pages show nothing of any operation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, AR, assertNoErrors, assertNoForeignRequests } from './browser.mjs';

let server, browser, idfToken;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  idfToken = (await server.login('idf.liaison')).token;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const H = 3600e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const CENTRE = [34.315, 31.365];          // 2 km around it reaches SITE-2's protection (300 m)
const SITE2 = 'SITE-2';
const DESCRIPTION = 'Search of a tunnel shaft near the clinic (exercise)';
const OTHER_DESCRIPTION = 'Arrest of a cell leader (exercise)';
const INFORM_DESCRIPTION = 'Strike on a rocket launcher (exercise)';
const AMEND_DESCRIPTION = 'Demolition of a tunnel entrance (exercise)';
const state = {};

async function open(username, route, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  if (route) await goto(page, route);
  return page;
}
const navRoutes = (page) => page.$$eval('#nav-list a', (as) => as.map((a) => a.dataset.route));
const text = (page, testid) => page.getByTestId(testid).innerText();
async function operation(id) {
  const r = await server.api('GET', `/api/v1/operations/${id}`, { token: idfToken });
  assert.equal(r.status, 200);
  return r.body;
}

test('a notice goes from the IDF liaison through a narrowing request to a concurrence', async () => {
  // ---- the IDF liaison notifies a coordinate operation ----
  const idf = await open('idf.liaison', 'notices');
  const nav = await navRoutes(idf);
  assert.ok(nav.includes('notices'), 'the liaison is offered the notices page');
  assert.ok(!nav.includes('ops') && !nav.includes('advisories'), 'but not the CMCC board nor the advisory inbox');
  await idf.waitForSelector('#on-map[data-ready="1"]');
  await idf.waitForSelector('#view-notices[data-ready="1"]');
  assert.equal(await idf.getByTestId('on-empty').isVisible(), true, 'no notices yet');
  // The exercise banner stays on the page.
  assert.equal(await idf.getByTestId('exercise-banner').isVisible(), true);
  // Every control of the form has a label.
  const unlabelled = await idf.$$eval('#on-form input:not([type="radio"]), #on-form select, #on-form textarea',
    (els) => els.filter((e) => !e.labels.length && !e.getAttribute('aria-label')).map((e) => e.id));
  assert.deepEqual(unlabelled, []);

  // The area: a click on the map puts the centre there ...
  const pt = await idf.evaluate(([lon, lat]) => {
    const m = window.truce.ops.notices.omap.map;
    const p = m.latLngToContainerPoint([lat, lon]);
    return { x: p.x, y: p.y };
  }, CENTRE);
  await idf.getByTestId('on-map').click({ position: { x: Math.round(pt.x), y: Math.round(pt.y) } });
  const lat = Number(await idf.getByTestId('on-lat').inputValue()), lon = Number(await idf.getByTestId('on-lon').inputValue());
  assert.ok(Math.abs(lat - CENTRE[1]) < 0.01 && Math.abs(lon - CENTRE[0]) < 0.01, `the click put the centre near the target (${lat}, ${lon})`);
  await idf.waitForSelector('[data-testid="on-area"]');
  // ... and the liaison types the exact coordinates and the radius.
  await idf.getByTestId('on-lat').fill(String(CENTRE[1]));
  await idf.getByTestId('on-lon').fill(String(CENTRE[0]));
  await idf.getByTestId('on-radius').fill('2000');
  await idf.getByTestId('on-kind').selectOption('ground_raid');
  await idf.getByTestId('on-urgency').selectOption('urgent');
  assert.match(await text(idf, 'on-answer-by-hint'), /60 minutes/, 'the default time to answer for "urgent" is shown');
  await idf.getByTestId('on-description').fill(DESCRIPTION);
  await idf.getByTestId('on-submit').click();

  await idf.waitForSelector('[data-testid="on-details"][data-status="pending"]');
  const id = await idf.getByTestId('on-details').getAttribute('data-id');
  assert.match(id, /^OPN-\d+$/);
  state.id = id;
  assert.match(await text(idf, 'on-result'), new RegExp(`${id}.*1 conflict`));
  assert.equal(await idf.getByTestId('on-conflict-count').getAttribute('data-count'), '1');
  assert.equal(await idf.locator(`#on-detail [data-testid="on-conflict-site-${SITE2}"]`).count(), 1, 'the clinic is listed as a conflict');
  assert.ok(await idf.locator(`#on-map [data-testid="on-conflict-site-${SITE2}"]`).count() > 0, 'the conflict is drawn on the map');
  assert.match(await text(idf, 'on-countdown'), /left to answer/);
  assert.equal(await idf.getByTestId(`on-op-${id}`).count(), 1, 'the notice is in the list of the organisation');
  const sent = await operation(id);
  assert.equal(sent.mode, 'coordinate');
  assert.equal(sent.kind, 'ground_raid');
  assert.equal(sent.radius_m, 2000);
  assert.deepEqual(sent.geometry.coordinates, CENTRE);
  assert.equal(sent.description, DESCRIPTION);
  assert.ok(Math.abs(Date.parse(sent.answer_by) - Date.parse(sent.notified_at) - H) < 5000, 'answer_by defaults to an hour for "urgent"');
  await shot(idf, 'ops-notice-sent');

  // A second notice, needed sooner (immediate: 15 minutes), far from anything.
  const other = await server.api('POST', '/api/v1/operations', {
    token: idfToken,
    body: {
      mode: 'coordinate', kind: 'arrest', geometry: { type: 'Point', coordinates: [34.45, 31.5] }, radius_m: 100,
      window_from: iso(Date.now() + 2 * H), window_until: iso(Date.now() + 3 * H), urgency: 'immediate', description: OTHER_DESCRIPTION,
    },
  });
  assert.equal(other.status, 201, other.text);
  state.other = other.body.id;

  // ---- the CMCC watch officer: the board, the countdown, the refusal ----
  const watch = await open('cmcc.watch', 'ops');
  await watch.waitForSelector('#view-ops[data-ready="1"]');
  await watch.waitForSelector(`[data-testid="ob-op-${id}"]`);
  const order = await watch.$$eval('#ob-list .ops-item', (bs) => bs.map((b) => b.dataset.id));
  assert.deepEqual(order, [state.other, id], 'ordered by the time an answer is needed');
  const cd = watch.getByTestId(`ob-countdown-${id}`);
  assert.match(await cd.innerText(), /^\d+ min \d\d s left to answer$/);
  const s1 = Number(await cd.getAttribute('data-seconds'));
  assert.ok(s1 > 3400 && s1 <= 3600, `about an hour left (${s1} s)`);
  await watch.waitForFunction(([tid, s]) => Number(document.querySelector(`[data-testid="${tid}"]`).dataset.seconds) < s, [`ob-countdown-${id}`, s1], { timeout: 5000 });
  assert.equal(await watch.getByTestId(`ob-conflicts-${id}`).getAttribute('data-count'), '1');
  await watch.getByTestId(`ob-op-${id}`).click();
  await watch.waitForSelector(`[data-testid="ob-details"][data-id="${id}"]`);
  assert.equal(await text(watch, 'ob-description'), DESCRIPTION);
  await watch.waitForSelector('#ob-map [data-testid="ob-area"]');
  await watch.waitForSelector(`#ob-map [data-testid="ob-conflict-site-${SITE2}"]`);
  assert.match(await text(watch, 'ob-authority'), /1 conflict/);
  // Only what the life cycle allows from "pending" is offered.
  const offered = await watch.$$eval('#ob-choices input', (is) => is.map((i) => i.value));
  assert.deepEqual(offered, ['concur', 'refer', 'request_narrowing', 'object']);
  await watch.getByRole('radio', { name: new RegExp(`^${EN['ops.decision.concur']}\\b`) }).check();
  await watch.getByTestId('ob-submit').click();
  const refusal = watch.getByTestId('ob-decision-error');
  await refusal.waitFor({ state: 'visible' });
  const refusalText = await refusal.innerText();
  assert.ok(refusalText.includes(EN['error.forbidden']), refusalText);
  assert.match(refusalText, /needs the CMCC commander/, 'the server\'s own message is shown');
  assert.equal(await refusal.getAttribute('data-status'), '403');
  assert.match(await watch.locator('#ob-decision').getAttribute('aria-describedby'), /ob-decision-error/, 'the decision group points at its error');
  assert.equal((await operation(id)).status, 'pending', 'nothing was decided');
  await shot(watch, 'ops-board-refused');

  // ---- the CMCC commander requests narrowing ----
  const cdr = await open('cmcc.cdr', 'ops');
  await cdr.waitForSelector(`[data-testid="ob-op-${id}"]`);
  await cdr.getByTestId(`ob-op-${id}`).click();
  await cdr.waitForSelector(`[data-testid="ob-details"][data-id="${id}"]`);
  await cdr.getByTestId('ob-choice-request_narrowing').check();
  await cdr.getByTestId('ob-note').fill('Keep clear of the clinic');
  await cdr.getByTestId('ob-submit').click();
  await cdr.waitForSelector('[data-testid="ob-details"][data-status="narrowing_requested"]');
  await cdr.waitForSelector('[data-testid="ob-proposal-box"][data-possible="true"]');
  const prop = (await operation(id)).proposal;
  assert.equal(prop.possible, true);
  assert.ok(prop.radius_m < 2000, `a smaller radius is proposed (${prop.radius_m})`);
  assert.equal(await text(cdr, 'ob-area-kept'), `${Math.round(prop.area_kept * 100)}%`);
  assert.equal(await text(cdr, 'ob-time-kept'), `${Math.round(prop.time_kept * 100)}%`);
  assert.equal(await text(cdr, 'ob-loss'), `${Math.round(prop.loss * 100)}%`);
  // The proposal is drawn beside the original area, and it is smaller.
  const drawn = cdr.locator('#ob-map path[data-testid="ob-proposal"]');
  await drawn.first().waitFor();
  assert.equal(await drawn.first().getAttribute('data-radius'), String(prop.radius_m));
  const sizes = await cdr.evaluate(() => {
    const box = (sel) => document.querySelector(sel).getBoundingClientRect();
    return { area: box('#ob-map path[data-testid="ob-area"]').width, proposal: box('#ob-map path[data-testid="ob-proposal"]').width };
  });
  assert.ok(sizes.proposal < sizes.area && sizes.proposal > 0.7 * sizes.area, `the proposal circle is a little smaller (${sizes.proposal} < ${sizes.area})`);
  assert.match(await text(cdr, 'ob-result'), /Request narrowing recorded/);
  await shot(cdr, 'ops-board-proposal');

  // ---- the IDF liaison sees the request (live) and accepts the proposal ----
  await idf.waitForSelector('[data-testid="on-details"][data-status="narrowing_requested"]', { timeout: 15000 });
  await idf.waitForSelector('#on-map path[data-testid="on-proposal"]');
  assert.ok(await idf.locator('#on-map path[data-testid="on-area"]').count() > 0, 'the original area stays drawn beside it');
  assert.equal(await text(idf, 'on-area-kept'), `${Math.round(prop.area_kept * 100)}%`);
  assert.equal(await idf.getByTestId('on-response-accept').isChecked(), true, 'accepting the proposal is offered first');
  await shot(idf, 'ops-notice-proposal');
  await idf.getByTestId('on-respond-submit').click();
  await idf.waitForSelector('[data-testid="on-details"][data-status="pending"]');
  assert.equal(await idf.getByTestId('on-conflict-count').getAttribute('data-count'), '0', 'the accepted notice conflicts with nothing');
  assert.match(await text(idf, 'on-area-text'), new RegExp(`^${Math.round(prop.radius_m)} m around`));
  const accepted = await operation(id);
  assert.equal(accepted.radius_m, prop.radius_m);
  assert.deepEqual(accepted.conflicts, []);

  // ---- the watch officer concurs, now without conflict ----
  await watch.waitForFunction((tid) => document.querySelector(`[data-testid="${tid}"]`)?.dataset.count === '0', `ob-conflicts-${id}`, { timeout: 15000 });
  await watch.waitForSelector(`[data-testid="ob-details"][data-id="${id}"][data-status="pending"]`);
  assert.equal(await watch.getByTestId('ob-decision-error').isVisible(), false, 'the old refusal is gone with the new notice');
  await watch.getByTestId('ob-choice-concur').check();
  await watch.getByTestId('ob-submit').click();
  await watch.waitForSelector('[data-testid="ob-details"][data-status="concurred"]');
  assert.match(await text(watch, 'ob-result'), new RegExp(`${id}: Concur recorded`));
  assert.equal(await watch.getByTestId('ob-no-decision').isVisible(), true, 'nothing more to decide');
  const decisions = await watch.$$eval('[data-testid="ob-decisions"] li', (lis) => lis.map((l) => l.dataset.decision));
  assert.deepEqual(decisions, ['concur', 'request_narrowing'], 'the decisions, newest first');
  const done = await operation(id);
  assert.equal(done.status, 'concurred');
  assert.deepEqual(done.decisions.map((d) => [d.decision, d.by]), [['request_narrowing', 'cmcc.cdr'], ['concur', 'cmcc.watch']]);
  await shot(watch, 'ops-board-concurred');

  // The liaison sees the concurrence.
  await idf.waitForSelector('[data-testid="on-details"][data-status="concurred"]', { timeout: 15000 });
  for (const p of [idf, watch, cdr]) { assertNoErrors(p); assertNoForeignRequests(p); await p.context().close(); }
});

test('an objection goes up to the State Department; the CMCC queues', async () => {
  assert.ok(state.other, 'the first test made a second notice');
  const cdr = await open('cmcc.cdr', 'ops');
  await cdr.getByTestId('ob-queue-decisions').click();
  await cdr.waitForSelector(`[data-testid="ob-op-${state.other}"]`);
  assert.equal(await cdr.getByTestId(`ob-op-${state.id}`).count(), 0, 'a concurred operation waits for no decision');
  await cdr.getByTestId(`ob-op-${state.other}`).click();
  await cdr.waitForSelector(`[data-testid="ob-details"][data-id="${state.other}"]`);
  await cdr.getByTestId('ob-choice-object').check();
  assert.match(await cdr.locator('label[for="ob-reasons"]').innerText(), /required/);
  await cdr.getByTestId('ob-submit').click();
  await cdr.getByTestId('ob-reasons-error').waitFor({ state: 'visible' });
  assert.equal(await cdr.evaluate(() => document.activeElement.id), 'ob-reasons', 'focus moves to the reasons');
  assert.equal((await operation(state.other)).status, 'pending', 'nothing sent without reasons');
  await cdr.getByTestId('ob-reasons').fill('Too close to the school run');
  await cdr.getByTestId('ob-submit').click();
  await cdr.waitForSelector('[data-testid="ob-details"][data-status="objected"]');
  await cdr.waitForSelector('[data-testid="ob-escalations"]');
  assert.match(await text(cdr, 'ob-escalations'), /Secretary of State/);
  // From "objected" only concur and refer remain.
  assert.deepEqual(await cdr.$$eval('#ob-choices input', (is) => is.map((i) => i.value)), ['concur', 'refer']);

  // An inform notice over the first operation's area raises an alert on it.
  const inform = await server.api('POST', '/api/v1/operations', {
    token: idfToken,
    body: {
      mode: 'inform', kind: 'air_strike',
      geometry: { type: 'Polygon', coordinates: [[[34.29, 31.345], [34.31, 31.345], [34.31, 31.36], [34.29, 31.36], [34.29, 31.345]]] },
      window_from: iso(Date.now() + 1.5 * H), window_until: iso(Date.now() + 2.5 * H), urgency: 'priority', description: INFORM_DESCRIPTION,
    },
  });
  assert.equal(inform.status, 201, inform.text);
  state.inform = inform.body.id;
  assert.ok(inform.body.operation.advisories.length > 0, 'the organisations nearby are advised');
  await cdr.getByTestId('ob-queue-alerts').click();
  await cdr.waitForSelector(`[data-testid="ob-op-${state.id}"]`, { timeout: 15000 });
  assert.equal(await cdr.getByTestId(`ob-alerts-${state.id}`).innerText(), '1 alert(s)');
  await cdr.getByTestId(`ob-op-${state.id}`).click();
  await cdr.waitForSelector('[data-testid="ob-alerts"]');
  // A concurred operation with an alert may be reconsidered.
  assert.deepEqual(await cdr.$$eval('#ob-choices input', (is) => is.map((i) => i.value)), ['refer', 'request_narrowing', 'object']);
  assertNoErrors(cdr);
  await cdr.context().close();

  // The Secretary of State's desk sees the objection in its queue.
  const state2 = await open('state.desk', 'escalations');
  const nav = await navRoutes(state2);
  assert.ok(nav.includes('escalations') && !nav.includes('ops') && !nav.includes('notices'));
  await state2.waitForSelector('#view-escalations[data-ready="1"]');
  await state2.waitForSelector(`[data-testid="oe-op-${state.other}"]`);
  assert.deepEqual(await state2.$$eval('#oe-list .ops-item', (bs) => bs.map((b) => b.dataset.id)), [state.other], 'only what was escalated to it');
  await state2.getByTestId(`oe-op-${state.other}`).click();
  await state2.waitForSelector(`[data-testid="oe-details"][data-id="${state.other}"]`);
  assert.match(await text(state2, 'oe-decisions'), /Too close to the school run/, 'with the reasons');
  assert.equal(await state2.locator('#oe-form').count(), 0, 'no decision form for the desk');
  await shot(state2, 'ops-escalations-state');
  assertNoErrors(state2);
  await state2.context().close();
});

test('the board in Arabic, right to left, and by keyboard', async () => {
  const page = await open('cmcc.cdr', 'ops', { lang: 'ar' });
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  await page.waitForSelector('#view-ops[data-ready="1"]');
  await page.waitForSelector(`[data-testid="ob-op-${state.id}"]`);
  assert.equal(await page.locator('#ob-title').innerText(), AR['ops.board.title']);
  // The list starts at the right-hand side.
  const [list, map] = await page.evaluate(() => ['#ob-list', '#ob-map'].map((s) => document.querySelector(s).getBoundingClientRect().left));
  assert.ok(list > map, 'the list is on the right in Arabic');
  // By keyboard: Tab reaches an operation, Enter opens it, focus moves to its record.
  await page.getByTestId(`ob-op-${state.id}`).focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-testid="ob-details"][data-id="${state.id}"]`);
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-testid="ob-details"]') !== null), true);
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('#view-ops')), 'Tab goes on within the page');
  // No English interface string is left on the board.
  const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v) && k.startsWith('ops.')).map(([, v]) => v));
  const texts = await page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.querySelector('#view-ops'), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) { const s = n.textContent.trim(); if (s && n.parentElement.getClientRects().length) out.push(s); }
    return out;
  });
  assert.deepEqual(texts.filter((s) => english.has(s)), [], 'English left on the Arabic board');
  assert.ok(texts.includes(AR['ops.kind.ground_raid']), 'kinds in Arabic');
  await shot(page, 'ops-board-ar');
  assertNoErrors(page);
  await page.context().close();
});

test('the liaison amends a notice, answers a second request, and reports the outcome', async () => {
  const cdrToken = (await server.login('cmcc.cdr')).token;
  const made = await server.api('POST', '/api/v1/operations', {
    token: idfToken,
    body: {
      mode: 'coordinate', kind: 'engineering_demolition', geometry: { type: 'Point', coordinates: [34.40, 31.45] }, radius_m: 800,
      window_from: iso(Date.now() - 60e3), window_until: iso(Date.now() + 2 * H), urgency: 'routine', description: AMEND_DESCRIPTION,
    },
  });
  assert.equal(made.status, 201, made.text);
  const id = made.body.id;
  state.amended = id;
  const narrow = () => server.api('POST', `/api/v1/operations/${id}/decision`, { token: cdrToken, body: { decision: 'request_narrowing' } });
  assert.equal((await narrow()).status, 200);

  const idf = await open('idf.liaison', 'notices');
  await idf.waitForSelector(`[data-testid="on-op-${id}"]`);
  await idf.getByTestId(`on-op-${id}`).click();
  await idf.waitForSelector('[data-testid="on-respond-form"]');
  // Amend: a smaller radius. A bad one is refused next to the field.
  await idf.getByTestId('on-response-amend').check();
  await idf.getByTestId('on-amend-radius').fill('30000');
  await idf.getByTestId('on-respond-submit').click();
  await idf.getByTestId('on-amend-radius-error').waitFor({ state: 'visible' });
  assert.match(await text(idf, 'on-amend-radius-error'), /radius_m/);
  assert.equal((await operation(id)).status, 'narrowing_requested', 'nothing changed');
  await idf.getByTestId('on-amend-radius').fill('600');
  await idf.getByTestId('on-respond-submit').click();
  await idf.waitForSelector(`[data-testid="on-details"][data-id="${id}"][data-status="pending"]`);
  const amended = await operation(id);
  assert.equal(amended.radius_m, 600, 'the new radius is the notice\'s');
  assert.equal(amended.window_from, made.body.operation.window_from, 'the window the liaison did not touch is unchanged');
  assert.match(await text(idf, 'on-area-text'), /^600 m around/);

  // A second request, answered with a note (the note is required).
  assert.equal((await narrow()).status, 200);
  await idf.waitForSelector('[data-testid="on-respond-form"]', { timeout: 15000 });
  await idf.getByTestId('on-response-answer').check();
  await idf.getByTestId('on-respond-submit').click();
  await idf.getByTestId('on-answer-note-error').waitFor({ state: 'visible' });
  await idf.getByTestId('on-answer-note').fill('The area is the minimum for the engineers.');
  await idf.getByTestId('on-respond-submit').click();
  await idf.waitForSelector(`[data-testid="on-details"][data-id="${id}"][data-status="pending"]`);
  assert.equal(await text(idf, 'on-answer'), 'The area is the minimum for the engineers.');

  // The window has begun: the outcome.
  await idf.getByTestId('on-outcome-form').waitFor();
  await idf.getByTestId('on-outcome-result').selectOption('not_carried_out');
  await idf.getByTestId('on-outcome-note').fill('Called off (exercise)');
  await idf.getByTestId('on-outcome-submit').click();
  await idf.getByTestId('on-outcome').waitFor();
  assert.match(await text(idf, 'on-outcome'), new RegExp(EN['ops.outcome.not_carried_out']));
  assert.equal(await idf.getByTestId('on-outcome-form').count(), 0, 'reported once');
  assert.equal((await operation(id)).outcome.result, 'not_carried_out');
  await shot(idf, 'ops-notice-outcome');
  assertNoErrors(idf);
  await idf.context().close();

  // On the board: nothing more to decide, no countdown.
  const cdr = await open('cmcc.cdr', 'ops');
  await cdr.waitForSelector(`[data-testid="ob-op-${id}"]`);
  assert.equal(await cdr.getByTestId(`ob-countdown-${id}`).isVisible(), false);
  await cdr.getByTestId(`ob-op-${id}`).click();
  await cdr.waitForSelector(`[data-testid="ob-details"][data-id="${id}"]`);
  assert.equal(await text(cdr, 'ob-no-decision'), EN['ops.form.none_outcome']);
  assert.equal(await cdr.locator('#ob-form').isVisible(), false);
  assertNoErrors(cdr);
  await cdr.context().close();
});

test('a humanitarian account sees its advisory and nothing of any operation', async () => {
  assert.ok(state.inform, 'an inform notice advised MSF');
  const ngo = await open('ngo.focal', 'advisories');
  const nav = await navRoutes(ngo);
  assert.ok(nav.includes('advisories'), 'the inbox is offered');
  for (const r of ['ops', 'notices', 'escalations']) assert.ok(!nav.includes(r), `no ${r} page`);
  await ngo.waitForSelector('#view-advisories[data-ready="1"]');
  const advisories = (await server.api('GET', '/api/v1/advisories', { token: (await server.login('ngo.focal')).token })).body.advisories;
  const adv = advisories.find((a) => a.subject === SITE2);
  assert.ok(adv, 'MSF was advised about its clinic');
  const card = ngo.getByTestId(`adv-${adv.id}`);
  await card.waitFor();
  assert.equal(await ngo.getByTestId(`adv-text-${adv.id}`).innerText(), adv.text.en);
  assert.match(adv.text.en, /^SITE-2: shelter in place between/);
  await ngo.getByTestId(`adv-note-${adv.id}`).fill('Staff told to stay inside');
  await ngo.getByTestId(`adv-ack-${adv.id}`).click();
  await ngo.waitForSelector(`#adv-done [data-testid="adv-${adv.id}"][data-status="acknowledged"]`);
  await shot(ngo, 'ops-advisory-ngo');
  // In Arabic, the advisory's Arabic text.
  await ngo.getByTestId('lang-switch').click();
  assert.equal(await ngo.getByTestId(`adv-text-${adv.id}`).innerText(), adv.text.ar);
  await ngo.getByTestId('lang-switch').click();

  // Nothing of any operation on any page the account can open, nor on the ones it cannot.
  const secrets = [DESCRIPTION, OTHER_DESCRIPTION, INFORM_DESCRIPTION, AMEND_DESCRIPTION, 'OPN-',
    ...['ground_raid', 'air_strike', 'arrest', 'engineering_demolition'].flatMap((k) => [EN[`ops.kind.${k}`], AR[`ops.kind.${k}`], k])];
  const check = async (where) => {
    const body = await ngo.evaluate(() => document.body.innerText);
    for (const s of secrets) assert.ok(!body.includes(s), `"${s}" appears on ${where}`);
  };
  await check('the advisory inbox');
  await goto(ngo, 'map');
  await ngo.waitForSelector('#map[data-ready="1"]');
  await check('the map');
  for (const r of ['ops', 'notices', 'escalations']) {
    await goto(ngo, r);
    assert.equal(await ngo.evaluate(() => document.body.dataset.route), 'denied', `#/${r} is refused`);
    await check(`#/${r}`);
  }
  assert.equal(await ngo.locator('#ob-list .ops-item, #on-list .ops-item, #oe-list .ops-item').count(), 0, 'no operation was ever listed');
  const opsRequests = ngo.requests.filter((u) => u.includes('/api/v1/operations'));
  assert.deepEqual(opsRequests, [], 'the page never asked for operations');
  assertNoErrors(ngo);
  await ngo.context().close();
});

// The dashboard's incident map draws at most the newest 1000 incidents of the
// period: with more, the count beside it says there are more (it said "1000
// incidents on the map" while the period's figures counted 1001), and a day
// with fewer shows them all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, EN, assertNoErrors } from './browser.mjs';
import { ACLED_HEADER, acledRow, toCsv, PLACE, jitter, gazaDay, addDays } from '../lib/monitoring.mjs';

let server, browser;
before(async () => {
  server = await startTestServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await stopTestServer(server); });

test('more incidents in the period than the map draws: the count says so; a day with fewer shows all of them', async () => {
  const token = (await server.login('cmcc.watch')).token;
  const yesterday = addDays(gazaDay(Date.now()), -1), before = addDays(yesterday, -11); // in the default 14 days, before the scenario's week of exercise incidents
  const rows = [];
  for (let k = 0; k < 1000; k++) rows.push(acledRow({ event_id_cnty: `MAP${k}`, event_date: yesterday, latitude: jitter(PLACE['SEC-DEIR'], k % 7)[1].toFixed(4), longitude: jitter(PLACE['SEC-DEIR'], k % 7)[0].toFixed(4) }));
  for (let k = 0; k < 3; k++) rows.push(acledRow({ event_id_cnty: `MAPB${k}`, event_date: before, latitude: '31.4214', longitude: '34.3812' }));
  const r = await server.api('POST', '/api/v1/incidents/import', { token, body: toCsv([ACLED_HEADER, ...rows]), headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 201, r.text.slice(0, 300));

  const page = await openPage(browser, server);
  await loginUI(page, 'cmcc.watch');
  await goto(page, 'dashboard');
  await page.waitForSelector('#view-dashboard[data-ready="1"]');
  await page.waitForSelector('#db-map[data-count="1000"]');
  assert.equal(await page.getAttribute('#db-map', 'data-more'), '1');
  assert.equal(await page.getByTestId('db-map-count').innerText(), EN['dash.map_count_more'].replace('{n}', '1000'));
  // a day with three has them all
  await page.getByTestId('db-map-day').selectOption(before);
  await page.waitForSelector('#db-map[data-count="3"]');
  assert.equal(await page.getAttribute('#db-map', 'data-more'), '0');
  assert.equal(await page.getByTestId('db-map-count').innerText(), EN['dash.map_count'].replace('{n}', '3'));
  assertNoErrors(page);
  await page.context().close();
});

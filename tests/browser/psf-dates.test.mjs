// Dates typed into the PSF pages are days of the mission's calendar (Gaza),
// whatever the hour: a trainer recording, at 00:30 in Gaza (still the day
// before in UTC), an exercise held today gets it recorded, on today, and not
// refused as "in the future". On a --test-clock server moved to that hour.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, assertNoErrors } from './browser.mjs';
import { client, unit } from '../lib/psf.mjs';

const GAZA = (ms) => Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Gaza', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));

let server, browser;
before(async () => {
  server = await startTestServer({ args: ['--test-clock'] });
  browser = await launch();
});
after(async () => { await browser?.close(); await stopTestServer(server); });

test('an exercise held today, recorded at 00:30 in Gaza, is recorded on today', async () => {
  const admin = (await server.login('admin')).token;
  const clock = (s) => server.api('POST', '/api/v1/admin/clock', { token: admin, body: { advance_s: s } });
  const now = Date.parse((await clock(0)).body.now);
  let at = Math.ceil((now + 60e3) / 1800e3) * 1800e3;
  while (!(GAZA(at).hour === '00' && GAZA(at).minute === '30')) at += 1800e3;
  const moved = await clock(Math.ceil((at - now) / 1000));
  assert.equal(moved.status, 200, moved.text);
  const l = GAZA(Date.parse(moved.body.now));
  const today = `${l.year}-${l.month}-${l.day}`;
  assert.equal(l.hour, '00');
  assert.notEqual(moved.body.now.slice(0, 10), today, 'UTC is still on the day before');
  const as = client(server, { trainer: (await server.login('trainer')).token });
  const u = await unit(as);

  const page = await openPage(browser, server);
  await loginUI(page, 'trainer');
  await goto(page, 'psf-units');
  await page.waitForSelector(`[data-testid="unit-${u}"]`);
  await page.locator(`[data-testid="unit-${u}"] details.psf-unit-edit > summary`).click();
  await page.selectOption(`#ex-type-${u}`, 'field');
  await page.fill(`#ex-date-${u}`, today);
  await page.selectOption(`#ex-result-${u}`, 'passed');
  const reply = page.waitForResponse((r) => r.url().endsWith(`/api/v1/psf/units/${u}/exercises`));
  await page.getByTestId(`ex-${u}-submit`).click();
  const r = await reply;
  assert.equal(r.status(), 201, await r.text());
  const got = (await as('trainer').get(`/api/v1/psf/units/${u}`)).body;
  const ex = got.exercises;
  assert.equal(ex.length, 1);
  const d = GAZA(Date.parse(ex[0].date));
  assert.equal(`${d.year}-${d.month}-${d.day}`, today, `${ex[0].date} is on ${today} in Gaza`);
  assertNoErrors(page);
  await page.context().close();
});

// Sector hand-over and the PSF pages in the browser (issue 9), as the
// people who use them would: a trainer and the vetting cell build a ready
// PSF unit for Khan Younis (set up through the API); then each required
// party logs in with its own exercise account (demo-credentials.txt) and
// signs the step isf_led → joint on the tracker — the US (State), the ISF
// commander, the Board of Peace chair, Israel's COGAT representative, and the
// technocratic committee's chair in Arabic — each seeing the gate's figure
// and only the button of the party its position may sign for; the last
// sign-off turns the sector's colour on the map. Then the readiness
// dashboard with its figures, and the candidate page where only the vetting
// cell and the trainers see personal data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, AR, assertNoErrors, assertNoForeignRequests } from './browser.mjs';
import { client, readyUnit, register, PARTIES, SIGNERS } from '../lib/psf.mjs';

const S = 'SEC-KHAN';
let server, browser, as, unitId;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  const tokens = {};
  for (const u of ['trainer', 'psf.vetting']) tokens[u] = (await server.login(u)).token;
  as = client(server, tokens);
  unitId = await readyUnit(as, S, 2);
});
after(async () => { await browser?.close(); await stopTestServer(server); });

async function open(username, route, opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, username);
  if (route) await goto(page, route);
  return page;
}
const ready = (page) => page.waitForSelector('#view-handover[data-ready="1"] [data-testid="ho-SEC-KHAN"]');
const phaseOnMap = (page) => page.getAttribute(`[data-testid="ho-sector-${S}"]`, 'data-phase');

test('each required party signs the step isf_led → joint from its own account; the last sign-off changes the sector on the map', async () => {
  for (const [i, party] of PARTIES.entries()) {
    const lang = party === 'pa' ? 'ar' : undefined;
    const L = lang === 'ar' ? AR : EN;
    const page = await open(SIGNERS[party], 'handover', { lang });
    await ready(page);
    await page.waitForSelector(`[data-testid="ho-sector-${S}"][data-phase]`);
    assert.equal(await phaseOnMap(page), 'isf_led');
    assert.equal(await page.getByTestId(`ho-phase-${S}`).innerText(), L['ho.phase.isf_led']);
    // The gate and the figure behind it.
    const gate = page.getByTestId(`ho-gate-${S}-joint-readiness`);
    assert.equal(await gate.getAttribute('data-status'), 'pass');
    assert.equal(await page.getByTestId(`ho-gate-value-${S}-joint-readiness`).innerText(), '1');
    assert.match(await gate.innerText(), new RegExp(unitId));
    assert.equal(await page.getByTestId(`ho-gates-hold-${S}-joint`).innerText(), L['ho.gates_hold']);
    // Only this party's button: the others are not this account's to sign.
    for (const other of PARTIES.filter((p) => p !== party)) {
      assert.equal(await page.getByTestId(`ho-sign-${S}-joint-${other}`).count(), 0, `${SIGNERS[party]} has no button for ${other}`);
    }
    const missing = PARTIES.slice(i).map((p) => page.getByTestId(`ho-party-${S}-joint-${p}`));
    for (const m of missing) assert.equal(await m.getAttribute('data-signed'), '0');
    if (i === 0) await shot(page, 'handover-before');
    await page.getByTestId(`ho-note-${S}-joint-${party}`).fill(`Signed in the exercise by ${party}`);
    await page.getByTestId(`ho-sign-${S}-joint-${party}`).click();
    if (i < PARTIES.length - 1) {
      await page.waitForSelector(`[data-testid="ho-party-${S}-joint-${party}"][data-signed="1"]`);
      const who = await page.getByTestId(`ho-party-${S}-joint-${party}`).innerText();
      assert.match(who, new RegExp(SIGNERS[party].replace('.', '\\.')));
      assert.equal(await page.getAttribute(`[data-testid="ho-${S}"]`, 'data-phase'), 'isf_led', 'no step before every party');
      assert.equal(await phaseOnMap(page), 'isf_led');
      if (i === 0) {
        // The US takes its sign-off back, then gives it again.
        await page.getByTestId(`ho-withdraw-${S}-joint-us`).click();
        await page.waitForSelector(`[data-testid="ho-party-${S}-joint-us"][data-signed="0"]`);
        await page.getByTestId(`ho-sign-${S}-joint-us`).click();
        await page.waitForSelector(`[data-testid="ho-party-${S}-joint-us"][data-signed="1"]`);
      }
    } else {
      // The committee's chair signs last, in Arabic: the phase changes and the sector's colour with it.
      await page.waitForSelector(`[data-testid="ho-${S}"][data-phase="joint"]`);
      await page.waitForSelector(`[data-testid="ho-sector-${S}"][data-phase="joint"]`);
      assert.equal(await page.getByTestId(`ho-phase-${S}`).innerText(), AR['ho.phase.joint']);
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      // The next step's gates read the aid figures: the exercise's ~260 trucks a day are under 500.
      const aid = page.getByTestId(`ho-gate-${S}-pa_led_isf_support-aid_flow`);
      assert.equal(await aid.getAttribute('data-status'), 'fail');
      assert.match(await aid.innerText(), new RegExp(AR['ho.gate_status.fail']));
      assert.equal(await page.getByTestId(`ho-sign-${S}-pa_led_isf_support-pa`).isDisabled(), true, 'no sign-off while a gate does not hold');
      // The history on the record.
      await page.getByTestId(`ho-history-${S}`).locator('summary').click();
      await page.waitForSelector(`[data-testid="ho-history-${S}"] li[data-event="phase_changed"]`);
      assert.equal(await page.locator(`[data-testid="ho-history-${S}"] li[data-event="signed"]`).count(), 6);
      assert.equal(await page.locator(`[data-testid="ho-history-${S}"] li[data-event="withdrawn"]`).count(), 1);
      await shot(page, 'handover-after-ar');
    }
    assertNoErrors(page);
    assertNoForeignRequests(page);
    await page.context().close();
  }
  // A humanitarian account sees the tracker, and no button at all.
  const page = await open('ocha.focal', 'handover');
  await ready(page);
  assert.equal(await phaseOnMap(page), 'joint');
  assert.equal(await page.locator('[data-testid^="ho-sign-"]').count(), 0);
  assert.equal(await page.locator('#ho-legend li').count(), 4);
  assertNoErrors(page);
  await page.context().close();
});

test('the readiness dashboard shows each component with its figures; only the vetting cell and trainers see personal data', async () => {
  const page = await open('board.chair', 'psf-units');
  await page.waitForSelector(`#view-psf-units[data-ready="1"] [data-testid="unit-${unitId}"]`);
  assert.equal(await page.getAttribute(`[data-testid="unit-score-${unitId}"]`, 'data-score'), '1');
  assert.equal(await page.getByTestId(`unit-figures-${unitId}-personnel`).innerText(), EN['psf.fig.personnel'].replace('{assigned}', '2').replace('{authorised}', '2'));
  assert.equal(await page.getByTestId(`unit-figures-${unitId}-trained`).innerText(), EN['psf.fig.trained'].replace('{certified}', '2').replace('{assigned}', '2'));
  assert.equal(await page.getByTestId(`unit-figures-${unitId}-equipment`).innerText(), EN['psf.fig.equipment'].replace('{held}', '4').replace('{authorised}', '4'));
  assert.match(await page.getByTestId(`unit-figures-${unitId}-exercises`).innerText(), /^3 passed \(1 with civilian leaders\) of 3 needed/);
  assert.equal(await page.getByTestId('unit-new').count(), 0, 'the board does not register units');
  await shot(page, 'psf-units');
  assertNoErrors(page);
  await page.context().close();

  const { id, body } = await register(as);
  for (const [user, sees] of [['psf.vetting', true], ['trainer', true], ['cmcc.watch', false]]) {
    const p = await open(user, 'psf-candidates');
    await p.waitForSelector(`#view-psf-candidates[data-ready="1"] [data-testid="cand-open-${id}"]`);
    await p.getByTestId(`cand-open-${id}`).click();
    await p.waitForSelector(`[data-testid="cand-panel-${id}"]`);
    const text = await p.getByTestId(`cand-panel-${id}`).innerText();
    assert.equal(text.includes(body.name_en) && text.includes(body.id_number), sees, `${user} ${sees ? 'sees' : 'does not see'} the personal data`);
    assert.ok(!(await p.getByTestId('cand-table').innerText()).includes(body.name_en), 'the list never shows names');
    if (user === 'psf.vetting') {
      await shot(p, 'psf-candidate-vetting');
      // The vetting cell records a step from the panel.
      await p.selectOption('#vet-step', 'identity');
      await p.getByTestId('vet-form-submit').click();
      await p.waitForSelector(`[data-testid="cand-panel-${id}"] li[data-step="identity"][data-result="passed"]`);
      // Approval is refused until every required step passed: the server's reason shows.
      await p.getByTestId('dec-form-submit').click();
      await p.waitForSelector('[data-testid="dec-form-error"]:not([hidden])');
      assert.match(await p.getByTestId('dec-form-error').innerText(), /criminal_record/);
      // The stream's reload (250 ms after the vetting event) keeps the error.
      await p.waitForTimeout(800);
      assert.match(await p.getByTestId('dec-form-error').innerText(), /criminal_record/);
    }
    assertNoErrors(p);
    await p.context().close();
  }
});

// The org chart: every position and every reporting line from /api/v1/org,
// the dual-hatted US Security Coordinator shown as one person in two places,
// POS-USSC with both of its lines (Secretary of State and CENTCOM), the
// details panel by mouse and by keyboard, and a layout without overlaps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, assertNoErrors } from './browser.mjs';

let server, browser, org;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  const { token } = await server.login('cmcc.watch');
  org = (await server.api('GET', '/api/v1/org', { token })).body;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

async function openOrg(opts) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, 'cmcc.watch');
  await goto(page, 'org');
  await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
  return page;
}

// The line's two ends in page coordinates, and the boxes it should join.
function lineEnds(page, from, to) {
  return page.evaluate(([f, t]) => {
    const p = document.querySelector(`path.org-line[data-from="${f}"][data-to="${t}"]`);
    if (!p) return null;
    const m = p.getScreenCTM();
    const at = (len) => { const q = p.getPointAtLength(len); return { x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f }; };
    const rect = (id) => { const r = document.querySelector(`.pos-box[data-position-id="${id}"]`).getBoundingClientRect(); return { l: r.left, r: r.right, t: r.top, b: r.bottom }; };
    return { start: at(0), end: at(p.getTotalLength()), from: rect(f), to: rect(t) };
  }, [from, to]);
}
const near = (pt, r, tol = 3) => pt.x >= r.l - tol && pt.x <= r.r + tol && pt.y >= r.t - tol && pt.y <= r.b + tol;

test('every position is a box and every reporting line is drawn; POS-USSC has both of its lines', async () => {
  const page = await openOrg();
  assert.equal(await page.locator('.pos-box').count(), org.positions.length);
  const ids = new Set(org.positions.map((p) => p.id));
  const want = org.positions.flatMap((p) => (p.reports_to || []).filter((s) => ids.has(s)).map((s) => `${s}>${p.id}`)).sort();
  const drawn = (await page.locator('path.org-line').evaluateAll((ps) => ps.map((p) => `${p.dataset.from}>${p.dataset.to}`))).sort();
  assert.deepEqual(drawn, want, 'one line per reporting line');

  const ussc = org.positions.find((p) => p.id === 'POS-USSC');
  assert.deepEqual([...ussc.reports_to].sort(), ['POS-CENTCOM-CDR', 'POS-SECSTATE']);
  const ups = await page.locator('path.org-line[data-to="POS-USSC"]').evaluateAll((ps) => ps.map((p) => p.dataset.from).sort());
  assert.deepEqual(ups, ['POS-CENTCOM-CDR', 'POS-SECSTATE'], 'two lines reach POS-USSC');
  for (const sup of ups) {
    const e = await lineEnds(page, sup, 'POS-USSC');
    assert.ok(near(e.start, e.from), `the line from ${sup} starts at ${sup}'s box`);
    assert.ok(near(e.end, e.to), `the line from ${sup} ends at POS-USSC's box`);
  }
  // The two lines are distinct on the screen (not drawn on top of each other).
  const [a, b] = await Promise.all(ups.map((s) => lineEnds(page, s, 'POS-USSC')));
  assert.ok(Math.hypot(a.start.x - b.start.x, a.start.y - b.start.y) > 20);
  assert.ok(Math.abs(a.end.x - b.end.x) >= 10, 'they reach POS-USSC at different points');

  // Titles and holders as in the API, English now.
  const box = page.getByTestId('pos-POS-USSC');
  assert.equal(await box.locator('.pos-title').textContent(), ussc.title.en);
  const holder = org.persons.find((p) => p.id === ussc.holder);
  assert.equal(await box.locator('.pos-holder').textContent(), holder.name);
  // Organisations are groups that contain their positions.
  for (const p of org.positions) {
    assert.equal(await page.locator(`[data-testid="org-group-${p.org}"] .pos-box[data-position-id="${p.id}"]`).count(), 1, `${p.id} in ${p.org}`);
  }
  assert.equal((await page.locator('.legend-exercise').textContent()), EN['org.legend.exercise']);
  await shot(page, 'org-chart');
  assertNoErrors(page);
  await page.context().close();
});

test('the dual-hatted person is one person in each of their places', async () => {
  const page = await openOrg();
  const multi = org.persons.filter((p) => p.positions.length > 1);
  assert.ok(multi.length >= 1);
  const ussc = org.persons.find((p) => p.positions.includes('POS-USSC'));
  assert.ok(ussc.positions.includes('POS-CMCC-CDR'), 'the Security Coordinator is also CMCC commander');
  for (const person of multi) {
    const boxes = page.locator(`.pos-box[data-person="${person.id}"]`);
    assert.equal(await boxes.count(), person.positions.length);
    const seen = await boxes.evaluateAll((bs) => bs.map((b) => ({
      id: b.dataset.positionId, multi: b.classList.contains('multi-hat'), hat: b.style.getPropertyValue('--hat'),
      badge: b.querySelector('[data-testid="hat-badge"]')?.textContent, also: b.querySelector('[data-testid="also-holds"]')?.textContent,
    })));
    assert.equal(new Set(seen.map((s) => s.hat)).size, 1, `${person.id} has one colour everywhere`);
    for (const s of seen) {
      assert.ok(s.multi && s.hat, `${s.id} is marked as one of several hats`);
      assert.equal(s.badge, EN['org.hats'].replace('{n}', person.positions.length));
      for (const other of person.positions.filter((x) => x !== s.id)) {
        const title = org.positions.find((p) => p.id === other).title.en;
        assert.ok(s.also.includes(title), `${s.id} says the holder also holds ${other}`);
      }
    }
  }
  // Other people's boxes carry no hat marks.
  const single = org.persons.find((p) => p.positions.length === 1);
  assert.equal(await page.locator(`.pos-box[data-person="${single.id}"].multi-hat`).count(), 0);
  await page.getByTestId('pos-POS-CMCC-CDR').click();
  await shot(page, 'org-dual-hat');
  await page.context().close();
});

test('clicking a position opens its details; the links move the selection', async () => {
  const page = await openOrg();
  await page.getByTestId('pos-POS-USSC').click();
  const details = page.getByTestId('org-details');
  const ussc = org.positions.find((p) => p.id === 'POS-USSC');
  assert.equal(await details.getByTestId('details-title').textContent(), ussc.title.en);
  const holder = org.persons.find((p) => p.id === ussc.holder);
  assert.ok((await details.getByTestId('details-holder').textContent()).startsWith(holder.name));
  const sups = await details.locator('[data-testid="details-superiors"] [data-goto]').evaluateAll((bs) => bs.map((b) => b.dataset.goto).sort());
  assert.deepEqual(sups, ['POS-CENTCOM-CDR', 'POS-SECSTATE']);
  const subsWant = org.positions.filter((p) => (p.reports_to || []).includes('POS-USSC')).map((p) => p.id).sort();
  const subs = await details.locator('[data-testid="details-subordinates"] [data-goto]').evaluateAll((bs) => bs.map((b) => b.dataset.goto).sort());
  assert.deepEqual(subs, subsWant);
  const hats = await details.locator('[data-testid="details-hats"] [data-goto]').evaluateAll((bs) => bs.map((b) => b.dataset.goto));
  assert.deepEqual(hats, ['POS-CMCC-CDR']);
  assert.equal(await page.getByTestId('pos-POS-USSC').getAttribute('aria-pressed'), 'true');
  // The selected position's lines stand out.
  assert.equal(await page.locator('path.org-line.is-active').count(), ussc.reports_to.length + subsWant.length);
  await shot(page, 'org-details-ussc');

  // Follow a superior link: selection, focus and details move there.
  await details.getByTestId('goto-POS-SECSTATE').click();
  const sec = org.positions.find((p) => p.id === 'POS-SECSTATE');
  assert.equal(await details.getByTestId('details-title').textContent(), sec.title.en);
  assert.equal(await page.getByTestId('pos-POS-SECSTATE').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByTestId('pos-POS-USSC').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.positionId), 'POS-SECSTATE');
  const secSubs = await details.locator('[data-testid="details-subordinates"] [data-goto]').evaluateAll((bs) => bs.map((b) => b.dataset.goto));
  assert.ok(secSubs.includes('POS-USSC'));
  await page.context().close();
});

test('positions are focusable: Enter opens the details, arrows follow the lines', async () => {
  const page = await openOrg();
  await page.getByTestId('pos-POS-CMCC-CDR').focus();
  await page.keyboard.press('Enter');
  const cdr = org.positions.find((p) => p.id === 'POS-CMCC-CDR');
  assert.equal(await page.getByTestId('details-title').textContent(), cdr.title.en);
  // Up: to its (first) superior.
  await page.keyboard.press('ArrowUp');
  const sup = await page.evaluate(() => document.activeElement.dataset.positionId);
  assert.ok(cdr.reports_to.includes(sup), `ArrowUp went to a superior (${sup})`);
  assert.equal(await page.getByTestId(`pos-${sup}`).getAttribute('aria-pressed'), 'true');
  // Tab moves on to the next position box.
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.activeElement.classList.contains('pos-box')));
  // The focus ring is visible.
  const outline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; });
  assert.notEqual(outline[0], 'none');
  assert.ok(outline[1] >= 2);
  // Search from the keyboard.
  await page.fill('#org-search', 'POS-USSC');
  await page.press('#org-search', 'Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.positionId), 'POS-USSC');
  await shot(page, 'org-keyboard-search');
  await page.context().close();
});

test('readable: no two boxes or groups overlap, at 1280x800 and at tablet width', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    const page = await openOrg({ viewport });
    const overlaps = await page.evaluate(() => {
      const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const out = [];
      for (const sel of ['.pos-box', '.org-group']) {
        const els = [...document.querySelectorAll(sel)];
        const rs = els.map((e) => e.getBoundingClientRect());
        for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (hit(rs[i], rs[j])) out.push(`${els[i].dataset.positionId || els[i].dataset.orgId} × ${els[j].dataset.positionId || els[j].dataset.orgId}`);
      }
      // No line runs through a box it does not join (it would seem to come out of it).
      const boxes = [...document.querySelectorAll('.pos-box')].map((b) => ({ id: b.dataset.positionId, r: b.getBoundingClientRect() }));
      for (const p of document.querySelectorAll('path.org-line')) {
        const m = p.getScreenCTM(), len = p.getTotalLength();
        for (let i = 1; i < 60; i++) {
          const q = p.getPointAtLength((len * i) / 60);
          const x = m.a * q.x + m.c * q.y + m.e, y = m.b * q.x + m.d * q.y + m.f;
          const inside = boxes.find((b) => b.id !== p.dataset.from && b.id !== p.dataset.to && x > b.r.left + 2 && x < b.r.right - 2 && y > b.r.top + 2 && y < b.r.bottom - 2);
          if (inside) { out.push(`line ${p.dataset.from}>${p.dataset.to} crosses ${inside.id}`); break; }
        }
      }
      // Every box lies inside its group.
      for (const b of document.querySelectorAll('.pos-box')) {
        const g = b.closest('.org-group').getBoundingClientRect(), r = b.getBoundingClientRect();
        if (r.left < g.left || r.right > g.right || r.top < g.top || r.bottom > g.bottom) out.push(`${b.dataset.positionId} outside its group`);
      }
      return out;
    });
    assert.deepEqual(overlaps, []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, 'the page itself does not scroll sideways (the chart scrolls inside its frame)');
    await page.getByTestId('pos-POS-USSC').click();
    await shot(page, `org-${viewport.width}`);
    // "Fit to frame" shows the whole chart at once; boxes stay clickable.
    await page.getByTestId('org-zoom-fit').click();
    const fit = await page.evaluate(() => {
      const c = document.querySelector('.org-canvas').getBoundingClientRect(), f = document.getElementById('org-chart').getBoundingClientRect();
      return { c: [c.left, c.right, c.top, c.bottom], f: [f.left, f.right, f.top, f.bottom] };
    });
    assert.ok(fit.c[0] >= fit.f[0] - 1 && fit.c[1] <= fit.f[1] + 1 && fit.c[3] <= fit.f[3] + 1, `the whole chart is inside its frame ${JSON.stringify(fit)}`);
    await page.getByTestId('pos-POS-SECSTATE').click();
    assert.equal(await page.getByTestId('pos-POS-SECSTATE').getAttribute('aria-pressed'), 'true');
    await shot(page, `org-${viewport.width}-fit`);
    await page.context().close();
  }
});

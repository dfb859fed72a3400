// The mission map: Leaflet without tiles, the sectors drawn and coloured by
// who controls them, the withdrawal line, the crossings, the layer control,
// the scale bar, the cursor position, and a keyboard route to every feature.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot, EN, assertNoErrors, assertNoForeignRequests } from './browser.mjs';

let server, browser, geo;
before(async () => {
  server = await startTestServer();
  browser = await launch();
  const { token } = await server.login('cmcc.watch');
  geo = (await server.api('GET', '/api/v1/geo', { token })).body;
});
after(async () => { await browser?.close(); await stopTestServer(server); });

const layer = (l) => geo.features.filter((f) => f.properties.layer === l);

// A point (page coordinates) where the element is what the mouse would hit.
function pointInside(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const r = el.getBoundingClientRect();
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const x = Math.round(r.left + (r.width * i) / 20), y = Math.round(r.top + (r.height * j) / 20);
        if (document.elementFromPoint(x, y) === el) return [x, y];
      }
    }
    return null;
  }, selector);
}

async function openMap(opts = {}) {
  const page = await openPage(browser, server, opts);
  await loginUI(page, 'cmcc.watch');
  await goto(page, 'map');
  await page.waitForSelector('#map[data-ready="1"]');
  return page;
}

test('the five sectors, the withdrawal line and the crossings are drawn', async () => {
  const page = await openMap();
  const sectors = layer('sector');
  assert.equal(sectors.length, 5, 'the scenario has five sectors');
  assert.equal(await page.locator('path.sector').count(), 5);
  for (const id of ['SEC-NORTH', 'SEC-GAZA', 'SEC-DEIR', 'SEC-KHAN', 'SEC-RAFAH']) {
    const p = page.locator(`path.sector-${id}`);
    assert.equal(await p.count(), 1, `${id} is drawn once`);
    const box = await p.boundingBox();
    assert.ok(box && box.width > 10 && box.height > 10, `${id} has a visible size on the map`);
  }
  // Colour by control: sectors with the same control share a fill, different controls differ,
  // and the legend lists every control value with that colour.
  const fills = await page.locator('path.sector').evaluateAll((ps) => ps.map((p) => [p.dataset.control, p.getAttribute('fill')]));
  const byControl = new Map();
  for (const [c, f] of fills) {
    if (byControl.has(c)) assert.equal(byControl.get(c), f, `sectors controlled by ${c} share a colour`);
    byControl.set(c, f);
  }
  assert.equal(new Set(byControl.values()).size, byControl.size, 'each control value has its own colour');
  const legend = await page.locator('[data-testid="legend"] li[data-control]').evaluateAll((lis) => lis.map((li) => li.dataset.control));
  assert.deepEqual(legend.sort(), [...byControl.keys()].sort());
  assert.equal((await page.getByTestId('legend-exercise').textContent()), EN['map.legend_exercise']);

  // The withdrawal line: dashed, amber.
  const line = page.locator('path.withdrawal-line');
  assert.equal(await line.count(), layer('line').length);
  assert.ok(layer('line').some((f) => f.properties.id === 'LINE-YELLOW'));
  assert.equal(await page.locator('path.line-LINE-YELLOW').count(), 1);
  const style = await line.first().evaluate((p) => ({ dash: p.getAttribute('stroke-dasharray'), stroke: p.getAttribute('stroke') }));
  assert.ok(style.dash && style.dash.trim().length > 0, 'the line is dashed');
  assert.equal(style.stroke.toLowerCase(), '#f2b705');

  // Crossings: a circle marker each, with its name beside it.
  const crossings = layer('crossing');
  assert.ok(crossings.length >= 1);
  assert.equal(await page.locator('path.crossing').count(), crossings.length);
  const labels = await page.locator('.crossing-label').allTextContents();
  for (const c of crossings) assert.ok(labels.includes(c.properties.name_en), `crossing ${c.properties.id} is labelled`);

  // The boundary is drawn; the map has no tile layer and loads nothing from elsewhere.
  assert.equal(await page.locator('path.boundary').count(), layer('boundary').length);
  assert.equal(await page.locator('.leaflet-tile').count(), 0);
  await shot(page, 'map-1280');
  assertNoForeignRequests(page);
  assertNoErrors(page);
  await page.context().close();
});

test('layer control, scale bar, cursor position and sector tooltip', async () => {
  const page = await openMap();
  const control = page.getByTestId('layer-control');
  const boxes = control.locator('input[type="checkbox"]');
  // The four of the mission geography and the four humanitarian layers (issue 4).
  assert.equal(await boxes.count(), 8);
  for (const k of ['layer.sites', 'layer.nostrike', 'layer.movements', 'layer.units']) {
    assert.equal(await control.locator('label', { hasText: EN[k] }).count(), 1, `${k} in the layer control`);
  }
  // Hide the sectors, then show them again.
  const sectorsBox = control.locator('label', { hasText: EN['layer.sectors'] }).locator('input');
  await sectorsBox.uncheck();
  assert.equal(await page.locator('path.sector').count(), 0);
  await sectorsBox.check();
  assert.equal(await page.locator('path.sector').count(), 5);

  // Scale bar in metric units.
  assert.match(await page.locator('.leaflet-control-scale-line').first().textContent(), /^\d+ (m|km)$/);

  // Cursor position in decimal degrees, lat then lon, 5 decimals, matching Leaflet's own conversion.
  const mapBox = await page.locator('#map').boundingBox();
  const cx = Math.round(mapBox.x + mapBox.width * 0.45), cy = Math.round(mapBox.y + mapBox.height * 0.55);
  await page.mouse.move(cx, cy);
  await page.waitForFunction(() => document.querySelector('[data-testid="cursor-box"]').dataset.mode === 'cursor');
  const text = await page.getByTestId('cursor-pos').textContent();
  assert.match(text, /^-?\d{1,2}\.\d{5}, -?\d{1,3}\.\d{5}$/);
  const want = await page.evaluate(([px, py]) => {
    const el = document.getElementById('map');
    const r = el.getBoundingClientRect();
    return window.truce.map.map.containerPointToLatLng([px - r.left - el.clientLeft, py - r.top - el.clientTop]);
  }, [cx, cy]);
  const [lat, lon] = text.split(', ').map(Number);
  assert.ok(Math.abs(lat - want.lat) < 0.0001 && Math.abs(lon - want.lng) < 0.0001, `${text} ≈ ${want.lat}, ${want.lng}`);

  // Hovering a sector shows its name.
  const north = layer('sector').find((f) => f.properties.id === 'SEC-NORTH');
  const inside = await pointInside(page, 'path.sector-SEC-NORTH');
  assert.ok(inside, 'a point of SEC-NORTH is visible');
  await page.mouse.move(inside[0], inside[1]);
  const tip = page.locator('.leaflet-tooltip.map-tooltip', { hasText: north.properties.name_en });
  await tip.waitFor({ state: 'visible' });
  assert.equal(await tip.textContent(), north.properties.name_en);
  await shot(page, 'map-tooltip');
  await page.context().close();
});

test('every feature can be reached from the keyboard and opens its popup', async () => {
  const page = await openMap();
  const gaza = layer('sector').find((f) => f.properties.id === 'SEC-GAZA');
  const btn = page.locator('#map-sector-list button[data-feature-id="SEC-GAZA"]');
  await btn.focus();
  await page.keyboard.press('Enter');
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor({ state: 'visible' });
  assert.ok((await popup.textContent()).includes(gaza.properties.name_en));
  assert.equal(await page.locator('#map-sector-list button').count(), 5);
  assert.equal(await page.locator('#map-crossing-list button').count(), layer('crossing').length);
  // The map itself takes the keyboard (Leaflet's arrow-key panning).
  const c0 = await page.evaluate(() => window.truce.map.map.getCenter());
  await page.locator('#map').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((lng) => window.truce.map.map.getCenter().lng > lng + 1e-6, c0.lng);
  await shot(page, 'map-keyboard-popup');
  await page.context().close();
});

test('the map works at tablet width (768x1024)', async () => {
  const page = await openMap({ viewport: { width: 768, height: 1024 } });
  assert.equal(await page.locator('path.sector').count(), 5);
  const box = await page.locator('#map').boundingBox();
  assert.ok(box.width >= 700 && box.height >= 400, `map is large enough: ${box.width}x${box.height}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, 'no horizontal scrolling');
  for (const r of ['map', 'journal', 'org']) assert.ok(await page.getByTestId(`nav-${r}`).isVisible());
  await shot(page, 'map-768');
  await page.context().close();
});

test('names are shown as text, never as HTML: a site named with markup shows the markup in its tooltip and adds no element', async () => {
  const { token } = await server.login('ocha.focal');
  const name = '<b data-testid="injected-b">bold</b><img data-testid="injected-img" src="/favicon.ico">';
  const made = await server.api('POST', '/api/v1/sites', {
    token,
    body: {
      category: 'office', geometry: { type: 'Point', coordinates: [34.4, 31.45] }, name: { en: name, ar: name },
      valid_from: new Date(Date.now() - 3600e3).toISOString(), valid_until: new Date(Date.now() + 30 * 86400e3).toISOString(),
    },
  });
  assert.equal(made.status, 201, made.text);
  const page = await openMap();
  const marker = page.getByTestId(`site-${made.body.id}`);
  await marker.waitFor();
  await marker.hover();
  const tip = page.locator('.leaflet-tooltip.map-tooltip', { hasText: 'bold' });
  await tip.waitFor({ state: 'visible' });
  assert.equal(await tip.textContent(), name, 'the tooltip shows the name as it was typed');
  assert.equal(await page.locator('[data-testid="injected-b"], [data-testid="injected-img"]').count(), 0, 'no element from the name');
  assertNoErrors(page);
  await page.context().close();
});

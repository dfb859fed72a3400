// tests/browser/browser.mjs — shared set-up of the browser tests: Debian's
// Chromium driven headless by playwright-core (never a browser download), a
// real Truce server per test file, and the steps a user takes (log in,
// switch language) so each test reads like what a new user would do.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startServer, TRUCE, ROOT } from '../lib/server.mjs';

export const CHROMIUM = process.env.TRUCE_CHROMIUM || '/usr/bin/chromium';
export const OUT = join(ROOT, 'tests', 'browser', 'out');
export const WEB = join(ROOT, 'web');
export const EN = JSON.parse(readFileSync(join(WEB, 'i18n', 'en.json'), 'utf8'));
export const AR = JSON.parse(readFileSync(join(WEB, 'i18n', 'ar.json'), 'utf8'));

export function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A server on a fresh data folder from the Gaza scenario. TRUCE_TEST_SCENARIOS
// points at another scenarios folder holding a "gaza" scenario (for working
// on the app without the repository's scenario). args: more `truce serve`
// arguments (--test-clock).
export async function startTestServer({ args = [] } = {}) {
  if (!existsSync(join(WEB, 'vendor', 'leaflet', 'leaflet.js'))) {
    execFileSync(join(ROOT, 'scripts', 'vendor.sh'), { stdio: 'pipe' });
  }
  const alt = process.env.TRUCE_TEST_SCENARIOS;
  if (!alt) return startServer({ args });
  const dir = mkdtempSync(join(tmpdir(), 'truce-browser-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync(TRUCE, ['init', dir, '--scenario', 'gaza', '--scenarios', alt], { stdio: 'pipe' });
  return startServer({ dir, args });
}

export async function stopTestServer(server) {
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}

// A new browser context (its own cookies, like a second person's browser)
// and a page that records script errors and every request it makes.
export async function openPage(browser, server, { viewport = { width: 1280, height: 800 }, lang } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'America/New_York' });
  if (lang) await context.addInitScript((l) => { try { localStorage.setItem('truce.lang', l); } catch { /* about:blank */ } }, lang);
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) page.errors.push(m.text()); });
  page.on('request', (r) => page.requests.push(r.url()));
  page.server = server;
  await page.goto(server.base + '/');
  await page.waitForSelector('body:not(.is-loading)');
  return page;
}

// Logs in through the login form with the password from the credentials file.
export async function loginUI(page, username) {
  const creds = page.server.creds[username];
  assert.ok(creds, `${username} is in demo-credentials.txt`);
  await page.waitForSelector('#login-view:not([hidden])');
  await page.fill('#login-username', username);
  await page.fill('#login-password', creds.password);
  await page.click('[data-testid="login-submit"]');
  await page.waitForSelector('#app-view:not([hidden])');
  await page.waitForSelector('[data-testid="nav-map"]');
}

export async function goto(page, route) {
  await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
  await page.waitForFunction((r) => document.body.dataset.route === r || document.body.dataset.route === 'denied', route);
}

export async function shot(page, name) {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// Every request stayed on the server's origin (no tiles, fonts, CDNs).
export function assertNoForeignRequests(page) {
  const foreign = page.requests.filter((u) => !u.startsWith(page.server.base) && !u.startsWith('data:') && !u.startsWith('about:'));
  assert.deepEqual(foreign, [], 'the app loads nothing from other origins');
}

export function assertNoErrors(page) {
  assert.deepEqual(page.errors, [], 'no script errors in the page');
}

export function keyFromMessage(lang, value) {
  const c = lang === 'ar' ? AR : EN;
  return Object.keys(c).find((k) => c[k] === value);
}

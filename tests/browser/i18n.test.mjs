// Message catalogues: English and Arabic hold the same keys with the same
// placeholders; every key the markup and the scripts use exists in both;
// the markup and the scripts carry no visible text of their own; and with
// Arabic chosen no English interface string is left on any page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEB, EN, AR, launch, startTestServer, stopTestServer, openPage, loginUI, goto, shot } from './browser.mjs';

const html = readFileSync(join(WEB, 'index.html'), 'utf8');
const stripComments = (src) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
const scripts = [join(WEB, 'app.js'), ...readdirSync(join(WEB, 'js')).filter((f) => f.endsWith('.js')).map((f) => join(WEB, 'js', f))]
  .map((path) => ({ path, src: stripComments(readFileSync(path, 'utf8')) }));
// The only places t() takes a key from a variable: the route table (keys
// listed as key: '...') and applyI18n (keys from data-i18n in the markup).
const DYNAMIC_OK = new Set(['r.key', 'e.dataset.i18n', 'key', 'e.dataset.i18nLang']);
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const ARABIC = /[\u0600-\u06FF]/;
// Values that are rightly not in Arabic script: the switch to English names
// English in English; the language codes are codes.
const NOT_ARABIC = new Set(['lang.switch', 'lang.switch_code']);

test('both catalogues have the same keys, no empty values, the same placeholders', () => {
  const en = Object.keys(EN).sort(), ar = Object.keys(AR).sort();
  assert.deepEqual(en.filter((k) => !(k in AR)), [], 'keys only in en.json');
  assert.deepEqual(ar.filter((k) => !(k in EN)), [], 'keys only in ar.json');
  for (const k of en) {
    assert.equal(typeof EN[k], 'string', k);
    assert.equal(typeof AR[k], 'string', k);
    assert.ok(EN[k].trim() && AR[k].trim(), `${k} is not empty`);
    assert.deepEqual(placeholders(AR[k]), placeholders(EN[k]), `${k} has the same placeholders`);
    if (!NOT_ARABIC.has(k)) assert.match(AR[k], ARABIC, `ar ${k} is in Arabic`);
  }
});

test('every key used by the markup and the scripts is in both catalogues', () => {
  const used = new Set();
  for (const m of html.matchAll(/data-i18n(?:-lang)?="([^"]+)"/g)) used.add(m[1]);
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) used.add(pair.split(':')[1].trim());
  for (const { src } of scripts) {
    for (const m of src.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\bkey:\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\btOpt\(\s*'([^']+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `found the keys in use (${used.size})`);
  const missing = [...used].filter((k) => !(k in EN) || !(k in AR));
  assert.deepEqual(missing, [], 'keys used but not in both catalogues');
  // t() is only ever called with a literal key, so the check above is complete;
  // keys built from data go through tOpt() with the raw value as fallback.
  for (const { path, src } of scripts) {
    const dynamic = [...src.matchAll(/\bt\(\s*([^'\s)][^,)]*)/g)].map((m) => m[1].trim()).filter((a) => !DYNAMIC_OK.has(a));
    assert.deepEqual(dynamic, [], `${path}: t() with a computed key`);
  }
});

test('the markup has no visible text of its own: all of it comes through data-i18n', () => {
  // Drop what is not rendered text, or is rightly fixed: scripts, styles, the
  // <title> (set from the catalogue at start), <noscript> (shown without scripts,
  // so it cannot use the catalogues; it carries both languages), comments.
  const body = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1>/g, '')
    .replace(/<title>([\s\S]*?)<\/title>/, (m, t) => { assert.equal(t, EN['app.name']); return ''; });
  const texts = [...body.matchAll(/>([^<]+)</g)].map((m) => m[1].trim()).filter(Boolean);
  assert.deepEqual(texts, [], 'text written directly in index.html');
  // Visible attributes are translated too.
  const attrs = [...body.matchAll(/\s(aria-label|title|placeholder|alt)="([^"]*)"/g)].filter((m) => m[2].trim() !== '');
  assert.deepEqual(attrs.map((m) => m[0].trim()), [], 'untranslated attributes (use data-i18n-attr)');
  // Every element with data-i18n is empty in the markup (the catalogue fills it).
  const filled = [...body.matchAll(/<(\w+)[^>]*\sdata-i18n="[^"]+"[^>]*>([^<]*)</g)].filter((m) => m[2].trim());
  assert.deepEqual(filled, []);
});

test('the scripts put no literal words on the screen', () => {
  const bad = [];
  for (const { path, src } of scripts) {
    const code = src;
    const patterns = [
      /\.textContent\s*=\s*(['"`])[^'"`]*[A-Za-z\u0600-\u06FF][^'"`]*\1/g,
      /\.(title|placeholder)\s*=\s*(['"`])[^'"`]*[A-Za-z\u0600-\u06FF][^'"`]*\2/g,
      /setAttribute\(\s*'(aria-label|title|placeholder|alt)'\s*,\s*(['"`])[^'"`]*[A-Za-z][^'"`]*\2/g,
      /\binnerText\s*=/g,
      /\bt\(\s*'[^']*\s[^']*'/g, // a sentence passed where a key belongs
    ];
    for (const re of patterns) for (const m of code.matchAll(re)) bad.push(`${path}: ${m[0]}`);
    // No Arabic text outside the catalogue.
    for (const m of code.matchAll(/[\u0600-\u06FF]+/g)) bad.push(`${path}: ${m[0]}`);
    // Text children of h(): h('tag', attrs, 'Literal words').
    for (const m of code.matchAll(/\bh\(\s*'\w+'\s*,\s*(?:null|\{[^{}]*\})\s*,\s*'([^']*[A-Za-z][^']*)'/g)) bad.push(`${path}: h(… '${m[1]}')`);
  }
  assert.deepEqual(bad, []);
});

// ---- in the browser ----
let server, browser;
before(async () => { server = await startTestServer(); browser = await launch(); });
after(async () => { await browser?.close(); await stopTestServer(server); });

// Visible text nodes of the page, minus data (names, ids, times, numbers).
function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const s = n.textContent.trim();
      if (!s) continue;
      const e = n.parentElement;
      if (!e || e.closest('[hidden], script, style, noscript, .leaflet-control-attribution')) continue;
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || !e.getClientRects().length) continue;
      out.push(s);
    }
    return out;
  });
}

test('with Arabic chosen, no English interface string is left on any page', async () => {
  const page = await openPage(browser, server, { lang: 'ar' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
  const english = new Set(Object.entries(EN).filter(([k, v]) => AR[k] !== v && /[A-Za-z]{3}/.test(v)).map(([, v]) => v));
  const leftovers = async (where) => {
    const bad = (await visibleTexts(page)).filter((s) => english.has(s));
    assert.deepEqual(bad, [], `English left on ${where}`);
  };
  await leftovers('the login page');
  await shot(page, 'login-ar');
  await loginUI(page, 'cmcc.cdr');
  for (const r of ['map', 'journal', 'org']) {
    await goto(page, r);
    if (r === 'map') await page.waitForSelector('#map[data-ready="1"]');
    if (r === 'journal') await page.waitForFunction(() => window.truce.journal.loaded);
    if (r === 'org') await page.waitForSelector('#org-chart[data-ready="1"] .pos-box');
    await leftovers(r);
  }
  // And the other way round: English has no Arabic interface strings.
  await page.getByTestId('lang-switch').click();
  const arabic = new Set(Object.entries(AR).filter(([k, v]) => EN[k] !== v && k !== 'lang.switch').map(([, v]) => v));
  const bad = (await visibleTexts(page)).filter((s) => arabic.has(s));
  assert.deepEqual(bad, []);
  await page.context().close();
});

// i18n.js — message catalogues (web/i18n/<lang>.json), the current language,
// and applying translations to static markup. Every visible string of the
// app comes from here: markup names its key in data-i18n (text) or
// data-i18n-attr ("attr:key;attr:key"), scripts call t('key').
export const LANGS = ['en', 'ar'];
const RTL = new Set(['ar']);
const STORE_KEY = 'truce.lang';
const catalogues = {};
const listeners = new Set();
let lang = 'en';

export async function loadCatalogues() {
  await Promise.all(LANGS.map(async (l) => {
    const r = await fetch(`/i18n/${l}.json`, { cache: 'no-cache' });
    if (!r.ok) throw new Error(`catalogue ${l}: ${r.status}`);
    catalogues[l] = await r.json();
  }));
}

function lookup(key) {
  const c = catalogues[lang];
  if (c && Object.prototype.hasOwnProperty.call(c, key)) return c[key];
  if (catalogues.en && Object.prototype.hasOwnProperty.call(catalogues.en, key)) return catalogues.en[key];
  return undefined;
}

function fill(s, params) {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined && params[k] !== null ? String(params[k]) : m));
}

// t('key', {param}) → the string in the current language. A missing key is a
// bug (the i18n test catches it); it shows the key rather than nothing.
export function t(key, params) {
  const s = lookup(key);
  if (s === undefined) {
    console.warn('i18n: missing key', key);
    return key;
  }
  return fill(s, params);
}

// For keys built from data (a role, a sector's control, an error code):
// the catalogue's string when there is one, else the fallback (the raw value).
export function tOpt(key, fallback, params) {
  const s = lookup(key);
  return s === undefined ? fallback : fill(s, params);
}

export function has(key) { return lookup(key) !== undefined; }
export function getLang() { return lang; }
export function isRtl() { return RTL.has(lang); }

// A {en, ar} object (or name_en/name_ar properties) in the current language.
export function pick(obj, base = '') {
  if (!obj) return '';
  if (base) return obj[`${base}_${lang}`] || obj[`${base}_en`] || obj[base] || '';
  return obj[lang] || obj.en || Object.values(obj)[0] || '';
}

export function initialLang() {
  let saved = null;
  try { saved = localStorage.getItem(STORE_KEY); } catch { /* storage blocked */ }
  if (LANGS.includes(saved)) return saved;
  const nav = (navigator.language || 'en').slice(0, 2);
  return LANGS.includes(nav) ? nav : 'en';
}

export function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  lang = l;
  try { localStorage.setItem(STORE_KEY, l); } catch { /* storage blocked */ }
  const root = document.documentElement;
  root.lang = l;
  root.dir = RTL.has(l) ? 'rtl' : 'ltr';
  applyI18n(document);
  document.title = t('app.name');
  for (const f of listeners) f(l);
}

export function onLangChange(f) { listeners.add(f); }

export function applyI18n(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of e.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) e.setAttribute(attr, t(key));
    }
  }
  for (const e of root.querySelectorAll('[data-i18n-lang]')) e.setAttribute('lang', t(e.dataset.i18nLang));
}

// dom.js — a small element builder: h('li', {class: 'x', dataset: {id}}, child, ...).
// Text children are always text nodes (never parsed as HTML).
export function h(tag, attrs, ...children) {
  const ns = attrs && attrs.ns;
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false || k === 'ns') continue;
      if (k === 'class') e.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'style' && typeof v === 'object') for (const [sk, sv] of Object.entries(v)) e.style.setProperty(sk.startsWith('--') ? sk : sk.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), sv);
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Leaflet writes a tooltip or popup given as a string as HTML (innerHTML):
// names and titles come from users, so they go in as text.
export const textTip = (s) => h('span', null, s);

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

export function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

// isf-chart.js — a contingent's strength over time as a small SVG step
// chart: pledged (dashed) and deployed (solid, shaded) troops, each holding
// its value until the next record, up to now. Drawn here rather than with a
// chart library: two step lines need no more, and SVG prints, scales and
// carries a text alternative. The same figures are offered as a table.
import { t, getLang } from './i18n.js';
import { h } from './dom.js';
import { fmtDateTime, getZone } from './time.js';

const NS = 'http://www.w3.org/2000/svg';
const s = (tag, attrs, ...kids) => h(tag, { ns: NS, ...attrs }, ...kids);

// The records sorted by time, each with both figures (a record that gives
// only one keeps the other from the record before it).
export function strengthSeries(history) {
  const recs = (history || []).filter((r) => Number.isFinite(Date.parse(r.at)))
    .slice().sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.seq || 0) - (b.seq || 0));
  let pledged = null, deployed = null;
  return recs.map((r) => {
    if (Number.isFinite(r.pledged)) pledged = r.pledged;
    if (Number.isFinite(r.deployed)) deployed = r.deployed;
    return { at: r.at, ms: Date.parse(r.at), pledged, deployed, note: r.note || '' };
  });
}

function niceMax(v) {
  if (!(v > 0)) return 10;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// A day and month (and the time, over a short span) in the mission zone,
// Latin digits in both languages.
const shortDate = (ms, withTime) => new Intl.DateTimeFormat(getLang() === 'ar' ? 'ar-u-nu-latn' : 'en-GB', {
  timeZone: getZone(), day: 'numeric', month: 'short', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
}).format(new Date(ms));

// → <figure> with the chart, its legend and a text description.
export function strengthChart(history, { now = Date.now(), width = 560, height = 220, testid = 'strength-chart' } = {}) {
  const pts = strengthSeries(history);
  const M = { l: 52, r: 18, t: 14, b: 30 };
  const W = width - M.l - M.r, H = height - M.t - M.b;
  // From a little before the first record to now.
  const first = pts.length ? pts[0].ms : now - 86400e3;
  let end = Math.max(now, pts.length ? pts[pts.length - 1].ms : now);
  const start = first - Math.max((end - first) * 0.08, 30 * 60e3);
  end += (end - start) * 0.02;
  const top = niceMax(Math.max(0, ...pts.map((p) => Math.max(p.pledged || 0, p.deployed || 0))) * 1.08);
  const x = (ms) => M.l + ((ms - start) / (end - start)) * W;
  const y = (v) => M.t + H - (v / top) * H;

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'strength-svg', role: 'img', dir: 'ltr',
    'aria-label': t('isf.chart.label'), 'data-testid': testid, 'data-points': String(pts.length),
  });
  // Grid and the vertical axis.
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    svg.append(s('line', { x1: M.l, x2: M.l + W, y1: y(v), y2: y(v), class: i ? 'grid' : 'axis' }));
    svg.append(s('text', { x: M.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(Math.round(v))));
  }
  svg.append(s('line', { x1: M.l, x2: M.l, y1: M.t, y2: M.t + H, class: 'axis' }));
  // Time ticks: the first record, now, and one between when there is room.
  const ticks = [start, end - (end - start) * 0.02];
  if (W > 300) ticks.splice(1, 0, (start + end) / 2);
  ticks.forEach((ms, i) => {
    const anchor = i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle';
    svg.append(s('text', { x: x(ms), y: M.t + H + 18, 'text-anchor': anchor, class: 'tick' }, shortDate(ms, end - start < 4 * 86400e3)));
  });
  // Step lines: each value holds until the next record, the last until now.
  const step = (key) => {
    let d = '';
    let started = false;
    pts.forEach((p, i) => {
      const v = p[key];
      const nx = i + 1 < pts.length ? pts[i + 1].ms : end;
      if (!Number.isFinite(v)) { started = false; return; }
      d += `${started ? 'L' : 'M'}${x(p.ms).toFixed(1)},${y(v).toFixed(1)}H${x(nx).toFixed(1)}`;
      started = true;
    });
    return d;
  };
  const dep = step('deployed');
  if (dep) {
    const firstDep = pts.find((p) => Number.isFinite(p.deployed));
    svg.append(s('path', { d: `${dep}V${y(0)}H${x(firstDep.ms).toFixed(1)}Z`, class: 'area-deployed' }));
    svg.append(s('path', { d: dep, class: 'line-deployed', 'data-testid': `${testid}-deployed` }));
  }
  const pl = step('pledged');
  if (pl) svg.append(s('path', { d: pl, class: 'line-pledged', 'data-testid': `${testid}-pledged` }));
  // A dot per record, with its figures on hover.
  for (const p of pts) {
    const tip = t('isf.chart.point', { time: fmtDateTime(p.at), pledged: p.pledged ?? '—', deployed: p.deployed ?? '—' });
    if (Number.isFinite(p.deployed)) svg.append(s('circle', { cx: x(p.ms), cy: y(p.deployed), r: 3.5, class: 'dot-deployed' }, s('title', null, tip)));
    if (Number.isFinite(p.pledged)) svg.append(s('circle', { cx: x(p.ms), cy: y(p.pledged), r: 3, class: 'dot-pledged' }, s('title', null, tip)));
  }

  const last = pts[pts.length - 1];
  const desc = last ? t('isf.chart.desc', { n: pts.length, time: fmtDateTime(pts[0].at), pledged: last.pledged ?? '—', deployed: last.deployed ?? '—' }) : t('isf.chart.empty');
  return h('figure', { class: 'strength-chart' },
    svg,
    h('figcaption', null,
      h('ul', { class: 'chart-legend' },
        h('li', null, h('span', { class: 'legend-pledged', 'aria-hidden': 'true' }), t('isf.field.pledged')),
        h('li', null, h('span', { class: 'legend-deployed', 'aria-hidden': 'true' }), t('isf.field.deployed'))),
      h('p', { class: 'hint', 'data-testid': `${testid}-desc` }, desc)));
}

// The same figures as a table (newest first).
export function strengthTable(history) {
  const pts = strengthSeries(history).reverse();
  return h('table', { class: 'data-table', 'data-testid': 'strength-table' },
    h('caption', { class: 'visually-hidden' }, t('isf.chart.table')),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('isf.field.time')), h('th', { scope: 'col' }, t('isf.field.pledged')),
      h('th', { scope: 'col' }, t('isf.field.deployed')), h('th', { scope: 'col' }, t('isf.field.note')))),
    h('tbody', null, pts.map((p) => h('tr', null,
      h('td', null, fmtDateTime(p.at)), h('td', { class: 'num' }, p.pledged ?? '—'),
      h('td', { class: 'num' }, p.deployed ?? '—'), h('td', { dir: 'auto' }, p.note)))));
}

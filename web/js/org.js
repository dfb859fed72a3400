// org.js — the org chart from GET /api/v1/org. Organisations are groups,
// positions are boxes (title in the current language, holder), and every
// reporting line is an SVG path from the superior to the subordinate, so a
// position with two superiors shows two lines. A person holding several
// positions ("hats") carries the same colour and badge in every place, with
// the other hats named. The layout is computed here (no library):
//
//   1. rank(position) = 0 for a position with no superior, else
//      1 + max(rank(superior)): the longest path from a root.
//   2. Organisations linked to others by reporting lines are placed in rows
//      by the lowest rank of their positions; organisations with no line to
//      another organisation go to a last band. Rows wrap at the chart width.
//   3. Inside a group, positions are placed by their rank within the group,
//      at most MAXCOL per row; groups and boxes are ordered by the mean x of
//      their superiors (barycentre), which keeps most lines short.
//   4. In right-to-left languages every x is mirrored.
import { t, tOpt, pick, isRtl, getLang, onLangChange } from './i18n.js';
import { h, $, $$, clear } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const BW = 188, BH = 72, HG = 14, VG = 36, GP = 12, GH = 44, GGX = 36, GGY = 58, MARGIN = 22;
const HAT_COLOURS = ['#c2410c', '#0e7490', '#7e22ce', '#15803d', '#be185d', '#a16207'];

// An orthogonal polyline with rounded corners, as an SVG path.
function roundedPath(pts, r) {
  const p = pts.filter((q, i) => i === 0 || Math.abs(q[0] - pts[i - 1][0]) > 0.5 || Math.abs(q[1] - pts[i - 1][1]) > 0.5);
  let d = `M${p[0][0]},${p[0][1]}`;
  for (let i = 1; i < p.length - 1; i++) {
    const [x0, y0] = p[i - 1], [x1, y1] = p[i], [x2, y2] = p[i + 1];
    const l1 = Math.hypot(x1 - x0, y1 - y0), l2 = Math.hypot(x2 - x1, y2 - y1);
    const k = Math.min(r, l1 / 2, l2 / 2);
    d += ` L${x1 - ((x1 - x0) / l1) * k},${y1 - ((y1 - y0) / l1) * k} Q${x1},${y1} ${x1 + ((x2 - x1) / l2) * k},${y1 + ((y2 - y1) / l2) * k}`;
  }
  const last = p[p.length - 1];
  return `${d} L${last[0]},${last[1]}`;
}

export class OrgChart {
  constructor(ctx) {
    this.ctx = ctx;               // {me, mission, orgName(id)}
    this.data = null;
    this.selected = null;
    this.el = $('#org-chart');
    this.details = $('#org-details-body');
    this.search = $('#org-search');
    this.search.addEventListener('input', () => this.applySearch());
    this.search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const first = this.el.querySelector('.pos-box.is-match');
      if (first) this.select(first.dataset.positionId, { focus: true });
    });
    this.zoom = 1;
    this.spread = 1; // layout width as a multiple of the frame's width ("Fit" widens it)
    $('#org-zoom-out').addEventListener('click', () => this.setZoom(this.zoom / 1.25));
    $('#org-zoom-in').addEventListener('click', () => this.setZoom(this.zoom * 1.25));
    $('#org-zoom-fit').addEventListener('click', () => this.fit());
    this.resizeTimer = null;
    window.addEventListener('resize', () => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => { if (this.data && !this.el.closest('[hidden]')) this.render(); }, 150);
    });
    onLangChange(() => { if (this.data) this.render(); });
  }

  reset() {
    this.data = null;
    this.selected = null;
    clear(this.el);
    clear(this.details).append(h('p', { class: 'hint' }, t('org.details_hint')));
  }

  setData(data) {
    this.data = data;
    this.index();
    if (this.selected && !this.pos.has(this.selected)) this.selected = null;
    if (!this.el.closest('[hidden]')) this.render();
  }

  show() { if (this.data) this.render(); }

  index() {
    const d = this.data;
    this.pos = new Map(d.positions.map((p) => [p.id, p]));
    this.orgs = new Map(d.organisations.map((o) => [o.id, o]));
    this.persons = new Map(d.persons.map((p) => [p.id, p]));
    this.subs = new Map();
    for (const p of d.positions) {
      for (const s of p.reports_to || []) {
        if (!this.pos.has(s)) continue;
        if (!this.subs.has(s)) this.subs.set(s, []);
        this.subs.get(s).push(p.id);
      }
    }
    // Persons with several hats get one colour each, in a stable order.
    this.hats = new Map();
    const multi = d.persons.filter((p) => (p.positions || []).length > 1).sort((a, b) => a.id.localeCompare(b.id));
    multi.forEach((p, i) => this.hats.set(p.id, HAT_COLOURS[i % HAT_COLOURS.length]));
  }

  sups(id) { return ((this.pos.get(id) || {}).reports_to || []).filter((s) => this.pos.has(s)); }

  // ---- zoom (CSS zoom keeps layout, scrolling and hit-testing consistent) ----

  setZoom(z) {
    this.zoom = Math.min(1.5, Math.max(0.1, Math.round(z * 100) / 100));
    const canvas = this.el.querySelector('.org-canvas');
    if (canvas) canvas.style.zoom = String(this.zoom);
    $('#org-zoom-level').textContent = new Intl.NumberFormat(getLang() === 'ar' ? 'ar-u-nu-latn' : 'en', { style: 'percent' }).format(this.zoom);
  }

  // The whole chart in the frame: tries wider layouts (fewer rows) and keeps
  // the one that can be shown largest.
  fit() {
    if (!this.data) return;
    const fw = this.el.clientWidth - 28, fh = this.el.clientHeight - 28;
    const base = this.baseWidth();
    let best = null;
    for (const k of [1, 1.25, 1.5, 2, 2.5, 3, 4]) {
      const L = this.layout(base * k);
      const z = Math.min(1, fw / L.W, fh / L.H);
      if (!best || z > best.z + 0.005) best = { k, z };
    }
    this.spread = best.k;
    this.render();
    this.setZoom(Math.floor(best.z * 100) / 100);
  }

  baseWidth() { return Math.max(560, (this.el.clientWidth || 900) - 26 - 2 * MARGIN); }

  // ---- layout ----

  layout(maxW) {
    const MAXCOL = maxW >= 840 ? 4 : 3; // boxes per row inside a group
    const positions = this.data.positions;
    const rank = new Map();
    const visiting = new Set();
    const rankOf = (id) => {
      if (rank.has(id)) return rank.get(id);
      if (visiting.has(id)) return 0; // the server refuses loops; be safe anyway
      visiting.add(id);
      const s = this.sups(id);
      const r = s.length ? 1 + Math.max(...s.map(rankOf)) : 0;
      visiting.delete(id);
      rank.set(id, r);
      return r;
    };
    for (const p of positions) rankOf(p.id);

    const byOrg = new Map();
    for (const o of this.data.organisations) byOrg.set(o.id, []);
    for (const p of positions) {
      if (!byOrg.has(p.org)) byOrg.set(p.org, []);
      byOrg.get(p.org).push(p);
    }
    // Organisations joined by reporting lines form components; the largest
    // component is laid out first, each in bands by rank.
    const linked = new Set();
    const adj = new Map();
    for (const p of positions) {
      for (const s of this.sups(p.id)) {
        const so = this.pos.get(s).org;
        if (so === p.org) continue;
        linked.add(so); linked.add(p.org);
        if (!adj.has(so)) adj.set(so, new Set());
        if (!adj.has(p.org)) adj.set(p.org, new Set());
        adj.get(so).add(p.org); adj.get(p.org).add(so);
      }
    }
    const comps = [];
    const compOf = new Map();
    for (const o of adj.keys()) {
      if (compOf.has(o)) continue;
      const members = [], stack = [o];
      compOf.set(o, -1);
      while (stack.length) {
        const x = stack.pop();
        members.push(x);
        for (const y of adj.get(x)) if (!compOf.has(y)) { compOf.set(y, -1); stack.push(y); }
      }
      comps.push(members);
    }
    comps.sort((a, b) => b.length - a.length);
    comps.forEach((m, i) => m.forEach((o) => compOf.set(o, i)));

    // Groups with their internal levels.
    const groups = [];
    for (const [orgId, ps] of byOrg) {
      const ranks = [...new Set(ps.map((p) => rank.get(p.id)))].sort((a, b) => a - b);
      const levels = ranks.map((r) => ps.filter((p) => rank.get(p.id) === r).map((p) => p.id));
      const cols = Math.max(1, Math.min(MAXCOL, Math.max(0, ...levels.map((l) => l.length))));
      const rows = levels.reduce((n, l) => n + Math.ceil(l.length / MAXCOL), 0);
      const w = GP * 2 + cols * BW + (cols - 1) * HG;
      const hgt = GH + GP + (rows ? rows * BH + (rows - 1) * VG : 26) + GP;
      groups.push({ id: orgId, levels, cols, w, h: hgt, band: linked.has(orgId) ? compOf.get(orgId) * 1000 + Math.min(...ranks) : Infinity, order: groups.length });
    }

    const boxes = new Map(); // position id → {x, y} absolute, LTR
    const placeBoxes = (g) => {
      let y = g.y + GH + GP;
      for (const level of g.levels) {
        const bary = (id) => {
          const xs = this.sups(id).map((s) => boxes.get(s)).filter(Boolean).map((b) => b.x + BW / 2);
          return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity;
        };
        const ordered = level.map((id, i) => ({ id, i, b: bary(id) }))
          .sort((a, b) => (a.b === b.b ? a.i - b.i : (a.b === Infinity ? 1 : b.b === Infinity ? -1 : a.b - b.b)));
        for (let k = 0; k < ordered.length; k += MAXCOL) {
          const chunk = ordered.slice(k, k + MAXCOL);
          const rowW = chunk.length * BW + (chunk.length - 1) * HG;
          let x = g.x + (g.w - rowW) / 2;
          for (const c of chunk) { boxes.set(c.id, { x, y }); x += BW + HG; }
          y += BH + VG;
        }
      }
    };

    const bands = [...new Set(groups.map((g) => g.band))].sort((a, b) => a - b);
    const lines = []; // rows of groups after wrapping
    for (const band of bands) {
      const gs = groups.filter((g) => g.band === band);
      // Barycentre of the superiors already placed (earlier bands).
      const bary = (g) => {
        const xs = [];
        for (const l of g.levels) for (const id of l) for (const s of this.sups(id)) { const b = boxes.get(s); if (b) xs.push(b.x + BW / 2); }
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity;
      };
      let row = [], rowW = 0;
      const flush = () => { if (row.length) lines.push({ groups: row, w: rowW }); row = []; rowW = 0; };
      // Place provisionally to learn the barycentres of earlier rows first.
      const ordered = gs.map((g) => ({ g, b: bary(g) }))
        .sort((a, b) => (a.b === b.b ? a.g.order - b.g.order : (a.b === Infinity ? 1 : b.b === Infinity ? -1 : a.b - b.b)))
        .map((x) => x.g);
      for (const g of ordered) {
        const add = (row.length ? GGX : 0) + g.w;
        if (row.length && rowW + add > maxW) flush();
        rowW += (row.length ? GGX : 0) + g.w;
        row.push(g);
      }
      flush();
      // Place this band's rows now so the next band can use their x.
      for (const ln of lines.slice(lines.length - (lines.filter((l) => !l.placed).length))) {
        ln.placed = true;
        const width = Math.max(maxW, ln.w);
        let x = (width - ln.w) / 2;
        const prev = lines[lines.indexOf(ln) - 1];
        const y = prev ? prev.y + prev.h + GGY : 0;
        ln.y = y;
        ln.h = Math.max(...ln.groups.map((g) => g.h));
        for (const g of ln.groups) { g.x = x; g.y = y; x += g.w + GGX; placeBoxes(g); }
      }
    }
    const W = Math.max(maxW, ...lines.map((l) => l.w));
    const H = lines.length ? lines[lines.length - 1].y + lines[lines.length - 1].h : 0;
    // Centre rows in the final width (W may exceed maxW when one group is wider).
    if (W > maxW) {
      for (const ln of lines) {
        const dx = (W - maxW) / 2;
        for (const g of ln.groups) { g.x += dx; for (const l of g.levels) for (const id of l) boxes.get(id).x += dx; }
      }
    }
    if (isRtl()) {
      for (const g of groups) g.x = W - g.x - g.w;
      for (const b of boxes.values()) b.x = W - b.x - BW;
    }
    // A margin on both sides keeps a free corridor for lines that must go round.
    for (const g of groups) g.x += MARGIN;
    for (const b of boxes.values()) b.x += MARGIN;
    return { groups, boxes, W: W + 2 * MARGIN + 2, H: H + 2 };
  }

  // ---- drawing ----

  render() {
    const scrollTop = this.el.scrollTop, scrollLeft = this.el.scrollLeft;
    const L = this.layout(this.baseWidth() * this.spread);
    this.boxes = L.boxes;
    clear(this.el);
    const canvas = h('div', { class: 'org-canvas', style: { width: `${L.W}px`, height: `${L.H}px` } });
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'org-lines');
    svg.setAttribute('width', L.W);
    svg.setAttribute('height', L.H);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('data-testid', 'org-lines');
    svg.innerHTML = '<defs><marker id="org-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="org-arrow"/></marker></defs>';
    canvas.append(svg);

    for (const g of L.groups) {
      const org = this.orgs.get(g.id) || { id: g.id, name: { en: g.id } };
      const gEl = h('section', {
        class: 'org-group', 'data-testid': `org-group-${g.id}`, 'data-org-id': g.id,
        style: { left: `${g.x}px`, top: `${g.y}px`, width: `${g.w}px`, height: `${g.h}px` },
        'aria-label': pick(org.name) || g.id,
      },
      h('h3', { class: 'org-group-title', title: `${pick(org.name) || g.id} — ${tOpt(`org.kind.${org.kind}`, org.kind || '')}` },
        h('span', { class: 'org-group-name' }, pick(org.name) || g.id)));
      const ul = h('ul', { class: 'org-boxes' });
      const ids = g.levels.flat();
      if (!ids.length) gEl.append(h('p', { class: 'org-empty' }, t('org.no_positions')));
      for (const id of ids) {
        const b = L.boxes.get(id);
        ul.append(h('li', null, this.boxEl(this.pos.get(id), b.x - g.x, b.y - g.y)));
      }
      gEl.append(ul);
      canvas.append(gEl);
    }

    // Lines: start offsets spread along the superior's bottom edge (ordered by
    // the subordinate's x), end offsets along the subordinate's top edge.
    const starts = new Map();
    for (const [s, subs] of this.subs) {
      const sorted = [...subs].sort((a, b) => L.boxes.get(a).x - L.boxes.get(b).x);
      const step = Math.min(14, (BW - 40) / Math.max(1, sorted.length - 1));
      sorted.forEach((c, i) => starts.set(`${s}>${c}`, (i - (sorted.length - 1) / 2) * step));
    }
    this.obstacles = [...L.boxes.entries()].map(([id, b]) => ({ id, x: b.x, y: b.y }));
    this.corridors = [MARGIN / 2, L.W - MARGIN / 2];
    for (const b of L.boxes.values()) this.corridors.push(b.x - HG / 2, b.x + BW + HG / 2);
    for (const g of L.groups) this.corridors.push(g.x - GGX / 2, g.x + g.w + GGX / 2);
    let lane = 0;
    for (const p of this.data.positions) {
      const sups = this.sups(p.id).sort((a, b) => L.boxes.get(a).x - L.boxes.get(b).x);
      sups.forEach((s, k) => {
        const a = L.boxes.get(s), b = L.boxes.get(p.id);
        const endOff = (k - (sups.length - 1) / 2) * 26;
        const d = this.pathFor(a, b, starts.get(`${s}>${p.id}`) || 0, endOff, [s, p.id], (lane++ % 4) * 4);
        const path = document.createElementNS(SVG, 'path');
        path.setAttribute('d', d);
        const cross = this.pos.get(s).org !== p.org;
        path.setAttribute('class', `org-line${cross ? ' org-line-cross' : ''}`);
        path.setAttribute('data-from', s);
        path.setAttribute('data-to', p.id);
        path.setAttribute('data-testid', `line-${s}-${p.id}`);
        path.setAttribute('marker-start', 'url(#org-arrow)');
        svg.append(path);
      });
    }
    this.el.append(canvas);
    this.setZoom(this.zoom);
    this.el.scrollTop = scrollTop;
    this.el.scrollLeft = scrollLeft;
    this.el.dataset.ready = '1';
    if (this.selected) this.select(this.selected, { quiet: true });
    else this.renderDetails();
    this.applySearch();
  }

  // A line from superior box a to subordinate box b. A smooth curve when it
  // crosses no other box; otherwise it goes round: out into the gap below a,
  // along to a corridor free of boxes, down (or up) it, and along the gap
  // above b — so a line never seems to come out of a box it only passes.
  pathFor(a, b, startOff, endOff, ends = [], lane = 0) {
    const sx = a.x + BW / 2 + startOff, ex = b.x + BW / 2 + endOff;
    const down = b.y >= a.y + BH + 8, up = b.y + BH + 8 <= a.y;
    if (!down && !up) { // side by side
      const right = b.x > a.x;
      const x1 = right ? a.x + BW : a.x, x2 = right ? b.x : b.x + BW;
      const y1 = a.y + BH / 2, y2 = b.y + BH / 2;
      const dx = Math.max(20, Math.abs(x2 - x1) / 2) * (right ? 1 : -1);
      return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    }
    const dir = down ? 1 : -1;
    const sy = down ? a.y + BH : a.y, ey = down ? b.y : b.y + BH;
    const dy = Math.max(24, Math.abs(ey - sy) / 2);
    const c = [sx, sy + dir * dy, ex, ey - dir * dy];
    const others = this.obstacles.filter((o) => !ends.includes(o.id));
    const hits = (x, y, m = 2) => others.some((o) => x > o.x - m && x < o.x + BW + m && y > o.y - m && y < o.y + BH + m);
    let blocked = false;
    for (let i = 1; i < 24 && !blocked; i++) {
      const t = i / 24, u = 1 - t;
      const x = u * u * u * sx + 3 * u * u * t * c[0] + 3 * u * t * t * c[2] + t * t * t * ex;
      const y = u * u * u * sy + 3 * u * u * t * c[1] + 3 * u * t * t * c[3] + t * t * t * ey;
      blocked = hits(x, y);
    }
    if (!blocked) return `M${sx},${sy} C${c[0]},${c[1]} ${c[2]},${c[3]} ${ex},${ey}`;
    const y1 = sy + dir * (12 + lane), y2 = ey - dir * (12 + lane);
    const lo = Math.min(y1, y2), hi = Math.max(y1, y2);
    const free = (x) => !others.some((o) => x > o.x - 4 && x < o.x + BW + 4 && o.y < hi && o.y + BH > lo);
    const target = (sx + ex) / 2;
    const cx = this.corridors.filter(free).sort((p, q) => Math.abs(p - sx) + Math.abs(p - ex) - Math.abs(q - sx) - Math.abs(q - ex) || Math.abs(p - target) - Math.abs(q - target))[0];
    if (cx === undefined) return `M${sx},${sy} C${c[0]},${c[1]} ${c[2]},${c[3]} ${ex},${ey}`;
    return roundedPath([[sx, sy], [sx, y1], [cx, y1], [cx, y2], [ex, y2], [ex, ey]], 6);
  }

  holderOf(p) { return p && p.holder ? this.persons.get(p.holder) : null; }

  otherHats(p) {
    const person = this.holderOf(p);
    if (!person) return [];
    return (person.positions || []).filter((id) => id !== p.id && this.pos.has(id));
  }

  boxEl(p, x, y) {
    const person = this.holderOf(p);
    const hat = person ? this.hats.get(person.id) : null;
    const others = this.otherHats(p);
    const title = pick(p.title) || p.id;
    const btn = h('button', {
      type: 'button',
      class: ['pos-box', hat && 'multi-hat', !person && 'is-vacant'],
      'data-testid': `pos-${p.id}`,
      'data-position-id': p.id,
      'data-person': person ? person.id : null,
      'data-org': p.org,
      'aria-pressed': 'false',
      title: [title, person ? person.name : t('org.vacant'), others.length ? t('org.also_holds', { titles: others.map((id) => pick(this.pos.get(id).title) || id).join(' · ') }) : null].filter(Boolean).join('\n'),
      style: { left: `${x}px`, top: `${y}px`, width: `${BW}px`, height: `${BH}px`, ...(hat ? { '--hat': hat } : {}) },
      onclick: () => this.select(p.id),
      onkeydown: (e) => this.onBoxKey(e, p.id),
    },
    h('span', { class: 'pos-title' }, title),
    h('span', { class: 'pos-holder' }, person ? person.name : t('org.vacant')),
    hat ? h('span', { class: 'hat-badge', 'data-testid': 'hat-badge', title: t('org.hats_title', { name: person.name, n: others.length + 1 }) }, t('org.hats', { n: others.length + 1 })) : null,
    others.length ? h('span', { class: 'pos-also', 'data-testid': 'also-holds' }, t('org.also_holds', { titles: others.map((id) => pick(this.pos.get(id).title) || id).join(' · ') })) : null);
    return btn;
  }

  onBoxKey(e, id) {
    let target = null;
    if (e.key === 'ArrowUp') target = this.sups(id)[0];
    else if (e.key === 'ArrowDown') target = (this.subs.get(id) || [])[0];
    else if (e.key === 'Escape') { this.select(null); return; }
    if (!target) return;
    e.preventDefault();
    this.select(target, { focus: true });
  }

  boxFor(id) { return this.el.querySelector(`.pos-box[data-position-id="${CSS.escape(id)}"]`); }

  select(id, { focus = false, quiet = false } = {}) {
    this.selected = id;
    const person = id ? this.holderOf(this.pos.get(id)) : null;
    const related = new Set(id ? [...this.sups(id), ...(this.subs.get(id) || [])] : []);
    for (const b of $$('.pos-box', this.el)) {
      const me = b.dataset.positionId === id;
      b.classList.toggle('is-selected', me);
      b.setAttribute('aria-pressed', me ? 'true' : 'false');
      b.classList.toggle('is-related', related.has(b.dataset.positionId));
      b.classList.toggle('is-same-person', !me && !!person && b.dataset.person === person.id);
    }
    for (const l of $$('.org-line', this.el)) {
      l.classList.toggle('is-active', !!id && (l.dataset.from === id || l.dataset.to === id));
    }
    this.el.classList.toggle('has-selection', !!id);
    this.renderDetails();
    if (id && !quiet) {
      const box = this.boxFor(id);
      if (box) {
        box.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        if (focus) box.focus();
      }
    }
  }

  renderDetails() {
    const body = clear(this.details);
    const p = this.selected && this.pos.get(this.selected);
    if (!p) { body.append(h('p', { class: 'hint' }, t('org.details_hint'))); return; }
    const person = this.holderOf(p);
    const link = (id) => {
      const q = this.pos.get(id);
      const holder = this.holderOf(q);
      return h('li', null, h('button', {
        type: 'button', class: 'link-btn', 'data-goto': id, 'data-testid': `goto-${id}`,
        onclick: () => this.select(id, { focus: true }),
      }, pick(q.title) || id), holder ? h('span', { class: 'link-holder' }, ` — ${holder.name}`) : h('span', { class: 'link-holder' }, ` — ${t('org.vacant')}`));
    };
    const list = (ids, testid) => (ids.length ? h('ul', { class: 'rel-list', 'data-testid': testid }, ids.map(link)) : h('p', { class: 'hint', 'data-testid': testid }, t('org.none')));
    const org = this.orgs.get(p.org);
    body.append(...[
      h('h3', { class: 'details-title', 'data-testid': 'details-title', 'data-position-id': p.id }, pick(p.title) || p.id),
      h('dl', { class: 'details-dl' },
        h('dt', null, t('org.organisation')), h('dd', null, org ? pick(org.name) : p.org),
        h('dt', null, t('org.holder')), h('dd', { 'data-testid': 'details-holder' }, person ? person.name : t('org.vacant'),
          person && this.hats.has(person.id) ? h('span', { class: 'hat-badge', style: { '--hat': this.hats.get(person.id) } }, t('org.hats', { n: (person.positions || []).length })) : null),
        h('dt', null, t('org.id')), h('dd', { dir: 'ltr' }, p.id)),
      h('h4', null, t('org.also_holds_title')), list(this.otherHats(p), 'details-hats'),
      h('h4', null, t('org.superiors')), list(this.sups(p.id), 'details-superiors'),
      h('h4', null, t('org.subordinates')), list(this.subs.get(p.id) || [], 'details-subordinates'),
      (p.authority || []).length ? h('h4', null, t('org.authority')) : null,
      (p.authority || []).length ? h('ul', { class: 'chips' }, p.authority.map((a) => h('li', { class: 'chip' }, tOpt(`authority.${a}`, a)))) : null,
    ].filter(Boolean));
  }

  applySearch() {
    const q = this.search.value.trim().toLowerCase();
    for (const b of $$('.pos-box', this.el)) {
      const p = this.pos.get(b.dataset.positionId);
      const person = this.holderOf(p);
      const hay = [p.id, p.title && p.title.en, p.title && p.title.ar, person && person.name].filter(Boolean).join(' ').toLowerCase();
      const match = !!q && hay.includes(q);
      b.classList.toggle('is-match', match);
      b.classList.toggle('is-dim', !!q && !match);
    }
  }
}

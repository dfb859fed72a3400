// icons.js — map symbols drawn as inline SVG (no image files, nothing
// fetched): one glyph per site and no-strike category, a unit symbol, a
// vehicle for movements. Every string here is fixed markup; data (names,
// ids) never goes into it.

// 24x24 glyphs, filled with currentColor; even-odd fill makes the holes.
const GLYPHS = {
  cross: 'M9.5 4h5v5.5H20v5h-5.5V20h-5v-5.5H4v-5h5.5z',
  house: 'M12 3.5l9 7.5h-2.8V20H5.8v-9H3zM10 14v6h4v-6z',
  book: 'M4 5.5C6.5 4.5 9.5 4.5 12 6c2.5-1.5 5.5-1.5 8-.5V19c-2.5-1-5.5-1-8 .5-2.5-1.5-5.5-1.5-8-.5zM11 7.5C9.3 6.7 7.4 6.6 6 7v9.4c1.6-.4 3.3-.3 5 .4z',
  warehouse: 'M2.5 9.5L12 4l9.5 5.5V20h-3v-8h-13v8h-3zM7 13.5h10V16H7zM7 17h10v3H7z',
  box: 'M4 8h16v12H4zM9.5 8v4h5V8zM8 3.5h8L17.5 7h-11z',
  drop: 'M12 2.5c3.2 5 6.5 8.4 6.5 12a6.5 6.5 0 0 1-13 0c0-3.6 3.3-7 6.5-12z',
  bowl: 'M3 11h18c0 4.7-3.6 8.5-9 8.5S3 15.7 3 11zM7.5 3.5h2v6h-2zM11 2.5h2v7h-2zM14.5 3.5h2v6h-2z',
  office: 'M5.5 3h13v18h-13zM8 6v2.5h3V6zM13 6v2.5h3V6zM8 10.5V13h3v-2.5zM13 10.5V13h3v-2.5zM10.5 16v5h3v-5z',
  bed: 'M2.5 6h2.5v7h16.5v7H19v-2.5H5V20H2.5zM6 9.5a2.3 2.3 0 1 1 4.6 0 2.3 2.3 0 0 1-4.6 0zM11.5 8h6.5a3 3 0 0 1 3 3v1h-9.5z',
  dot: 'M12 6.5a5.5 5.5 0 1 1 0 11 5.5 5.5 0 0 1 0-11z',
  bolt: 'M13.5 2L5 13.5h6L9.5 22 19 10h-6.2z',
  antenna: 'M11 9.5h2V22h-2zM12 3.5a5 5 0 0 1 5 5h-2a3 3 0 0 0-6 0H7a5 5 0 0 1 5-5zM12 6.8a1.7 1.7 0 1 1 0 3.4 1.7 1.7 0 0 1 0-3.4zM8 21l3-8h2l3 8h-2.2l-1.8-5-1.8 5z',
  dome: 'M4 20V13h16v7zM5.5 12a6.5 6.5 0 0 1 13 0zM11.2 2.5h1.6v3.7h-1.6z',
  column: 'M3.5 7L12 2.5 20.5 7v1.5h-17zM5.5 10h2.5v8H5.5zM10.8 10h2.4v8h-2.4zM16 10h2.5v8H16zM3.5 19h17v2.5h-17z',
  truck: 'M2 6h12v10H2zM14 9.5h4l3.5 3.5V16H14zM6 18.5a1.9 1.9 0 1 1 0-.01zM17.5 18.5a1.9 1.9 0 1 1 0-.01z',
};

const SITE_GLYPH = {
  health_facility: 'cross', shelter_school: 'house', warehouse: 'warehouse', distribution_point: 'box',
  water_sanitation: 'drop', bakery_kitchen: 'bowl', office: 'office', staff_residence: 'bed', other: 'dot',
};
const NOSTRIKE_GLYPH = {
  hospital: 'cross', clinic: 'cross', water_works: 'drop', sanitation: 'drop', power: 'bolt', telecom: 'antenna',
  school: 'book', religious: 'dome', cultural_heritage: 'column', shelter: 'house', other: 'dot',
};
// Colours chosen apart from the sector fills and from one another.
export const SITE_COLOURS = {
  health_facility: '#c0262d', shelter_school: '#1f6fb2', warehouse: '#7a4b1e', distribution_point: '#0f8a5f',
  water_sanitation: '#1592b5', bakery_kitchen: '#c46a00', office: '#5b4db3', staff_residence: '#8a3f8a', other: '#4b5563',
};
export const MOVEMENT_COLOURS = {
  submitted: '#5b6473', acknowledged: '#1c64c8', facilitated: '#14804a', partially_facilitated: '#7a8a12',
  impeded: '#d07a00', denied: '#b42318', postponed: '#7d5ab5', cancelled: '#8a8f98', completed: '#8a8f98',
};

function glyphPath(name) { return GLYPHS[name] || GLYPHS.dot; }

export function glyphSvg(name, size = 16, colour = 'currentColor') {
  return `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false"><path fill="${colour}" fill-rule="evenodd" d="${glyphPath(name)}"/></svg>`;
}

// Site: a disc in the category's colour with a white glyph.
export function siteIconHtml(category) {
  const c = SITE_COLOURS[category] || SITE_COLOURS.other;
  return `<svg viewBox="0 0 28 28" width="28" height="28" aria-hidden="true" focusable="false"><circle cx="14" cy="14" r="12.5" fill="${c}" stroke="#fff" stroke-width="2"/><g transform="translate(6 6) scale(0.6667)"><path fill="#fff" fill-rule="evenodd" d="${glyphPath(SITE_GLYPH[category])}"/></g></svg>`;
}
export function siteGlyph(category) { return SITE_GLYPH[category] || 'dot'; }
export function siteColour(category) { return SITE_COLOURS[category] || SITE_COLOURS.other; }

// No-strike object: a white diamond with a red border and a dark red glyph.
export function nostrikeIconHtml(category) {
  return `<svg viewBox="0 0 30 30" width="30" height="30" aria-hidden="true" focusable="false"><path d="M15 1.5L28.5 15 15 28.5 1.5 15z" fill="#fff" stroke="#a1121b" stroke-width="2.5"/><g transform="translate(8.5 8.5) scale(0.5417)"><path fill="#a1121b" fill-rule="evenodd" d="${glyphPath(NOSTRIKE_GLYPH[category])}"/></g></svg>`;
}
export function nostrikeGlyph(category) { return NOSTRIKE_GLYPH[category] || 'dot'; }

// Unit: a friendly-force rectangle (blue frame) with the infantry cross.
export function unitIconHtml() {
  return '<svg viewBox="0 0 30 22" width="22" height="16" aria-hidden="true" focusable="false"><rect x="1.5" y="1.5" width="27" height="19" fill="#a8d4ff" stroke="#0b3d91" stroke-width="2"/><path d="M1.5 1.5L28.5 20.5M28.5 1.5L1.5 20.5" stroke="#0b3d91" stroke-width="1.6"/></svg>';
}

// Movement: a vehicle on a rounded square in the status colour.
export function movementIconHtml(status) {
  const c = MOVEMENT_COLOURS[status] || MOVEMENT_COLOURS.submitted;
  return `<svg viewBox="0 0 28 28" width="28" height="28" aria-hidden="true" focusable="false"><rect x="1.5" y="1.5" width="25" height="25" rx="6" fill="${c}" stroke="#fff" stroke-width="2"/><g transform="translate(5 5) scale(0.75)"><path fill="#fff" fill-rule="evenodd" d="${GLYPHS.truck}"/></g></svg>`;
}

// A numbered waypoint while drawing a route (the number is a digit string).
export function waypointIconHtml(n) {
  const s = String(Number(n) || 0);
  return `<span class="wp-num">${s}</span>`;
}

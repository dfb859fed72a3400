// build-geo.mjs — writes the Gaza scenario's four GeoJSON layers from the
// hand-placed vertex lists below, so that the five sectors are cut out of the
// one boundary ring along shared cut lines: neighbouring sectors share their
// edge vertex for vertex and together tile the boundary exactly.
//
// EXERCISE DATA. Every coordinate is an approximation placed by hand from
// general geographic knowledge (see ../SOURCES.md); nothing was downloaded or
// surveyed. Run: node scenarios/gaza/tools/build-geo.mjs  (no dependencies)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = 'EXERCISE approximation placed by hand from general knowledge of public maps ' +
  '(OpenStreetMap-style outline, OCHA governorate map); rounded, not survey-grade, not downloaded';

// The boundary ring, counter-clockwise, starting where the Egypt border meets
// the sea: along the Egypt border to the Egypt-Israel-Gaza tripoint, up the
// land border with Israel to the north-east corner by Beit Hanoun, west along
// the northern border to the sea, then south-west down the coast.
const EGYPT = [
  [34.21660, 31.32330], // Egypt border at the sea (west end of the Philadelphi corridor)
  [34.23750, 31.28100], // Rafah: the border runs through the twin town
  [34.25410, 31.24690], // by the Rafah crossing
  [34.26750, 31.21960], // Egypt-Israel-Gaza tripoint, by Kerem Shalom
];
const EAST = [
  [34.29000, 31.23300], // Kerem Shalom
  [34.32000, 31.25600], // Sufa
  [34.33300, 31.26850], // (cut: Rafah | Khan Younis)
  [34.34500, 31.28000],
  [34.36900, 31.30700], // Khuza'a
  [34.38200, 31.34500], // Abasan
  [34.39000, 31.37800], // Kissufim (cut: Khan Younis | Deir al-Balah)
  [34.41500, 31.40500], // east of Maghazi
  [34.45200, 31.44000], // east of Bureij (cut: Deir al-Balah | Gaza)
  [34.48800, 31.47300], // Nahal Oz / Karni
  [34.51000, 31.49500], // east of Shuja'iyya
  [34.52500, 31.50600], // (cut: Gaza | North Gaza)
  [34.54000, 31.51700],
  [34.56800, 31.54000], // north-east corner, east of Beit Hanoun
];
const NORTH = [
  [34.53900, 31.56100], // Erez / Beit Hanoun
  [34.51000, 31.58000], // Zikim / Erez West
];
const COAST = [
  [34.49050, 31.59450], // northern border at the sea
  [34.47000, 31.56000], // Beit Lahia coast
  [34.45000, 31.53500], // al-Shati (cut: North Gaza | Gaza)
  [34.44200, 31.52500], // Gaza port
  [34.41000, 31.49200], // Tel al-Hawa coast
  [34.38500, 31.47000], // Wadi Gaza mouth (cut: Gaza | Deir al-Balah)
  [34.36000, 31.44600], // Nuseirat coast
  [34.33500, 31.42000], // Deir al-Balah coast
  [34.31500, 31.39930], // (cut: Deir al-Balah | Khan Younis)
  [34.30500, 31.38900],
  [34.27500, 31.35600], // al-Mawasi, Khan Younis
  [34.24500, 31.33700],
  [34.23800, 31.33350], // (cut: Khan Younis | Rafah)
];
const RING = [...EGYPT, ...EAST, ...NORTH, ...COAST, EGYPT[0]];

// Cut lines between governorates, each from a coast vertex to a border vertex.
const CUTS = {
  rafah_khan: [[34.23800, 31.33350], [34.33300, 31.26850]],
  khan_deir: [[34.31500, 31.39930], [34.39000, 31.37800]],
  deir_gaza: [[34.38500, 31.47000], [34.45200, 31.44000]],
  gaza_north: [[34.45000, 31.53500], [34.48500, 31.52300], [34.52500, 31.50600]],
};

const same = (a, b) => a[0] === b[0] && a[1] === b[1];
const LAST = RING.length - 1; // the repeated first vertex
const at = (p) => {
  const i = RING.slice(0, LAST).findIndex((q) => same(p, q));
  if (i < 0) throw new Error(`cut end ${p} is not a boundary vertex`);
  return i;
};
const span = (i, j) => RING.slice(i, j + 1); // ring vertices i..j, i <= j

// The piece of the ring between a southern cut and a northern cut; a cut runs
// from its coast end (high ring index) to its border end (low ring index).
// South piece (no southern cut): ring start .. northern cut .. back to start.
// North piece (no northern cut): southern cut, border and coast round to it.
// Each ring comes out closed and counter-clockwise like the boundary.
function sector(south, north) {
  if (!south) return [...span(0, at(north.at(-1))), ...north.slice(1, -1).reverse(), ...span(at(north[0]), LAST)];
  if (!north) return [...south.slice(0, -1), ...span(at(south.at(-1)), at(south[0]))];
  return [...south.slice(0, -1), ...span(at(south.at(-1)), at(north.at(-1))), ...north.slice(1, -1).reverse(),
    ...span(at(north[0]), at(south[0]))];
}

const fc = (features) => ({ type: 'FeatureCollection', features });
const feature = (geometry, properties) => ({ type: 'Feature', properties: { ...properties, exercise: true, source: SOURCE }, geometry });
const write = (name, obj) => writeFileSync(join(OUT, name), JSON.stringify(obj, null, 1) + '\n');

write('boundary.geojson', fc([feature({ type: 'Polygon', coordinates: [RING] }, {
  id: 'BOUNDARY', layer: 'boundary', name_en: 'Gaza Strip (mission area)', name_ar: 'قطاع غزة (منطقة البعثة)',
})]));

// Control of each sector is an EXERCISE ASSUMPTION, not a statement of fact.
const SECTORS = [
  { id: 'SEC-RAFAH', name_en: 'Rafah', name_ar: 'رفح', controlled_by: 'IDF', control: 'idf',
    ring: sector(null, CUTS.rafah_khan) },
  { id: 'SEC-KHAN', name_en: 'Khan Younis', name_ar: 'خان يونس', controlled_by: 'IDF east of the line / ISF-EGY west of it', control: 'contested',
    ring: sector(CUTS.rafah_khan, CUTS.khan_deir) },
  { id: 'SEC-DEIR', name_en: 'Deir al-Balah', name_ar: 'دير البلح', controlled_by: 'ISF-EGY', control: 'isf',
    ring: sector(CUTS.khan_deir, CUTS.deir_gaza) },
  { id: 'SEC-GAZA', name_en: 'Gaza City', name_ar: 'مدينة غزة', controlled_by: 'ISF-IDN', control: 'isf',
    ring: sector(CUTS.deir_gaza, CUTS.gaza_north) },
  { id: 'SEC-NORTH', name_en: 'North Gaza', name_ar: 'شمال غزة', controlled_by: 'ISF-AZE', control: 'isf',
    ring: sector(CUTS.gaza_north, null) },
];
// Listed north to south, as the governorates usually are.
write('sectors.geojson', fc(SECTORS.reverse().map(({ ring, ...p }) =>
  feature({ type: 'Polygon', coordinates: [ring] }, { id: p.id, layer: 'sector', name_en: p.name_en, name_ar: p.name_ar,
    controlled_by: p.controlled_by, control: p.control }))));

// The "yellow line" of the October 2025 cease-fire, north to south: from the
// Beit Lahia coast round Beit Hanoun, 1.5-3 km inside the eastern border past
// Gaza City and the central camps, wider east of Khan Younis, then west to the
// sea between Khan Younis and Rafah, leaving Rafah on the Israeli side.
write('withdrawal_line.geojson', fc([feature({ type: 'LineString', coordinates: [
  [34.48500, 31.57000], // Beit Lahia, near the coast
  [34.50000, 31.55600],
  [34.51800, 31.54000], // west of Beit Hanoun
  [34.51200, 31.52200],
  [34.49200, 31.50000], // east Gaza City (Shuja'iyya)
  [34.47500, 31.48000],
  [34.44500, 31.45500], // east of Juhor ad-Dik
  [34.41500, 31.43000], // east of Bureij
  [34.38500, 31.40000], // east of Deir al-Balah
  [34.36000, 31.37000], // al-Qarara
  [34.33000, 31.34500], // east of Khan Younis city
  [34.30500, 31.33000], // south of Khan Younis city
  [34.27500, 31.33300],
  [34.25000, 31.33300], // near the coast between Khan Younis and Rafah
] }, { id: 'LINE-YELLOW', layer: 'line', name_en: 'Withdrawal line (yellow line)', name_ar: 'خط الانسحاب (الخط الأصفر)' })]));

// Crossings. Kind and status are EXERCISE ASSUMPTIONS at the start of the exercise.
const X = (id, coords, name_en, name_ar, kind, status) =>
  feature({ type: 'Point', coordinates: coords }, { id, layer: 'crossing', name_en, name_ar, kind, status });
write('crossings.geojson', fc([
  X('XNG-KS', [34.28390, 31.22780], 'Kerem Shalom (Karem Abu Salem)', 'معبر كرم أبو سالم', 'goods', 'open'),
  X('XNG-RAFAH', [34.25970, 31.24690], 'Rafah', 'معبر رفح', 'people', 'closed'),
  X('XNG-KISSUFIM', [34.39000, 31.37800], 'Kissufim', 'معبر كيسوفيم', 'goods', 'restricted'),
  X('XNG-ZIKIM', [34.50300, 31.58600], 'Zikim', 'معبر زيكيم', 'goods', 'restricted'),
  X('XNG-EREZ-WEST', [34.52000, 31.57450], 'Erez West', 'معبر إيرز الغربي', 'goods', 'closed'),
  X('XNG-EREZ', [34.53900, 31.56100], 'Erez (Beit Hanoun)', 'معبر بيت حانون (إيرز)', 'both', 'closed'),
]));

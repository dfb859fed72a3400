// tests/lib/geodesic.mjs — geodesics on the WGS 84 ellipsoid, independently
// of the server (which uses PROJ): Vincenty's inverse and direct formulae
// (T. Vincenty, Survey Review 23(176), 1975), accurate to well under a
// millimetre for the distances a mission area has (the inverse does not
// converge for nearly antipodal points, which never occur here). Plus the
// distances the deconfliction tests need: point to geodesic segment, point to
// polygon, point to line.
const A = 6378137.0;
const F = 1 / 298.257223563;
const B = A * (1 - F);
const RAD = Math.PI / 180;

// Geodesic distance in metres and the forward azimuths (degrees) between
// [lon1, lat1] and [lon2, lat2].
export function inverse(p1, p2) {
  const [lon1, lat1] = p1, [lon2, lat2] = p2;
  if (lon1 === lon2 && lat1 === lat2) return { s: 0, az1: 0, az2: 0 };
  const L = (lon2 - lon1) * RAD;
  const U1 = Math.atan((1 - F) * Math.tan(lat1 * RAD));
  const U2 = Math.atan((1 - F) * Math.tan(lat2 * RAD));
  const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
  let lambda = L, prev, iter = 0;
  let sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM, sinLambda, cosLambda;
  do {
    sinLambda = Math.sin(lambda);
    cosLambda = Math.cos(lambda);
    sinSigma = Math.sqrt((cosU2 * sinLambda) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) ** 2);
    if (sinSigma === 0) return { s: 0, az1: 0, az2: 0 };
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cosSqAlpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cosSqAlpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cosSqAlpha : 0;
    const C = (F / 16) * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
    prev = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (++iter > 1000) throw new Error('Vincenty inverse did not converge');
  } while (Math.abs(lambda - prev) > 1e-13);
  const uSq = (cosSqAlpha * (A * A - B * B)) / (B * B);
  const AA = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const BB = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  const deltaSigma = BB * sinSigma * (cos2SigmaM + (BB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
    - (BB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  const s = B * AA * (sigma - deltaSigma);
  const az1 = Math.atan2(cosU2 * sinLambda, cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) / RAD;
  const az2 = Math.atan2(cosU1 * sinLambda, -sinU1 * cosU2 + cosU1 * sinU2 * cosLambda) / RAD;
  return { s, az1: (az1 + 360) % 360, az2: (az2 + 360) % 360 };
}

export const distance = (p1, p2) => inverse(p1, p2).s;

// The point s metres from [lon, lat] along the geodesic of azimuth az (degrees).
export function direct(p, az, s) {
  const [lon1, lat1] = p;
  const alpha1 = az * RAD;
  const sinAlpha1 = Math.sin(alpha1), cosAlpha1 = Math.cos(alpha1);
  const tanU1 = (1 - F) * Math.tan(lat1 * RAD);
  const cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1), sinU1 = tanU1 * cosU1;
  const sigma1 = Math.atan2(tanU1, cosAlpha1);
  const sinAlpha = cosU1 * sinAlpha1;
  const cosSqAlpha = 1 - sinAlpha * sinAlpha;
  const uSq = (cosSqAlpha * (A * A - B * B)) / (B * B);
  const AA = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const BB = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  let sigma = s / (B * AA), prev, cos2SigmaM, sinSigma, cosSigma, iter = 0;
  do {
    cos2SigmaM = Math.cos(2 * sigma1 + sigma);
    sinSigma = Math.sin(sigma);
    cosSigma = Math.cos(sigma);
    const deltaSigma = BB * sinSigma * (cos2SigmaM + (BB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
      - (BB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    prev = sigma;
    sigma = s / (B * AA) + deltaSigma;
    if (++iter > 1000) throw new Error('Vincenty direct did not converge');
  } while (Math.abs(sigma - prev) > 1e-13);
  const x = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1;
  const lat2 = Math.atan2(sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1, (1 - F) * Math.sqrt(sinAlpha * sinAlpha + x * x));
  const lambda = Math.atan2(sinSigma * sinAlpha1, cosU1 * cosSigma - sinU1 * sinSigma * cosAlpha1);
  const C = (F / 16) * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
  const L = lambda - (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
  return [lon1 + L / RAD, lat2 / RAD];
}

// The point at fraction f (0..1) of the geodesic from p1 to p2.
export function along(p1, p2, f) {
  const { s, az1 } = inverse(p1, p2);
  if (s === 0) return [...p1];
  return direct(p1, az1, s * f);
}

// Distance from point p to the geodesic segment a-b, and the fraction of the
// segment (0..1) where it is nearest: golden-section search on the geodesic
// (distance along a short segment is unimodal), refined to a millimetre.
export function pointSegment(p, a, b) {
  const { s: len, az1 } = inverse(a, b);
  if (len === 0) return { d: distance(p, a), f: 0 };
  const at = (t) => distance(p, direct(a, az1, t * len));
  let lo = 0, hi = 1;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = at(x1), f2 = at(x2);
  while ((hi - lo) * len > 1e-4) {
    if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = at(x1); }
    else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = at(x2); }
  }
  const cands = [[0, at(0)], [1, at(1)], [(lo + hi) / 2, at((lo + hi) / 2)]];
  cands.sort((u, v) => u[1] - v[1]);
  return { d: cands[0][1], f: cands[0][0] };
}

// Even-odd point in polygon on lon/lat (fine for the small polygons of a test).
export function inRing(p, ring) {
  const [x, y] = p;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// Distance from p to a GeoJSON Polygon's coordinates (rings): 0 inside.
export function pointPolygon(p, rings) {
  let inside = false;
  for (const r of rings) if (inRing(p, r)) inside = !inside;
  if (inside) return 0;
  let d = Infinity;
  for (const r of rings) for (let i = 0; i + 1 < r.length; i++) d = Math.min(d, pointSegment(p, r[i], r[i + 1]).d);
  return d;
}

// Distance from p to a LineString's coordinates.
export function pointLine(p, coords) {
  let d = Infinity;
  for (let i = 0; i + 1 < coords.length; i++) d = Math.min(d, pointSegment(p, coords[i], coords[i + 1]).d);
  return d;
}

// Geodesic length of a LineString's coordinates.
export function lineLength(coords) {
  let s = 0;
  for (let i = 0; i + 1 < coords.length; i++) s += distance(coords[i], coords[i + 1]);
  return s;
}

// A closed ring approximating a circle of radius r metres around c (n vertices).
export function circleRing(c, r, n = 16) {
  const ring = [];
  for (let i = 0; i < n; i++) ring.push(direct(c, (360 * i) / n, r));
  ring.push([...ring[0]]);
  return ring;
}

// A closed ring: a square of half-side h metres around c, axis-aligned by azimuth.
export function squareRing(c, h) {
  const n = direct(c, 0, h), s = direct(c, 180, h);
  const ne = direct(n, 90, h), nw = direct(n, 270, h), se = direct(s, 90, h), sw = direct(s, 270, h);
  return [sw, se, ne, nw, [...sw]];
}

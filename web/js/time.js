// time.js — times are shown in the mission's time zone (Asia/Gaza for Gaza),
// whatever the browser's zone, with the UTC time in the title (hover).
import { getLang, t } from './i18n.js';
import { h } from './dom.js';

let zone = 'Asia/Gaza';
export function setZone(z) { if (z) zone = z; }
export function getZone() { return zone; }

// Latin digits in both languages: times are read out over radios and copied.
function locale() { return getLang() === 'ar' ? 'ar-u-nu-latn' : 'en-GB'; }

export function fmtDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), {
    timeZone: zone, day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(d);
}

export function fmtClock(d = new Date()) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone, weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

export function utcString(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

// <time datetime="..." title="UTC ...">local time</time>
export function timeEl(iso, attrs = {}) {
  return h('time', { datetime: iso, title: t('time.utc_title', { time: utcString(iso) }), ...attrs }, fmtDateTime(iso));
}

// The zone's offset from UTC (ms) at the instant ms.
export function zoneOffsetMs(ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (k) => Number(parts.find((p) => p.type === k).value);
  const asUtc = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour') % 24, g('minute'), g('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

// "YYYY-MM-DDTHH:MM[:SS]" read as a wall-clock time in the mission zone → RFC 3339 UTC.
export function zonedToUtc(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local || '');
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  let ts = wall - zoneOffsetMs(wall);
  ts = wall - zoneOffsetMs(ts);
  return new Date(ts).toISOString().replace('.000Z', 'Z');
}

// "UTC+2" style label of the zone's current offset.
export function zoneLabel(ms = Date.now()) {
  const off = Math.round(zoneOffsetMs(ms) / 60000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, '0')}` : ''}`;
}

// RFC 3339 UTC → "YYYY-MM-DDTHH:MM" wall-clock time in the mission zone (the
// value of a datetime-local field that zonedToUtc reads back).
export function utcToZoned(iso) {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + zoneOffsetMs(ms));
  return d.toISOString().slice(0, 16);
}


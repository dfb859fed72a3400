// mon-data.js — what the monitoring pages (issue 7) share: the fixed lists
// of the contract (docs/monitoring.md), their labels, the taxonomy from the
// server, mission days, and loading the vendored Chart.js.
import { api } from './api.js';
import { t, tOpt, pick } from './i18n.js';
import { h } from './dom.js';
import { getZone } from './time.js';

export const STATUSES = ['reported', 'under_review', 'confirmed', 'unconfirmed', 'refuted', 'merged'];
export const TIME_PRECISIONS = ['minute', 'hour', 'day', 'week', 'month'];
export const LOCATION_PRECISIONS = ['exact', 'town', 'district'];
export const ROLES = ['perpetrator', 'target', 'involved'];
export const CASUALTY_GROUPS = ['civilian', 'combatant', 'isf', 'idf', 'other'];
export const SOURCE_KINDS = ['isf_patrol', 'isf_unit_report', 'cmcc_observation', 'liaison', 'humanitarian', 'local_contact', 'media', 'social_media', 'acled', 'other'];
export const RELIABILITY = ['A', 'B', 'C', 'D', 'E', 'F'];
export const CREDIBILITY = ['1', '2', '3', '4', '5', '6'];
export const CONFIDENCE = ['low', 'medium', 'high'];
export const COMMODITIES = ['food', 'medical', 'shelter', 'fuel', 'cooking_gas', 'water_sanitation', 'other'];
export const CSG_STATUSES = ['at_perimeter', 'crossed', 'offloaded', 'collected', 'delivered', 'intercepted', 'returned'];
// The consignment chain (docs/monitoring.md): the statuses that may follow each.
export const CSG_NEXT = {
  at_perimeter: ['crossed', 'returned'],
  crossed: ['offloaded', 'intercepted', 'returned'],
  offloaded: ['collected', 'intercepted', 'returned'],
  collected: ['delivered', 'intercepted'],
};

export const statusLabel = (s) => tOpt(`inc.status.${s}`, s || '');
// What happened at a step of an incident's history (reported, confirm, merged, ...).
export const eventLabel = (e) => tOpt(`inc.event.${e}`, e || '');
export const csgStatusLabel = (s) => tOpt(`aid.status.${s}`, s || '');
export const commodityLabel = (c) => tOpt(`aid.commodity.${c}`, c || '');
export const sourceKindLabel = (k) => tOpt(`inc.source_kind.${k}`, k || '');
export const roleLabel = (r) => tOpt(`inc.role.${r}`, r || '');
export const groupLabel = (g) => tOpt(`inc.cas.${g}`, g || '');
export const confidenceLabel = (c) => tOpt(`inc.confidence.${c}`, c || '');
export const isCmcc = (me) => !!me && (me.roles.includes('cmcc_watch') || me.roles.includes('cmcc_commander'));
export const can = (me, p) => !!me && me.permissions.includes(p);

// Shared reference data: the taxonomy (types, parties, grades).
export class MonData {
  // orgName(id): the registry's name of an organisation (parties may be organisations).
  constructor(orgName = (id) => id) { this.orgName = orgName; this.taxonomy = null; this.loading = null; }
  reset() { this.taxonomy = null; this.loading = null; }
  loadTaxonomy() {
    if (this.taxonomy) return Promise.resolve(this.taxonomy);
    if (!this.loading) {
      this.loading = api('GET', '/api/v1/incidents/taxonomy')
        .then((x) => { this.taxonomy = x; return x; })
        .finally(() => { this.loading = null; });
    }
    return this.loading;
  }
  type(id) { return ((this.taxonomy && this.taxonomy.types) || []).find((x) => x.id === id) || null; }
  typeLabel(id) { const x = this.type(id); return tOpt(`inc.type.${id}`, (x && x.label) || id || ''); }
  // A party: a named group or force of the taxonomy, or an organisation of the registry.
  partyLabel(id) {
    if (!id) return '';
    const p = ((this.taxonomy && this.taxonomy.parties) || []).find((x) => x.id === id);
    if (!p) return this.orgName(id) || id;
    return (p.name && typeof p.name === 'object' ? pick(p.name) : p.name) || id;
  }
}

// The day (YYYY-MM-DD) of an instant in the mission's time zone.
export function missionDay(ms = Date.now()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: getZone() }).format(new Date(ms));
}
export function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// Chart.js, vendored (web/vendor/chart.js), loaded once on first use.
let chartLoading = null;
export function loadChartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLoading) {
    chartLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/chart.js/chart.umd.js';
      s.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error('chart.js')));
      s.onerror = () => { chartLoading = null; reject(new Error('chart.js')); };
      document.head.append(s);
    });
  }
  return chartLoading;
}

// The exercise tag shown beside exercise records.
export const exerciseTag = (x) => (x && x.exercise ? h('span', { class: 'tag tag-exercise', 'data-testid': 'exercise-tag' }, t('exercise.tag')) : null);


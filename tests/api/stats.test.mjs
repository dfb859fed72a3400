// Dashboard figures (issue 7, items 2-4; docs/monitoring.md "Figures for the
// dashboards"): violations per party per day with trends (confirmed, and the
// unconfirmed apart), incidents by sector and by type, aid per crossing per
// day against the target, the interception rate, and the feed — each against
// figures the test computes from its own inputs (tests/lib/monitoring.mjs,
// the data set and the oracle), in local days of Asia/Gaza across the 2026
// summer-time change; only what the reader may see; bad periods named; and a
// restart that gives the same figures and the same state digest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, startServer, makeDir, truce } from './lib.mjs';
import {
  H, MIN, iso, WINDOW, CROSSINGS, TARGET, buildDataset, violationsOracle, incidentsOracle, aidOracle, daysBetween, gazaDay,
  seesIncident, loginMany, incidentBody, consignmentBody, incidents, close, SITREP_DAY, addDays, clearOfGazaMidnight,
} from '../lib/monitoring.mjs';

const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze', 'isf.egy', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'board.chair'];
let server, t, data, DAYS;
const baseline = {};
const Q = `from=${WINDOW.from}&until=${WINDOW.until}`;

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  DAYS = daysBetween(WINDOW.from, WINDOW.until);
  for (const u of ['cmcc.watch', 'ocha.focal']) {
    baseline[u] = {
      v: (await get(u, `/api/v1/stats/violations?${Q}`)).body,
      s: (await get(u, `/api/v1/stats/incidents?${Q}&by=sector`)).body,
      a: (await get(u, `/api/v1/stats/aid?${Q}`)).body,
    };
  }
  data = await buildDataset(server, t);
});
after(() => shutdown(server));

const get = (u, path) => server.api('GET', path, { token: t[u] });
async function getOk(u, path) {
  const r = await get(u, path);
  assert.equal(r.status, 200, `${u} GET ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}
const visible = (u) => data.incs.filter((x) => seesIncident(u, x));
const sum = (a) => a.reduce((x, y) => x + y, 0);

test('the window holds no exercise data before the test writes (so every figure below is the test\'s own)', () => {
  for (const u of ['cmcc.watch', 'ocha.focal']) {
    const { v, s, a } = baseline[u];
    assert.ok(v && s && a, `the stats routes answer: ${JSON.stringify(baseline[u]).slice(0, 300)}`);
    assert.equal(sum(v.confirmed.total) + sum(v.unconfirmed.total), 0, `${u}: no violations in ${WINDOW.from}..${WINDOW.until}`);
    assert.equal(s.rows.reduce((x, r) => x + r.confirmed + r.unconfirmed + r.refuted, 0), 0, `${u}: no incidents`);
    assert.equal(sum(a.total_trucks), 0, `${u}: no trucks`);
  }
});

function checkViolations(u, got, want) {
  assert.equal(got.from, WINDOW.from);
  assert.equal(got.until, WINDOW.until);
  assert.deepEqual(got.days, DAYS);
  for (const side of ['confirmed', 'unconfirmed']) {
    const g = got[side], w = want[side];
    const parties = new Set([...Object.keys(w.by_party), ...Object.keys(g.by_party).filter((p) => sum(g.by_party[p]) > 0)]);
    for (const p of parties) {
      assert.deepEqual(g.by_party[p], w.by_party[p] || DAYS.map(() => 0), `${u} ${side} ${p} per day`);
      assert.equal(g.per_party_total[p] || 0, w.per_party_total[p] || 0, `${u} ${side} per_party_total ${p}`);
      const tr = g.trend[p], wt = w.trend[p] || { last7: 0, prev7: 0 };
      assert.ok(tr, `${u} ${side} trend ${p}`);
      assert.equal(tr.last7, wt.last7, `${u} ${side} trend ${p} last7`);
      assert.equal(tr.prev7, wt.prev7, `${u} ${side} trend ${p} prev7`);
      if (wt.prev7 > 0) assert.ok(Math.abs(tr.change_pct - ((wt.last7 - wt.prev7) / wt.prev7) * 100) <= 0.51, `${u} ${side} trend ${p} change_pct ${tr.change_pct}`);
      if (sum(w.by_party[p] || [0]) > 0) assert.ok(got.parties.includes(p), `${u}: ${p} in parties`);
    }
    // total per day: the incidents, or the party counts (the contract says "n per day"); the two differ on 2026-10-20 only.
    const asIncidents = JSON.stringify(g.total) === JSON.stringify(w.total_incidents);
    const asParties = JSON.stringify(g.total) === JSON.stringify(w.total);
    assert.ok(asIncidents || asParties, `${u} ${side} total per day ${JSON.stringify(g.total)}: want ${JSON.stringify(w.total_incidents)} (incidents) or ${JSON.stringify(w.total)} (party counts)`);
  }
}

test('violations per party per day: confirmed by attribution (each party once, UNKNOWN its own), unconfirmed apart by perpetrator or attribution; local days; trends', async () => {
  const got = await getOk('cmcc.watch', `/api/v1/stats/violations?${Q}`);
  const want = violationsOracle(data.incs, DAYS);
  checkViolations('cmcc.watch', got, want);
  // By hand, a few of the figures the oracle gives (so the oracle is checked too):
  const at = (d) => DAYS.indexOf(d);
  // i17 at 21:30Z on the 17th is 00:30 local on the 18th (UTC+3); i18 at 20:30Z is still the 17th: outside.
  assert.equal(got.confirmed.by_party['GRP-OTHER'][at('2026-10-18')], 1);
  // i2 at 21:30Z on the 19th counts on the 20th; i3 (GRP-QASSAM and IDF) at 20:30Z on the 20th is the 20th.
  assert.equal(got.confirmed.by_party['GRP-PIJ'][at('2026-10-20')], 1);
  assert.equal(got.confirmed.by_party['GRP-QASSAM'][at('2026-10-20')], 1);
  assert.equal(got.confirmed.by_party.IDF[at('2026-10-20')], 1);
  // After the change (UTC+2): i7 at 22:30Z on the 25th is the 26th; i8 at 21:30Z on the 26th is the 26th (UNKNOWN).
  assert.equal(got.confirmed.by_party.IDF[at('2026-10-25')], 0);
  assert.equal(got.confirmed.by_party.IDF[at('2026-10-26')], 1);
  assert.equal(got.confirmed.by_party.UNKNOWN[at('2026-10-26')], 1);
  // i26 at 22:30Z on the 27th counts on the 28th; i15 at 21:45Z on the 31st on the 31st; i16 at 22:15Z on the 31st is November: outside.
  assert.equal(got.confirmed.by_party.IDF[at('2026-10-28')], 1);
  assert.equal(got.confirmed.by_party.IDF[at('2026-10-31')], 1);
  // IDF confirmed: i1, i3, i7, i22, i26, i13 (i12 merged into it: once), i15 = 7; the refuted i9 not at all.
  assert.equal(got.confirmed.per_party_total.IDF, 7);
  // Unconfirmed: i4 (IDF, unconfirmed), i5 (IDF, reported), i6 (GRP-PIJ, under review), i10 (attributed GRP-POPULAR-FORCES though GRP-PIJ fired).
  assert.equal(got.unconfirmed.per_party_total.IDF, 2);
  assert.equal(got.unconfirmed.per_party_total['GRP-PIJ'], 1);
  assert.equal(got.unconfirmed.per_party_total['GRP-POPULAR-FORCES'], 1);
  // Trend: IDF last7 (25..31) = i7, i22, i26, i13, i15 = 5; prev7 (18..24) = i1, i3 = 2.
  assert.equal(got.confirmed.trend.IDF.last7, 5);
  assert.equal(got.confirmed.trend.IDF.prev7, 2);
  assert.ok(Math.abs(got.confirmed.trend.IDF.change_pct - 150) <= 0.51, `change_pct ${got.confirmed.trend.IDF.change_pct}`);
  // Non-violation types (weapons seizure, remains handover, peaceful protest) count nowhere here.
  assert.equal(got.confirmed.per_party_total['GRP-QASSAM'], 1, 'i3 only: the weapons seizures i11 and i21 are not violations');
});

test('violations as a humanitarian and as a contingent: only what each may see (confirmed; plus the contingent\'s own reports)', async () => {
  for (const u of ['ocha.focal', 'wfp.focal', 'isf.aze', 'isf.egy', 'idf.liaison', 'board.chair']) {
    const got = await getOk(u, `/api/v1/stats/violations?${Q}`);
    checkViolations(u, got, violationsOracle(visible(u), DAYS));
  }
  const hu = await getOk('ocha.focal', `/api/v1/stats/violations?${Q}`);
  assert.equal(sum(hu.unconfirmed.total), 0, 'a humanitarian sees no unconfirmed violation');
  const aze = await getOk('isf.aze', `/api/v1/stats/violations?${Q}`);
  assert.equal(aze.unconfirmed.per_party_total.IDF, 1, 'isf.aze sees its own reported i5, not the CMCC\'s unconfirmed i4');
  assert.ok(!aze.unconfirmed.per_party_total['GRP-PIJ'], 'isf.aze does not see isf.egy\'s i6');
});

function checkRows(u, got, want, by) {
  assert.equal(got.by, by);
  assert.equal(got.from, WINDOW.from);
  assert.equal(got.until, WINDOW.until);
  const keys = new Set([...Object.keys(want), ...got.rows.filter((r) => r.confirmed + r.unconfirmed + r.refuted + r.killed + r.injured > 0).map((r) => r.key)]);
  for (const k of keys) {
    const g = got.rows.find((r) => r.key === k) || { key: k, confirmed: 0, unconfirmed: 0, refuted: 0, killed: 0, injured: 0 };
    const w = want[k] || { key: k, confirmed: 0, unconfirmed: 0, refuted: 0, killed: 0, injured: 0 };
    assert.deepEqual({ key: g.key, confirmed: g.confirmed, unconfirmed: g.unconfirmed, refuted: g.refuted, killed: g.killed, injured: g.injured }, w, `${u} by=${by} ${k}`);
  }
  assert.equal(new Set(got.rows.map((r) => r.key)).size, got.rows.length, 'one row per key');
}

test('incidents by sector and by type: confirmed, unconfirmed (reported, under review, unconfirmed) and refuted apart; killed and injured; merged not counted; "none" outside every sector', async () => {
  for (const by of ['sector', 'type']) {
    const got = await getOk('cmcc.watch', `/api/v1/stats/incidents?${Q}&by=${by}`);
    checkRows('cmcc.watch', got, incidentsOracle(data.incs, DAYS, by), by);
  }
  const s = await getOk('cmcc.watch', `/api/v1/stats/incidents?${Q}&by=sector`);
  const row = (k) => s.rows.find((r) => r.key === k);
  // By hand: Rafah = i1 (2 killed, 3 injured), i7 (1, 6), i23 (3, 4; i24 merged into it, smaller), not i16 (November).
  assert.deepEqual([row('SEC-RAFAH').confirmed, row('SEC-RAFAH').killed, row('SEC-RAFAH').injured], [3, 6, 13]);
  // Khan Younis: i3 and i20 confirmed, i9 refuted (its 5 killed not counted), i14 reported, i26 confirmed (9 killed).
  assert.deepEqual([row('SEC-KHAN').confirmed, row('SEC-KHAN').unconfirmed, row('SEC-KHAN').refuted, row('SEC-KHAN').killed], [3, 1, 1, 13]);
  // Outside every sector: i6 (under review) and i22 (confirmed).
  assert.deepEqual([row('none').confirmed, row('none').unconfirmed], [1, 1]);
  for (const u of ['ocha.focal', 'isf.aze', 'isf.egy']) {
    for (const by of ['sector', 'type']) {
      const got = await getOk(u, `/api/v1/stats/incidents?${Q}&by=${by}`);
      checkRows(u, got, incidentsOracle(visible(u), DAYS, by), by);
    }
  }
});

test('aid: trucks per crossing per day (the day they crossed, local), the gap to the target, tonnes, commodities, interceptions, the interception rate', async () => {
  const want = aidOracle(data.csgs, DAYS, Object.keys(CROSSINGS));
  for (const u of ['cmcc.watch', 'ocha.focal', 'isf.aze']) {
    const got = await getOk(u, `/api/v1/stats/aid?${Q}`);
    assert.deepEqual(got.days, DAYS);
    assert.equal(got.target_trucks_per_day, TARGET);
    assert.deepEqual([...got.crossings].sort(), Object.keys(CROSSINGS).sort());
    for (const x of Object.keys(CROSSINGS)) assert.deepEqual(got.trucks[x], want.trucks[x], `${u} trucks at ${x}`);
    assert.deepEqual(got.total_trucks, want.total_trucks, `${u} total trucks`);
    assert.deepEqual(got.gap, want.gap, `${u} gap`);
    assert.equal(got.tonnes.length, DAYS.length);
    got.tonnes.forEach((x, i) => assert.ok(close(x, want.tonnes[i]), `${u} tonnes on ${DAYS[i]}: ${x} want ${want.tonnes[i]}`));
    for (const k of new Set([...Object.keys(want.by_commodity), ...Object.keys(got.by_commodity)])) assert.equal(got.by_commodity[k] || 0, want.by_commodity[k] || 0, `${u} ${k}`);
    assert.deepEqual(got.intercepted, want.intercepted, `${u} intercepted per day`);
    assert.ok(close(got.interception_rate.consignments, want.intercepted_n / want.crossed_n), `${u} rate (consignments) ${got.interception_rate.consignments}`);
    assert.ok(close(got.interception_rate.trucks, want.intercepted_trucks / want.crossed_trucks), `${u} rate (trucks) ${got.interception_rate.trucks}`);
    assert.equal(got.delivered, want.delivered);
    assert.equal(got.returned, want.returned);
  }
  const got = await getOk('cmcc.watch', `/api/v1/stats/aid?${Q}`);
  const at = (d) => DAYS.indexOf(d);
  // By hand: on the 27th 350 + 300 + 25 + 3 = 678 trucks (over the target: gap 0); c5 crossed at 22:30Z, the 28th.
  assert.equal(got.total_trucks[at('2026-10-27')], 678);
  assert.equal(got.gap[at('2026-10-27')], 0);
  assert.equal(got.total_trucks[at('2026-10-28')], 10);
  assert.equal(got.gap[at('2026-10-28')], 590);
  // c2 crossed at 21:30Z on the 20th, summer time: the 21st at Kissufim.
  assert.equal(got.trucks['XNG-KISSUFIM'][at('2026-10-20')], 0);
  assert.equal(got.trucks['XNG-KISSUFIM'][at('2026-10-21')], 5);
  // Crossed in the window: c1 c2 c3 c4 c11 c12 c5 c7 c9 (9 consignments, 727 trucks); intercepted c12 c5 c7 (3, 19 trucks); c10 is November.
  assert.ok(close(got.interception_rate.consignments, 3 / 9));
  assert.ok(close(got.interception_rate.trucks, 19 / 727));
  assert.equal(got.delivered, 2);
  assert.equal(got.returned, 2);
  // A period with nothing crossed: rate 0.
  const empty = await getOk('cmcc.watch', '/api/v1/stats/aid?from=2026-06-01&until=2026-06-03');
  assert.deepEqual(empty.interception_rate, { consignments: 0, trucks: 0 });
  assert.deepEqual(empty.gap, [TARGET, TARGET, TARGET]);
});

test('a shorter period and a single day give the same figures for those days', async () => {
  const from = '2026-10-26', until = '2026-10-28';
  const days = daysBetween(from, until);
  const v = await getOk('cmcc.watch', `/api/v1/stats/violations?from=${from}&until=${until}`);
  assert.deepEqual(v.days, days);
  const w = violationsOracle(data.incs, days);
  for (const [p, arr] of Object.entries(w.confirmed.by_party)) assert.deepEqual(v.confirmed.by_party[p], arr, p);
  const a = await getOk('cmcc.watch', `/api/v1/stats/aid?from=${SITREP_DAY}&until=${SITREP_DAY}`);
  assert.deepEqual(a.total_trucks, [678]);
  assert.deepEqual(a.intercepted, [1]);
});

test('bad periods and parameters: 400 naming the field', async () => {
  const bad = [
    ['from=2026-02-30', 'from'], ['from=yesterday', 'from'], ['until=2026-13-01', 'until'], ['until=31/10/2026', 'until'],
    ['from=2026-10-31&until=2026-10-01', /^(from|until)$/], ['from=2025-01-01&until=2026-01-03', /^(from|until)$/],
  ];
  for (const path of ['/api/v1/stats/violations', '/api/v1/stats/incidents?by=sector', '/api/v1/stats/aid']) {
    for (const [q, field] of bad) {
      const r = await get('cmcc.watch', `${path}${path.includes('?') ? '&' : '?'}${q}`);
      assert.equal(r.status, 400, `${path} ${q}: ${r.status} ${r.text.slice(0, 200)}`);
      if (field instanceof RegExp) assert.match(String(r.body.error.field), field, `${path} ${q}`);
      else assert.equal(r.body.error.field, field, `${path} ${q}`);
    }
  }
  for (const [path, field] of [['/api/v1/stats/incidents?by=colour', 'by'], ['/api/v1/stats/feed?hours=0', 'hours'], ['/api/v1/stats/feed?hours=169', 'hours'], ['/api/v1/stats/feed?hours=two', 'hours']]) {
    const r = await get('cmcc.watch', path);
    assert.equal(r.status, 400, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.body.error.field, field, path);
  }
  // 366 days is allowed.
  const ok = await get('cmcc.watch', '/api/v1/stats/violations?from=2025-11-01&until=2026-11-01');
  assert.equal(ok.status, 200, ok.text.slice(0, 200));
  assert.equal(ok.body.days.length, 366);
  // Default: the last 30 days to today (the server's today and the test's
  // are read a moment apart: not across Gaza's midnight).
  await clearOfGazaMidnight();
  const d = await getOk('cmcc.watch', '/api/v1/stats/aid');
  assert.equal(d.until, gazaDay(Date.now()));
  assert.equal(d.days.length, 30);
  assert.equal(d.from, addDays(d.until, -29));
});

test('feed: the last hours of reports and status changes, newest first, only what the reader may see', async () => {
  // Its own server with a test clock: the hours are checked by moving time on.
  const s = await startServer({ dir: makeDir(), args: ['--test-clock'] });
  try {
    const tk = await loginMany(s, ['admin', 'cmcc.watch', 'isf.aze', 'ocha.focal', 'wfp.focal']);
    const c = incidents(s, tk);
    const conf = (await c.reportOk('cmcc.watch', incidentBody({ title: 'Feed confirmed', occurred_at: iso(Date.now() - 20 * MIN) }))).body.id;
    await c.walk(conf, 'confirmed', { attribution: ['GRP-PIJ'] });
    const own = (await c.reportOk('isf.aze', incidentBody({ title: 'Feed contingent', occurred_at: iso(Date.now() - 15 * MIN) }))).body.id;
    const cs = await s.api('POST', '/api/v1/aid/consignments', { token: tk['wfp.focal'], body: consignmentBody({ at: iso(Date.now() - 30 * MIN) }) });
    assert.equal(cs.status, 201, cs.text);
    const csg = cs.body.id;
    const st = await s.api('POST', `/api/v1/aid/consignments/${csg}/status`, { token: tk['wfp.focal'], body: { status: 'crossed' } });
    assert.equal(st.status, 200, st.text);
    const feed = async (u, h = 48) => {
      const r = await s.api('GET', `/api/v1/stats/feed?hours=${h}`, { token: tk[u] });
      assert.equal(r.status, 200, `${u} feed: ${r.text.slice(0, 300)}`);
      return r.body.items;
    };
    const cm = await feed('cmcc.watch');
    for (let i = 1; i < cm.length; i++) assert.ok(Date.parse(cm[i - 1].at) >= Date.parse(cm[i].at), 'newest first');
    const of = (items, id) => items.filter((x) => x.id === id);
    assert.ok(of(cm, conf).some((x) => x.kind === 'incident' && x.status === 'confirmed'), 'the confirmation is in the CMCC\'s feed');
    assert.ok(of(cm, conf).some((x) => x.status === 'reported'), 'the report is in the CMCC\'s feed');
    assert.ok(of(cm, own).length >= 1, 'the contingent\'s report is in the CMCC\'s feed');
    assert.ok(of(cm, csg).some((x) => x.kind === 'consignment' && x.status === 'crossed'), 'the crossing is in the feed');
    for (const x of cm) {
      assert.ok(['incident', 'consignment'].includes(x.kind));
      assert.equal(typeof x.title, 'string');
      assert.equal(typeof x.summary, 'string');
    }
    assert.ok(of(cm, conf).every((x) => x.sector === 'SEC-DEIR'));
    const hu = await feed('ocha.focal');
    assert.equal(of(hu, own).length, 0, 'OCHA does not get the contingent\'s unconfirmed report');
    assert.ok(of(hu, conf).some((x) => x.status === 'confirmed'), 'OCHA gets the confirmed incident');
    assert.ok(of(hu, csg).length >= 1, 'OCHA gets the consignment (aid is for everyone)');
    for (const x of hu) if (x.kind === 'incident') assert.ok(!x.id || x.id === conf || !/Feed contingent/.test(x.title));
    assert.ok(!JSON.stringify(hu).includes('Patrol 3-'), 'no source names in the feed');
    assert.ok(of(await feed('isf.aze'), own).length >= 1, 'the reporter gets its own report');
    // Two hours on: a 1-hour feed has none of it, a 3-hour feed all of it.
    const adv = await s.api('POST', '/api/v1/admin/clock', { token: tk.admin, body: { advance_s: 7200 } });
    assert.equal(adv.status, 200, adv.text);
    const one = await feed('cmcc.watch', 1);
    assert.deepEqual([conf, own, csg].filter((id) => one.some((x) => x.id === id)), [], 'nothing older than an hour');
    const three = await feed('cmcc.watch', 3);
    assert.deepEqual([conf, own, csg].filter((id) => !three.some((x) => x.id === id)), [], 'all of it within three hours');
  } finally {
    await shutdown(s);
  }
});

test('a restart gives the same figures and the same state digest', async () => {
  const digest = async (srv, tok) => {
    const r = await srv.api('GET', '/api/v1/admin/state-digest', { token: tok });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  const snap = async (srv, tok) => {
    const out = {};
    for (const [u, tk] of Object.entries(tok)) {
      for (const p of [`/api/v1/stats/violations?${Q}`, `/api/v1/stats/incidents?${Q}&by=sector`, `/api/v1/stats/incidents?${Q}&by=type`, `/api/v1/stats/aid?${Q}`,
        `/api/v1/reports/sitrep?date=${SITREP_DAY}&format=json`]) {
        const r = await srv.api('GET', p, { token: tk });
        assert.equal(r.status, 200, `${u} ${p}: ${r.text.slice(0, 200)}`);
        const b = r.body;
        delete b.generated_at;
        out[`${u} ${p}`] = b;
      }
      out[`${u} incidents`] = (await srv.api('GET', `/api/v1/incidents?since=${WINDOW.from}&limit=1000`, { token: tk })).body;
    }
    return out;
  };
  const tok = { 'cmcc.watch': t['cmcc.watch'], 'ocha.focal': t['ocha.focal'], 'isf.aze': t['isf.aze'] };
  const before = await snap(server, tok);
  const d0 = await digest(server, t.admin);
  const head0 = (await server.api('GET', '/api/v1/log/head')).body.size;
  await server.stop();
  const cli = truce(['state-digest', server.dir]);
  assert.equal(cli.code, 0, cli.out);
  assert.equal(cli.stdout.trim(), `${d0.seq} ${d0.digest}`, 'truce state-digest DIR on the stopped folder');
  server = await startServer({ dir: server.dir });
  const admin = (await server.login('admin')).token;
  const d1 = await digest(server, admin);
  assert.equal(d1.digest, d0.digest, 'the state digest is the same');
  assert.equal(d1.seq, d0.seq);
  t = await loginMany(server, USERS);
  const after = await snap(server, { 'cmcc.watch': t['cmcc.watch'], 'ocha.focal': t['ocha.focal'], 'isf.aze': t['isf.aze'] });
  for (const k of Object.keys(before)) assert.deepEqual(after[k], before[k], `${k} after the restart`);
  assert.ok((await server.api('GET', '/api/v1/log/head')).body.size >= head0);
});

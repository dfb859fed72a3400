// The daily SITREP (issue 7, item 5; docs/monitoring.md "The daily SITREP"):
// for a day of the figures' data set (tests/lib/monitoring.mjs) the JSON's
// sections and figures equal what the test computes from its own inputs;
// the operations section counts today's notices by decision (for readers
// cleared for operations); the HTML is a full, self-contained, printable
// page with the sections, marked EXERCISE; `truce report sitrep DIR --date D
// --format json` prints what the API gives a cleared reader (apart from
// generated_at); bad dates are named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, truce, startServer } from './lib.mjs';
import {
  MIN, H, SITREP_DAY, incidentBody, TARGET, buildDataset, sitrepOracle, seesIncident, loginMany, gazaDay, addDays, clearOfGazaMidnight,
} from '../lib/monitoring.mjs';
import { noticeBody, places } from '../lib/operations.mjs';

const DDR_READERS = ['cmcc.cdr', 'board.chair', 'ddr.officer'];
const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze', 'isf.egy', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'board.chair'];
let server, t, data, emptyBefore;

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  emptyBefore = (await sitrep('cmcc.watch', SITREP_DAY)).body;
  data = await buildDataset(server, t);
});
after(() => shutdown(server));

const get = (u, path, headers) => server.api('GET', path, { token: t[u], headers });
async function sitrep(u, day, format = 'json') {
  const r = await get(u, `/api/v1/reports/sitrep?date=${day}&format=${format}`);
  assert.equal(r.status, 200, `${u} sitrep ${day} ${format}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}
const visible = (u) => data.incs.filter((x) => seesIncident(u, x));

test('the day holds no exercise data before the test writes', () => {
  assert.equal(emptyBefore.summary.incidents, 0, JSON.stringify(emptyBefore.summary));
  assert.equal(emptyBefore.summary.trucks, 0);
});

function checkJson(u, got, want) {
  assert.equal(got.date, SITREP_DAY);
  assert.ok(!Number.isNaN(Date.parse(got.generated_at)), 'generated_at');
  assert.equal(got.exercise, true);
  const s = got.summary;
  assert.ok([want.summary.incidents_with_refuted, want.summary.incidents_without_refuted].includes(s.incidents),
    `${u} summary.incidents ${s.incidents}: the day's reports, merged ones left out (${want.summary.incidents_with_refuted} with the refuted, ${want.summary.incidents_without_refuted} without)`);
  assert.equal(s.confirmed, want.summary.confirmed, `${u} summary.confirmed`);
  assert.equal(s.violations, want.summary.violations, `${u} summary.violations`);
  assert.equal(s.killed, want.summary.killed, `${u} summary.killed`);
  assert.equal(s.injured, want.summary.injured, `${u} summary.injured`);
  assert.equal(s.trucks, want.summary.trucks, `${u} summary.trucks`);
  assert.equal(s.target, TARGET);
  const nz = (o) => Object.fromEntries(Object.entries(o || {}).filter(([, n]) => n > 0));
  assert.deepEqual(nz(got.violations.by_party), want.by_party, `${u} violations.by_party`);
  assert.deepEqual(nz(got.violations.unconfirmed_by_party), want.unconfirmed_by_party, `${u} violations.unconfirmed_by_party`);
  for (const [p, tr] of Object.entries(want.trend7)) {
    if (tr.last7 + tr.prev7 === 0) continue;
    assert.deepEqual({ last7: got.violations.trend7[p]?.last7, prev7: got.violations.trend7[p]?.prev7 }, tr, `${u} trend7 ${p}`);
  }
  // Significant incidents: exactly these, most casualties first.
  const sig = got.significant_incidents;
  assert.deepEqual(sig.map((x) => x.id).sort(), want.significant.map((x) => x.id).sort(), `${u} significant incidents`);
  for (let i = 1; i < sig.length; i++) assert.ok(sig[i - 1].killed + sig[i - 1].injured >= sig[i].killed + sig[i].injured, `${u}: most casualties first`);
  for (const x of sig) {
    const w = want.significant.find((y) => y.id === x.id);
    assert.equal(x.type, w.type);
    assert.equal(x.title, `Figures ${w.name}`);
    assert.equal(x.status, w.status);
    assert.equal(Date.parse(x.occurred_at), Date.parse(w.occurred_at));
    assert.equal(x.sector ?? null, w.sector);
    assert.equal(x.killed, w.killed, `${w.name} killed`);
    assert.equal(x.injured, w.injured, `${w.name} injured`);
    if (w.status === 'confirmed') assert.deepEqual(x.attribution, w.attribution, `${w.name} attribution`);
  }
  const a = got.aid;
  assert.equal(a.trucks, want.aid.trucks, `${u} aid.trucks`);
  assert.equal(a.target, TARGET);
  assert.equal(a.gap, want.aid.gap);
  assert.deepEqual(nz(a.by_crossing), want.aid.by_crossing);
  assert.ok(Math.abs(a.tonnes - want.aid.tonnes) < 1e-6, `tonnes ${a.tonnes}`);
  assert.equal(a.intercepted, want.aid.intercepted);
  assert.equal(a.delivered, want.aid.delivered);
  // Disarmament figures (no personal data) only for readers of the DDR
  // figures (ddr.audit: the CMCC commander, leadership, the DDR cell).
  if (DDR_READERS.includes(u)) {
    assert.equal(got.disarmament?.available, true, `${u}: the disarmament section`);
    assert.equal(typeof got.disarmament.people_registered, 'number');
    assert.equal(typeof got.disarmament.weapons_collected, 'number');
  } else {
    assert.ok(!('disarmament' in got), `${u}: no disarmament section`);
  }
  assert.ok(got.training && typeof got.training.available === 'boolean', `${u}: the training section`);
  // Last, so that a failure here does not hide the figures above.
  assert.equal(got.mission?.id, 'GAZA', `${u} mission.id: ${JSON.stringify(got.mission)}`);
  assert.ok(got.mission.name, `${u} mission.name`);
}

test('JSON: every section and figure of the day equals what the test created (CMCC: everything)', async () => {
  const want = sitrepOracle(data.incs, data.csgs, SITREP_DAY);
  // By hand: i23 (3 killed, 4 injured), i21 (2 injured, weapons seizure), i25 (1 injured, 23:30 local), i22 (line crossing), i10 (unconfirmed rocket fire);
  // not the refuted i9, the merged i24, the protest i19, the handover i20, nor i26 (22:30Z: the next day).
  assert.deepEqual(want.significant.map((x) => x.name).sort(), ['i10', 'i21', 'i22', 'i23', 'i25']);
  assert.deepEqual([want.summary.confirmed, want.summary.violations, want.summary.killed, want.summary.injured, want.summary.trucks], [6, 3, 3, 7, 678]);
  assert.deepEqual(want.by_party, { IDF: 1, 'GRP-PIJ': 2 });
  assert.deepEqual(want.unconfirmed_by_party, { 'GRP-POPULAR-FORCES': 1 });
  assert.deepEqual(want.aid, { trucks: 678, gap: 0, tonnes: 15512, intercepted: 1, delivered: 1, by_crossing: { 'XNG-KS': 375, 'XNG-ZIKIM': 300, 'XNG-KISSUFIM': 3 } });
  const got = (await sitrep('cmcc.watch', SITREP_DAY)).body;
  checkJson('cmcc.watch', got, want);
  assert.equal(got.significant_incidents[0].id, data.byName.i23.id, 'the deadliest first');
  assert.ok(got.operations && typeof got.operations.notified === 'number', 'the CMCC gets the operations section');
  // Accept: application/json gives the JSON too.
  const viaAccept = await get('cmcc.watch', `/api/v1/reports/sitrep?date=${SITREP_DAY}`, { Accept: 'application/json' });
  assert.equal(viaAccept.status, 200);
  assert.match(viaAccept.headers.get('content-type'), /application\/json/);
  assert.equal(viaAccept.body.summary.trucks, 678);
});

test('JSON: a humanitarian\'s and a contingent\'s SITREP count only what each may see', async () => {
  for (const u of ['ocha.focal', 'isf.aze', 'isf.egy']) {
    const got = (await sitrep(u, SITREP_DAY)).body;
    checkJson(u, got, sitrepOracle(visible(u), data.csgs, SITREP_DAY));
    assert.ok(!('operations' in got), `${u}: no operations section`);
  }
  const hu = (await sitrep('ocha.focal', SITREP_DAY)).body;
  assert.ok(!hu.significant_incidents.some((x) => x.id === data.byName.i10.id), 'OCHA does not see the unconfirmed i10');
  assert.deepEqual(hu.violations.unconfirmed_by_party && Object.values(hu.violations.unconfirmed_by_party).filter((n) => n > 0), []);
});

test('training: the figures only for those GET /api/v1/psf/summary answers (the readers of PSF records); others get the section without figures', async () => {
  const failures = [];
  for (const u of USERS) {
    const summary = await get(u, '/api/v1/psf/summary');
    const j = (await sitrep(u, SITREP_DAY)).body.training;
    const html = (await sitrep(u, SITREP_DAY, 'html')).text;
    if (summary.status === 200) {
      if (j?.available !== true || typeof j.units !== 'number' || !j.readiness) failures.push(`${u}: reads the PSF figures, but the SITREP's training section is ${JSON.stringify(j)}`);
    } else {
      if (summary.status !== 403) failures.push(`${u}: GET /api/v1/psf/summary ${summary.status}`);
      const figures = Object.keys(j || {}).filter((k) => !['available', 'note'].includes(k));
      if (j?.available !== false || figures.length) failures.push(`${u}: refused the PSF figures, but the SITREP gives ${JSON.stringify(j)}`);
      if (/PSFU-\d/.test(html) || /id="training"[\s\S]*<table/.test(html)) failures.push(`${u}: the HTML SITREP has training figures`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('operations coordinated: today\'s notices counted by decision, pending apart (cleared readers only)', async () => {
  await clearOfGazaMidnight();
  const today = gazaDay(Date.now());
  const before = (await sitrep('cmcc.watch', today)).body.operations;
  assert.ok(before, 'the operations section');
  for (const k of ['concur', 'acknowledge', 'refer', 'request_narrowing', 'object']) assert.equal(typeof before.by_decision[k], 'number', k);
  const spots = places({ spacing: 1500, jitter: 9 });
  const notify = async (i, over = {}) => {
    const r = await server.api('POST', '/api/v1/operations', { token: t['idf.liaison'], body: noticeBody(spots[i * 3], over) });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    return r.body.id;
  };
  const decide = async (id, body) => {
    const r = await server.api('POST', `/api/v1/operations/${id}/decision`, { token: t['cmcc.cdr'], body });
    assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text.slice(0, 300)}`);
  };
  await decide(await notify(1), { decision: 'concur' });
  await decide(await notify(2), { decision: 'refer' });
  await decide(await notify(3), { decision: 'object', reasons: 'too close to a shelter' });
  await decide(await notify(4, { mode: 'inform' }), { decision: 'acknowledge' });
  await notify(5); // left pending
  const after = (await sitrep('cmcc.watch', today)).body;
  const o = after.operations;
  assert.equal(o.notified - before.notified, 5, 'five notices today');
  assert.equal(o.by_decision.concur - before.by_decision.concur, 1);
  assert.equal(o.by_decision.refer - before.by_decision.refer, 1);
  assert.equal(o.by_decision.object - before.by_decision.object, 1);
  assert.equal(o.by_decision.acknowledge - before.by_decision.acknowledge, 1);
  assert.equal(o.by_decision.request_narrowing - before.by_decision.request_narrowing, 0);
  assert.equal(o.pending - before.pending, 1, 'one still pending');
  // Decision times: the four first decisions made today, in seconds.
  assert.equal(o.decision_time.count - before.decision_time.count, 4, 'four first decisions today');
  const { median_s: med, p90_s: p90, max_s: max } = o.decision_time;
  assert.ok(med >= 0 && med <= p90 && p90 <= max && max < 600, JSON.stringify(o.decision_time));
  assert.equal(typeof after.summary.operations, 'number');
  for (const u of ['board.chair', 'cmcc.cdr']) assert.deepEqual((await sitrep(u, today)).body.operations, o, `${u} gets the same section`);
  for (const u of ['ocha.focal', 'isf.aze', 'isf.hq', 'idf.liaison']) {
    const b = (await sitrep(u, today)).body;
    assert.ok(!('operations' in b), `${u}: no operations section`);
    assert.ok(!('operations' in b.summary), `${u}: no summary.operations`);
  }
});

test('HTML: a full printable page, self-contained, marked EXERCISE, with the sections and the figures', async () => {
  for (const [u, cleared] of [['cmcc.watch', true], ['board.chair', true], ['ocha.focal', false]]) {
    const r = await sitrep(u, SITREP_DAY, 'html');
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const h = r.text;
    assert.match(h, /^\s*<!doctype html>/i, 'a full page');
    assert.match(h, /<html[\s>]/i);
    assert.match(h, /<\/html>\s*$/i);
    assert.match(h, /<style[\s>][\s\S]*@media print/i, 'inline CSS with a print stylesheet');
    assert.match(h, /A4/, 'A4 pages');
    assert.doesNotMatch(h, /<link[^>]+stylesheet/i, 'no external stylesheet');
    assert.doesNotMatch(h, /<script[^>]+src=/i, 'no external script');
    assert.doesNotMatch(h, /<nav[\s>]/i, 'no navigation');
    assert.match(h, /EXERCISE/);
    assert.ok(h.includes(SITREP_DAY) || h.includes('27 October 2026'), 'the date');
    for (const title of [/summary/i, /violations/i, /significant incidents/i, /aid/i, /training/i]) assert.match(h, title, `${u}: section ${title}`);
    if (DDR_READERS.includes(u)) assert.match(h, /id="disarmament"/, `${u}: the disarmament section`);
    else assert.doesNotMatch(h, /id="disarmament"/, `${u}: no disarmament section`);
    if (cleared) assert.match(h, /operations coordinated[\s\S]*First decisions in the period/i);
    else assert.doesNotMatch(h, /operations coordinated|First decisions/i);
    assert.ok(h.includes('678'), `${u}: the day's trucks`);
    assert.ok(h.includes(data.byName.i23.id) && h.includes('Figures i23'), `${u}: the deadliest incident`);
    assert.ok(!h.includes(data.byName.i9.id), `${u}: not the refuted one`);
    assert.ok(!h.includes('Data source'), `${u}: no source names`);
    if (!cleared) assert.ok(!h.includes(data.byName.i10.id), 'OCHA: not the unconfirmed i10');
  }
  // The default format is HTML.
  const d = await get('cmcc.watch', `/api/v1/reports/sitrep?date=${SITREP_DAY}`);
  assert.equal(d.status, 200);
  assert.match(d.headers.get('content-type'), /^text\/html/);
});

test('HTML: an incident reported with a UTC offset shows its time in UTC, as the column says', async () => {
  // 01:30 on 10 October 2026 in Gaza (UTC+3) is 22:30 UTC on the 9th; the
  // report gives the local time with its offset, as a contingent's system may.
  const day = '2026-10-10';
  const r = await server.api('POST', '/api/v1/incidents', { token: t['cmcc.watch'], body: incidentBody({ type: 'strike', title: 'Offset time check', occurred_at: `${day}T01:30:00+03:00` }) });
  assert.equal(r.status, 201, r.text);
  const json = (await sitrep('cmcc.watch', day)).body;
  assert.ok(json.significant_incidents.some((x) => x.id === r.body.id), 'the incident is on its local day');
  const h = (await sitrep('cmcc.watch', day, 'html')).text;
  assert.match(h, /<th scope="col">Time \(UTC\)<\/th>/);
  const row = h.split('\n').find((l) => l.includes(r.body.id));
  assert.ok(row, 'the incident has a row');
  assert.match(row, /<td>22:30<\/td>/, row);
});

test('bad requests: 400 naming the field', async () => {
  for (const [q, field] of [['date=2026-02-30', 'date'], ['date=yesterday', 'date'], ['date=27/10/2026', 'date'], [`date=${SITREP_DAY}&format=pdf`, 'format']]) {
    const r = await get('cmcc.watch', `/api/v1/reports/sitrep?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.body.error.field, field, q);
  }
  const anon = await fetch(`${server.base}/api/v1/reports/sitrep?date=${SITREP_DAY}`);
  assert.equal(anon.status, 401);
});

test('`truce report sitrep DIR --date D --format json` prints what the API gives a cleared reader (apart from generated_at)', async (tc) => {
  const strip = (o) => { const x = JSON.parse(JSON.stringify(o)); delete x.generated_at; return x; };
  const days = [SITREP_DAY, addDays(SITREP_DAY, 1), gazaDay(Date.now())];
  const api = {};
  // the CMCC commander reads every section, as the command line does
  for (const d of days) api[d] = strip((await sitrep('cmcc.cdr', d)).body);
  let out = truce(['report', 'sitrep', server.dir, '--date', SITREP_DAY, '--format', 'json']);
  let stopped = false;
  if (out.code !== 0) {
    // It may need the folder to itself: stop the server and run it again.
    assert.match(out.out, /in use|lock|running/i, `truce report sitrep: ${out.out.slice(0, 400)}`);
    await server.stop();
    stopped = true;
    out = truce(['report', 'sitrep', server.dir, '--date', SITREP_DAY, '--format', 'json']);
  }
  assert.equal(out.code, 0, out.out.slice(0, 400));
  for (const d of days) {
    const o = d === SITREP_DAY ? out : truce(['report', 'sitrep', server.dir, '--date', d, '--format', 'json']);
    assert.equal(o.code, 0, o.out.slice(0, 400));
    const cli = JSON.parse(o.stdout);
    assert.deepEqual(strip(cli), api[d], `the CLI's SITREP of ${d}`);
  }
  const html = truce(['report', 'sitrep', server.dir, '--date', SITREP_DAY]);
  assert.equal(html.code, 0, html.out.slice(0, 300));
  assert.match(html.stdout, /<html[\s>]/i, 'HTML by default');
  assert.match(html.stdout, /operations coordinated/i, 'the system sees every section');
  const bad = truce(['report', 'sitrep', server.dir, '--date', '2026-02-30', '--format', 'json']);
  assert.notEqual(bad.code, 0, 'a bad date fails');
  if (stopped) {
    server = await startServer({ dir: server.dir });
    t = await loginMany(server, USERS);
  }
  tc.diagnostic(`truce report sitrep ${stopped ? 'needed the server stopped' : 'ran while the server was running'}`);
});

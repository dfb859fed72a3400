// Who sees which incident, and what of it (issue 7, item 7; docs/monitoring.md
// "Who sees what"): humanitarian accounts see confirmed incidents only; a
// contingent does not see another contingent's unconfirmed report; sources'
// identities (name, reference) reach only the CMCC and the reporter —
// through every read path: get and list (every filter), the CSV and GeoJSON
// exports, the event stream, the raw log, the inclusion proof of every
// event, the dashboard figures and feed, the SITREP in JSON and HTML, and
// error messages; links to operations and movements only for those who may
// see them; the SITREP's operations section only for readers cleared for
// operations.
//
// Each report's sources carry markers nobody else uses; every reply an
// account gets is searched (raw bytes) for the markers it may not see, and
// the same search over what the CMCC gets must find them (the search is real).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, openStream } from './lib.mjs';
import {
  MIN, iso, pt, PLACE, jitter, incidentBody, consignmentBody, incidents, loginMany, logSize, gazaDay, HUMANITARIAN,
  OPS_CLEARED, ORG_OF,
} from '../lib/monitoring.mjs';
import { noticeBody, places } from '../lib/operations.mjs';

const OUTSIDERS = ['ocha.focal', 'wfp.focal', 'ngo.focal', 'isf.hq', 'isf.aze', 'isf.egy', 'idf.liaison', 'board.chair', 'trainer', 'ddr.officer'];
const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'cmcc.ops', 'state.desk', ...OUTSIDERS];
const NOT_CLEARED = ['ocha.focal', 'wfp.focal', 'ngo.focal', 'isf.hq', 'isf.aze', 'isf.egy', 'idf.liaison', 'trainer', 'ddr.officer'];
const AUDIT = ['admin', 'cmcc.cdr', 'board.chair'];

let server, t, c, s0, s1, opn, csg, today;
const streams = {};
const I = {};   // name -> { id, reporter, markers: [..], title, status }
const seed = Math.floor(Math.random() * 1e9);
const mark = (name, k) => `SRCMARK${seed}${name}${k}Q`;

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  c = incidents(server, t);
  for (const u of USERS) {
    streams[u] = await openStream(server.base, { token: t[u] });
    assert.equal(streams[u].status, 200, `${u}'s stream`);
  }
  s0 = await logSize(server);
  const spots = places({ spacing: 1500, jitter: 5 });
  const o = await server.api('POST', '/api/v1/operations', { token: t['idf.liaison'], body: noticeBody(spots[4]) });
  assert.equal(o.status, 201, o.text);
  opn = o.body.id;
  const cs = await server.api('POST', '/api/v1/aid/consignments', { token: t['wfp.focal'], body: consignmentBody() });
  assert.equal(cs.status, 201, cs.text);
  csg = cs.body.id;
  // The operation's own time is the day's instant: the incidents occur then
  // too, so the SITREP of that Gaza day counts them all, even when the suite
  // runs across Gaza's midnight.
  const now = Date.parse(o.body.operation.notified_at);
  assert.ok(Number.isFinite(now), `the operation's notified_at: ${o.text}`);
  today = gazaDay(now);
  const report = async (name, reporter, over, status, walk) => {
    const title = `TITLE${seed}${name}`;
    const body = incidentBody({
      title, occurred_at: iso(now), location: pt(jitter(PLACE['SEC-DEIR'], Object.keys(I).length)),
      sources: [
        { kind: 'local_contact', name: mark(name, 'n1'), reference: mark(name, 'r1'), reliability: 'C', credibility: '3' },
        { kind: 'isf_patrol', name: mark(name, 'n2'), reference: mark(name, 'r2'), reliability: 'A', credibility: '2' },
      ],
      ...over,
    });
    const r = await c.reportOk(reporter, body);
    I[name] = { id: r.body.id, reporter, markers: [mark(name, 'n1'), mark(name, 'r1'), mark(name, 'n2'), mark(name, 'r2')], title, status: 'reported', reply: r.text };
    if (walk) await walk(r.body.id);
    I[name].status = status;
  };
  // A: a contingent's report, confirmed: everyone sees it, the sources' identities only the CMCC and isf.aze.
  await report('A', 'isf.aze', { type: 'strike' }, 'confirmed', (id) => c.walk(id, 'confirmed', { attribution: ['IDF'] }));
  // B: the CMCC's report linking an operation, WFP's movement and a consignment; confirmed.
  await report('B', 'cmcc.watch', { type: 'rocket_mortar_fire', links: { operations: [opn], movements: ['MOV-1'], consignments: [csg] } }, 'confirmed',
    (id) => c.walk(id, 'confirmed', { attribution: ['GRP-PIJ'] }));
  // C: another contingent's report, left as reported.
  await report('C', 'isf.egy', { type: 'armed_clash' }, 'reported');
  // D: the IDF liaison's report linking its own operation, unconfirmed.
  await report('D', 'idf.liaison', { type: 'line_crossing', links: { operations: [opn] } }, 'unconfirmed', (id) => c.walk(id, 'unconfirmed'));
  // E: confirmed, then reopened and refuted: everyone saw it once, humanitarians no longer do.
  await report('E', 'cmcc.cdr', { type: 'strike' }, 'refuted', async (id) => {
    await c.walk(id, 'confirmed', { attribution: ['GRP-CLANS'] });
    await c.actOk('cmcc.watch', id, 'reopen', { note: 'doubtful' });
    await c.actOk('cmcc.watch', id, 'refute', { note: 'staged' });
  });
  // F: ISF HQ's report, under review; amended by the CMCC with a new source.
  await report('F', 'isf.hq', { type: 'intimidation' }, 'under_review', async (id) => {
    await c.walk(id, 'under_review');
    const cur = await c.getOk('cmcc.watch', id);
    await c.actOk('cmcc.watch', id, 'amend', { sources: [...cur.sources, { kind: 'media', name: mark('F', 'n3'), reference: mark('F', 'r3'), reliability: 'E', credibility: '5' }] });
  });
  I.F.markers.push(mark('F', 'n3'), mark('F', 'r3'));
  // The sentinel every account sees ends the batch on every stream.
  const j = await server.api('POST', '/api/v1/journal', { token: t['cmcc.watch'], body: { text: 'monitoring sentinel', labels: ['all'] } });
  assert.equal(j.status, 201, j.text);
  s1 = j.body.seq;
  for (const u of USERS) await streams[u].waitFor((e) => Number(e.id) === s1, 5000);
});
after(async () => {
  for (const s of Object.values(streams)) s.close();
  await shutdown(server);
});

const reporterSees = (u, inc) => inc.reporter === u;
// Markers account u must never get: every report's but its own.
const forbidden = (u) => Object.values(I).filter((inc) => !reporterSees(u, inc)).flatMap((inc) => inc.markers);
const ORG = { 'isf.aze': 'ISF-AZE', 'isf.egy': 'ISF-EGY', 'isf.hq': 'ISF-HQ', 'idf.liaison': 'IDF-LO' };
// Whether account u may see incident inc as it ends up.
function sees(u, inc) {
  if (inc.status === 'confirmed') return true;
  if (['admin', 'cmcc.watch', 'cmcc.cdr', 'cmcc.ops', 'isf.hq', 'board.chair', 'state.desk'].includes(u)) return true;
  return ORG[u] !== undefined && ORG[u] === ORG[inc.reporter];
}
const idRe = (id) => new RegExp(`\\b${id}\\b`);

// Every event after s0 that account u reads from /api/v1/log/events (all pages; [] when refused).
async function logEvents(u) {
  const out = [];
  let after = s0;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await server.api('GET', `/api/v1/log/events?after=${after}&limit=1000`, { token: t[u] });
    if (r.status !== 200) { out.push({ seq: `refused ${r.status}`, text: r.text }); return out; }
    out.push(...r.body.events);
    if (!r.body.events.length || r.body.next_after === after || r.body.next_after >= s1) break;
    after = r.body.next_after;
  }
  return out;
}

// Everything account u can read, as [where, text].
async function everything(u) {
  const out = [];
  const get = async (path) => { const r = await server.api('GET', path, { token: t[u] }); out.push([`GET ${path} -> ${r.status}`, r.text]); return r; };
  for (const q of ['', '?limit=1000', '?status=reported', '?status=under_review', '?status=confirmed', '?status=unconfirmed', '?status=refuted', '?status=merged',
    '?format=csv', '?format=geojson', '?type=strike', '?sector=SEC-DEIR', '?party=GRP-PIJ', `?since=${today}`]) await get(`/api/v1/incidents${q}`);
  for (const inc of Object.values(I)) await get(`/api/v1/incidents/${inc.id}`);
  await get('/api/v1/stats/feed?hours=168');
  await get('/api/v1/stats/violations');
  await get('/api/v1/stats/incidents?by=sector');
  await get('/api/v1/stats/incidents?by=type');
  await get(`/api/v1/reports/sitrep?date=${today}&format=json`);
  await get(`/api/v1/reports/sitrep?date=${today}&format=html`);
  await get(`/api/v1/reports/sitrep?date=${today}`);
  for (const ev of await logEvents(u)) out.push([`log/events ${ev.seq}`, JSON.stringify(ev)]);
  for (let seq = s0 + 1; seq <= s1; seq++) await get(`/api/v1/log/proof/${seq}`);
  out.push(['stream', streams[u].events.filter((e) => Number(e.id) > s0).map((e) => e.data).join('\n')]);
  // Errors: actions on every incident (refused for these accounts) and a bad filter.
  for (const inc of Object.values(I)) {
    for (const [a, b] of [['confirm', { attribution: ['IDF'], confidence: 'low' }], ['amend', { title: 'x' }], ['merge', { into: I.A.id }]]) {
      const r = await server.api('POST', `/api/v1/incidents/${inc.id}/${a}`, { token: t[u], body: b });
      out.push([`POST ${inc.id}/${a} -> ${r.status}`, r.text]);
    }
  }
  return out;
}

test('the search is real: the CMCC, and each reporter, get the sources\' identities', async () => {
  const failures = [];
  for (const inc of Object.values(I)) {
    const g = await c.get('cmcc.watch', inc.id);
    for (const m of inc.markers) if (!g.text.includes(m)) failures.push(`cmcc.watch GET ${inc.id} lacks ${m}`);
    // The reporter sees the sources it reported (F's were amended by the CMCC since: still the reporter's own n1..r2).
    const own = await c.get(inc.reporter, inc.id);
    for (const m of inc.markers.slice(0, 4)) if (!own.text.includes(m)) failures.push(`${inc.reporter} (the reporter) GET ${inc.id} lacks ${m}, a source it reported`);
    if (!inc.reply.includes(inc.markers[0])) failures.push(`${inc.reporter}: the 201 reply for ${inc.id} lacks its sources`);
  }
  const csv = await c.as('cmcc.watch').get('/api/v1/incidents?format=csv&limit=1000');
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes(I.A.markers[0]) && csv.text.includes(I.C.markers[0]), 'the CMCC\'s CSV export has the sources\' identities');
  const ev = JSON.stringify(await logEvents('cmcc.cdr'));
  assert.ok(ev.includes(I.A.markers[0]), 'the raw log as the CMCC commander reads it has the identities (in incident.sources)');
  const stream = streams['cmcc.watch'].events.map((e) => e.data).join('\n');
  assert.ok(stream.includes(I.C.markers[1]), 'the CMCC\'s stream has them');
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('the identities travel only in incident.sources events labelled org:CMCC and user:<reporter>', async () => {
  const evs = await logEvents('admin');
  assert.ok(evs.length > 0 && evs.every((e) => typeof e.seq === 'number'), 'admin reads the log');
  const failures = [];
  for (const inc of Object.values(I)) {
    const carrying = evs.filter((e) => inc.markers.some((m) => JSON.stringify(e).includes(m)));
    if (!carrying.length) failures.push(`${inc.id}: no event carries its sources`);
    for (const e of carrying) {
      if (e.kind !== 'incident.sources') failures.push(`${inc.id}: event ${e.seq} (${e.kind}) carries a source identity`);
      const want = ['org:CMCC', `user:${inc.reporter}`].sort();
      const cmccReporter = ['cmcc.watch', 'cmcc.cdr', 'cmcc.ops'].includes(inc.reporter); // user:<reporter> adds nothing to org:CMCC
      const ok = JSON.stringify([...e.labels].sort()) === JSON.stringify(want) || (cmccReporter && JSON.stringify(e.labels) === '["org:CMCC"]');
      if (!ok) failures.push(`${inc.id}: event ${e.seq} (${e.kind}, by ${e.actor}) is labelled ${JSON.stringify(e.labels)}, not ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

for (const u of OUTSIDERS) {
  test(`${u}: no source name or reference of another account's report, through any route`, async () => {
    const bad = forbidden(u);
    const hits = [];
    for (const [where, text] of await everything(u)) {
      const f = bad.filter((m) => text.includes(m));
      if (f.length) hits.push(`${where}: ${f.join(', ')} — …${text.slice(Math.max(0, text.indexOf(f[0]) - 150), text.indexOf(f[0]) + 60)}…`);
    }
    assert.deepEqual(hits, [], hits.join('\n'));
  });
}

test('sources are shown to others with their kind and grades only', async () => {
  for (const u of ['ocha.focal', 'isf.egy', 'board.chair', 'isf.hq', 'idf.liaison']) {
    const a = await c.getOk(u, I.A.id);
    assert.equal(a.sources.length, 2, `${u}: both sources of ${I.A.id}`);
    for (const s of a.sources) {
      assert.ok(!('name' in s) || s.name === null, `${u}: no name: ${JSON.stringify(s)}`);
      assert.ok(!('reference' in s) || s.reference === null, `${u}: no reference: ${JSON.stringify(s)}`);
    }
    assert.deepEqual(a.sources.map((s) => `${s.kind}/${s.reliability}/${s.credibility}`), ['local_contact/C/3', 'isf_patrol/A/2']);
  }
  const own = await c.getOk('isf.aze', I.A.id);
  assert.deepEqual(own.sources.map((s) => s.name), [I.A.markers[0], I.A.markers[2]], 'the reporter sees its sources\' names');
});

test('humanitarian accounts see confirmed incidents only, in the list, by id and in the exports', async () => {
  for (const u of HUMANITARIAN) {
    const list = await c.listAll(u, '?limit=1000');
    assert.ok(list.length > 0);
    // Confirmed ones, and (exercise data, interceptions) those reported by the account's own organisation.
    for (const x of list) assert.ok(x.status === 'confirmed' || x.reported_org === ORG_OF[u], `${u} lists ${x.id} (${x.status}, reported by ${x.reported_org})`);
    for (const inc of Object.values(I)) {
      const inList = list.some((x) => x.id === inc.id);
      assert.equal(inList, inc.status === 'confirmed', `${u}: ${inc.id} (${inc.status}) in the list`);
      const g = await c.get(u, inc.id);
      if (inc.status === 'confirmed') assert.equal(g.status, 200, `${u} GET ${inc.id}`);
      else {
        assert.ok([403, 404].includes(g.status), `${u} GET ${inc.id} (${inc.status}): ${g.status}`);
        assert.ok(!g.text.includes(inc.title), `${u}: the refusal says nothing of ${inc.id}`);
      }
      for (const fmt of ['csv', 'geojson']) {
        const r = await c.as(u).get(`/api/v1/incidents?format=${fmt}&limit=1000`);
        assert.equal(r.status, 200, `${u} ${fmt}: ${r.text.slice(0, 200)}`);
        assert.equal(idRe(inc.id).test(r.text), inc.status === 'confirmed', `${u}: ${inc.id} (${inc.status}) in the ${fmt} export`);
      }
      for (const q of ['?status=reported', '?status=under_review', '?status=unconfirmed', '?status=refuted']) {
        const r = await c.as(u).get(`/api/v1/incidents${q}`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.incidents.map((x) => x.id).filter((id) => Object.values(I).some((i) => i.id === id)), [], `${u} ${q}`);
      }
    }
    // The refuted E was confirmed once: reopening took "all" away again.
    assert.ok(!list.some((x) => x.id === I.E.id));
  }
});

test('every account sees exactly the incidents the labels give it (a contingent never sees another\'s unconfirmed report)', async () => {
  const failures = [];
  for (const u of USERS) {
    const list = await c.listAll(u, '?limit=1000');
    const listAllStatuses = [...list, ...(await c.listAll(u, '?status=merged'))];
    for (const inc of Object.values(I)) {
      const want = sees(u, inc);
      if (listAllStatuses.some((x) => x.id === inc.id) !== want) failures.push(`${u}: ${inc.id} (${inc.status}, by ${inc.reporter}) ${want ? 'missing from' : 'in'} the list`);
      const g = await c.get(u, inc.id);
      if ((g.status === 200) !== want) failures.push(`${u}: GET ${inc.id} -> ${g.status}`);
    }
  }
  // isf.aze: nothing of isf.egy's report C anywhere (its id or its title).
  for (const [where, text] of await everything('isf.aze')) {
    if (where.includes(`${I.C.id}/`)) continue; // the replies to isf.aze's own attempts on C name the id it sent
    if (where === `GET /api/v1/incidents/${I.C.id} -> 404` || where.startsWith(`GET /api/v1/incidents/${I.C.id} -> 403`)) continue;
    if (idRe(I.C.id).test(text) || text.includes(I.C.title)) failures.push(`isf.aze: ${where} names ${I.C.id}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('links to operations and movements only for those who may see them; humanitarians never learn an OPN- id', async () => {
  const failures = [];
  // The CMCC and the liaison see B's operation link; WFP sees its own movement.
  assert.deepEqual((await c.getOk('cmcc.watch', I.B.id)).links.operations, [opn]);
  assert.deepEqual((await c.getOk('idf.liaison', I.B.id)).links.operations, [opn]);
  assert.deepEqual((await c.getOk('idf.liaison', I.D.id)).links.operations, [opn]);
  assert.ok((await c.getOk('wfp.focal', I.B.id)).links.movements.includes('MOV-1'), 'WFP sees the link to its own movement');
  assert.deepEqual((await c.getOk('ocha.focal', I.B.id)).links.consignments, [csg], 'consignments are visible to everyone');
  for (const u of ['ocha.focal', 'ngo.focal', 'isf.aze', 'isf.egy', 'board.chair', 'trainer']) {
    const b = await c.getOk(u, I.B.id);
    if ((b.links?.operations || []).length) failures.push(`${u}: ${I.B.id} links ${b.links.operations}`);
    if (u !== 'wfp.focal' && (b.links?.movements || []).includes('MOV-1')) failures.push(`${u}: ${I.B.id} links MOV-1, WFP's movement`);
  }
  for (const u of ['ocha.focal', 'wfp.focal', 'ngo.focal', 'isf.aze', 'isf.egy']) {
    for (const [where, text] of await everything(u)) {
      if (idRe(opn).test(text)) failures.push(`${u}: ${where} names ${opn}`);
      else if (HUMANITARIAN.includes(u) && /OPN-\d+/.test(text)) failures.push(`${u}: ${where} names an operation ${text.match(/OPN-\d+/)[0]}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('SITREP: the "operations" section is present for readers cleared for operations, and absent for everyone else', async () => {
  for (const u of [...new Set([...OPS_CLEARED.filter((x) => USERS.includes(x)), 'board.chair', 'state.desk'])]) {
    const r = await c.as(u).get(`/api/v1/reports/sitrep?date=${today}&format=json`);
    assert.equal(r.status, 200, `${u}: ${r.text.slice(0, 200)}`);
    assert.ok(r.body.operations && typeof r.body.operations.notified === 'number', `${u} gets the operations section`);
    assert.ok(r.body.operations.notified >= 1, `${u}: today's operation is counted`);
    assert.equal(typeof r.body.summary.operations, 'number', `${u}: summary.operations`);
    const h = await c.as(u).get(`/api/v1/reports/sitrep?date=${today}&format=html`);
    assert.match(h.text, /operations coordinated/i, `${u}: the HTML has the operations section`);
  }
  for (const u of NOT_CLEARED) {
    const r = await c.as(u).get(`/api/v1/reports/sitrep?date=${today}&format=json`);
    assert.equal(r.status, 200, `${u}: ${r.text.slice(0, 200)}`);
    assert.ok(!('operations' in r.body), `${u}: no operations key: ${JSON.stringify(r.body.operations)}`);
    assert.ok(!('operations' in (r.body.summary || {})), `${u}: no summary.operations`);
    const h = await c.as(u).get(`/api/v1/reports/sitrep?date=${today}&format=html`);
    assert.equal(h.status, 200);
    assert.doesNotMatch(h.text, /operations coordinated/i, `${u}: the HTML has no operations section`);
    assert.doesNotMatch(h.text, /OPN-\d+/);
  }
});

test('figures count only what the reader may see: a humanitarian\'s are those of the confirmed incidents', async () => {
  const q = `?from=${today}&until=${today}`;
  const cm = (await c.as('cmcc.watch').get(`/api/v1/stats/incidents${q}&by=type`)).body;
  const hu = (await c.as('ocha.focal').get(`/api/v1/stats/incidents${q}&by=type`)).body;
  const row = (b, k) => b.rows.find((r) => r.key === k) || { confirmed: 0, unconfirmed: 0, refuted: 0 };
  // C (armed_clash) is reported: the CMCC counts it apart, OCHA does not see it.
  assert.ok(row(cm, 'armed_clash').unconfirmed >= 1);
  assert.equal(row(hu, 'armed_clash').unconfirmed, 0);
  assert.ok(row(cm, 'strike').refuted >= 1, 'the CMCC counts the refuted E');
  assert.equal(row(hu, 'strike').refuted, 0);
  assert.equal(row(hu, 'strike').confirmed, row(cm, 'strike').confirmed);
  // Beyond the confirmed ones, a humanitarian sees only what its own
  // organisation reported (the scenario's exercise interceptions, whose days
  // depend on when the data folder was made): each figure counts exactly those.
  const own = (await c.listAll('ocha.focal', '?limit=1000')).filter((x) => x.status !== 'confirmed' && gazaDay(x.occurred_at) === today);
  for (const x of own) assert.equal(x.reported_org, ORG_OF['ocha.focal'], `ocha.focal lists ${x.id} (${x.status})`);
  for (const r of hu.rows) {
    const n = own.filter((x) => x.type === r.key).length;
    assert.equal(r.unconfirmed + r.refuted, n, `ocha.focal: ${JSON.stringify(r)}; its own unconfirmed reports of that type today: ${n}`);
  }
  const v = (await c.as('ocha.focal').get(`/api/v1/stats/violations${q}`)).body;
  // Unconfirmed violations: only its own organisation's reports, by their perpetrators.
  for (const [party, arr] of Object.entries(v.unconfirmed.by_party)) {
    const n = own.filter((x) => (x.parties || []).some((p) => p.party === party && p.role === 'perpetrator')).length;
    assert.equal(arr.reduce((a, b) => a + b, 0), n, `ocha.focal: unconfirmed violations by ${party}`);
  }
});

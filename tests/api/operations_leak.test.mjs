// What humanitarian and contingent accounts (and the trainer and the DDR
// officer) never see of an operation (docs/operations.md "Who sees what"):
// its kind, area, description or originator — through every route, the
// deconfliction check, the conflicts kept on their own sites, movements and
// units, the log (proofs of every seq, the raw events), the event stream (live
// and replayed), every export, the advisories, and every error message.
//
// Each operation carries unique markers: a description token, its id, its kind
// (the distinctive ones), its exact coordinates, and its originator (IDF,
// idf.liaison, the liaison's name). Every reply an outsider gets is searched
// for all of them; the same searches over what the CMCC gets must find them
// (so the search is real).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, openStream, sleep } from './lib.mjs';
import {
  H, MIN, iso, pt, places, offset, r7, starRing, siteAt, movementAlong, loginMany, opsClient,
  healthSize, shapeOf, OUTSIDERS, ORG_OF, prng,
} from '../lib/operations.mjs';

const INSIDERS = ['idf.liaison', 'cmcc.watch', 'cmcc.ops', 'cmcc.cdr', 'isf.hq', 'admin'];
const DISTINCT_KINDS = ['air_strike', 'ground_raid', 'engineering_demolition', 'line_crossing'];
const ORIGINATOR = ['idf.liaison', 'Yair Dolev', 'PER-019', 'POS-IDF-LO'];

let server, tokens, c, baseline;
const streams = {};
const ops = [];            // { id, marker, kind, op }
const writes = [];         // replies to the outsiders' own writes: { user, what, text }
const coordStrings = new Set();
const rng = prng(Number(process.env.LEAK_SEED || 20261129));

function addCoords(geometry) {
  const flat = (x) => (typeof x[0] === 'number' ? [x] : x.flatMap(flat));
  for (const [lon, lat] of flat(geometry.coordinates)) {
    for (const v of [lon, lat]) {
      const s = String(v);
      // The exact number, and its first 6 decimals (about 10 cm).
      coordStrings.add(s);
      const m = /^(\d+\.\d{6})/.exec(s);
      if (m) coordStrings.add(m[1]);
    }
  }
}
// A place near p, moved by up to 120 m, with coordinates nobody else uses.
const near = (p) => r7([p[0] + (rng.next() - 0.5) * 0.0012 + 3.3e-7, p[1] + (rng.next() - 0.5) * 0.0012 + 1.7e-7]);

async function notice(body) {
  const marker = `LEAKMARK${Math.floor(rng.next() * 1e9)}Z${ops.length}`;
  const op = await c.notifyOk({ ...body, description: `${marker} target details` });
  ops.push({ id: op.id, marker, kind: body.kind, op });
  addCoords(body.geometry);
  return op;
}

before(async () => {
  server = await boot();
  tokens = await loginMany(server, [...OUTSIDERS, ...INSIDERS]);
  c = opsClient(server, tokens);
  baseline = await healthSize(server);
  for (const u of [...OUTSIDERS, 'cmcc.watch']) {
    streams[u] = await openStream(server.base, { token: tokens[u] });
    assert.equal(streams[u].status, 200, `${u}'s stream`);
  }
});
after(async () => {
  for (const s of Object.values(streams)) s.close();
  await shutdown(server);
});

const spots = places({ spacing: 1500, jitter: 7 });

test('setup: operations of every kind, in every state, over the humanitarians\' sites and movements and the contingents\' units', async () => {
  const now = Date.now();
  const mov = (await c.get_('/api/v1/movements/MOV-1', 'cmcc.cdr')).body;
  // A: inform, over the MSF clinic (SITE-2) and the WFP convoy (MOV-1) on its day: advisories.
  const a = await notice({ mode: 'inform', kind: 'air_strike', geometry: pt(near([34.302, 31.345])), radius_m: 1000, window_from: mov.window_from, window_until: mov.window_until, urgency: 'priority' });
  assert.ok(a.conflicts.some((x) => x.id === 'SITE-2') && a.conflicts.some((x) => x.id === 'MOV-1'), JSON.stringify(a.conflicts));
  assert.ok(a.advisories.length >= 2);
  await c.decideOk(a.id, 'cmcc.cdr', { decision: 'acknowledge' });
  // B: coordinate polygon over OCHA's distribution point in Rafah and the Azerbaijani units; narrowed and accepted, then concurred.
  const ringB = starRing(near([34.2635, 31.2935]), 6, 500, 700, rng);
  const b = await notice({ mode: 'coordinate', kind: 'ground_raid', geometry: { type: 'Polygon', coordinates: [ringB] }, window_from: iso(now + H), window_until: iso(now + 5 * H), urgency: 'urgent' });
  assert.ok(b.conflicts.some((x) => x.kind === 'site') && b.conflicts.some((x) => x.kind === 'unit'), JSON.stringify(b.conflicts));
  const bn = await c.decideOk(b.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  if (bn.proposal?.possible && bn.proposal.geometry) {
    addCoords(bn.proposal.geometry);
    const acc = await c.respond(b.id, 'idf.liaison', { response: 'accept' });
    assert.equal(acc.status, 200, acc.text);
  }
  await c.decideOk(b.id, 'cmcc.watch', { decision: 'concur' }).catch(() => c.decideOk(b.id, 'cmcc.cdr', { decision: 'concur' }));
  // C: coordinate point near the Indonesian units in Deir al-Balah; referred to the ISF (task left with ISF HQ).
  const cc = await notice({ mode: 'coordinate', kind: 'engineering_demolition', geometry: pt(near([34.345, 31.398])), radius_m: 600, window_from: iso(now + 2 * H), window_until: iso(now + 4 * H), urgency: 'priority' });
  const cref = await c.decideOk(cc.id, 'cmcc.ops', { decision: 'refer' });
  assert.match(cref.task, /^TSK-\d+$/);
  // D: coordinate at a free place; objected (escalated to State and CENTCOM).
  const pd = near(spots[3]);
  const d = await notice({ mode: 'coordinate', kind: 'line_crossing', geometry: pt(pd), radius_m: 400, window_from: iso(now - H), window_until: iso(now + 6 * H), urgency: 'immediate' });
  // E: inform polygon at another free place, window begun; outcome reported later.
  const pe = near(spots[6]);
  const ringE = starRing(pe, 5, 300, 450, rng);
  const e = await notice({ mode: 'inform', kind: 'arrest', geometry: { type: 'Polygon', coordinates: [ringE] }, window_from: iso(now - H), window_until: iso(now + 6 * H), urgency: 'routine' });
  // F: coordinate, narrowed, the liaison amends to a new area, then answers a second request.
  const pf = near(spots[9]);
  const f = await notice({ mode: 'coordinate', kind: 'other', geometry: pt(pf), radius_m: 300, window_from: iso(now + H), window_until: iso(now + 3 * H), urgency: 'routine' });
  await c.decideOk(f.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const amendGeom = pt(near(offset(pf, 45, 100)));
  addCoords(amendGeom);
  const am = await c.respond(f.id, 'idf.liaison', { response: 'amend', geometry: amendGeom, radius_m: 200 });
  assert.equal(am.status, 200, am.text);
  await c.decideOk(f.id, 'cmcc.cdr', { decision: 'request_narrowing' });
  const an = await c.respond(f.id, 'idf.liaison', { response: 'answer', note: 'LEAKNOTE the area is needed' });
  assert.equal(an.status, 200, an.text);
  // G: coordinate near the Egyptian engineers, concurred, outcome reported.
  const g = await notice({ mode: 'coordinate', kind: 'air_strike', geometry: pt(near([34.305, 31.338])), radius_m: 350, window_from: iso(now - 30 * MIN), window_until: iso(now + 2 * H), urgency: 'immediate' });
  await c.decideOk(g.id, 'cmcc.cdr', { decision: 'concur' });
  const go = await c.outcome(g.id, 'idf.liaison', { result: 'as_notified', note: 'LEAKNOTE done' });
  assert.equal(go.status, 200, go.text);

  // After the notices: the outsiders' own records inside the areas.
  // (Their replies are searched too, with everything else the account gets.)
  const kept = (user, what, r, status) => {
    assert.equal(r.status, status, `${user} ${what}: ${r.text}`);
    writes.push({ user, what: `${what} -> ${r.status}`, text: r.text });
    return r.body;
  };
  const ngoSite = kept('ngo.focal', 'POST /api/v1/sites', await c.site(siteAt(offset(pd, 200, 150), { category: 'health_facility' }), 'ngo.focal'), 201);
  const ochaSite = kept('ocha.focal', 'POST /api/v1/sites', await c.site(siteAt(offset(pe, 20, 60)), 'ocha.focal'), 201);
  const t0 = now + 2 * H;
  const wfpMov = kept('wfp.focal', 'POST /api/v1/movements', await c.movement(movementAlong([offset(pe, 270, 1200), pe, offset(pe, 90, 1200)], t0, 20 * MIN), 'wfp.focal'), 201);
  // OCHA amends its Rafah distribution point (SITE-4): its conflicts are found again.
  kept('ocha.focal', 'POST /api/v1/sites/SITE-4/amend', await c.post_('/api/v1/sites/SITE-4/amend', 'ocha.focal', { staff_count: 11 }), 200);
  // WFP amends its new movement (a later departure): found again.
  kept('wfp.focal', `POST /api/v1/movements/${wfpMov.id}/amend`, await c.post_(`/api/v1/movements/${wfpMov.id}/amend`, 'wfp.focal', { cargo: 'water and flour' }), 200);
  // The Azerbaijani contingent reports a unit 50 m from B's area as it is now.
  const bVertex = (await c.getOk(b.id)).geometry.coordinates.flat(3).slice(0, 2);
  kept('isf.aze', 'POST /api/v1/units/UNIT-AZE-1/position', await c.post_('/api/v1/units/UNIT-AZE-1/position', 'isf.aze', { geometry: pt(offset(bVertex, 45, 50)) }), 200);
  // D is objected after the site came (an alert first).
  await c.decideOk(d.id, 'cmcc.cdr', { decision: 'object', reasons: 'LEAKNOTE the clinic' });
  const eo = await c.outcome(e.id, 'idf.liaison', { result: 'not_carried_out' });
  assert.equal(eo.status, 200, eo.text);

  // The insiders see the links the outsiders must not: the proof the records are there.
  const watchNgo = await c.get_(`/api/v1/sites/${ngoSite.id}`, 'cmcc.watch');
  assert.ok(watchNgo.body.conflicts.some((x) => x.kind === 'operation' && x.id === d.id), `the CMCC sees ${d.id} among the conflicts of ${ngoSite.id}: ${JSON.stringify(watchNgo.body.conflicts)}`);
  const watchMov = await c.get_(`/api/v1/movements/${wfpMov.id}`, 'cmcc.watch');
  assert.ok(watchMov.body.conflicts.some((x) => x.kind === 'operation' && x.id === e.id), `the CMCC sees ${e.id} among the conflicts of ${wfpMov.id}`);
  const watchOcha = await c.get_(`/api/v1/sites/${ochaSite.id}`, 'cmcc.watch');
  assert.ok(watchOcha.body.conflicts.some((x) => x.kind === 'operation'), `the CMCC sees an operation among the conflicts of ${ochaSite.id}`);
  const bNow = await c.getOk(b.id);
  assert.ok(bNow.alerts.some((x) => x.conflict.kind === 'unit' && x.conflict.id === 'UNIT-AZE-1'), `B has an alert for the unit: ${JSON.stringify(bNow.alerts)}`);
  assert.ok(ops.length >= 7);
});

// ---------------------------------------------------------------- the search
function markersIn(text, { idf }) {
  const found = [];
  for (const o of ops) {
    if (text.includes(o.marker)) found.push(`description marker of ${o.id}`);
  }
  const ids = text.match(/OPN-\d+/g);
  if (ids) found.push(`operation id(s) ${[...new Set(ids)].join(',')}`);
  for (const k of DISTINCT_KINDS) if (text.includes(k)) found.push(`kind ${k}`);
  // The org structure is public (scenario events before the baseline name the
  // liaison, its position and organisation): the originator counts after it.
  if (idf) for (const s of ORIGINATOR) if (text.includes(s)) found.push(`originator ${s}`);
  if (idf && /IDF/.test(text)) found.push('"IDF"');
  if (text.includes('LEAKNOTE')) found.push('a note or reason of a decision');
  for (const s of coordStrings) if (text.includes(s)) found.push(`coordinate ${s}`);
  if (/"kind":\s*"operation"/.test(text)) found.push('a conflict of kind operation');
  return found;
}

const hits = [];
function scan(user, what, text, opts = { idf: true }) {
  const f = markersIn(text, opts);
  if (f.length) {
    const at = text.indexOf(f[0].split(' ').pop());
    hits.push(`${user} ${what}: ${f.join('; ')} — …${text.slice(Math.max(0, at - 120), at + 120)}…`);
  }
}

test('the search is real: what the CMCC and the notifier get contains the markers', async () => {
  for (const o of ops) {
    const r = await c.get(o.id, 'cmcc.watch');
    assert.equal(r.status, 200);
    const f = markersIn(r.text, { idf: true });
    assert.ok(f.some((x) => x.startsWith('description marker')) && f.some((x) => x.startsWith('operation id')) && f.some((x) => x.startsWith('coordinate')) && f.some((x) => x.startsWith('originator')), `${o.id}: ${f}`);
  }
  await streams['cmcc.watch'].waitFor((e) => e.data.includes(ops[ops.length - 1].marker), 3000);
  const chk = await c.check({ geometry: ops[0].op.geometry, radius_m: ops[0].op.radius_m, from: ops[0].op.window_from, until: ops[0].op.window_until });
  assert.ok(chk.body.conflicts.some((x) => x.kind === 'operation' && x.id === ops[0].id), 'the commander\'s check finds the operation');
});

for (const user of OUTSIDERS) {
  test(`${user} (${ORG_OF[user]}) sees nothing of any operation, through any route`, async () => {
    const problems = [];
    for (const w of writes.filter((x) => x.user === user)) scan(user, w.what, w.text);
    const size0 = await healthSize(server);
    const get = async (path) => {
      const r = await c.get_(path, user);
      scan(user, `GET ${path} -> ${r.status}`, r.text);
      return r;
    };
    // Lists and queues: empty.
    for (const q of ['', '?queue=decisions', '?queue=alerts', '?queue=escalated', '?status=pending', '?status=objected', '?status=concurred', '?queue=nonsense']) {
      const r = await get(`/api/v1/operations${q}`);
      if (r.status === 200 && r.body.operations.length) problems.push(`GET /api/v1/operations${q}: ${r.body.operations.length} operation(s)`);
      if (r.status === 403 || r.status >= 500) problems.push(`GET /api/v1/operations${q}: ${r.status}`);
    }
    // Each operation, as for a missing id; the same for every write.
    const MISSING = 'OPN-999999';
    for (const o of ops) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined], ['GET', '/record', undefined], ['GET', `/record?as_of=${encodeURIComponent(iso(Date.now()))}`, undefined],
        ['POST', '/decision', { decision: 'concur' }], ['POST', '/decision', { decision: 'object', reasons: 'x' }],
        ['POST', '/respond', { response: 'answer', note: 'x' }], ['POST', '/respond', { response: 'accept' }],
        ['POST', '/outcome', { result: 'as_notified' }],
      ]) {
        const r = await server.api(method, `/api/v1/operations/${o.id}${suffix}`, { token: tokens[user], body });
        const m = await server.api(method, `/api/v1/operations/${MISSING}${suffix}`, { token: tokens[user], body });
        scan(user, `${method} /api/v1/operations/${o.id}${suffix} -> ${r.status}`, r.text.split(o.id).join('OPN-X'));
        if (shapeOf(r, o.id) !== shapeOf(m, MISSING)) problems.push(`${method} /api/v1/operations/${o.id}${suffix}: ${r.status} ${r.text.slice(0, 160)} differs from a missing id: ${m.status} ${m.text.slice(0, 160)}`);
        if (r.status < 400) problems.push(`${method} /api/v1/operations/${o.id}${suffix}: ${r.status}`);
      }
    }
    // The deconfliction check over every operation's area and window.
    for (const o of ops) {
      const g = o.op.geometry;
      for (const extra of [{}, { kinds: ['operation'] }, { buffer_m: 500 }]) {
        const body = { geometry: g, from: o.op.window_from, until: o.op.window_until, ...extra };
        if (g.type === 'Point') body.radius_m = o.op.radius_m;
        const r = await c.check(body, user);
        scan(user, `POST /api/v1/deconfliction/check over ${o.id} ${JSON.stringify(extra)} -> ${r.status}`, r.text);
        if (r.status !== 200) problems.push(`check over ${o.id}: ${r.status} ${r.text.slice(0, 160)}`);
        else {
          if (r.body.conflicts.some((x) => x.kind === 'operation')) problems.push(`check over ${o.id} ${JSON.stringify(extra)}: an operation among the conflicts`);
          if (r.body.count !== r.body.conflicts.length) problems.push(`check over ${o.id}: count ${r.body.count} but ${r.body.conflicts.length} conflicts shown`);
        }
      }
    }
    // Every export and list, and each of the records the account sees.
    for (const coll of ['sites', 'nostrike', 'movements']) {
      for (const q of ['', '?format=json', '?format=geojson', '?format=csv', '?mine=1']) await get(`/api/v1/${coll}${q}`);
    }
    const sites = (await c.get_('/api/v1/sites', user)).body.sites || [];
    for (const s of sites) await get(`/api/v1/sites/${s.id}`);
    const movs = (await c.get_('/api/v1/movements', user)).body.movements || [];
    for (const m of movs) await get(`/api/v1/movements/${m.id}`);
    for (const p of ['/api/v1/units', '/api/v1/tasks', '/api/v1/advisories', '/api/v1/log/events', '/api/v1/log/events?after=0&limit=100000']) await get(p);
    const tasks = (await c.get_('/api/v1/tasks', user)).body?.tasks || [];
    for (const t of tasks) await get(`/api/v1/tasks/${t.id}`);
    // Advisories of other organisations: as for a missing one.
    const mine = new Set(((await c.advisories(user)).body.advisories || []).map((a) => a.id));
    const all = (await c.advisories('cmcc.watch')).body.advisories;
    for (const a of all) {
      if (mine.has(a.id)) continue;
      const r = await c.post_(`/api/v1/advisories/${a.id}/acknowledge`, user, {});
      const m = await c.post_('/api/v1/advisories/ADV-999999/acknowledge', user, {});
      scan(user, `POST /api/v1/advisories/${a.id}/acknowledge -> ${r.status}`, r.text);
      if (shapeOf(r, a.id, 'ADV-X') !== shapeOf(m, 'ADV-999999', 'ADV-X')) problems.push(`acknowledge ${a.id} (not theirs): ${r.status} ${r.text.slice(0, 160)} vs missing ${m.status}`);
    }
    // The log: a proof for every seq, invisible ones answered as for a missing one.
    const size = await healthSize(server);
    const none = await c.get_(`/api/v1/log/proof/${size + 100000}`, user);
    for (let seq = 1; seq <= size; seq++) {
      const r = await c.get_(`/api/v1/log/proof/${seq}`, user);
      if (r.status === 200) scan(user, `GET /api/v1/log/proof/${seq}`, r.text, { idf: seq > baseline });
      else if (shapeOf(r, String(seq), 'N') !== shapeOf(none, String(size + 100000), 'N')) problems.push(`proof ${seq}: ${r.status} ${r.text.slice(0, 160)} differs from a missing seq`);
    }
    // The stream: live since before the first notice, and replayed from the baseline.
    const live = streams[user];
    await sleep(300);
    for (const e of live.events) scan(user, `stream (live) event ${e.id} ${e.event}`, `${e.event}\n${e.data}`, { idf: Number(e.id) > baseline });
    if (live.done) problems.push(`the live stream ended: ${live.error}`);
    const replay = await openStream(server.base, { token: tokens[user], lastEventId: baseline });
    await sleep(2500);
    replay.close();
    for (const e of replay.events) scan(user, `stream (replayed) event ${e.id} ${e.event}`, `${e.event}\n${e.data}`, { idf: Number(e.id) > baseline });
    for (const cm of [...live.comments, ...replay.comments]) scan(user, 'stream comment', cm);
    if (replay.status !== 200) problems.push(`replay stream ${replay.status}`);
    // Nothing was written by any of it.
    if ((await healthSize(server)) !== size0) problems.push(`the log grew ${size0} -> ${await healthSize(server)}`);
    const mine2 = hits.filter((h) => h.startsWith(`${user} `));
    assert.deepEqual([...problems, ...mine2], [], `${problems.length + mine2.length} problem(s) for ${user}:\n${[...problems, ...mine2].join('\n')}`);
  });
}

test('a humanitarian sees only its own advisories, which reveal nothing; a contingent sees none', async () => {
  const msf = (await c.advisories('ngo.focal')).body.advisories;
  const wfp = (await c.advisories('wfp.focal')).body.advisories;
  assert.ok(msf.some((a) => a.subject === 'SITE-2'), 'MSF is told about SITE-2');
  assert.ok(wfp.some((a) => a.subject === 'MOV-1'), 'WFP is told about MOV-1');
  assert.ok(msf.every((a) => a.org === 'MSF') && wfp.every((a) => a.org === 'UN-WFP'));
  for (const u of ['isf.aze', 'isf.egy', 'isf.idn', 'trainer', 'ddr.officer']) {
    assert.deepEqual((await c.advisories(u)).body.advisories, [], u);
  }
});

test('a contingent given a referred task sees the task, not the operation: no operation id, kind, description or originator', async () => {
  // Rafah, by day tomorrow: a task the Azerbaijani contingent can take.
  const p = near(offset([34.262, 31.292], 45, 1200));
  const o = await notice({ mode: 'coordinate', kind: 'line_crossing', geometry: pt(p), radius_m: 150, window_from: iso(Date.now() + 26 * H), window_until: iso(Date.now() + 27 * H), urgency: 'priority' });
  const d = await c.decideOk(o.id, 'cmcc.cdr', { decision: 'refer' });
  const cand = await c.get_(`/api/v1/tasks/${d.task}/candidates`, 'isf.hq');
  const pick = cand.body.candidates.find((x) => !x.approval?.required);
  assert.ok(pick, `a candidate: ${cand.text.slice(0, 300)}`);
  const acct = { 'ISF-AZE': 'isf.aze', 'ISF-EGY': 'isf.egy', 'ISF-IDN': 'isf.idn' }[pick.org];
  const live = await openStream(server.base, { token: tokens[acct] });
  assert.equal((await c.post_(`/api/v1/tasks/${d.task}/assign`, 'isf.hq', { unit: pick.unit })).status, 200);
  const acc = await c.post_(`/api/v1/tasks/${d.task}/accept`, acct, {});
  assert.equal(acc.status, 200, acc.text);
  await sleep(500);
  live.close();
  const found = [];
  const look = (what, text) => {
    const f = [];
    if (text.includes(o.id) || /OPN-\d+/.test(text)) f.push(`operation id ${text.match(/OPN-\d+/)?.[0]}`);
    if (text.includes(ops[ops.length - 1].marker)) f.push('description');
    if (text.includes('line_crossing')) f.push('kind line_crossing');
    for (const s of ORIGINATOR) if (text.includes(s)) f.push(`originator ${s}`);
    if (/IDF/.test(text)) f.push('"IDF"');
    if (f.length) found.push(`${acct} ${what}: ${f.join('; ')}`);
  };
  const t = await c.get_(`/api/v1/tasks/${d.task}`, acct);
  assert.equal(t.status, 200, 'the contingent sees its task');
  look(`GET /api/v1/tasks/${d.task}`, t.text);
  look('GET /api/v1/tasks', (await c.get_('/api/v1/tasks', acct)).text);
  look(`POST /api/v1/tasks/${d.task}/accept`, acc.text);
  for (const e of live.events) look(`stream event ${e.id} ${e.event}`, e.data);
  assert.equal((await c.get(o.id, acct)).status, 404);
  assert.deepEqual(found, [], found.join('\n'));
});

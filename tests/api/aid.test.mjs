// Aid flow (issue 7, item 3; docs/monitoring.md "Aid"): the crossings of the
// scenario and their status (the CMCC only); consignments recorded by an
// organisation (or by the CMCC for any), every value checked; the status
// chain at_perimeter → crossed → offloaded → collected → delivered, or
// intercepted (with the manner, linked to an incident — reported by the
// server when none is given) or returned (with a note): every allowed step
// works, every skipped or backwards step is 409, a step before the previous
// one or in the future is refused; another organisation's consignment is 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  H, MIN, iso, pt, PLACE, FAR, CROSSINGS, gazaDay, gazaLocal, TARGET, COMMODITIES, CSG_STATUSES, CSG_NEXT, consignmentBody, incidentBody,
  clearOfGazaMidnight, incidents, refused, receiptOf, loginMany, logSize,
} from '../lib/monitoring.mjs';

const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'board.chair', 'trainer'];
let server, t, c, key;

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  c = incidents(server, t);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
});
after(() => shutdown(server));

const post = (u, path, body) => server.api('POST', path, { token: t[u], body });
const get = (u, path) => server.api('GET', path, { token: t[u] });
async function create(u = 'wfp.focal', over = {}) {
  const r = await post(u, '/api/v1/aid/consignments', consignmentBody(over));
  assert.equal(r.status, 201, `${u} records a consignment: ${r.status} ${r.text.slice(0, 400)}`);
  assert.match(r.body.id, /^CSG-\d+$/);
  return r;
}
const status = (u, id, body) => post(u, `/api/v1/aid/consignments/${id}/status`, body);
async function statusOk(u, id, body) {
  const r = await status(u, id, body);
  assert.equal(r.status, 200, `${u} ${id} -> ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 400)}`);
  return r;
}
const getCsg = async (id, u = 'cmcc.watch') => {
  const r = await get(u, `/api/v1/aid/consignments/${id}`);
  assert.equal(r.status, 200, `GET ${id}: ${r.text.slice(0, 300)}`);
  return r.body.consignment || r.body;
};
// The body a step needs besides its status.
const extra = (s) => (s === 'intercepted' ? { manner: 'peaceful' } : s === 'returned' ? { note: 'turned back at inspection' } : {});

test('crossings: every crossing of the scenario with its names, kind, status, place and today\'s figures; the target of 600 trucks a day', async () => {
  for (const u of ['ocha.focal', 'isf.aze', 'cmcc.watch', 'trainer']) {
    const r = await get(u, '/api/v1/aid/crossings');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.body.target_trucks_per_day, TARGET);
    assert.equal(TARGET, 600);
    const ids = r.body.crossings.map((x) => x.id).sort();
    assert.deepEqual(ids, Object.keys(CROSSINGS).sort());
    for (const x of r.body.crossings) {
      const want = CROSSINGS[x.id];
      assert.equal(x.name.en, want.name_en);
      assert.equal(x.name.ar, want.name_ar);
      assert.equal(x.kind, want.kind);
      assert.ok(['open', 'restricted', 'closed'].includes(x.status));
      assert.deepEqual(x.geometry.coordinates, want.coordinates);
      assert.ok(Number.isInteger(x.today.trucks) && Number.isInteger(x.today.consignments), JSON.stringify(x.today));
    }
    // Last: the history is a list (empty before any change).
    for (const x of r.body.crossings) assert.ok(Array.isArray(x.history), `${u}: ${x.id} history is a list: ${JSON.stringify(x.history)}`);
  }
});

test('crossings: today\'s trucks and consignments count what crossed there today', async () => {
  // Both readings of "today" and the crossing fall in one Gaza day: none of
  // them straddles local midnight.
  await clearOfGazaMidnight();
  const today = (await get('cmcc.watch', '/api/v1/aid/crossings')).body.crossings.find((x) => x.id === 'XNG-ZIKIM').today;
  // 20 minutes ago, or the day's first instant when the day is younger than
  // that: today, and never ahead of the server's clock (the step a second
  // later is at most a second ahead, well within its minute of tolerance).
  const now = Date.now();
  const at = Math.max(now - 20 * MIN, gazaLocal(gazaDay(now), 0));
  const id = (await create('wfp.focal', { crossing: 'XNG-ZIKIM', trucks: 17, at: iso(at) })).body.id;
  await statusOk('wfp.focal', id, { status: 'crossed', at: iso(at + 1000) });
  const after = (await get('ocha.focal', '/api/v1/aid/crossings')).body.crossings.find((x) => x.id === 'XNG-ZIKIM').today;
  assert.deepEqual({ trucks: after.trucks - today.trucks, consignments: after.consignments - today.consignments }, { trucks: 17, consignments: 1 });
});

test('crossing status: the CMCC sets it (with a receipt and a history entry); anyone else 403; bad values named', async () => {
  const id = 'XNG-KISSUFIM';
  for (const u of ['ocha.focal', 'wfp.focal', 'isf.hq', 'isf.aze', 'idf.liaison', 'board.chair']) {
    await refused(server, () => post(u, `/api/v1/aid/crossings/${id}/status`, { status: 'closed' }), { status: 403, what: `${u} sets a crossing's status` });
  }
  await refused(server, () => post('cmcc.watch', `/api/v1/aid/crossings/${id}/status`, { status: 'half_open' }), { status: 400, field: 'status', what: 'a bad status' });
  await refused(server, () => post('cmcc.watch', `/api/v1/aid/crossings/${id}/status`, {}), { status: 400, field: 'status', what: 'no status' });
  const nf = await post('cmcc.watch', '/api/v1/aid/crossings/XNG-NOPE/status', { status: 'open' });
  assert.equal(nf.status, 404, nf.text);
  for (const s of ['closed', 'open', 'restricted']) {
    const r = await post('cmcc.watch', `/api/v1/aid/crossings/${id}/status`, { status: s, note: `now ${s}` });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    receiptOf(r, key);
    const x = (await get('ocha.focal', '/api/v1/aid/crossings')).body.crossings.find((y) => y.id === id);
    assert.equal(x.status, s);
    const last = x.history[x.history.length - 1];
    assert.equal(last.status, s);
    assert.equal(last.note, `now ${s}`);
  }
});

test('record: 201 with the consignment at the perimeter and a receipt; the organisation defaults to the caller\'s, the CMCC may record for another', async () => {
  const at = iso(Date.now() - 5 * H);
  const body = consignmentBody({ commodity: 'medical', trucks: 7, tonnes: 31.25, crossing: 'XNG-KISSUFIM', at, reference: 'OCHA-77', note: 'insulin' });
  const r = await create('ocha.focal', body);
  receiptOf(r, key, r.body.id);
  const x = r.body.consignment;
  assert.equal(x.id, r.body.id);
  assert.equal(x.org, 'UN-OCHA');
  assert.equal(x.status, 'at_perimeter');
  assert.equal(x.commodity, 'medical');
  assert.equal(x.trucks, 7);
  assert.equal(x.tonnes, 31.25);
  assert.equal(x.crossing, 'XNG-KISSUFIM');
  assert.equal(Date.parse(x.at), Date.parse(at));
  assert.equal(x.reference, 'OCHA-77');
  assert.deepEqual(x.destination, body.destination);
  const g = await getCsg(r.body.id, 'ngo.focal'); // consignments are visible to every account
  assert.equal(g.status, 'at_perimeter');
  assert.equal(g.history.length, 1);
  assert.equal(g.history[0].status, 'at_perimeter');
  // at defaults to now.
  const d = await create('wfp.focal', { at: undefined });
  assert.ok(Math.abs(Date.parse(d.body.consignment.at) - Date.now()) < 60e3, d.body.consignment.at);
  // Every commodity.
  for (const k of COMMODITIES) assert.equal((await create('ngo.focal', { commodity: k })).body.consignment.commodity, k);
  // The CMCC records for WFP; WFP may not record for OCHA.
  const cm = await create('cmcc.watch', { org: 'UN-WFP' });
  assert.equal(cm.body.consignment.org, 'UN-WFP');
  await refused(server, () => post('wfp.focal', '/api/v1/aid/consignments', consignmentBody({ org: 'UN-OCHA' })), { status: 403, field: 'org', what: 'WFP records for OCHA' });
  const own = await create('wfp.focal', { org: 'UN-WFP' });
  assert.equal(own.body.consignment.org, 'UN-WFP');
  // Accounts without aid.write.
  for (const u of ['isf.aze', 'isf.hq', 'idf.liaison', 'board.chair', 'trainer']) {
    await refused(server, () => post(u, '/api/v1/aid/consignments', consignmentBody()), { status: 403, what: `${u} records a consignment` });
  }
});

test('record: bad values are refused with 400 naming the field; nothing written', async () => {
  const cases = [
    [{ commodity: 'weapons' }, 'commodity'],
    [{ commodity: undefined }, 'commodity'],
    [{ trucks: 0 }, 'trucks'],
    [{ trucks: 1001 }, 'trucks'],
    [{ trucks: 2.5 }, 'trucks'],
    [{ trucks: '12' }, 'trucks'],
    [{ trucks: undefined }, 'trucks'],
    [{ tonnes: -1 }, 'tonnes'],
    [{ tonnes: 100001 }, 'tonnes'],
    [{ crossing: 'XNG-NOPE' }, 'crossing'],
    [{ crossing: undefined }, 'crossing'],
    [{ at: 'this morning' }, 'at'],
    [{ org: 'NOPE-ORG' }, 'org'],
    [{ destination: pt(FAR) }, /^destination/],
    [{ colour: 'blue' }, 'colour'],
  ];
  for (const [over, field] of cases) {
    const body = consignmentBody(over);
    for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
    await refused(server, () => post(over.org === 'NOPE-ORG' ? 'cmcc.watch' : 'wfp.focal', '/api/v1/aid/consignments', body), { status: 400, field, what: JSON.stringify(over) });
  }
});

// Each path through the chain, on its own consignment; at every state, every
// step the chain does not allow is 409 and writes nothing.
const PATHS = [
  ['crossed', 'offloaded', 'collected', 'delivered'],
  ['returned'],
  ['crossed', 'returned'],
  ['crossed', 'intercepted'],
  ['crossed', 'offloaded', 'returned'],
  ['crossed', 'offloaded', 'intercepted'],
  ['crossed', 'offloaded', 'collected', 'intercepted'],
];

test('status chain: every allowed step works (receipt, history); every skipped, backwards or repeated step is 409', async () => {
  const seen = new Set();
  // A confirmed incident (WFP may see it) for the interceptions.
  const inc = (await c.reportOk('cmcc.watch', incidentBody({ type: 'aid_obstruction_looting' }))).body.id;
  await c.walk(inc, 'confirmed', { attribution: ['GRP-CLANS'] });
  for (const path of PATHS) {
    const t0 = Date.now() - 10 * H;
    const id = (await create('wfp.focal', { at: iso(t0) })).body.id;
    let cur = 'at_perimeter';
    for (const [k, next] of path.entries()) {
      for (const s of CSG_STATUSES) {
        if (CSG_NEXT[cur].includes(s)) continue;
        await refused(server, () => status('wfp.focal', id, { status: s, at: iso(t0 + (k + 0.5) * H), ...extra(s), ...(s === 'intercepted' ? { incident: inc } : {}) }),
          { status: 409, what: `${cur} -> ${s}` });
      }
      const at = iso(t0 + (k + 1) * H);
      const r = await statusOk('wfp.focal', id, { status: next, at, note: `step ${k}`, ...extra(next), ...(next === 'intercepted' ? { incident: inc } : {}) });
      receiptOf(r, key, id);
      seen.add(`${cur}->${next}`);
      const x = await getCsg(id);
      assert.equal(x.status, next);
      const last = x.history[x.history.length - 1];
      assert.equal(last.status, next);
      assert.equal(Date.parse(last.at), Date.parse(at));
      cur = next;
    }
    // A terminal state: nothing more.
    for (const s of CSG_STATUSES) {
      await refused(server, () => status('wfp.focal', id, { status: s, ...extra(s), ...(s === 'intercepted' ? { incident: inc } : {}) }), { status: 409, what: `${cur} (terminal) -> ${s}` });
    }
    const x = await getCsg(id);
    assert.deepEqual(x.history.map((h) => h.status), ['at_perimeter', ...path]);
  }
  const all = Object.entries(CSG_NEXT).flatMap(([f, ts]) => ts.map((s) => `${f}->${s}`));
  assert.deepEqual([...seen].sort(), all.sort(), 'every allowed step was exercised');
  // An unknown status: 400.
  const id = (await create()).body.id;
  await refused(server, () => status('wfp.focal', id, { status: 'lost' }), { status: 400, field: 'status', what: 'unknown status' });
  await refused(server, () => status('wfp.focal', id, {}), { status: 400, field: 'status', what: 'no status' });
  const nf = await status('wfp.focal', 'CSG-999999', { status: 'crossed' });
  assert.equal(nf.status, 404, nf.text);
});

test('status: `at` may not be before the previous step nor in the future; it defaults to now', async () => {
  const t0 = Date.now() - 6 * H;
  const id = (await create('wfp.focal', { at: iso(t0) })).body.id;
  await refused(server, () => status('wfp.focal', id, { status: 'crossed', at: iso(t0 - MIN) }), { status: 400, field: 'at', what: 'crossed before it reached the perimeter' });
  await refused(server, () => status('wfp.focal', id, { status: 'crossed', at: iso(Date.now() + H) }), { status: 400, field: 'at', what: 'crossed in the future' });
  await refused(server, () => status('wfp.focal', id, { status: 'crossed', at: 'soon' }), { status: 400, field: 'at', what: 'a bad at' });
  await statusOk('wfp.focal', id, { status: 'crossed', at: iso(t0 + H) });
  await refused(server, () => status('wfp.focal', id, { status: 'offloaded', at: iso(t0 + 30 * MIN) }), { status: 400, field: 'at', what: 'offloaded before it crossed' });
  const r = await statusOk('wfp.focal', id, { status: 'offloaded' });
  const x = await getCsg(id);
  assert.ok(Math.abs(Date.parse(x.history[x.history.length - 1].at) - Date.now()) < 60e3, 'at defaults to now');
  assert.ok(r.body);
});

test('intercepted needs the manner and links an incident: the given one, or one the server reports (at the location, else at the crossing)', async () => {
  const mk = async (crossing = 'XNG-KS') => {
    const id = (await create('wfp.focal', { at: iso(Date.now() - 4 * H), crossing })).body.id;
    await statusOk('wfp.focal', id, { status: 'crossed', at: iso(Date.now() - 3 * H) });
    return id;
  };
  const a = await mk();
  await refused(server, () => status('wfp.focal', a, { status: 'intercepted' }), { status: 400, field: 'manner', what: 'no manner' });
  await refused(server, () => status('wfp.focal', a, { status: 'intercepted', manner: 'violently' }), { status: 400, field: 'manner', what: 'a bad manner' });
  await refused(server, () => status('wfp.focal', a, { status: 'intercepted', manner: 'by_force', incident: 'INC-999999' }), { status: 400, field: 'incident', what: 'a missing incident' });
  await refused(server, () => status('wfp.focal', a, { status: 'intercepted', manner: 'by_force', location: pt(FAR) }), { status: 400, field: /^location/, what: 'a location outside the mission' });
  // The given incident.
  // An incident WFP may not see is refused like a missing one; a confirmed one is linked.
  const inc = (await c.reportOk('cmcc.watch', incidentBody({ type: 'aid_obstruction_looting' }))).body.id;
  const hidden = await refused(server, () => status('wfp.focal', a, { status: 'intercepted', manner: 'by_force', incident: inc }), { status: 400, field: 'incident', what: 'an incident WFP may not see' });
  const missing = await status('wfp.focal', a, { status: 'intercepted', manner: 'by_force', incident: 'INC-999999' });
  assert.equal(hidden.text.split(inc).join('INC-X'), missing.text.split('INC-999999').join('INC-X'), 'the same refusal as for a missing incident');
  await c.walk(inc, 'confirmed', { attribution: ['GRP-CLANS'] });
  await statusOk('wfp.focal', a, { status: 'intercepted', manner: 'by_force', incident: inc });
  const A = await getCsg(a);
  assert.equal(A.incident, inc);
  assert.equal(A.manner ?? A.history[A.history.length - 1].manner, 'by_force');
  // None given, with a location: the server reports one there, by the caller, linked both ways.
  const b = await mk();
  const where = PLACE['SEC-KHAN'];
  const size0 = await logSize(server);
  const rb = await statusOk('wfp.focal', b, { status: 'intercepted', manner: 'peaceful', location: pt(where), note: 'crowd took two trucks' });
  assert.ok(await logSize(server) >= size0 + 2, 'the status change and the incident are both events');
  receiptOf(rb, key);
  const B = await getCsg(b);
  assert.match(B.incident || '', /^INC-\d+$/, `the consignment names its incident: ${JSON.stringify(B)}`);
  const ib = await c.getOk('wfp.focal', B.incident); // the reporter's organisation sees it
  assert.equal(ib.type, 'aid_obstruction_looting');
  assert.equal(ib.reported_by, 'wfp.focal');
  assert.equal(ib.reported_org, 'UN-WFP');
  assert.equal(ib.status, 'reported');
  assert.deepEqual(ib.location.coordinates, where);
  assert.equal(ib.sector, 'SEC-KHAN');
  assert.ok(ib.links.consignments.includes(b), `the incident links ${b}: ${JSON.stringify(ib.links)}`);
  // None given, no location: at the crossing.
  const d = await mk('XNG-KISSUFIM');
  await statusOk('wfp.focal', d, { status: 'intercepted', manner: 'by_force' });
  const Dd = await getCsg(d);
  const id2 = await c.getOk('cmcc.watch', Dd.incident);
  assert.deepEqual(id2.location.coordinates, CROSSINGS['XNG-KISSUFIM'].coordinates);
  assert.ok(id2.links.consignments.includes(d));
  assert.notEqual(Dd.incident, B.incident);
  // OCHA (another organisation, humanitarian) does not see WFP's unconfirmed report.
  const o = await c.get('ocha.focal', Dd.incident);
  assert.ok([403, 404].includes(o.status), `ocha.focal GET ${Dd.incident}: ${o.status}`);
});

test('returned needs a note', async () => {
  const id = (await create('wfp.focal', { at: iso(Date.now() - 2 * H) })).body.id;
  await refused(server, () => status('wfp.focal', id, { status: 'returned' }), { status: 400, field: 'note', what: 'returned without a note' });
  await refused(server, () => status('wfp.focal', id, { status: 'returned', note: '' }), { status: 400, field: 'note', what: 'returned with an empty note' });
  await statusOk('wfp.focal', id, { status: 'returned', note: 'failed inspection' });
  const x = await getCsg(id);
  assert.equal(x.status, 'returned');
  assert.equal(x.history[x.history.length - 1].note, 'failed inspection');
});

test('another organisation\'s consignment: 403; the CMCC may change any', async () => {
  const id = (await create('wfp.focal', { at: iso(Date.now() - 2 * H) })).body.id;
  for (const u of ['ocha.focal', 'ngo.focal']) {
    await refused(server, () => status(u, id, { status: 'crossed' }), { status: 403, what: `${u} moves WFP's consignment` });
  }
  for (const u of ['isf.aze', 'idf.liaison', 'board.chair']) {
    await refused(server, () => status(u, id, { status: 'crossed' }), { status: 403, what: `${u} moves a consignment` });
  }
  await statusOk('cmcc.watch', id, { status: 'crossed' });
  assert.equal((await getCsg(id)).status, 'crossed');
  const h = (await getCsg(id)).history;
  assert.equal(h[h.length - 1].by, 'cmcc.watch');
});

test('list: filters by status, crossing, org, commodity and the day crossed; bad filters named', async () => {
  const day = '2026-09-15';
  const at = Date.parse('2026-09-15T06:00:00Z');
  const mine = [];
  for (const [u, commodity, crossing, cross] of [['wfp.focal', 'fuel', 'XNG-KS', true], ['ocha.focal', 'water_sanitation', 'XNG-ZIKIM', true], ['wfp.focal', 'fuel', 'XNG-ZIKIM', false]]) {
    const id = (await create(u, { commodity, crossing, at: iso(at) })).body.id;
    if (cross) await statusOk(u, id, { status: 'crossed', at: iso(at + 2 * H) });
    mine.push({ id, org: u === 'wfp.focal' ? 'UN-WFP' : 'UN-OCHA', commodity, crossing, status: cross ? 'crossed' : 'at_perimeter' });
  }
  const ids = async (q) => {
    const out = [];
    let cursor = null;
    for (let g = 0; g < 100; g++) {
      const r = await get('isf.aze', `/api/v1/aid/consignments?${q}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, `?${q}: ${r.text.slice(0, 300)}`);
      out.push(...r.body.consignments.map((x) => x.id));
      if (!r.body.next) break;
      cursor = r.body.next;
    }
    return out.filter((id) => mine.some((m) => m.id === id)).sort();
  };
  const want = (f) => mine.filter(f).map((m) => m.id).sort();
  assert.deepEqual(await ids('commodity=fuel'), want((m) => m.commodity === 'fuel'));
  assert.deepEqual(await ids('crossing=XNG-ZIKIM'), want((m) => m.crossing === 'XNG-ZIKIM'));
  assert.deepEqual(await ids('org=UN-OCHA'), want((m) => m.org === 'UN-OCHA'));
  assert.deepEqual(await ids('status=crossed&crossing=XNG-ZIKIM'), want((m) => m.status === 'crossed' && m.crossing === 'XNG-ZIKIM'));
  assert.deepEqual(await ids(`date=${day}`), want((m) => m.status === 'crossed'));
  for (const [q, field] of [['status=lost', 'status'], ['crossing=XNG-NOPE', 'crossing'], ['commodity=gold', 'commodity'], ['date=15/09/2026', 'date'], ['limit=0', 'limit']]) {
    const r = await get('cmcc.watch', `/api/v1/aid/consignments?${q}`);
    assert.equal(r.status, 400, `?${q}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.body.error.field, field, `?${q}`);
  }
});

// Incidents (issue 7, item 1; docs/monitoring.md "Incidents"): the taxonomy;
// reporting with every required field and every bad value refused (400
// naming the field, nothing written); the life cycle reported → under_review
// → confirmed | unconfirmed | refuted → (reopen) under_review, with every
// transition the life cycle does not allow refused (409 field status); who
// may do which (403); amending; a receipt on every write; and the merge of
// two reports of the same incident without losing either.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown } from './lib.mjs';
import {
  H, MIN, iso, pt, PLACE, OUTSIDE_SECTORS, FAR, jitter, sectorOf, incidentBody, consignmentBody, incidents, refused,
  receiptOf, logSize, loginMany, STATUSES, ACLED_TYPES, MISSION_TYPES, VIOLATION, NOT_VIOLATION, GROUPS, SOURCE_KINDS,
  casualtyTotals, casualtyMax, casualtyFull,
} from '../lib/monitoring.mjs';
import { noticeBody, places } from '../lib/operations.mjs';

const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'cmcc.ops', 'idf.liaison', 'isf.hq', 'isf.aze', 'isf.egy', 'ocha.focal',
  'wfp.focal', 'ngo.focal', 'board.chair', 'trainer', 'ddr.officer'];
let server, t, c, key;
const spots = places({ spacing: 1500, jitter: 3 });

before(async () => {
  server = await boot();
  t = await loginMany(server, USERS);
  c = incidents(server, t);
  key = (await server.api('GET', '/api/v1/log/key')).body.key;
});
after(() => shutdown(server));

// An operation notified by the IDF liaison (seen by the CMCC and the liaison only).
let opN = 0;
async function operation() {
  const r = await server.api('POST', '/api/v1/operations', { token: t['idf.liaison'], body: noticeBody(spots[opN++ % spots.length]) });
  assert.equal(r.status, 201, `operation: ${r.text.slice(0, 300)}`);
  return r.body.id;
}
async function consignment(u = 'wfp.focal', over = {}) {
  const r = await server.api('POST', '/api/v1/aid/consignments', { token: t[u], body: consignmentBody(over) });
  assert.equal(r.status, 201, `consignment: ${r.text.slice(0, 300)}`);
  return r.body.id;
}

test('taxonomy: the ACLED sub-event types and the mission\'s own, the parties, the grades and the source kinds', async () => {
  const r = await c.as('ocha.focal').get('/api/v1/incidents/taxonomy');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const ids = r.body.types.map((x) => x.id);
  for (const ty of [...ACLED_TYPES, ...MISSION_TYPES]) assert.ok(ids.includes(ty), `type ${ty} in the taxonomy`);
  for (const ty of r.body.types) {
    assert.equal(typeof ty.label, 'string');
    assert.equal(typeof ty.acled_event_type, 'string', `${ty.id}: acled_event_type`);
    assert.equal(typeof ty.acled_sub_event_type, 'string', `${ty.id}: acled_sub_event_type`);
    assert.equal(ty.mission, MISSION_TYPES.includes(ty.id), `${ty.id}: mission`);
  }
  const byId = Object.fromEntries(r.body.types.map((x) => [x.id, x]));
  for (const ty of VIOLATION) assert.equal(byId[ty].violation, true, `${ty} counts as a violation`);
  for (const ty of NOT_VIOLATION) assert.equal(byId[ty].violation, false, `${ty} is not a violation`);
  const parties = r.body.parties.map((x) => x.id);
  for (const p of GROUPS) assert.ok(parties.includes(p), `party ${p}`);
  assert.deepEqual(r.body.reliability, ['A', 'B', 'C', 'D', 'E', 'F']);
  assert.deepEqual(r.body.credibility, ['1', '2', '3', '4', '5', '6']);
  assert.deepEqual([...r.body.source_kinds].sort(), [...SOURCE_KINDS].sort());
  // "Parties: the registry's organisations (GET /api/v1/org) and the scenario's named armed groups."
  const orgs = (await c.as('ocha.focal').get('/api/v1/org')).body.organisations.map((o) => o.id);
  assert.deepEqual(orgs.filter((o) => !parties.includes(o)), [], 'the registry\'s organisations are parties of the taxonomy');
});

test('report: 201 with the id, the incident as given, the derived sector, casualty totals, violation flag and a receipt that verifies', async () => {
  const opn = await operation();
  const csg = await consignment();
  const body = incidentBody({
    type: 'strike', title: 'Strike on a workshop', occurred_at: iso(Date.now() - 90 * MIN),
    location: pt(jitter(PLACE['SEC-KHAN'], 1)), location_precision: 'town', time_precision: 'hour',
    parties: [{ party: 'IDF', role: 'perpetrator' }, { party: 'GRP-QASSAM', role: 'target' }, { party: 'UN-WFP', role: 'involved' }],
    casualties: { killed: { civilian: 2, combatant: 1 }, injured: { civilian: 4, other: 1 } },
    sources: [
      { kind: 'cmcc_observation', name: 'Watch desk', reference: 'obs 7', reliability: 'A', credibility: '1' },
      { kind: 'media', name: 'Local radio', reliability: 'D', credibility: '4' },
    ],
    links: { operations: [opn], consignments: [csg] },
  });
  const before = await logSize(server);
  const r = await c.reportOk('cmcc.watch', body);
  const id = r.body.id;
  const ev = receiptOf(r, key, id);
  assert.ok(ev.seq > before);
  const inc = r.body.incident;
  assert.equal(inc.id, id);
  assert.equal(inc.status, 'reported');
  assert.equal(inc.type, 'strike');
  assert.equal(inc.title, body.title);
  assert.equal(inc.description, body.description);
  assert.equal(Date.parse(inc.occurred_at), Date.parse(body.occurred_at));
  assert.equal(inc.time_precision, 'hour');
  assert.equal(inc.location_precision, 'town');
  assert.deepEqual(inc.location.coordinates, body.location.coordinates);
  assert.equal(inc.sector, 'SEC-KHAN');
  assert.equal(inc.reported_by, 'cmcc.watch');
  assert.equal(inc.reported_org, 'CMCC');
  assert.ok(Math.abs(Date.parse(inc.reported_at) - Date.now()) < 60e3);
  assert.deepEqual(inc.casualties_total, { killed: 3, injured: 5 });
  assert.equal(inc.violation, true);
  assert.equal(inc.exercise, true);
  assert.deepEqual(inc.links.operations, [opn]);
  assert.deepEqual(inc.links.consignments, [csg]);
  assert.deepEqual(inc.parties.map((p) => `${p.party}/${p.role}`).sort(), ['GRP-QASSAM/target', 'IDF/perpetrator', 'UN-WFP/involved']);
  assert.deepEqual(inc.sources.map((s) => [s.kind, s.name, s.reference ?? null, s.reliability, s.credibility]),
    [['cmcc_observation', 'Watch desk', 'obs 7', 'A', '1'], ['media', 'Local radio', null, 'D', '4']]);
  assert.equal(inc.history.length, 1);
  assert.equal(inc.history[0].status, 'reported');
  assert.equal(inc.history[0].by, 'cmcc.watch');
  // GET gives the same.
  const g = await c.getOk('cmcc.watch', id);
  assert.deepEqual(casualtyFull(g.casualties), casualtyFull(body.casualties));
  assert.equal(g.sector, 'SEC-KHAN');
  // A non-violation type, outside every sector (inside the mission area): sector absent.
  const r2 = await c.reportOk('isf.aze', incidentBody({ type: 'remains_handover', location: pt(OUTSIDE_SECTORS), parties: [], casualties: {}, sources: [] }));
  const i2 = r2.body.incident;
  assert.equal(i2.violation, false);
  assert.ok(i2.sector === undefined || i2.sector === null, `no sector: ${i2.sector}`);
  assert.deepEqual(i2.casualties_total, { killed: 0, injured: 0 });
  assert.equal(i2.reported_org, 'ISF-AZE');
  receiptOf(r2, key, r2.body.id);
  // Every reporting role may report: the IDF liaison and ISF HQ too; occurred_at 30 s ahead is within the slack.
  for (const u of ['idf.liaison', 'isf.hq', 'cmcc.cdr']) {
    const x = await c.reportOk(u, incidentBody({ occurred_at: iso(Date.now() + 30e3) }));
    receiptOf(x, key, x.body.id);
  }
});

test('report: each required field missing is refused naming it, and nothing is written', async () => {
  for (const f of ['type', 'title', 'occurred_at', 'location', 'time_precision', 'location_precision']) {
    const body = incidentBody();
    delete body[f];
    await refused(server, () => c.report('cmcc.watch', body), { status: 400, field: f, what: `without ${f}` });
  }
});

test('report: every bad value is refused with 400 naming the field; nothing is written', async () => {
  const opn = await operation();
  const src = (over) => ({ sources: [{ kind: 'isf_patrol', name: 'Patrol 1', reference: 'r', reliability: 'B', credibility: '2', ...over }] });
  const cases = [
    [{ type: 'drive_by' }, 'type'],
    [{ type: 'Air/drone strike' }, 'type'],
    [{ title: '' }, 'title'],
    [{ title: 12 }, 'title'],
    [{ occurred_at: 'yesterday' }, 'occurred_at'],
    [{ occurred_at: iso(Date.now() + 10 * MIN) }, 'occurred_at'],
    [{ occurred_at: iso(Date.now() + 2 * H) }, 'occurred_at'],
    [{ time_precision: 'second' }, 'time_precision'],
    [{ location_precision: 'street' }, 'location_precision'],
    [{ location: pt(FAR) }, /^location/],
    [{ location: { type: 'LineString', coordinates: [PLACE['SEC-DEIR'], PLACE['SEC-KHAN']] } }, /^location/],
    [{ location: pt([34.38]) }, /^location/],
    [{ location: { type: 'Point', coordinates: [200, 31.4] } }, /^location/],
    [{ parties: [{ party: 'GRP-NOPE', role: 'perpetrator' }] }, 'parties[0].party'],
    [{ parties: [{ party: 'IDF', role: 'target' }, { party: 'Hamas', role: 'perpetrator' }] }, 'parties[1].party'],
    [{ parties: [{ party: 'IDF', role: 'victim' }] }, 'parties[0].role'],
    [{ casualties: { killed: { civilian: -1 } } }, 'casualties.killed.civilian'],
    [{ casualties: { injured: { isf: 100001 } } }, 'casualties.injured.isf'],
    [{ casualties: { killed: { civilian: 1.5 } } }, 'casualties.killed.civilian'],
    [{ casualties: { killed: { civilian: '2' } } }, 'casualties.killed.civilian'],
    [{ casualties: { killed: { children: 2 } } }, /^casualties\.killed/],
    [src({ reliability: 'G' }), 'sources[0].reliability'],
    [src({ reliability: 'b' }), 'sources[0].reliability'],
    [src({ credibility: '7' }), 'sources[0].credibility'],
    [src({ credibility: 2 }), 'sources[0].credibility'],
    [src({ kind: 'rumour' }), 'sources[0].kind'],
    [src({ name: undefined }), 'sources[0].name'],
    [{ links: { operations: ['OPN-999999'] } }, 'links.operations[0]'],
    [{ links: { consignments: ['CSG-999999'] } }, 'links.consignments[0]'],
    [{ links: { movements: ['MOV-999999'] } }, 'links.movements[0]'],
    [{ links: { tasks: ['TSK-999999'] } }, 'links.tasks[0]'],
    [{ links: { operations: [opn, 'OPN-999999'] } }, 'links.operations[1]'],
    [{ colour: 'red' }, 'colour'],
  ];
  for (const [over, field] of cases) {
    const body = { ...incidentBody(), ...over };
    if (over.sources && over.sources[0].name === undefined) delete body.sources[0].name;
    await refused(server, () => c.report('cmcc.watch', body), { status: 400, field, what: `report ${JSON.stringify(over).slice(0, 120)}` });
  }
});

test('report: a link to an operation the reporter may not see is refused with the same message as a missing one', async () => {
  const opn = await operation(); // seen by the CMCC and the IDF liaison only
  const n = Number(opn.slice(4));
  const missing = `OPN-${n + 5000}`;
  for (const u of ['isf.aze', 'isf.hq']) {
    const a = await refused(server, () => c.report(u, incidentBody({ links: { operations: [opn] } })), { status: 400, field: 'links.operations[0]', what: `${u} links ${opn}` });
    const b = await refused(server, () => c.report(u, incidentBody({ links: { operations: [missing] } })), { status: 400, field: 'links.operations[0]', what: `${u} links ${missing}` });
    assert.equal(a.text.split(opn).join('OPN-X'), b.text.split(missing).join('OPN-X'), `${u}: the refusal does not tell an invisible operation from a missing one`);
  }
  // The liaison, who notified it, may link it (the refusal above is about visibility).
  await c.reportOk('idf.liaison', incidentBody({ links: { operations: [opn] } }));
});

test('report: only reporting roles; humanitarian, training, DDR and leadership accounts get 403', async () => {
  for (const u of ['ocha.focal', 'wfp.focal', 'ngo.focal', 'trainer', 'ddr.officer', 'board.chair']) {
    await refused(server, () => c.report(u, incidentBody()), { status: 403, what: `${u} reports` });
  }
  const r = await fetch(`${server.base}/api/v1/incidents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(incidentBody()) });
  assert.equal(r.status, 401);
});

// ------------------------------------------------------------------ life cycle
const ACTIONS = {
  review: { from: ['reported'], to: 'under_review', body: { note: 'taking it' } },
  confirm: { from: ['under_review'], to: 'confirmed', body: { attribution: ['GRP-PIJ'], confidence: 'high', note: 'two sources' } },
  unconfirm: { from: ['under_review'], to: 'unconfirmed', body: { note: 'single source' } },
  refute: { from: ['under_review'], to: 'refuted', body: { note: 'footage from 2023' } },
  reopen: { from: ['confirmed', 'unconfirmed', 'refuted'], to: 'under_review', body: { note: 'new footage' } },
};

// An incident in status s (merged: merged into a fresh one).
async function inStatus(s) {
  const id = (await c.reportOk('isf.aze', incidentBody())).body.id;
  if (s === 'merged') {
    const into = (await c.reportOk('cmcc.watch', incidentBody())).body.id;
    await c.actOk('cmcc.watch', id, 'merge', { into });
  } else await c.walk(id, s);
  assert.equal((await c.getOk('cmcc.watch', id)).status, s);
  return id;
}

test('life cycle: each allowed transition works with its receipt and history entry; every other is 409 field "status", nothing written', async () => {
  for (const from of STATUSES) {
    const id = await inStatus(from);
    for (const [action, a] of Object.entries(ACTIONS)) {
      if (a.from.includes(from)) continue;
      await refused(server, () => c.act('cmcc.watch', id, action, a.body), { status: 409, field: 'status', what: `${action} from ${from}` });
    }
    // Merge: allowed from reported, under_review and unconfirmed only.
    if (!['reported', 'under_review', 'unconfirmed'].includes(from)) {
      const into = (await c.reportOk('cmcc.watch', incidentBody())).body.id;
      await refused(server, () => c.act('cmcc.watch', id, 'merge', { into }), { status: 409, field: 'status', what: `merge from ${from}` });
    }
    assert.equal((await c.getOk('cmcc.watch', id)).status, from, `${id} still ${from}`);
    // The allowed ones, each on its own incident.
    for (const [action, a] of Object.entries(ACTIONS)) {
      if (!a.from.includes(from)) continue;
      const id2 = await inStatus(from);
      const h0 = (await c.getOk('cmcc.watch', id2)).history.length;
      const r = await c.actOk('cmcc.cdr', id2, action, a.body);
      receiptOf(r, key, id2);
      const inc = await c.getOk('cmcc.watch', id2);
      assert.equal(inc.status, a.to, `${action} from ${from}`);
      assert.equal(inc.history.length, h0 + 1);
      const last = inc.history[inc.history.length - 1];
      assert.equal(last.status, a.to);
      assert.equal(last.by, 'cmcc.cdr');
      assert.equal(last.note, a.body.note);
      assert.equal(last.seq, JSON.parse(r.body.receipt.event).seq);
      if (action === 'confirm') {
        assert.deepEqual(inc.attribution, ['GRP-PIJ']);
        assert.equal(inc.confidence, 'high');
      }
    }
  }
});

test('life cycle: confirm needs attribution and confidence; refute, reopen and unconfirm need a note; bad values named', async () => {
  const id = await inStatus('under_review');
  const bad = [
    ['confirm', { confidence: 'high' }, 'attribution'],
    ['confirm', { attribution: ['GRP-PIJ'] }, 'confidence'],
    ['confirm', { attribution: ['GRP-PIJ'], confidence: 'certain' }, 'confidence'],
    ['confirm', { attribution: ['GRP-NOPE'], confidence: 'high' }, 'attribution[0]'],
    ['confirm', { attribution: 'GRP-PIJ', confidence: 'high' }, 'attribution'],
    ['unconfirm', {}, 'note'],
    ['unconfirm', { note: 'x', confidence: 'sure' }, 'confidence'],
    ['refute', {}, 'note'],
    ['refute', { note: '' }, 'note'],
  ];
  const failures = [];
  for (const [action, body, field] of bad) {
    try {
      await refused(server, () => c.act('cmcc.watch', id, action, body), { status: 400, field, what: `${action} ${JSON.stringify(body)}` });
    } catch (err) { failures.push(err.message.split('\n')[0].slice(0, 200)); }
    // A wrongly accepted one moved the incident on: put it back under review for the next case.
    const st = (await c.getOk('cmcc.watch', id)).status;
    if (st !== 'under_review') await c.actOk('cmcc.watch', id, 'reopen', { note: 'back for the next case' });
  }
  // UNKNOWN is an acceptable attribution.
  const r = await c.actOk('cmcc.watch', id, 'confirm', { attribution: ['UNKNOWN'], confidence: 'low' });
  assert.deepEqual(r.body.incident?.attribution ?? (await c.getOk('cmcc.watch', id)).attribution, ['UNKNOWN']);
  await refused(server, () => c.act('cmcc.watch', id, 'reopen', {}), { status: 400, field: 'note', what: 'reopen without a note' });
  // Unconfirm may set attribution and confidence.
  const id2 = await inStatus('under_review');
  await c.actOk('cmcc.watch', id2, 'unconfirm', { note: 'one source', attribution: ['GRP-CLANS'], confidence: 'low' });
  const i2 = await c.getOk('cmcc.watch', id2);
  assert.deepEqual(i2.attribution, ['GRP-CLANS']);
  assert.equal(i2.confidence, 'low');
  // An unknown incident: 404.
  const nf = await c.act('cmcc.watch', 'INC-999999', 'review', {});
  assert.equal(nf.status, 404, nf.text);
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('who may review: humanitarian, ISF, IDF, leadership, training and DDR accounts get 403 on every review action', async () => {
  const id = await inStatus('under_review');
  const conf = await inStatus('confirmed'); // visible to every account
  const into = await inStatus('reported');
  for (const u of ['ocha.focal', 'wfp.focal', 'ngo.focal', 'isf.hq', 'isf.aze', 'isf.egy', 'idf.liaison', 'board.chair', 'trainer', 'ddr.officer']) {
    await refused(server, () => c.act(u, id, 'confirm', ACTIONS.confirm.body), { status: 403, what: `${u} confirms` });
    await refused(server, () => c.act(u, id, 'refute', ACTIONS.refute.body), { status: 403, what: `${u} refutes` });
    await refused(server, () => c.act(u, id, 'unconfirm', ACTIONS.unconfirm.body), { status: 403, what: `${u} unconfirms` });
    await refused(server, () => c.act(u, into, 'review', {}), { status: 403, what: `${u} reviews` });
    await refused(server, () => c.act(u, conf, 'reopen', ACTIONS.reopen.body), { status: 403, what: `${u} reopens` });
    await refused(server, () => c.act(u, into, 'merge', { into: id }), { status: 403, what: `${u} merges` });
  }
  assert.equal((await c.getOk('cmcc.watch', id)).status, 'under_review');
  assert.equal((await c.getOk('cmcc.watch', conf)).status, 'confirmed');
});

test('amend: the reporter while reported; the CMCC at any time but merged; others refused; bad values named; "amended" in the history', async () => {
  const body = incidentBody({ title: 'First title' });
  const r = await c.reportOk('isf.aze', body);
  const id = r.body.id;
  // The reporter amends while reported.
  const a1 = await c.actOk('isf.aze', id, 'amend', { title: 'Better title', casualties: { killed: { civilian: 1 } } });
  receiptOf(a1, key, id);
  let inc = await c.getOk('cmcc.watch', id);
  assert.equal(inc.title, 'Better title');
  assert.deepEqual(inc.casualties_total, { killed: 1, injured: 0 });
  assert.equal(inc.status, 'reported');
  assert.ok(inc.history.some((h) => Object.values(h).some((v) => typeof v === 'string' && /amended/.test(v))), `the history notes "amended": ${JSON.stringify(inc.history)}`);
  // Moving it changes the sector.
  await c.actOk('isf.aze', id, 'amend', { location: pt(PLACE['SEC-RAFAH']) });
  assert.equal((await c.getOk('isf.aze', id)).sector, 'SEC-RAFAH');
  // Bad values: 400 naming the field, nothing written.
  await refused(server, () => c.act('isf.aze', id, 'amend', { type: 'drive_by' }), { status: 400, field: 'type', what: 'amend type' });
  await refused(server, () => c.act('isf.aze', id, 'amend', { occurred_at: iso(Date.now() + H) }), { status: 400, field: 'occurred_at', what: 'amend occurred_at' });
  await refused(server, () => c.act('isf.aze', id, 'amend', { location: pt(FAR) }), { status: 400, field: /^location/, what: 'amend location' });
  await refused(server, () => c.act('isf.aze', id, 'amend', { sources: [{ kind: 'media', name: 'x', reliability: 'G', credibility: '1' }] }), { status: 400, field: 'sources[0].reliability', what: 'amend sources' });
  await refused(server, () => c.act('isf.aze', id, 'amend', { status: 'confirmed' }), { status: 400, what: 'amend the status' });
  // Another contingent, ISF HQ (not the reporter), a humanitarian: refused.
  await refused(server, () => c.act('isf.egy', id, 'amend', { title: 'x' }), { status: [403, 404], what: 'another contingent amends' });
  await refused(server, () => c.act('isf.hq', id, 'amend', { title: 'x' }), { status: 403, what: 'ISF HQ amends another\'s report' });
  await refused(server, () => c.act('ocha.focal', id, 'amend', { title: 'x' }), { status: [403, 404], what: 'a humanitarian amends' });
  // Under review: the reporter no longer may; the CMCC may.
  await c.walk(id, 'under_review');
  await refused(server, () => c.act('isf.aze', id, 'amend', { title: 'late' }), { status: [403, 409], what: 'the reporter amends under review' });
  await c.actOk('cmcc.watch', id, 'amend', { title: 'CMCC title' });
  // Confirmed: the CMCC may amend; it stays confirmed.
  await c.actOk('cmcc.watch', id, 'confirm', { attribution: ['GRP-PIJ'], confidence: 'medium' });
  const a3 = await c.actOk('cmcc.cdr', id, 'amend', { casualties: { killed: { civilian: 2 }, injured: { civilian: 3 } } });
  receiptOf(a3, key, id);
  inc = await c.getOk('ocha.focal', id);
  assert.equal(inc.status, 'confirmed');
  assert.equal(inc.title, 'CMCC title');
  assert.deepEqual(inc.casualties_total, { killed: 2, injured: 3 });
  await refused(server, () => c.act('isf.aze', id, 'amend', { title: 'late' }), { status: [403, 409], what: 'the reporter amends a confirmed report' });
  // Merged: nobody amends.
  const m = await inStatus('merged');
  await refused(server, () => c.act('cmcc.watch', m, 'amend', { title: 'x' }), { status: 409, what: 'the CMCC amends a merged report' });
});

// ------------------------------------------------------------------ merge
test('merge: neither report is lost; the survivor has the union of sources, parties and links and the larger of each casualty figure', async () => {
  const opn = await operation();
  const [csgA, csgB] = [await consignment('wfp.focal'), await consignment('ocha.focal', { commodity: 'medical' })];
  const aBody = incidentBody({
    title: 'Shots at a checkpoint (A)', type: 'armed_clash',
    parties: [{ party: 'GRP-PIJ', role: 'perpetrator' }],
    casualties: { killed: { civilian: 2, combatant: 0 }, injured: { civilian: 1, isf: 2 } },
    sources: [{ kind: 'isf_patrol', name: 'Patrol Alpha-7', reference: 'AZE log 31', reliability: 'B', credibility: '2' }],
    links: { consignments: [csgA] },
  });
  const bBody = incidentBody({
    title: 'Exchange of fire near checkpoint (B)', type: 'armed_clash',
    parties: [{ party: 'GRP-QASSAM', role: 'perpetrator' }, { party: 'IDF', role: 'target' }],
    casualties: { killed: { civilian: 1, combatant: 3 }, injured: { civilian: 5 } },
    sources: [{ kind: 'liaison', name: 'IDF liaison desk', reference: 'LO-55', reliability: 'C', credibility: '3' },
      { kind: 'media', name: 'Channel 9', reliability: 'D', credibility: '4' }],
    links: { consignments: [csgB], operations: [opn], movements: ['MOV-1'] },
  });
  const a = (await c.reportOk('isf.aze', aBody)).body.id;
  const b = (await c.reportOk('cmcc.watch', bBody)).body.id;
  await c.walk(b, 'under_review');
  const aBefore = await c.getOk('cmcc.watch', a);

  // Who may not: the reporter of A, ISF HQ, a humanitarian.
  for (const u of ['isf.aze', 'isf.hq', 'ocha.focal']) await refused(server, () => c.act(u, a, 'merge', { into: b }), { status: 403, what: `${u} merges` });
  // Bad targets: itself, missing, none.
  await refused(server, () => c.act('cmcc.watch', a, 'merge', { into: a }), { status: 409, what: 'merge into itself' });
  await refused(server, () => c.act('cmcc.watch', a, 'merge', {}), { status: 400, field: 'into', what: 'merge without into' });
  await refused(server, () => c.act('cmcc.watch', a, 'merge', { into: 'INC-999999' }), { status: [400, 404], field: 'into', what: 'merge into a missing incident' });

  const m = await c.actOk('cmcc.watch', a, 'merge', { into: b, note: 'same event' });
  const mev = receiptOf(m, key);
  const A = await c.getOk('cmcc.watch', a);
  const B = await c.getOk('cmcc.watch', b);
  assert.equal(A.status, 'merged');
  assert.equal(A.merged_into, b);
  assert.ok(A.history.some((h) => h.status === 'merged'), 'A\'s history has the merge');
  // The merge is recorded on both reports (the contract: "Both are events"), with the seq of a logged event.
  assert.ok(A.history.some((h) => h.seq === mev.seq), `A's history names the merge event ${mev.seq}`);
  assert.ok(B.history.length > 0 && B.history[B.history.length - 1].seq >= mev.seq, `B's history records the merge: ${JSON.stringify(B.history)}`);
  assert.deepEqual(B.merged_from, [a]);
  assert.equal(B.status, 'under_review', 'the survivor keeps its status');
  // A stays readable, with all it said.
  assert.equal(A.title, aBefore.title);
  assert.deepEqual(A.sources, aBefore.sources);
  assert.deepEqual(A.parties, aBefore.parties);
  assert.deepEqual(casualtyFull(A.casualties), casualtyFull(aBody.casualties));
  // B: the union of the sources, parties and links.
  const srcKey = (s) => `${s.kind}|${s.name}|${s.reference ?? ''}|${s.reliability}|${s.credibility}`;
  const wantSources = [...aBody.sources, ...bBody.sources].map(srcKey).sort();
  assert.deepEqual(B.sources.map(srcKey).sort(), wantSources);
  assert.deepEqual(B.parties.map((p) => `${p.party}/${p.role}`).sort(), ['GRP-PIJ/perpetrator', 'GRP-QASSAM/perpetrator', 'IDF/target']);
  assert.deepEqual([...B.links.consignments].sort(), [csgA, csgB].sort());
  assert.deepEqual(B.links.operations, [opn]);
  assert.deepEqual(B.links.movements, ['MOV-1']);
  // The larger of each figure.
  const want = casualtyMax(aBody.casualties, bBody.casualties);
  assert.deepEqual(casualtyFull(B.casualties), want);
  assert.deepEqual(B.casualties_total, casualtyTotals(want)); // killed 2+3, injured 5+2
  assert.deepEqual(B.casualties_total, { killed: 5, injured: 7 });
  // The list leaves A out, unless status=merged.
  const list = await c.listAll('cmcc.watch');
  assert.ok(!list.some((x) => x.id === a), 'a merged report is not in the list');
  assert.ok(list.some((x) => x.id === b));
  const merged = await c.listAll('cmcc.watch', '?status=merged');
  assert.ok(merged.some((x) => x.id === a), 'status=merged lists it');
  assert.ok(merged.every((x) => x.status === 'merged'));

  // Merging a merged one again, into a merged one, into a refuted one: 409.
  const d = (await c.reportOk('cmcc.watch', incidentBody())).body.id;
  await refused(server, () => c.act('cmcc.watch', a, 'merge', { into: b }), { status: 409, what: 'merge a merged report again' });
  await refused(server, () => c.act('cmcc.watch', d, 'merge', { into: a }), { status: 409, what: 'merge into a merged report' });
  const ref = await inStatus('refuted');
  await refused(server, () => c.act('cmcc.watch', d, 'merge', { into: ref }), { status: 409, what: 'merge into a refuted report' });
  // Into a confirmed one is fine; an unconfirmed one may be merged.
  const u = await inStatus('unconfirmed');
  const conf = await inStatus('confirmed');
  await c.actOk('cmcc.watch', u, 'merge', { into: conf });
  const C = await c.getOk('cmcc.watch', conf);
  assert.deepEqual(C.merged_from, [u]);
  assert.equal(C.status, 'confirmed');
  // A chain: B (holding A) merged into E; E holds both.
  const e = (await c.reportOk('cmcc.watch', incidentBody({ casualties: {} }))).body.id;
  await c.actOk('cmcc.watch', b, 'merge', { into: e });
  const E = await c.getOk('cmcc.watch', e);
  assert.deepEqual(E.merged_from, [b]);
  assert.deepEqual(E.casualties_total, { killed: 5, injured: 7 });
  assert.deepEqual(E.sources.map(srcKey).sort().filter((s) => wantSources.includes(s)), wantSources, 'nothing of A or B is lost two merges on');
  // Confirmed, the survivor is seen by everyone: the merged-in sources keep their identities to the CMCC.
  await c.walk(e, 'confirmed', { attribution: ['GRP-QASSAM'] });
  for (const u of ['ocha.focal', 'isf.egy', 'board.chair']) {
    const r = await c.get(u, e);
    assert.equal(r.status, 200);
    for (const secret of ['Patrol Alpha-7', 'AZE log 31', 'IDF liaison desk', 'LO-55', 'Channel 9']) assert.ok(!r.text.includes(secret), `${u} GET ${e}: ${secret}`);
    assert.equal((r.body.incident || r.body).sources.length, E.sources.length);
  }
});

test('list: newest first by occurred_at, filters by status, type, sector, party, since and until; bad filters named', async () => {
  const base = Date.parse('2026-09-01T10:00:00Z');
  const mine = [];
  const spec = [['SEC-NORTH', 'line_crossing', 'IDF', 0], ['SEC-GAZA', 'strike', 'GRP-PIJ', 1], ['SEC-NORTH', 'strike', 'GRP-CLANS', 2], ['SEC-RAFAH', 'weapons_seizure', 'GRP-OTHER', 3]];
  for (const [sector, type, party, k] of spec) {
    const r = await c.reportOk('cmcc.watch', incidentBody({ type, location: pt(jitter(PLACE[sector], k)), occurred_at: iso(base + k * 3 * H), parties: [{ party, role: 'perpetrator' }] }));
    mine.push({ id: r.body.id, sector, type, party, at: base + k * 3 * H });
  }
  await c.walk(mine[1].id, 'confirmed', { attribution: ['GRP-PIJ'] });
  const q = '?since=2026-09-01T00:00:00Z&until=2026-09-02T00:00:00Z';
  const all = await c.listAll('cmcc.watch', q);
  assert.deepEqual(all.filter((x) => mine.some((m) => m.id === x.id)).map((x) => x.id), [...mine].reverse().map((m) => m.id), 'newest first');
  for (let i = 1; i < all.length; i++) assert.ok(Date.parse(all[i - 1].occurred_at) >= Date.parse(all[i].occurred_at), 'ordered by occurred_at');
  const ids = async (qq) => (await c.listAll('cmcc.watch', `${q}&${qq}`)).map((x) => x.id).filter((id) => mine.some((m) => m.id === id)).sort();
  const want = (f) => mine.filter(f).map((m) => m.id).sort();
  assert.deepEqual(await ids('sector=SEC-NORTH'), want((m) => m.sector === 'SEC-NORTH'));
  assert.deepEqual(await ids('type=strike'), want((m) => m.type === 'strike'));
  assert.deepEqual(await ids('party=GRP-CLANS'), want((m) => m.party === 'GRP-CLANS'));
  assert.deepEqual(await ids('status=confirmed'), [mine[1].id]);
  assert.deepEqual(await ids('status=reported'), want((m) => m !== mine[1]));
  // since/until as dates (on occurred_at).
  const byDate = await c.listAll('cmcc.watch', `?since=2026-09-01&until=2026-09-01&type=weapons_seizure`);
  assert.ok(byDate.some((x) => x.id === mine[3].id));
  // limit and cursor walk every one once.
  const pages = [];
  let cursor = null;
  for (let g = 0; g < 20; g++) {
    const r = await c.as('cmcc.watch').get(`/api/v1/incidents${q}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.incidents.length <= 1);
    pages.push(...r.body.incidents.map((x) => x.id));
    if (!r.body.next) break;
    cursor = r.body.next;
  }
  assert.deepEqual(pages, all.map((x) => x.id));
  for (const [qq, field] of [['status=lost', 'status'], ['type=drive_by', 'type'], ['sector=SEC-MARS', 'sector'], ['party=GRP-NOPE', 'party'],
    ['since=last-week', 'since'], ['until=2026-13-01', 'until'], ['limit=0', 'limit'], ['limit=1001', 'limit'], ['format=kml', 'format']]) {
    const r = await c.as('cmcc.watch').get(`/api/v1/incidents?${qq}`);
    assert.equal(r.status, 400, `?${qq}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.body.error.field, field, `?${qq}: ${r.text.slice(0, 200)}`);
  }
});

test('an unknown incident is 404 on every route', async () => {
  for (const path of ['/api/v1/incidents/INC-999999']) {
    const r = await c.as('cmcc.watch').get(path);
    assert.equal(r.status, 404, r.text);
  }
  for (const a of ['review', 'confirm', 'unconfirm', 'refute', 'reopen', 'amend', 'merge']) {
    const r = await c.act('cmcc.watch', 'INC-999999', a, { ...(ACTIONS[a]?.body || {}), ...(a === 'merge' ? { into: 'INC-1' } : {}) });
    assert.equal(r.status, 404, `${a}: ${r.text}`);
  }
});

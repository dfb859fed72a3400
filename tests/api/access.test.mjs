// Access (issue 2, item 5): ONE table states, for every Gaza exercise role,
// which routes it may reach and which labelled records it may see; the tests
// check every cell, the denials included, through every read path: the
// journal list, inclusion proofs, the raw log and the event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, assertError, logSize, openStream, maySee } from './lib.mjs';

// ---------------------------------------------------------------- the table
// The exercise accounts, one per role, with the organisation each belongs to.
const ACCOUNTS = [
  //  username        role              org
  ['admin',         'admin',          'CMCC'],
  ['cmcc.watch',    'cmcc_watch',     'CMCC'],
  ['cmcc.cdr',      'cmcc_commander', 'CMCC'],
  ['idf.liaison',   'idf_liaison',    'IDF-LO'],
  ['isf.hq',        'isf_hq',         'ISF-HQ'],
  ['isf.aze',       'isf_contingent', 'ISF-AZE'],
  ['ocha.focal',    'humanitarian',   'UN-OCHA'],
  ['trainer',       'trainer',        'OSC'],
  ['ddr.officer',   'ddr_officer',    'DDR-CELL'],
  ['board.chair',   'leadership',     'BOP'],
];
const NAMES = ACCOUNTS.map((a) => a[0]);

// Routes: Y = allowed (2xx), - = 403 forbidden. Columns in ACCOUNTS order:
//                                              adm wat cdr idf isf aze och trn ddr brd   no session
const ROUTES = [
  ['GET /api/v1/me',                            'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/mission',                       'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 200],
  ['GET /api/v1/org',                           'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/geo',                           'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/log/head',                      'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 200],
  ['GET /api/v1/log/key',                       'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 200],
  ['GET /api/v1/log/proof/1',                   'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/log/consistency?from=1',        'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/stream',                        'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['POST /api/v1/users/{self}/password',        'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
  ['GET /api/v1/journal',                       'Y   Y   Y   Y   Y   Y   -   -   -   Y', 401],
  ['POST /api/v1/journal',                      '-   Y   Y   Y   Y   -   -   -   -   -', 401],
  ['GET /api/v1/log/events',                    'Y   -   Y   -   -   -   -   -   -   Y', 401],
  ['GET /api/v1/admin/state-digest',            'Y   -   Y   -   -   -   -   -   -   Y', 401],
  ['GET /api/v1/users',                         'Y   -   -   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/users',                        'Y   -   -   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/users/{other}/disable',        'Y   -   -   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/users/{other}/enable',         'Y   -   -   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/users/{other}/password',       'Y   -   -   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/org/organisations',            'Y   -   Y   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/org/positions',                'Y   -   Y   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/org/persons',                  'Y   -   Y   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/org/positions/{id}/holder',    'Y   -   Y   -   -   -   -   -   -   -', 401],
  ['POST /api/v1/org/positions/{id}/reports_to','Y   -   Y   -   -   -   -   -   -   -', 401],
  ['DELETE /api/v1/session',                    'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y', 401],
];

// Labelled journal records: who writes them, with which labels (the author's
// own organisation is always added), and who may see them. Same columns.
//            key    author          labels                                  adm wat cdr idf isf aze och trn ddr brd
const RECORDS = [
  ['cmcc',    'cmcc.watch',   undefined,                                   'Y   Y   Y   -   -   -   -   -   -   -'],
  ['all',     'cmcc.watch',   ['all'],                                     'Y   Y   Y   Y   Y   Y   Y   Y   Y   Y'],
  ['idf+',    'cmcc.watch',   ['org:IDF-LO'],                              'Y   Y   Y   Y   -   -   -   -   -   -'],
  ['hum',     'cmcc.watch',   ['role:humanitarian'],                       'Y   Y   Y   -   -   -   Y   -   -   -'],
  ['chair',   'cmcc.watch',   ['user:board.chair'],                        'Y   Y   Y   -   -   -   -   -   -   Y'],
  ['bop+hq',  'cmcc.watch',   ['org:BOP', 'role:isf_hq'],                  'Y   Y   Y   -   Y   -   -   -   -   Y'],
  ['idf',     'idf.liaison',  ['org:IDF-LO'],                              '-   -   -   Y   -   -   -   -   -   -'],
  ['cdr',     'idf.liaison',  ['role:cmcc_commander'],                     '-   -   Y   Y   -   -   -   -   -   -'],
  ['trn',     'idf.liaison',  ['user:trainer'],                            '-   -   -   Y   -   -   -   Y   -   -'],
  ['cont',    'isf.hq',       ['role:isf_contingent'],                     '-   -   -   -   Y   Y   -   -   -   -'],
  ['ddr',     'isf.hq',       ['role:ddr_officer'],                        '-   -   -   -   Y   -   -   -   Y   -'],
  ['lead',    'isf.hq',       ['role:leadership', 'user:isf.aze'],         '-   -   -   -   Y   Y   -   -   -   Y'],
];
// ------------------------------------------------------------ end of table

const cells = (row) => row.trim().split(/\s+/).map((c) => c === 'Y');
const labelsOf = ([u, role, org]) => ['all', `org:${org}`, `role:${role}`, `user:${u}`];

let server, tokens = {};
before(async () => {
  server = await boot();
  for (const u of NAMES) tokens[u] = (await server.login(u)).token;
});
after(() => shutdown(server));

test('the table matches the scenario: every account has the role and organisation the table assumes', async () => {
  for (const acct of ACCOUNTS) {
    const [u, role, org] = acct;
    const me = await server.api('GET', '/api/v1/me', { token: tokens[u] });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.roles, [role], `${u}'s roles`);
    assert.equal(me.body.org, org, `${u}'s organisation`);
    assert.deepEqual([...me.body.labels].sort(), labelsOf(acct).sort(), `${u}'s labels`);
  }
  for (const [r] of ROUTES) assert.ok(/^(GET|POST|DELETE) \//.test(r));
  for (const row of [...ROUTES.map((r) => r[1]), ...RECORDS.map((r) => r[3])]) assert.equal(cells(row).length, ACCOUNTS.length);
});

test('labelled records: journal list, proofs, raw log and stream (live and resumed) agree with the table for every account', async () => {
  const s0 = await logSize(server);
  // Live streams for everyone, opened before the writes.
  const streams = {};
  for (const u of NAMES) {
    streams[u] = await openStream(server.base, { token: tokens[u] });
    assert.equal(streams[u].status, 200, `${u}'s stream`);
  }
  const written = [];
  for (const [key, author, labels, row] of RECORDS) {
    const body = { text: `record ${key}` };
    if (labels) body.labels = labels;
    const r = await server.api('POST', '/api/v1/journal', { token: tokens[author], body });
    assert.equal(r.status, 201, `${key}: ${r.text}`);
    written.push({ key, id: r.body.id, seq: r.body.seq, see: cells(row), labels: r.body.entry.labels });
  }
  // A sentinel everyone sees closes the batch on every stream.
  const sentinel = await server.api('POST', '/api/v1/journal', { token: tokens['cmcc.watch'], body: { text: 'sentinel', labels: ['all'] } });
  assert.equal(sentinel.status, 201);
  const bySeq = new Map(written.map((w) => [w.seq, w]));
  const ids = new Map(written.map((w) => [w.id, w]));

  const failures = [];
  const expect = (cond, msg) => { if (!cond) failures.push(msg); };
  for (const [i, acct] of ACCOUNTS.entries()) {
    const [u] = acct;
    const mine = labelsOf(acct);
    const want = new Set(written.filter((w) => w.see[i]).map((w) => w.key));
    const token = tokens[u];
    const canRead = cells(ROUTES.find((r) => r[0] === 'GET /api/v1/journal')[1])[i];
    const audit = cells(ROUTES.find((r) => r[0] === 'GET /api/v1/log/events')[1])[i];

    // 1. The journal list.
    const list = await server.api('GET', '/api/v1/journal?limit=500', { token });
    if (canRead) {
      expect(list.status === 200, `${u}: journal list ${list.status}`);
      const got = new Set((list.body?.entries || []).filter((e) => ids.has(e.id)).map((e) => ids.get(e.id).key));
      expect(eq(got, want), `${u}: journal list shows [${[...got]}], the table says [${[...want]}]`);
      for (const e of list.body?.entries || []) expect(maySee(mine, e.labels), `${u}: journal list shows ${e.id} labelled ${e.labels}`);
    } else {
      expect(list.status === 403, `${u}: journal list should be 403, got ${list.status}`);
    }

    // 2. Inclusion proofs: 200 when visible, 404 (as if missing) when not.
    for (const w of written) {
      const p = await server.api('GET', `/api/v1/log/proof/${w.seq}`, { token });
      if (w.see[i]) expect(p.status === 200 && JSON.parse(p.body.event).subject === w.id, `${u}: proof of ${w.key} should be 200, got ${p.status}`);
      else expect(p.status === 404 && p.body?.error?.code === 'not_found', `${u}: proof of ${w.key} should be 404, got ${p.status} ${p.text.slice(0, 200)}`);
    }

    // 3. The raw log, for audit roles; filtered by labels.
    const ev = await server.api('GET', `/api/v1/log/events?after=${s0}&limit=1000`, { token });
    if (audit) {
      expect(ev.status === 200, `${u}: log/events ${ev.status}`);
      const got = new Set((ev.body?.events || []).filter((e) => bySeq.has(e.seq)).map((e) => bySeq.get(e.seq).key));
      expect(eq(got, want), `${u}: log/events shows [${[...got]}], the table says [${[...want]}]`);
      for (const e of ev.body?.events || []) expect(maySee(mine, e.labels), `${u}: log/events shows event ${e.seq} labelled ${e.labels}`);
    } else {
      expect(ev.status === 403, `${u}: log/events should be 403, got ${ev.status}`);
    }

    // 4. The live stream.
    const st = streams[u];
    try {
      await st.waitFor((e) => Number(e.id) === sentinel.body.seq, 5000);
    } catch (err) {
      failures.push(`${u}: live stream: ${err.message}`);
    }
    checkStream(u, mine, st.events, want, bySeq, expect, 'live stream');
    st.close();

    // 5. The stream resumed from before the writes (Last-Event-ID).
    const rs = await openStream(server.base, { token, lastEventId: s0 });
    try {
      await rs.waitFor((e) => Number(e.id) === sentinel.body.seq, 5000);
    } catch (err) {
      failures.push(`${u}: resumed stream: ${err.message}`);
    }
    checkStream(u, mine, rs.events, want, bySeq, expect, 'resumed stream');
    rs.close();
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

function checkStream(u, mine, events, want, bySeq, expect, what) {
  const got = new Set();
  const seen = new Set();
  for (const e of events) {
    let ev;
    try { ev = JSON.parse(e.data); } catch { expect(false, `${u}: ${what}: data is not JSON`); continue; }
    expect(String(ev.seq) === e.id, `${u}: ${what}: id ${e.id} is not the event seq ${ev.seq}`);
    expect(ev.kind === e.event, `${u}: ${what}: event name ${e.event} is not the kind ${ev.kind}`);
    expect(!seen.has(ev.seq), `${u}: ${what}: event ${ev.seq} arrived twice`);
    seen.add(ev.seq);
    expect(maySee(mine, ev.labels), `${u}: ${what}: got event ${ev.seq} labelled ${ev.labels}`);
    if (bySeq.has(ev.seq)) got.add(bySeq.get(ev.seq).key);
  }
  expect(eq(got, want), `${u}: ${what} delivered [${[...got]}], the table says [${[...want]}]`);
}

const eq = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));

// Builds the request of a route for the account at column i.
function requestFor(route, u, i) {
  const [m, pathq] = route.split(' ');
  const tag = u.replace(/\./g, '-').toUpperCase();
  const other = 'ngo.focal';
  const path = pathq.replace('{self}', u).replace('{other}', other).replace('{id}', `POS-ACC-${tag}`);
  let body;
  switch (route) {
    case 'POST /api/v1/users/{self}/password': { const pw = server.creds[u]?.password ?? 'anonymous-password'; body = { password: pw, current: pw }; break; }
    case 'POST /api/v1/users/{other}/password': body = { password: server.creds[other].password }; break;
    case 'POST /api/v1/journal': body = { text: `route check by ${u}`, labels: [`user:${u}`] }; break;
    case 'POST /api/v1/users': body = { username: `acc.${i}.user`, name: 'Access test', org: 'CMCC', roles: ['cmcc_watch'], password: 'access-test-password' }; break;
    case 'POST /api/v1/org/organisations': body = { id: `ORG-ACC-${tag}`, kind: 'humanitarian', name: { en: `Test org ${u}`, ar: 'منظمة' } }; break;
    case 'POST /api/v1/org/positions': body = { id: `POS-ACC-${tag}`, org: 'CMCC', title: { en: 'Test position', ar: 'منصب' }, reports_to: ['POS-CMCC-CDR'] }; break;
    case 'POST /api/v1/org/persons': body = { id: `PER-ACC-${tag}`, name: `Person ${u}` }; break;
    case 'POST /api/v1/org/positions/{id}/holder': body = { person: `PER-ACC-${tag}` }; break;
    case 'POST /api/v1/org/positions/{id}/reports_to': body = { reports_to: ['POS-CMCC-CDR', 'POS-USSC'] }; break;
    default: body = undefined;
  }
  return { m, path, body };
}

test('routes: every account reaches exactly the routes the table allows (2xx) and gets 403 forbidden elsewhere; no session: 401', async () => {
  const failures = [];
  for (const [route, row, anon] of ROUTES) {
    const allowed = cells(row);
    for (const [i, [u]] of ACCOUNTS.entries()) {
      const { m, path, body } = requestFor(route, u, i);
      const size = await logSize(server);
      let status, text, res;
      if (route === 'GET /api/v1/stream') {
        const s = await openStream(server.base, { token: tokens[u] });
        status = s.status; text = s.text; s.close();
      } else {
        res = await server.api(m, path, { token: tokens[u], body });
        status = res.status; text = res.text;
      }
      if (allowed[i]) {
        if (status < 200 || status > 299) failures.push(`${u}: ${route} should be allowed, got ${status} ${text.slice(0, 200)}`);
        else if (m === 'POST' && !res.body?.receipt) failures.push(`${u}: ${route} answered without a receipt`);
      } else {
        if (status !== 403 || res?.body?.error?.code !== 'forbidden') failures.push(`${u}: ${route} should be 403 forbidden, got ${status} ${text.slice(0, 200)}`);
        if (await logSize(server) !== size) failures.push(`${u}: ${route} was refused but wrote to the log`);
      }
    }
    // Without a session.
    const { m, path, body } = requestFor(route, 'anonymous', 99);
    if (route === 'GET /api/v1/stream') {
      const s = await openStream(server.base, {});
      if (s.status !== anon) failures.push(`no session: ${route} should be ${anon}, got ${s.status}`);
      s.close();
    } else {
      const res = await server.api(m, path, { body });
      if (res.status !== anon) failures.push(`no session: ${route} should be ${anon}, got ${res.status} ${res.text.slice(0, 200)}`);
      if (anon === 401) {
        try { assertError(res, 401, 'unauthenticated'); } catch (e) { failures.push(`no session: ${route}: ${e.message}`); }
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  // Every session was ended by the last row.
  for (const u of NAMES) assert.equal((await server.api('GET', '/api/v1/me', { token: tokens[u] })).status, 401, `${u}'s session ended`);
});

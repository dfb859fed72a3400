// API conventions (issue 2, item 7): /healthz, /metrics, the OpenAPI document
// and the route table cannot drift, the error shape for every 4xx, strict
// JSON, body size limits, and nothing written by any refused request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { boot, shutdown, assertError, logSize } from './lib.mjs';

let server, watch, ocha, cdr, admin;
before(async () => {
  server = await boot();
  watch = (await server.login('cmcc.watch')).token;
  ocha = (await server.login('ocha.focal')).token;
  cdr = (await server.login('cmcc.cdr')).token;
  admin = (await server.login('admin')).token;
});
after(() => shutdown(server));

// Runs fn (a refused request) and asserts that the log did not grow.
async function refused(fn) {
  const before = await logSize(server);
  const r = await fn();
  assert.equal(await logSize(server), before, `nothing written by a refused request (${r.status} ${r.text})`);
  return r;
}

const post = (path, body, token = watch, headers = {}) => server.api('POST', path, { token, body, headers });

test('GET /healthz answers ok with the log size', async () => {
  const r = await server.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.log_size, await logSize(server));
  assert.ok(r.body.log_size > 0, 'the scenario is in the log');
});

// Every route the lead's contract names; the OpenAPI document must list each.
const CONTRACT_ROUTES = [
  'GET /healthz', 'GET /metrics', 'GET /api/v1/openapi.json', 'GET /api/v1/mission',
  'POST /api/v1/session', 'DELETE /api/v1/session', 'GET /api/v1/me',
  'GET /api/v1/org', 'POST /api/v1/org/organisations', 'POST /api/v1/org/positions', 'POST /api/v1/org/persons',
  'POST /api/v1/org/positions/{id}/holder', 'POST /api/v1/org/positions/{id}/reports_to', 'GET /api/v1/geo',
  'GET /api/v1/journal', 'POST /api/v1/journal',
  'GET /api/v1/users', 'POST /api/v1/users', 'POST /api/v1/users/{username}/disable',
  'POST /api/v1/users/{username}/enable', 'POST /api/v1/users/{username}/password',
  'GET /api/v1/log/head', 'GET /api/v1/log/key', 'GET /api/v1/log/proof/{seq}', 'GET /api/v1/log/consistency',
  'GET /api/v1/log/events', 'GET /api/v1/stream', 'GET /api/v1/admin/state-digest',
];

function isGeneric404(r) {
  return r.status === 404 && /no such endpoint/i.test(r.body?.error?.message || '');
}

const fill = (path) => path.replace(/\{seq\}/g, '1').replace(/\{username\}/g, 'ocha.focal').replace(/\{id\}/g, 'POS-USSC')
  .replace(/\{[^}]+\}/g, 'x');

test('openapi.json is OpenAPI 3.1, lists every route of the contract, and every route it lists exists', async () => {
  const r = await server.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.body;
  assert.match(doc.openapi, /^3\.1(\.\d+)?$/, 'OpenAPI 3.1');
  assert.ok(doc.info?.title && doc.info?.version, 'info.title and info.version');
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(m)) continue;
      ops.push(`${m.toUpperCase()} ${path}`);
      assert.ok(op.responses && Object.keys(op.responses).length, `${m} ${path} documents its responses`);
      for (const p of path.match(/\{[^}]+\}/g) || []) {
        const name = p.slice(1, -1);
        assert.ok((op.parameters || []).some((x) => x.in === 'path' && x.name === name && x.required), `${m} ${path} documents path parameter ${name}`);
      }
    }
  }
  for (const c of CONTRACT_ROUTES) assert.ok(ops.includes(c), `the document lists ${c}`);

  // Every documented operation is routed: without a session it answers
  // something (200, 400, 401, 415 ...), never the generic 404 or a 405.
  const before = await logSize(server);
  for (const op of ops) {
    const [m, path] = op.split(' ');
    const res = await server.api(m, fill(path));
    assert.ok(!isGeneric404(res) && res.status !== 405, `${op} is routed (got ${res.status} ${res.text})`);
    assert.ok(res.status < 500, `${op}: ${res.status} ${res.text}`);
    // The document says which routes need a session; the server agrees.
    const secured = (doc.paths[path][m.toLowerCase()].security || []).length > 0;
    assert.equal(res.status === 401, secured, `${op}: documented ${secured ? 'with' : 'without'} security, answered ${res.status} without a session`);
  }
  // The journal's documented request body is the one the server enforces.
  const jb = doc.paths['/api/v1/journal'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(Object.keys(jb.properties).sort(), ['at', 'labels', 'sector', 'text']);
  assert.deepEqual(jb.required, ['text']);
  assert.equal(jb.additionalProperties, false);
  const sb = doc.paths['/api/v1/session'].post.requestBody.content['application/json'].schema;
  assert.deepEqual([...sb.required].sort(), ['password', 'username']);
  // ... and with a session, every documented GET (except the endless stream) too.
  for (const op of ops.filter((o) => o.startsWith('GET ') && !o.endsWith('/stream'))) {
    const res = await server.api('GET', fill(op.slice(4)), { token: admin });
    assert.ok(!isGeneric404(res) && res.status !== 405 && res.status < 500, `${op} with a session: ${res.status} ${res.text}`);
  }
  assert.equal(await logSize(server), before, 'probing the routes wrote nothing');

  // The other direction: every route the server counts in /metrics is documented.
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  const routed = new Set([...metrics.matchAll(/truce_http_requests_total\{method="([A-Z]+)",route="([^"]+)"/g)]
    .map((m) => `${m[1]} ${m[2]}`).filter((x) => x.split(' ')[1].startsWith('/')));
  assert.ok(routed.size >= 10, `metrics name the routes (${[...routed].join(', ')})`);
  for (const x of routed) assert.ok(ops.includes(x), `${x} (seen in /metrics) is in the OpenAPI document`);
});

test('an unknown /api path is a 404 with the error shape, for any method', async () => {
  for (const [m, p] of [['GET', '/api/v1/nope'], ['POST', '/api/v1/nope'], ['GET', '/api/v2/journal'],
    ['GET', '/api/v1/journal/extra'], ['GET', '/api/v1/log/proof/1/extra'], ['GET', '/api/v1/log/proof/'],
    ['DELETE', '/api/v1/users/admin'], ['GET', '/api/']]) {
    const r = await refused(() => server.api(m, p, { token: watch }));
    assertError(r, 404, 'not_found');
  }
});

test('the error shape for 400, 401, 403, 404, 405, 413 and 415', async () => {
  assertError(await refused(() => post('/api/v1/journal', '{"text":')), 400, 'bad_json');
  assertError(await refused(() => server.api('GET', '/api/v1/me')), 401, 'unauthenticated');
  assertError(await refused(() => server.api('GET', '/api/v1/me', { token: 'f'.repeat(64) })), 401, 'unauthenticated');
  assertError(await refused(() => server.api('GET', '/api/v1/me', { token: 'not-a-token' })), 401, 'unauthenticated');
  assertError(await refused(() => server.api('GET', '/api/v1/journal', { token: ocha })), 403, 'forbidden');
  assertError(await refused(() => post('/api/v1/journal', { text: 'x' }, ocha)), 403, 'forbidden');
  assertError(await refused(() => server.api('GET', '/api/v1/log/proof/999999', { token: watch })), 404, 'not_found');
  assertError(await refused(() => server.api('PUT', '/api/v1/journal', { token: watch, body: { text: 'x' } })), 405, 'method_not_allowed');
  assertError(await refused(() => server.api('DELETE', '/api/v1/journal', { token: watch })), 405, 'method_not_allowed');
  assertError(await refused(() => server.api('POST', '/api/v1/log/head', { token: watch, body: {} })), 405, 'method_not_allowed');
  assertError(await refused(() => post('/api/v1/journal', { text: 'x'.repeat(20000) })), 413, 'too_large');
  assertError(await refused(() => post('/api/v1/journal', JSON.stringify({ text: 'x' }), watch, { 'Content-Type': 'text/plain' })), 415, 'unsupported_media_type');
  assertError(await refused(() => server.api('POST', '/api/v1/journal', { token: watch, body: '{"text":"x"}', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })), 415);
  const noType = await refused(() => fetch(`${server.base}/api/v1/journal`, { method: 'POST', headers: { Authorization: `Bearer ${watch}` }, body: new Uint8Array(Buffer.from('{"text":"x"}')) })
    .then(async (x) => { const text = await x.text(); return { status: x.status, text, body: JSON.parse(text), headers: x.headers }; }));
  assertError(noType, 415, 'unsupported_media_type');
});

test('strict JSON: unknown fields, wrong types, out-of-range values, malformed JSON, duplicate keys; nothing written', async () => {
  const J = '/api/v1/journal';
  assertError(await refused(() => post(J, { text: 'x', bogus: 1 })), 400, 'unknown_field', 'bogus');
  assertError(await refused(() => post(J, { text: 'x', Text: 'y' })), 400, 'unknown_field', 'Text');
  assertError(await refused(() => post(J, { text: 5 })), 400, 'bad_type', 'text');
  assertError(await refused(() => post(J, { text: ['x'] })), 400, 'bad_type', 'text');
  assertError(await refused(() => post(J, { text: 'x', labels: 'all' })), 400, 'bad_type', 'labels');
  assertError(await refused(() => post(J, { text: 'x', at: 12345 })), 400, 'bad_type', 'at');
  assertError(await refused(() => post(J, { text: 'x', sector: 7 })), 400, 'bad_type', 'sector');
  assertError(await refused(() => post(J, {})), 400, 'missing_field', 'text');
  assertError(await refused(() => post(J, { text: '' })), 400, 'out_of_range', 'text');
  assertError(await refused(() => post(J, { text: 'x'.repeat(4001) })), 400, 'out_of_range', 'text');
  assertError(await refused(() => post(J, { text: 'x', labels: Array.from({ length: 40 }, (_, i) => `user:u${i}`) })), 400, undefined, 'labels');
  assertError(await refused(() => post(J, { text: 'x', at: 'yesterday' })), 400, undefined, 'at');
  assertError(await refused(() => post(J, { text: 'a\u0000b' })), 400);
  for (const bad of ['{"text":', '{"text":"x",}', "{'text':'x'}", '{"text":"x"} {}', '', 'null', '{"text":"x"}garbage', '{"text":NaN}']) {
    const r = await refused(() => post(J, bad));
    assertError(r, 400);
    assert.ok(['bad_json', 'bad_type', 'bad_request'].includes(r.body.error.code), `${JSON.stringify(bad)}: ${r.text}`);
  }
  assertError(await refused(() => post(J, '[{"text":"x"}]')), 400);
  assertError(await refused(() => post(J, '"x"')), 400);
  // Duplicate keys are refused (never "last one wins").
  const dup = await refused(() => post(J, '{"text":"first","text":"second"}'));
  assertError(dup, 400);
  // Invalid UTF-8 is refused.
  const badUtf8 = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
  const r = await refused(() => fetch(`${server.base}${J}`, { method: 'POST', headers: { Authorization: `Bearer ${watch}`, 'Content-Type': 'application/json' }, body: badUtf8 })
    .then(async (x) => { const text = await x.text(); return { status: x.status, text, body: JSON.parse(text), headers: x.headers }; }));
  assertError(r, 400, 'bad_json');
  // Nested objects are strict too: a third language in an i18n name.
  assertError(await refused(() => post('/api/v1/org/organisations', { id: 'ORG-STRICT', kind: 'humanitarian', name: { en: 'a', ar: 'ب', fr: 'c' } }, cdr)), 400, 'unknown_field', 'name.fr');
  assertError(await refused(() => post('/api/v1/org/organisations', { id: 'ORG-STRICT', kind: 'spaceship', name: { en: 'a', ar: 'ب' } }, cdr)), 400, undefined, 'kind');
  assertError(await refused(() => post('/api/v1/org/organisations', { id: 'ORG-STRICT', kind: 'humanitarian', name: { en: 'a' } }, cdr)), 400, 'missing_field', 'name.ar');
  // A body where the route takes none.
  assertError(await refused(() => post('/api/v1/users/ocha.focal/enable', { really: true }, admin)), 400);
  // Query parameters are checked too.
  assertError(await refused(() => server.api('GET', '/api/v1/journal?limit=0', { token: watch })), 400, 'out_of_range', 'limit');
  assertError(await refused(() => server.api('GET', '/api/v1/journal?limit=501', { token: watch })), 400, 'out_of_range', 'limit');
  assertError(await refused(() => server.api('GET', '/api/v1/journal?limit=ten', { token: watch })), 400, undefined, 'limit');
  assertError(await refused(() => server.api('GET', '/api/v1/log/events?after=-1', { token: cdr })), 400, undefined, 'after');
  assertError(await refused(() => server.api('GET', '/api/v1/log/proof/abc', { token: watch })), 400, undefined, 'seq');
  assertError(await refused(() => server.api('GET', '/api/v1/log/consistency', { token: watch })), 400, undefined, 'from');
  // A valid write still works afterwards (the refusals did not wedge anything).
  const ok = await post(J, { text: 'after the refusals' });
  assert.equal(ok.status, 201, ok.text);
});

// Sends a body with Transfer-Encoding: chunked (no Content-Length).
function chunked(path, token, chunks) {
  return new Promise((resolve, reject) => {
    const req = request(`${server.base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => { let body = null; try { body = JSON.parse(text); } catch { /* */ } resolve({ status: res.statusCode, text, body, headers: new Headers(res.headers) }); });
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test('body size limits: 16 KiB on the journal, 64 KiB elsewhere; 413 and nothing written', async () => {
  const J = '/api/v1/journal';
  // Just under the journal limit is read and judged on its content (400, not 413).
  const under = JSON.stringify({ text: 'x'.repeat(16000) });
  assert.ok(under.length < 16384);
  assertError(await refused(() => post(J, under)), 400, 'out_of_range', 'text');
  const over = JSON.stringify({ text: 'x'.repeat(16384) });
  assertError(await refused(() => post(J, over)), 413, 'too_large');
  // The same without Content-Length (chunked): the limit still holds.
  assertError(await refused(() => chunked(J, watch, ['{"text":"', 'y'.repeat(10000), 'y'.repeat(10000), '"}'])), 413, 'too_large');
  const small = await chunked(J, watch, ['{"text":"', 'chunked entry', '"}']);
  assert.equal(small.status, 201, small.text);

  // Elsewhere the limit is 64 KiB: 60 KiB is judged on content, 65 KiB is 413.
  const O = '/api/v1/org/organisations';
  const org60 = JSON.stringify({ id: 'ORG-BIG', kind: 'humanitarian', name: { en: 'a'.repeat(60000), ar: 'ب' } });
  assertError(await refused(() => post(O, org60, cdr)), 400, 'out_of_range', 'name.en');
  const org65 = JSON.stringify({ id: 'ORG-BIG', kind: 'humanitarian', name: { en: 'a'.repeat(65 * 1024), ar: 'ب' } });
  assertError(await refused(() => post(O, org65, cdr)), 413, 'too_large');
  assertError(await refused(() => chunked(O, cdr, Array.from({ length: 20 }, () => 'z'.repeat(4096)))), 413, 'too_large');
  // A huge body on a route that takes none is refused too.
  assertError(await refused(() => post('/api/v1/users/ocha.focal/enable', 'q'.repeat(70000), admin)), 413, 'too_large');
  // The server is fine afterwards.
  assert.equal((await server.api('GET', '/healthz')).status, 200);
});

test('/metrics is Prometheus text with requests by route, latency, log size, fsyncs and writer batches', async () => {
  await server.api('GET', '/api/v1/journal', { token: watch });
  await post('/api/v1/journal', { text: 'for the metrics' });
  const res = await fetch(`${server.base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const text = await res.text();
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? ([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$/);
    assert.ok(m, `a valid sample line: ${line}`);
    samples.set(m[1] + (m[2] || ''), Number(m[3]));
  }
  const has = (re) => [...samples.keys()].some((k) => re.test(k));
  assert.ok(has(/^truce_http_requests_total\{.*route="\/api\/v1\/journal".*\}$/), 'requests by route');
  assert.ok(has(/^truce_http_requests_total\{.*status="201".*\}$/), 'requests by status');
  assert.ok(has(/^truce_http_request_seconds_bucket\{le="\+Inf"\}$/), 'latency histogram');
  assert.ok(has(/^truce_http_request_seconds_bucket\{le="0\.\d+"\}$/), 'latency histogram buckets');
  assert.ok(has(/^truce_writer_batch_events_bucket\{le="1"\}$/), 'writer batch histogram');
  assert.ok(samples.has('truce_log_fsyncs_total') && samples.get('truce_log_fsyncs_total') >= 1, 'fsyncs');
  assert.equal(samples.get('truce_log_size'), await logSize(server), 'truce_log_size is the log size');
  // Histogram buckets are cumulative.
  const buckets = [...samples.entries()].filter(([k]) => k.startsWith('truce_http_request_seconds_bucket')).map(([, v]) => v);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], 'cumulative buckets');
});

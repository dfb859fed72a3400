// The watch journal (issue 2, item 6): newest first by `at`, backdated
// entries, cursor paging, filters by time and sector, and the refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, assertError, logSize, addEntry } from './lib.mjs';

let server, watch, idf, isfhq;
const H = 3600e3;
const iso = (ms) => new Date(ms).toISOString();
let T0; // a base time a day ago
const mine = new Map(); // id -> entry as written

before(async () => {
  server = await boot();
  watch = (await server.login('cmcc.watch')).token;
  idf = (await server.login('idf.liaison')).token;
  isfhq = (await server.login('isf.hq')).token;
  T0 = Date.now() - 24 * H;
  // Written out of order; `at` decides the order.
  const plan = [
    [watch, { text: 'J1 at T0+5h north', at: iso(T0 + 5 * H), sector: 'SEC-NORTH' }],
    [watch, { text: 'J2 at T0+1h rafah', at: iso(T0 + 1 * H), sector: 'SEC-RAFAH' }],
    [idf, { text: 'J3 at T0+3h, IDF only', at: iso(T0 + 3 * H), labels: ['org:IDF-LO'] }],
    [watch, { text: 'J4 at T0+3h north (same at as J3)', at: iso(T0 + 3 * H), sector: 'SEC-NORTH' }],
    [watch, { text: 'J5 now, no at' }],
    [watch, { text: 'J6 at T0+10h gaza for IDF too', at: iso(T0 + 10 * H), sector: 'SEC-GAZA', labels: ['org:IDF-LO'] }],
    [isfhq, { text: 'J7 at T0+2h, ISF and CMCC', at: iso(T0 + 2 * H), labels: ['org:CMCC'] }],
    [watch, { text: 'J8 at T0+3h again (ties by id)', at: iso(T0 + 3 * H) }],
    [watch, { text: 'J9 backdated two days', at: iso(T0 - 24 * H), sector: 'SEC-DEIR' }],
    [watch, { text: 'J10 at T0+3h with an offset', at: new Date(T0 + 3 * H).toISOString().replace('Z', '+00:00') }],
  ];
  for (let i = 0; i < 30; i++) plan.push([i % 3 ? watch : idf, { text: `bulk ${i}`, at: iso(T0 + (i % 7) * 1.5 * H + i * 1000), labels: i % 3 ? undefined : ['org:IDF-LO', 'org:CMCC'] }]);
  for (const [token, body] of plan) {
    const r = await addEntry(server, token, body);
    mine.set(r.id, r.entry);
  }
});
after(() => shutdown(server));

async function list(token, query = '') {
  const r = await server.api('GET', `/api/v1/journal${query}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

const num = (id) => Number(id.replace('JRN-', ''));
// The order the API promises: newest `at` first; ties: the later entry first.
const newestFirst = (a, b) => Date.parse(b.at) - Date.parse(a.at) || num(b.id) - num(a.id);

test('a written entry has its fields: id, text, at, sector, labels, author, org, recorded, seq', async () => {
  const r = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'fields check', sector: 'SEC-KHAN', labels: ['all'] } });
  assert.equal(r.status, 201, r.text);
  const e = r.body.entry;
  assert.match(r.body.id, /^JRN-\d+$/);
  assert.equal(e.id, r.body.id);
  assert.equal(e.seq, r.body.seq);
  assert.equal(e.text, 'fields check');
  assert.equal(e.sector, 'SEC-KHAN');
  assert.deepEqual([...e.labels].sort(), ['all', 'org:CMCC'], 'the author\'s organisation is always added');
  assert.equal(e.author, 'cmcc.watch');
  assert.equal(e.org, 'CMCC');
  assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 60e3, 'at defaults to now');
  assert.ok(Math.abs(Date.parse(e.recorded) - Date.now()) < 60e3);
  for (const t of [e.at, e.recorded]) assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'RFC 3339 UTC');
  mine.set(e.id, e);
  // Default labels: the CMCC.
  const d = await addEntry(server, watch, { text: 'default labels' });
  assert.deepEqual(d.entry.labels, ['org:CMCC']);
  mine.set(d.id, d.entry);
  // The IDF liaison's entry always carries its own organisation.
  const i = await addEntry(server, idf, { text: 'idf to humanitarians', labels: ['role:humanitarian'] });
  assert.deepEqual([...i.entry.labels].sort(), ['org:IDF-LO', 'role:humanitarian']);
  mine.set(i.id, i.entry);
});

test('newest first by `at`, not by when it was written; backdated entries take their place in time', async () => {
  const { entries } = await list(watch, '?limit=500');
  const sorted = [...entries].sort(newestFirst);
  assert.deepEqual(entries.map((e) => e.id), sorted.map((e) => e.id), 'ordered newest first by at, ties by id');
  const pos = (prefix) => entries.findIndex((e) => e.text.startsWith(prefix));
  assert.ok(pos('J5') < pos('J6') && pos('J6') < pos('J1') && pos('J1') < pos('J4') && pos('J4') < pos('J2') && pos('J2') < pos('J9'));
  assert.equal(pos('J3'), -1, 'the IDF-only entry is not shown to the CMCC');
  assert.equal(entries[entries.length - 1].text, 'J9 backdated two days', 'the backdated entry is the oldest');
  const j9 = entries.find((e) => e.text.startsWith('J9'));
  assert.equal(Date.parse(j9.at), T0 - 24 * H, 'at is kept as given');
  assert.ok(Date.parse(j9.recorded) > Date.parse(j9.at), 'recorded is when it was written');
  // An offset time is stored as the same instant.
  const j10 = entries.find((e) => e.text.startsWith('J10'));
  assert.equal(Date.parse(j10.at), T0 + 3 * H);
  // The IDF liaison sees its own entries and those labelled for it, in the same order.
  const idfList = (await list(idf, '?limit=500')).entries;
  assert.deepEqual(idfList.map((e) => e.id), [...idfList].sort(newestFirst).map((e) => e.id));
  assert.ok(idfList.some((e) => e.text.startsWith('J3')) && idfList.some((e) => e.text.startsWith('J6')));
  assert.ok(!idfList.some((e) => e.text.startsWith('J1')), 'CMCC-only entries are not shown to the IDF');
});

async function pageAll(token, query, limit) {
  const seen = [];
  let cursor = null, pages = 0;
  do {
    const q = `?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = await list(token, q);
    assert.ok(body.entries.length <= limit);
    if (body.next_cursor) assert.equal(body.entries.length, limit, 'a page before the last is full');
    seen.push(...body.entries);
    cursor = body.next_cursor;
    assert.ok(++pages < 1000);
  } while (cursor);
  return seen;
}

test('cursor paging visits every visible entry exactly once, in order, for several page sizes and callers', async () => {
  for (const token of [watch, idf, isfhq]) {
    const all = (await list(token, '?limit=500')).entries;
    assert.ok(all.length >= (token === isfhq ? 1 : 6));
    for (const limit of [1, 2, 3, 7, all.length, all.length + 1]) {
      const paged = await pageAll(token, '', limit);
      assert.deepEqual(paged.map((e) => e.id), all.map((e) => e.id), `limit ${limit}`);
    }
  }
  // Entries written while paging do not make the pager skip or repeat older ones.
  const before = (await list(watch, '?limit=500')).entries.map((e) => e.id);
  const seen = [];
  let body = await list(watch, '?limit=4');
  seen.push(...body.entries);
  let k = 0;
  while (body.next_cursor) {
    await addEntry(server, watch, { text: `written while paging ${k++}` });
    body = await list(watch, `?limit=4&cursor=${encodeURIComponent(body.next_cursor)}`);
    seen.push(...body.entries);
  }
  const ids = seen.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  assert.deepEqual(ids.filter((id) => before.includes(id)), before, 'every entry that existed is visited, in order');
});

test('since / until / sector filters, alone and combined with paging', async () => {
  const all = (await list(watch, '?limit=500')).entries;
  const since = T0 + 2.5 * H, until = T0 + 6 * H;
  const inRange = (e) => Date.parse(e.at) >= since && Date.parse(e.at) <= until;
  const r1 = (await list(watch, `?limit=500&since=${iso(since)}&until=${iso(until)}`)).entries;
  assert.deepEqual(r1.map((e) => e.id), all.filter(inRange).map((e) => e.id));
  assert.ok(r1.length >= 3 && r1.length < all.length);
  const r2 = (await list(watch, `?limit=500&since=${iso(since)}`)).entries;
  assert.deepEqual(r2.map((e) => e.id), all.filter((e) => Date.parse(e.at) >= since).map((e) => e.id));
  const r3 = (await list(watch, `?limit=500&until=${iso(until)}`)).entries;
  assert.deepEqual(r3.map((e) => e.id), all.filter((e) => Date.parse(e.at) <= until).map((e) => e.id));
  assert.ok(r3.some((e) => e.text.startsWith('J9')));
  // RFC 3339 with an offset means the same instant.
  const off = new Date(since + 2 * H).toISOString().replace('Z', '+02:00');
  const r4 = (await list(watch, `?limit=500&since=${encodeURIComponent(off)}`)).entries;
  assert.deepEqual(r4.map((e) => e.id), r2.map((e) => e.id), 'an offset time is the same instant');
  const north = (await list(watch, '?limit=500&sector=SEC-NORTH')).entries;
  assert.deepEqual(north.map((e) => e.id), all.filter((e) => e.sector === 'SEC-NORTH').map((e) => e.id));
  assert.ok(north.length >= 2);
  const both = await pageAll(watch, `&sector=SEC-NORTH&since=${iso(T0 + 4 * H)}`, 1);
  assert.deepEqual(both.map((e) => e.text), ['J1 at T0+5h north']);
  const gazaIdf = (await list(idf, '?limit=500&sector=SEC-GAZA')).entries;
  assert.deepEqual(gazaIdf.map((e) => e.text), ['J6 at T0+10h gaza for IDF too']);
  // A sector no entry has: an empty list.
  assert.deepEqual((await list(watch, '?limit=500&sector=SEC-KHAN')).entries.map((e) => e.text), ['fields check']);
  // since after until: nothing.
  assert.deepEqual((await list(watch, `?since=${iso(until)}&until=${iso(since)}`)).entries, []);
});

test('refusals: bad cursor, future at, bad sector, bad labels, bad filters; nothing written', async () => {
  const size = await logSize(server);
  for (const c of ['garbage', 'abc.def', '12', '1.2.3', '1.2x', '-', '']) {
    assertError(await server.api('GET', `/api/v1/journal?cursor=${encodeURIComponent(c)}`, { token: watch }), 400, undefined, 'cursor');
  }
  const post = (body, token = watch) => server.api('POST', '/api/v1/journal', { token, body });
  assertError(await post({ text: 'from the future', at: iso(Date.now() + 10 * 60e3) }), 400, 'out_of_range', 'at');
  assertError(await post({ text: 'far future', at: '2999-01-01T00:00:00Z' }), 400, 'out_of_range', 'at');
  assertError(await post({ text: 'not a time', at: '2026-13-45T99:00:00Z' }), 400, undefined, 'at');
  assertError(await post({ text: 'not a time', at: 'now' }), 400, undefined, 'at');
  assertError(await post({ text: 'no zone', at: '2026-01-01T10:00:00' }), 400, undefined, 'at');
  assertError(await post({ text: 'bad sector', sector: 'SEC-NOWHERE' }), 400, undefined, 'sector');
  assertError(await post({ text: 'a crossing is not a sector', sector: 'XNG-KS' }), 400, undefined, 'sector');
  assertError(await post({ text: 'a line is not a sector', sector: 'LINE-YELLOW' }), 400, undefined, 'sector');
  assertError(await post({ text: 'bad chars', sector: 'SEC NORTH<script>' }), 400, undefined, 'sector');
  for (const labels of [['bogus'], ['org:NO-SUCH-ORG'], ['role:pilot'], ['user:nobody.here'], ['org:'], ['all', 'org:NOPE'], [], ['all', 'all'], [7]]) {
    assertError(await post({ text: 'bad labels', labels }), 400, undefined, 'labels');
  }
  for (const q of ['since=yesterday', 'until=2026-02-30T00:00:00Z', 'since=']) {
    const r = await server.api('GET', `/api/v1/journal?${q}`, { token: watch });
    assertError(r, 400);
    assert.equal(r.body.error.field, q.split('=')[0]);
  }
  assert.equal(await logSize(server), size, 'nothing written');
  // A time a little ahead (clock skew, within five minutes) is accepted.
  const soon = await post({ text: 'two minutes ahead', at: iso(Date.now() + 2 * 60e3) });
  assert.equal(soon.status, 201, soon.text);
});

test('a sector filter naming no sector is refused (400 field sector), not answered with an empty list', async () => {
  // A mistyped sector must not look like "nothing happened there".
  for (const q of ['sector=SEC-NOWHERE', 'sector=sec-north', 'sector=XNG-KS', 'sector=' + encodeURIComponent('<b>')]) {
    assertError(await server.api('GET', `/api/v1/journal?${q}`, { token: watch }), 400, undefined, 'sector');
  }
});

test('text: up to 4000 characters, in Arabic too; control characters refused', async () => {
  const size = await logSize(server);
  const max = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'x'.repeat(4000) } });
  assert.equal(max.status, 201, max.text.slice(0, 300));
  const ar = 'ق'.repeat(3000);
  const arabic = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: ar } });
  assert.equal(arabic.status, 201, `3000 Arabic characters are within the 4000-character limit: ${arabic.text.slice(0, 300)}`);
  assert.equal(arabic.body.entry.text, ar);
  const multi = await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'line one\nline two\ttabbed' } });
  assert.equal(multi.status, 201);
  const sizeAfter = await logSize(server);
  assertError(await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'bell\u0007' } }), 400, undefined, 'text');
  assertError(await server.api('POST', '/api/v1/journal', { token: watch, body: { text: 'x'.repeat(4001) } }), 400, 'out_of_range', 'text');
  assert.equal(await logSize(server), sizeAfter);
  assert.ok(sizeAfter > size);
});

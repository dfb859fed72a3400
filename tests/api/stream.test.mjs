// The event stream (issue 2, item 7): Server-Sent Events of the new events
// the caller may see, read here with fetch streaming and a parser of our own;
// resumable with Last-Event-ID; it ends when its session ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, startServer, openStream, addEntry, assertError, logSize } from './lib.mjs';

let server, watch, idf, ocha;
const open = [];
before(async () => {
  server = await boot();
  watch = (await server.login('cmcc.watch')).token;
  idf = (await server.login('idf.liaison')).token;
  ocha = (await server.login('ocha.focal')).token;
});
after(async () => {
  for (const s of open) s.close();
  await shutdown(server);
});

async function stream(opts) {
  const s = await openStream(server.base, opts);
  open.push(s);
  return s;
}

const within = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what} did not happen within ${ms} ms`)), ms))]);

test('a new event arrives on the stream within a second, as id / event / data with the exact event bytes', async () => {
  const s = await stream({ token: watch });
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  assert.match(s.headers.get('cache-control') || '', /no-store|no-cache/);
  const r = await addEntry(server, watch, { text: 'live on the stream' });
  const ev = await s.waitFor((e) => e.id === String(r.seq), 1000);
  assert.equal(ev.event, 'journal.added');
  assert.equal(ev.data, r.receipt.event, 'data is the canonical event, byte for byte');
  // Without Last-Event-ID the stream starts with new events only.
  assert.ok(s.events.every((e) => Number(e.id) >= r.seq), `only new events (${s.events.map((e) => e.id)})`);
  // A second one, in order.
  const r2 = await addEntry(server, watch, { text: 'second on the stream' });
  await s.waitFor((e) => e.id === String(r2.seq), 1000);
  const ids = s.events.map((e) => Number(e.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  s.close();
});

test('only events the caller may see arrive', async () => {
  const h = await stream({ token: ocha });
  const w = await stream({ token: watch });
  const cmccOnly = await addEntry(server, watch, { text: 'CMCC only' });
  const forHum = await addEntry(server, watch, { text: 'for humanitarians', labels: ['role:humanitarian'] });
  const idfOnly = await addEntry(server, idf, { text: 'IDF only', labels: ['org:IDF-LO'] });
  const forAll = await addEntry(server, watch, { text: 'for all', labels: ['all'] });
  await h.waitFor((e) => e.id === String(forAll.seq));
  await w.waitFor((e) => e.id === String(forAll.seq));
  const got = (s) => s.events.map((e) => Number(e.id)).filter((id) => id >= cmccOnly.seq);
  assert.deepEqual(got(h), [forHum.seq, forAll.seq]);
  assert.deepEqual(got(w), [cmccOnly.seq, forHum.seq, forAll.seq]);
  assert.ok(!got(w).includes(idfOnly.seq));
  h.close(); w.close();
});

test('resuming with Last-Event-ID replays exactly what was missed (visible events only), and nothing twice', async () => {
  const a = await stream({ token: watch });
  const e1 = await addEntry(server, watch, { text: 'e1' });
  const e2 = await addEntry(server, watch, { text: 'e2' });
  await a.waitFor((e) => e.id === String(e2.seq));
  const last = a.events[a.events.length - 1].id;
  assert.equal(last, String(e2.seq));
  a.close();
  // Missed while disconnected.
  const e3 = await addEntry(server, watch, { text: 'e3' });
  const hidden = await addEntry(server, idf, { text: 'e4 hidden', labels: ['org:IDF-LO'] });
  const e5 = await addEntry(server, watch, { text: 'e5' });
  const missed = [e3.seq, e5.seq];
  for (const opts of [{ lastEventId: last }, { query: `?last_event_id=${last}` }]) {
    const b = await stream({ token: watch, ...opts });
    assert.equal(b.status, 200);
    await b.waitFor((e) => e.id === String(missed[missed.length - 1]));
    const ids = () => b.events.map((e) => Number(e.id));
    assert.deepEqual(ids(), missed, `replayed after ${last} with ${JSON.stringify(opts)}`);
    assert.ok(!ids().includes(hidden.seq) && !ids().includes(e1.seq) && !ids().includes(e2.seq));
    assert.equal(b.events[0].data, (await server.api('GET', `/api/v1/log/proof/${e3.seq}`, { token: watch })).body.event);
    // Then it goes on live, each event once.
    const e6 = await addEntry(server, watch, { text: 'e6' });
    missed.push(e6.seq);
    await b.waitFor((e) => e.id === String(e6.seq));
    assert.deepEqual(ids(), missed);
    b.close();
  }
  // A Last-Event-ID from the future is treated as "now".
  const size = await logSize(server);
  const f = await stream({ token: watch, lastEventId: size + 1000 });
  assert.equal(f.status, 200);
  const e7 = await addEntry(server, watch, { text: 'e7' });
  await f.waitFor((e) => e.id === String(e7.seq));
  assert.deepEqual(f.events.map((e) => Number(e.id)), [e7.seq]);
  f.close();
});

test('a bad Last-Event-ID is a 400; no session is a 401', async () => {
  for (const bad of ['abc', '-1', '1.5']) {
    const s = await stream({ token: watch, lastEventId: bad });
    assert.equal(s.status, 400, `Last-Event-ID: ${bad} should be refused, got ${s.status} ${s.text}`);
    assert.equal(JSON.parse(s.text).error.code.length > 0, true);
  }
  const anon = await stream({});
  assert.equal(anon.status, 401);
  assertError({ status: anon.status, text: anon.text, body: JSON.parse(anon.text), headers: anon.headers }, 401, 'unauthenticated');
  const bogus = await stream({ token: 'a'.repeat(64) });
  assert.equal(bogus.status, 401);
});

test('the stream ends after DELETE /api/v1/session of its token; other sessions\' streams go on', async () => {
  const mine = (await server.login('cmcc.watch')).token;
  const s = await stream({ token: mine });
  const other = await stream({ token: watch });
  assert.equal(s.status, 200);
  const r = await addEntry(server, watch, { text: 'before logout' });
  await s.waitFor((e) => e.id === String(r.seq));
  const out = await server.api('DELETE', '/api/v1/session', { token: mine });
  assert.ok(out.status === 200 || out.status === 204, out.text);
  await within(s.ended, 5000, 'the end of the logged-out stream');
  assert.ok(s.done);
  const n = s.events.length;
  const after = await addEntry(server, watch, { text: 'after logout' });
  await other.waitFor((e) => e.id === String(after.seq));
  assert.equal(s.events.length, n, 'nothing arrives on the ended stream');
  // The ended token cannot reopen it.
  const again = await stream({ token: mine });
  assert.equal(again.status, 401);
  other.close();
});

test('resuming from before a restart (Last-Event-ID 0 and an older seq) replays from the log', async () => {
  const marker = await addEntry(server, watch, { text: 'before the restart' });
  await server.stop();
  server = await startServer({ dir: server.dir });
  watch = (await server.login('cmcc.watch')).token;
  const me = (await server.api('GET', '/api/v1/me', { token: watch })).body;
  const size = await logSize(server);
  const s = await stream({ token: watch, lastEventId: 0 });
  assert.equal(s.status, 200);
  await s.waitFor((e) => e.id === String(marker.seq), 10000);
  const ids = s.events.map((e) => Number(e.id));
  assert.equal(ids[0], 1, 'from the first event');
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], 'in order, each once');
  for (const e of s.events) assert.ok(JSON.parse(e.data).labels.some((l) => me.labels.includes(l)), `event ${e.id} is visible to the caller`);
  s.close();
  const from = marker.seq - 3;
  const t = await stream({ token: watch, lastEventId: from });
  await t.waitFor((e) => e.id === String(marker.seq), 5000);
  assert.ok(t.events.every((e) => Number(e.id) > from && Number(e.id) <= size));
  t.close();
  assert.equal((await server.api('GET', '/healthz')).status, 200, 'the server is still up');
});

// Static sites and the no-strike list (issue 4, items 1 and 3;
// docs/humanitarian.md "Sites" and "No-strike list"): the life cycle
// submitted → acknowledged → active → expired / withdrawn, amend back to
// submitted, re-confirmation and the lapsed flag, the 25 m duplicate rule,
// receipts of every write checked with `truce verify-receipt`, the no-strike
// list written by the CMCC only, and the refusals of bad input (a 4xx naming
// the field, nothing written).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { boot, shutdown, startServer, TRUCE, ROOT, sleep } from './lib.mjs';
import {
  D, iso, region, across, lengthwise, pt, siteBody, nostrikeBody, healthSize, assertReceipt,
  refuse, SITE_CATEGORIES, NOSTRIKE_CATEGORIES, BOUNDARY, inMission, sameGeometry,
} from '../lib/humanitarian.mjs';
import { pointLine, squareRing } from '../lib/geodesic.mjs';

let server, t = {}, settings;
const USERS = ['cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze', 'ocha.focal', 'wfp.focal', 'ngo.focal', 'trainer', 'ddr.officer', 'admin'];
before(async () => {
  server = await boot();
  for (const u of USERS) t[u] = (await server.login(u)).token;
  settings = (await server.api('GET', '/api/v1/mission', { token: t['cmcc.watch'] })).body.settings;
});
after(() => shutdown(server));

const api = (...a) => server.api(...a);
async function createSite(user, body, status = 201) {
  const r = await api('POST', '/api/v1/sites', { token: t[user], body });
  assert.equal(r.status, status, `create site as ${user}: ${r.status} ${r.text.slice(0, 500)}`);
  return r;
}
async function getSite(user, id) {
  const r = await api('GET', `/api/v1/sites/${id}`, { token: t[user] });
  assert.equal(r.status, 200, `GET ${id} as ${user}: ${r.text.slice(0, 300)}`);
  return r.body.site || r.body;
}
const near = (a, b, ms = 60e3) => Math.abs(Date.parse(a) - b) < ms;

test('mission settings carry the contract\'s defaults for sites', () => {
  assert.ok(settings, 'GET /api/v1/mission has settings');
  assert.equal(settings.site_reconfirm_days, 30);
  assert.equal(settings.duplicate_radius_m, 25);
  assert.equal(settings.area_margin_m, 5000);
  assert.equal(settings.unit_position_ttl_h, 24);
  const p = settings.protection_m;
  assert.ok(p && typeof p === 'object', 'protection_m');
  for (const c of SITE_CATEGORIES) assert.equal(typeof p.site?.[c], 'number', `protection_m.site.${c}`);
  for (const c of NOSTRIKE_CATEGORIES) assert.equal(typeof p.nostrike?.[c], 'number', `protection_m.nostrike.${c}`);
  for (const k of ['movement', 'unit', 'operation']) assert.equal(typeof p[k], 'number', `protection_m.${k}`);
  const s = settings.sharing;
  for (const l of ['org:CMCC', 'role:idf_liaison', 'role:isf_hq', 'role:humanitarian']) assert.ok(s.site.includes(l), `sharing.site has ${l}`);
  for (const l of ['org:CMCC', 'role:idf_liaison', 'role:isf_hq']) assert.ok(s.movement.includes(l), `sharing.movement has ${l}`);
  assert.ok(!s.movement.includes('role:humanitarian'), 'humanitarian organisations do not see each other\'s movements');
  assert.ok(s.detail.includes('org:CMCC'));
  for (const l of ['role:idf_liaison', 'role:isf_hq', 'role:humanitarian', 'all']) assert.ok(!s.detail.includes(l), `details do not go to ${l}`);
});

test('notify a site: 201 with id, the site object, conflicts and a receipt that verifies; GET and the list show it', async () => {
  const p = region(1);
  const body = siteBody(p, {
    contact: { name: 'Dr. Amal Test', phone: '+970 59 111 2222', email: 'amal@example.org' },
    note: 'two storeys, red crescent on the roof',
  });
  const r = await createSite('ocha.focal', body);
  assert.match(r.body.id, /^SITE-\d+$/);
  assert.ok(Array.isArray(r.body.conflicts), 'conflicts in the reply');
  const ev = assertReceipt(server, r, r.body.id);
  const s = r.body.site;
  assert.equal(s.id, r.body.id);
  assert.equal(s.category, 'health_facility');
  assert.equal(s.geometry.type, 'Point');
  assert.ok(sameGeometry(s.geometry, body.geometry), `geometry kept: ${JSON.stringify(s.geometry)}`);
  assert.deepEqual(s.name, body.name);
  assert.equal(s.org, 'UN-OCHA');
  assert.equal(s.staff_count, 12);
  assert.equal(Date.parse(s.valid_from), Date.parse(body.valid_from));
  assert.equal(Date.parse(s.valid_until), Date.parse(body.valid_until));
  assert.equal(s.status, 'submitted');
  assert.equal(s.lapsed, false);
  assert.ok(near(s.confirmed_at, Date.now()), `confirmed_at ${s.confirmed_at}`);
  assert.ok(near(s.notified_at, Date.now()), `notified_at ${s.notified_at}`);
  assert.equal(s.notified_seq, ev.seq, 'notified_seq is the receipt\'s event');
  assert.ok(!s.acknowledged_at, 'not acknowledged yet');
  assert.deepEqual(s.contact, body.contact, 'the owner sees the contact');
  const want = [...new Set([...settings.sharing.site, 'org:UN-OCHA'])].sort();
  assert.deepEqual([...s.labels].sort(), want, 'labels: sharing.site plus the notifying organisation');
  assert.equal(ev.actor, 'ocha.focal');
  assert.equal(ev.org, 'UN-OCHA');
  // GET by id and the list agree.
  const g = await getSite('ocha.focal', r.body.id);
  assert.deepEqual({ ...g, conflicts: undefined }, { ...s, conflicts: undefined });
  const list = (await api('GET', '/api/v1/sites', { token: t['ocha.focal'] })).body.sites;
  assert.ok(list.some((x) => x.id === r.body.id));
  const mine = (await api('GET', '/api/v1/sites?mine=1', { token: t['ocha.focal'] })).body.sites;
  assert.ok(mine.length >= 1 && mine.every((x) => x.org === 'UN-OCHA'));
  assert.ok(mine.some((x) => x.id === r.body.id));
  const wfpMine = (await api('GET', '/api/v1/sites?mine=1', { token: t['wfp.focal'] })).body.sites;
  assert.ok(!wfpMine.some((x) => x.id === r.body.id), 'mine=1 is the caller\'s organisation only');
  // Filters.
  const bySub = (await api('GET', '/api/v1/sites?status=submitted', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(bySub.some((x) => x.id === r.body.id) && bySub.every((x) => x.status === 'submitted'));
  const byCat = (await api('GET', '/api/v1/sites?category=warehouse', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(!byCat.some((x) => x.id === r.body.id) && byCat.every((x) => x.category === 'warehouse'));
  const byOrg = (await api('GET', '/api/v1/sites?org=UN-OCHA', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(byOrg.some((x) => x.id === r.body.id) && byOrg.every((x) => x.org === 'UN-OCHA'));
  const byOther = (await api('GET', '/api/v1/sites?org=UN-WFP', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(!byOther.some((x) => x.id === r.body.id));
  // A filter naming no status, category or organisation is refused naming it (it answered an empty list).
  for (const [path, field] of [['/api/v1/sites?status=activ', 'status'], ['/api/v1/sites?category=palace', 'category'], ['/api/v1/sites?org=UN-NOPE', 'org'],
    ['/api/v1/nostrike?category=warehouse', 'category'], ['/api/v1/nostrike?status=open', 'status'],
    ['/api/v1/movements?status=moving', 'status'], ['/api/v1/movements?org=UN-NOPE', 'org']]) {
    const bad = await api('GET', path, { token: t['cmcc.watch'] });
    assert.equal(bad.status, 400, `${path}: ${bad.status} ${bad.text.slice(0, 200)}`);
    assert.equal(bad.body.error.field, field, path);
  }
  for (const path of ['/api/v1/nostrike?status=active', '/api/v1/nostrike?category=hospital', '/api/v1/movements?status=completed', '/api/v1/sites?status=expired']) {
    assert.equal((await api('GET', path, { token: t['cmcc.watch'] })).status, 200, path);
  }
  // The site object of the contract has "exercise": the scenario is an exercise, so is everything in it.
  assert.equal(s.exercise, true, `exercise data is marked on the site object: ${JSON.stringify(Object.keys(s))}`);
});

test('a polygon site and a MultiPolygon site are accepted and kept', async () => {
  const c = region(2);
  const ring = squareRing(c, 40);
  const r = await createSite('ocha.focal', siteBody(c, { category: 'shelter_school', geometry: { type: 'Polygon', coordinates: [ring] } }));
  assertReceipt(server, r, r.body.id);
  const g = await getSite('cmcc.watch', r.body.id);
  assert.equal(g.geometry.type, 'Polygon');
  assert.ok(sameGeometry(g.geometry, { type: 'Polygon', coordinates: [ring] }), JSON.stringify(g.geometry));
  const c2 = lengthwise(c, 600), c3 = lengthwise(c, 800);
  const mp = { type: 'MultiPolygon', coordinates: [[squareRing(c2, 30)], [squareRing(c3, 30)]] };
  const r2 = await createSite('ocha.focal', siteBody(c2, { category: 'warehouse', geometry: mp }));
  const g2 = await getSite('cmcc.watch', r2.body.id);
  assert.ok(['MultiPolygon'].includes(g2.geometry.type), g2.geometry.type);
  assert.ok(sameGeometry(g2.geometry, mp), JSON.stringify(g2.geometry));
});

test('life cycle: submitted → acknowledged (CMCC only, receipt) → active; acknowledge twice is 409; reconfirm; withdraw', async () => {
  const p = region(3);
  const r = await createSite('ocha.focal', siteBody(p, { contact: { name: 'Site Lead', phone: '+970 59 000 0001' } }));
  const id = r.body.id;
  // Only notify.ack may acknowledge.
  for (const u of ['ocha.focal', 'wfp.focal', 'idf.liaison', 'isf.hq', 'trainer']) {
    const before = await healthSize(server);
    const a = await api('POST', `/api/v1/sites/${id}/acknowledge`, { token: t[u], body: {} });
    assert.ok(a.status === 403 || a.status === 404, `${u} may not acknowledge: ${a.status} ${a.text}`);
    assert.equal(await healthSize(server), before);
  }
  assert.equal((await getSite('cmcc.watch', id)).status, 'submitted');
  const a = await api('POST', `/api/v1/sites/${id}/acknowledge`, { token: t['cmcc.watch'], body: { note: 'seen, on the map' } });
  assert.ok(a.status === 200 || a.status === 201, a.text);
  const ev = assertReceipt(server, a, id);
  let s = await getSite('ocha.focal', id);
  assert.equal(s.status, 'active', 'acknowledged and inside its validity: active');
  assert.equal(s.acknowledged_by, 'cmcc.watch');
  assert.equal(s.acknowledged_seq, ev.seq);
  assert.ok(near(s.acknowledged_at, Date.now()));
  assert.ok(Date.parse(s.acknowledged_at) >= Date.parse(s.notified_at));
  // Acknowledged again: 409, nothing written.
  await refuse(server, { token: t['cmcc.cdr'], path: `/api/v1/sites/${id}/acknowledge`, body: {}, status: 409, lists: [`/api/v1/sites/${id}`] });
  // Reconfirm: owner only; confirmed_at moves forward.
  const c0 = s.confirmed_at;
  await sleep(20);
  for (const u of ['wfp.focal', 'idf.liaison']) {
    const before = await healthSize(server);
    const x = await api('POST', `/api/v1/sites/${id}/reconfirm`, { token: t[u], body: {} });
    assert.ok(x.status === 403 || x.status === 404, `${u} may not reconfirm: ${x.status} ${x.text}`);
    assert.equal(await healthSize(server), before);
  }
  const rc = await api('POST', `/api/v1/sites/${id}/reconfirm`, { token: t['ocha.focal'], body: {} });
  assertReceipt(server, rc, id);
  s = await getSite('ocha.focal', id);
  assert.ok(Date.parse(s.confirmed_at) > Date.parse(c0), `confirmed_at reset: ${c0} -> ${s.confirmed_at}`);
  assert.equal(s.status, 'active', 'reconfirming does not change the status');
  assert.equal(s.lapsed, false);
  // Withdraw: a reason is required; another organisation may not; the owner may.
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/sites/${id}/withdraw`, body: {}, field: 'reason', lists: [`/api/v1/sites/${id}`] });
  await refuse(server, { token: t['ocha.focal'], path: `/api/v1/sites/${id}/withdraw`, body: { reason: 42 }, field: 'reason', lists: [`/api/v1/sites/${id}`] });
  for (const u of ['wfp.focal', 'idf.liaison', 'isf.hq']) {
    const before = await healthSize(server);
    const x = await api('POST', `/api/v1/sites/${id}/withdraw`, { token: t[u], body: { reason: 'not mine' } });
    assert.ok(x.status === 403 || x.status === 404, `${u} may not withdraw: ${x.status} ${x.text}`);
    assert.equal(await healthSize(server), before);
  }
  const w = await api('POST', `/api/v1/sites/${id}/withdraw`, { token: t['ocha.focal'], body: { reason: 'clinic moved' } });
  assertReceipt(server, w, id);
  s = await getSite('cmcc.watch', id);
  assert.equal(s.status, 'withdrawn');
  assert.equal(s.withdrawn_reason, 'clinic moved');
  assert.ok(near(s.withdrawn_at, Date.now()));
  assert.equal(s.lapsed, false);
  const wl = (await api('GET', '/api/v1/sites?status=withdrawn', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(wl.some((x) => x.id === id) && wl.every((x) => x.status === 'withdrawn'));
  const al = (await api('GET', '/api/v1/sites?status=active', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(!al.some((x) => x.id === id));
  // A withdrawn site cannot be acknowledged.
  await refuse(server, { token: t['cmcc.watch'], path: `/api/v1/sites/${id}/acknowledge`, body: {}, status: 409, lists: [`/api/v1/sites/${id}`] });
});

test('the CMCC may withdraw any site; the site of an unknown id is 404', async () => {
  const r = await createSite('wfp.focal', siteBody(lengthwise(region(3), 500), { category: 'warehouse' }));
  const w = await api('POST', `/api/v1/sites/${r.body.id}/withdraw`, { token: t['cmcc.watch'], body: { reason: 'reported destroyed' } });
  assertReceipt(server, w, r.body.id);
  assert.equal((await getSite('wfp.focal', r.body.id)).status, 'withdrawn');
  for (const path of ['/api/v1/sites/SITE-999999', '/api/v1/sites/NOPE']) {
    const g = await api('GET', path, { token: t['cmcc.watch'] });
    assert.equal(g.status, 404, g.text);
  }
  await refuse(server, { token: t['cmcc.watch'], path: '/api/v1/sites/SITE-999999/acknowledge', body: {}, status: 404 });
});

test('a site valid from a few seconds from now is acknowledged, not active; it becomes active when its validity starts', async () => {
  const p = lengthwise(region(4), 300);
  const from = Date.now() + 4000;
  const r = await createSite('ocha.focal', siteBody(p, { valid_from: iso(from), valid_until: iso(from + 30 * D) }));
  const a = await api('POST', `/api/v1/sites/${r.body.id}/acknowledge`, { token: t['cmcc.watch'], body: {} });
  assertReceipt(server, a, r.body.id);
  const st = (await getSite('ocha.focal', r.body.id)).status;
  if (Date.now() < from - 100) assert.equal(st, 'acknowledged');
  else console.log('# the machine was too slow to see the acknowledged state before valid_from');
  await sleep(from - Date.now() + 300);
  assert.equal((await getSite('ocha.focal', r.body.id)).status, 'active');
});

test('a site whose valid_until has passed is expired (and not lapsed); the status filter finds it', async () => {
  const p = lengthwise(region(4), -300);
  const until = Date.now() + 4000;
  const r = await createSite('ocha.focal', siteBody(p, { category: 'distribution_point', valid_from: iso(Date.now() - 2 * D), valid_until: iso(until) }));
  const a = await api('POST', `/api/v1/sites/${r.body.id}/acknowledge`, { token: t['cmcc.watch'], body: {} });
  assertReceipt(server, a, r.body.id);
  const st = (await getSite('ocha.focal', r.body.id)).status;
  if (Date.now() < until - 100) assert.equal(st, 'active');
  // A submitted (not acknowledged) site expires too.
  const r2 = await createSite('ocha.focal', siteBody(lengthwise(p, -200), { valid_from: iso(Date.now() - 2 * D), valid_until: iso(until) }));
  await sleep(until - Date.now() + 300);
  for (const id of [r.body.id, r2.body.id]) {
    const s = await getSite('ocha.focal', id);
    assert.equal(s.status, 'expired', `${id} after valid_until`);
    assert.equal(s.lapsed, false);
  }
  const ex = (await api('GET', '/api/v1/sites?status=expired', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(ex.some((x) => x.id === r.body.id) && ex.every((x) => x.status === 'expired'));
});

test('amend: the owner changes a site, it goes back to submitted with a new receipt; others may not; bad amendments change nothing', async () => {
  const p = region(5);
  const r = await createSite('ocha.focal', siteBody(p));
  const id = r.body.id;
  await api('POST', `/api/v1/sites/${id}/acknowledge`, { token: t['cmcc.watch'], body: {} });
  assert.equal((await getSite('ocha.focal', id)).status, 'active');
  const p2 = lengthwise(p, 60);
  const am = await api('POST', `/api/v1/sites/${id}/amend`, { token: t['ocha.focal'], body: { geometry: pt(p2), staff_count: 20, name: { en: 'Moved clinic', ar: 'عيادة منقولة' } } });
  assert.ok(am.status === 200 || am.status === 201, am.text);
  const ev = assertReceipt(server, am, id);
  const s = await getSite('ocha.focal', id);
  assert.equal(s.status, 'submitted', 'an amended site must be acknowledged again');
  assert.ok(sameGeometry(s.geometry, pt(p2)));
  assert.equal(s.staff_count, 20);
  assert.equal(s.name.en, 'Moved clinic');
  assert.equal(s.category, 'health_facility', 'fields not sent are kept');
  assert.ok(Date.parse(s.confirmed_at) >= Date.parse(r.body.site.confirmed_at));
  assert.ok(ev.seq > r.body.site.notified_seq);
  // Acknowledged again, then active again.
  const a2 = await api('POST', `/api/v1/sites/${id}/acknowledge`, { token: t['cmcc.cdr'], body: {} });
  assertReceipt(server, a2, id);
  const s2 = await getSite('ocha.focal', id);
  assert.equal(s2.status, 'active');
  assert.equal(s2.acknowledged_by, 'cmcc.cdr');
  // Others may not amend.
  for (const u of ['wfp.focal', 'idf.liaison', 'isf.hq']) {
    const before = await healthSize(server);
    const x = await api('POST', `/api/v1/sites/${id}/amend`, { token: t[u], body: { staff_count: 1 } });
    assert.ok(x.status === 403 || x.status === 404, `${u} may not amend: ${x.status} ${x.text}`);
    assert.equal(await healthSize(server), before);
  }
  // Bad amendments: 4xx naming the field, the site unchanged.
  const lists = [`/api/v1/sites/${id}`, '/api/v1/sites'];
  const tok = t['ocha.focal'];
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { geometry: pt([31.2357, 30.0444]) }, field: /^geometry/, lists });
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { category: 'palace' }, field: 'category', lists });
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { valid_until: iso(Date.now() - 10 * D) }, field: 'valid_until', lists });
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { staff_count: 'many' }, field: 'staff_count', lists });
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { colour: 'red' }, field: 'colour', lists });
  await refuse(server, { token: tok, path: `/api/v1/sites/${id}/amend`, body: { status: 'active' }, field: 'status', lists });
});

test('duplicates: a new site within 25 m of one of the same organisation is 409 possible_duplicate until confirmed with not_duplicate_of', async () => {
  const p = region(6);
  const a = await createSite('ocha.focal', siteBody(p, { category: 'warehouse' }));
  const A = a.body.id;
  const lists = ['/api/v1/sites'];
  // 10 m away: refused with the duplicates listed, nothing written.
  const q10 = lengthwise(p, 10);
  const dup = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(q10), status: 409, code: 'possible_duplicate', field: 'geometry', lists, readToken: t['cmcc.watch'] });
  assert.deepEqual(dup.body.error.duplicates, [A]);
  // Just inside 25 m (24 m) is a duplicate; 27 m is not.
  const d24 = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(across(p, 24)), status: 409, code: 'possible_duplicate', field: 'geometry' });
  assert.deepEqual(d24.body.error.duplicates, [A]);
  const far = await createSite('ocha.focal', siteBody(across(p, -27)));
  assert.ok(far.body.id);
  // Confirmed: accepted, with a receipt.
  const b = await createSite('ocha.focal', siteBody(q10, { not_duplicate_of: [A] }));
  assertReceipt(server, b, b.body.id);
  const B = b.body.id;
  // Another organisation at the same place: no question asked.
  const w = await createSite('wfp.focal', siteBody(lengthwise(p, 5)));
  assert.ok(w.body.id);
  // Near both A and B (5 m from each): both are listed; confirming one is not enough.
  const q5 = lengthwise(p, 5);
  const both = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(q5), status: 409, code: 'possible_duplicate' });
  assert.deepEqual([...both.body.error.duplicates].sort(), [A, B].sort());
  const half = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(q5, { not_duplicate_of: [A] }), status: 409, code: 'possible_duplicate' });
  assert.ok(half.body.error.duplicates.includes(B));
  // not_duplicate_of naming something unknown is bad input.
  await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(across(p, 500), { not_duplicate_of: 'SITE-1' }), field: 'not_duplicate_of' });
  // A polygon that contains A is a duplicate too.
  const sq = squareRing(lengthwise(p, -60), 50); // 100 m square that contains A's point
  const dp = await refuse(server, { token: t['ocha.focal'], path: '/api/v1/sites', body: siteBody(p, { geometry: { type: 'Polygon', coordinates: [sq] } }), status: 409, code: 'possible_duplicate' });
  assert.ok(dp.body.error.duplicates.includes(A));
  // Withdrawn sites do not count.
  const c = await createSite('ocha.focal', siteBody(across(p, 900)));
  await api('POST', `/api/v1/sites/${c.body.id}/withdraw`, { token: t['ocha.focal'], body: { reason: 'closed' } });
  const e = await createSite('ocha.focal', siteBody(lengthwise(across(p, 900), 5)));
  assert.ok(e.body.id);
  // An amendment that moves a site next to another of its organisation asks too.
  const f = await createSite('ocha.focal', siteBody(across(p, -400)));
  const am = await refuse(server, { token: t['ocha.focal'], path: `/api/v1/sites/${f.body.id}/amend`, body: { geometry: pt(lengthwise(across(p, 900), 8)) }, status: 409, code: 'possible_duplicate', lists: [`/api/v1/sites/${f.body.id}`] });
  assert.deepEqual(am.body.error.duplicates, [e.body.id]);
});

test('the no-strike list is written by the CMCC only; active without acknowledgement; amend and withdraw', async () => {
  const p = region(7);
  const lists = ['/api/v1/nostrike'];
  for (const u of ['ocha.focal', 'wfp.focal', 'idf.liaison', 'isf.hq', 'isf.aze', 'trainer', 'ddr.officer']) {
    await refuse(server, { token: t[u], path: '/api/v1/nostrike', body: nostrikeBody(p), status: 403, code: 'forbidden', lists, readToken: t['cmcc.watch'] });
  }
  const r = await api('POST', '/api/v1/nostrike', { token: t['cmcc.watch'], body: nostrikeBody(p) });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.id, /^NSL-\d+$/);
  assertReceipt(server, r, r.body.id);
  const g = (await api('GET', `/api/v1/nostrike/${r.body.id}`, { token: t['cmcc.watch'] })).body;
  const n = g.nostrike || g.site || g;
  assert.equal(n.id, r.body.id);
  assert.equal(n.status, 'active', 'no acknowledgement step');
  assert.equal(n.category, 'water_works');
  assert.equal(n.org, 'CMCC');
  assert.ok(sameGeometry(n.geometry, pt(p)));
  const r2 = await api('POST', '/api/v1/nostrike', { token: t['cmcc.cdr'], body: nostrikeBody(lengthwise(p, 400), { category: 'hospital' }) });
  assert.equal(r2.status, 201, r2.text);
  // Every category of the list; a site category is not one of them.
  for (const [i, c] of NOSTRIKE_CATEGORIES.entries()) {
    const x = await api('POST', '/api/v1/nostrike', { token: t['cmcc.watch'], body: nostrikeBody(across(lengthwise(p, -300), -60 * i), { category: c }) });
    assert.equal(x.status, 201, `${c}: ${x.text}`);
  }
  await refuse(server, { token: t['cmcc.watch'], path: '/api/v1/nostrike', body: nostrikeBody(p, { category: 'health_facility' }), field: 'category', lists });
  await refuse(server, { token: t['cmcc.watch'], path: '/api/v1/nostrike', body: nostrikeBody(p, { geometry: pt([31.2357, 30.0444]) }), field: /^geometry/, lists });
  // Humanitarian users may not amend or withdraw it; the CMCC may.
  for (const u of ['ocha.focal', 'idf.liaison']) {
    for (const [path, body] of [[`/api/v1/nostrike/${r.body.id}/amend`, { category: 'power' }], [`/api/v1/nostrike/${r.body.id}/withdraw`, { reason: 'x' }]]) {
      const before = await healthSize(server);
      const x = await api('POST', path, { token: t[u], body });
      assert.ok(x.status === 403 || x.status === 404, `${u} ${path}: ${x.status} ${x.text}`);
      assert.equal(await healthSize(server), before);
    }
  }
  const am = await api('POST', `/api/v1/nostrike/${r.body.id}/amend`, { token: t['cmcc.cdr'], body: { category: 'sanitation' } });
  assertReceipt(server, am, r.body.id);
  const w = await api('POST', `/api/v1/nostrike/${r2.body.id}/withdraw`, { token: t['cmcc.watch'], body: { reason: 'hospital closed' } });
  assertReceipt(server, w, r2.body.id);
  const list = (await api('GET', '/api/v1/nostrike', { token: t['cmcc.watch'] })).body;
  const items = list.nostrike || list.sites || list.items;
  assert.ok(Array.isArray(items), `GET /api/v1/nostrike: ${JSON.stringify(list).slice(0, 200)}`);
  assert.equal(items.find((x) => x.id === r.body.id).category, 'sanitation');
  assert.equal(items.find((x) => x.id === r2.body.id).status, 'withdrawn');
  assert.ok(items.every((x) => ['active', 'expired', 'withdrawn'].includes(x.status)));
  // Visible to every party sharing.nostrike names (and not in the site list).
  const sites = (await api('GET', '/api/v1/sites', { token: t['cmcc.watch'] })).body.sites;
  assert.ok(!sites.some((x) => x.id === r.body.id));
});

test('bad input to POST /api/v1/sites: a 4xx naming the field, and nothing written', async () => {
  const p = region(8);
  const tok = t['ocha.focal'];
  const lists = ['/api/v1/sites'];
  const go = (body, field, status) => refuse(server, { token: tok, path: '/api/v1/sites', body, field, status, lists, readToken: t['cmcc.watch'] });
  const poly = (ring) => siteBody(p, { geometry: { type: 'Polygon', coordinates: [ring] } });
  const [a, b, c, d] = [lengthwise(p, -50), lengthwise(across(p, 50), -50), lengthwise(across(p, 50), 50), lengthwise(p, 50)];
  // Geometry.
  await go(poly([a, c, b, d, a]), /^geometry/); // bow tie: self-intersecting
  await go(poly([a, b, c, d]), /^geometry/); // ring not closed
  await go(poly([a, b, a]), /^geometry/); // too few points
  await go(siteBody(p, { geometry: { type: 'Polygon', coordinates: [] } }), /^geometry/);
  await go(siteBody(p, { geometry: pt([31.2357, 30.0444]) }), /^geometry/); // Cairo
  await go(siteBody(p, { geometry: pt([p[1], p[0]]) }), /^geometry/); // lat/lon swapped
  await go(siteBody(p, { geometry: pt([p[0], 131.4]) }), /^geometry/); // latitude out of range
  await go(siteBody(p, { geometry: pt([214.4, p[1]]) }), /^geometry/); // longitude out of range
  await go(siteBody(p, { geometry: pt([String(p[0]), String(p[1])]) }), /^geometry/);
  await go(siteBody(p, { geometry: pt([p[0]]) }), /^geometry/);
  // A third member is an altitude: a number, nothing else (it was kept and written as it came).
  for (const third of ['junk', { x: 1 }, null, [1], { a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] }]) {
    await go(siteBody(p, { geometry: pt([p[0], p[1], third]) }), /^geometry/);
    await go(poly([a, b, [...c, third], d, a]), /^geometry/);
  }
  await go(siteBody(p, { geometry: { type: 'LineString', coordinates: [a, b] } }), /^geometry/);
  await go(siteBody(p, { geometry: { type: 'Circle', coordinates: p } }), /^geometry/);
  await go(siteBody(p, { geometry: 'POINT(34.4 31.4)' }), /^geometry/);
  await go(poly([a, b, [31.2357, 30.0444], d, a]), /^geometry/); // a vertex in Cairo
  // Just outside the margin (7 km out to sea) is refused; 3 km out to sea is inside boundary + margin.
  let sea = p;
  while (pointLine(sea, BOUNDARY) < 7000 || inMission(sea)) sea = across(sea, -100);
  await go(siteBody(sea, { geometry: pt(sea) }), /^geometry/);
  let shore = p;
  while (pointLine(shore, BOUNDARY) < 3000 || inMission(shore)) shore = across(shore, -100);
  const ok = await createSite('ocha.focal', siteBody(shore, { category: 'other' }));
  await api('POST', `/api/v1/sites/${ok.body.id}/withdraw`, { token: tok, body: { reason: 'test' } });
  // Times.
  await go(siteBody(p, { valid_from: iso(Date.now() + 5 * D), valid_until: iso(Date.now() + 4 * D) }), 'valid_until');
  const same = iso(Date.now() + 5 * D); /* one instant: two Date.now() calls can straddle a millisecond */
  await go(siteBody(p, { valid_from: same, valid_until: same }), 'valid_until');
  await go(siteBody(p, { valid_from: 'yesterday' }), 'valid_from');
  await go(siteBody(p, { valid_until: '2027-02-30T00:00:00Z' }), 'valid_until');
  await go(siteBody(p, { valid_from: 1764400000000 }), 'valid_from');
  // Categories, names, counts, contact, unknown fields, missing fields.
  await go(siteBody(p, { category: 'palace' }), 'category');
  await go(siteBody(p, { category: 'hospital' }), 'category'); // a no-strike category
  await go(siteBody(p, { category: ['health_facility'] }), 'category');
  await go(siteBody(p, { staff_count: '12' }), 'staff_count');
  await go(siteBody(p, { staff_count: -1 }), 'staff_count');
  await go(siteBody(p, { staff_count: 2.5 }), 'staff_count');
  await go(siteBody(p, { name: 7 }), /^name/);
  await go(siteBody(p, { contact: 'call me' }), /^contact/);
  await go(siteBody(p, { contact: { name: 'A', phone: '1', fax: '2' } }), /^contact/);
  await go(siteBody(p, { colour: 'red' }), 'colour');
  await go(siteBody(p, { id: 'SITE-1' }), 'id');
  await go(siteBody(p, { status: 'active' }), 'status');
  await go(siteBody(p, { org: 'UN-WFP' }), 'org');
  for (const f of ['category', 'geometry', 'name', 'valid_from', 'valid_until']) {
    const body = siteBody(p);
    delete body[f];
    await go(body, f);
  }
  await go({ ...siteBody(p), note: { text: 'x' } }, 'note');
  // Not JSON, not an object, oversize.
  await refuse(server, { token: tok, path: '/api/v1/sites', body: '{"category": ', lists });
  await refuse(server, { token: tok, path: '/api/v1/sites', body: '[1,2]', lists });
  await refuse(server, { token: tok, path: '/api/v1/sites', body: siteBody(p, { note: 'x'.repeat(5 << 20) }), lists, allowClosed: true });
  // No session: 401; a party without notify.write: 403.
  await refuse(server, { token: undefined, path: '/api/v1/sites', body: siteBody(p), status: 401, lists, readToken: t['cmcc.watch'] });
  for (const u of ['idf.liaison', 'isf.hq', 'isf.aze', 'trainer', 'ddr.officer']) {
    await refuse(server, { token: t[u], path: '/api/v1/sites', body: siteBody(p), status: 403, code: 'forbidden', lists, readToken: t['cmcc.watch'] });
  }
});

test('bad input to the site and no-strike actions (acknowledge, reconfirm, withdraw, amend): a 4xx naming the field, nothing written', async () => {
  const p = region(10);
  const r = await createSite('ocha.focal', siteBody(p));
  const id = r.body.id;
  const n = await api('POST', '/api/v1/nostrike', { token: t['cmcc.watch'], body: nostrikeBody(lengthwise(p, 500)) });
  assert.equal(n.status, 201, n.text);
  const lists = [`/api/v1/sites/${id}`, `/api/v1/nostrike/${n.body.id}`];
  const go = (user, path, body, field, status) => refuse(server, { token: t[user], path, body, field, status, lists, readToken: t['cmcc.watch'] });
  await go('cmcc.watch', `/api/v1/sites/${id}/acknowledge`, { note: 5 }, 'note', 400);
  await go('cmcc.watch', `/api/v1/sites/${id}/acknowledge`, { colour: 'red' }, 'colour', 400);
  await go('cmcc.watch', `/api/v1/sites/${id}/acknowledge`, '[]', undefined, 400);
  await go('ocha.focal', `/api/v1/sites/${id}/reconfirm`, { colour: 'red' }, undefined, 400); // the server may say it takes no body at all
  await go('ocha.focal', `/api/v1/sites/${id}/withdraw`, { reason: 'x', colour: 1 }, 'colour', 400);
  await go('ocha.focal', `/api/v1/sites/${id}/withdraw`, { reason: ['x'] }, 'reason', 400);
  await go('ocha.focal', `/api/v1/sites/${id}/amend`, { geometry: { type: 'Point', coordinates: [34.4] } }, /^geometry/, 400);
  await go('ocha.focal', `/api/v1/sites/${id}/amend`, { valid_from: iso(Date.now() + 400 * D) }, /^valid_(from|until)$/, 400);
  await go('ocha.focal', `/api/v1/sites/${id}/frobnicate`, {}, undefined);
  await go('cmcc.watch', `/api/v1/nostrike/${n.body.id}/amend`, { category: 'palace' }, 'category', 400);
  await go('cmcc.watch', `/api/v1/nostrike/${n.body.id}/amend`, { category: 'health_facility' }, 'category', 400);
  await go('cmcc.watch', `/api/v1/nostrike/${n.body.id}/amend`, { geometry: pt([31.2357, 30.0444]) }, /^geometry/, 400);
  await go('cmcc.watch', `/api/v1/nostrike/${n.body.id}/withdraw`, {}, 'reason', 400);
  await go('cmcc.watch', `/api/v1/nostrike/${n.body.id}/acknowledge`, {}, undefined);
  await go('cmcc.watch', '/api/v1/nostrike', nostrikeBody(p, { valid_until: iso(Date.now() - 5 * D) }), 'valid_until', 400);
  await go('cmcc.watch', '/api/v1/nostrike', nostrikeBody(p, { staff_count: 'x' }), 'staff_count', 400);
});

test('lapsed: a site not re-confirmed within site_reconfirm_days is flagged to its owner and the CMCC; reconfirm clears it', async (tt) => {
  // Waiting 30 days is not a test: a copy of the Gaza scenario with a
  // re-confirmation period of a few seconds (the setting is scenario data).
  const days = 5 / 86400; // 5 seconds
  const root = mkdtempSync(join(tmpdir(), 'truce-scen-'));
  cpSync(join(ROOT, 'scenarios'), root, { recursive: true });
  const sf = join(root, 'gaza', 'scenario.json');
  const scen = JSON.parse(readFileSync(sf, 'utf8'));
  scen.mission.settings.site_reconfirm_days = days;
  writeFileSync(sf, JSON.stringify(scen));
  const dir = mkdtempSync(join(tmpdir(), 'truce-lapse-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync(TRUCE, ['init', dir, '--scenarios', root, '--scenario', 'gaza'], { stdio: 'pipe' });
  const s2 = await startServer({ dir });
  tt.after(async () => { await s2.stop(); rmSync(dir, { recursive: true, force: true }); rmSync(root, { recursive: true, force: true }); });
  const tok = {};
  for (const u of ['ocha.focal', 'cmcc.watch', 'wfp.focal', 'idf.liaison']) tok[u] = (await s2.login(u)).token;
  const m = (await s2.api('GET', '/api/v1/mission', { token: tok['cmcc.watch'] })).body.settings;
  assert.ok(Math.abs(m.site_reconfirm_days - days) < 1e-12, `the scenario's re-confirmation period is used as given: ${m.site_reconfirm_days}`);
  const p = region(9);
  const mk = async (q) => {
    const r = await s2.api('POST', '/api/v1/sites', { token: tok['ocha.focal'], body: siteBody(q) });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const a = await mk(p), b = await mk(lengthwise(p, 200)), c = await mk(lengthwise(p, 400));
  await s2.api('POST', `/api/v1/sites/${a}/acknowledge`, { token: tok['cmcc.watch'], body: {} });
  const get = async (u, id) => { const r = await s2.api('GET', `/api/v1/sites/${id}`, { token: tok[u] }); assert.equal(r.status, 200, r.text); return r.body.site || r.body; };
  assert.equal((await get('ocha.focal', a)).lapsed, false, 'fresh: not lapsed');
  await s2.api('POST', `/api/v1/sites/${c}/withdraw`, { token: tok['ocha.focal'], body: { reason: 'closed' } });
  await sleep(5500);
  for (const u of ['ocha.focal', 'cmcc.watch']) {
    const sa = await get(u, a), sb = await get(u, b);
    assert.equal(sa.lapsed, true, `${u}: an active site not re-confirmed is lapsed`);
    assert.equal(sb.lapsed, true, `${u}: a submitted site not re-confirmed is lapsed`);
    assert.equal(sa.status, 'active', 'lapsed is a flag, not a status');
    assert.equal((await get(u, c)).lapsed, false, 'a withdrawn site is never lapsed');
    const l = (await s2.api('GET', '/api/v1/sites?lapsed=1', { token: tok[u] })).body.sites;
    const ids = l.map((x) => x.id);
    assert.ok(ids.includes(a) && ids.includes(b) && !ids.includes(c), `${u}: ?lapsed=1 gives ${ids}`);
    assert.ok(l.every((x) => x.lapsed === true), `${u}: ?lapsed=1 lists lapsed sites only`);
  }
  // Re-confirmed: not lapsed any more.
  const rc = await s2.api('POST', `/api/v1/sites/${a}/reconfirm`, { token: tok['ocha.focal'], body: {} });
  assertReceipt(s2, rc, a);
  assert.equal((await get('cmcc.watch', a)).lapsed, false);
  const l2 = (await s2.api('GET', '/api/v1/sites?lapsed=1', { token: tok['cmcc.watch'] })).body.sites.map((x) => x.id);
  assert.ok(l2.includes(b) && !l2.includes(a), `after reconfirming ${a}: ${l2}`);
  // The scenario's own sites were confirmed when the folder was made: lapsed too, and listed.
  const all = (await s2.api('GET', '/api/v1/sites', { token: tok['cmcc.watch'] })).body.sites;
  for (const x of all) assert.equal(l2.includes(x.id), x.lapsed === true, `${x.id}: lapsed=${x.lapsed} status=${x.status}`);
  for (const x of all) if (['withdrawn', 'expired'].includes(x.status)) assert.equal(x.lapsed, false, `${x.id} ${x.status}`);
});

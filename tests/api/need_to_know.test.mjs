// Need to know (issue 4, item 6; docs/humanitarian.md "sharing"): an
// organisation sees its own notifications in full; the parties the sharing
// rules name see locations, routes and windows, but contact details and staff
// names reach only the submitter and the CMCC; humanitarian organisations do
// not see each other's movements; every other account sees what the sharing
// settings give it. Checked through every read path: lists, get by id, both
// export formats, deconfliction results (and the conflicts kept on a record),
// inclusion proofs of every event, the raw log and the event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { boot, shutdown, openStream, maySee } from './lib.mjs';
import {
  D, H, iso, region, across, lengthwise, pt, siteBody, nostrikeBody, movementBody, healthSize, readHxl,
} from '../lib/humanitarian.mjs';

const USERS = ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'isf.aze', 'isf.egy', 'ocha.focal',
  'wfp.focal', 'ngo.focal', 'trainer', 'ddr.officer', 'board.chair'];
const AUDIT = ['admin', 'cmcc.cdr', 'board.chair'];

let server, t = {}, me = {}, sharing, s0, s1, UNIT;
const streams = {};
const W = {}; // what was written: { key: { id, org, kind, secrets: [...] } }
const T0 = Date.now() + D;

// Secrets: strings that appear only in details (contact, staff names).
const SECRET = {
  ocha_site: ['Secret Contact Ocha', '+970 59 555 0101', 'ocha.secret@example.org'],
  ocha_site2: ['Amended Contact Ocha', '+970 59 555 0109'],
  ocha_mov: ['Staffer Alpha Ocha', 'Staffer Beta Ocha', 'Convoy Lead Ocha', '+970 59 555 0202'],
  wfp_site: ['Secret Contact Wfp', '+970 59 666 0101'],
  wfp_mov: ['Staffer Gamma Wfp', 'Convoy Lead Wfp', '+970 59 666 0202'],
};
const ALL_SECRETS = Object.values(SECRET).flat();

before(async () => {
  server = await boot();
  for (const u of USERS) {
    t[u] = (await server.login(u)).token;
    me[u] = (await server.api('GET', '/api/v1/me', { token: t[u] })).body;
  }
  sharing = (await server.api('GET', '/api/v1/mission', { token: t['cmcc.watch'] })).body.settings.sharing;
  for (const u of USERS) {
    streams[u] = await openStream(server.base, { token: t[u] });
    assert.equal(streams[u].status, 200);
  }
  s0 = await healthSize(server);
  const api = (u, path, body, ok = [200, 201]) => server.api('POST', path, { token: t[u], body }).then((r) => {
    assert.ok(ok.includes(r.status), `${u} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  });
  const c = region(6);
  // OCHA: a site (contact), acknowledged, amended with a new contact; a movement (staff names, contact), acknowledged, facilitated.
  const os = await api('ocha.focal', '/api/v1/sites', siteBody(c, { contact: { name: SECRET.ocha_site[0], phone: SECRET.ocha_site[1], email: SECRET.ocha_site[2] } }));
  W.ocha_site = { id: os.id, org: 'UN-OCHA', kind: 'site', secrets: [...SECRET.ocha_site, ...SECRET.ocha_site2] };
  await api('cmcc.watch', `/api/v1/sites/${os.id}/acknowledge`, {});
  await api('ocha.focal', `/api/v1/sites/${os.id}/amend`, { contact: { name: SECRET.ocha_site2[0], phone: SECRET.ocha_site2[1] }, staff_count: 14 });
  await api('ocha.focal', `/api/v1/sites/${os.id}/reconfirm`, {});
  const route = [across(c, -1500), across(c, 1500), lengthwise(across(c, 1500), 1500)];
  const om = await api('ocha.focal', '/api/v1/movements', movementBody(route, T0, H, {
    staff_names: SECRET.ocha_mov.slice(0, 2), contact: { name: SECRET.ocha_mov[2], phone: SECRET.ocha_mov[3] }, purpose: 'OCHA assessment mission',
  }));
  W.ocha_mov = { id: om.id, org: 'UN-OCHA', kind: 'movement', secrets: SECRET.ocha_mov, route };
  await api('cmcc.watch', `/api/v1/movements/${om.id}/status`, { status: 'acknowledged' });
  await api('cmcc.watch', `/api/v1/movements/${om.id}/status`, { status: 'facilitated', reason: 'crossing open' });
  // WFP: a site right on OCHA's route (so its conflicts would name OCHA's movement), and a movement of its own.
  const wsite = await api('wfp.focal', '/api/v1/sites', siteBody(lengthwise(c, 30), { category: 'warehouse', contact: { name: SECRET.wfp_site[0], phone: SECRET.wfp_site[1] } }));
  W.wfp_site = { id: wsite.id, org: 'UN-WFP', kind: 'site', secrets: SECRET.wfp_site, reply: wsite };
  const wm = await api('wfp.focal', '/api/v1/movements', movementBody([lengthwise(c, -800), lengthwise(c, 800)], T0, H, {
    staff_names: [SECRET.wfp_mov[0]], contact: { name: SECRET.wfp_mov[1], phone: SECRET.wfp_mov[2] }, purpose: 'WFP food convoy',
  }));
  W.wfp_mov = { id: wm.id, org: 'UN-WFP', kind: 'movement', secrets: SECRET.wfp_mov, reply: wm };
  // An ISF unit reports its position right there (units are shared by sharing.unit).
  const units = (await server.api('GET', '/api/v1/units', { token: t['isf.hq'] })).body.units;
  UNIT = units.find((x) => x.org === 'ISF-AZE') || units[0];
  await api('isf.hq', `/api/v1/units/${UNIT.id}/position`, { geometry: pt(lengthwise(c, -20)) });
  // A no-strike object (CMCC).
  const n = await api('cmcc.watch', '/api/v1/nostrike', nostrikeBody(lengthwise(c, -60), { category: 'water_works' }));
  W.nsl = { id: n.id, org: 'CMCC', kind: 'nostrike', secrets: [] };
  // A sentinel every account sees ends the batch on every stream.
  const j = await server.api('POST', '/api/v1/journal', { token: t['cmcc.watch'], body: { text: 'need-to-know sentinel', labels: ['all'] } });
  assert.equal(j.status, 201, j.text);
  s1 = j.body.seq;
  for (const u of USERS) await streams[u].waitFor((e) => Number(e.id) === s1, 5000);
});
after(async () => {
  for (const s of Object.values(streams)) s.close();
  await shutdown(server);
});

// What the sharing settings (and the organisation rule) say account u sees.
const labelsFor = (kind, org) => [...new Set([...(sharing[kind] || []), `org:${org}`])];
const sees = (u, w) => maySee(me[u].labels, labelsFor(w.kind, w.org));
const seesDetail = (u, w) => maySee(me[u].labels, labelsFor('detail', w.org));
const idRe = (id) => new RegExp(`\\b${id}\\b`);
const leaked = (text, w) => w.secrets.filter((s) => text.includes(s));

test('the table the sharing settings give, for the Gaza scenario as the contract states it', () => {
  // Spelled out for the accounts the contract names, independently of the settings.
  const want = {
    ocha_site: { see: ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'ocha.focal', 'wfp.focal', 'ngo.focal'], detail: ['admin', 'cmcc.watch', 'cmcc.cdr', 'ocha.focal'] },
    ocha_mov: { see: ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'ocha.focal'], detail: ['admin', 'cmcc.watch', 'cmcc.cdr', 'ocha.focal'] },
    wfp_mov: { see: ['admin', 'cmcc.watch', 'cmcc.cdr', 'idf.liaison', 'isf.hq', 'wfp.focal'], detail: ['admin', 'cmcc.watch', 'cmcc.cdr', 'wfp.focal'] },
  };
  for (const [k, w] of Object.entries(want)) {
    assert.deepEqual(USERS.filter((u) => sees(u, W[k])), w.see, `${k}: who sees it`);
    assert.deepEqual(USERS.filter((u) => seesDetail(u, W[k])), w.detail, `${k}: who sees its details`);
  }
  for (const u of ['isf.aze', 'isf.egy', 'trainer', 'ddr.officer', 'board.chair']) {
    assert.ok(!sees(u, W.ocha_site) && !sees(u, W.ocha_mov), `${u} sees no humanitarian notification in the Gaza scenario`);
  }
});

// Checks one returned record (site or movement object) for account u.
function checkRecord(u, w, rec, where) {
  const text = JSON.stringify(rec);
  if (!seesDetail(u, w)) {
    assert.deepEqual(leaked(text, w), [], `${u}: ${where} of ${w.id} leaks details`);
    assert.ok(!('contact' in rec) || rec.contact === null, `${u}: ${where} of ${w.id} has contact`);
    assert.ok(!('staff_names' in rec) || rec.staff_names === null, `${u}: ${where} of ${w.id} has staff_names`);
  } else if (w.kind === 'site') {
    assert.equal(rec.contact?.name, w.id === W.ocha_site.id ? SECRET.ocha_site2[0] : SECRET.wfp_site[0], `${u}: ${where} of ${w.id}: the contact`);
  } else if (w.kind === 'movement') {
    assert.ok(Array.isArray(rec.staff_names) && rec.staff_names.length > 0 && rec.contact?.name, `${u}: ${where} of ${w.id}: staff names and contact`);
  }
  // Locations, routes and windows reach everyone who sees the record.
  if (w.kind === 'movement') {
    assert.equal(rec.route?.type, 'LineString', `${u}: ${where} of ${w.id}: the route`);
    assert.ok(rec.times?.length === rec.route.coordinates.length && rec.window_from && rec.window_until, `${u}: ${where} of ${w.id}: times and window`);
  } else {
    assert.ok(rec.geometry?.type, `${u}: ${where} of ${w.id}: the geometry`);
    assert.ok(rec.valid_from && rec.valid_until, `${u}: ${where} of ${w.id}: the validity`);
  }
}

const pathOf = (w) => ({ site: '/api/v1/sites', movement: '/api/v1/movements', nostrike: '/api/v1/nostrike' })[w.kind];
const listKey = (w) => ({ site: 'sites', movement: 'movements', nostrike: 'nostrike' })[w.kind];

test('lists and get by id: present exactly for those the sharing settings name, details only for the submitter and the CMCC', async () => {
  const failures = [];
  for (const u of USERS) {
    for (const w of Object.values(W)) {
      try {
        const l = await server.api('GET', pathOf(w), { token: t[u] });
        assert.equal(l.status, 200, `${u}: GET ${pathOf(w)}: ${l.status}`);
        const rec = l.body[listKey(w)].find((x) => x.id === w.id);
        assert.equal(!!rec, sees(u, w), `${u}: ${w.id} in the list`);
        if (rec) checkRecord(u, w, rec, 'list');
        if (!sees(u, w)) assert.deepEqual(leaked(l.text, w), [], `${u}: the list leaks details of ${w.id}`);
        const g = await server.api('GET', `${pathOf(w)}/${w.id}`, { token: t[u] });
        if (sees(u, w)) {
          assert.equal(g.status, 200, `${u}: GET ${w.id}: ${g.status}`);
          checkRecord(u, w, g.body[w.kind] || g.body, 'get');
        } else {
          assert.ok([403, 404].includes(g.status), `${u}: GET ${w.id} must be refused: ${g.status} ${g.text.slice(0, 200)}`);
          assert.ok(!g.text.includes('coordinates') && !g.text.includes('OCHA assessment'), `${u}: the refusal of ${w.id} says nothing of it: ${g.text.slice(0, 200)}`);
          assert.deepEqual(leaked(g.text, w), []);
        }
        // Filters do not open anything: org=, mine=1, status=.
        for (const q of [`?org=${w.org}`, '?mine=1', '?status=facilitated', '?status=submitted']) {
          const f = await server.api('GET', `${pathOf(w)}${q}`, { token: t[u] });
          if (!sees(u, w)) assert.ok(!idRe(w.id).test(f.text) || f.status !== 200, `${u}: ${pathOf(w)}${q} shows ${w.id}`);
          if (!seesDetail(u, w)) assert.deepEqual(leaked(f.text, w), [], `${u}: ${pathOf(w)}${q} leaks details of ${w.id}`);
        }
      } catch (e) { failures.push(e.message.split('\n')[0]); }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('exports (GeoJSON and HXL CSV) hold exactly what the caller may see', async () => {
  const failures = [];
  for (const u of USERS) {
    for (const w of Object.values(W)) {
      for (const format of ['geojson', 'csv']) {
        try {
          const r = await server.api('GET', `${pathOf(w)}?format=${format}`, { token: t[u] });
          assert.equal(r.status, 200, `${u}: ${pathOf(w)}?format=${format}: ${r.status} ${r.text.slice(0, 200)}`);
          if (!seesDetail(u, w)) assert.deepEqual(leaked(r.text, w), [], `${u}: ${format} export leaks details of ${w.id}`);
          if (format === 'geojson') {
            const f = r.body.features.find((x) => x.properties.id === w.id || x.id === w.id);
            assert.equal(!!f, sees(u, w), `${u}: ${w.id} in the GeoJSON export`);
            if (f) {
              checkRecord(u, w, { ...f.properties, [w.kind === 'movement' ? 'route' : 'geometry']: f.geometry }, 'GeoJSON export');
              if (seesDetail(u, w) && w.secrets.length) assert.ok(w.secrets.some((s) => r.text.includes(s)), `${u}: the GeoJSON export of ${w.id} has its details`);
            }
          } else {
            const hx = readHxl(r.text);
            const has = idRe(w.id).test(r.text);
            assert.equal(has, sees(u, w), `${u}: ${w.id} in the CSV export`);
            if (has && seesDetail(u, w) && w.kind === 'site') assert.ok(w.secrets.some((s) => r.text.includes(s)), `${u}: the CSV export of ${w.id} has its contact`);
            assert.ok(hx.records.length >= 0);
          }
        } catch (e) { failures.push(e.message.split('\n')[0]); }
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('deconfliction results and the conflicts kept on records name only what the caller may see, without details', async () => {
  const failures = [];
  const c = region(6);
  const body = { geometry: pt(c), radius_m: 300, from: iso(T0 - H), until: iso(T0 + 4 * H) };
  for (const u of USERS) {
    try {
      const r = await server.api('POST', '/api/v1/deconfliction/check', { token: t[u], body });
      assert.equal(r.status, 200, `${u}: check ${r.status}`);
      for (const w of Object.values(W)) {
        const hit = r.body.conflicts.some((x) => x.id === w.id);
        assert.equal(hit, sees(u, w), `${u}: ${w.id} in the check`);
        if (!seesDetail(u, w)) assert.deepEqual(leaked(r.text, w), [], `${u}: the check leaks details of ${w.id}`);
      }
      const unitHit = r.body.conflicts.some((x) => x.kind === 'unit' && x.id === UNIT.id);
      assert.equal(unitHit, maySee(me[u].labels, [...sharing.unit, `org:${UNIT.org}`]), `${u}: ${UNIT.id} in the check`);
      // WFP's site sits on OCHA's route: its kept conflicts name the movement only to those who see it.
      const g = await server.api('GET', `/api/v1/sites/${W.wfp_site.id}`, { token: t[u] });
      if (g.status === 200) {
        const site = g.body.site || g.body;
        const names = site.conflicts.some((x) => x.id === W.ocha_mov.id);
        assert.equal(names, sees(u, W.ocha_mov), `${u}: ${W.wfp_site.id}'s conflicts name ${W.ocha_mov.id}`);
      }
    } catch (e) { failures.push(e.message.split('\n')[0]); }
  }
  // The reply to WFP's own notification, too.
  if (W.wfp_site.reply.conflicts.some((x) => x.id === W.ocha_mov.id)) failures.push(`wfp.focal: the 201 reply for ${W.wfp_site.id} names OCHA's movement ${W.ocha_mov.id}`);
  // The CMCC sees that conflict (the test is real).
  const cm = await server.api('GET', `/api/v1/sites/${W.wfp_site.id}`, { token: t['cmcc.watch'] });
  if (!(cm.body.site || cm.body).conflicts.some((x) => x.id === W.ocha_mov.id)) failures.push(`cmcc.watch: ${W.wfp_site.id} does not keep its conflict with ${W.ocha_mov.id}`);
  assert.deepEqual(failures, [], failures.join('\n'));
});

// Every event written by the setup, as each account can read it: proofs of
// each seq, the raw log (audit accounts), the live stream.
function checkEvent(u, text, where, failures) {
  for (const w of Object.values(W)) {
    if (!idRe(w.id).test(text)) continue;
    if (!sees(u, w)) failures.push(`${u}: ${where} mentions ${w.id}, which ${u} may not see: ${text.slice(0, 200)}`);
    if (!seesDetail(u, w)) {
      const l = leaked(text, w);
      if (l.length) failures.push(`${u}: ${where} leaks ${w.id}'s details ${JSON.stringify(l)}`);
    }
  }
  // A detail string of an organisation never reaches an account that may not see that organisation's details.
  for (const w of Object.values(W)) {
    if (seesDetail(u, w)) continue;
    const l = leaked(text, w);
    if (l.length && !idRe(w.id).test(text)) failures.push(`${u}: ${where} carries ${JSON.stringify(l)} of ${w.id}`);
  }
}

test('replies to writes name only the conflicts the writer may see', async () => {
  const failures = [];
  const c = region(6);
  const seesUnit = (u) => maySee(me[u].labels, [...sharing.unit, `org:${UNIT.org}`]);
  const writes = [
    ['ocha.focal', `/api/v1/sites/${W.ocha_site.id}/amend`, { staff_count: 15 }],
    ['ocha.focal', '/api/v1/sites', siteBody(lengthwise(c, 45), { category: 'office', not_duplicate_of: [W.ocha_site.id] })],
    ['ocha.focal', `/api/v1/movements/${W.ocha_mov.id}/amend`, { cargo: 'tents' }],
    ['wfp.focal', `/api/v1/movements/${W.wfp_mov.id}/amend`, { cargo: 'rice' }],
    ['wfp.focal', `/api/v1/sites/${W.wfp_site.id}/amend`, { staff_count: 3 }],
    ['cmcc.watch', `/api/v1/sites/${W.ocha_site.id}/acknowledge`, {}],
  ];
  for (const [u, path, body] of writes) {
    const r = await server.api('POST', path, { token: t[u], body });
    if (![200, 201].includes(r.status)) { failures.push(`${u} ${path}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
    const conflicts = r.body.conflicts || [];
    for (const w of Object.values(W)) {
      if (conflicts.some((x) => x.id === w.id) && !sees(u, w)) failures.push(`${u} ${path}: the reply names ${w.id}, which ${u} may not see`);
      if (!seesDetail(u, w) && leaked(r.text, w).length) failures.push(`${u} ${path}: the reply leaks ${JSON.stringify(leaked(r.text, w))}`);
    }
    if (conflicts.some((x) => x.kind === 'unit') && !seesUnit(u)) failures.push(`${u} ${path}: the reply names unit ${conflicts.find((x) => x.kind === 'unit').id}`);
  }
  // The CMCC is told about all of them (the test is real).
  const g = await server.api('GET', `/api/v1/sites/${W.ocha_site.id}`, { token: t['cmcc.watch'] });
  const kept = (g.body.site || g.body).conflicts.map((x) => x.id);
  for (const id of [W.wfp_mov.id, W.ocha_mov.id, UNIT.id]) if (!kept.includes(id)) failures.push(`cmcc.watch: ${W.ocha_site.id} does not keep its conflict with ${id}: ${kept}`);
  const o = await server.api('GET', `/api/v1/sites/${W.ocha_site.id}`, { token: t['ocha.focal'] });
  const okept = (o.body.site || o.body).conflicts;
  if (okept.some((x) => x.id === W.wfp_mov.id || x.kind === 'unit')) failures.push(`ocha.focal: ${W.ocha_site.id}'s kept conflicts name ${okept.filter((x) => x.id === W.wfp_mov.id || x.kind === 'unit').map((x) => x.id)}`);
  // The unit list: only those sharing.unit names.
  for (const u of USERS) {
    const l = await server.api('GET', '/api/v1/units', { token: t[u] });
    const has = l.status === 200 && (l.body.units || []).some((x) => x.id === UNIT.id);
    if (has !== seesUnit(u)) failures.push(`${u}: GET /api/v1/units ${has ? 'shows' : 'does not show'} ${UNIT.id} (${l.status})`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('inclusion proofs of every event: details only to the submitter and the CMCC; other organisations\' movements not at all', async () => {
  const failures = [];
  const visible = {};
  for (const u of USERS) {
    visible[u] = [];
    for (let seq = s0 + 1; seq <= s1; seq++) {
      const p = await server.api('GET', `/api/v1/log/proof/${seq}`, { token: t[u] });
      if (p.status === 404) continue;
      if (p.status !== 200) { failures.push(`${u}: proof ${seq}: ${p.status}`); continue; }
      visible[u].push(p.body.event);
      checkEvent(u, p.body.event, `proof of event ${seq}`, failures);
    }
  }
  // The submitter and the CMCC do get the details (the check is real), the IDF liaison gets the locations.
  for (const [u, w] of [['ocha.focal', W.ocha_site], ['ocha.focal', W.ocha_mov], ['cmcc.watch', W.ocha_mov], ['wfp.focal', W.wfp_mov]]) {
    if (!visible[u].some((e) => w.secrets.some((s) => e.includes(s)))) failures.push(`${u}: no readable event carries ${w.id}'s details`);
  }
  for (const w of [W.ocha_site, W.ocha_mov, W.wfp_site]) {
    if (!visible['idf.liaison'].some((e) => idRe(w.id).test(e) && e.includes('coordinates'))) failures.push(`idf.liaison: no readable event carries ${w.id}'s location`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('the raw log (/api/v1/log/events, audit accounts) and the live event stream follow the same rules', async () => {
  const failures = [];
  for (const u of AUDIT) {
    const r = await server.api('GET', `/api/v1/log/events?after=${s0}&limit=1000`, { token: t[u] });
    if (r.status !== 200) { failures.push(`${u}: log/events ${r.status}`); continue; }
    for (const ev of r.body.events) {
      checkEvent(u, JSON.stringify(ev), `log/events ${ev.seq}`, failures);
      if (!maySee(me[u].labels, ev.labels)) failures.push(`${u}: log/events shows ${ev.seq} labelled ${ev.labels}`);
    }
  }
  for (const u of USERS) {
    const evs = streams[u].events.filter((e) => Number(e.id) > s0 && Number(e.id) <= s1);
    for (const e of evs) checkEvent(u, e.data, `stream event ${e.id}`, failures);
    // Those who see a record get its events on the stream; the others get none of them.
    for (const w of Object.values(W)) {
      const got = evs.some((e) => idRe(w.id).test(e.data));
      if (sees(u, w) && !got) failures.push(`${u}: the stream delivered no event about ${w.id}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('no account ever receives another organisation\'s details anywhere (a sweep of every secret over every read path)', async () => {
  // Belt and braces over everything readable: lists, exports, the stream.
  const failures = [];
  for (const u of USERS) {
    const texts = [];
    for (const p of ['/api/v1/sites', '/api/v1/movements', '/api/v1/nostrike', '/api/v1/sites?format=geojson', '/api/v1/movements?format=geojson', '/api/v1/sites?format=csv']) {
      const r = await server.api('GET', p, { token: t[u] });
      texts.push([p, r.text]);
    }
    texts.push(['stream', streams[u].events.map((e) => e.data).join('\n')]);
    for (const [p, text] of texts) {
      for (const w of Object.values(W)) {
        if (seesDetail(u, w)) continue;
        const l = leaked(text, w);
        if (l.length) failures.push(`${u}: ${p} carries ${JSON.stringify(l)} (${w.id})`);
      }
    }
  }
  assert.ok(ALL_SECRETS.length > 10);
  assert.deepEqual(failures, [], failures.join('\n'));
});

// tests/lib/psf.mjs — helpers shared by the PSF and hand-over tests (API and
// browser): a synthetic candidate (EXERCISE personal data), taking a
// candidate through vetting to approval, training and certification, and a
// PSF unit whose readiness is fully known.
import assert from 'node:assert/strict';

export const D = 86400000;
export const iso = (ms) => new Date(ms).toISOString();

export const PHASES = ['isf_led', 'joint', 'pa_led_isf_support', 'pa_led'];
export const PARTIES = ['us', 'isf', 'bop', 'israel', 'pa'];
// Who signs for whom in the Gaza scenario (their positions hold handover.<party>).
export const SIGNERS = { us: 'state.desk', isf: 'isf.hq', bop: 'board.chair', israel: 'cogat.rep', pa: 'ptc.chair' };
export const VETTING_REQUIRED = ['identity', 'criminal_record', 'human_rights', 'ddr_register', 'incident_perpetrators'];

let serial = 0;
// A synthetic candidate: names and ID numbers that appear nowhere else, so a
// test can search any response for them.
export function candidateBody(over = {}) {
  serial += 1;
  const tag = `${Date.now().toString(36)}${serial}`.toUpperCase();
  return {
    name_en: `Exercisecandidate Qx${tag} Zorvani`,
    name_ar: `مرشح تمرين ${tag}`,
    date_of_birth: '1998-04-12T00:00:00Z',
    id_number: `EXID${tag}`,
    service: 'police',
    sector: 'SEC-NORTH',
    exercise: true,
    ...over,
  };
}

export function client(server, tokens) {
  return (user) => ({
    get: (path) => server.api('GET', path, { token: tokens[user] }),
    post: (path, body = {}) => server.api('POST', path, { token: tokens[user], body }),
  });
}

export async function ok(r, status, what = '') {
  const res = await r;
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 400)}`);
  return res.body;
}

// Registers a candidate (vetting cell); returns { id, body }.
export async function register(as, over = {}) {
  const body = candidateBody(over);
  const r = await ok(as('psf.vetting').post('/api/v1/psf/candidates', body), 201, 'register');
  assert.match(r.id, /^CND-\d+$/);
  return { id: r.id, body, reply: r };
}

// Records every required step passed, runs the checks and approves.
export async function approve(as, id) {
  for (const step of VETTING_REQUIRED) await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/vetting`, { step, result: 'passed' }), 200, step);
  await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/checks`, {}), 200, 'checks');
  await ok(as('psf.vetting').post(`/api/v1/psf/candidates/${id}/decision`, { outcome: 'approved' }), 200, 'approve');
}

export async function course(as, over = {}) {
  const now = Date.now();
  const r = await ok(as('trainer').post('/api/v1/psf/courses', {
    type: 'basic', name: { en: 'Basic course (exercise)', ar: 'دورة أساسية (تمرين)' }, provider: 'OSC',
    instructors: ['PER-012'], starts_on: iso(now - 30 * D), ends_on: iso(now - D), capacity: 50, pass_mark: 60, ...over,
  }), 201, 'course');
  return r.id;
}

// Enrols, assesses at score and (when passed and certify) certifies.
export async function train(as, courseId, cand, score = 80, certify = true) {
  await ok(as('trainer').post(`/api/v1/psf/courses/${courseId}/enrol`, { candidate: cand }), 200, 'enrol');
  await ok(as('trainer').post(`/api/v1/psf/courses/${courseId}/assess`, { candidate: cand, score }), 200, 'assess');
  if (certify && score >= 60) return (await ok(as('trainer').post(`/api/v1/psf/courses/${courseId}/certify`, { candidate: cand }), 201, 'certify')).id;
  return null;
}

export async function unit(as, over = {}) {
  const r = await ok(as('trainer').post('/api/v1/psf/units', {
    name: { en: 'Test police company (exercise)', ar: 'سرية شرطة اختبار (تمرين)' }, type: 'police', sector: 'SEC-NORTH', authorised_strength: 2, ...over,
  }), 201, 'unit');
  return r.id;
}

// A unit in sector with every component full: members approved and certified,
// equipment held as authorised, three exercises passed (one civil coordination).
export async function readyUnit(as, sector, members = 2) {
  const u = await unit(as, { sector, authorised_strength: members });
  const crs = await course(as);
  for (let i = 0; i < members; i++) {
    const { id } = await register(as, { sector });
    await approve(as, id);
    await train(as, crs, id, 85);
    await ok(as('trainer').post(`/api/v1/psf/units/${u}/members`, { candidate: id, action: 'add' }), 200, 'member');
  }
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/equipment`, { item: 'vehicle', authorised: 4, held: 4 }), 200, 'equipment');
  const day = Date.now() - 2 * D;
  for (const type of ['field', 'command_post']) await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type, date: iso(day), result: 'passed' }), 201, type);
  await ok(as('trainer').post(`/api/v1/psf/units/${u}/exercises`, { type: 'civil_coordination', date: iso(day), result: 'passed', civilian_leaders: ['POS-PTC-CHAIR'] }), 201, 'civil');
  return u;
}

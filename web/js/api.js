// api.js — the one way the app talks to the server. The session is the
// HttpOnly cookie the server sets at login (scripts never see it); the CSRF
// token from the login reply or GET /api/v1/me is kept in memory only and
// sent as X-CSRF-Token on every write.
let csrf = null;
let onUnauthenticated = null;

export function setCsrf(token) { csrf = token || null; }
export function whenUnauthenticated(f) { onUnauthenticated = f; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http');
    this.field = e.field || null;
    this.serverMessage = e.message || '';
    this.details = e;          // the whole error object (duplicates, rows, ...)
  }
}

// api('POST', '/api/v1/journal', {text}) → parsed JSON, or throws ApiError.
// A 401 on anything but the login itself means the session has ended.
// type: send body as it is with that Content-Type (a CSV file), not as JSON.
export async function api(method, path, body, { quiet401 = false, type = null } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = type || 'application/json';
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : (type ? body : JSON.stringify(body)),
    });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: String(err && err.message || err) } });
  }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && !quiet401 && path !== '/api/v1/session' && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  return json;
}

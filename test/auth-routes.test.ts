// Every procedure of the contract, walked from shared/contract: without a valid session or token
// it answers 401 (the open ones excepted), an agent token is refused with a message saying where it
// belongs, a cookie without the CSRF header cannot change anything, and a foreign Origin is refused.
// A route added to the contract is in this table by construction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProcedures, procedures, type Procedure } from '../shared/contract/index.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';

const OPEN = new Set<string>(openProcedures);
const all = Object.entries(procedures as Record<string, Procedure>).map(([name, p]) => ({
  name,
  method: p.method,
  // Any value for path params: authentication comes before the route looks at them.
  path: p.path.replace(/:(\w+)/g, 'x-$1'),
}));
const guarded = all.filter((p) => !OPEN.has(p.name));
const changing = guarded.filter((p) => p.method !== 'GET');

describe('every API route needs a session or a token', () => {
  let target: StoreTarget;
  let app: TestApp;
  let agentToken: string;

  beforeAll(async () => {
    target = sqliteTarget();
    app = await startTestApp(target);
    agentToken = (await app.addHost('web-1')).token;
  });
  afterAll(async () => {
    await app?.stop();
    await target?.cleanup();
  });

  it('names the open procedures that exist (a rename cannot silently open or close one)', () => {
    for (const name of openProcedures) expect(Object.keys(procedures)).toContain(name);
    expect(guarded.length).toBeGreaterThan(30);
  });

  it.each(guarded)('$name ($method $path) refuses a call without credentials', async (p) => {
    const res = await app.call(p.method, p.path, p.method === 'GET' ? undefined : {});
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each(guarded)('$name refuses an agent token, saying what it is for', async (p) => {
    const res = await app.call(p.method, p.path, p.method === 'GET' ? undefined : {}, { authorization: `Bearer ${agentToken}` });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/agent token: it can only post metrics to the ingest listener/);
  });

  it.each(guarded)('$name refuses an unknown API token and a session that does not exist', async (p) => {
    const body = p.method === 'GET' ? undefined : {};
    const bad = await app.call(p.method, p.path, body, { authorization: 'Bearer wtapi_not-a-real-token' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toMatch(/unknown, expired or revoked API token/);
    const forged = await app.call(p.method, p.path, body, { cookie: 'wt_session=forged', 'x-csrf-token': 'x' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toMatch(/session has ended/);
    const malformed = await app.call(p.method, p.path, body, { cookie: 'wt_session=%E0%A4%A' });
    expect(malformed.status).toBe(401);
  });

  it.each(changing)('$name refuses a session cookie without the CSRF header, or with a wrong one', async (p) => {
    const none = await app.call(p.method, p.path, {}, { cookie: app.owner.cookie });
    expect(none.status, JSON.stringify(none.body)).toBe(403);
    expect(none.body.error.code).toBe('csrf');
    const wrong = await app.call(p.method, p.path, {}, { cookie: app.owner.cookie, 'x-csrf-token': `${app.owner.csrfToken}x` });
    expect(wrong.status).toBe(403);
  });

  it.each(all.filter((p) => p.method !== 'GET'))('$name refuses a cross-site Origin, even with valid credentials', async (p) => {
    const res = await app.call(
      p.method,
      p.path,
      {},
      {
        cookie: app.owner.cookie,
        'x-csrf-token': app.owner.csrfToken,
        origin: 'https://evil.example',
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('bad_origin');
  });

  it('lets the open procedures through without credentials', async () => {
    expect((await app.call('GET', '/healthz')).status).toBe(200);
    expect((await app.call('GET', '/api/v1/auth/setup')).body).toEqual({ needed: false });
    // Reached, and refused on its merits (not for lack of a session).
    const signIn = await app.call('POST', '/api/v1/auth/sign-in', { username: 'nobody', password: 'wrong-password' });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.code).toBe('bad_credentials');
  });

  it('accepts the same call with a session and its CSRF token, from its own origin', async () => {
    const res = await app.call(
      'POST',
      '/api/v1/hosts',
      { name: 'web-2' },
      {
        cookie: app.owner.cookie,
        'x-csrf-token': app.owner.csrfToken,
        origin: app.url,
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // GET needs no CSRF header.
    expect((await app.call('GET', '/api/v1/hosts', undefined, { cookie: app.owner.cookie })).status).toBe(200);
  });
});

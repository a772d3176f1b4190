// Access on both stores: first-run setup through the one-time token (every instance's link valid
// until the owner exists or it expires), sign-in to a cookie session, sign-out ending it on the
// server, API tokens shown once and revocable, token kinds kept apart, the actor of incident
// changes, and the sign-in throttle.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../core/app.js';
import { HttpError } from '../core/api/errors.js';
import { Auth } from '../core/auth/service.js';
import type { Store } from '../core/store/types.js';
import { startBareApp, startTestApp, type TestApp } from './helpers/app.js';
import { deleteKeys, randomPrefix } from './helpers/redis.js';
import { postgresTarget, REDIS_URL, STORE_TARGETS, type StoreTarget } from './helpers/stores.js';
import { INGEST_PATH } from '../shared/protocol/index.js';
import { json, makeBatch } from './helpers/app.js';

const PASSWORD = 'a long enough passphrase';

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const cookieOf = (h: Headers) => h.get('set-cookie')!.split(';')[0]!;

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('first run on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let app: App | undefined;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await target?.cleanup();
  });

  it('creates the owner once, through the setup token only, and signs them in', async () => {
    target = makeTarget();
    app = await startBareApp(target);
    expect(app.setupToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(app.setupUrl).toBe(`${app.url}/setup#token=${app.setupToken}`);
    expect((await call(app.url, 'GET', '/api/v1/auth/setup')).body).toEqual({ needed: true });
    // Nothing else is open before setup either.
    expect((await call(app.url, 'GET', '/api/v1/hosts')).status).toBe(401);

    const wrong = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: 'guess', username: 'ada', password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      code: 'bad_setup_token',
      message: expect.stringMatching(/^unknown or expired setup token; /),
    });
    expect(wrong.body.error.message).toMatch(/earlier ones stay valid\), or restart `watchtower serve` to print a new setup link$/);
    const short = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: app.setupToken, username: 'ada', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.issues[0]).toMatchObject({ path: 'password', message: 'at least 10 characters' });

    const ok = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: app.setupToken, username: 'ada', password: PASSWORD });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ user: { name: 'ada', role: 'owner' }, via: 'session' });
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^wt_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(setCookie).not.toMatch(/Secure/); // plain http on loopback

    const again = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: app.setupToken, username: 'eve', password: PASSWORD });
    expect(again.status).toBe(409);
    expect((await call(app.url, 'GET', '/api/v1/auth/setup')).body).toEqual({ needed: false });
    const me = await call(app.url, 'GET', '/api/v1/auth/session', undefined, { cookie: cookieOf(ok.headers) });
    expect(me.body).toMatchObject({ user: { name: 'ada' }, csrfToken: ok.body.csrfToken });
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    target = makeTarget();
    app = await startBareApp(target, { http: { port: 0, publicUrl: 'https://watchtower.example.com' } });
    expect(app.setupUrl).toBe(`https://watchtower.example.com/setup#token=${app.setupToken}`);
    const ok = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: app.setupToken, username: 'ada', password: PASSWORD });
    expect(ok.headers.get('set-cookie')).toMatch(/; Secure$/);
    // The public origin is accepted as the dashboard's own.
    const signOut = await call(
      app.url,
      'POST',
      '/api/v1/auth/sign-out',
      {},
      {
        cookie: cookieOf(ok.headers),
        'x-csrf-token': ok.body.csrfToken,
        origin: 'https://watchtower.example.com',
      },
    );
    expect(signOut.status).toBe(200);
  });
});

const setupTokenRows = async (store: Store) =>
  Number((await store.sql.all<{ n: unknown }>("SELECT count(*) AS n FROM meta WHERE key LIKE 'auth.setupToken:%'"))[0]!.n);

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('setup links of several instances on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let stores: Store[] = [];
  let t = 1_000_000;
  const DAY = 24 * 60 * 60_000;

  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
    await target.cleanup();
  });

  /** An instance's Auth on its own connection to the shared database, as each server process has. */
  async function instance(): Promise<Auth> {
    const store = await target.open();
    stores.push(store);
    return new Auth({ sql: store.sql, meta: store, now: () => t, log: pino({ level: 'silent' }), scrypt: { logN: 10, r: 8, p: 1 } });
  }
  const setUp = (auth: Auth, setupToken: string, username = 'ada') =>
    auth.completeSetup({ setupToken, username, password: 'right password' }, '10.0.0.1').then(
      () => 201,
      (err: unknown) => (err instanceof HttpError ? `${err.statusCode} ${err.code}` : Promise.reject(err)),
    );

  it("keeps every start's link valid until the owner is created, on whichever instance; then none", async () => {
    target = makeTarget();
    const [a, b] = [await instance(), await instance()];
    const fromA = (await a.prepareSetup())!;
    t += 60_000;
    const fromB = (await b.prepareSetup())!;
    t += 60_000;
    const fromARestart = (await a.prepareSetup())!;
    expect(new Set([fromA, fromB, fromARestart]).size).toBe(3);
    expect(await setupTokenRows(stores[0]!)).toBe(3);
    // A wrong token is refused and consumes nothing: A's first link still works, on B.
    expect(await setUp(a, 'guess')).toBe('401 bad_setup_token');
    expect(await setUp(b, fromA)).toBe(201);
    // Setup done: every link is refused, on both instances, and their rows are gone.
    for (const auth of [a, b])
      for (const token of [fromA, fromB, fromARestart]) expect(await setUp(auth, token, 'eve')).toBe('409 already_set_up');
    expect(await setupTokenRows(stores[0]!)).toBe(0);
    expect(await a.prepareSetup()).toBeNull();
    expect(await setupTokenRows(stores[0]!)).toBe(0);
  });

  it('refuses a link after 24 h while a later one still works; expired ones are pruned', async () => {
    target = makeTarget();
    const [a, b] = [await instance(), await instance()];
    const old = (await a.prepareSetup())!;
    t += DAY - 60_000;
    const recent = (await b.prepareSetup())!;
    t += 60_000; // old is exactly 24 h old now
    expect(await setUp(b, old)).toBe('401 bad_setup_token');
    expect(await setupTokenRows(stores[0]!)).toBe(2);
    expect((await a.prune()).setupTokens).toBe(1);
    expect(await setupTokenRows(stores[0]!)).toBe(1);
    t += DAY - 60_001;
    expect(await setUp(a, recent)).toBe(201);
    expect(await setupTokenRows(stores[0]!)).toBe(0);
  });

  it('prunes the expired links at the next start, and drops a link an instance made while another completed setup', async () => {
    target = makeTarget();
    const [a, b] = [await instance(), await instance()];
    await a.prepareSetup();
    await a.prepareSetup();
    t += DAY;
    const fresh = (await b.prepareSetup())!;
    expect(await setupTokenRows(stores[0]!)).toBe(1);
    // Setup completing on B between A's "no owner yet" and A storing its token: A prints no link.
    const needed = a.setupNeeded.bind(a);
    let calls = 0;
    a.setupNeeded = async () => {
      const r = await needed();
      if (++calls === 1) expect(await setUp(b, fresh)).toBe(201);
      return r;
    };
    expect(await a.prepareSetup()).toBeNull();
    expect(await setupTokenRows(stores[0]!)).toBe(0);
  });

  it('creates one owner when two instances complete setup at once with their own links', async () => {
    target = makeTarget();
    const [a, b] = [await instance(), await instance()];
    const [fromA, fromB] = [(await a.prepareSetup())!, (await b.prepareSetup())!];
    const results = await Promise.all([setUp(a, fromA, 'one'), setUp(b, fromB, 'two')]);
    expect(results.sort()).toEqual([201, '409 already_set_up']);
    expect(await a.store.countUsers()).toBe(1);
    expect(await setupTokenRows(stores[0]!)).toBe(0);
  });
});

describe('setup links in team mode (PostgreSQL + Redis)', () => {
  const target = postgresTarget();
  const prefix = randomPrefix();
  const apps: App[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await target.cleanup();
    await deleteKeys(prefix);
  });

  it("accepts the first instance's printed link after a second instance started", async () => {
    const start = () => startBareApp(target, { redis: { url: REDIS_URL, prefix } });
    apps.push(await start());
    apps.push(await start());
    const [a, b] = apps as [App, App];
    expect(a.setupToken && b.setupToken && a.setupToken !== b.setupToken).toBe(true);
    const ok = await call(a.url, 'POST', '/api/v1/auth/setup', { setupToken: a.setupToken, username: 'ada', password: PASSWORD });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    for (const app of apps) {
      const late = await call(app.url, 'POST', '/api/v1/auth/setup', { setupToken: b.setupToken, username: 'eve', password: PASSWORD });
      expect(late.status).toBe(409);
    }
  });
});

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('sessions and tokens on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let app: TestApp;

  beforeAll(async () => {
    target = makeTarget();
    app = await startTestApp(target);
  });
  afterAll(async () => {
    await app?.stop();
    await target?.cleanup();
  });

  it('signs in, and sign-out ends the session on the server (the old cookie stops working)', async () => {
    const bad = await app.call('POST', '/api/v1/auth/sign-in', { username: 'owner', password: 'not the password' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toEqual({ code: 'bad_credentials', message: 'wrong user name or password' });
    const res = await app.call('POST', '/api/v1/auth/sign-in', { username: 'OWNER', password: app.owner.password });
    expect(res.status).toBe(200);
    const cookie = cookieOf(res.headers);
    const headers = { cookie, 'x-csrf-token': res.body.csrfToken };
    expect((await app.call('GET', '/api/v1/hosts', undefined, { cookie })).status).toBe(200);
    const out = await app.call('POST', '/api/v1/auth/sign-out', {}, headers);
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^wt_session=; .*Max-Age=0/);
    const after = await app.call('GET', '/api/v1/hosts', undefined, { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/session has ended/);
    // Other sessions live on.
    expect((await app.call('GET', '/api/v1/hosts', undefined, { cookie: app.owner.cookie })).status).toBe(200);
  });

  it('shows an API token once, lists it without its secret, and revoking it refuses it at once', async () => {
    const created = await app.api('POST', '/api/v1/tokens', { name: 'backup script', expiresInDays: 30 });
    expect(created.status).toBe(201);
    const { token, secret } = created.body;
    expect(secret).toMatch(/^wtapi_/);
    expect(secret.startsWith(token.prefix)).toBe(true);
    const listed = (await app.api('GET', '/api/v1/tokens')).body.tokens;
    expect(listed.map((t: { name: string }) => t.name)).toContain('backup script');
    expect(JSON.stringify(listed)).not.toContain(secret);

    const auth = { authorization: `Bearer ${secret}` };
    const me = await app.call('GET', '/api/v1/auth/session', undefined, auth);
    expect(me.body).toMatchObject({ user: { name: 'owner' }, via: 'token', csrfToken: null });
    // Tokens need no CSRF header (browsers never send them on their own).
    expect((await app.call('POST', '/api/v1/hosts', { name: 'from-script' }, auth)).status).toBe(201);

    expect((await app.api('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(200);
    const refused = await app.call('GET', '/api/v1/hosts', undefined, auth);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('unknown, expired or revoked API token');
    expect((await app.api('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(404);
  });

  it('keeps token kinds apart: an API token cannot post to ingest, an agent token cannot call the API', async () => {
    const host = await app.addHost('kinds-1');
    const viaApiToken = await app.post(app.owner.apiToken, json(makeBatch()));
    expect(viaApiToken.status).toBe(401);
    expect(viaApiToken.body.error.message).toMatch(/API token: it calls the API, never ingest/);
    const viaAgent = await app.call('GET', '/api/v1/hosts', undefined, { authorization: `Bearer ${host.token}` });
    expect(viaAgent.status).toBe(401);
    expect(viaAgent.body.error.message).toMatch(/agent token/);
    expect((await app.post(host.token, json(makeBatch()))).status).toBe(200);
    // Agents posting to the API's address are told where ingest is.
    const misdirected = await call(app.url, 'POST', INGEST_PATH, makeBatch(), { authorization: `Bearer ${host.token}` });
    expect(misdirected.status).toBe(421);
    expect(misdirected.body.error.message).toMatch(/ingest listener/);
    expect(app.ingestUrl).not.toBe(app.url);
  });

  it('records the signed-in user as the actor; a script token may name one', async () => {
    const inc = (await app.api('POST', '/api/v1/incidents/test', { title: 'actor check' })).body.incident;
    const session = { cookie: app.owner.cookie, 'x-csrf-token': app.owner.csrfToken };
    // A session cannot act as someone else.
    const ack = await app.call('POST', `/api/v1/incidents/${inc.id}/acknowledge`, { by: 'mallory' }, session);
    expect(ack.body.incident.acknowledgedBy).toBe('owner');
    await app.api('POST', `/api/v1/incidents/${inc.id}/notes`, { text: 'from the runbook bot', by: 'runbook-bot' });
    const res = await app.api('POST', `/api/v1/incidents/${inc.id}/resolve`, {});
    expect(res.body.incident.resolvedBy).toBe('owner');
    const timeline = (await app.api('GET', `/api/v1/incidents/${inc.id}`)).body.timeline as { type: string; actor: string }[];
    expect(timeline.find((e) => e.type === 'note')?.actor).toBe('runbook-bot');
  });

  it('throttles failed sign-ins per account, and then refuses even the right password until the window ends', async () => {
    const name = `owner`;
    for (let i = 0; i < 5; i++) {
      expect((await app.call('POST', '/api/v1/auth/sign-in', { username: name, password: `wrong-${i}` })).status).toBe(401);
    }
    const limited = await app.call('POST', '/api/v1/auth/sign-in', { username: name, password: app.owner.password });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/too many failed sign-ins for this account; try again in \d+ s/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
    // Existing sessions and tokens are not affected.
    expect((await app.api('GET', '/api/v1/hosts')).status).toBe(200);
  });
});

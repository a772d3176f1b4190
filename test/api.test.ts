// The API as a table of scenarios (pocketbase style), on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const MIN = 60_000;

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('API on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let app: TestApp;
  let web: { id: string; token: string };
  const t0 = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;

  beforeAll(async () => {
    target = makeTarget();
    app = await startTestApp(target);
    web = await app.addHost('web-1');
    // Ten minutes of cpu.usage at 10 s, value = minute index, plus events.
    const ts = Array.from({ length: 60 }, (_, i) => t0 + i * 10_000);
    const batch = {
      ...makeBatch({ series: 0 }),
      series: [
        { name: 'cpu.usage', labels: { cpu: 'total' }, ts, values: ts.map((t) => Math.floor((t - t0) / MIN)) },
        { name: 'cpu.usage', labels: { cpu: '0' }, ts, values: ts.map(() => 50) },
      ],
      events: [
        { ts: t0 + 1000, kind: 'log' as const, source: '/var/log/syslog', message: 'kernel: oom-killer invoked', level: 'error' as const },
      ],
    };
    expect((await app.post(web.token, json(batch))).status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
    await target?.cleanup();
  });

  const scenarios: { name: string; method: string; path: () => string; body?: unknown; status: number; expect: (b: any) => void }[] = [
    {
      name: 'health',
      method: 'GET',
      path: () => '/healthz',
      status: 200,
      expect: (b) => expect(b).toMatchObject({ status: 'ok', store: target.name }),
    },
    {
      name: 'list hosts',
      method: 'GET',
      path: () => '/api/v1/hosts',
      status: 200,
      expect: (b) => expect(b.hosts.map((h: { name: string }) => h.name)).toEqual(['web-1']),
    },
    {
      name: 'one host',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}`,
      status: 200,
      expect: (b) => expect(b.host).toMatchObject({ name: 'web-1', status: 'up' }),
    },
    {
      name: 'unknown host',
      method: 'GET',
      path: () => '/api/v1/hosts/h_nope',
      status: 404,
      expect: (b) => expect(b.error).toEqual({ code: 'not_found', message: 'host h_nope not found' }),
    },
    {
      name: 'duplicate name',
      method: 'POST',
      path: () => '/api/v1/hosts',
      body: { name: 'web-1' },
      status: 409,
      expect: (b) => expect(b.error.issues).toEqual([{ path: 'name', message: 'already taken' }]),
    },
    {
      name: 'bad name',
      method: 'POST',
      path: () => '/api/v1/hosts',
      body: { name: 'has space' },
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('name'),
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: () => '/api/v1/hosts',
      body: { name: 'x', color: 'red' },
      status: 400,
      expect: (b) => expect(b.error.message).toMatch(/color/),
    },
    {
      name: 'labels of wrong type',
      method: 'POST',
      path: () => '/api/v1/hosts',
      body: { name: 'x', labels: { a: 1 } },
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('labels.a'),
    },
    {
      name: 'latest',
      method: 'GET',
      path: () => `/api/v1/latest?hostId=${web.id}`,
      status: 200,
      expect: (b) =>
        expect(b.values).toContainEqual({ hostId: web.id, metric: 'cpu.usage', labels: { cpu: 'total' }, ts: t0 + 590_000, value: 9 }),
    },
    {
      name: 'latest of some metrics',
      method: 'GET',
      path: () => `/api/v1/latest?metrics=mem.used_percent,cpu.usage`,
      status: 200,
      expect: (b) => expect(b.values.map((v: { metric: string }) => v.metric)).toEqual(['cpu.usage', 'cpu.usage']),
    },
    {
      name: 'latest of a metric nobody sends',
      method: 'GET',
      path: () => `/api/v1/latest?hostId=${web.id}&metrics=mem.used_percent`,
      status: 200,
      expect: (b) => expect(b.values).toEqual([]),
    },
    {
      name: 'series by minute',
      method: 'GET',
      path: () =>
        `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=${t0}&to=${t0 + 3 * MIN}&step=60000&labels=${encodeURIComponent('{"cpu":"total"}')}`,
      status: 200,
      expect: (b) =>
        expect(b).toEqual({
          source: 'raw',
          stepMs: MIN,
          series: [
            { metric: 'cpu.usage', labels: { cpu: 'total' }, points: [0, 1, 2].map((m) => ({ ts: t0 + m * MIN, avg: m, min: m, max: m })) },
          ],
        }),
    },
    {
      name: 'series default step',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=${t0}&to=${t0 + 10 * MIN}`,
      status: 200,
      expect: (b) => expect(b).toMatchObject({ source: 'raw', stepMs: 2000 }),
    },
    {
      name: 'long range reads rollups',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=${t0 - 2 * 86_400_000}&to=${t0}`,
      status: 200,
      expect: (b) => expect(b).toMatchObject({ source: 'rollup', stepMs: 10 * MIN }),
    },
    {
      name: 'series range backwards',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=10&to=5`,
      status: 400,
      expect: (b) => expect(b.error.issues[0]).toEqual({ path: 'to', message: 'must be after from' }),
    },
    {
      name: 'series too many points',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=0&to=${86_400_000}&step=1000`,
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('step'),
    },
    {
      name: 'series bad labels',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?metric=cpu.usage&from=0&to=10&labels=nope`,
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('labels'),
    },
    {
      name: 'series missing metric',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/series?from=0&to=10`,
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('metric'),
    },
    {
      name: 'events',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/events?limit=5`,
      status: 200,
      expect: (b) => expect(b.events).toMatchObject([{ message: 'kernel: oom-killer invoked', level: 'error' }]),
    },
    {
      name: 'events limit out of range',
      method: 'GET',
      path: () => `/api/v1/hosts/${web.id}/events?limit=0`,
      status: 400,
      expect: (b) => expect(b.error.issues[0].path).toBe('limit'),
    },
    {
      name: 'malformed JSON body',
      method: 'POST',
      path: () => '/api/v1/hosts',
      body: '{',
      status: 400,
      expect: (b) => expect(b.error.code).toBe('bad_request'),
    },
    {
      name: 'unknown route',
      method: 'GET',
      path: () => '/api/v1/nope',
      status: 404,
      expect: (b) => expect(b.error.message).toBe('no route GET /api/v1/nope'),
    },
  ];

  it.each(scenarios)('$name → $status', async (s) => {
    const auth = { authorization: `Bearer ${app.owner.apiToken}` };
    const res = await fetch(app.url + s.path(), {
      method: s.method,
      ...(s.body !== undefined
        ? { body: typeof s.body === 'string' ? s.body : JSON.stringify(s.body), headers: { 'content-type': 'application/json', ...auth } }
        : { headers: auth }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(s.status);
    s.expect(body);
  });

  it('creates a host with a one-time token, rotates it, and deletes the host with its data', async () => {
    const created = await app.api('POST', '/api/v1/hosts', { name: 'db-1', labels: { role: 'db' } });
    expect(created.status).toBe(201);
    expect(created.body.agentToken).toMatch(/^wt_[A-Za-z0-9_-]{43}$/);
    expect(created.body.host).toMatchObject({ name: 'db-1', labels: { role: 'db' }, status: 'new' });
    const id = created.body.host.id;
    expect((await app.post(created.body.agentToken, json(makeBatch()))).status).toBe(200);
    const rotated = await app.api('POST', `/api/v1/hosts/${id}/token`);
    expect((await app.post(created.body.agentToken, json(makeBatch()))).status).toBe(401);
    expect((await app.post(rotated.body.agentToken, json(makeBatch()))).status).toBe(200);
    expect(await app.store.countSamples(id)).toBe(6);
    expect((await app.api('DELETE', `/api/v1/hosts/${id}`)).body).toEqual({ deleted: true });
    expect(await app.store.countSamples(id)).toBe(0);
    expect((await app.post(rotated.body.agentToken, json(makeBatch()))).status).toBe(401);
    expect((await app.api('DELETE', `/api/v1/hosts/${id}`)).status).toBe(404);
  });
});

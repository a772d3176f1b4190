// The server hands out the built dashboard at / (global setup builds it): index.html uncached with
// a CSP, hashed assets cached for good, browser routes answered with index.html, API paths never.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin, findDashboardDir } from '../core/api/static.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import Fastify from 'fastify';

describe('dashboard files', () => {
  let target: StoreTarget;
  let app: TestApp;
  beforeAll(async () => {
    target = sqliteTarget();
    app = await startTestApp(target);
  });
  afterAll(async () => {
    await app.stop();
    await target.cleanup();
  });

  const get = (path: string, accept = 'text/html') => fetch(app.url + path, { headers: { accept } });

  it('serves index.html at / without caching, with a content security policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toMatch(/<div id="root"><\/div>/);
  });

  it('serves hashed assets with a long cache lifetime', async () => {
    const js = readdirSync(join(findDashboardDir()!, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await get(`/assets/${js}`, '*/*');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('answers browser routes (the setup link) with index.html, and unknown API paths with JSON 404', async () => {
    const setup = await get('/setup');
    expect(setup.status).toBe(200);
    expect(await setup.text()).toMatch(/<div id="root">/);
    const api = await get('/api/v1/no-such-thing', 'application/json');
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe('not_found');
    const script = await get('/missing.js', '*/*');
    expect(script.status).toBe(404);
  });

  it('says how to build the dashboard when it is missing', async () => {
    const bare = Fastify();
    await bare.register(dashboardPlugin(null));
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/npm run build/);
    await bare.close();
  });
});

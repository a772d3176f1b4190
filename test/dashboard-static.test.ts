// The server hands out the built dashboard at / (global setup builds it): index.html uncached with
// a strict CSP, the favicon, hashed assets cached for good, browser routes answered with
// index.html, API paths never.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, dashboardPlugin, findDashboardDir } from '../core/api/static.js';
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
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    const html = await res.text();
    expect(html).toMatch(/<div id="root"><\/div>/);
    expect(html).toContain('<link rel="icon" type="image/svg+xml" href="./favicon.svg" />');
  });

  it('has a complete, strict policy: every fetch directive explicit, no inline or eval script, no plugins, no framing', () => {
    const policy = new Map(CSP.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1).join(' ')] as const));
    expect(policy.get('default-src')).toBe("'self'");
    // Set explicitly, so browsers never fall back to default-src (and never say they did).
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('style-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'"); // its own WebSocket included, no other host's
    for (const d of ['img-src', 'font-src', 'worker-src', 'manifest-src', 'media-src', 'frame-src']) expect(policy.has(d), d).toBe(true);
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('form-action')).toBe("'self'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(CSP).not.toMatch(/unsafe-|\*|data:.*script|https?:/);
    expect(policy.get('img-src')).toBe("'self' data:");
  });

  it('serves the favicon as SVG, and sends /favicon.ico there', async () => {
    const icon = await get('/favicon.svg', 'image/avif,image/webp,image/svg+xml,image/*,*/*;q=0.8');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 32 32">/);
    const ico = await fetch(app.url + '/favicon.ico', { redirect: 'manual' });
    expect(ico.status).toBe(301);
    expect(ico.headers.get('location')).toBe('/favicon.svg');
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

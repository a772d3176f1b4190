// Serves the built dashboard (dist/renderer) on the API listener: hashed assets cached for good,
// index.html never cached and with a strict CSP, the favicon, and any other browser GET outside
// /api answered with index.html (SPA fallback). Without a build, / says how to make one instead
// of a bare 404.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/renderer next to the server bundle (dist/watchtower.mjs) or from the source tree. */
export function findDashboardDir(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (const dir of [join(from, 'renderer'), join(from, '../../dist/renderer')]) if (existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

// The dashboard loads only its own files and talks only to its own origin ('self' covers its
// WebSocket too): no inline or eval'd script, no inline style, no plugins, no <base>, forms posting
// nowhere else, no framing. Each fetch directive is set rather than left to default-src. The page
// itself must not try eval either: zod's probe for it was the console's CSP error on every page
// (renderer/csp.ts turns it off).
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** The tab's icon (renderer/public, copied to the build's root by Vite). */
const FAVICON = 'favicon.svg';

export function dashboardPlugin(dir: string | null = findDashboardDir()) {
  return async (app: FastifyInstance): Promise<void> => {
    if (!dir) {
      app.get('/', async (_req, reply) =>
        reply.type('text/plain').send('The dashboard is not built: run `npm run build` (it writes dist/renderer), then restart.'),
      );
      return;
    }
    // Assets are looked up per request (wildcard), so a rebuild while the server runs is served too.
    await app.register(fastifyStatic, { root: dir, serve: false, cacheControl: false });
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      setHeaders: (res) => res.header('cache-control', 'public, max-age=31536000, immutable'),
    });
    const sendIndex = (reply: FastifyReply) =>
      reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-frame-options', 'DENY')
        .sendFile('index.html');
    app.get('/', async (_req, reply) => sendIndex(reply));
    app.get(`/${FAVICON}`, async (_req, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').sendFile(FAVICON),
    );
    // What browsers and tools ask for when a page names no icon (or is not a page at all).
    app.get('/favicon.ico', async (_req, reply) => reply.redirect(`/${FAVICON}`, 301));
    app.get('/*', async (req, reply) => {
      const wantsHtml = (req.headers.accept ?? '').includes('text/html');
      if (req.url.startsWith('/api/') || !wantsHtml) {
        return reply.code(404).send({ error: { code: 'not_found', message: `no route GET ${req.url.split('?')[0]}` } });
      }
      return sendIndex(reply);
    });
  };
}

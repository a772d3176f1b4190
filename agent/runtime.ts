// What differs between the runtimes the agent runs on: Node (development, tests) and Bun (the
// shipped artifact). Bun implements node:zlib, node:http and node:crypto as JavaScript modules it
// loads on first import; measured in Bun 1.4.5 they add ~11, ~8 and ~7 MB of resident memory over a
// 23 MB baseline, which the agent's 32 MB budget has no room for. Bun's built-ins (Bun.gzipSync,
// fetch, crypto.randomUUID) do the same work natively. Node keeps node:zlib and node:http (its
// fetch costs ~20 MB). Modules come from process.getBuiltinModule, so no static import loads the
// path a runtime does not use.
import type { Agent as HttpAgent } from 'node:http';
import { createRequire } from 'node:module';
import { INGEST_HEADER } from '../shared/protocol/wire.js';

// process.getBuiltinModule arrived in Node 20.16; older Node 20s load through require (the bundle's
// banner imports node:module anyway, so this costs nothing under Bun).
const builtin: typeof process.getBuiltinModule =
  typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule.bind(process)
    : (createRequire(import.meta.url) as unknown as typeof process.getBuiltinModule);

interface BunGlobal {
  gzipSync(data: string | Uint8Array): Uint8Array;
  gc(force: boolean): void;
}
const bun = (globalThis as { Bun?: BunGlobal }).Bun;
export const runtimeName: 'bun' | 'node' = bun ? 'bun' : 'node';

export function gzip(text: string): Buffer {
  if (bun) {
    const out = bun.gzipSync(text);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }
  return builtin('node:zlib').gzipSync(text);
}

/**
 * A full collection, under Bun. The shipped agent runs with Bun's idle GC timer off
 * (BUN_GC_TIMER_DISABLE=1), so JavaScriptCore collects only when allocation crosses its thresholds,
 * which the agent's ~10 kB of garbage per cycle takes long to reach: measured at a 1-s cycle, private
 * memory grew from 6 to 12 MB in ten minutes. A full collection once a minute holds it at ~5-6 MB
 * for ~1.5 ms each. Node's V8 keeps its own schedule.
 */
export function collectGarbage(): void {
  bun?.gc(true);
}

export interface PostResponse {
  status: number;
  body: string;
  retryAfter: string | null;
  /** The INGEST_HEADER value: the answer came from Watchtower's ingest endpoint. */
  ingest: string | null;
}

/** POSTs over one kept-alive connection. */
export interface Poster {
  post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<PostResponse>;
  close(): void;
}

export function createPoster(url: URL): Poster {
  return bun ? fetchPoster() : nodePoster(url);
}

function fetchPoster(): Poster {
  return {
    async post(url, headers, body, timeoutMs) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), keepalive: true });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') throw new Error('request timed out', { cause: err });
        throw err;
      }
      const h = res.headers;
      return { status: res.status, body: await res.text(), retryAfter: h.get('retry-after'), ingest: h.get(INGEST_HEADER) };
    },
    close() {},
  };
}

function nodePoster(url: URL): Poster {
  const https = url.protocol === 'https:';
  const mod = https ? builtin('node:https') : builtin('node:http');
  const agent: HttpAgent = new mod.Agent({ keepAlive: true });
  return {
    post(target, headers, body, timeoutMs) {
      return new Promise((resolve, reject) => {
        const req = mod.request(
          target,
          { method: 'POST', agent, timeout: timeoutMs, headers: { ...headers, 'content-length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const header = (name: string) => {
                const v = res.headers[name];
                return typeof v === 'string' ? v : null;
              };
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                retryAfter: header('retry-after'),
                ingest: header(INGEST_HEADER),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error('request timed out')));
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

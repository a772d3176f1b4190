// An in-process Watchtower on a store target, for API and ingest tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startApp, type App } from '../../core/app.js';
import { loadConfig } from '../../core/config/load.js';
import type { Batch } from '../../shared/protocol/index.js';
import { INGEST_PATH } from '../../shared/protocol/index.js';
import type { StoreTarget } from './stores.js';

export interface TestApp extends App {
  /** Calls the API; JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  addHost(name: string): Promise<{ id: string; token: string }>;
  post(
    token: string | null,
    body: Buffer | string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function startTestApp(target: StoreTarget, overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const cfg = loadConfig({
    env: { HOME: mkdtempSync(join(tmpdir(), 'wt-home-')) },
    overrides: {
      database: { url: target.url, ...(target.schema ? { schema: target.schema } : {}) },
      http: { port: 0 },
      log: { level: 'silent' },
      ...overrides,
    },
  });
  const app = await startApp(cfg);
  const api: TestApp['api'] = async (method, path, body) => {
    const res = await fetch(app.url + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    ...app,
    api,
    async addHost(name) {
      const res = await api('POST', '/api/v1/hosts', { name });
      if (res.status !== 201) throw new Error(`cannot add host: ${JSON.stringify(res.body)}`);
      return { id: res.body.host.id, token: res.body.agentToken };
    },
    async post(token, body, headers = {}) {
      const res = await fetch(app.url + INGEST_PATH, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}

let seq = 0;
/** A valid batch of `series` series with one sample each at `ts`. */
export function makeBatch(opts: { ts?: number; series?: number; batchId?: string } = {}): Batch {
  const ts = opts.ts ?? Date.now();
  return {
    v: 1,
    batchId: opts.batchId ?? `test-batch-${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`,
    agent: { version: '0.1.0', intervalMs: 10_000 },
    series: Array.from({ length: opts.series ?? 3 }, (_, i) => ({
      name: 'cpu.usage',
      labels: { cpu: String(i) },
      ts: [ts],
      values: [i * 10],
    })),
    events: [],
  };
}

export const json = (b: unknown) => JSON.stringify(b);
export const gz = (b: unknown) => gzipSync(JSON.stringify(b));

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
  /** Calls the API as the owner (through an API token); JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Calls the API with exactly these headers (no credentials unless given). */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** The owner's API token and browser session, made through the setup page's procedure. */
  owner: { name: string; password: string; apiToken: string; cookie: string; csrfToken: string };
  addHost(name: string): Promise<{ id: string; token: string }>;
  post(
    token: string | null,
    body: Buffer | string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/** An app as `watchtower serve` starts it: no owner yet on a fresh database (app.setupToken is set). */
export async function startBareApp(target: StoreTarget, overrides: Record<string, unknown> = {}): Promise<App> {
  const cfg = loadConfig({
    env: { HOME: mkdtempSync(join(tmpdir(), 'wt-home-')) },
    overrides: {
      database: { url: target.url, ...(target.schema ? { schema: target.schema } : {}) },
      http: { port: 0 },
      log: { level: 'silent' },
      ...overrides,
      ingest: { port: 0, ...(overrides.ingest as object | undefined) },
    },
  });
  return startApp(cfg);
}

export async function startTestApp(target: StoreTarget, overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const app = await startBareApp(target, overrides);
  const call: TestApp['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(app.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  let owner: TestApp['owner'];
  try {
    owner = await signUpOwner(app, call);
  } catch (err) {
    await app.stop();
    throw err;
  }
  const api: TestApp['api'] = async (method, path, body) => {
    const { status, body: b } = await call(method, path, body, { authorization: `Bearer ${owner.apiToken}` });
    return { status, body: b };
  };
  return {
    ...app,
    api,
    call,
    owner,
    async addHost(name) {
      const res = await api('POST', '/api/v1/hosts', { name });
      if (res.status !== 201) throw new Error(`cannot add host: ${JSON.stringify(res.body)}`);
      return { id: res.body.host.id, token: res.body.agentToken };
    },
    async post(token, body, headers = {}) {
      const res = await fetch(app.ingestUrl + INGEST_PATH, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}

/**
 * The first-run flow a person goes through: the setup link's token → owner account and session →
 * an API token for scripts. A second app on the same database finds the owner made: it signs in.
 */
async function signUpOwner(app: App, call: TestApp['call']): Promise<TestApp['owner']> {
  const name = 'owner';
  const password = 'test-password-not-secret';
  const res = app.setupToken
    ? await call('POST', '/api/v1/auth/setup', { setupToken: app.setupToken, username: name, password })
    : await call('POST', '/api/v1/auth/sign-in', { username: name, password });
  if (res.status !== 201 && res.status !== 200) throw new Error(`cannot set up the owner: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const csrfToken = res.body.csrfToken as string;
  const tok = await call('POST', '/api/v1/tokens', { name: 'tests' }, { cookie, 'x-csrf-token': csrfToken });
  if (tok.status !== 201) throw new Error(`cannot create an API token: ${tok.status} ${JSON.stringify(tok.body)}`);
  return { name, password, apiToken: tok.body.secret, cookie, csrfToken };
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

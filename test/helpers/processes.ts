// Real Watchtower server and agent processes (the built bundles), for cross-process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StoreTarget } from './stores.js';

const dist = (f: string) => fileURLToPath(new URL(`../../dist/${f}`, import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ServerProcess {
  url: string;
  /** The agents' listener. */
  ingestUrl: string;
  /** Calls the API as the owner (API token); JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  proc: ChildProcess;
  output: string[];
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill9(): Promise<void>;
}

/** The owner every test server gets on its first start (a restart on the same database signs in). */
const OWNER = { username: 'owner', password: 'test-password-not-secret' };

export async function startServer(
  target: StoreTarget,
  dataDir: string,
  ports: { api: number; ingest: number },
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const fullEnv = {
    ...process.env,
    WATCHTOWER_DATA_DIR: dataDir,
    WATCHTOWER_DATABASE_URL: target.url,
    WATCHTOWER_HTTP_PORT: String(ports.api),
    WATCHTOWER_INGEST_PORT: String(ports.ingest),
    WATCHTOWER_LOG_LEVEL: 'warn',
    ...(target.schema ? { WATCHTOWER_DATABASE_SCHEMA: target.schema } : {}),
    ...env,
  };
  const proc = spawn(process.execPath, [dist('watchtower.mjs'), 'serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  let url = '';
  let setupToken: string | null = null;
  // serve prints the API's URL, then the ingest URL, then the setup link on a first start.
  const ingestUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 15_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      output.push(line);
      url ||= /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? '';
      setupToken ??= /#token=(\S+)/.exec(line)?.[1] ?? null;
      const m = /Agents send to (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        // The setup link, when there is one, is printed on the same tick.
        setTimeout(() => resolve(m[1]!), 50);
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output.join('')}`)));
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const session = setupToken
    ? await call('POST', '/api/v1/auth/setup', { setupToken, ...OWNER })
    : await call('POST', '/api/v1/auth/sign-in', OWNER);
  if (session.status >= 300) throw new Error(`cannot sign in to the test server: ${JSON.stringify(session.body)}`);
  const token = await call(
    'POST',
    '/api/v1/tokens',
    { name: 'tests' },
    { cookie: session.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': session.body.csrfToken },
  );
  const auth = { authorization: `Bearer ${token.body.secret}` };
  return {
    url,
    ingestUrl,
    api: async (method, path, body) => {
      const r = await call(method, path, body, auth);
      return { status: r.status, body: r.body };
    },
    proc,
    output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface AgentProcess {
  proc: ChildProcess;
  /** Batches the agent buffered, in order: every sample it produced. */
  buffered: { batchId: string; samples: number }[];
  /** Batch ids the server acknowledged (a replay after a crash may appear twice). */
  acked: string[];
  lines: string[];
  stop(): Promise<void>;
}

export function startAgent(opts: {
  server: string;
  token: string;
  dataDir: string;
  args?: string[];
  /** The argv before the agent's flags; default: this Node with dist/agent.mjs. */
  command?: string[];
}): AgentProcess {
  const args = [
    '--server',
    opts.server,
    '--token',
    opts.token,
    '--data-dir',
    opts.dataDir,
    '--interval',
    '1',
    '--log-level',
    'debug',
    '--backoff-max',
    '1',
    '--process-interval',
    '1',
    ...(opts.args ?? []),
  ];
  const [cmd, ...before] = opts.command ?? [process.execPath, dist('agent.mjs')];
  const proc = spawn(cmd!, [...before, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => proc.once('exit', r));
  const a: AgentProcess = {
    proc,
    buffered: [],
    acked: [],
    lines: [],
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
  proc.stderr!.on('data', (d: Buffer) => a.lines.push(d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    a.lines.push(line);
    const rec = JSON.parse(line) as { msg: string; batchId?: string; samples?: number };
    if (rec.msg === 'batch buffered') a.buffered.push({ batchId: rec.batchId!, samples: rec.samples! });
    if (rec.msg === 'batch acknowledged') a.acked.push(rec.batchId!);
  });
  return a;
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

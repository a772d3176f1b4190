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
  proc: ChildProcess;
  output: string[];
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill9(): Promise<void>;
}

export async function startServer(
  target: StoreTarget,
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const fullEnv = {
    ...process.env,
    WATCHTOWER_DATA_DIR: dataDir,
    WATCHTOWER_DATABASE_URL: target.url,
    WATCHTOWER_HTTP_PORT: String(port),
    WATCHTOWER_LOG_LEVEL: 'warn',
    ...(target.schema ? { WATCHTOWER_DATABASE_SCHEMA: target.schema } : {}),
    ...env,
  };
  const proc = spawn(process.execPath, [dist('watchtower.mjs'), 'serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 15_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      output.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output.join('')}`)));
  });
  return {
    url,
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

export function startAgent(opts: { server: string; token: string; dataDir: string; args?: string[] }): AgentProcess {
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
  const proc = spawn(process.execPath, [dist('agent.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

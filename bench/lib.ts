// Shared pieces of the end-to-end benchmarks (bench/ingest.ts, bench/agent.ts, bench/alert.ts,
// bench/timers.ts): a real server process on loopback, hosts created through the API, /proc
// sampling, percentiles, and a cleanup list that runs on success, failure, Ctrl-C and a hard time
// limit alike. CPU windows are in cpu.ts, Redis helpers in redis.ts.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { request, type Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PG_URL =
  process.env.WATCHTOWER_BENCH_PG_URL ?? process.env.WATCHTOWER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// ---- cleanup ---------------------------------------------------------------------------------

const cleanups: (() => unknown)[] = [];
const children = new Set<ChildProcess>();

/** Registers fn to run (in reverse order of registration) when the benchmark ends, however it ends. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

// Last resort if the process exits some other way: no child outlives the benchmark.
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs the benchmark with a hard time limit; cleans up and exits in every case. */
export function runMain(name: string, limitMs: number, fn: () => Promise<void>): void {
  let finishing = false;
  const finish = async (code: number) => {
    if (finishing) return;
    finishing = true;
    await runCleanups();
    process.exit(code);
  };
  const timer = setTimeout(() => {
    console.error(`${name}: over the ${limitMs / 1000} s limit; stopping`);
    void finish(3);
  }, limitMs);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void finish(130));
  fn().then(
    () => (clearTimeout(timer), finish(0)),
    (err: unknown) => {
      clearTimeout(timer);
      console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      void finish(1);
    },
  );
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---- child processes -------------------------------------------------------------------------

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last few KB of stdout+stderr, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export function spawnChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Child {
  const proc = spawn(cmd, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let tail = '';
  let partial = '';
  const keep = (s: string) => (tail = (tail + s).slice(-4000));
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    keep(s);
    if (!onLine) return;
    const lines = (partial + s).split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  proc.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => (children.delete(proc), resolve(code))));
  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  onCleanup(() => stop(3000));
  return { proc, pid: proc.pid!, tail: () => tail, stop };
}

export interface Server extends Child {
  url: string;
  /** The agents' listener (its own port). */
  ingestUrl: string;
}

/** API tokens of the servers this bench started, by origin: httpRequest sends them on /api/ calls. */
const apiTokens = new Map<string, string>();
const BENCH_OWNER = { username: 'bench', password: 'bench-password-not-secret' };

/**
 * Starts the built server (dist/watchtower.mjs) on a free loopback port and waits until it listens.
 * `env` adds variables (e.g. WATCHTOWER_REDIS_URL for team mode) on top of this process's environment.
 */
export async function startServer(o: {
  dataDir: string;
  database?: string;
  schema?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<Server> {
  const entry = join(ROOT, 'dist/watchtower.mjs');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
  const env: NodeJS.ProcessEnv = { ...process.env, WATCHTOWER_LOG_LEVEL: 'warn', ...o.env };
  if (o.schema) env.WATCHTOWER_DATABASE_SCHEMA = o.schema;
  const args = [...(o.nodeArgs ?? []), entry, 'serve', '--data-dir', o.dataDir, '--host', '127.0.0.1', '--port', '0', '--ingest-port', '0'];
  if (o.database) args.push('--database', o.database);
  let apiUrl = '';
  let setupToken: string | null = null;
  let listening: (url: string) => void = () => {};
  const ingest = new Promise<string>((resolve) => (listening = resolve));
  // serve prints the API URL, the ingest URL, then (first start) the setup link, in one burst.
  const child = spawnChild(process.execPath, args, env, (line) => {
    apiUrl ||= /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? '';
    setupToken ??= /#token=(\S+)/.exec(line)?.[1] ?? null;
    const m = /Agents send to (http:\/\/\S+)/.exec(line);
    if (m) setTimeout(() => listening(m[1]!), 50);
  });
  const failed = new Promise<never>((_, reject) => {
    child.proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${child.tail()}`)));
    setTimeout(() => reject(new Error(`server did not listen within 20 s:\n${child.tail()}`)), 20_000).unref();
  });
  const ingestUrl = await Promise.race([ingest, failed]);
  await signIn(apiUrl, setupToken);
  return { ...child, url: apiUrl, ingestUrl };
}

/** The owner's first-run setup (or sign-in, on a database set up before) and an API token for the bench. */
async function signIn(url: string, setupToken: string | null): Promise<void> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    httpRequest(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const s = setupToken ? await post('/api/v1/auth/setup', { setupToken, ...BENCH_OWNER }) : await post('/api/v1/auth/sign-in', BENCH_OWNER);
  if (s.status >= 300) throw new Error(`cannot sign in to the bench server: ${s.status} ${s.body.toString()}`);
  const cookie = String(s.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const t = await post(
    '/api/v1/tokens',
    { name: 'bench' },
    { cookie, 'x-csrf-token': (JSON.parse(s.body.toString()) as { csrfToken: string }).csrfToken },
  );
  if (t.status !== 201) throw new Error(`cannot create a bench API token: ${t.status} ${t.body.toString()}`);
  apiTokens.set(new URL(url).origin, (JSON.parse(t.body.toString()) as { secret: string }).secret);
}

// ---- HTTP ------------------------------------------------------------------------------------

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function httpRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string; agent?: HttpAgent },
): Promise<HttpResponse> {
  const u = new URL(url);
  const token = u.pathname.startsWith('/api/') ? apiTokens.get(u.origin) : undefined;
  const headers = token && !o.headers?.authorization ? { ...o.headers, authorization: `Bearer ${token}` } : o.headers;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await httpRequest(url, {});
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as T;
}

export interface BenchHost {
  id: string;
  name: string;
  token: string;
}

/** Creates hosts through the API (POST /api/v1/hosts), a few at a time. */
export async function createHosts(baseUrl: string, n: number, prefix = 'bench'): Promise<BenchHost[]> {
  const hosts: BenchHost[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const name = `${prefix}-${String(i).padStart(4, '0')}`;
      const body = JSON.stringify({ name, labels: { role: i % 3 ? 'web' : 'db' } });
      const r = await httpRequest(`${baseUrl}/api/v1/hosts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (r.status !== 201 && r.status !== 200) throw new Error(`create host ${name}: ${r.status} ${r.body.toString()}`);
      const j = JSON.parse(r.body.toString()) as { host: { id: string }; agentToken: string };
      hosts[i] = { id: j.host.id, name, token: j.agentToken };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return hosts;
}

// ---- measurement -----------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond();
}

/** Resident set size in MB, from /proc/<pid>/status VmRSS. */
export function procRssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Machine-wide CPU time from /proc/stat, in ms: busy (all cores, steal excluded) and elapsed × cores. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [, , , idle = 0, iowait = 0, , , steal = 0] = f;
  const total = f.reduce((a, b) => a + b, 0) - steal;
  const toMs = 1000 / ticksPerSecond();
  return { busyMs: (total - idle - iowait) * toMs, totalMs: total * toMs };
}

/** Local ports of pid's TCP connections to remote port `remotePort` (its PostgreSQL pool, for 5432). */
export function tcpClientPorts(pid: number, remotePort: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      if (parseInt(f[2]!.split(':')[1]!, 16) === remotePort) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

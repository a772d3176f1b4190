// Live stream latency on the server side, in process, with a real WebSocket client (ws):
//  local — SQLite + in-process bus: an agent batch posted to ingest → its 'samples' envelope at the
//          client (commit, the publisher's deferred tick, the hub, the socket);
//  team  — PostgreSQL + Redis, two instances: an event published on the bus by another process's
//          coordination (as instance 1 would) → the envelope at a client of instance 2.
// Events go out at BENCH_RATE per second for BENCH_SECONDS; prints p50/p95/p99/max.
//   npm run bench:live     env: BENCH_MODES=local,team BENCH_RATE=50 BENCH_SECONDS=10
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startApp, type App } from '../core/app.js';
import { openCoordination } from '../core/bus/index.js';
import { liveTopic } from '../core/api/live.js';
import { loadConfig } from '../core/config/load.js';
import { INGEST_PATH } from '../shared/protocol/index.js';
import { LIVE_PATH, parseLiveMessage, type LiveMessage } from '../shared/contract/events.js';
import { fmt, onCleanup, percentile, PG_URL, runMain, sleep, tempDir } from './lib.js';
import { deleteRedisPrefix, redisPrefix, REDIS_URL } from './redis.js';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MODES = (process.env.BENCH_MODES ?? 'local,team').split(',').filter(Boolean);
/** Epoch milliseconds with sub-millisecond resolution (sender and receiver are this process). */
const epochNow = () => performance.timeOrigin + performance.now();

async function app(overrides: Record<string, unknown>): Promise<App> {
  const cfg = loadConfig({
    env: { HOME: mkdtempSync(join(tmpdir(), 'wt-bench-live-')) },
    overrides: { http: { port: 0 }, ingest: { port: 0 }, log: { level: 'warn' }, ...overrides },
  });
  const a = await startApp(cfg);
  onCleanup(() => a.stop());
  return a;
}

/** An API token for the bench: the owner through the service (first instance) or found (second). */
async function apiToken(a: App): Promise<string> {
  if (await a.auth.setupNeeded())
    await a.auth.completeSetup({ setupToken: a.setupToken!, username: 'bench', password: 'bench-password-not-secret' }, '127.0.0.1');
  const owner = await a.auth.store.userByName('bench');
  return (await a.auth.createToken(owner!.id, 'bench')).secret;
}

async function client(a: App, onEnvelope: (e: LiveMessage) => void): Promise<WebSocket> {
  const ws = new WebSocket(a.url.replace(/^http/, 'ws') + LIVE_PATH, { headers: { authorization: `Bearer ${await apiToken(a)}` } });
  ws.on('message', (d) => onEnvelope(parseLiveMessage(String(d))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  onCleanup(() => ws.close());
  return ws;
}

function report(label: string, lat: number[], sent: number): void {
  const s = [...lat].sort((x, y) => x - y);
  console.log(
    `${label}: ${s.length}/${sent} events at ${RATE}/s; latency p50 ${fmt(percentile(s, 0.5))} ms, p95 ${fmt(percentile(s, 0.95))} ms, ` +
      `p99 ${fmt(percentile(s, 0.99))} ms, max ${fmt(s.at(-1)!)} ms`,
  );
}

async function local(): Promise<void> {
  const a = await app({ database: { url: join(tempDir('wt-bench-live-db-'), 'wt.db') } });
  const token = await apiToken(a);
  const host = (await (
    await fetch(`${a.url}/api/v1/hosts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'live-bench' }),
    })
  ).json()) as { agentToken: string };
  const sentAt = new Map<number, number>();
  const lat: number[] = [];
  await client(a, (e) => {
    if (e.event !== 'samples') return;
    const t0 = sentAt.get(e.payload.values[0]!.value);
    if (t0 !== undefined) lat.push(performance.now() - t0);
  });
  const n = RATE * SECONDS;
  for (let i = 0; i < n; i++) {
    const batch = {
      v: 1,
      batchId: `live-${i}-${Math.random()}`,
      agent: { version: '0.1.0', intervalMs: 10_000 },
      series: Array.from({ length: 50 }, (_, k) => ({
        name: 'cpu.usage',
        labels: { cpu: String(k) },
        ts: [Date.now()],
        values: [k === 0 ? i : 1],
      })),
      events: [],
    };
    sentAt.set(i, performance.now());
    const res = await fetch(a.ingestUrl + INGEST_PATH, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    await sleep(1000 / RATE);
  }
  await sleep(500);
  report('local (SQLite, in-process bus): batch posted → samples envelope, 50 series per batch', lat, n);
}

async function team(): Promise<void> {
  const prefix = redisPrefix();
  onCleanup(() => deleteRedisPrefix(prefix));
  const schema = `bench_live_${Math.random().toString(36).slice(2, 8)}`;
  const common = { database: { url: PG_URL, schema }, redis: { url: REDIS_URL, prefix } };
  // Registered first so that it runs last, after both instances stopped.
  onCleanup(async () => {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
  await app(common); // instance 1 (creates the owner)
  const two = await app(common);
  const bus = await openCoordination({ redisUrl: REDIS_URL, prefix });
  onCleanup(() => bus.close());
  const lat: number[] = [];
  await client(two, (e) => {
    if (e.event === 'samples') lat.push(epochNow() - e.payload.values[0]!.ts);
  });
  const n = RATE * SECONDS;
  for (let i = 0; i < n; i++) {
    const ts = epochNow();
    await bus.publish(liveTopic('samples'), { hostId: 'h', values: [{ metric: 'cpu.usage', labels: {}, ts, value: i }] });
    await sleep(1000 / RATE);
  }
  await sleep(500);
  report("team (PostgreSQL + Redis): published on another process's bus → envelope at instance 2's client", lat, n);
}

runMain('bench:live', 5 * 60_000, async () => {
  console.log(
    `load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  if (MODES.includes('local')) await local();
  if (MODES.includes('team')) await team();
});

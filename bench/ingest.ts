// End-to-end ingest throughput: a real server process per store (SQLite in a temp dir, PostgreSQL
// in a fresh schema dropped at the end), N hosts created through the API, and simulated agents in
// this process posting gzip batches (~150 series × 1 sample, the agent's shape) over keep-alive
// node:http connections. Bodies are built and gzipped before the server starts, so the load
// generator only sends bytes and reads acks. Prints samples/s acknowledged, ack latency p50/p99,
// non-200 responses, CPU split between generator and server, and stored ≥ acked.
//
// Closed loop by default (CONCURRENCY batches always in flight: the latency then is queueing,
// ≈ in-flight samples / throughput); BENCH_RATE=<samples/s> offers a fixed load instead, for
// latency at a given rate.
//
//   npm run bench:ingest     env: BENCH_STORES=sqlite,postgres BENCH_HOSTS=200 BENCH_CONCURRENCY=48
//                            BENCH_WARMUP_SECONDS=3 BENCH_SECONDS=15 BENCH_RATE=0 BENCH_MAX_RATE=150000
//                            BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" WATCHTOWER_BENCH_PG_URL
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../core/store/index.js';
import pg from 'pg';
import { batchFactory } from './batches.js';
import { backendCpu, cpuDelta } from './cpu.js';
import {
  createHosts,
  fmt,
  getJson,
  httpRequest,
  machineCpu,
  onCleanup,
  percentile,
  PG_URL,
  procCpuMs,
  runMain,
  sleep,
  startServer,
  tempDir,
  type BenchHost,
  type HttpResponse,
} from './lib.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const HOSTS = env('BENCH_HOSTS', 200);
const CONCURRENCY = env('BENCH_CONCURRENCY', 48);
const WARMUP_S = env('BENCH_WARMUP_SECONDS', 3);
const MEASURE_S = env('BENCH_SECONDS', 15);
/** Bodies are pre-built for up to this rate; past it the generator builds more on the fly (and says so). */
const MAX_RATE = env('BENCH_MAX_RATE', 150_000);
/** 0: closed loop (CONCURRENCY always in flight: max throughput). > 0: open loop offering this many samples/s (latency at a given load). */
const OFFERED = env('BENCH_RATE', 0);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').filter(Boolean);
for (const s of STORES) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${s}" (sqlite, postgres)`);
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface HostLoad extends BenchHost {
  bodies: Buffer[];
  used: number;
}

const batches = batchFactory(HOSTS, randomBytes(4).toString('hex'));
const SERIES = batches.series;
let builtLate = 0;

// Each host's k-th batch is 1 ms after its (k−1)-th, so every (series, ts) is new and every acked sample must be stored.
const genStart = Date.now();
const perHost = Math.ceil((MAX_RATE * (WARMUP_S + MEASURE_S + 2)) / SERIES / HOSTS);
function nextBody(h: HostLoad, index: number): Buffer {
  const k = h.used++;
  if (k < h.bodies.length) return h.bodies[k]!;
  builtLate++;
  return batches.build(index, k, genStart + k);
}

// ---- one store ------------------------------------------------------------------------------

interface Result {
  store: string;
  rate: number;
  p50: number;
  p99: number;
  errors: Map<string, number>;
}

async function runStore(store: string, pool: Buffer[][]): Promise<Result> {
  const dataDir = tempDir(`wt-bench-${store}-`);
  let schema: string | undefined;
  let admin: pg.Client | undefined; // the bench's own connection: counts, backend pids, DROP SCHEMA
  if (store === 'postgres') {
    const s = (schema = `bench_${randomBytes(5).toString('hex')}`);
    const c = (admin = new pg.Client({ connectionString: PG_URL }));
    await c.connect();
    onCleanup(() => c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).finally(() => c.end()));
  }
  const server = await startServer({ dataDir, nodeArgs: SERVER_NODE_ARGS, ...(schema ? { database: PG_URL, schema } : {}) });
  const hosts: HostLoad[] = (await createHosts(server.url, HOSTS)).map((h, i) => ({ ...h, bodies: pool[i]!, used: 0 }));
  console.log(
    `\n== ${store}: ${server.url}${schema ? ` schema ${schema}` : ''} · ${HOSTS} hosts × ${SERIES} series · ${OFFERED ? `open loop at ${OFFERED} samples/s, ≤ ${CONCURRENCY}` : CONCURRENCY} in flight · warm-up ${WARMUP_S} s, measured ${MEASURE_S} s ==`,
  );

  const ingestUrl = new URL('/ingest/v1/batches', server.ingestUrl);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  onCleanup(() => agent.destroy());
  const errors = new Map<string, number>();
  const latencies: number[] = [];
  let ackedMeasured = 0;
  let ackedTotal = 0;
  const run: { phase: 'warmup' | 'measure' | 'stop' } = { phase: 'warmup' };
  const stopping = () => run.phase === 'stop';
  let cursor = 0;

  const post = (h: HostLoad, body: Buffer) =>
    httpRequest(ingestUrl.href, {
      method: 'POST',
      agent,
      body,
      headers: {
        authorization: `Bearer ${h.token}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': body.length,
      },
    });
  const started = performance.now();
  const worker = async () => {
    while (!stopping()) {
      const i = cursor++;
      const wait = OFFERED > 0 ? started + (i * SERIES * 1000) / OFFERED - performance.now() : 0; // open loop: batch i is due then
      if (wait > 0) await sleep(wait);
      if (stopping()) break;
      const h = hosts[i % hosts.length]!;
      const body = nextBody(h, i % hosts.length);
      for (;;) {
        const t0 = performance.now();
        const res: HttpResponse & { code?: string } = await post(h, body).catch((err: NodeJS.ErrnoException) => ({
          status: 0,
          code: err.code,
          headers: {},
          body: Buffer.alloc(0),
        }));
        const ms = performance.now() - t0;
        const inWindow = run.phase === 'measure';
        if (res.status === 200) {
          const accepted = (JSON.parse(res.body.toString()) as { accepted: number }).accepted;
          ackedTotal += accepted;
          if (inWindow) {
            ackedMeasured += accepted;
            latencies.push(ms);
          }
          break;
        }
        const key = res.status ? String(res.status) : `net:${res.code ?? 'error'}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
        if (stopping()) break;
        const retryAfter = Number(res.headers['retry-after']);
        await sleep(Number.isFinite(retryAfter) ? retryAfter * 1000 : 500); // back off, then the same batch again
      }
    }
  };

  const workers = Array.from({ length: CONCURRENCY }, worker);
  await sleep(WARMUP_S * 1000);
  run.phase = 'measure';
  const t0 = performance.now();
  const gen0 = process.cpuUsage();
  const srv0 = procCpuMs(server.pid);
  const mach0 = machineCpu();
  const db0 = await backendCpu(admin, server.pid);
  await sleep(MEASURE_S * 1000);
  run.phase = 'stop';
  const seconds = (performance.now() - t0) / 1000;
  const genUse = process.cpuUsage(gen0);
  const genMs = (genUse.user + genUse.system) / 1000;
  const srvMs = procCpuMs(server.pid) - srv0;
  const mach1 = machineCpu();
  const db1 = await backendCpu(admin, server.pid);
  await Promise.all(workers); // in-flight batches finish: acked, so they count for the stored check

  const sorted = Float64Array.from(latencies).sort();
  const result: Result = { store, rate: ackedMeasured / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), errors };
  const wall = seconds * 1000;
  console.log(
    `acked in window: ${ackedMeasured} samples in ${latencies.length} batches over ${fmt(seconds, 2)} s; max ack latency ${fmt(sorted.at(-1) ?? NaN)} ms`,
  );
  console.log(`non-200 responses (whole run): ${errors.size ? [...errors].map(([k, v]) => `${k}×${v}`).join(', ') : 'none'}`);
  const dbMs = cpuDelta(db0, db1);
  const others = mach1.busyMs - mach0.busyMs - srvMs - genMs - dbMs;
  const cores = (mach1.totalMs - mach0.totalMs) / wall;
  const pctCore = (ms: number) => `${fmt((ms / wall) * 100, 0)}%`;
  console.log(
    `CPU in window (100% = one core, ${fmt(cores, 1)} cores): server ${pctCore(srvMs)}, load generator ${pctCore(genMs)} ` +
      `(${fmt((genMs / wall / cores) * 100, 0)}% of the machine)${admin ? `, the server's PostgreSQL backends ${pctCore(dbMs)}` : ''}, ` +
      `everything else on the machine ${pctCore(Math.max(0, others))}${others > 0.3 * wall ? ' (busy neighbours: figures are pessimistic)' : ''}`,
  );
  if (builtLate) console.log(`note: ${builtLate} bodies were built during the run (pool exhausted; raise BENCH_MAX_RATE)`);

  const latest = await getJson<{ values: unknown[] }>(`${server.url}/api/v1/latest?hostId=${hosts[0]!.id}`);
  const code = await server.stop(); // graceful: in-flight commits finish, the store closes
  agent.destroy();
  const stored = await countStored(dataDir, schema);
  const ok = stored >= ackedTotal;
  console.log(
    `verify: acked ${ackedTotal} samples in total (warm-up + window + drain), stored ${stored} → ${ok ? 'ok' : 'MISSING SAMPLES'}; ` +
      `/api/v1/latest for ${hosts[0]!.name}: ${latest.values.length} series; server exit code ${code}`,
  );
  if (!ok) result.errors.set('lost', ackedTotal - stored);
  return result;
}

/** Stored samples as the store counts them, whatever its layout (rows or chunks). */
async function countStored(dataDir: string, schema?: string): Promise<number> {
  const store = await openStore(schema ? { url: PG_URL, schema } : { url: join(dataDir, 'watchtower.db') });
  try {
    return await store.countSamples();
  } finally {
    await store.close();
  }
}

runMain('bench:ingest', 20_000 + STORES.length * (WARMUP_S + MEASURE_S + 15) * 1000, async () => {
  const t = performance.now();
  const pool = Array.from({ length: HOSTS }, (_, h) => Array.from({ length: perHost }, (_, k) => batches.build(h, k, genStart + k)));
  const bytes = pool.reduce((n, p) => n + p.reduce((m, b) => m + b.length, 0), 0);
  console.log(
    `pre-built ${HOSTS * perHost} gzip batches (${SERIES} series each, avg ${Math.round(bytes / HOSTS / perHost)} B) in ${fmt((performance.now() - t) / 1000, 1)} s; ` +
      `node ${process.version}, ${cpus().length} CPUs`,
  );
  const results: Result[] = [];
  // The same bodies serve every store: each store is a fresh database, so batch ids and (series, ts) are new to it.
  for (const store of STORES) results.push(await runStore(store, pool));
  console.log('');
  for (const r of results) {
    const errs = [...r.errors.values()].reduce((a, b) => a + b, 0);
    const detail = errs ? ` [${[...r.errors].map(([k, v]) => `${k}×${v}`).join(', ')}]` : '';
    console.log(`${r.store}: ${Math.round(r.rate)} samples/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (errors: ${errs}${detail})`);
  }
});

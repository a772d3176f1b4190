// Store write throughput, the way ingest's group commit drives it: one writer, calls of ~20 batches,
// each batch one host's ~150 series × 1 sample with fresh timestamps and a unique batch id.
// Runs SQLite (temp file) then PostgreSQL (a fresh schema, dropped at the end) for ~10 s each and
// prints samples/s and per-call latency. Figures, not a pass/fail test.
//
//   npx tsx bench/store-write.ts
//   env: WATCHTOWER_BENCH_PG_URL, WATCHTOWER_BENCH_SECONDS (10), WATCHTOWER_BENCH_ONLY=sqlite|postgres
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../core/store/postgres/store.js';
import { openSqliteStore } from '../core/store/sqlite/store.js';
import type { BatchWrite, Store } from '../core/store/types.js';

const PG_URL = process.env.WATCHTOWER_BENCH_PG_URL ?? process.env.WATCHTOWER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.WATCHTOWER_BENCH_SECONDS ?? 10);
const HOSTS = 50;
const SERIES_PER_BATCH = 150;
const BATCHES_PER_CALL = 20;
const OPTS = { maxSeriesPerHost: 10_000 };
const ONLY = process.env.WATCHTOWER_BENCH_ONLY;

interface Figures {
  samplesPerSecond: number;
  p50: number;
  p99: number;
  calls: number;
}

async function run(name: string, store: Store): Promise<Figures> {
  const hosts: string[] = [];
  for (let i = 0; i < HOSTS; i++) hosts.push((await store.createHost({ name: `bench-${i}` })).id);
  const start = Date.now();
  const batchNo = new Array<number>(HOSTS).fill(0);
  let seq = 0;
  // Each host's batches step its clock 1 s ahead, so every (series, ts) is new and no sample is
  // dropped as a duplicate.
  const nextBatch = (): BatchWrite => {
    const h = seq++ % HOSTS;
    const ts = start + batchNo[h]!++ * 1000;
    return {
      batchId: `bench-${process.pid}-${name}-${seq}`,
      hostId: hosts[h]!,
      receivedAt: Date.now(),
      agentVersion: 'bench',
      intervalMs: 1000,
      series: Array.from({ length: SERIES_PER_BATCH }, (_, i) => ({
        name: `bench.metric_${i % 15}`,
        labels: { dev: `d${Math.floor(i / 15)}` },
        ts: [ts],
        values: [Math.random() * 100],
      })),
      events: [],
    };
  };
  const group = () => Array.from({ length: BATCHES_PER_CALL }, nextBatch);

  // Warm-up: the first round creates every series (HOSTS × SERIES_PER_BATCH); not measured.
  for (let i = 0; i < Math.ceil(HOSTS / BATCHES_PER_CALL) * 2; i++) await store.writeBatches(group(), OPTS);

  const latencies: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const batches = group(); // built outside the timed call, as ingest hands over parsed batches
    const t = performance.now();
    await store.writeBatches(batches, OPTS);
    latencies.push(performance.now() - t);
  }
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return {
    samplesPerSecond: (latencies.length * BATCHES_PER_CALL * SERIES_PER_BATCH) / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    calls: latencies.length,
  };
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

async function benchSqlite(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-'));
  try {
    const store = openSqliteStore(join(dir, 'bench.db'));
    try {
      return await run('sqlite', store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<Figures> {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  try {
    const store = await openPostgresStore({ url: PG_URL, schema });
    try {
      return await run('postgres', store);
    } finally {
      await store.close();
    }
  } finally {
    await dropSchema(schema);
  }
}

const results: [string, Figures][] = [];
if (ONLY !== 'postgres') results.push(['sqlite', await benchSqlite()]);
if (ONLY !== 'sqlite') results.push(['postgres', await benchPostgres()]);

const perCall = BATCHES_PER_CALL * SERIES_PER_BATCH;
for (const [name, f] of results) {
  console.log(
    `${name.padEnd(8)} ${Math.round(f.samplesPerSecond).toLocaleString('en')} samples/s` +
      `  writeBatches p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  (${f.calls} calls × ${perCall} samples)`,
  );
}

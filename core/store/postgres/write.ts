// The ingest write path: every batch of a call in one transaction, with a fixed number of
// statements however many batches, series and samples it holds (arrays in, unnest() in SQL).
// Semantics mirror the SQLite store's writeOne(), batch by batch in call order.
import type pg from 'pg';
import { canonicalLabels, sampleSpan } from '../labels.js';
import { SeriesCache } from '../series-cache.js';
import type { BatchResult, BatchWrite } from '../types.js';
import { numberArray } from './sql.js';

interface SeriesKey {
  key: string;
  hostId: string;
  metric: string;
  labels: string;
}

export interface WriteOutcome {
  results: BatchResult[];
  /** Series ids learnt in this transaction: cache them only after it commits (a rollback may undo them). */
  learnt: Map<string, number>;
}

/** Runs inside an open transaction on `c`; the caller commits. */
export async function writeBatchesIn(
  c: pg.PoolClient,
  cache: SeriesCache,
  batches: BatchWrite[],
  maxSeries: number,
): Promise<WriteOutcome> {
  const results: BatchResult[] = batches.map((b) => ({ batchId: b.batchId, duplicate: true, seriesOverLimit: 0, samplesOverLimit: 0 }));
  const storedAt = [...(await claimBatchIds(c, batches))].sort((a, b) => a - b);
  const stored = storedAt.map((i) => batches[i]!);
  for (const i of storedAt) results[i]!.duplicate = false;
  if (stored.length === 0) return { results, learnt: new Map() };

  // Series keys of every stored series, and the ones this instance has not seen yet.
  const keys: string[][] = [];
  const misses = new Map<string, SeriesKey>();
  for (const b of stored) {
    keys.push(
      b.series.map((s) => {
        const labels = canonicalLabels(s.labels);
        const key = SeriesCache.key(b.hostId, s.name, labels);
        if (cache.get(key) === undefined && !misses.has(key)) misses.set(key, { key, hostId: b.hostId, metric: s.name, labels });
        return key;
      }),
    );
  }
  const learnt = misses.size ? await resolveSeries(c, [...misses.values()], maxSeries) : new Map<string, number>();

  const sid: number[] = [];
  const ts: number[] = [];
  const val: number[] = [];
  stored.forEach((b, i) => {
    const result = results[storedAt[i]!]!;
    b.series.forEach((s, j) => {
      const key = keys[i]![j]!;
      const id = cache.get(key) ?? learnt.get(key);
      if (id === undefined) {
        result.seriesOverLimit++;
        result.samplesOverLimit += s.ts.length;
        return;
      }
      for (let k = 0; k < s.ts.length; k++) {
        sid.push(id);
        ts.push(s.ts[k]!);
        val.push(s.values[k]!);
      }
    });
  });
  if (sid.length) {
    // A (series, ts) already stored, or twice in this call, keeps its first value, like SQLite's INSERT OR IGNORE.
    await c.query({
      name: 'wt_insert_samples',
      text: 'INSERT INTO samples (series_id, ts, value) SELECT * FROM unnest($1::int[], $2::bigint[], $3::float8[]) ON CONFLICT DO NOTHING',
      values: [numberArray(sid), numberArray(ts), numberArray(val)],
    });
  }
  await insertEvents(c, stored);
  await heartbeats(c, stored);
  return { results, learnt };
}

/**
 * Records the batch ids and returns the indexes of the batches this call stores: not stored
 * before, and the first of the call when an id repeats in it. A concurrent writer holding the same
 * id makes the insert wait for its commit, then count it as a duplicate. Ids go in sorted so two
 * writers never wait on each other's ids in opposite orders.
 */
async function claimBatchIds(c: pg.PoolClient, batches: BatchWrite[]): Promise<Set<number>> {
  const first = new Map<string, number>();
  batches.forEach((b, i) => {
    if (!first.has(b.batchId)) first.set(b.batchId, i);
  });
  const ids = [...first.keys()].sort();
  const hosts: string[] = [];
  const received: number[] = [];
  const minTs: (number | null)[] = [];
  const samples: number[] = [];
  for (const id of ids) {
    const b = batches[first.get(id)!]!;
    const span = sampleSpan(b.series);
    hosts.push(b.hostId);
    received.push(b.receivedAt);
    minTs.push(span.minTs);
    samples.push(span.samples);
  }
  const { rows } = await c.query<{ batch_id: string }>({
    name: 'wt_claim_batches',
    text: `INSERT INTO ingest_batches (batch_id, host_id, received_at, min_ts, samples)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::int[])
           ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
    values: [ids, hosts, received, minTs, samples],
  });
  return new Set(rows.map((r) => first.get(r.batch_id)!));
}

/**
 * Ids of series this instance has not cached: existing ones are looked up, new ones created while
 * their host is under `maxSeries` (in call order, as SQLite does); a key missing from the result is
 * over the limit. The count is read from the database because other instances add series too;
 * two instances adding a host's last allowed series at the same moment may both succeed.
 */
async function resolveSeries(c: pg.PoolClient, misses: SeriesKey[], maxSeries: number): Promise<Map<string, number>> {
  const found = await findSeries(c, misses);
  const absent = misses.filter((m) => !found.has(m.key));
  if (absent.length === 0) return found;

  const { rows } = await c.query<{ host_id: string; n: number }>(
    'SELECT host_id, count(*)::int AS n FROM series WHERE host_id = ANY($1::text[]) GROUP BY host_id',
    [[...new Set(absent.map((m) => m.hostId))]],
  );
  const counts = new Map(rows.map((r) => [r.host_id, r.n]));
  const allowed = absent.filter((m) => {
    const n = counts.get(m.hostId) ?? 0;
    if (n >= maxSeries) return false;
    counts.set(m.hostId, n + 1);
    return true;
  });
  if (allowed.length === 0) return found;

  allowed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // same lock order in every writer
  const inserted = await c.query<{ id: number; host_id: string; metric: string; labels: string }>(
    `INSERT INTO series (host_id, metric, labels) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (host_id, metric, labels) DO NOTHING RETURNING id, host_id, metric, labels`,
    columns(allowed),
  );
  for (const r of inserted.rows) found.set(SeriesCache.key(r.host_id, r.metric, r.labels), r.id);
  // Created meanwhile by another writer (the insert waited for its commit): now visible.
  const raced = allowed.filter((m) => !found.has(m.key));
  if (raced.length) for (const [k, id] of await findSeries(c, raced)) found.set(k, id);
  return found;
}

async function findSeries(c: pg.PoolClient, wanted: SeriesKey[]): Promise<Map<string, number>> {
  const { rows } = await c.query<{ id: number; host_id: string; metric: string; labels: string }>(
    `SELECT s.id, s.host_id, s.metric, s.labels FROM series s
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(h, m, l) ON s.host_id = u.h AND s.metric = u.m AND s.labels = u.l`,
    columns(wanted),
  );
  return new Map(rows.map((r) => [SeriesCache.key(r.host_id, r.metric, r.labels), r.id]));
}

const columns = (keys: SeriesKey[]) => [keys.map((k) => k.hostId), keys.map((k) => k.metric), keys.map((k) => k.labels)];

async function insertEvents(c: pg.PoolClient, stored: BatchWrite[]): Promise<void> {
  const cols: [string[], number[], string[], string[], (string | null)[], string[], (string | null)[]] = [[], [], [], [], [], [], []];
  for (const b of stored) {
    for (const e of b.events) {
      cols[0].push(b.hostId);
      cols[1].push(e.ts);
      cols[2].push(e.kind);
      cols[3].push(e.source);
      cols[4].push(e.level ?? null);
      cols[5].push(e.message);
      cols[6].push(e.fields ? JSON.stringify(e.fields) : null);
    }
  }
  if (cols[0].length === 0) return;
  // In array order, so ids ascend in call order like SQLite's (listEvents breaks ts ties by id).
  await c.query(
    `INSERT INTO events (host_id, ts, kind, source, level, message, fields)
     SELECT h, t, k, s, l, m, f::jsonb FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       AS u(h, t, k, s, l, m, f)`,
    cols,
  );
}

/**
 * One heartbeat per host, folding its batches in call order the way SQLite's per-batch UPDATEs
 * would: latest receivedAt wins via GREATEST, the last batch's version and interval, the last
 * inventory/processes sent (older ones kept when a batch has none).
 */
async function heartbeats(c: pg.PoolClient, stored: BatchWrite[]): Promise<void> {
  const beats = new Map<string, { seen: number; version: string; interval: number; inventory: string | null; processes: string | null }>();
  for (const b of stored) {
    const prev = beats.get(b.hostId);
    beats.set(b.hostId, {
      seen: Math.max(prev?.seen ?? b.receivedAt, b.receivedAt),
      version: b.agentVersion,
      interval: b.intervalMs,
      inventory: b.inventory ? JSON.stringify(b.inventory) : (prev?.inventory ?? null),
      processes: b.processes ? JSON.stringify(b.processes) : (prev?.processes ?? null),
    });
  }
  const ids = [...beats.keys()];
  const rows = ids.map((id) => beats.get(id)!);
  // Row locks in one order for every writer, so two writers sharing hosts cannot deadlock.
  await c.query({
    name: 'wt_lock_hosts',
    text: 'SELECT 1 FROM hosts WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE',
    values: [ids],
  });
  await c.query({
    name: 'wt_heartbeat',
    text: `UPDATE hosts h SET last_seen_at = GREATEST(coalesce(h.last_seen_at, 0), u.seen), agent_version = u.version,
             interval_ms = u.interval, inventory = coalesce(u.inventory::jsonb, h.inventory), processes = coalesce(u.processes::jsonb, h.processes)
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[]) AS u(id, seen, version, interval, inventory, processes)
           WHERE h.id = u.id`,
    values: [
      ids,
      rows.map((r) => r.seen),
      rows.map((r) => r.version),
      rows.map((r) => r.interval),
      rows.map((r) => r.inventory),
      rows.map((r) => r.processes),
    ],
  });
}

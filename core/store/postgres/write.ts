// The PostgreSQL ingest write path: every batch of a call in one transaction, with a fixed number
// of statements however many batches, series and samples it holds (statements.ts): one chunk row
// per new batch holding all its samples (chunks/codec.ts) with its events, one heartbeat per host,
// and each host's latest values rewritten (host-latest.ts). Semantics mirror the SQLite store's
// (sqlite/write.ts), batch by batch in call order.
//
// In the common case, with every series id and every host's latest values in this instance's
// caches and every batch new, the whole write is one statement: one round trip, no BEGIN/COMMIT.
// Per call that saves ~0.8 ms of this process's CPU, which is most of the cost at small groups.
import type pg from 'pg';
import { batchChunk, type ChunkRow } from '../chunks/build.js';
import type { SeriesCache } from '../series-cache.js';
import type { BatchResult, BatchWrite } from '../types.js';
import {
  beatsOf,
  cacheEntries,
  chunksByHost,
  guessLatest,
  heartbeatsAndLatest,
  type LatestCache,
  type LatestEntry,
} from './host-latest.js';
import { hostKey, resolveSeries, type SeriesKey } from './series.js';
import { inTransaction, pgCode } from './sql.js';
import { claimCtes, claimParams, heartbeatCtes, heartbeatParams } from './statements.js';

interface WriteOutcome {
  results: BatchResult[];
  /** Series ids learnt in this transaction: cache them only after it commits (a rollback may undo them). */
  learnt: { hostId: string; key: string; id: number }[];
  /** Fully resolved series lists, remembered after the commit for the next batch with the same list. */
  lists: { hostId: string; series: BatchWrite['series']; ids: number[] }[];
  /** Latest values as written, for the LatestCache after the commit. */
  latest: LatestEntry[];
}

export interface WriteCaches {
  series: SeriesCache;
  latest: LatestCache;
}

/**
 * Writes every batch of the call; resolves after the commit, and updates the caches only then (a
 * rolled-back transaction may have created series). Samples are not deduplicated by (series, ts):
 * the batch id is what makes a write happen once (see Store.writeBatches).
 */
export async function writeBatches(pool: pg.Pool, caches: WriteCaches, batches: BatchWrite[], maxSeries: number): Promise<BatchResult[]> {
  const outcome =
    (await writeInOneStatement(pool, caches, batches)) ?? (await inTransaction(pool, (c) => writeBatchesIn(c, caches, batches, maxSeries)));
  for (const l of outcome.learnt) caches.series.set(l.hostId, l.key, l.id);
  for (const l of outcome.lists) caches.series.rememberList(l.hostId, l.series, l.ids);
  for (const l of outcome.latest) caches.latest.set(l.id, l.seq, l.latest);
  return outcome.results;
}

/** The first batch of each id in the call (a later one with the same id is a duplicate), and the results with every batch a duplicate. */
function firstsOf(batches: BatchWrite[]): { firstAt: number[]; firsts: BatchWrite[]; results: BatchResult[] } {
  const firstAt: number[] = [];
  const seen = new Set<string>();
  batches.forEach((b, i) => {
    if (!seen.has(b.batchId)) {
      seen.add(b.batchId);
      firstAt.push(i);
    }
  });
  const results = batches.map((b) => ({ batchId: b.batchId, duplicate: true, seriesOverLimit: 0, samplesOverLimit: 0 }));
  return { firstAt, firsts: firstAt.map((i) => batches[i]!), results };
}

const DIVISION_BY_ZERO = '22012';
const DEADLOCK = '40P01';

/**
 * The common case as one autocommitted statement, or null when it does not apply: a series id or
 * a host's latest values missing from the caches, a batch id already stored, a host's cached latest
 * values stale. The last two show only inside the statement, whose final expression then divides
 * by zero so that the statement, and everything it did, is undone; the caller writes the call in
 * the transactional path instead.
 */
async function writeInOneStatement(pool: pg.Pool, caches: WriteCaches, batches: BatchWrite[]): Promise<WriteOutcome | null> {
  const { firstAt, firsts, results } = firstsOf(batches);
  const outcome: WriteOutcome = { results, learnt: [], lists: [], latest: [] };
  const chunks: (ChunkRow | null)[] = [];
  for (let k = 0; k < firsts.length; k++) {
    const b = firsts[k]!;
    const found = caches.series.lookup(b.hostId, b.series);
    if (found.ids.includes(undefined)) return null;
    if (found.keys) outcome.lists.push({ hostId: b.hostId, series: b.series, ids: found.ids as number[] });
    const result: BatchResult = { batchId: b.batchId, duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 };
    results[firstAt[k]!] = result;
    chunks.push(batchChunk(b, found.ids, result));
  }
  const written = chunksByHost(chunks.filter((k): k is ChunkRow => k !== null));
  const guesses = guessLatest(caches.latest, written);
  if (guesses.size !== written.size) return null;
  try {
    const { rows } = await pool.query<{ ok: number; id: string | null; seq: string | null }>({
      name: 'wt_write_one',
      text: `WITH ${claimCtes(0)}, ${heartbeatCtes(19)}
             SELECT g.ok, upd.id, upd.seq
             FROM (SELECT 1 / ((SELECT count(*) FROM claimed) = $30::bigint AND (SELECT count(*) FROM put) = $31::bigint)::int AS ok) g
             LEFT JOIN upd ON true`,
      values: [...claimParams(firsts, chunks), ...heartbeatParams(beatsOf(firsts), guesses), firsts.length, guesses.size],
    });
    const updated = rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, seq: Number(r.seq) }));
    outcome.latest = cacheEntries(caches.latest, updated, written, guesses, (id) => guesses.has(id)).entries;
    return outcome;
  } catch (err) {
    // A deadlock can only involve a batch id another writer is storing at this moment: a replay.
    if (pgCode(err) === DIVISION_BY_ZERO || pgCode(err) === DEADLOCK) return null;
    throw err;
  }
}

/** The general case, inside an open transaction on `c`. */
async function writeBatchesIn(c: pg.PoolClient, caches: WriteCaches, batches: BatchWrite[], maxSeries: number): Promise<WriteOutcome> {
  const { firstAt, firsts, results } = firstsOf(batches);
  const outcome: WriteOutcome = { results, learnt: [], lists: [], latest: [] };
  // Chunks are built before the claim tells which batches are new (a duplicate is rare: a replay).
  const ids = await seriesIds(c, caches.series, firsts, maxSeries, outcome);
  const provisional = firsts.map((b): BatchResult => ({ batchId: b.batchId, duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 }));
  const chunks = firsts.map((b, k) => batchChunk(b, ids[k]!, provisional[k]!));

  const { rows } = await c.query<{ batch_id: string }>({
    name: 'wt_write_batches',
    text: `WITH ${claimCtes(0)} SELECT batch_id FROM claimed`,
    values: claimParams(firsts, chunks),
  });
  const claimed = new Set(rows.map((r) => r.batch_id));
  const stored: BatchWrite[] = [];
  const storedChunks: ChunkRow[] = [];
  firsts.forEach((b, k) => {
    if (!claimed.has(b.batchId)) return;
    results[firstAt[k]!] = provisional[k]!;
    stored.push(b);
    if (chunks[k]) storedChunks.push(chunks[k]);
  });
  if (stored.length === 0) return outcome;
  outcome.latest = await heartbeatsAndLatest(c, caches.latest, stored, storedChunks);
  return outcome;
}

/**
 * Each series' id: from the cache (a whole list at once when it is the host's last one), else
 * looked up or created within the host's limit (undefined: over it). Fully resolved lists and
 * learnt ids go into `outcome`, for the cache after the commit.
 */
async function seriesIds(
  c: pg.PoolClient,
  cache: SeriesCache,
  batches: BatchWrite[],
  maxSeries: number,
  outcome: WriteOutcome,
): Promise<(number | undefined)[][]> {
  const ids: (number | undefined)[][] = [];
  const misses = new Map<string, SeriesKey & { seriesKey: string }>();
  const missed: { i: number; j: number; key: string }[] = [];
  const lists: number[] = [];
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const found = cache.lookup(b.hostId, b.series);
    ids.push(found.ids);
    if (!found.keys) continue; // the host's last list: nothing to resolve or remember
    lists.push(i);
    for (let j = 0; j < b.series.length; j++) {
      if (found.ids[j] !== undefined) continue;
      const seriesKey = found.keys[j]!;
      const key = hostKey(b.hostId, seriesKey);
      missed.push({ i, j, key });
      if (!misses.has(key)) {
        const metric = b.series[j]!.name;
        misses.set(key, { key, seriesKey, hostId: b.hostId, metric, labels: seriesKey.slice(metric.length + 1) });
      }
    }
  }
  if (misses.size) {
    const learnt = await resolveSeries(c, [...misses.values()], maxSeries);
    for (const [key, id] of learnt) {
      const m = misses.get(key);
      if (m) outcome.learnt.push({ hostId: m.hostId, key: m.seriesKey, id });
    }
    for (const m of missed) ids[m.i]![m.j] = learnt.get(m.key);
  }
  for (const i of lists) {
    const b = batches[i]!;
    if (!ids[i]!.includes(undefined)) outcome.lists.push({ hostId: b.hostId, series: b.series, ids: ids[i] as number[] });
  }
  return ids;
}

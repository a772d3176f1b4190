// The write path's SQL, as CTE fragments with their parameters, so the one-statement fast path
// and the transactional path (write.ts) run the same text. Arrays in, unnest() in SQL: a fixed
// number of statements however many batches, series and samples a call holds.
import type { ChunkRow } from '../chunks/build.js';
import type { Latest } from '../chunks/latest.js';
import { sampleSpan } from '../labels.js';
import type { BatchWrite } from '../types.js';
import { byteaArray, int4Array, int8Array } from './sql.js';

/** `$n` for the i-th parameter of a fragment whose parameters start after `offset`. */
const p = (offset: number, i: number) => `$${offset + i}`;

/**
 * CTEs `claimed`, `chunks`, `events` (19 parameters): records the batch ids and, for the batches
 * whose id is new, their chunk and events. A concurrent writer holding the same id makes the
 * insert wait for its commit, then count it as a duplicate. Ids go in sorted so two writers never
 * wait on each other's ids in opposite orders. Events go in call order, so ids ascend in call order
 * like SQLite's (listEvents breaks ts ties by id).
 */
export const claimCtes = (o: number) => `claimed AS (
    INSERT INTO ingest_batches (batch_id, host_id, received_at, min_ts, samples)
    SELECT * FROM unnest(${p(o, 1)}::text[], ${p(o, 2)}::text[], ${p(o, 3)}::bigint[], ${p(o, 4)}::bigint[], ${p(o, 5)}::int[])
    ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id
  ), chunks AS (
    INSERT INTO sample_chunks (host_id, batch_id, ts_min, ts_max, n, data)
    SELECT u.* FROM unnest(${p(o, 6)}::text[], ${p(o, 7)}::text[], ${p(o, 8)}::bigint[], ${p(o, 9)}::bigint[], ${p(o, 10)}::int[], ${p(o, 11)}::bytea[])
      AS u(host_id, batch_id, ts_min, ts_max, n, data)
    WHERE u.batch_id IN (SELECT batch_id FROM claimed)
  ), events AS (
    INSERT INTO events (host_id, ts, kind, source, level, message, fields)
    SELECT e.h, e.t, e.k, e.s, e.l, e.m, e.f::jsonb
    FROM unnest(${p(o, 12)}::text[], ${p(o, 13)}::text[], ${p(o, 14)}::bigint[], ${p(o, 15)}::text[], ${p(o, 16)}::text[], ${p(o, 17)}::text[],
      ${p(o, 18)}::text[], ${p(o, 19)}::text[]) WITH ORDINALITY AS e(b, h, t, k, s, l, m, f, ord)
    WHERE e.b IN (SELECT batch_id FROM claimed) ORDER BY e.ord
  )`;

export function claimParams(batches: BatchWrite[], chunks: (ChunkRow | null)[]): unknown[] {
  const claim = batches.map((b) => ({ b, span: sampleSpan(b.series) })).sort((x, y) => (x.b.batchId < y.b.batchId ? -1 : 1));
  const kept = chunks.filter((k): k is ChunkRow => k !== null);
  const ev: [string[], string[], number[], string[], string[], (string | null)[], string[], (string | null)[]] = [
    [],
    [],
    [],
    [],
    [],
    [],
    [],
    [],
  ];
  for (const b of batches) {
    for (const e of b.events) {
      ev[0].push(b.batchId);
      ev[1].push(b.hostId);
      ev[2].push(e.ts);
      ev[3].push(e.kind);
      ev[4].push(e.source);
      ev[5].push(e.level ?? null);
      ev[6].push(e.message);
      ev[7].push(e.fields ? JSON.stringify(e.fields) : null);
    }
  }
  return [
    claim.map((x) => x.b.batchId),
    claim.map((x) => x.b.hostId),
    int8Array(claim.map((x) => x.b.receivedAt)),
    claim.map((x) => x.span.minTs), // null for a batch without samples
    int4Array(claim.map((x) => x.span.samples)),
    kept.map((k) => k.hostId),
    kept.map((k) => k.batchId),
    int8Array(kept.map((k) => k.tsMin)),
    int8Array(kept.map((k) => k.tsMax)),
    int4Array(kept.map((k) => k.n)),
    byteaArray(kept.map((k) => k.data)),
    ...ev,
  ];
}

export interface Beat {
  seen: number;
  version: string;
  interval: number;
  inventory: string | null;
  processes: string | null;
}

/** A host's latest values folded from the LatestCache, to store if the cache was current. */
export interface Guess {
  /** The latest_seq the heartbeat must bump to for the cache to have been current. */
  expect: number;
  latest: Latest;
  data: Buffer;
  tsMin: number;
}

/**
 * CTEs `locked`, `upd`, `put` (10 parameters). One heartbeat per host; the rows are locked in id
 * order first, the same order for every writer, so two writers sharing hosts cannot deadlock, and
 * the locks are held to the commit. `upd` returns each host with the latest_seq it bumped to;
 * `put` stores the guessed latest values of the hosts where that is the guess's `expect`.
 */
export const heartbeatCtes = (o: number) => `locked AS (
    SELECT id FROM hosts WHERE id = ANY(${p(o, 1)}::text[]) ORDER BY id FOR NO KEY UPDATE
  ), upd AS (
    UPDATE hosts h SET last_seen_at = GREATEST(coalesce(h.last_seen_at, 0), u.seen), agent_version = u.version,
      interval_ms = u.interval, inventory = coalesce(u.inventory::jsonb, h.inventory), processes = coalesce(u.processes::jsonb, h.processes),
      latest_seq = h.latest_seq + 1
    FROM unnest(${p(o, 1)}::text[], ${p(o, 2)}::bigint[], ${p(o, 3)}::text[], ${p(o, 4)}::int[], ${p(o, 5)}::text[], ${p(o, 6)}::text[])
      AS u(id, seen, version, interval, inventory, processes), locked l
    WHERE h.id = u.id AND l.id = u.id
    RETURNING h.id, h.latest_seq AS seq
  ), put AS (
    INSERT INTO host_latest (host_id, ts_min, data)
    SELECT g.id, g.ts_min, g.data FROM unnest(${p(o, 7)}::text[], ${p(o, 8)}::bigint[], ${p(o, 9)}::bigint[], ${p(o, 10)}::bytea[])
      AS g(id, expect, ts_min, data)
      JOIN upd ON upd.id = g.id AND upd.seq = g.expect
    ON CONFLICT (host_id) DO UPDATE SET ts_min = excluded.ts_min, data = excluded.data
    RETURNING host_id
  )`;

export function heartbeatParams(beats: Map<string, Beat>, guesses: Map<string, Guess>): unknown[] {
  const ids = [...beats.keys()];
  const rows = ids.map((id) => beats.get(id)!);
  const g = [...guesses];
  return [
    ids,
    int8Array(rows.map((r) => r.seen)),
    rows.map((r) => r.version),
    rows.map((r) => r.interval),
    rows.map((r) => r.inventory),
    rows.map((r) => r.processes),
    g.map(([id]) => id),
    int8Array(g.map(([, x]) => x.expect)),
    int8Array(g.map(([, x]) => x.tsMin)),
    byteaArray(g.map(([, x]) => x.data)),
  ];
}

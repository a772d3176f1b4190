// Reading and maintaining the PostgreSQL store's samples: chunks (one row per committed batch) are
// read (bytea as hex text) and decoded in JS for raw queries and rollups; latest values come from
// host_latest. Mirrors sqlite/samples.ts.
import type pg from 'pg';
import { MinuteRollups, RawBuckets, slices, type RollupRow } from '../chunks/aggregate.js';
import { trimChunk } from '../chunks/build.js';
import { latestMap } from '../chunks/latest.js';
import { decodeChunk } from '../chunks/codec.js';
import { selectSeries } from '../labels.js';
import { parseLabels } from '../rows.js';
import type { LatestValue, SeriesPoints, SeriesQuery } from '../types.js';
import { byteaArray, float8Array, inTransaction, int4Array, int8Array } from './sql.js';

// Ordering by byte value, as SQLite's default BINARY collation does, whatever the database's locale.
const C = 'COLLATE "C"';
/** Rollup rows gathered before they are written (one statement). */
const ROLLUP_FLUSH = 20_000;

/**
 * A host's chunks overlapping [from, to), one slice at a time so memory stays bounded: the range
 * is first narrowed to where the host's chunks are, so a wide or sparse range costs no empty reads.
 */
async function* hostSlices(
  pool: pg.Pool,
  hostId: string,
  from: number,
  to: number,
): AsyncGenerator<{ a: number; b: number; chunks: Buffer[] }> {
  const { rows: span } = await pool.query<{ lo: string | null; hi: string | null }>({
    name: 'wt_host_span',
    text: 'SELECT min(ts_min) AS lo, max(ts_max) AS hi FROM sample_chunks WHERE host_id = $1 AND ts_max >= $2 AND ts_min < $3',
    values: [hostId, from, to],
  });
  if (span[0]?.lo == null || span[0].hi == null) return;
  for (const [a, b] of slices(Math.max(from, Number(span[0].lo)), Math.min(to, Number(span[0].hi) + 1))) {
    const { rows } = await pool.query<{ data: Buffer }>({
      name: 'wt_host_chunks',
      text: 'SELECT data FROM sample_chunks WHERE host_id = $1 AND ts_max >= $2 AND ts_min < $3',
      values: [hostId, a, b],
    });
    yield { a, b, chunks: rows.map((r) => r.data) };
  }
}

export async function latest(pool: pg.Pool, hostId?: string): Promise<LatestValue[]> {
  const where = hostId ? 'WHERE host_id = $1' : '';
  const args = hostId ? [hostId] : [];
  const [stored, { rows: series }] = await Promise.all([
    pool.query<{ host_id: string; data: Buffer }>(`SELECT host_id, data FROM host_latest ${where}`, args),
    pool.query<{ id: number; host_id: string; metric: string; labels: string }>(
      `SELECT id, host_id, metric, labels FROM series ${where} ORDER BY host_id ${C}, metric ${C}, labels ${C}`,
      args,
    ),
  ]);
  const values = new Map(stored.rows.map((r) => [r.host_id, latestMap(r.data)]));
  const out: LatestValue[] = [];
  for (const s of series) {
    const v = values.get(s.host_id)?.get(s.id);
    if (v) out.push({ hostId: s.host_id, metric: s.metric, labels: parseLabels(s.labels), ts: v.ts, value: v.value });
  }
  return out;
}

export async function querySeries(pool: pg.Pool, q: SeriesQuery): Promise<SeriesPoints[]> {
  const { rows: found } = await pool.query<{ id: number; labels: string }>(
    `SELECT id, labels FROM series WHERE host_id = $1 AND metric = $2 ORDER BY labels ${C}`,
    [q.hostId, q.metric],
  );
  const series = selectSeries(found, q.labels);
  if (series.length === 0) return [];
  const step = Math.max(1, Math.floor(q.stepMs));
  if (q.source === 'raw') {
    const buckets = new RawBuckets(
      series.map((s) => s.id),
      q.from,
      q.to,
      step,
    );
    for await (const { a, b, chunks } of hostSlices(pool, q.hostId, q.from, q.to))
      for (const data of chunks) buckets.add(decodeChunk(data), a, b);
    return series.map((s) => ({ metric: q.metric, labels: s.labels, points: buckets.points(s.id) }));
  }
  // Integer division on bigint, like SQLite's integer arithmetic: buckets start at multiples of step.
  const { rows } = await pool.query<{ series_id: number; b: string; avg: number; min: number; max: number }>(
    `SELECT series_id, (ts / $2) * $2 AS b, sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max FROM rollups_1m
     WHERE series_id = ANY($1::int[]) AND ts >= $3 AND ts < $4 GROUP BY series_id, b ORDER BY series_id, b`,
    [series.map((s) => s.id), step, q.from, q.to],
  );
  const points = new Map<number, SeriesPoints['points']>(series.map((s) => [s.id, []]));
  for (const r of rows) points.get(r.series_id)!.push({ ts: Number(r.b), avg: r.avg, min: r.min, max: r.max });
  return series.map((s) => ({ metric: q.metric, labels: s.labels, points: points.get(s.id)! }));
}

export async function countSamples(pool: pg.Pool, hostId?: string): Promise<number> {
  const { rows } = hostId
    ? await pool.query<{ n: string }>('SELECT coalesce(sum(n), 0) AS n FROM sample_chunks WHERE host_id = $1', [hostId])
    : await pool.query<{ n: string }>('SELECT coalesce(sum(n), 0) AS n FROM sample_chunks');
  return Number(rows[0]!.n);
}

/**
 * Recomputes the 1-minute rollups of [from, to) from the chunks, host by host and slice by slice,
 * writing rows in statements of up to ROLLUP_FLUSH. Returns the rows written (series × minute),
 * what the INSERT … SELECT's row count was.
 */
export async function rollup(pool: pg.Pool, from: number, to: number): Promise<number> {
  const { rows: hosts } = await pool.query<{ id: string }>('SELECT id FROM hosts ORDER BY id');
  let pending: RollupRow[] = [];
  let written = 0;
  const flush = async () => {
    if (pending.length) written += await upsertRollups(pool, pending);
    pending = [];
  };
  for (const { id } of hosts) {
    for await (const { a, b, chunks } of hostSlices(pool, id, from, to)) {
      const acc = new MinuteRollups(a, b);
      for (const data of chunks) acc.add(decodeChunk(data));
      for (const r of acc.take()) pending.push(r);
      if (pending.length >= ROLLUP_FLUSH) await flush();
    }
  }
  await flush();
  return written;
}

async function upsertRollups(pool: pg.Pool, rows: RollupRow[]): Promise<number> {
  // Sorted: two instances rolling up at once take the row locks in the same order.
  rows.sort((x, y) => x.seriesId - y.seriesId || x.ts - y.ts);
  const res = await pool.query({
    name: 'wt_upsert_rollups',
    text: `INSERT INTO rollups_1m (series_id, ts, min, max, sum, count)
           SELECT * FROM unnest($1::int[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[], $6::int[])
           ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`,
    values: [
      int4Array(rows.map((r) => r.seriesId)),
      int8Array(rows.map((r) => r.ts)),
      float8Array(rows.map((r) => r.min)),
      float8Array(rows.map((r) => r.max)),
      float8Array(rows.map((r) => r.sum)),
      int4Array(rows.map((r) => r.count)),
    ],
  });
  return res.rowCount ?? 0;
}

/**
 * Before whole days are dropped: rewrites the chunks that straddle the cutoff without their
 * samples older than it (with one timestamp per batch, which is what agents send, there are none).
 * Returns the samples removed. The update moves a chunk to the partition of its new ts_min.
 */
export async function trimStraddling(pool: pg.Pool, cut: number): Promise<number> {
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ host_id: string; batch_id: string; ts_min: string; ts_max: string; data: Buffer }>(
      'SELECT host_id, batch_id, ts_min, ts_max, data FROM sample_chunks WHERE ts_min < $1 AND ts_max >= $1 FOR UPDATE',
      [cut],
    );
    let removed = 0;
    for (const r of rows) {
      const t = trimChunk(r.data, cut);
      const kept = t.kept!; // ts_max >= cut: something is kept
      const res = await c.query(
        `UPDATE sample_chunks SET ts_min = $5, n = $6, data = $7
         WHERE host_id = $1 AND batch_id = $2 AND ts_min = $3 AND ts_max = $4`,
        [r.host_id, r.batch_id, r.ts_min, r.ts_max, kept.tsMin, kept.n, kept.data],
      );
      if (res.rowCount) removed += t.removed;
    }
    return removed;
  });
}

/**
 * Inside the prune's transaction: deletes the chunks wholly older than `cut` (what dropping days
 * left: the default partition, a partly covered day) and latest values older than it, as their
 * samples are gone. Host rows are locked first, in id order, as writers do, and their latest_seq
 * bumped, so no instance's LatestCache keeps the untrimmed values. Returns samples deleted.
 */
export async function pruneChunks(c: pg.PoolClient, cut: number): Promise<number> {
  const { rows } = await c.query<{ n: string }>(
    'WITH d AS (DELETE FROM sample_chunks WHERE ts_min < $1 AND ts_max < $1 RETURNING n) SELECT coalesce(sum(n), 0) AS n FROM d',
    [cut],
  );
  const { rows: stale } = await c.query<{ id: string; data: Buffer }>(
    'SELECT h.id, l.data FROM hosts h JOIN host_latest l ON l.host_id = h.id WHERE l.ts_min < $1 ORDER BY h.id FOR NO KEY UPDATE OF h',
    [cut],
  );
  const keep = stale.map((r) => ({ id: r.id, kept: trimChunk(r.data, cut).kept }));
  const gone = keep.filter((k) => !k.kept).map((k) => k.id);
  const trimmed = keep.filter((k) => k.kept);
  if (stale.length) await c.query('UPDATE hosts SET latest_seq = latest_seq + 1 WHERE id = ANY($1::text[])', [stale.map((r) => r.id)]);
  if (gone.length) await c.query('DELETE FROM host_latest WHERE host_id = ANY($1::text[])', [gone]);
  if (trimmed.length) {
    await c.query(
      `UPDATE host_latest l SET ts_min = u.ts_min, data = u.data FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS u(id, ts_min, data)
       WHERE l.host_id = u.id`,
      [trimmed.map((k) => k.id), trimmed.map((k) => k.kept!.tsMin), byteaArray(trimmed.map((k) => k.kept!.data))],
    );
  }
  return Number(rows[0]!.n);
}

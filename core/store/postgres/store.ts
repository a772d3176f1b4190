// Team mode storage: PostgreSQL through a small connection pool, one schema per installation (or
// test run). Several instances may share the schema: migrations, partition upkeep and batch
// deduplication are safe against each other. Semantics mirror sqlite/store.ts; the contract suite
// runs against both.
import pg from 'pg';
import { matchesLabels } from '../labels.js';
import { newId } from '../ids.js';
import { eventFromRow, hostFromRow, parseLabels, type EventRow, type HostRow } from '../rows.js';
import { SeriesCache } from '../series-cache.js';
import { postgresDb, type SqlDb } from '../sql-db.js';
import type {
  BatchResult,
  BatchWrite,
  Host,
  Labels,
  LatestValue,
  PruneCutoffs,
  PruneResult,
  SeriesPoints,
  SeriesQuery,
  Store,
  StoredEvent,
} from '../types.js';
import { MINUTE } from '../types.js';
import { migrate } from './migrate.js';
import { dropPartitionsBefore, ensurePartitions } from './partitions.js';
import { inTransaction, quoteIdent } from './sql.js';
import { writeBatches } from './write.js';

export interface PostgresStoreOptions {
  url: string;
  schema: string;
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: 8,
    // A pool that cannot hand out a connection (server down, all busy) fails the call instead of
    // leaving ingest waiting forever.
    connectionTimeoutMillis: 10_000,
    // Every pooled connection resolves unqualified names in our schema (validated and quoted).
    // JIT off: our statements are short, and a plan over a large partition crosses the default
    // JIT cost threshold and pays hundreds of ms of compilation for nothing.
    options: `-c search_path=${quoteIdent(opts.schema)} -c jit=off`,
    application_name: 'watchtower',
  });
  // An idle connection that dies (server restart) is dropped by the pool and replaced on demand;
  // without a listener the event would crash the process.
  pool.on('error', () => {});
  try {
    await migrate(pool, opts.schema);
    const store = new PostgresStore(pool, opts.schema);
    await store.ensurePartitions(Date.now());
    return store;
  } catch (err) {
    await pool.end();
    throw err;
  }
}

// Ordering by byte value, as SQLite's default BINARY collation does, whatever the database's locale.
const C = 'COLLATE "C"';

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly sql: SqlDb;
  private cache = new SeriesCache();
  private closing: Promise<void> | null = null;

  constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    this.sql = postgresDb(pool);
  }

  /** Creates missing daily partitions of samples around `now` (see partitions.ts). */
  async ensurePartitions(now: number, keepFrom?: number): Promise<void> {
    await ensurePartitions(this.pool, this.schema, now, keepFrom);
  }

  async createHost(input: { name: string; labels?: Labels }): Promise<Host> {
    const { rows } = await this.pool.query<HostRow>(
      'INSERT INTO hosts (id, name, labels, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [newId('h'), input.name, JSON.stringify(input.labels ?? {}), Date.now()],
    );
    return hostFromRow(rows[0]!);
  }

  async getHost(id: string): Promise<Host | null> {
    const { rows } = await this.pool.query<HostRow>('SELECT * FROM hosts WHERE id = $1', [id]);
    return rows[0] ? hostFromRow(rows[0]) : null;
  }

  async listHosts(): Promise<Host[]> {
    return (await this.pool.query<HostRow>(`SELECT * FROM hosts ORDER BY name ${C}`)).rows.map(hostFromRow);
  }

  async deleteHost(id: string): Promise<boolean> {
    const deleted = await inTransaction(this.pool, async (c) => {
      // samples and rollups have no foreign key (it would cost every insert a lookup), so they go by hand.
      await c.query('DELETE FROM samples WHERE series_id IN (SELECT id FROM series WHERE host_id = $1)', [id]);
      await c.query('DELETE FROM rollups_1m WHERE series_id IN (SELECT id FROM series WHERE host_id = $1)', [id]);
      return ((await c.query('DELETE FROM hosts WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
    this.cache.forgetHost(id);
    return deleted;
  }

  async addAgentToken(hostId: string, tokenHash: string): Promise<void> {
    await this.pool.query('INSERT INTO agent_tokens (token_hash, host_id, created_at) VALUES ($1, $2, $3)', [
      tokenHash,
      hostId,
      Date.now(),
    ]);
  }

  async hostIdForToken(tokenHash: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ host_id: string }>(
      'SELECT host_id FROM agent_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
      [tokenHash],
    );
    return rows[0]?.host_id ?? null;
  }

  async revokeAgentTokens(hostId: string): Promise<number> {
    const res = await this.pool.query('UPDATE agent_tokens SET revoked_at = $1 WHERE host_id = $2 AND revoked_at IS NULL', [
      Date.now(),
      hostId,
    ]);
    return res.rowCount ?? 0;
  }

  async writeBatches(batches: BatchWrite[], opts: { maxSeriesPerHost: number }): Promise<BatchResult[]> {
    if (batches.length === 0) return [];
    return writeBatches(this.pool, this.cache, batches, opts.maxSeriesPerHost);
  }

  async latest(hostId?: string): Promise<LatestValue[]> {
    // Per series, the newest sample is one backward step on its (series_id, ts) key in each partition.
    const { rows } = await this.pool.query<{ host_id: string; metric: string; labels: string; ts: string; value: number }>(
      `SELECT s.host_id, s.metric, s.labels, l.ts, l.value FROM series s
       CROSS JOIN LATERAL (SELECT ts, value FROM samples WHERE series_id = s.id ORDER BY ts DESC LIMIT 1) l
       WHERE ($1::text IS NULL OR s.host_id = $1) ORDER BY s.host_id ${C}, s.metric ${C}, s.labels ${C}`,
      [hostId ?? null],
    );
    return rows.map((r) => ({ hostId: r.host_id, metric: r.metric, labels: parseLabels(r.labels), ts: Number(r.ts), value: r.value }));
  }

  async querySeries(q: SeriesQuery): Promise<SeriesPoints[]> {
    const { rows: found } = await this.pool.query<{ id: number; labels: string }>(
      `SELECT id, labels FROM series WHERE host_id = $1 AND metric = $2 ORDER BY labels ${C}`,
      [q.hostId, q.metric],
    );
    const series = found.map((s) => ({ id: s.id, labels: parseLabels(s.labels) })).filter((s) => matchesLabels(s.labels, q.labels));
    if (series.length === 0) return [];
    // Integer division on bigint, like SQLite's integer arithmetic: buckets start at multiples of step.
    const sql =
      q.source === 'raw'
        ? `SELECT series_id, (ts / $2) * $2 AS b, avg(value) AS avg, min(value) AS min, max(value) AS max FROM samples
           WHERE series_id = ANY($1::int[]) AND ts >= $3 AND ts < $4 GROUP BY series_id, b ORDER BY series_id, b`
        : `SELECT series_id, (ts / $2) * $2 AS b, sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max FROM rollups_1m
           WHERE series_id = ANY($1::int[]) AND ts >= $3 AND ts < $4 GROUP BY series_id, b ORDER BY series_id, b`;
    const step = Math.max(1, Math.floor(q.stepMs));
    const { rows } = await this.pool.query<{ series_id: number; b: string; avg: number; min: number; max: number }>(sql, [
      series.map((s) => s.id),
      step,
      q.from,
      q.to,
    ]);
    const points = new Map<number, SeriesPoints['points']>(series.map((s) => [s.id, []]));
    for (const r of rows) points.get(r.series_id)!.push({ ts: Number(r.b), avg: r.avg, min: r.min, max: r.max });
    return series.map((s) => ({ metric: q.metric, labels: s.labels, points: points.get(s.id)! }));
  }

  async listEvents(q: { hostId: string; from?: number; to?: number; limit: number }): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT * FROM events WHERE host_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts DESC, id DESC LIMIT $4',
      [q.hostId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit],
    );
    return rows.map(eventFromRow);
  }

  async countSamples(hostId?: string): Promise<number> {
    const { rows } = hostId
      ? await this.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM samples WHERE series_id IN (SELECT id FROM series WHERE host_id = $1)',
          [hostId],
        )
      : await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM samples');
    return Number(rows[0]!.n);
  }

  async earliestSampleSince(receivedAfter: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ v: string | null }>('SELECT min(min_ts) AS v FROM ingest_batches WHERE received_at > $1', [
      receivedAfter,
    ]);
    return rows[0]?.v == null ? null : Number(rows[0].v);
  }

  async rollup(from: number, to: number): Promise<number> {
    // Driven from series, as in SQLite: the aggregate inside LATERAL cannot be flattened into a
    // join, so each series is an index range on (series_id, ts) in the partitions covering
    // [from, to), whatever the partitions' size (a join plan scanned the whole day's partition).
    // One row per series × minute written (inserted or replaced), the count SQLite's changes gives.
    const res = await this.pool.query(
      `INSERT INTO rollups_1m (series_id, ts, min, max, sum, count)
       SELECT s.id, r.m, r.min, r.max, r.sum, r.count FROM series s
       CROSS JOIN LATERAL (
         SELECT (ts / $3) * $3 AS m, min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS count
         FROM samples WHERE series_id = s.id AND ts >= $1 AND ts < $2 GROUP BY m
       ) r
       ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`,
      [from, to, MINUTE],
    );
    return res.rowCount ?? 0;
  }

  async prune(c: PruneCutoffs): Promise<PruneResult> {
    // Keep partitions ready for the days ahead, but do not recreate days that are past retention.
    await this.ensurePartitions(Date.now(), c.rawBefore);
    const dropped = await dropPartitionsBefore(this.pool, this.schema, c.rawBefore);
    return inTransaction(this.pool, async (t) => {
      const run = async (sql: string, cutoff: number) => (await t.query(sql, [cutoff])).rowCount ?? 0;
      return {
        // What is left before the cutoff: the default partition, a partly covered day, a day that could not be detached.
        samples: dropped + (await run('DELETE FROM samples WHERE ts < $1', c.rawBefore)),
        rollups: await run('DELETE FROM rollups_1m WHERE ts < $1', c.rollupBefore),
        events: await run('DELETE FROM events WHERE ts < $1', c.eventsBefore),
        batchIds: await run('DELETE FROM ingest_batches WHERE received_at < $1', c.batchIdsBefore),
      };
    });
  }

  async getMeta(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  /** Waits for queries in flight, then closes every connection. Later calls are no-ops. */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

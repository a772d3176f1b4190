// Team mode storage: PostgreSQL through a small connection pool, one schema per installation (or
// test run). Several instances may share the schema: migrations, partition upkeep and batch
// deduplication are safe against each other. Semantics mirror sqlite/store.ts; the contract suite
// runs against both.
import pg from 'pg';
import { newId } from '../ids.js';
import { eventFromRow, hostFromRow, type EventRow, type HostRow } from '../rows.js';
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
import { migrate } from './migrate.js';
import { LatestCache } from './host-latest.js';
import { dropPartitionsBefore, ensurePartitions } from './partitions.js';
import * as samples from './samples.js';
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
  // A connection that dies while checked out (mid-transaction, between queries) emits 'error' on
  // the client, which the pool does not listen to then: the query in flight fails on its own.
  pool.on('connect', (client) => client.on('error', () => {}));
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
  private latestCache = new LatestCache();
  private closing: Promise<void> | null = null;

  constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    this.sql = postgresDb(pool);
  }

  /** Creates missing daily partitions of sample_chunks around `now` (see partitions.ts). */
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
      // Writers hold the host row until they commit: waiting for it here means none of them
      // writes this host's latest values after they are deleted.
      await c.query('SELECT 1 FROM hosts WHERE id = $1 FOR UPDATE', [id]);
      // Chunks, latest values and rollups have no foreign key (it would cost every insert a lookup), so they go by hand.
      await c.query('DELETE FROM sample_chunks WHERE host_id = $1', [id]);
      await c.query('DELETE FROM host_latest WHERE host_id = $1', [id]);
      await c.query('DELETE FROM rollups_1m WHERE series_id IN (SELECT id FROM series WHERE host_id = $1)', [id]);
      return ((await c.query('DELETE FROM hosts WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
    this.cache.forgetHost(id);
    this.latestCache.forget(id);
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
    return writeBatches(this.pool, { series: this.cache, latest: this.latestCache }, batches, opts.maxSeriesPerHost);
  }

  async latest(hostId?: string): Promise<LatestValue[]> {
    return samples.latest(this.pool, hostId);
  }

  async querySeries(q: SeriesQuery): Promise<SeriesPoints[]> {
    return samples.querySeries(this.pool, q);
  }

  async listEvents(q: { hostId: string; from?: number; to?: number; limit: number }): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT * FROM events WHERE host_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts DESC, id DESC LIMIT $4',
      [q.hostId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit],
    );
    return rows.map(eventFromRow);
  }

  async countSamples(hostId?: string): Promise<number> {
    return samples.countSamples(this.pool, hostId);
  }

  async earliestSampleSince(receivedAfter: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ v: string | null }>('SELECT min(min_ts) AS v FROM ingest_batches WHERE received_at > $1', [
      receivedAfter,
    ]);
    return rows[0]?.v == null ? null : Number(rows[0].v);
  }

  async rollup(from: number, to: number): Promise<number> {
    return samples.rollup(this.pool, from, to);
  }

  async prune(c: PruneCutoffs): Promise<PruneResult> {
    // Chunks straddling the cutoff lose their older samples first, so the days dropped next hold
    // nothing newer than the cutoff.
    const trimmed = await samples.trimStraddling(this.pool, c.rawBefore);
    // Keep partitions ready for the days ahead, but do not recreate days that are past retention.
    await this.ensurePartitions(Date.now(), c.rawBefore);
    const dropped = await dropPartitionsBefore(this.pool, this.schema, c.rawBefore);
    return inTransaction(this.pool, async (t) => {
      const run = async (sql: string, cutoff: number) => (await t.query(sql, [cutoff])).rowCount ?? 0;
      return {
        // What is left before the cutoff: the default partition, a partly covered day, a day that could not be detached.
        samples: trimmed + dropped + (await samples.pruneChunks(t, c.rawBefore)),
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

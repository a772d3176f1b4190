// Local mode storage: one SQLite file in WAL mode. better-sqlite3 is synchronous, so a write
// transaction runs to completion without interleaving; the Store interface is async for parity
// with PostgreSQL.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pendingMigrations } from '../migrations/index.js';
import { newId } from '../ids.js';
import { eventFromRow, hostFromRow, type EventRow, type HostRow } from '../rows.js';
import { SeriesCache } from '../series-cache.js';
import { sqliteDb, type SqlDb } from '../sql-db.js';
import { Checkpointer } from './checkpointer.js';
import { SqliteSamples } from './samples.js';
import { SqliteWriter } from './write.js';
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

export function openSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of this process (the WAL is in the OS cache); only a
  // power loss can drop the last commits. That is the trade SQLite recommends for WAL.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Ingest appends a chunk per batch and rewrites a few hot pages (host rows, latest values, index
  // tails) in every commit. A 32 MB page cache keeps them resident; checkpoints run on a worker
  // thread (checkpointer.ts), and this connection's own, which would run inside the commit that
  // crosses the mark, are a backstop every 10,000 pages (~40 MB of WAL) instead of 1,000. Page
  // cache and mark alone took store writes from ~440k to ~550k samples/s and p99 per 3,000-sample
  // call from ~30 to ~8-12 ms (bench/store-write.ts). journal_size_limit truncates a WAL that grew
  // past that (readers holding back a checkpoint).
  db.pragma('cache_size = -32000');
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('journal_size_limit = 67108864');
  migrate(db);
  return new SqliteStore(db, path);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  const apply = db.transaction(() => {
    for (const m of pendingMigrations(row.v ?? 0)) {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
  });
  apply.immediate();
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly sql: SqlDb;
  private cache = new SeriesCache();
  private writer: SqliteWriter;
  private samples: SqliteSamples;
  /** Started with the first write (undefined until then; null where it cannot run). */
  private checkpointer: Checkpointer | null | undefined;
  private closing: Promise<void> | null = null;

  constructor(
    readonly db: Database.Database,
    private path = ':memory:',
  ) {
    this.sql = sqliteDb(db);
    this.writer = new SqliteWriter(db, this.cache);
    this.samples = new SqliteSamples(db);
  }

  async createHost(input: { name: string; labels?: Labels }): Promise<Host> {
    const id = newId('h');
    this.db
      .prepare('INSERT INTO hosts (id, name, labels, created_at) VALUES (?, ?, ?, ?)')
      .run(id, input.name, JSON.stringify(input.labels ?? {}), Date.now());
    return (await this.getHost(id))!;
  }

  async getHost(id: string): Promise<Host | null> {
    const row = this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow | undefined;
    return row ? hostFromRow(row) : null;
  }

  async listHosts(): Promise<Host[]> {
    return (this.db.prepare('SELECT * FROM hosts ORDER BY name').all() as HostRow[]).map(hostFromRow);
  }

  async deleteHost(id: string): Promise<boolean> {
    const del = this.db.transaction(() => {
      this.db.prepare('DELETE FROM sample_chunks WHERE host_id = ?').run(id);
      this.db.prepare('DELETE FROM host_latest WHERE host_id = ?').run(id);
      this.db.prepare('DELETE FROM rollups_1m WHERE series_id IN (SELECT id FROM series WHERE host_id = ?)').run(id);
      return this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id).changes > 0;
    });
    const deleted = del.immediate();
    this.cache.forgetHost(id);
    return deleted;
  }

  async addAgentToken(hostId: string, tokenHash: string): Promise<void> {
    this.db.prepare('INSERT INTO agent_tokens (token_hash, host_id, created_at) VALUES (?, ?, ?)').run(tokenHash, hostId, Date.now());
  }

  async hostIdForToken(tokenHash: string): Promise<string | null> {
    const id = this.db.prepare('SELECT host_id FROM agent_tokens WHERE token_hash = ? AND revoked_at IS NULL').pluck().get(tokenHash) as
      string | undefined;
    return id ?? null;
  }

  async revokeAgentTokens(hostId: string): Promise<number> {
    return this.db.prepare('UPDATE agent_tokens SET revoked_at = ? WHERE host_id = ? AND revoked_at IS NULL').run(Date.now(), hostId)
      .changes;
  }

  async writeBatches(batches: BatchWrite[], opts: { maxSeriesPerHost: number }): Promise<BatchResult[]> {
    if (this.checkpointer === undefined && !this.closing) this.checkpointer = Checkpointer.start(this.path);
    return this.writer.writeBatches(batches, opts.maxSeriesPerHost);
  }

  async latest(hostId?: string): Promise<LatestValue[]> {
    return this.samples.latest(hostId);
  }

  async querySeries(q: SeriesQuery): Promise<SeriesPoints[]> {
    return this.samples.querySeries(q);
  }

  async listEvents(q: { hostId: string; from?: number; to?: number; limit: number }): Promise<StoredEvent[]> {
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE host_id = @host AND ts >= @from AND ts < @to ORDER BY ts DESC, id DESC LIMIT @limit`)
      .all({ host: q.hostId, from: q.from ?? 0, to: q.to ?? Number.MAX_SAFE_INTEGER, limit: q.limit }) as EventRow[];
    return rows.map(eventFromRow);
  }

  async countSamples(hostId?: string): Promise<number> {
    return this.samples.countSamples(hostId);
  }

  async earliestSampleSince(receivedAfter: number): Promise<number | null> {
    const v = this.db.prepare('SELECT min(min_ts) FROM ingest_batches WHERE received_at > ?').pluck().get(receivedAfter);
    return v == null ? null : Number(v);
  }

  async rollup(from: number, to: number): Promise<number> {
    return this.samples.rollup(from, to);
  }

  async prune(c: PruneCutoffs): Promise<PruneResult> {
    const samples = this.samples.pruneSamples(c.rawBefore);
    const run = (sql: string, cutoff: number) => this.db.prepare(sql).run(cutoff).changes;
    return this.db.transaction(() => ({
      samples,
      rollups: run('DELETE FROM rollups_1m WHERE series_id IN (SELECT id FROM series) AND ts < ?', c.rollupBefore),
      events: run('DELETE FROM events WHERE ts < ?', c.eventsBefore),
      batchIds: run('DELETE FROM ingest_batches WHERE received_at < ?', c.batchIdsBefore),
    }))();
  }

  async getMeta(key: string): Promise<string | null> {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Stops the checkpointer, then closes the database. Later calls are no-ops. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.checkpointer?.stop();
      if (this.db.open) this.db.close();
    })();
    return this.closing;
  }
}

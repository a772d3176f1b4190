// Local mode storage: one SQLite file in WAL mode. better-sqlite3 is synchronous, so a write
// transaction runs to completion without interleaving; the Store interface is async for parity
// with PostgreSQL.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalLabels, matchesLabels, sampleSpan } from '../labels.js';
import { pendingMigrations } from '../migrations/index.js';
import { newId } from '../ids.js';
import { eventFromRow, hostFromRow, parseLabels, type EventRow, type HostRow } from '../rows.js';
import { SeriesCache } from '../series-cache.js';
import { sqliteDb, type SqlDb } from '../sql-db.js';
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

export function openSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of this process (the WAL is in the OS cache); only a
  // power loss can drop the last commits. That is the trade SQLite recommends for WAL.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
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
  private q;

  constructor(readonly db: Database.Database) {
    this.sql = sqliteDb(db);
    this.q = {
      insertBatch: db.prepare(
        'INSERT OR IGNORE INTO ingest_batches (batch_id, host_id, received_at, min_ts, samples) VALUES (?, ?, ?, ?, ?)',
      ),
      findSeries: db.prepare('SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels = ?').pluck(),
      countSeries: db.prepare('SELECT count(*) FROM series WHERE host_id = ?').pluck(),
      insertSeries: db.prepare('INSERT INTO series (host_id, metric, labels) VALUES (?, ?, ?)'),
      insertSample: db.prepare('INSERT OR IGNORE INTO samples (series_id, ts, value) VALUES (?, ?, ?)'),
      insertEvent: db.prepare('INSERT INTO events (host_id, ts, kind, source, level, message, fields) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      heartbeat: db.prepare(`UPDATE hosts SET last_seen_at = max(coalesce(last_seen_at, 0), ?), agent_version = ?,
        interval_ms = ?, inventory = coalesce(?, inventory), processes = coalesce(?, processes) WHERE id = ?`),
    };
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
      this.db.prepare('DELETE FROM samples WHERE series_id IN (SELECT id FROM series WHERE host_id = ?)').run(id);
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
    const tx = this.db.transaction(() => batches.map((b) => this.writeOne(b, opts.maxSeriesPerHost)));
    return tx.immediate();
  }

  private writeOne(b: BatchWrite, maxSeries: number): BatchResult {
    const { minTs, samples } = sampleSpan(b.series);
    const result: BatchResult = { batchId: b.batchId, duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 };
    if (this.q.insertBatch.run(b.batchId, b.hostId, b.receivedAt, minTs, samples).changes === 0) {
      return { ...result, duplicate: true };
    }
    for (const s of b.series) {
      const id = this.seriesId(b.hostId, s.name, canonicalLabels(s.labels), maxSeries);
      if (id === undefined) {
        result.seriesOverLimit++;
        result.samplesOverLimit += s.ts.length;
        continue;
      }
      for (let i = 0; i < s.ts.length; i++) this.q.insertSample.run(id, s.ts[i], s.values[i]);
    }
    for (const e of b.events) {
      this.q.insertEvent.run(b.hostId, e.ts, e.kind, e.source, e.level ?? null, e.message, e.fields ? JSON.stringify(e.fields) : null);
    }
    const inv = b.inventory ? JSON.stringify(b.inventory) : null;
    const procs = b.processes ? JSON.stringify(b.processes) : null;
    this.q.heartbeat.run(b.receivedAt, b.agentVersion, b.intervalMs, inv, procs, b.hostId);
    return result;
  }

  /** The series' id, created if new; undefined when the host is at its series limit. */
  private seriesId(hostId: string, metric: string, labels: string, maxSeries: number): number | undefined {
    const key = SeriesCache.key(hostId, metric, labels);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let id = this.q.findSeries.get(hostId, metric, labels) as number | undefined;
    if (id === undefined) {
      const count = this.cache.count(hostId) ?? (this.q.countSeries.get(hostId) as number);
      if (count >= maxSeries) return undefined;
      id = Number(this.q.insertSeries.run(hostId, metric, labels).lastInsertRowid);
      this.cache.setCount(hostId, count + 1);
    }
    this.cache.set(key, id);
    return id;
  }

  async latest(hostId?: string): Promise<LatestValue[]> {
    const rows = this.db
      .prepare(
        `SELECT s.host_id, s.metric, s.labels, l.ts, l.value FROM series s
         JOIN samples l ON l.series_id = s.id AND l.ts = (SELECT max(ts) FROM samples WHERE series_id = s.id)
         WHERE (@host IS NULL OR s.host_id = @host) ORDER BY s.host_id, s.metric, s.labels`,
      )
      .all({ host: hostId ?? null }) as { host_id: string; metric: string; labels: string; ts: number; value: number }[];
    return rows.map((r) => ({ hostId: r.host_id, metric: r.metric, labels: parseLabels(r.labels), ts: r.ts, value: r.value }));
  }

  async querySeries(q: SeriesQuery): Promise<SeriesPoints[]> {
    const series = (
      this.db.prepare('SELECT id, labels FROM series WHERE host_id = ? AND metric = ? ORDER BY labels').all(q.hostId, q.metric) as {
        id: number;
        labels: string;
      }[]
    )
      .map((s) => ({ id: s.id, labels: parseLabels(s.labels) }))
      .filter((s) => matchesLabels(s.labels, q.labels));
    // better-sqlite3 binds JS numbers as REAL, and REAL division would make every timestamp its own
    // bucket: the step is cast so the bucket is an integer division.
    const sql =
      q.source === 'raw'
        ? `SELECT (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS b, avg(value) AS avg, min(value) AS min, max(value) AS max FROM samples
           WHERE series_id = @id AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`
        : `SELECT (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS b, sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max FROM rollups_1m
           WHERE series_id = @id AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`;
    const stmt = this.db.prepare(sql);
    const step = Math.max(1, Math.floor(q.stepMs));
    return series.map((s) => ({
      metric: q.metric,
      labels: s.labels,
      points: (stmt.all({ id: s.id, step, from: q.from, to: q.to }) as { b: number; avg: number; min: number; max: number }[]).map((r) => ({
        ts: r.b,
        avg: r.avg,
        min: r.min,
        max: r.max,
      })),
    }));
  }

  async listEvents(q: { hostId: string; from?: number; to?: number; limit: number }): Promise<StoredEvent[]> {
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE host_id = @host AND ts >= @from AND ts < @to ORDER BY ts DESC, id DESC LIMIT @limit`)
      .all({ host: q.hostId, from: q.from ?? 0, to: q.to ?? Number.MAX_SAFE_INTEGER, limit: q.limit }) as EventRow[];
    return rows.map(eventFromRow);
  }

  async countSamples(hostId?: string): Promise<number> {
    const sql = hostId
      ? 'SELECT count(*) FROM samples WHERE series_id IN (SELECT id FROM series WHERE host_id = ?)'
      : 'SELECT count(*) FROM samples';
    return Number(
      this.db
        .prepare(sql)
        .pluck()
        .get(...(hostId ? [hostId] : [])),
    );
  }

  async earliestSampleSince(receivedAfter: number): Promise<number | null> {
    const v = this.db.prepare('SELECT min(min_ts) FROM ingest_batches WHERE received_at > ?').pluck().get(receivedAfter);
    return v == null ? null : Number(v);
  }

  async rollup(from: number, to: number): Promise<number> {
    // Driven from series so each series is an index range on (series_id, ts), not a table scan.
    return this.db
      .prepare(
        `INSERT INTO rollups_1m (series_id, ts, min, max, sum, count)
         SELECT sm.series_id, (sm.ts / ${MINUTE}) * ${MINUTE} AS m, min(sm.value), max(sm.value), sum(sm.value), count(*)
         FROM series s JOIN samples sm ON sm.series_id = s.id AND sm.ts >= @from AND sm.ts < @to
         GROUP BY sm.series_id, m
         ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`,
      )
      .run({ from, to }).changes;
  }

  async prune(c: PruneCutoffs): Promise<PruneResult> {
    const run = (sql: string, cutoff: number) => this.db.prepare(sql).run(cutoff).changes;
    return this.db.transaction(() => ({
      samples: run('DELETE FROM samples WHERE series_id IN (SELECT id FROM series) AND ts < ?', c.rawBefore),
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

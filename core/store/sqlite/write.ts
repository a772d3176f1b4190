// The SQLite ingest write path: every batch of a call in one transaction; per batch one chunk row
// holding all its samples (chunks/codec.ts), per host one rewrite of its latest values.
// better-sqlite3 is synchronous, so the transaction runs to completion without interleaving.
import type Database from 'better-sqlite3';
import { batchChunk, type ChunkRow } from '../chunks/build.js';
import { decodeLatest, encodeLatest, foldLatest } from '../chunks/latest.js';
import { sampleSpan } from '../labels.js';
import { type SeriesCache } from '../series-cache.js';
import type { BatchResult, BatchWrite } from '../types.js';

export class SqliteWriter {
  private q;

  constructor(
    private db: Database.Database,
    private cache: SeriesCache,
  ) {
    this.q = {
      insertBatch: db.prepare(
        'INSERT OR IGNORE INTO ingest_batches (batch_id, host_id, received_at, min_ts, samples) VALUES (?, ?, ?, ?, ?)',
      ),
      findSeries: db.prepare('SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels = ?').pluck(),
      countSeries: db.prepare('SELECT count(*) FROM series WHERE host_id = ?').pluck(),
      insertSeries: db.prepare('INSERT INTO series (host_id, metric, labels) VALUES (?, ?, ?)'),
      insertChunk: db.prepare('INSERT INTO sample_chunks (host_id, batch_id, ts_min, ts_max, n, data) VALUES (?, ?, ?, ?, ?, ?)'),
      getLatest: db.prepare('SELECT data FROM host_latest WHERE host_id = ?').pluck(),
      putLatest: db.prepare(
        'INSERT INTO host_latest (host_id, ts_min, data) VALUES (?, ?, ?) ON CONFLICT (host_id) DO UPDATE SET ts_min = excluded.ts_min, data = excluded.data',
      ),
      insertEvent: db.prepare('INSERT INTO events (host_id, ts, kind, source, level, message, fields) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      heartbeat: db.prepare(`UPDATE hosts SET last_seen_at = max(coalesce(last_seen_at, 0), ?), agent_version = ?,
        interval_ms = ?, inventory = coalesce(?, inventory), processes = coalesce(?, processes) WHERE id = ?`),
    };
  }

  writeBatches(batches: BatchWrite[], maxSeries: number): BatchResult[] {
    // Series lists to remember once committed (a rollback would leave ids that do not exist).
    const lists: { hostId: string; series: BatchWrite['series']; ids: number[] }[] = [];
    const created: [string, string, number][] = [];
    const tx = this.db.transaction(() => {
      const written = new Map<string, ChunkRow[]>();
      const results = batches.map((b) => {
        const r = this.writeOne(b, maxSeries, lists, created);
        if (r.chunk) {
          const list = written.get(b.hostId);
          if (list) list.push(r.chunk);
          else written.set(b.hostId, [r.chunk]);
        }
        return r.result;
      });
      for (const [hostId, chunks] of written) {
        const prev = this.q.getLatest.get(hostId) as Buffer | undefined;
        const latest = encodeLatest(
          foldLatest(
            prev ? decodeLatest(prev) : null,
            chunks.map((c) => c.series),
          ),
        );
        this.q.putLatest.run(hostId, latest.tsMin, latest.data);
      }
      return results;
    });
    try {
      const results = tx.immediate();
      for (const l of lists) this.cache.rememberList(l.hostId, l.series, l.ids);
      return results;
    } catch (err) {
      // Ids of series created in the rolled-back transaction are gone with it.
      for (const [hostId] of created) this.cache.forgetHost(hostId);
      throw err;
    }
  }

  private writeOne(
    b: BatchWrite,
    maxSeries: number,
    lists: { hostId: string; series: BatchWrite['series']; ids: number[] }[],
    created: [string, string, number][],
  ): { result: BatchResult; chunk: ChunkRow | null } {
    const { minTs, samples } = sampleSpan(b.series);
    const result: BatchResult = { batchId: b.batchId, duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 };
    if (this.q.insertBatch.run(b.batchId, b.hostId, b.receivedAt, minTs, samples).changes === 0) {
      return { result: { ...result, duplicate: true }, chunk: null };
    }
    const { ids, keys } = this.cache.lookup(b.hostId, b.series);
    if (keys) {
      let complete = true;
      for (let j = 0; j < ids.length; j++) {
        if (ids[j] === undefined) ids[j] = this.seriesId(b.hostId, b.series[j]!, keys[j]!, maxSeries, created);
        if (ids[j] === undefined) complete = false;
      }
      if (complete) lists.push({ hostId: b.hostId, series: b.series, ids: ids as number[] });
    }
    const chunk = batchChunk(b, ids, result);
    if (chunk) this.q.insertChunk.run(b.hostId, b.batchId, chunk.tsMin, chunk.tsMax, chunk.n, chunk.data);
    for (const e of b.events) {
      this.q.insertEvent.run(b.hostId, e.ts, e.kind, e.source, e.level ?? null, e.message, e.fields ? JSON.stringify(e.fields) : null);
    }
    const inv = b.inventory ? JSON.stringify(b.inventory) : null;
    const procs = b.processes ? JSON.stringify(b.processes) : null;
    this.q.heartbeat.run(b.receivedAt, b.agentVersion, b.intervalMs, inv, procs, b.hostId);
    return { result, chunk };
  }

  /** The series' id, created if new; undefined when the host is at its series limit. */
  private seriesId(
    hostId: string,
    s: BatchWrite['series'][number],
    key: string,
    maxSeries: number,
    created: [string, string, number][],
  ): number | undefined {
    const labels = key.slice(s.name.length + 1);
    let id = this.q.findSeries.get(hostId, s.name, labels) as number | undefined;
    if (id === undefined) {
      const count = this.cache.count(hostId) ?? (this.q.countSeries.get(hostId) as number);
      if (count >= maxSeries) return undefined;
      id = Number(this.q.insertSeries.run(hostId, s.name, labels).lastInsertRowid);
      this.cache.setCount(hostId, count + 1);
      created.push([hostId, key, id]);
    }
    this.cache.set(hostId, key, id);
    return id;
  }
}

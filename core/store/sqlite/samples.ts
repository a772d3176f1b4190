// Reading and maintaining the SQLite store's samples: chunks (one row per committed batch) are
// decoded in JS for raw queries and rollups; latest values come from host_latest.
import type Database from 'better-sqlite3';
import { MinuteRollups, RawBuckets, slices } from '../chunks/aggregate.js';
import { trimChunk } from '../chunks/build.js';
import { latestMap } from '../chunks/latest.js';
import { decodeChunk } from '../chunks/codec.js';
import { selectSeries } from '../labels.js';
import { parseLabels } from '../rows.js';
import type { LatestValue, SeriesPoints, SeriesQuery } from '../types.js';

/** Yields to the event loop, so a long rollup or prune lets ingest commit in between. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SqliteSamples {
  private q;

  constructor(private db: Database.Database) {
    this.q = {
      hostChunks: db.prepare('SELECT data FROM sample_chunks WHERE host_id = ? AND ts_max >= ? AND ts_min < ? ORDER BY ts_max').pluck(),
      hostSpan: db.prepare(
        'SELECT min(ts_min) AS lo, max(ts_max) AS hi FROM sample_chunks WHERE host_id = ? AND ts_max >= ? AND ts_min < ?',
      ),
      upsertRollup: db.prepare(
        `INSERT INTO rollups_1m (series_id, ts, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (series_id, ts) DO UPDATE SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`,
      ),
    };
  }

  latest(hostId?: string): LatestValue[] {
    const [latestSql, seriesSql] = hostId
      ? [
          'SELECT host_id, data FROM host_latest WHERE host_id = ?',
          'SELECT id, host_id, metric, labels FROM series WHERE host_id = ? ORDER BY metric, labels',
        ]
      : ['SELECT host_id, data FROM host_latest', 'SELECT id, host_id, metric, labels FROM series ORDER BY host_id, metric, labels'];
    const args = hostId ? [hostId] : [];
    const values = new Map<string, Map<number, { ts: number; value: number }>>();
    for (const r of this.db.prepare(latestSql).all(...args) as { host_id: string; data: Buffer }[])
      values.set(r.host_id, latestMap(r.data));
    const out: LatestValue[] = [];
    for (const s of this.db.prepare(seriesSql).all(...args) as { id: number; host_id: string; metric: string; labels: string }[]) {
      const v = values.get(s.host_id)?.get(s.id);
      if (v) out.push({ hostId: s.host_id, metric: s.metric, labels: parseLabels(s.labels), ts: v.ts, value: v.value });
    }
    return out;
  }

  querySeries(q: SeriesQuery): SeriesPoints[] {
    const rows = this.db.prepare('SELECT id, labels FROM series WHERE host_id = ? AND metric = ? ORDER BY labels').all(q.hostId, q.metric);
    const series = selectSeries(rows as { id: number; labels: string }[], q.labels);
    const step = Math.max(1, Math.floor(q.stepMs));
    if (q.source === 'raw') {
      const buckets = new RawBuckets(
        series.map((s) => s.id),
        q.from,
        q.to,
        step,
      );
      if (series.length) for (const data of this.q.hostChunks.iterate(q.hostId, q.from, q.to)) buckets.add(decodeChunk(data as Buffer));
      return series.map((s) => ({ metric: q.metric, labels: s.labels, points: buckets.points(s.id) }));
    }
    // better-sqlite3 binds JS numbers as REAL, and REAL division would make every timestamp its own
    // bucket: the step is cast so the bucket is an integer division.
    const stmt = this.db.prepare(
      `SELECT (ts / CAST(@step AS INTEGER)) * CAST(@step AS INTEGER) AS b, sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max FROM rollups_1m
       WHERE series_id = @id AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`,
    );
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

  countSamples(hostId?: string): number {
    const sql = hostId
      ? 'SELECT coalesce(sum(n), 0) FROM sample_chunks WHERE host_id = ?'
      : 'SELECT coalesce(sum(n), 0) FROM sample_chunks';
    return Number(
      this.db
        .prepare(sql)
        .pluck()
        .get(...(hostId ? [hostId] : [])),
    );
  }

  /**
   * Recomputes the 1-minute rollups of [from, to) from the chunks: host by host and slice by slice
   * (chunks/aggregate.ts), each slice's upserts in one transaction, yielding between slices.
   * Returns the rows written (series × minute), as the INSERT … SELECT's change count did.
   */
  async rollup(from: number, to: number): Promise<number> {
    const hosts = this.db.prepare('SELECT id FROM hosts ORDER BY id').pluck().all() as string[];
    let rows = 0;
    for (const hostId of hosts) {
      // Narrowed to where the host's chunks are, so a wide or sparse range costs no empty slices.
      const span = this.q.hostSpan.get(hostId, from, to) as { lo: number | null; hi: number | null };
      if (span.lo === null || span.hi === null) continue;
      for (const [a, b] of slices(Math.max(from, span.lo), Math.min(to, span.hi + 1))) {
        rows += this.db
          .transaction(() => {
            const acc = new MinuteRollups(a, b);
            for (const data of this.q.hostChunks.iterate(hostId, a, b)) acc.add(decodeChunk(data as Buffer));
            const out = acc.take();
            for (const r of out) this.q.upsertRollup.run(r.seriesId, r.ts, r.min, r.max, r.sum, r.count);
            return out.length;
          })
          .immediate();
      }
      await breathe();
    }
    return rows;
  }

  /**
   * Deletes raw samples older than `cut`: whole chunks when all their samples are, and the older
   * samples of a chunk straddling the cutoff (rewritten; with one timestamp per batch, which is
   * what agents send, no chunk straddles). Latest values older than the cutoff go too, as their
   * samples did. Returns the samples deleted.
   */
  pruneSamples(cut: number): number {
    return this.db
      .transaction(() => {
        let removed = 0;
        const straddling = this.db.prepare('SELECT id, data FROM sample_chunks WHERE ts_min < ? AND ts_max >= ?').all(cut, cut) as {
          id: number;
          data: Buffer;
        }[];
        const update = this.db.prepare('UPDATE sample_chunks SET ts_min = ?, n = ?, data = ? WHERE id = ?');
        for (const c of straddling) {
          const t = trimChunk(c.data, cut);
          removed += t.removed;
          update.run(t.kept!.tsMin, t.kept!.n, t.kept!.data, c.id); // ts_max >= cut: something is kept
        }
        // ts_min < cut repeats what ts_max < cut implies, for the index on ts_min.
        const where = 'WHERE ts_min < ? AND ts_max < ?';
        removed += Number(this.db.prepare(`SELECT coalesce(sum(n), 0) FROM sample_chunks ${where}`).pluck().get(cut, cut));
        this.db.prepare(`DELETE FROM sample_chunks ${where}`).run(cut, cut);
        this.pruneLatest(cut);
        return removed;
      })
      .immediate();
  }

  private pruneLatest(cut: number): void {
    const rows = this.db.prepare('SELECT host_id, data FROM host_latest WHERE ts_min < ?').all(cut) as { host_id: string; data: Buffer }[];
    for (const r of rows) {
      const { kept } = trimChunk(r.data, cut);
      if (kept) this.db.prepare('UPDATE host_latest SET ts_min = ?, data = ? WHERE host_id = ?').run(kept.tsMin, kept.data, r.host_id);
      else this.db.prepare('DELETE FROM host_latest WHERE host_id = ?').run(r.host_id);
    }
  }
}

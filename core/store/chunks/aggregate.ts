// Aggregations over decoded chunks, in JS, with the semantics the SQL over per-sample rows had:
// buckets start at multiples of the step ((ts / step) * step in integer arithmetic), each bucket's
// avg, min and max; 1-minute rollups as min, max, sum and count per series × minute.
import type { SeriesPoints } from '../types.js';
import { MINUTE } from '../types.js';
import { seriesIndex, type Chunk } from './codec.js';

interface Acc {
  sum: number;
  count: number;
  min: number;
  max: number;
}

function add(map: Map<number, Acc>, key: number, v: number): void {
  const a = map.get(key);
  if (!a) map.set(key, { sum: v, count: 1, min: v, max: v });
  else {
    a.sum += v;
    a.count++;
    if (v < a.min) a.min = v;
    if (v > a.max) a.max = v;
  }
}

/** Raw samples of some series in [from, to), bucketed by `step` ms (an integer ≥ 1). */
export class RawBuckets {
  private acc = new Map<number, Map<number, Acc>>();

  constructor(
    ids: Iterable<number>,
    private from: number,
    private to: number,
    private step: number,
  ) {
    for (const id of ids) this.acc.set(id, new Map());
  }

  /** Adds the chunk's samples of the wanted series in [from, to), and within [lo, hi) when given (a slice). */
  add(chunk: Chunk, lo = this.from, hi = this.to): void {
    const from = Math.max(lo, this.from);
    const to = Math.min(hi, this.to);
    for (const [id, buckets] of this.acc) {
      const i = seriesIndex(chunk, id);
      if (i < 0) continue;
      for (let k = chunk.offsets[i]!, end = chunk.offsets[i + 1]!; k < end; k++) {
        const t = chunk.ts[k]!;
        // ts are non-negative integers, so t − t % step is the integer division's bucket, exactly.
        if (t >= from && t < to) add(buckets, t - (t % this.step), chunk.values[k]!);
      }
    }
  }

  points(id: number): SeriesPoints['points'] {
    const buckets = this.acc.get(id);
    if (!buckets) return [];
    return [...buckets.keys()]
      .sort((a, b) => a - b)
      .map((ts) => {
        const a = buckets.get(ts)!;
        return { ts, avg: a.sum / a.count, min: a.min, max: a.max };
      });
  }
}

export interface RollupRow {
  seriesId: number;
  ts: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Every series' samples in [from, to), per minute. */
export class MinuteRollups {
  private acc = new Map<number, Map<number, Acc>>();

  constructor(
    private from: number,
    private to: number,
  ) {}

  add(chunk: Chunk): void {
    const { ids, offsets, ts, values } = chunk;
    for (let i = 0; i < ids.length; i++) {
      let minutes: Map<number, Acc> | undefined;
      for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
        const t = ts[k]!;
        if (t < this.from || t >= this.to) continue;
        minutes ??= this.minutes(ids[i]!);
        add(minutes, t - (t % MINUTE), values[k]!);
      }
    }
  }

  private minutes(id: number): Map<number, Acc> {
    let m = this.acc.get(id);
    if (!m) this.acc.set(id, (m = new Map()));
    return m;
  }

  get size(): number {
    let n = 0;
    for (const m of this.acc.values()) n += m.size;
    return n;
  }

  /** The rows gathered so far, and forgets them. */
  take(): RollupRow[] {
    const rows: RollupRow[] = [];
    for (const [seriesId, minutes] of this.acc) {
      for (const [ts, a] of minutes) rows.push({ seriesId, ts, min: a.min, max: a.max, sum: a.sum, count: a.count });
    }
    this.acc.clear();
    return rows;
  }
}

/**
 * [from, to) cut into minute-aligned slices of at most `width` ms: rollups read one host's chunks
 * one slice at a time, so a long catch-up (late data reaching back days) never holds more than a
 * slice of one host's samples in memory.
 */
export function slices(from: number, to: number, width = 60 * MINUTE): [number, number][] {
  const out: [number, number][] = [];
  for (let a = from; a < to;) {
    const b = Math.min(to, a - (a % MINUTE) + width);
    out.push([a, b]);
    a = b;
  }
  return out;
}

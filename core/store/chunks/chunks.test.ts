// Batch → chunk, latest-value folding, pruning trims and aggregations, each against the plain
// per-sample semantics the SQL over one row per sample had.
import { describe, expect, it } from 'vitest';
import type { BatchResult, BatchWrite } from '../types.js';
import { MINUTE } from '../types.js';
import { MinuteRollups, RawBuckets, slices } from './aggregate.js';
import { batchChunk, trimChunk } from './build.js';
import { chunkSeries, decodeChunk, encodeChunk } from './codec.js';
import { decodeLatest, encodeLatest, foldLatest, mergeLatest } from './latest.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const result = (): BatchResult => ({ batchId: 'b', duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 });
const batch = (series: BatchWrite['series']): BatchWrite => ({
  batchId: 'b',
  hostId: 'h',
  receivedAt: T0,
  agentVersion: '1',
  intervalMs: 10_000,
  series,
  events: [],
});
const s = (name: string, ts: number[], values: number[]) => ({ name, labels: {}, ts, values });
const plain = (data: Uint8Array) =>
  chunkSeries(decodeChunk(data)).map((x) => ({ id: x.id, ts: Array.from(x.ts), values: Array.from(x.values) }));

describe('batch chunks', () => {
  it('orders series by id, merges a series listed twice, and counts series over the limit', () => {
    const r = result();
    const b = batch([s('a.x', [T0], [1]), s('a.y', [T0], [2]), s('a.z', [T0, T0 + 1], [3, 4]), s('a.x', [T0 + 5], [5])]);
    const chunk = batchChunk(b, [7, 3, undefined, 7], r)!;
    expect(r).toMatchObject({ seriesOverLimit: 1, samplesOverLimit: 2 });
    expect(plain(chunk.data)).toEqual([
      { id: 3, ts: [T0], values: [2] },
      { id: 7, ts: [T0, T0 + 5], values: [1, 5] },
    ]);
    expect(chunk).toMatchObject({ hostId: 'h', batchId: 'b', n: 3, tsMin: T0, tsMax: T0 + 5 });
  });

  it('stores nothing for a batch whose series are all over the limit or empty', () => {
    expect(batchChunk(batch([s('a.x', [T0], [1])]), [undefined], result())).toBeNull();
    expect(batchChunk(batch([]), [], result())).toBeNull();
  });

  it('trims a chunk straddling a cutoff to its samples at or after it', () => {
    const data = encodeChunk([
      { id: 1, ts: [T0 - 2, T0, T0 + 1], values: [1, 2, 3] },
      { id: 2, ts: [T0 - 1], values: [4] },
    ]).data;
    const t = trimChunk(data, T0);
    expect(t.removed).toBe(2);
    expect(t.kept).toMatchObject({ n: 2, tsMin: T0, tsMax: T0 + 1 });
    expect(plain(t.kept!.data)).toEqual([{ id: 1, ts: [T0, T0 + 1], values: [2, 3] }]);
    expect(trimChunk(data, T0 + 10)).toEqual({ kept: null, removed: 4 });
  });
});

describe('latest values', () => {
  it('keeps the newest sample per series; on equal timestamps the one stored first', () => {
    const prev = foldLatest(null, [
      [
        { id: 1, ts: [T0, T0 + 20], values: [1, 2] },
        { id: 5, ts: [T0 + 10], values: [50] },
      ],
    ]);
    expect(prev).toEqual({ ids: [1, 5], ts: [T0 + 20, T0 + 10], values: [2, 50] });
    const next = foldLatest(prev, [
      [
        { id: 1, ts: [T0 + 5], values: [9] }, // late: older than what is known
        { id: 3, ts: [T0 + 30], values: [30] }, // new series
        { id: 5, ts: [T0 + 10], values: [51] }, // same timestamp: the first stays
      ],
      [{ id: 5, ts: [T0 + 40, T0 + 40], values: [52, 53] }], // newer, twice in one series: the first
    ]);
    expect(next).toEqual({ ids: [1, 3, 5], ts: [T0 + 20, T0 + 30, T0 + 40], values: [2, 30, 52] });
  });

  it('round-trips through its chunk, which prunes like any chunk', () => {
    const l = mergeLatest({ ids: [2, 4], ts: [T0, T0 + 1], values: [1, 2] }, { ids: [3], ts: [T0 + 2], values: [3] });
    const enc = encodeLatest(l);
    expect(decodeLatest(enc.data)).toEqual(l);
    expect(enc.tsMin).toBe(T0);
    expect(decodeLatest(trimChunk(enc.data, T0 + 1).kept!.data)).toEqual({ ids: [3, 4], ts: [T0 + 2, T0 + 1], values: [3, 2] });
    expect(trimChunk(enc.data, T0 + 3).kept).toBeNull();
  });
});

/** Per-sample reference: what GROUP BY over one row per sample gave. */
function reference(samples: { id: number; ts: number; v: number }[], from: number, to: number, step: number) {
  const out = new Map<string, { sum: number; count: number; min: number; max: number }>();
  for (const x of samples) {
    if (x.ts < from || x.ts >= to) continue;
    const key = `${x.id}:${Math.floor(x.ts / step) * step}`;
    const a = out.get(key);
    if (!a) out.set(key, { sum: x.v, count: 1, min: x.v, max: x.v });
    else {
      a.sum += x.v;
      a.count++;
      a.min = Math.min(a.min, x.v);
      a.max = Math.max(a.max, x.v);
    }
  }
  return out;
}

describe('aggregations over chunks', () => {
  // Three chunks of two series with 7-s spaced samples, one chunk spanning several minutes.
  const chunks = [0, 1, 2].map((c) =>
    decodeChunk(
      encodeChunk(
        [1, 2].map((id) => {
          const ts = Array.from({ length: c === 1 ? 40 : 5 }, (_, k) => T0 + c * 100_000 + k * 7_000 + id);
          return { id, ts, values: ts.map((t) => (t % 97) - id) };
        }),
      ).data,
    ),
  );
  const samples = chunks.flatMap((c) => chunkSeries(c).flatMap((x) => Array.from(x.ts, (ts, k) => ({ id: x.id, ts, v: x.values[k]! }))));

  it('buckets raw samples by step within [from, to), as the SQL did', () => {
    const [from, to, step] = [T0 + 30_000, T0 + 300_000, 45_000];
    const b = new RawBuckets([2], from, to, step);
    for (const c of chunks) b.add(c);
    const want = [...reference(samples, from, to, step)]
      .filter(([k]) => k.startsWith('2:'))
      .map(([k, a]) => ({ ts: Number(k.split(':')[1]), avg: a.sum / a.count, min: a.min, max: a.max }))
      .sort((x, y) => x.ts - y.ts);
    expect(b.points(2)).toEqual(want);
    expect(b.points(1)).toEqual([]); // not asked for
  });

  it('counts each sample once when a query is read in slices', () => {
    const [from, to] = [T0, T0 + 400_000];
    const whole = new RawBuckets([1], from, to, MINUTE);
    const sliced = new RawBuckets([1], from, to, MINUTE);
    for (const c of chunks) whole.add(c);
    for (const [a, b] of slices(from, to, 2 * MINUTE)) for (const c of chunks) sliced.add(c, a, b);
    expect(sliced.points(1)).toEqual(whole.points(1));
  });

  it('rolls every series up per minute', () => {
    const [from, to] = [T0, T0 + 5 * MINUTE];
    const r = new MinuteRollups(from, to);
    for (const c of chunks) r.add(c);
    const rows = r.take();
    const want = reference(samples, from, to, MINUTE);
    expect(rows).toHaveLength(want.size);
    for (const row of rows)
      expect(want.get(`${row.seriesId}:${row.ts}`)).toEqual({ sum: row.sum, count: row.count, min: row.min, max: row.max });
    expect(r.take()).toEqual([]);
  });

  it('slices a range at minute boundaries, never splitting a minute', () => {
    expect(slices(T0 + 1_000, T0 + 3 * MINUTE, 2 * MINUTE)).toEqual([
      [T0 + 1_000, T0 + 2 * MINUTE],
      [T0 + 2 * MINUTE, T0 + 3 * MINUTE],
    ]);
    expect(slices(T0, T0)).toEqual([]);
  });
});

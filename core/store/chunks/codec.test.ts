import { describe, expect, it } from 'vitest';
import { chunkSeries, decodeChunk, encodeChunk, encodeSingles, seriesIndex, type ChunkSeries } from './codec.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

/** Decoded chunk as plain arrays, for comparing with the input. */
const plain = (data: Uint8Array) =>
  chunkSeries(decodeChunk(data)).map((s) => ({ id: s.id, ts: Array.from(s.ts), values: Array.from(s.values) }));

function randomSeries(count: number, maxSamples: number): ChunkSeries[] {
  const out: ChunkSeries[] = [];
  let id = 0;
  for (let i = 0; i < count; i++) {
    id += 1 + Math.floor(Math.random() * 1000);
    const n = 1 + Math.floor(Math.random() * maxSamples);
    const ts = Array.from({ length: n }, (_, k) => T0 + k * 10_000 + Math.floor(Math.random() * 5000));
    const values = ts.map(() => (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20));
    out.push({ id, ts, values });
  }
  return out;
}

describe('chunk codec', () => {
  it('round-trips series of different lengths, with their span and count', () => {
    for (let run = 0; run < 50; run++) {
      const series = randomSeries(1 + Math.floor(Math.random() * 200), 5);
      const enc = encodeChunk(series);
      expect(plain(enc.data)).toEqual(series);
      const all = series.flatMap((s) => Array.from(s.ts));
      expect(enc).toMatchObject({ n: all.length, tsMin: Math.min(...all), tsMax: Math.max(...all) });
    }
  });

  it('keeps values exactly: negative zero, extremes, integers past 2^32, largest safe timestamps', () => {
    const series: ChunkSeries[] = [
      { id: -5, ts: [0, Number.MAX_SAFE_INTEGER], values: [-0, Number.MAX_VALUE] },
      { id: 2 ** 31 - 1, ts: [1], values: [Number.MIN_VALUE] },
      { id: 7e6, ts: [T0], values: [2 ** 40 + 1] },
    ].sort((a, b) => a.id - b.id);
    const back = plain(encodeChunk(series).data);
    expect(back).toEqual(series);
    expect(Object.is(back[0]!.values[0], -0)).toBe(true);
  });

  it('stores shared timestamps once: what an agent cycle looks like', () => {
    const ts = [T0];
    const series = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, ts, values: [i * 1.5] }));
    const enc = encodeChunk(series);
    expect(plain(enc.data)).toEqual(series);
    // header + ids + one timestamp + values, no offsets
    expect(enc.data.length).toBe(16 + 150 * 4 + 8 + 150 * 8);
    const perSeries = series.map((s, i) => ({ ...s, ts: [T0 + i] }));
    expect(encodeChunk(perSeries).data.length).toBe(16 + 150 * 4 + 151 * 4 + 4 + 150 * 16);
    // the same timestamps but not the same count: not shared
    const ragged = [
      { id: 1, ts: [T0, T0 + 1], values: [1, 2] },
      { id: 2, ts: [T0], values: [3] },
    ];
    expect(plain(encodeChunk(ragged).data)).toEqual(ragged);
  });

  it('encodes an empty chunk and a single series', () => {
    const empty = encodeChunk([]);
    expect(empty).toMatchObject({ n: 0, tsMin: 0, tsMax: 0 });
    const d = decodeChunk(empty.data);
    expect([d.ids.length, d.ts.length, d.values.length, Array.from(d.offsets)]).toEqual([0, 0, 0, [0]]);
    const one = [{ id: 42, ts: [T0, T0 + 1, T0 + 2], values: [3, 2, 1] }];
    expect(plain(encodeChunk(one).data)).toEqual(one);
  });

  it('decodes from an unaligned buffer, as drivers hand them over', () => {
    const series = randomSeries(20, 3);
    const data = encodeChunk(series).data;
    const padded = Buffer.alloc(data.length + 3);
    data.copy(padded, 3);
    expect(plain(padded.subarray(3))).toEqual(series);
  });

  it('refuses ids out of order, ragged series, and corrupt or foreign bytes', () => {
    expect(() =>
      encodeChunk([
        { id: 2, ts: [1], values: [1] },
        { id: 1, ts: [1], values: [1] },
      ]),
    ).toThrow(/ascending/);
    expect(() =>
      encodeChunk([
        { id: 1, ts: [1], values: [1] },
        { id: 1, ts: [2], values: [1] },
      ]),
    ).toThrow(/unique/);
    expect(() => encodeChunk([{ id: 1, ts: [1, 2], values: [1] }])).toThrow(/2 timestamps, 1 values/);
    const data = encodeChunk(randomSeries(3, 2)).data;
    expect(() => decodeChunk(data.subarray(0, data.length - 8))).toThrow(/should be/);
    expect(() => decodeChunk(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/format 9/);
    expect(() => decodeChunk(Buffer.alloc(4))).toThrow(/too short/);
  });

  it('finds a series by id', () => {
    const series = randomSeries(100, 1);
    const chunk = decodeChunk(encodeChunk(series).data);
    series.forEach((s, i) => expect(seriesIndex(chunk, s.id)).toBe(i));
    expect(seriesIndex(chunk, 0)).toBe(-1);
    expect(seriesIndex(chunk, series.at(-1)!.id + 1)).toBe(-1);
  });

  it('encodes one sample per series the same bytes either way', () => {
    for (const sameTs of [true, false]) {
      const ids = [3, 9, 12, 40];
      const ts = ids.map((_, i) => (sameTs ? T0 : T0 + i));
      const values = [1.5, -2, 0, 1e300];
      const a = encodeSingles(ids, ts, values);
      const b = encodeChunk(ids.map((id, i) => ({ id, ts: [ts[i]!], values: [values[i]!] })));
      expect(a.data.equals(b.data)).toBe(true);
      expect(a).toMatchObject({ n: 4, tsMin: b.tsMin, tsMax: b.tsMax });
    }
  });
});

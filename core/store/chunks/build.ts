// From a batch to the chunk row both stores write, and trimming a chunk for pruning.
import type { BatchResult, BatchWrite } from '../types.js';
import { chunkSeries, decodeChunk, encodeChunk, type ChunkSeries, type EncodedChunk } from './codec.js';

export interface ChunkRow extends EncodedChunk {
  hostId: string;
  batchId: string;
  /** What went into `data`, kept for folding the host's latest values without a decode. */
  series: ChunkSeries[];
}

/**
 * The stored part of a batch as one chunk, given each series' id (undefined: over the host's
 * series limit, counted in `result`). Series are ordered by id; a series listed twice in a batch is
 * merged, its samples in batch order. Null when nothing is left to store.
 */
export function batchChunk(b: BatchWrite, ids: ArrayLike<number | undefined>, result: BatchResult): ChunkRow | null {
  const picked: ChunkSeries[] = [];
  let sorted = true;
  for (let j = 0; j < b.series.length; j++) {
    const s = b.series[j]!;
    const id = ids[j];
    if (id === undefined) {
      result.seriesOverLimit++;
      result.samplesOverLimit += s.ts.length;
      continue;
    }
    if (s.ts.length === 0) continue;
    if (picked.length && id <= picked[picked.length - 1]!.id) sorted = false;
    picked.push({ id, ts: s.ts, values: s.values });
  }
  if (picked.length === 0) return null;
  // Agents list their series in the same order every cycle and ids are handed out in first-seen
  // order, so this is usually already sorted.
  const series = sorted ? picked : mergeSameIds(picked.sort((x, y) => x.id - y.id));
  return { hostId: b.hostId, batchId: b.batchId, series, ...encodeChunk(series) };
}

/** Sorted input (stable sort keeps batch order among equal ids) → one entry per id. */
function mergeSameIds(series: ChunkSeries[]): ChunkSeries[] {
  const out: ChunkSeries[] = [];
  for (const s of series) {
    const last = out[out.length - 1];
    if (last && last.id === s.id)
      out[out.length - 1] = {
        id: s.id,
        ts: [...toArray(last.ts), ...toArray(s.ts)],
        values: [...toArray(last.values), ...toArray(s.values)],
      };
    else out.push(s);
  }
  return out;
}

const toArray = (a: ArrayLike<number>): number[] => Array.from(a);

/**
 * The chunk without its samples older than `cut`, for pruning a chunk that straddles the raw
 * cutoff: null when nothing is left. `removed` is the number of samples dropped.
 */
export function trimChunk(data: Uint8Array, cut: number): { kept: EncodedChunk | null; removed: number } {
  const chunk = decodeChunk(data);
  const series: ChunkSeries[] = [];
  let removed = 0;
  for (const s of chunkSeries(chunk)) {
    const ts: number[] = [];
    const values: number[] = [];
    for (let k = 0; k < s.ts.length; k++) {
      if (s.ts[k]! < cut) removed++;
      else {
        ts.push(s.ts[k]!);
        values.push(s.values[k]!);
      }
    }
    if (ts.length) series.push({ id: s.id, ts, values });
  }
  return { kept: series.length ? encodeChunk(series) : null, removed };
}

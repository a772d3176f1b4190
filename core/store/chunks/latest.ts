// A host's latest value per series, kept as one small chunk per host (host_latest) and folded with
// every write, so latest() reads one row per host instead of searching back through chunks for
// series that stopped reporting. In memory it is three parallel arrays sorted by series id.
import { decodeChunk, encodeSingles, type ChunkSeries, type EncodedChunk } from './codec.js';

export interface Latest {
  /** Series ids, ascending and unique. */
  ids: number[];
  ts: number[];
  values: number[];
}

export const noLatest = (): Latest => ({ ids: [], ts: [], values: [] });

/** Index of the first greatest timestamp in ts[a, b). */
function newest(ts: ArrayLike<number>, a: number, b: number): number {
  let k = a;
  for (let j = a + 1; j < b; j++) if (ts[j]! > ts[k]!) k = j;
  return k;
}

/** A stored latest chunk (or any chunk: its newest sample per series). */
export function decodeLatest(data: Uint8Array): Latest {
  const c = decodeChunk(data);
  const out = noLatest();
  for (let i = 0; i < c.ids.length; i++) {
    const a = c.offsets[i]!;
    const b = c.offsets[i + 1]!;
    if (b <= a) continue;
    const k = b - a === 1 ? a : newest(c.ts, a, b);
    out.ids.push(c.ids[i]!);
    out.ts.push(c.ts[k]!);
    out.values.push(c.values[k]!);
  }
  return out;
}

export const encodeLatest = (l: Latest): EncodedChunk => encodeSingles(l.ids, l.ts, l.values);

/** The newest sample of each series of a chunk being written (ids ascending, as in chunks). */
export function seriesLatest(list: ChunkSeries[]): Latest {
  const out = noLatest();
  for (const s of list) {
    const n = s.ts.length;
    if (n === 0) continue;
    const k = n === 1 ? 0 : newest(s.ts, 0, n);
    out.ids.push(s.id);
    out.ts.push(s.ts[k]!);
    out.values.push(s.values[k]!);
  }
  return out;
}

/**
 * `a` updated with `b`, which was stored after it: a series keeps the sample with the greatest
 * timestamp; on a tie the one stored first stays (as SQL's INSERT OR IGNORE kept the first value
 * of a (series, ts)).
 */
export function mergeLatest(a: Latest, b: Latest): Latest {
  const out = noLatest();
  let i = 0;
  let j = 0;
  while (i < a.ids.length || j < b.ids.length) {
    const ia = i < a.ids.length ? a.ids[i]! : Infinity;
    const ib = j < b.ids.length ? b.ids[j]! : Infinity;
    if (ib < ia || (ib === ia && b.ts[j]! > a.ts[i]!)) {
      out.ids.push(ib);
      out.ts.push(b.ts[j]!);
      out.values.push(b.values[j]!);
    } else {
      out.ids.push(ia);
      out.ts.push(a.ts[i]!);
      out.values.push(a.values[i]!);
    }
    if (ia <= ib) i++;
    if (ib <= ia) j++;
  }
  return out;
}

/** Previous latest values (or none) with the series of the chunks just written, in commit order. */
export function foldLatest(prev: Latest | null, written: ChunkSeries[][]): Latest {
  let acc = prev ?? noLatest();
  for (const list of written) acc = mergeLatest(acc, seriesLatest(list));
  return acc;
}

/** id → sample, for reads. */
export function latestMap(data: Uint8Array): Map<number, { ts: number; value: number }> {
  const l = decodeLatest(data);
  const out = new Map<number, { ts: number; value: number }>();
  for (let i = 0; i < l.ids.length; i++) out.set(l.ids[i]!, { ts: l.ts[i]!, value: l.values[i]! });
  return out;
}

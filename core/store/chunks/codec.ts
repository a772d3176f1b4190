// The columnar payload of one chunk: the samples of one committed batch of one host (or a host's
// latest values), as one BLOB/bytea. Little-endian, every section 8-byte aligned so a decode is one
// copy into fresh memory plus typed-array views, whatever the alignment of the buffer the driver
// handed us.
//
//   0  u8   format (1)
//   1  u8   flags: SHARED_TS = every series has the same timestamps (the agent samples all series
//           at once); then the offsets are implicit (series i owns samples i·m … i·m+m−1) and the
//           timestamps are stored once (m of them) instead of once per series
//   2  u16  0
//   4  u32  series count S
//   8  u32  sample count n
//  12  u32  0
//  16  i32[S]    series ids, ascending, unique
//      u32[S+1]  start offset of each series' samples (absent with SHARED_TS), padded to 8
//      f64[T]    timestamps (ms; T = n, or m = n/S with SHARED_TS)
//      f64[n]    values (finite: ingest refuses NaN and ±Infinity)

export interface Chunk {
  /** Series ids, ascending and unique. */
  ids: Int32Array;
  /** Series i's samples are [offsets[i], offsets[i+1]); length ids.length + 1. */
  offsets: Uint32Array;
  ts: Float64Array;
  values: Float64Array;
}

/** One series' samples for encodeChunk; ids must be ascending and unique. */
export interface ChunkSeries {
  id: number;
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface EncodedChunk {
  data: Buffer;
  /** Sample count. */
  n: number;
  tsMin: number;
  tsMax: number;
}

const FORMAT = 1;
const SHARED_TS = 1;
const HEADER = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const pad8 = (n: number) => (n + 7) & ~7;

interface Layout {
  offsetsAt: number;
  tsAt: number;
  valuesAt: number;
  size: number;
}

function layout(series: number, n: number, shared: boolean): Layout {
  const idsEnd = HEADER + 4 * series;
  const offsetsAt = idsEnd;
  const tsAt = pad8(shared ? idsEnd : idsEnd + 4 * (series + 1));
  const tsCount = shared ? (series ? n / series : 0) : n;
  const valuesAt = tsAt + 8 * tsCount;
  return { offsetsAt, tsAt, valuesAt, size: valuesAt + 8 * n };
}

/** True when every series has exactly the first series' timestamps. */
function sharesTimestamps(series: ChunkSeries[]): boolean {
  if (series.length < 2) return false;
  const first = series[0]!.ts;
  for (let i = 1; i < series.length; i++) {
    const ts = series[i]!.ts;
    if (ts.length !== first.length) return false;
    for (let k = 0; k < ts.length; k++) if (ts[k] !== first[k]) return false;
  }
  return true;
}

export function encodeChunk(series: ChunkSeries[]): EncodedChunk {
  let n = 0;
  let tsMin = Infinity;
  let tsMax = -Infinity;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    if (s.ts.length !== s.values.length) throw new RangeError(`series ${s.id}: ${s.ts.length} timestamps, ${s.values.length} values`);
    if (i > 0 && s.id <= series[i - 1]!.id) throw new RangeError('chunk series ids must be ascending and unique');
    n += s.ts.length;
    for (let k = 0; k < s.ts.length; k++) {
      const t = s.ts[k]!;
      if (t < tsMin) tsMin = t;
      if (t > tsMax) tsMax = t;
    }
  }
  const shared = sharesTimestamps(series);
  const at = layout(series.length, n, shared);
  const buf = Buffer.alloc(at.size); // zeroed: padding and reserved bytes are deterministic
  buf.writeUInt8(FORMAT, 0);
  buf.writeUInt8(shared ? SHARED_TS : 0, 1);
  buf.writeUInt32LE(series.length, 4);
  buf.writeUInt32LE(n, 8);
  let k = 0;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    buf.writeInt32LE(s.id, HEADER + 4 * i);
    if (!shared) buf.writeUInt32LE(k, at.offsetsAt + 4 * i);
    for (let j = 0; j < s.ts.length; j++, k++) {
      if (!shared) buf.writeDoubleLE(s.ts[j]!, at.tsAt + 8 * k);
      buf.writeDoubleLE(s.values[j]!, at.valuesAt + 8 * k);
    }
  }
  if (shared) {
    const ts = series[0]!.ts;
    for (let j = 0; j < ts.length; j++) buf.writeDoubleLE(ts[j]!, at.tsAt + 8 * j);
  } else buf.writeUInt32LE(n, at.offsetsAt + 4 * series.length);
  return { data: buf, n, tsMin: n ? tsMin : 0, tsMax: n ? tsMax : 0 };
}

/**
 * A chunk of one sample per series (a host's latest values), from parallel arrays with ids
 * ascending and unique: the same bytes encodeChunk would produce, without per-series objects.
 */
export function encodeSingles(ids: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): EncodedChunk {
  const S = ids.length;
  let tsMin = Infinity;
  let tsMax = -Infinity;
  let shared = S >= 2;
  for (let i = 0; i < S; i++) {
    const t = ts[i]!;
    if (t < tsMin) tsMin = t;
    if (t > tsMax) tsMax = t;
    if (t !== ts[0]) shared = false;
  }
  const at = layout(S, S, shared);
  const buf = Buffer.alloc(at.size);
  buf.writeUInt8(FORMAT, 0);
  buf.writeUInt8(shared ? SHARED_TS : 0, 1);
  buf.writeUInt32LE(S, 4);
  buf.writeUInt32LE(S, 8);
  for (let i = 0; i < S; i++) {
    buf.writeInt32LE(ids[i]!, HEADER + 4 * i);
    if (!shared) {
      buf.writeUInt32LE(i, at.offsetsAt + 4 * i);
      buf.writeDoubleLE(ts[i]!, at.tsAt + 8 * i);
    }
    buf.writeDoubleLE(values[i]!, at.valuesAt + 8 * i);
  }
  if (shared) buf.writeDoubleLE(ts[0]!, at.tsAt);
  else buf.writeUInt32LE(S, at.offsetsAt + 4 * S);
  return { data: buf, n: S, tsMin: S ? tsMin : 0, tsMax: S ? tsMax : 0 };
}

export function decodeChunk(data: Uint8Array): Chunk {
  if (data.length < HEADER) throw new Error(`chunk too short: ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const format = view.getUint8(0);
  if (format !== FORMAT) throw new Error(`unknown chunk format ${format}`);
  const shared = (view.getUint8(1) & SHARED_TS) !== 0;
  const S = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  const at = layout(S, n, shared);
  if (data.length !== at.size) throw new Error(`chunk of ${S} series and ${n} samples should be ${at.size} bytes, is ${data.length}`);
  if (!LITTLE_ENDIAN) return decodeSlow(view, S, n, shared, at);

  const copy = new ArrayBuffer(at.size); // aligned, so the sections can be viewed in place
  new Uint8Array(copy).set(data);
  const ids = new Int32Array(copy, HEADER, S);
  const values = new Float64Array(copy, at.valuesAt, n);
  if (!shared) return { ids, offsets: new Uint32Array(copy, at.offsetsAt, S + 1), ts: new Float64Array(copy, at.tsAt, n), values };
  const m = S ? n / S : 0;
  const once = new Float64Array(copy, at.tsAt, m);
  const offsets = new Uint32Array(S + 1);
  const ts = new Float64Array(n);
  for (let i = 0; i < S; i++) {
    offsets[i] = i * m;
    ts.set(once, i * m);
  }
  offsets[S] = n;
  return { ids, offsets, ts, values };
}

/** Big-endian machines: the same layout read field by field. */
function decodeSlow(view: DataView, S: number, n: number, shared: boolean, at: Layout): Chunk {
  const ids = new Int32Array(S);
  const offsets = new Uint32Array(S + 1);
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const m = S ? n / S : 0;
  for (let i = 0; i < S; i++) {
    ids[i] = view.getInt32(HEADER + 4 * i, true);
    offsets[i] = shared ? i * m : view.getUint32(at.offsetsAt + 4 * i, true);
  }
  offsets[S] = n;
  for (let k = 0; k < n; k++) {
    ts[k] = view.getFloat64(at.tsAt + 8 * (shared ? k % m : k), true);
    values[k] = view.getFloat64(at.valuesAt + 8 * k, true);
  }
  return { ids, offsets, ts, values };
}

/** Position of series `id` in the chunk, or −1. */
export function seriesIndex(chunk: Chunk, id: number): number {
  const ids = chunk.ids;
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The chunk's series as encodeChunk input (views, no copies). */
export function chunkSeries(chunk: Chunk): ChunkSeries[] {
  const out: ChunkSeries[] = [];
  for (let i = 0; i < chunk.ids.length; i++) {
    const a = chunk.offsets[i]!;
    const b = chunk.offsets[i + 1]!;
    out.push({ id: chunk.ids[i]!, ts: chunk.ts.subarray(a, b), values: chunk.values.subarray(a, b) });
  }
  return out;
}

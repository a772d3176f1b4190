// Host rows and latest values for the PostgreSQL write path (write.ts).
//
// Every write folds its chunks into its hosts' host_latest rows. Reading a row back on every call
// would cost a round trip and a hex-encoded transfer, so each instance keeps the rows it wrote last
// (LatestCache), tagged with hosts.latest_seq, which every change of a host_latest row bumps under
// the host row's lock. The write folds from the cache and sends the result with the heartbeat,
// whose statement stores it only where the sequence it bumps to is the cached one plus one: nobody
// (another instance, a prune) changed the row since. Other hosts are read, folded and written.
import type pg from 'pg';
import type { ChunkRow } from '../chunks/build.js';
import { decodeLatest, encodeLatest, foldLatest, type Latest } from '../chunks/latest.js';
import type { BatchWrite } from '../types.js';
import { byteaArray, int8Array } from './sql.js';
import { heartbeatCtes, heartbeatParams, type Beat, type Guess } from './statements.js';

export class LatestCache {
  private rows = new Map<string, { seq: number; latest: Latest | null }>();

  /** The host's latest values (null: no row) as of sequence `seq`, if known. */
  get(hostId: string): { seq: number; latest: Latest | null } | undefined {
    return this.rows.get(hostId);
  }

  set(hostId: string, seq: number, latest: Latest | null): void {
    this.rows.set(hostId, { seq, latest });
  }

  forget(hostId: string): void {
    this.rows.delete(hostId);
  }
}

export interface LatestEntry {
  id: string;
  seq: number;
  latest: Latest | null;
}

/**
 * One heartbeat per host, folding its batches in call order the way SQLite's per-batch UPDATEs
 * would: latest receivedAt wins via GREATEST, the last batch's version and interval, the last
 * inventory/processes sent (older ones kept when a batch has none).
 */
export function beatsOf(stored: BatchWrite[]): Map<string, Beat> {
  const beats = new Map<string, Beat>();
  for (const b of stored) {
    const prev = beats.get(b.hostId);
    beats.set(b.hostId, {
      seen: Math.max(prev?.seen ?? b.receivedAt, b.receivedAt),
      version: b.agentVersion,
      interval: b.intervalMs,
      inventory: b.inventory ? JSON.stringify(b.inventory) : (prev?.inventory ?? null),
      processes: b.processes ? JSON.stringify(b.processes) : (prev?.processes ?? null),
    });
  }
  return beats;
}

export function chunksByHost(chunks: ChunkRow[]): Map<string, ChunkRow[]> {
  const written = new Map<string, ChunkRow[]>();
  for (const k of chunks) {
    const list = written.get(k.hostId);
    if (list) list.push(k);
    else written.set(k.hostId, [k]);
  }
  return written;
}

/** The latest values of the hosts the cache knows, with their chunks folded in. */
export function guessLatest(cache: LatestCache, written: Map<string, ChunkRow[]>): Map<string, Guess> {
  const guesses = new Map<string, Guess>();
  for (const [id, list] of written) {
    const known = cache.get(id);
    if (!known) continue;
    const latest = foldLatest(
      known.latest,
      list.map((k) => k.series),
    );
    guesses.set(id, { expect: known.seq + 1, latest, ...encodeLatest(latest) });
  }
  return guesses;
}

/** Cache entries after a heartbeat that returned `updated` and stored the guesses in `put`. */
export function cacheEntries(
  cache: LatestCache,
  updated: { id: string; seq: number }[],
  written: Map<string, ChunkRow[]>,
  guesses: Map<string, Guess>,
  put: (id: string) => boolean,
): { entries: LatestEntry[]; unknown: { id: string; seq: number }[] } {
  const entries: LatestEntry[] = [];
  const unknown: { id: string; seq: number }[] = [];
  for (const u of updated) {
    const known = cache.get(u.id);
    if (put(u.id)) entries.push({ ...u, latest: guesses.get(u.id)!.latest });
    else if (written.has(u.id)) unknown.push(u);
    else if (known && known.seq + 1 === u.seq) entries.push({ ...u, latest: known.latest }); // unchanged by this write
  }
  return { entries, unknown };
}

/**
 * Inside the write's transaction: heartbeats and latest values of the stored batches' hosts.
 * Returns the cache entries to set once the transaction commits.
 */
export async function heartbeatsAndLatest(
  c: pg.PoolClient,
  cache: LatestCache,
  stored: BatchWrite[],
  chunks: ChunkRow[],
): Promise<LatestEntry[]> {
  const written = chunksByHost(chunks);
  const guesses = guessLatest(cache, written);
  const { rows } = await c.query<{ id: string; seq: string; put: boolean }>({
    name: 'wt_heartbeat',
    text: `WITH ${heartbeatCtes(0)} SELECT upd.id, upd.seq, put.host_id IS NOT NULL AS put FROM upd LEFT JOIN put ON put.host_id = upd.id`,
    values: heartbeatParams(beatsOf(stored), guesses),
  });
  const put = new Set(rows.filter((r) => r.put).map((r) => r.id));
  const updated = rows.map((r) => ({ id: r.id, seq: Number(r.seq) }));
  const { entries, unknown } = cacheEntries(cache, updated, written, guesses, (id) => put.has(id));
  if (unknown.length) entries.push(...(await readFoldWrite(c, unknown, written)));
  return entries;
}

/**
 * Latest values the cache could not vouch for: read in a statement of its own, after the locks (a
 * statement sees what was committed when it started, so reading in the statement that waited for
 * a lock could miss the writer it waited for), folded, written back.
 */
async function readFoldWrite(
  c: pg.PoolClient,
  hosts: { id: string; seq: number }[],
  written: Map<string, ChunkRow[]>,
): Promise<LatestEntry[]> {
  // bytea arrives hex-encoded: pg's protocol parser reads every result field as UTF-8 text, so
  // results in binary format would corrupt it.
  const { rows } = await c.query<{ host_id: string; data: Buffer }>({
    name: 'wt_get_latest',
    text: 'SELECT host_id, data FROM host_latest WHERE host_id = ANY($1::text[])',
    values: [hosts.map((h) => h.id)],
  });
  const prev = new Map(rows.map((r) => [r.host_id, decodeLatest(r.data)]));
  const out = hosts.map((h) => ({
    ...h,
    latest: foldLatest(
      prev.get(h.id) ?? null,
      written.get(h.id)!.map((k) => k.series),
    ),
  }));
  const enc = out.map((o) => encodeLatest(o.latest));
  await c.query({
    name: 'wt_put_latest',
    text: `INSERT INTO host_latest (host_id, ts_min, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
           ON CONFLICT (host_id) DO UPDATE SET ts_min = excluded.ts_min, data = excluded.data`,
    values: [out.map((o) => o.id), int8Array(enc.map((e) => e.tsMin)), byteaArray(enc.map((e) => e.data))],
  });
  return out;
}

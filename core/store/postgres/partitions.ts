// Daily partitions of `sample_chunks` (range on ts_min, ms since the epoch, UTC days named
// sample_chunks_YYYYMMDD). Created a few days ahead so inserts land in small per-day tables, and
// dropped whole when past retention instead of deleting row by row. A chunk is filed under the day
// of its earliest sample; the store trims chunks straddling the cutoff before dropping days, so a
// dropped day holds nothing newer than the cutoff. sample_chunks_default catches anything without a partition,
// so none of this can make an insert fail: when a step cannot run now it is skipped and retried at
// the next open or prune.
import type pg from 'pg';
import { inTransaction, lockKey, pgCode, quoteIdent, underSavepoint } from './sql.js';

export const DAY = 86_400_000;
/** Partitions kept ready around today: late replays from agents' buffers, and clock skew ahead. */
export const DAYS_BEHIND = 8;
export const DAYS_AHEAD = 2;

const TABLE = 'sample_chunks';
const NAME = /^sample_chunks_(\d{4})(\d{2})(\d{2})$/;
// A partition DDL waits for every open transaction on the table, and inserts queue behind it while
// it waits; give up quickly instead of stalling ingest behind a long read.
const LOCK_TIMEOUT = "SET LOCAL lock_timeout = '1s'";
const LOCK_NOT_AVAILABLE = '55P03';
// Creating a partition whose range already has rows in the default partition.
const DEFAULT_HAS_ROWS = '23514';

export function partitionName(dayStart: number): string {
  const d = new Date(dayStart);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${TABLE}_${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** Start (ms) of the day a partition name stands for, or null for other tables. */
export function partitionDay(name: string): number | null {
  const m = NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/**
 * Creates the missing partitions for [today − DAYS_BEHIND, today + DAYS_AHEAD], skipping days that
 * end at or before `keepFrom` (already past retention: prune would only drop them again). Returns
 * the names created. Only one instance does this at a time; the others skip it.
 */
export async function ensurePartitions(pool: pg.Pool, schema: string, now: number, keepFrom = -Infinity): Promise<string[]> {
  const today = Math.floor(now / DAY) * DAY;
  const days: number[] = [];
  for (let d = -DAYS_BEHIND; d <= DAYS_AHEAD; d++) if (today + (d + 1) * DAY > keepFrom) days.push(today + d * DAY);
  return inTransaction(pool, async (c) => {
    await c.query(LOCK_TIMEOUT);
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [lockKey('partitions', schema)]);
    if (!rows[0]?.ok) return []; // another instance is creating or dropping partitions right now
    const existing = new Set(await attachedPartitions(c));
    const created: string[] = [];
    for (const day of days) {
      const name = partitionName(day);
      if (existing.has(name)) continue;
      // DDL takes no bind parameters: the bounds are integers computed above, checked before use.
      const [lo, hi] = [day, day + DAY].map(safeInt);
      const failed = await underSavepoint(c, [DEFAULT_HAS_ROWS, LOCK_NOT_AVAILABLE], () =>
        // toast_tuple_target: chunks stay inline and uncompressed (see migration 4).
        c.query(
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(name)} PARTITION OF ${TABLE} FOR VALUES FROM (${lo}) TO (${hi}) WITH (toast_tuple_target = 8160)`,
        ),
      );
      // Rows for that day already sit in the default partition: leave the day to it.
      if (failed === DEFAULT_HAS_ROWS) continue;
      if (failed === LOCK_NOT_AVAILABLE) break; // busy: the next call tries again
      created.push(name);
    }
    return created;
  });
}

/**
 * Removes the partitions whose whole day ends at or before `before` and returns how many samples
 * they held. Two steps so the count is exact without holding a lock on the table while counting:
 * first detach them (catalog only, a moment's lock), then count and drop the detached tables,
 * which no insert can reach any more. A table left detached by a crash in between is picked up
 * by the next call. Rows of a day that could not be detached stay for the caller's DELETE.
 */
export async function dropPartitionsBefore(pool: pg.Pool, schema: string, before: number): Promise<number> {
  const key = lockKey('partitions', schema);
  try {
    await inTransaction(pool, async (c) => {
      await c.query(LOCK_TIMEOUT);
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
      for (const name of await attachedPartitions(c)) {
        const day = partitionDay(name);
        if (day === null || day + DAY > before) continue;
        const failed = await underSavepoint(c, [LOCK_NOT_AVAILABLE], () =>
          c.query(`ALTER TABLE ${TABLE} DETACH PARTITION ${quoteIdent(name)}`),
        );
        if (failed) break;
      }
    });
  } catch (err) {
    // Timed out waiting for the advisory lock: another instance is pruning. Not an error.
    if (pgCode(err) !== LOCK_NOT_AVAILABLE) throw err;
  }
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
    const { rows } = await c.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class
       WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND relkind = 'r' AND NOT relispartition AND relname ~ '^sample_chunks_[0-9]{8}$'`,
    );
    let count = 0;
    for (const { name } of rows) {
      const table = quoteIdent(name);
      const res = await c.query<{ n: string }>(`SELECT coalesce(sum(n), 0) AS n FROM ${table}`);
      count += Number(res.rows[0]!.n);
      await c.query(`DROP TABLE ${table}`);
    }
    return count;
  });
}

async function attachedPartitions(c: pg.PoolClient): Promise<string[]> {
  const { rows } = await c.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${TABLE}'::regclass`,
  );
  return rows.map((r) => r.name);
}

function safeInt(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`partition bound is not an integer: ${n}`);
  return n;
}

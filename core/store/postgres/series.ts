// Series ids for the write path when the instance's SeriesCache does not know them yet: looked up,
// or created within the host's series limit. Runs inside the write's transaction.
import type pg from 'pg';
import { SeriesCache } from '../series-cache.js';

export interface SeriesKey {
  /** hostKey(hostId, SeriesCache.key(metric, labels)): unique across hosts. */
  key: string;
  hostId: string;
  metric: string;
  labels: string;
}

export const hostKey = (hostId: string, seriesKey: string): string => `${hostId}\u0000${seriesKey}`;
const rowKey = (r: { host_id: string; metric: string; labels: string }) => hostKey(r.host_id, SeriesCache.key(r.metric, r.labels));

/**
 * Ids of series this instance has not cached: existing ones are looked up, new ones created while
 * their host is under `maxSeries` (in call order, as SQLite does); a key missing from the result is
 * over the limit. The count is read from the database because other instances add series too;
 * two instances adding a host's last allowed series at the same moment may both succeed.
 */
export async function resolveSeries(c: pg.PoolClient, misses: SeriesKey[], maxSeries: number): Promise<Map<string, number>> {
  const found = await findSeries(c, misses);
  const absent = misses.filter((m) => !found.has(m.key));
  if (absent.length === 0) return found;

  const { rows } = await c.query<{ host_id: string; n: number }>(
    'SELECT host_id, count(*)::int AS n FROM series WHERE host_id = ANY($1::text[]) GROUP BY host_id',
    [[...new Set(absent.map((m) => m.hostId))]],
  );
  const counts = new Map(rows.map((r) => [r.host_id, r.n]));
  const allowed = absent.filter((m) => {
    const n = counts.get(m.hostId) ?? 0;
    if (n >= maxSeries) return false;
    counts.set(m.hostId, n + 1);
    return true;
  });
  if (allowed.length === 0) return found;

  allowed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // same lock order in every writer
  const inserted = await c.query<{ id: number; host_id: string; metric: string; labels: string }>(
    `INSERT INTO series (host_id, metric, labels) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (host_id, metric, labels) DO NOTHING RETURNING id, host_id, metric, labels`,
    columns(allowed),
  );
  for (const r of inserted.rows) found.set(rowKey(r), r.id);
  // Created meanwhile by another writer (the insert waited for its commit): now visible.
  const raced = allowed.filter((m) => !found.has(m.key));
  if (raced.length) for (const [k, id] of await findSeries(c, raced)) found.set(k, id);
  return found;
}

async function findSeries(c: pg.PoolClient, wanted: SeriesKey[]): Promise<Map<string, number>> {
  const { rows } = await c.query<{ id: number; host_id: string; metric: string; labels: string }>(
    `SELECT s.id, s.host_id, s.metric, s.labels FROM series s
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(h, m, l) ON s.host_id = u.h AND s.metric = u.m AND s.labels = u.l`,
    columns(wanted),
  );
  return new Map(rows.map((r) => [rowKey(r), r.id]));
}

const columns = (keys: SeriesKey[]) => [keys.map((k) => k.hostId), keys.map((k) => k.metric), keys.map((k) => k.labels)];

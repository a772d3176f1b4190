// Redis helpers for tests on the shared server: each run works under its own key prefix and never
// runs FLUSHALL, so "Redis restarted empty" is simulated by deleting the run's keys.
import { Redis } from 'ioredis';
import { REDIS_URL } from './stores.js';

export const randomPrefix = () => `wt-test:${process.pid}-${Math.random().toString(36).slice(2, 10)}:`;

export async function withAdmin<T>(fn: (admin: Redis) => Promise<T>, url = REDIS_URL): Promise<T> {
  const admin = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    return await fn(admin);
  } finally {
    admin.disconnect();
  }
}

/** SCAN + UNLINK of one prefix: what a restart with empty data looks like to this run, and the cleanup. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<number> {
  return withAdmin(async (admin) => {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  }, url);
}

// Redis for the team-mode benchmarks: each run works under a key prefix of its own on the shared
// server, proves the server under test is connected, and deletes its keys at the end (never FLUSHALL).
import type { Redis } from 'ioredis';

export const REDIS_URL = process.env.WATCHTOWER_BENCH_REDIS_URL ?? process.env.WATCHTOWER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one run: `bench-<random>:`. */
export const redisPrefix = (): string => `bench-${Math.random().toString(36).slice(2, 10)}:`;

async function withRedis<T>(url: string, fn: (admin: Redis) => Promise<T>): Promise<T> {
  const { Redis: Client } = await import('ioredis'); // loaded on demand: only team-mode runs need it
  const admin = new Client(url, { maxRetriesPerRequest: 2 });
  try {
    return await fn(admin);
  } finally {
    admin.disconnect();
  }
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never FLUSHALL: the server is shared); returns how many. */
export function deleteRedisPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  return withRedis(url, async (admin) => {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  });
}

/** Connections whose client name starts with `prefix` (the coordination names its own so): proof a server uses Redis. */
export function redisClients(prefix: string, url = REDIS_URL): Promise<number> {
  return withRedis(url, async (admin) => {
    const list = String(await admin.call('CLIENT', 'LIST'));
    return list.split('\n').filter((l) => l.includes(` name=${prefix}`)).length;
  });
}

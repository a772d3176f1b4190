// Redis for the team-mode benchmarks: each run works under a key prefix of its own on the shared
// server, proves the server under test is connected, and deletes its keys at the end (never FLUSHALL).
import { deleteKeys, withAdmin } from '../test/helpers/redis.js';

export const REDIS_URL = process.env.WATCHTOWER_BENCH_REDIS_URL ?? process.env.WATCHTOWER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one run: `bench-<random>:`. */
export const redisPrefix = (): string => `bench-${Math.random().toString(36).slice(2, 10)}:`;

/** Deletes every key under `prefix` (SCAN + UNLINK, never FLUSHALL: the server is shared); returns how many. */
export const deleteRedisPrefix = (prefix: string, url = REDIS_URL): Promise<number> => deleteKeys(prefix, url);

/** Connections whose client name starts with `prefix` (the coordination names its own so): proof a server uses Redis. */
export function redisClients(prefix: string, url = REDIS_URL): Promise<number> {
  return withAdmin(async (admin) => {
    const list = String(await admin.call('CLIENT', 'LIST'));
    return list.split('\n').filter((l) => l.includes(` name=${prefix}`)).length;
  }, url);
}

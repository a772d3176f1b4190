// One run's scratch space in team mode: a fresh PostgreSQL schema and Redis key prefix, an admin
// connection (CPU readings of the server's backends), and `drop`, which removes both once — at the
// end of a good run, or as a cleanup however the benchmark ends. Local runs get the names only.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onCleanup, PG_URL } from './lib.js';
import { deleteRedisPrefix, redisPrefix } from './redis.js';

export interface Scratch {
  schema: string;
  prefix: string;
  admin: pg.Client | undefined;
  drop(): Promise<void>;
}

export async function teamScratch(team: boolean): Promise<Scratch> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const prefix = redisPrefix();
  let admin: pg.Client | undefined;
  let dropped = false;
  const drop = async () => {
    if (dropped || !admin) return;
    dropped = true;
    const keys = await deleteRedisPrefix(prefix);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin!.end());
    console.log(`dropped schema ${schema}, deleted ${keys} Redis keys under ${prefix}`);
  };
  if (team) {
    await (admin = new pg.Client({ connectionString: PG_URL })).connect();
    onCleanup(drop);
  }
  return { schema, prefix, admin, drop };
}

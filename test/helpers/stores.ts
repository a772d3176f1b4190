// Store backends for the contract suite and process tests: a fresh SQLite file, or a fresh
// PostgreSQL schema on the machine's server, so runs never collide.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../core/store/index.js';
import type { Store } from '../../core/store/types.js';

export const PG_URL = process.env.WATCHTOWER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.WATCHTOWER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface StoreTarget {
  name: 'sqlite' | 'postgres';
  /** Config for a server process or openStore: database URL (+ schema). */
  url: string;
  schema?: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function sqliteTarget(): StoreTarget {
  const dir = mkdtempSync(join(tmpdir(), 'wt-store-'));
  const url = join(dir, 'watchtower.db');
  return { name: 'sqlite', url, open: () => openStore({ url }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

export function postgresTarget(): StoreTarget {
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  return {
    name: 'postgres',
    url: PG_URL,
    schema,
    open: () => openStore({ url: PG_URL, schema }),
    cleanup: () => dropSchema(schema),
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export const STORE_TARGETS = [sqliteTarget, postgresTarget];

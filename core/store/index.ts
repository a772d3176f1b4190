// Picks the backend from the database URL: postgres:// → PostgreSQL, anything else → SQLite file.
import type { Store } from './types.js';

export interface StoreOptions {
  /** postgres://… for PostgreSQL; a file path (or sqlite:path) for SQLite. */
  url: string;
  /** PostgreSQL schema to use (created if missing); lets runs and tenants share one database. */
  schema?: string;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  if (isPostgresUrl(opts.url)) {
    const { openPostgresStore } = await import('./postgres/store.js');
    return openPostgresStore({ url: opts.url, schema: opts.schema ?? 'public' });
  }
  const { openSqliteStore } = await import('./sqlite/store.js');
  return openSqliteStore(opts.url.replace(/^sqlite:/, ''));
}

export type { Store } from './types.js';

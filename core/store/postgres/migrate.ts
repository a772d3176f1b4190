// Brings a schema up to the latest migration. Several instances may start at once against the
// same schema; a transaction-scoped advisory lock makes them take turns, so the first applies the
// migrations and the others find nothing pending. Everything (schema creation included) happens in
// one transaction: a failed migration leaves the database as it was.
import type pg from 'pg';
import { pendingMigrations } from '../migrations/index.js';
import { inTransaction, lockKey, quoteIdent } from './sql.js';

export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const quoted = quoteIdent(schema);
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey('migrate', schema)]);
    // Under the lock, so two first starts do not race on CREATE SCHEMA (IF NOT EXISTS is not atomic).
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    // The pool's search_path named the schema before it existed; setting it again here makes the
    // resolution explicit for the statements below.
    await c.query(`SET LOCAL search_path TO ${quoted}`);
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    // Throws SchemaTooNewError for a database from a newer Watchtower; the transaction rolls back.
    for (const m of pendingMigrations(rows[0]?.v ?? 0)) {
      await c.query(m.postgres);
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
  });
}

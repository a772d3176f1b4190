// Small PostgreSQL helpers shared by the store's files: identifier quoting, advisory lock keys,
// transactions and array parameters.
import { createHash } from 'node:crypto';
import type pg from 'pg';

const IDENT = /^[a-z_][a-z0-9_]*$/i;

/**
 * A validated, double-quoted identifier. Identifiers cannot be bind parameters, so this is the only
 * way names get into SQL text; the pattern leaves nothing that could need escaping.
 */
export function quoteIdent(name: string): string {
  // PostgreSQL silently truncates longer names, which would make two schemas collide.
  if (!IDENT.test(name) || name.length > 63) throw new Error(`invalid PostgreSQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * A bigint advisory lock key for one purpose within one schema (advisory locks are database-wide,
 * so schemas sharing a database must not share keys). Computed here rather than with hashtext(),
 * whose output is not guaranteed across server versions.
 */
export function lockKey(purpose: string, schema: string): string {
  return createHash('sha256').update(`watchtower:${purpose}:${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Runs fn inside BEGIN/COMMIT on one pooled connection. On failure the transaction is rolled back;
 * a connection that cannot even roll back is destroyed instead of going back to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    const broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    client.release(broken ? (err instanceof Error ? err : new Error(String(err))) : undefined);
    throw err;
  }
}

/**
 * A PostgreSQL array literal of numbers, for `$n::bigint[]`-style parameters. pg's generic array
 * serializer inspects and escapes every element; for thousands of plain numbers per write this is
 * several times faster and the elements need no escaping (the ingest schema only lets finite
 * numbers through; String() of those is valid float8/bigint input).
 */
export function numberArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** pg error code, if the error came from the server. */
export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * Runs fn under a savepoint. A server error whose code is in `codes` undoes just fn and is returned
 * (the transaction goes on); null means fn succeeded; any other error propagates.
 */
export async function underSavepoint(client: pg.PoolClient, codes: string[], fn: () => Promise<unknown>): Promise<string | null> {
  await client.query('SAVEPOINT wt_try');
  try {
    await fn();
    await client.query('RELEASE SAVEPOINT wt_try');
    return null;
  } catch (err) {
    const code = pgCode(err);
    if (!code || !codes.includes(code)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT wt_try');
    return code;
  }
}

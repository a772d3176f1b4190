// Rows of the access tables (schema.ts) over the portable SQL surface, for both backends.
// PostgreSQL returns BIGINT as strings: every number goes through Number().
import type { SqlDb } from '../store/sql-db.js';

export interface UserRow {
  id: string;
  name: string;
  role: 'owner' | 'member';
  passwordHash: string;
  createdAt: number;
}

export interface SessionRow {
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

type Row = Record<string, unknown>;
const nn = (v: unknown) => (v == null ? null : Number(v));
const userFromRow = (r: Row): UserRow => ({
  id: String(r.id),
  name: String(r.name),
  role: r.role as UserRow['role'],
  passwordHash: String(r.password_hash),
  createdAt: Number(r.created_at),
});
const tokenFromRow = (r: Row): ApiTokenRow => ({
  id: String(r.id),
  userId: String(r.user_id),
  name: String(r.name),
  prefix: String(r.prefix),
  createdAt: Number(r.created_at),
  lastUsedAt: nn(r.last_used_at),
  expiresAt: nn(r.expires_at),
  revokedAt: nn(r.revoked_at),
});

/**
 * Setup tokens live in the meta table, one row per token: key = this prefix + the token's SHA-256,
 * value = when it expires (ms). Each start of an instance without an owner adds its own row, so
 * instances on one database never overwrite each other's links.
 */
const SETUP_TOKEN_KEY = 'auth.setupToken:';

export class AuthStore {
  constructor(private sql: SqlDb) {}

  async addSetupToken(tokenHash: string, expiresAt: number): Promise<void> {
    await this.sql.run('INSERT INTO meta (key, value) VALUES ($1, $2)', [SETUP_TOKEN_KEY + tokenHash, String(expiresAt)]);
  }

  /** When the setup token with this hash expires, or null if there is none. */
  async setupTokenExpiry(tokenHash: string): Promise<number | null> {
    const [r] = await this.sql.all<{ value: string }>('SELECT value FROM meta WHERE key = $1', [SETUP_TOKEN_KEY + tokenHash]);
    return r ? Number(r.value) : null;
  }

  async deleteSetupToken(tokenHash: string): Promise<void> {
    await this.sql.run('DELETE FROM meta WHERE key = $1', [SETUP_TOKEN_KEY + tokenHash]);
  }

  /** Every setup token (setup is done), or those expired at `now`; how many went. */
  async pruneSetupTokens(now?: number): Promise<number> {
    // Prefix match with substr, not LIKE: '_' and case would need escaping.
    const match = `substr(key, 1, ${SETUP_TOKEN_KEY.length}) = $1`;
    if (now === undefined) return this.sql.run(`DELETE FROM meta WHERE ${match}`, [SETUP_TOKEN_KEY]);
    // Compared in JS: a text-to-number cast in SQL may run on other meta rows first (PostgreSQL orders conditions freely).
    const rows = await this.sql.all<{ key: string; value: string }>(`SELECT key, value FROM meta WHERE ${match}`, [SETUP_TOKEN_KEY]);
    const expired = rows.filter((r) => !(Number(r.value) > now)).map((r) => r.key);
    if (!expired.length) return 0;
    return this.sql.run(`DELETE FROM meta WHERE key IN (${expired.map((_, i) => `$${i + 1}`).join(', ')})`, expired);
  }

  async countUsers(): Promise<number> {
    const [r] = await this.sql.all<{ n: unknown }>('SELECT count(*) AS n FROM users');
    return Number(r?.n ?? 0);
  }

  /** Creates the first-run owner; false if an owner exists already (another instance or request won). */
  async createOwner(u: Omit<UserRow, 'role'>): Promise<boolean> {
    try {
      const n = await this.sql.run(
        `INSERT INTO users (id, name, role, password_hash, owner_slot, created_at)
         SELECT $1, $2, 'owner', $3, 1, $4 WHERE NOT EXISTS (SELECT 1 FROM users WHERE owner_slot = 1)`,
        [u.id, u.name, u.passwordHash, u.createdAt],
      );
      return n === 1;
    } catch (err) {
      if (/unique/i.test((err as Error).message)) return false;
      throw err;
    }
  }

  async userByName(name: string): Promise<UserRow | null> {
    const [r] = await this.sql.all('SELECT * FROM users WHERE lower(name) = lower($1)', [name]);
    return r ? userFromRow(r) : null;
  }

  async userById(id: string): Promise<UserRow | null> {
    const [r] = await this.sql.all('SELECT * FROM users WHERE id = $1', [id]);
    return r ? userFromRow(r) : null;
  }

  async addSession(idHash: string, s: SessionRow): Promise<void> {
    await this.sql.run('INSERT INTO sessions (id_hash, user_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      idHash,
      s.userId,
      s.createdAt,
      s.lastUsedAt,
      s.expiresAt,
    ]);
  }

  /** A session with its user, in one query (every API call with a cookie runs it). */
  async session(idHash: string): Promise<(SessionRow & { user: UserRow }) | null> {
    const [r] = await this.sql.all(
      `SELECT s.user_id, s.created_at AS s_created_at, s.last_used_at, s.expires_at, u.*
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
      [idHash],
    );
    return r
      ? {
          userId: String(r.user_id),
          createdAt: Number(r.s_created_at),
          lastUsedAt: Number(r.last_used_at),
          expiresAt: Number(r.expires_at),
          user: userFromRow(r),
        }
      : null;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.sql.run('UPDATE sessions SET last_used_at = $2 WHERE id_hash = $1', [idHash, at]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.sql.run('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async pruneSessions(idleBefore: number, now: number): Promise<number> {
    return this.sql.run('DELETE FROM sessions WHERE expires_at <= $1 OR last_used_at < $2', [now, idleBefore]);
  }

  async addApiToken(t: ApiTokenRow, tokenHash: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [t.id, t.userId, t.name, tokenHash, t.prefix, t.createdAt, t.expiresAt],
    );
  }

  /** A token with its user, in one query (every API call with a token runs it). */
  async apiTokenByHash(tokenHash: string): Promise<(ApiTokenRow & { user: UserRow }) | null> {
    const [r] = await this.sql.all(
      `SELECT t.id AS t_id, t.user_id, t.name AS t_name, t.prefix, t.created_at AS t_created_at, t.last_used_at, t.expires_at,
              t.revoked_at, u.*
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return r ? { ...tokenFromRow({ ...r, id: r.t_id, name: r.t_name, created_at: r.t_created_at }), user: userFromRow(r) } : null;
  }

  async listApiTokens(userId: string): Promise<ApiTokenRow[]> {
    const rows = await this.sql.all('SELECT * FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id', [userId]);
    return rows.map(tokenFromRow);
  }

  async revokeApiToken(userId: string, id: string, at: number): Promise<boolean> {
    return (
      (await this.sql.run('UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [
        id,
        userId,
        at,
      ])) === 1
    );
  }

  async touchApiToken(id: string, at: number): Promise<void> {
    await this.sql.run('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  /** Failures of `key` in the current window, after counting one more (a window older than windowStartAfter restarts at 1). */
  async countFailure(key: string, now: number, windowStartAfter: number): Promise<{ failures: number; windowStart: number }> {
    const [r] = await this.sql.all(
      `INSERT INTO auth_throttle (key, failures, window_start) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN auth_throttle.window_start <= $3 THEN 1 ELSE auth_throttle.failures + 1 END,
         window_start = CASE WHEN auth_throttle.window_start <= $3 THEN $2 ELSE auth_throttle.window_start END
       RETURNING failures, window_start`,
      [key, now, windowStartAfter],
    );
    return { failures: Number(r!.failures), windowStart: Number(r!.window_start) };
  }

  async failures(keys: string[]): Promise<{ key: string; failures: number; windowStart: number }[]> {
    if (!keys.length) return [];
    const rows = await this.sql.all(`SELECT * FROM auth_throttle WHERE key IN (${keys.map((_, i) => `$${i + 1}`).join(', ')})`, keys);
    return rows.map((r) => ({ key: String(r.key), failures: Number(r.failures), windowStart: Number(r.window_start) }));
  }

  /** Counters whose window started before `before` (a guesser trying random names leaves many). */
  async pruneFailures(before: number): Promise<number> {
    return this.sql.run('DELETE FROM auth_throttle WHERE window_start < $1', [before]);
  }

  async clearFailures(key: string): Promise<void> {
    await this.sql.run('DELETE FROM auth_throttle WHERE key = $1', [key]);
  }
}

// One SQL surface over both backends, for stores whose SQL is the same in SQLite and PostgreSQL
// (the alerting tables use only portable types and syntax). Statements are written once with
// $1..$n placeholders; SQLite gets them as named @p1..@pn (better-sqlite3 binds ?NNN by name). A batch runs atomically with no JS in between,
// which matters for SQLite: an await inside an open transaction would let other work join it.
import type Database from 'better-sqlite3';
import type pg from 'pg';

export interface Stmt {
  sql: string;
  params?: unknown[];
}

export interface StmtResult<T = Record<string, unknown>> {
  rows: T[];
  changes: number;
}

export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** All statements in one transaction; results in order. */
  batch(stmts: Stmt[]): Promise<StmtResult[]>;
}

const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '@p$1');
const returnsRows = (sql: string) => /^\s*(select|with)\b/i.test(sql) || /\breturning\b/i.test(sql);

export function sqliteDb(db: Database.Database): SqlDb {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(toSqlite(sql))));
    return s;
  };
  const exec = (st: Stmt): StmtResult => {
    const s = prepare(st.sql);
    const params: Record<string, unknown> = {};
    (st.params ?? []).forEach((p, i) => (params[`p${i + 1}`] = typeof p === 'boolean' ? Number(p) : p));
    if (returnsRows(st.sql)) {
      const rows = s.all(params) as Record<string, unknown>[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: s.run(params).changes };
  };
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params?: unknown[]) => exec({ sql, params: params ?? [] }).rows as T[],
    run: async (sql, params) => exec({ sql, params: params ?? [] }).changes,
    batch: async (stmts) => db.transaction(() => stmts.map(exec)).immediate(),
  };
}

export function postgresDb(pool: pg.Pool): SqlDb {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params ?? [])).rows as T[],
    run: async (sql, params) => (await pool.query(sql, params ?? [])).rowCount ?? 0,
    batch: async (stmts) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out: StmtResult[] = [];
        for (const st of stmts) {
          const r = await c.query(st.sql, st.params ?? []);
          out.push({ rows: r.rows, changes: r.rowCount ?? 0 });
        }
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
  };
}

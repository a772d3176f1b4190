// The deploy store on both backends: what team mode relies on when an instance dies mid-run. A run
// is leased by its owner's heartbeat; exactly one judge marks a stale run finished; a finished run is
// never written again; the per-server guard is free once its run has finished, however it finished.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployStore } from '../core/store/deploy/store.js';
import type { DeployRunRecord, ServerSpec } from '../core/store/deploy/types.js';
import { MIGRATIONS } from '../core/store/migrations/index.js';
import type { Store } from '../core/store/types.js';
import { PG_URL, STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const T = Date.UTC(2026, 10, 20, 12, 0);

const run = (id: string, status: DeployRunRecord['status'] = 'running'): DeployRunRecord => ({
  id,
  action: 'install',
  status,
  concurrency: 1,
  startedAt: T,
  finishedAt: null,
  targets: [],
});

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('deploy store: %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let base: Store;
  let d: DeployStore;
  beforeEach(async () => {
    target = makeTarget();
    base = await target.open();
    d = new DeployStore(base.sql);
  });
  afterEach(async () => {
    await base.close();
    await target.cleanup();
  });

  it('records the owner and heartbeat; renewal answers the runs still running; a finished run is never rewritten', async () => {
    expect(await d.saveRun(run('run_a'), { owner: 'a', at: T })).toBe(true);
    expect(await d.saveRun(run('run_b'), { owner: 'a', at: T })).toBe(true);
    expect(await d.saveRun({ ...run('run_b', 'ok'), finishedAt: T + 1 }, { owner: 'a', at: T + 1 })).toBe(true);
    expect(await d.renewRuns(['run_a', 'run_b'], T + 2)).toEqual(['run_a']);
    expect(await d.renewRuns([], T + 2)).toEqual([]);
    // Finished is final: a late save of the owner (it stalled, someone marked it interrupted) is refused.
    expect(await d.saveRun(run('run_b'), { owner: 'a', at: T + 3 })).toBe(false);
    expect((await d.getRun('run_b'))!.status).toBe('ok');
    const [row] = await base.sql.all<{ owner: string; heartbeat_at: unknown }>(
      "SELECT owner, heartbeat_at FROM deploy_runs WHERE id = 'run_a'",
    );
    expect([row!.owner, Number(row!.heartbeat_at)]).toEqual(['a', T + 2]);
  });

  it('finds stale runs and lets exactly one of several judges finish each; a run renewed meanwhile stays', async () => {
    await d.saveRun(run('run_dead'), { owner: 'a', at: T });
    await d.saveRun(run('run_slow'), { owner: 'b', at: T });
    await d.saveRun(run('run_fresh'), { owner: 'c', at: T + 50_000 });
    const stale = await d.staleRuns(T + 10_000);
    expect(stale.map((s) => [s.run.id, s.owner, s.heartbeatAt])).toEqual([
      ['run_dead', 'a', T],
      ['run_slow', 'b', T],
    ]);
    await d.renewRuns(['run_slow'], T + 9_000); // b beats after it was read as stale
    const verdict = (r: DeployRunRecord): DeployRunRecord => ({ ...r, status: 'failed', finishedAt: T + 10_000 });
    const judges = await Promise.all(Array.from({ length: 4 }, () => d.finishStaleRun(verdict(stale[0]!.run), T)));
    expect(judges.filter(Boolean)).toHaveLength(1);
    expect(await d.finishStaleRun(verdict(stale[1]!.run), T)).toBe(false);
    expect((await d.getRun('run_dead'))!.status).toBe('failed');
    expect((await d.getRun('run_slow'))!.status).toBe('running');
  });

  it('guards a server while its run works on it, and frees it once that run has finished or is released', async () => {
    const spec = { host: 'h', port: 22, user: 'u' } as ServerSpec;
    const s = await d.createServer({ name: 'web-1', spec, sealedSecrets: 'x', hostKey: null }, T);
    await d.saveRun(run('run_1'), { owner: 'a', at: T });
    await d.saveRun(run('run_2'), { owner: 'b', at: T });
    await d.saveRun(run('run_3'), { owner: 'b', at: T });
    const claims = await Promise.all([d.claimServer(s.id, 'run_1'), d.claimServer(s.id, 'run_2')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const holder = claims[0] ? 'run_1' : 'run_2';
    const other = claims[0] ? 'run_2' : 'run_1';
    await d.releaseServer(s.id, other); // not the holder: changes nothing
    expect(await d.claimServer(s.id, 'run_3')).toBe(false);
    // The holder is marked interrupted without releasing (its instance died): the server is free.
    expect(await d.finishStaleRun({ ...run(holder, 'failed'), finishedAt: T + 1 }, T)).toBe(true);
    expect(await d.claimServer(s.id, 'run_3')).toBe(true);
    await d.releaseServer(s.id, 'run_3');
    expect(await d.claimServer(s.id, other)).toBe(true);
    expect(await d.claimServer('srv_gone', other)).toBe(false);
  });

  it('migration 7 gives runs left running by an older version a heartbeat of now, so they get the whole bound', async () => {
    await base.close();
    await target.cleanup();
    target = makeTarget();
    await atVersion6(
      target,
      "INSERT INTO deploy_runs (id, action, status, concurrency, started_at, targets) VALUES ('run_old', 'install', 'running', 1, 1, '[]')",
    );
    const before = Date.now();
    base = await target.open();
    d = new DeployStore(base.sql);
    const [s] = await d.staleRuns(Number.MAX_SAFE_INTEGER);
    expect(s).toMatchObject({ owner: null, run: { id: 'run_old', status: 'running' } });
    expect(s!.heartbeatAt).toBeGreaterThanOrEqual(before - 1000);
    expect(s!.heartbeatAt).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

/** A database as Watchtower left it at schema version 6, with `sql` run in it. */
async function atVersion6(target: StoreTarget, sql: string): Promise<void> {
  const upTo6 = MIGRATIONS.filter((m) => m.version <= 6);
  const record = 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';
  if (target.name === 'sqlite') {
    const db = new Database(target.url);
    db.exec(record);
    for (const m of upTo6) {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    db.exec(sql);
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA "${target.schema}"`);
    await c.query(`SET search_path TO "${target.schema}"`);
    await c.query(record);
    for (const m of upTo6) {
      await c.query(m.postgres);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// One suite, every backend: the same scenarios against SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION } from '../core/store/migrations/index.js';
import type { BatchWrite, Store } from '../core/store/types.js';
import { PG_URL, STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0); // a minute boundary
const MIN = 60_000;

function batch(hostId: string, batchId: string, over: Partial<BatchWrite> = {}): BatchWrite {
  return {
    batchId,
    hostId,
    receivedAt: T0 + 5_000,
    agentVersion: '0.1.0',
    intervalMs: 10_000,
    series: [
      { name: 'cpu.usage', labels: { cpu: 'total' }, ts: [T0, T0 + 10_000], values: [10, 30] },
      { name: 'mem.used', labels: {}, ts: [T0], values: [1024] },
    ],
    events: [],
    ...over,
  };
}

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('store contract: %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let store: Store;
  beforeEach(async () => {
    target = makeTarget();
    store = await target.open();
  });
  afterEach(async () => {
    await store.close(); // close() is idempotent: some tests close early
    await target.cleanup();
  });

  it('creates, lists, reads and deletes hosts', async () => {
    const a = await store.createHost({ name: 'web-1', labels: { role: 'web' } });
    await store.createHost({ name: 'db-1' });
    expect(a).toMatchObject({ name: 'web-1', labels: { role: 'web' }, lastSeenAt: null, agentVersion: null });
    expect((await store.listHosts()).map((h) => h.name)).toEqual(['db-1', 'web-1']);
    expect(await store.getHost(a.id)).toEqual(a);
    await expect(store.createHost({ name: 'web-1' })).rejects.toThrow();
    await store.writeBatches([batch(a.id, 'batch-del-1')], { maxSeriesPerHost: 100 });
    expect(await store.deleteHost(a.id)).toBe(true);
    expect(await store.getHost(a.id)).toBeNull();
    expect(await store.countSamples()).toBe(0);
    expect(await store.deleteHost(a.id)).toBe(false);
  });

  it('finds hosts by token hash until the tokens are revoked', async () => {
    const h = await store.createHost({ name: 'h' });
    await store.addAgentToken(h.id, 'hash-1');
    expect(await store.hostIdForToken('hash-1')).toBe(h.id);
    expect(await store.hostIdForToken('hash-2')).toBeNull();
    expect(await store.revokeAgentTokens(h.id)).toBe(1);
    expect(await store.hostIdForToken('hash-1')).toBeNull();
  });

  it('stores a batch once, however often it is written', async () => {
    const h = await store.createHost({ name: 'h' });
    const first = await store.writeBatches([batch(h.id, 'batch-0001')], { maxSeriesPerHost: 100 });
    expect(first).toEqual([{ batchId: 'batch-0001', duplicate: false, seriesOverLimit: 0, samplesOverLimit: 0 }]);
    const again = await store.writeBatches([batch(h.id, 'batch-0001'), batch(h.id, 'batch-0002', { series: [] })], {
      maxSeriesPerHost: 100,
    });
    expect(again.map((r) => r.duplicate)).toEqual([true, false]);
    expect(await store.countSamples(h.id)).toBe(3);
  });

  it('keeps one copy when two writers commit the same batch at once', async () => {
    const h = await store.createHost({ name: 'h' });
    const other = await target.open();
    try {
      const results = await Promise.all([
        store.writeBatches([batch(h.id, 'race-1')], { maxSeriesPerHost: 100 }),
        other.writeBatches([batch(h.id, 'race-1')], { maxSeriesPerHost: 100 }),
      ]);
      expect(results.flat().filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await store.countSamples(h.id)).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('records the heartbeat, inventory and processes of a batch', async () => {
    const h = await store.createHost({ name: 'h' });
    const inventory = { hostname: 'h', os: 'Debian 12', kernel: '6.1', arch: 'x64', cpuCores: 2, cpuModel: 'x', memoryBytes: 1e9 };
    const processes = [{ pid: 1, name: 'init', cpuPercent: 0.5, memBytes: 4096 }];
    await store.writeBatches([batch(h.id, 'batch-inv', { inventory, processes })], { maxSeriesPerHost: 100 });
    await store.writeBatches([batch(h.id, 'batch-later', { receivedAt: T0 + 20_000, agentVersion: '0.2.0' })], {
      maxSeriesPerHost: 100,
    });
    expect(await store.getHost(h.id)).toMatchObject({
      lastSeenAt: T0 + 20_000,
      agentVersion: '0.2.0',
      intervalMs: 10_000,
      inventory,
      processes,
    });
  });

  it('refuses new series beyond the per-host limit and counts what it refused', async () => {
    const h = await store.createHost({ name: 'h' });
    const [r] = await store.writeBatches([batch(h.id, 'batch-limit')], { maxSeriesPerHost: 1 });
    expect(r).toMatchObject({ seriesOverLimit: 1, samplesOverLimit: 1 });
    expect(await store.countSamples(h.id)).toBe(2);
  });

  it('answers the latest value of every series', async () => {
    const a = await store.createHost({ name: 'a' });
    const b = await store.createHost({ name: 'b' });
    await store.writeBatches([batch(a.id, 'batch-a'), batch(b.id, 'batch-b')], { maxSeriesPerHost: 100 });
    const all = await store.latest();
    expect(all).toHaveLength(4);
    expect(await store.latest(a.id)).toEqual([
      { hostId: a.id, metric: 'cpu.usage', labels: { cpu: 'total' }, ts: T0 + 10_000, value: 30 },
      { hostId: a.id, metric: 'mem.used', labels: {}, ts: T0, value: 1024 },
    ]);
  });

  it('buckets raw samples by step and filters by labels', async () => {
    const h = await store.createHost({ name: 'h' });
    const ts = Array.from({ length: 12 }, (_, i) => T0 + i * 10_000);
    await store.writeBatches(
      [
        batch(h.id, 'batch-q', {
          series: [
            { name: 'cpu.usage', labels: { cpu: '0' }, ts, values: ts.map((_, i) => i) },
            { name: 'cpu.usage', labels: { cpu: '1' }, ts, values: ts.map(() => 50) },
          ],
        }),
      ],
      { maxSeriesPerHost: 100 },
    );
    const res = await store.querySeries({
      hostId: h.id,
      metric: 'cpu.usage',
      labels: { cpu: '0' },
      from: T0,
      to: T0 + 2 * MIN,
      stepMs: MIN,
      source: 'raw',
    });
    expect(res).toEqual([
      {
        metric: 'cpu.usage',
        labels: { cpu: '0' },
        points: [
          { ts: T0, avg: 2.5, min: 0, max: 5 },
          { ts: T0 + MIN, avg: 8.5, min: 6, max: 11 },
        ],
      },
    ]);
    const both = await store.querySeries({ hostId: h.id, metric: 'cpu.usage', from: T0, to: T0 + MIN, stepMs: MIN, source: 'raw' });
    expect(both.map((s) => s.labels.cpu)).toEqual(['0', '1']);
  });

  it('rolls samples up per minute, idempotently, taking late samples in', async () => {
    const h = await store.createHost({ name: 'h' });
    const write = (id: string, ts: number[], values: number[]) =>
      store.writeBatches([batch(h.id, id, { series: [{ name: 'load.1', labels: {}, ts, values }] })], { maxSeriesPerHost: 100 });
    await write('batch-r1', [T0, T0 + 20_000, T0 + MIN], [1, 3, 10]);
    expect(await store.rollup(T0, T0 + 2 * MIN)).toBe(2);
    expect(await store.rollup(T0, T0 + 2 * MIN)).toBe(2);
    await write('batch-r2', [T0 + 40_000], [8]); // arrives late
    await store.rollup(T0, T0 + MIN);
    const [s] = await store.querySeries({ hostId: h.id, metric: 'load.1', from: T0, to: T0 + 2 * MIN, stepMs: MIN, source: 'rollup' });
    expect(s!.points).toEqual([
      { ts: T0, avg: 4, min: 1, max: 8 },
      { ts: T0 + MIN, avg: 10, min: 10, max: 10 },
    ]);
    const [hourly] = await store.querySeries({
      hostId: h.id,
      metric: 'load.1',
      from: T0,
      to: T0 + 60 * MIN,
      stepMs: 60 * MIN,
      source: 'rollup',
    });
    expect(hourly!.points).toEqual([{ ts: T0, avg: 5.5, min: 1, max: 10 }]);
  });

  it('reports the earliest sample among batches received after a time', async () => {
    const h = await store.createHost({ name: 'h' });
    expect(await store.earliestSampleSince(0)).toBeNull();
    await store.writeBatches([batch(h.id, 'batch-e1', { receivedAt: T0 + 1000 })], { maxSeriesPerHost: 100 });
    await store.writeBatches(
      [batch(h.id, 'batch-e2', { receivedAt: T0 + 9000, series: [{ name: 'load.1', ts: [T0 - 5 * MIN], values: [1], labels: {} }] })],
      {
        maxSeriesPerHost: 100,
      },
    );
    expect(await store.earliestSampleSince(T0)).toBe(T0 - 5 * MIN);
    expect(await store.earliestSampleSince(T0 + 5000)).toBe(T0 - 5 * MIN);
    expect(await store.earliestSampleSince(T0 + 9000)).toBeNull();
  });

  it('lists events newest first within a range', async () => {
    const h = await store.createHost({ name: 'h' });
    const events = [
      { ts: T0, kind: 'log' as const, source: '/var/log/syslog', message: 'first', level: 'info' as const },
      { ts: T0 + 1000, kind: 'event' as const, source: 'agent', message: 'second', fields: { code: 3, ok: false, who: 'x' } },
      { ts: T0 + 2000, kind: 'log' as const, source: '/var/log/syslog', message: 'third' },
    ];
    await store.writeBatches([batch(h.id, 'batch-ev', { events })], { maxSeriesPerHost: 100 });
    const got = await store.listEvents({ hostId: h.id, from: T0, to: T0 + 2000, limit: 10 });
    expect(got.map((e) => e.message)).toEqual(['second', 'first']);
    expect(got[0]).toMatchObject({ hostId: h.id, kind: 'event', fields: { code: 3, ok: false, who: 'x' } });
    expect(got[1]).toMatchObject({ level: 'info', source: '/var/log/syslog' });
    expect(await store.listEvents({ hostId: h.id, limit: 1 })).toHaveLength(1);
  });

  it('prunes what is past retention and keeps the rest', async () => {
    const h = await store.createHost({ name: 'h' });
    const old = T0 - 10 * 24 * 60 * MIN;
    await store.writeBatches(
      [
        batch(h.id, 'batch-old', {
          receivedAt: old,
          series: [{ name: 'load.1', labels: {}, ts: [old, T0], values: [1, 2] }],
          events: [{ ts: old, kind: 'log', source: 'f', message: 'old' }],
        }),
      ],
      { maxSeriesPerHost: 100 },
    );
    await store.rollup(old, T0 + MIN);
    const res = await store.prune({ rawBefore: T0 - MIN, rollupBefore: T0 - MIN, eventsBefore: T0 - MIN, batchIdsBefore: T0 - MIN });
    expect(res).toEqual({ samples: 1, rollups: 1, events: 1, batchIds: 1 });
    expect(await store.countSamples(h.id)).toBe(1);
  });

  it('answers the latest value of a series that stopped reporting, until its samples are pruned', async () => {
    const h = await store.createHost({ name: 'h' });
    const write = (id: string, series: BatchWrite['series']) =>
      store.writeBatches([batch(h.id, id, { series })], { maxSeriesPerHost: 100 });
    await write('batch-l1', [
      { name: 'load.1', labels: {}, ts: [T0], values: [1] },
      { name: 'disk.used', labels: { mount: '/mnt' }, ts: [T0], values: [7] },
    ]);
    for (let i = 1; i <= 5; i++) await write(`batch-l${i + 1}`, [{ name: 'load.1', labels: {}, ts: [T0 + i * 10_000], values: [1 + i] }]);
    await write('batch-late', [{ name: 'load.1', labels: {}, ts: [T0 + 5_000], values: [99] }]); // older than the newest
    expect((await store.latest(h.id)).map((v) => [v.metric, v.ts, v.value])).toEqual([
      ['disk.used', T0, 7],
      ['load.1', T0 + 50_000, 6],
    ]);
    await store.prune({ rawBefore: T0 + 1, rollupBefore: 0, eventsBefore: 0, batchIdsBefore: 0 });
    expect((await store.latest(h.id)).map((v) => v.metric)).toEqual(['load.1']);
  });

  it('folds the latest values of writers committing for the same host at once', async () => {
    const h = await store.createHost({ name: 'h' });
    const other = await target.open();
    try {
      const write = (s: Store, id: string, ts: number, only: string) =>
        s.writeBatches(
          [
            batch(h.id, id, {
              series: [
                { name: 'load.1', labels: {}, ts: [ts], values: [ts - T0] },
                { name: 'custom.value', labels: { only }, ts: [ts], values: [ts - T0] },
              ],
            }),
          ],
          { maxSeriesPerHost: 100 },
        );
      for (let i = 0; i < 10; i++) {
        await Promise.all([write(store, `fold-a-${i}`, T0 + 2 * i, `a${i % 2}`), write(other, `fold-b-${i}`, T0 + 2 * i + 1, `b${i % 2}`)]);
      }
      const latest = (await store.latest(h.id)).map((v) => [v.metric, v.labels.only ?? null, v.ts - T0, v.value]);
      expect(latest).toEqual([
        ['custom.value', 'a0', 16, 16],
        ['custom.value', 'a1', 18, 18],
        ['custom.value', 'b0', 17, 17],
        ['custom.value', 'b1', 19, 19],
        ['load.1', null, 19, 19],
      ]);
      expect(await other.latest(h.id)).toEqual(await store.latest(h.id));
    } finally {
      await other.close();
    }
  });

  it('reads the samples of a range out of batches that reach past its edges', async () => {
    const h = await store.createHost({ name: 'h' });
    const ts = Array.from({ length: 10 }, (_, i) => T0 - 2 * MIN + i * 30_000); // T0 − 2 min … T0 + 2.5 min
    const series = [{ name: 'load.1', labels: {}, ts, values: ts.map((_, i) => i) }];
    await store.writeBatches([batch(h.id, 'batch-wide', { series })], { maxSeriesPerHost: 100 });
    await store.writeBatches(
      [batch(h.id, 'batch-after', { series: [{ name: 'load.1', labels: {}, ts: [T0 + 2 * MIN], values: [100] }] })],
      {
        maxSeriesPerHost: 100,
      },
    );
    const [s] = await store.querySeries({ hostId: h.id, metric: 'load.1', from: T0, to: T0 + 2 * MIN, stepMs: MIN, source: 'raw' });
    expect(s!.points).toEqual([
      { ts: T0, avg: 4.5, min: 4, max: 5 },
      { ts: T0 + MIN, avg: 6.5, min: 6, max: 7 },
    ]);
    const before = await store.querySeries({
      hostId: h.id,
      metric: 'load.1',
      from: T0 - 10 * MIN,
      to: T0 - 2 * MIN,
      stepMs: MIN,
      source: 'raw',
    });
    expect(before[0]!.points).toEqual([]);
  });

  it('prunes whole days, the default partition and straddling batches with exact counts', async () => {
    const h = await store.createHost({ name: 'h' });
    const DAY = 1440 * MIN;
    const write = (id: string, ts: number[]) =>
      store.writeBatches([batch(h.id, id, { series: [{ name: 'load.1', labels: {}, ts, values: ts.map(() => 1) }] })], {
        maxSeriesPerHost: 100,
      });
    await write('batch-d3', [T0 - 3 * DAY, T0 - 3 * DAY + MIN]); // a whole day before the cutoff
    await write('batch-d2', [T0 - 2 * DAY, T0 + 1000]); // starts two days back, ends after the cutoff
    await write('batch-d20', [T0 - 20 * DAY]); // far back (the default partition in PostgreSQL)
    await write('batch-now', [T0, T0 + 1]);
    const res = await store.prune({ rawBefore: T0 - MIN, rollupBefore: 0, eventsBefore: 0, batchIdsBefore: 0 });
    expect(res.samples).toBe(4);
    expect(await store.countSamples(h.id)).toBe(3);
    const [s] = await store.querySeries({ hostId: h.id, metric: 'load.1', from: 0, to: T0 + DAY, stepMs: DAY, source: 'raw' });
    expect(s!.points).toEqual([{ ts: Math.floor(T0 / DAY) * DAY, avg: 1, min: 1, max: 1 }]);
    expect((await store.prune({ rawBefore: T0 - MIN, rollupBefore: 0, eventsBefore: 0, batchIdsBefore: 0 })).samples).toBe(0);
  });

  it('rolls up the samples of every host', async () => {
    const hosts = [await store.createHost({ name: 'a' }), await store.createHost({ name: 'b' })];
    for (const h of hosts) {
      await store.writeBatches([batch(h.id, `batch-ru-${h.name}`)], { maxSeriesPerHost: 100 }); // 2 series, cpu over 1 minute
    }
    expect(await store.rollup(T0, T0 + MIN)).toBe(4);
    for (const h of hosts) {
      const [s] = await store.querySeries({ hostId: h.id, metric: 'cpu.usage', from: T0, to: T0 + MIN, stepMs: MIN, source: 'rollup' });
      expect(s!.points).toEqual([{ ts: T0, avg: 20, min: 10, max: 30 }]);
    }
  });

  it('keeps meta values', async () => {
    expect(await store.getMeta('k')).toBeNull();
    await store.setMeta('k', 'v1');
    await store.setMeta('k', 'v2');
    expect(await store.getMeta('k')).toBe('v2');
  });

  it('refuses a database whose schema is newer than the code', async () => {
    await store.close();
    await bumpSchemaVersion(target, LATEST_SCHEMA_VERSION + 1);
    await expect(target.open()).rejects.toThrow(/schema is at version \d+, newer than this Watchtower knows/);
  });
});

async function bumpSchemaVersion(t: StoreTarget, version: number): Promise<void> {
  const sql = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)';
  if (t.name === 'sqlite') {
    const db = new Database(t.url);
    db.prepare(sql.replace(/\$\d/g, '?')).run(version, 'from the future', Date.now());
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`SET search_path TO "${t.schema}"`);
  await c.query(sql, [version, 'from the future', Date.now()]);
  await c.end();
}

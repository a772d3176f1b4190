import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchWrite, Store } from '../store/types.js';
import { sqliteTarget, type StoreTarget } from '../../test/helpers/stores.js';
import { rollupOnce } from './rollups.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 10, 20, 12, 0);

describe('rollup job', () => {
  let target: StoreTarget;
  let store: Store;
  let hostId: string;
  beforeEach(async () => {
    target = sqliteTarget();
    store = await target.open();
    hostId = (await store.createHost({ name: 'h' })).id;
  });
  afterEach(async () => {
    await store.close();
    await target.cleanup();
  });

  const write = (batchId: string, receivedAt: number, ts: number, value: number) => {
    const b: BatchWrite = {
      batchId,
      hostId,
      receivedAt,
      agentVersion: '1',
      intervalMs: 10_000,
      series: [{ name: 'load.1', labels: {}, ts: [ts], values: [value] }],
      events: [],
    };
    return store.writeBatches([b], { maxSeriesPerHost: 100 });
  };
  const rollups = async () =>
    (await store.querySeries({ hostId, metric: 'load.1', from: T0 - DAY, to: T0 + DAY, stepMs: MIN, source: 'rollup' }))[0]?.points ?? [];

  it('rolls up completed minutes, then reaches back for samples that arrived late', async () => {
    await write('b-1', T0 + 5_000, T0, 1);
    await write('b-2', T0 + 65_000, T0 + MIN, 5);
    expect(await rollupOnce(store, T0 + 2 * MIN + 1, 7 * DAY)).toMatchObject({ to: T0 + 2 * MIN, rows: 2 });
    expect(await rollups()).toEqual([
      { ts: T0, avg: 1, min: 1, max: 1 },
      { ts: T0 + MIN, avg: 5, min: 5, max: 5 },
    ]);
    // An agent back from an outage replays a sample from the first minute.
    await write('b-late', T0 + 10 * MIN, T0 + 30_000, 3);
    const second = await rollupOnce(store, T0 + 11 * MIN, 7 * DAY);
    expect(second.from).toBe(T0);
    expect((await rollups())[0]).toEqual({ ts: T0, avg: 2, min: 1, max: 3 });
    // Nothing new: the next run starts where the last one ended.
    expect((await rollupOnce(store, T0 + 12 * MIN, 7 * DAY)).from).toBe(T0 + 11 * MIN);
  });
});

// What ingest publishes for live dashboards, on a real store and the in-process bus with a virtual
// clock: per-batch latest values, a host going up, its last-seen at most every 30 s, and down
// only when the store agrees (in team mode another instance may be receiving its batches).
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LivePublisher, SAMPLES_QUIET_MS } from '../core/api/live-publish.js';
import { liveTopic } from '../core/api/live.js';
import { MemoryCoordination } from '../core/bus/memory/coordination.js';
import type { BatchWrite, Store } from '../core/store/types.js';
import { waitFor } from './helpers/processes.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';

describe('live publisher', () => {
  let target: StoreTarget;
  let store: Store;
  let bus: MemoryCoordination;
  let pub: LivePublisher;
  let t = 1_700_000_000_000;
  const got: { topic: string; payload: any }[] = [];
  let hostId: string;

  const batch = (receivedAt: number, values: number[]): BatchWrite => ({
    batchId: `b-${receivedAt}-${Math.random()}`,
    hostId,
    receivedAt,
    agentVersion: '0.1.0',
    intervalMs: 10_000,
    series: [
      { name: 'cpu.usage', labels: { cpu: 'total' }, ts: values.map((_, i) => receivedAt - (values.length - 1 - i) * 1000), values },
    ],
    events: [],
  });
  /** Commits like ingest does, then hands the batch to the publisher like the writer does. */
  const ingest = async (w: BatchWrite) => {
    await store.writeBatches([w], { maxSeriesPerHost: 100 });
    pub.onCommitted([w], () => false);
    await pub.settled();
  };
  const hostEvents = () => got.filter((g) => g.topic === liveTopic('host')).map((g) => g.payload);

  beforeEach(async () => {
    target = sqliteTarget();
    store = await target.open();
    bus = new MemoryCoordination({});
    for (const topic of [liveTopic('host'), liveTopic('samples')]) await bus.subscribe(topic, (payload) => got.push({ topic, payload }));
    pub = new LivePublisher({ coordination: bus, store, log: pino({ level: 'silent' }), now: () => t, downAfterIntervals: 3 });
    hostId = (await store.createHost({ name: 'web-1' })).id;
    got.length = 0;
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
    await target.cleanup();
  });

  it('stops building samples events while nobody listens, and looks again after a quiet spell', async () => {
    const quiet = new MemoryCoordination({});
    const published: string[] = [];
    const spy = Object.assign(Object.create(quiet) as MemoryCoordination, {
      publish: async (topic: string, payload: unknown) => (published.push(topic), quiet.publish(topic, payload)),
    });
    const lonely = new LivePublisher({ coordination: spy, store, log: pino({ level: 'silent' }), now: () => t, downAfterIntervals: 3 });
    const samplesSent = () => published.filter((x) => x === liveTopic('samples')).length;
    const send = async (w: BatchWrite) => (lonely.onCommitted([w], () => false), lonely.settled());
    await send(batch(t, [1]));
    await send(batch(t + 1000, [2]));
    expect(samplesSent()).toBe(1); // the first reached nobody: the second was not even built
    const seen: unknown[] = [];
    await quiet.subscribe(liveTopic('samples'), (p) => seen.push(p));
    t += SAMPLES_QUIET_MS;
    await send(batch(t, [3]));
    expect(samplesSent()).toBe(2);
    await waitFor('the listener hears it', () => seen.length === 1);
    await quiet.close();
  });

  it('publishes the newest value per series of each batch, and a host coming up', async () => {
    await ingest(batch(t, [10, 20, 30]));
    await waitFor('two events', () => got.length === 2);
    expect(got.find((g) => g.topic === liveTopic('samples'))!.payload).toEqual({
      hostId,
      values: [{ metric: 'cpu.usage', labels: { cpu: 'total' }, ts: t, value: 30 }],
    });
    expect(hostEvents()).toEqual([{ hostId, name: 'web-1', status: 'up', lastSeenAt: t, agentVersion: '0.1.0' }]);
  });

  it('repeats last-seen at most every 30 s, and publishes down only when the store agrees', async () => {
    await ingest(batch(t, [1]));
    t += 10_000;
    await ingest(batch(t, [2]));
    await waitFor('three events', () => got.length >= 3);
    expect(hostEvents()).toHaveLength(1); // the second batch 10 s later: samples only
    t += 30_000;
    await ingest(batch(t, [3]));
    await waitFor('the 30 s repeat', () => hostEvents().length === 2);
    expect(hostEvents()[1]).toMatchObject({ status: 'up', lastSeenAt: t });

    // Quiet here, but another instance stored a batch 20 s ago: still up, nothing published.
    const elsewhere = t + 20_000;
    await store.writeBatches([batch(elsewhere, [4])], { maxSeriesPerHost: 100 });
    t += 40_000;
    await pub.sweep();
    expect(hostEvents()).toHaveLength(2);
    // Nobody hears from it for longer than its window (3 × 10 s): down, once.
    t = elsewhere + 31_000;
    await pub.sweep();
    await pub.sweep();
    await waitFor('down', () => hostEvents().length === 3);
    expect(hostEvents()[2]).toMatchObject({ status: 'down', lastSeenAt: elsewhere });
    // A batch again: up.
    t += 5_000;
    await ingest(batch(t, [5]));
    await waitFor('up again', () => hostEvents().length === 4);
    expect(hostEvents()[3]).toMatchObject({ status: 'up', lastSeenAt: t });
    expect(hostEvents().map((e) => e.status)).toEqual(['up', 'up', 'down', 'up']);
  });

  it('publishes nothing for a duplicate batch or a host deleted while its batch was in flight', async () => {
    const w = batch(t, [1]);
    pub.onCommitted([w], () => true);
    await pub.settled();
    await store.deleteHost(hostId);
    pub.onCommitted([batch(t, [2])], () => false);
    await pub.settled();
    // Only the samples of the second (its host is gone, so no host event).
    await waitFor('samples', () => got.length === 1);
    expect(got[0]!.topic).toBe(liveTopic('samples'));
  });
});

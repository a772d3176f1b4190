// Team mode with two engine instances on one PostgreSQL schema and one Redis prefix, on one virtual
// clock: the same breach makes one incident and one notification per escalation step; an instance
// dying mid-escalation (even holding a due timer) does not stop it; Redis losing everything loses
// no timer and opens no duplicate.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../core/store/types.js';
import { deleteKeys, randomPrefix } from './helpers/redis.js';
import { postgresTarget, type StoreTarget } from './helpers/stores.js';
import { Receiver, Timeline } from './helpers/timeline.js';

describe('engine in team mode: two instances', () => {
  let target: StoreTarget;
  let stores: Store[];
  let receiver: Receiver;
  let a: Timeline;
  let b: Timeline;
  let prefix: string;

  beforeEach(async () => {
    target = postgresTarget();
    stores = [await target.open(), await target.open()];
    receiver = new Receiver();
    await receiver.listen();
    prefix = randomPrefix();
    a = new Timeline(stores[0]!, receiver, true, prefix);
    b = new Timeline(stores[1]!, receiver, true, prefix);
    await a.start();
    await b.start();
    await a.host('web-1');
    b.hosts = a.hosts;
    await a.config({
      channels: [a.webhook('ops'), a.webhook('lead')],
      policies: [
        { name: 'oncall', levels: [{ channels: ['ops'] }, { delay: '60s', channels: ['lead'] }, { delay: '60s', channels: ['ops'] }] },
      ],
      rules: [{ name: 'High CPU', kind: 'threshold', metric: 'cpu.usage', op: '>', value: 90, policy: 'oncall', autoResolve: false }],
    });
    await b.engine.reload();
  });
  afterEach(async () => {
    for (const t of [a, b]) await t.stop().catch(() => {});
    await receiver.close();
    for (const s of stores) await s.close();
    await deleteKeys(prefix);
    await target.cleanup();
  });

  /** Both instances at time t (only the live ones run rounds). */
  async function at(t: number, live: Timeline[], fn?: () => Promise<unknown>): Promise<void> {
    for (const x of [a, b]) x.t = Math.max(x.t, t);
    await fn?.();
    for (const x of live) await x.at(t);
  }
  async function until(t: number, live: Timeline[]): Promise<void> {
    for (let s = Math.floor(a.t) + 1; s <= t; s++) await at(s, live);
  }

  it('turns the same breach seen by both into one incident and one notification per step', async () => {
    await at(0, [a, b], async () => {
      await a.push('web-1', { 'cpu.usage': 95 });
      await b.push('web-1', { 'cpu.usage': 96 });
    });
    await until(130, [a, b]);
    expect(receiver.received.map((r) => [r.channel, r.event, r.at])).toEqual([
      ['ops', 'triggered', 0],
      ['lead', 'escalated', 60],
      ['ops', 'escalated', 120],
    ]);
    // B took the host's state over from A: the alert was already firing, so B's sample is no new alert.
    expect(await a.incidents()).toMatchObject([{ count: 1, status: 'triggered' }]);
  });

  it('carries on the escalation when one instance dies holding a due timer', async () => {
    await at(0, [a, b], () => a.push('web-1', { 'cpu.usage': 95 }));
    await until(59, [a, b]);
    // At t=60 instance A takes the due timer out of the shared schedule, then dies before claiming it.
    a.t = 60;
    const taken = await a.coordination.schedule.takeDue(a.clock.now(), 10);
    expect(taken).toHaveLength(1);
    await a.stop();
    await until(130, [b]);
    const lead = receiver.received.find((r) => r.channel === 'lead')!;
    expect(lead.at).toBeGreaterThanOrEqual(60);
    expect(lead.at).toBeLessThanOrEqual(63); // put back by B's reconcile after a 2-s grace
    expect(receiver.received.filter((r) => r.event === 'escalated')).toHaveLength(2);
    expect(receiver.received.at(-1)!.at).toBeLessThanOrEqual(123); // the next level is timed from the late one
  });

  it('evaluates one host as one stream when its batches alternate between instances', async () => {
    const t = a.clock.now();
    await a.config({
      rules: [
        { name: 'Busy', kind: 'threshold', metric: 'load.1', op: '>', value: 80, for: '20s', policy: 'oncall' },
        { name: 'Hot', kind: 'threshold', metric: 'load.5', op: '>', value: 80, aggregate: 'avg', window: '30s', policy: 'oncall' },
      ],
    });
    await b.engine.reload();
    // "for": the breach is broken at t=10 (on B), so the 20 s count starts again at t=20 (on A).
    // "avg": B at t=10 sees 100 but averages it with A's 50 from t=0; only at t=20 is the average past 80.
    const plan: [number, Timeline, number, number][] = [
      [0, a, 95, 50],
      [10, b, 50, 100],
      [20, a, 95, 100],
      [30, b, 95, 100],
      [40, a, 95, 100],
    ];
    for (const [s, x, load1, load5] of plan) await at(s, [a, b], () => x.push('web-1', { 'load.1': load1, 'load.5': load5 }));
    const fired = (await a.incidents()).map((i) => [i.title, (i.triggeredAt - t) / 1000]).sort();
    expect(fired).toEqual([
      ['Busy on web-1', 40],
      ['Hot on web-1', 20],
    ]);
  });

  it('loses no timer and opens no duplicate when Redis restarts empty', async () => {
    await at(0, [a, b], () => a.push('web-1', { 'cpu.usage': 95 }));
    await until(10, [a, b]);
    expect(await deleteKeys(prefix)).toBeGreaterThan(0); // the schedule is gone
    await at(20, [a, b], () => b.push('web-1', { 'cpu.usage': 50 }));
    await at(30, [a, b], () => b.push('web-1', { 'cpu.usage': 97 })); // B fires again: must join the open incident
    await until(125, [a, b]);
    expect(receiver.received.map((r) => [r.channel, r.event, r.at])).toEqual([
      ['ops', 'triggered', 0],
      ['lead', 'escalated', 60],
      ['ops', 'escalated', 120],
    ]);
    expect(await a.incidents()).toMatchObject([{ count: 2 }]);
  });
});

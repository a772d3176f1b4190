// The alerting store on both backends: the guarantees the engine relies on in team mode (one open
// incident per fingerprint, one claim per timer, one delivery per step) hold under concurrency.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertingStore } from '../core/store/alerting/store.js';
import type { NewIncident } from '../core/store/alerting/types.js';
import type { Store } from '../core/store/types.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const T = Date.UTC(2026, 10, 20, 12, 0);
const alert = (fingerprint: string, over: Partial<NewIncident> = {}): NewIncident => ({
  fingerprint,
  source: 'rule',
  ruleId: 'r_1',
  hostId: 'h_1',
  dedupKey: null,
  title: 'High CPU on web-1',
  description: 'cpu at 97%',
  severity: 'critical',
  labels: { team: 'ops' },
  value: 97,
  policy: 'default',
  silenced: false,
  ...over,
});

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('alerting store: %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let base: Store;
  let a: AlertingStore;
  beforeEach(async () => {
    target = makeTarget();
    base = await target.open();
    a = new AlertingStore(base.sql);
  });
  afterEach(async () => {
    await base.close();
    await target.cleanup();
  });

  it('keeps named configuration, unique per kind', async () => {
    const r = await a.createConfig('rule', 'High CPU', { kind: 'threshold', value: 90 }, T);
    await a.createConfig('policy', 'High CPU', { levels: [] }, T);
    await expect(a.createConfig('rule', 'High CPU', {}, T)).rejects.toThrow();
    expect(await a.getConfig('rule', 'High CPU')).toEqual(r);
    expect(await a.getConfig('rule', r.id)).toEqual(r);
    expect(await a.updateConfig('rule', r.id, 'Very high CPU', { kind: 'threshold', value: 95 }, T + 1)).toBe(true);
    expect((await a.listConfig('rule')).map((c) => [c.name, c.spec])).toEqual([['Very high CPU', { kind: 'threshold', value: 95 }]]);
    expect(await a.deleteConfig('rule', r.id)).toBe(true);
    expect(await a.listConfig('rule')).toEqual([]);
  });

  it('keeps pending and firing state per rule, host and series', async () => {
    await a.setRuleState({ ruleId: 'r1', hostId: 'h1', seriesKey: '{"cpu":"total"}', state: 'pending', since: T, value: 91 }, T);
    await a.setRuleState({ ruleId: 'r1', hostId: 'h1', seriesKey: '{"cpu":"total"}', state: 'firing', since: T, value: 95 }, T + 1);
    await a.setRuleState({ ruleId: 'r2', hostId: 'h1', seriesKey: '', state: 'pending', since: T, value: null }, T);
    expect(await a.ruleStates()).toHaveLength(2);
    await a.clearRuleState('r1', 'h1', '{"cpu":"total"}');
    expect(await a.ruleStates()).toEqual([{ ruleId: 'r2', hostId: 'h1', seriesKey: '', state: 'pending', since: T, value: null }]);
  });

  it('opens one incident per fingerprint, counts repeats, and opens a new one after resolve', async () => {
    const first = await a.triggerIncident(alert('fp1'), T);
    const again = await a.triggerIncident(alert('fp1', { value: 99 }), T + 1000);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, incident: { id: first.incident.id, count: 2, value: 99, lastSeenAt: T + 1000 } });
    expect((await a.timeline(first.incident.id)).map((e) => e.type)).toEqual(['triggered', 'repeated']);
    expect(await a.resolve(first.incident.id, 'alice', 'manual', T + 2000)).toMatchObject({ status: 'resolved', resolvedBy: 'alice' });
    const next = await a.triggerIncident(alert('fp1'), T + 3000);
    expect(next.created).toBe(true);
    expect(next.incident.id).not.toBe(first.incident.id);
  });

  it('agrees on one incident when instances trigger the same fingerprint at once', async () => {
    const other = await target.open();
    try {
      const b = new AlertingStore(other.sql);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).triggerIncident(alert('fp-race'), T + i)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
      expect((await a.openIncident('fp-race'))!.count).toBe(10);
    } finally {
      await other.close();
    }
  });

  it('acknowledges only a triggered incident and records who and when', async () => {
    const { incident } = await a.triggerIncident(alert('fp2'), T);
    expect(await a.acknowledge(incident.id, 'bob', T + 60_000)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'bob',
      acknowledgedAt: T + 60_000,
    });
    expect(await a.acknowledge(incident.id, 'carol', T + 70_000)).toBeNull();
    await a.addTimelineEntry(incident.id, 'note', 'bob', { text: 'rebooting' }, T + 80_000);
    expect(await a.resolve(incident.id, 'system', 'auto', T + 120_000)).toMatchObject({ resolution: 'auto' });
    expect(await a.resolve(incident.id, 'bob', 'manual', T + 130_000)).toBeNull();
    const tl = await a.timeline(incident.id);
    expect(tl.map((e) => [e.type, e.actor])).toEqual([
      ['triggered', null],
      ['acknowledged', 'bob'],
      ['note', 'bob'],
      ['resolved', 'system'],
    ]);
    expect(tl[2]!.detail).toEqual({ text: 'rebooting' });
  });

  it('filters incidents and aggregates response times', async () => {
    const x = (await a.triggerIncident(alert('fa', { hostId: 'h_a', severity: 'warning' }), T)).incident;
    const y = (await a.triggerIncident(alert('fb', { hostId: 'h_b', ruleId: 'r_2' }), T + 1000)).incident;
    await a.acknowledge(x.id, 'u', T + 60_000);
    await a.resolve(x.id, 'u', 'manual', T + 180_000);
    await a.acknowledge(y.id, 'u', T + 1000 + 120_000);
    expect((await a.listIncidents({ status: ['triggered', 'acknowledged'], limit: 10 })).map((i) => i.id)).toEqual([y.id]);
    expect((await a.listIncidents({ severity: ['warning'], limit: 10 })).map((i) => i.id)).toEqual([x.id]);
    expect((await a.listIncidents({ hostId: 'h_b', limit: 10 })).map((i) => i.id)).toEqual([y.id]);
    expect((await a.listIncidents({ from: T + 500, limit: 10 })).map((i) => i.id)).toEqual([y.id]);
    expect(await a.responseStats('host', T - 1, T + 3_600_000)).toEqual([
      { group: 'h_a', incidents: 1, acknowledged: 1, resolved: 1, meanTimeToAcknowledge: 60_000, meanTimeToResolve: 180_000 },
      { group: 'h_b', incidents: 1, acknowledged: 1, resolved: 0, meanTimeToAcknowledge: 120_000, meanTimeToResolve: null },
    ]);
    expect(await a.responseStats('day', T - 1, T + 3_600_000)).toEqual([
      {
        group: String(Math.floor(T / 86_400_000) * 86_400_000),
        incidents: 2,
        acknowledged: 2,
        resolved: 1,
        meanTimeToAcknowledge: 90_000,
        meanTimeToResolve: 180_000,
      },
    ]);
  });

  it('hands each due timer to exactly one claimer and cancels the rest', async () => {
    const timers = Array.from({ length: 20 }, (_, i) => ({
      id: `t${i}`,
      incidentId: i < 10 ? 'inc1' : 'inc2',
      kind: 'escalate' as const,
      dueAt: T + i,
      payload: { level: i, pass: 0 },
    }));
    await a.addTimers(timers);
    await a.addTimers(timers.slice(0, 1)); // idempotent
    expect((await a.pendingTimers(T + 4, 100)).map((t) => t.id)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    const other = await target.open();
    try {
      const b = new AlertingStore(other.sql);
      const claims = await Promise.all(timers.flatMap((t) => [a.claimTimer(t.id, 'i1', T), b.claimTimer(t.id, 'i2', T)]));
      expect(claims.filter(Boolean)).toHaveLength(20);
    } finally {
      await other.close();
    }
    await a.addTimers([{ id: 'late', incidentId: 'inc3', kind: 'escalate', dueAt: T + 99, payload: { level: 1, pass: 0 } }]);
    expect(await a.cancelTimers('inc3', T)).toEqual(['late']);
    expect(await a.pendingTimers(T + 1000, 100)).toEqual([]);
  });

  it('records each delivery step once and leases due ones to one worker at a time', async () => {
    const d = { incidentId: 'inc1', channelId: 'c1', channelName: 'ops-webhook', event: 'triggered' as const, stepKey: 'L0P0' };
    expect(await a.createDelivery(d, T)).toBe(true);
    expect(await a.createDelivery(d, T)).toBe(false);
    const [leased] = await a.claimDueDeliveries(T, 30_000, 10);
    expect(leased).toMatchObject({ status: 'pending', attempts: 0, channelName: 'ops-webhook' });
    expect(await a.claimDueDeliveries(T + 1000, 30_000, 10)).toEqual([]); // leased
    await a.finishDelivery(
      leased!.id,
      { status: 'pending', attempts: 1, nextAttemptAt: T + 5000, lastError: 'HTTP 503', detail: null },
      T + 1000,
    );
    expect(await a.claimDueDeliveries(T + 2000, 30_000, 10)).toEqual([]); // not due yet
    const [retry] = await a.claimDueDeliveries(T + 5000, 30_000, 10);
    await a.finishDelivery(retry!.id, { status: 'sent', attempts: 2, nextAttemptAt: null, lastError: null, detail: 'HTTP 200' }, T + 5000);
    expect(await a.listDeliveries({ incidentId: 'inc1', limit: 10 })).toMatchObject([{ status: 'sent', attempts: 2, detail: 'HTTP 200' }]);
    expect(await a.claimDueDeliveries(T + 99_000, 30_000, 10)).toEqual([]);
  });
});

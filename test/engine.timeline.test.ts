// The engine as timelines: samples at t=…, notifications wanted at t=…. Each runs on local mode
// (SQLite + in-process coordination) and team mode (PostgreSQL + Redis).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Receiver, Timeline } from './helpers/timeline.js';
import { postgresTarget, sqliteTarget, type StoreTarget } from './helpers/stores.js';
import type { Store } from '../core/store/types.js';

const MODES = [
  ['local', sqliteTarget, false],
  ['team', postgresTarget, true],
] as const;

describe.each(MODES)('engine timeline (%s mode)', (_mode, makeTarget, team) => {
  let target: StoreTarget;
  let store: Store;
  let receiver: Receiver;
  let tl: Timeline;

  beforeEach(async () => {
    target = makeTarget();
    store = await target.open();
    receiver = new Receiver();
    await receiver.listen();
    tl = new Timeline(store, receiver, team);
    await tl.start();
    await tl.host('web-1', { role: 'web' });
    await tl.config({
      channels: [tl.webhook('ops'), tl.webhook('lead')],
      policies: [{ name: 'default', levels: [{ delay: 0, channels: ['ops'] }] }],
    });
  });
  afterEach(async () => {
    await tl.stop();
    await receiver.close();
    await store.close();
    await target.cleanup();
  });

  const cpu = (over: Record<string, unknown> = {}) => ({
    name: 'High CPU',
    kind: 'threshold' as const,
    metric: 'cpu.usage',
    op: '>' as const,
    value: 90,
    policy: 'default',
    severity: 'critical' as const,
    description: 'CPU at {{value}}% on {{host}} (over {{threshold}})',
    ...over,
  });

  it('notifies at once for a rule without "for", and again when it resolves by itself', async () => {
    await tl.config({ rules: [cpu()] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.at(10, () => tl.push('web-1', { 'cpu.usage': 97 }));
    await tl.at(20, () => tl.push('web-1', { 'cpu.usage': 40 }));
    await tl.at(21);
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 0],
      ['ops', 'resolved', 20],
    ]);
    const [incident] = await tl.incidents();
    expect(incident).toMatchObject({
      status: 'resolved',
      resolution: 'auto',
      count: 1,
      severity: 'critical',
      description: 'CPU at 95% on web-1 (over 90)',
    });
    expect((await tl.alerting.timeline(incident!.id)).map((e) => e.type)).toEqual(['triggered', 'notified', 'resolved', 'notified']);
  });

  it('waits for "for" and forgets a breach that did not last', async () => {
    await tl.config({ rules: [cpu({ for: '30s' })] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.at(10, () => tl.push('web-1', { 'cpu.usage': 50 })); // back to normal: pending forgotten
    await tl.at(20, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.at(40, () => tl.push('web-1', { 'cpu.usage': 96 }));
    expect(tl.notifications).toEqual([]);
    await tl.at(50, () => tl.push('web-1', { 'cpu.usage': 97 }));
    expect(tl.notifications).toEqual([['ops', 'triggered', 50]]);
  });

  it('keeps a pending "for" and a firing alert across a restart', async () => {
    await tl.config({ rules: [cpu({ for: '30s', name: 'Slow CPU' }), cpu({ name: 'Fast CPU', metric: 'load.1', value: 4 })] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95, 'load.1': 9 }));
    expect(tl.notifications).toEqual([['ops', 'triggered', 0]]);
    await tl.stop();
    await tl.start(); // a new engine on the same store
    await tl.at(30, () => tl.push('web-1', { 'cpu.usage': 96, 'load.1': 9 }));
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 0],
      ['ops', 'triggered', 30],
    ]);
    expect((await tl.incidents()).map((i) => i.count)).toEqual([1, 1]); // the firing one was not re-fired
  });

  it('clears at the hysteresis threshold, not at the trigger threshold', async () => {
    await tl.config({ rules: [cpu({ clear: 80 })] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.at(10, () => tl.push('web-1', { 'cpu.usage': 85 }));
    await tl.at(20, () => tl.push('web-1', { 'cpu.usage': 92 }));
    expect((await tl.incidents())[0]!.status).toBe('triggered');
    await tl.at(30, () => tl.push('web-1', { 'cpu.usage': 79 }));
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 0],
      ['ops', 'resolved', 30],
    ]);
  });

  it('aggregates over a window and alerts on rates of change', async () => {
    await tl.config({
      rules: [
        cpu({ name: 'Avg CPU', aggregate: 'avg', window: '30s', value: 80 }),
        { name: 'Disk filling', kind: 'rate', metric: 'disk.used_percent', window: '60s', op: '>', value: 0.1, policy: 'default' },
      ],
    });
    for (const [t, v, d] of [
      [0, 100, 50],
      [10, 70, 51],
      [20, 60, 52],
      [30, 95, 60],
      [40, 95, 70],
    ] as const) {
      await tl.at(t, () => tl.push('web-1', { 'cpu.usage': v, 'disk.used_percent': d }));
    }
    // avg over 30 s: 100 → 85 → 76.7 → 75 → 81.7 (fires at 40); disk rate 0.1/s → 0.1 → 0.33/s (fires at 30)
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 0],
      ['ops', 'resolved', 20],
      ['ops', 'triggered', 30],
      ['ops', 'triggered', 40],
    ]);
  });

  it('escalates level by level, repeats the policy, and stops on acknowledge', async () => {
    await tl.config({
      policies: [
        {
          name: 'oncall',
          levels: [
            { delay: 0, channels: ['ops'] },
            { delay: '60s', channels: ['lead'] },
          ],
          repeat: 1,
        },
      ],
      rules: [cpu({ policy: 'oncall', autoResolve: false })],
    });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.until(190);
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 0],
      ['lead', 'escalated', 60],
      ['ops', 'escalated', 120],
      ['lead', 'escalated', 180],
    ]);
    // A second breach opens another incident; acknowledging it stops its escalation.
    await tl.at(200, () => tl.push('web-1', { 'cpu.usage': 40 }));
    const [open] = await tl.incidents();
    await tl.engine.incidents.resolve(open!.id, 'alice', 'manual');
    await tl.at(210, () => tl.push('web-1', { 'cpu.usage': 99 }));
    const [second] = await tl.incidents();
    await tl.at(230, () => tl.engine.incidents.acknowledge(second!.id, 'bob'));
    await tl.until(400);
    expect(tl.notifications.slice(4).filter(([, e]) => e !== 'resolved')).toEqual([['ops', 'triggered', 210]]);
    expect(await tl.alerting.pendingTimers(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('fires a heartbeat rule when a host goes silent and resolves when it reports again', async () => {
    await tl.config({ rules: [{ name: 'Host down', kind: 'heartbeat', after: '60s', policy: 'default', severity: 'critical' }] });
    await tl.at(0, () => tl.push('web-1', { 'load.1': 1 }));
    await tl.until(59);
    expect(tl.notifications).toEqual([]);
    await tl.until(70);
    expect(tl.notifications).toEqual([['ops', 'triggered', 65]]); // checks run every 5 s
    await tl.at(80, () => tl.push('web-1', { 'load.1': 1 }));
    expect(tl.notifications).toEqual([
      ['ops', 'triggered', 65],
      ['ops', 'resolved', 80],
    ]);
  });

  it('opens an incident from a matching log line and counts repeats', async () => {
    await tl.config({
      rules: [
        {
          name: 'OOM',
          kind: 'event',
          pattern: 'oom-killer|Out of memory',
          source: 'syslog',
          policy: 'default',
          description: '{{host}}: {{message}}',
        },
      ],
    });
    const line = (message: string) => ({ events: [{ ts: tl.clock.now(), kind: 'log' as const, source: '/var/log/syslog', message }] });
    await tl.at(0, () => tl.push('web-1', {}, line('kernel: nginx invoked oom-killer')));
    await tl.at(10, () => tl.push('web-1', {}, line('kernel: all good')));
    await tl.at(20, () => tl.push('web-1', {}, line('kernel: Out of memory: Killed process 42')));
    expect(tl.notifications).toEqual([['ops', 'triggered', 0]]);
    expect(await tl.incidents()).toMatchObject([{ count: 2, status: 'triggered', description: 'web-1: kernel: nginx invoked oom-killer' }]);
  });

  it('records silenced alerts without notifying', async () => {
    await tl.config({
      rules: [cpu()],
      silences: [
        { name: 'web maintenance', matchers: { labels: { role: 'web' } }, startsAt: tl.clock.now(), endsAt: tl.clock.now() + 3_600_000 },
      ],
    });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.until(5);
    expect(tl.notifications).toEqual([]);
    expect(await tl.incidents()).toMatchObject([{ silenced: true, status: 'triggered' }]);
  });

  it('starts notifying a held-back incident when its silence ends, once', async () => {
    await tl.config({
      rules: [cpu({ autoResolve: false })],
      silences: [{ name: 'deploy window', matchers: { hosts: ['web-1'] }, startsAt: tl.clock.now(), endsAt: tl.clock.now() + 600_000 }],
    });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.until(590);
    expect(tl.notifications).toEqual([]);
    await tl.until(700);
    const sent = tl.notifications.map(([channel, event, at]) => [channel, event, at >= 600 && at <= 606]);
    expect(sent).toEqual([['ops', 'triggered', true]]);
    const [incident] = await tl.incidents();
    expect(incident).toMatchObject({ silenced: false, status: 'triggered' });
    expect((await tl.alerting.timeline(incident!.id)).map((e) => e.type)).toContain('unsilenced');
  });

  it('holds back notifications for a flapping alert until the minimum interval has passed', async () => {
    await tl.config({ policies: [{ name: 'calm', levels: [{ channels: ['ops'] }], minInterval: '5m' }], rules: [cpu({ policy: 'calm' })] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.at(10, () => tl.push('web-1', { 'cpu.usage': 50 }));
    await tl.at(20, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.until(310);
    expect(tl.notifications.filter(([, e]) => e === 'triggered')).toEqual([
      ['ops', 'triggered', 0],
      ['ops', 'triggered', 300],
    ]);
  });

  it('retries a failing webhook until it succeeds, and logs each attempt', async () => {
    receiver.failures = [500, 503];
    await tl.config({ rules: [cpu({ autoResolve: false })] });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 95 }));
    await tl.until(30);
    expect(tl.notifications).toEqual([['ops', 'triggered', 15]]); // retries after 5 s, then 10 s
    const [d] = await tl.alerting.listDeliveries({ limit: 10 });
    expect(d).toMatchObject({ status: 'sent', attempts: 3, channelName: 'ops' });
  });

  it("watches only the hosts in a rule's scope, by name or by labels", async () => {
    await tl.host('db-1', { role: 'db' });
    await tl.config({
      rules: [
        cpu({ name: 'DB CPU', scope: { labels: { role: 'db' } } }),
        cpu({ name: 'Named', scope: { hosts: ['db-1'] }, metric: 'load.1', value: 4 }),
      ],
    });
    await tl.at(0, () => tl.push('web-1', { 'cpu.usage': 99, 'load.1': 9 }));
    expect(await tl.incidents()).toEqual([]);
    await tl.at(10, () => tl.push('db-1', { 'cpu.usage': 99, 'load.1': 9 }));
    expect((await tl.incidents()).map((i) => i.title).sort()).toEqual(['DB CPU on db-1', 'Named on db-1']);
  });
});

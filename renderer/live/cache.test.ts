// What live events do to the query cache: the shown lists change at once, without a refetch.
import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyDeployProgress, applyHost, applyHosts, applyIncident, deployPercent, incidentMatches, invalidateSoon } from './cache.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());
const settle = () => vi.advanceTimersByTime(1000);

const incident = (over: Record<string, unknown> = {}) => ({
  id: 'i1',
  fingerprint: 'f',
  source: 'rule' as const,
  ruleId: 'r1',
  hostId: 'h1',
  dedupKey: null,
  title: 'CPU high',
  description: '',
  severity: 'critical' as const,
  labels: {},
  status: 'triggered' as const,
  count: 1,
  value: 99,
  policy: null,
  silenced: false,
  triggeredAt: 1000,
  lastSeenAt: 1000,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  resolution: null,
  ...over,
});

describe('live incidents in the cache', () => {
  it('adds a new incident to the lists whose filter it matches, newest first, and moves it out when it no longer does', () => {
    const qc = new QueryClient();
    const open = ['listIncidents', { status: ['triggered', 'acknowledged'], limit: 1000 }];
    const other = ['listIncidents', { hostId: 'h2' }];
    qc.setQueryData(open, { incidents: [incident({ id: 'old', triggeredAt: 500 })] });
    qc.setQueryData(other, { incidents: [] });
    applyIncident(qc, { change: 'triggered', incident: incident() });
    expect(qc.getQueryData<any>(open).incidents.map((i: any) => i.id)).toEqual(['i1', 'old']);
    expect(qc.getQueryData<any>(other).incidents).toEqual([]);
    applyIncident(qc, { change: 'resolved', incident: incident({ status: 'resolved' }) });
    expect(qc.getQueryData<any>(open).incidents.map((i: any) => i.id)).toEqual(['old']);
    expect(qc.getQueryState(open)?.isInvalidated).toBe(false); // the patch is shown first…
    settle();
    expect(qc.getQueryState(open)?.isInvalidated).toBe(true); // …then one refetch settles the rest
  });

  it('matches filters by status, severity, host and rule (single values or lists)', () => {
    const i = incident();
    expect(incidentMatches(undefined, i)).toBe(true);
    expect(incidentMatches({ status: 'triggered' }, i)).toBe(true);
    expect(incidentMatches({ severity: ['warning', 'info'] }, i)).toBe(false);
    expect(incidentMatches({ hostId: 'h1', ruleId: 'r2' }, i)).toBe(false);
  });
});

describe('live hosts in the cache', () => {
  it("patches a known host's status in every list; an unknown host refetches the list", () => {
    const qc = new QueryClient();
    const host = {
      id: 'h1',
      name: 'a',
      labels: {},
      createdAt: 1,
      lastSeenAt: null,
      status: 'new',
      agentVersion: null,
      intervalMs: null,
      inventory: null,
      processes: null,
    };
    qc.setQueryData(['listHosts', {}], { hosts: [host] });
    applyHost(qc, { hostId: 'h1', name: 'a', status: 'up', lastSeenAt: 5, agentVersion: '0.1.0' });
    expect(qc.getQueryData<any>(['listHosts', {}]).hosts[0]).toMatchObject({
      status: 'up',
      lastSeenAt: 5,
      agentVersion: '0.1.0',
      name: 'a',
    });
    expect(qc.getQueryState(['listHosts', {}])?.isInvalidated).toBe(false);
    applyHost(qc, { hostId: 'h9', name: 'z', status: 'up', lastSeenAt: 5, agentVersion: '0.1.0' });
    settle();
    expect(qc.getQueryState(['listHosts', {}])?.isInvalidated).toBe(true);
  });
});

describe('a burst of host changes', () => {
  it('patches each list once, with every change in it', () => {
    const qc = new QueryClient();
    const host = (id: string) => ({
      id,
      name: id,
      labels: {},
      createdAt: 1,
      lastSeenAt: 1,
      status: 'up',
      agentVersion: '0.1.0',
      intervalMs: 10_000,
      inventory: null,
      processes: null,
    });
    qc.setQueryData(['listHosts', {}], { hosts: Array.from({ length: 1000 }, (_, i) => host(`h${i}`)) });
    let writes = 0;
    qc.getQueryCache().subscribe((e) => void (e.type === 'updated' && e.action.type === 'success' && writes++));
    applyHosts(
      qc,
      Array.from({ length: 1000 }, (_, i) => ({
        hostId: `h${i}`,
        name: `h${i}`,
        status: 'down' as const,
        lastSeenAt: 1,
        agentVersion: '0.1.0',
      })),
    );
    expect(writes).toBe(1);
    expect(qc.getQueryData<any>(['listHosts', {}]).hosts.every((h: any) => h.status === 'down')).toBe(true);
  });
});

describe('live deploy progress', () => {
  it("moves one server's bar and marks the run for a refetch when that server finishes", () => {
    const qc = new QueryClient();
    const target = (serverId: string) => ({
      serverId,
      name: serverId,
      host: '127.0.0.1',
      status: 'pending',
      step: null,
      percent: null,
      message: null,
      error: null,
      changed: null,
      bytesUploaded: 0,
      sshSessions: 0,
      startedAt: null,
      finishedAt: null,
    });
    const key = ['getDeploy', { id: 'run1' }];
    const run = {
      id: 'run1',
      action: 'install',
      status: 'running',
      concurrency: 2,
      startedAt: 1,
      finishedAt: null,
      summary: { total: 2, ok: 0, failed: 0, changed: 0 },
    };
    qc.setQueryData(key, { run: { ...run, targets: [target('s1'), target('s2')] } });
    applyDeployProgress(qc, { runId: 'run1', serverId: 's1', host: '127.0.0.1', step: 'upload', percent: 50, at: 2 });
    settle();
    const t = qc.getQueryData<any>(key).run.targets;
    expect([t[0].status, t[0].step, t[0].percent, t[1].status]).toEqual(['running', 'upload', 50, 'pending']);
    expect(qc.getQueryState(key)?.isInvalidated).toBe(false);
    applyDeployProgress(qc, { runId: 'run1', serverId: 's2', host: '127.0.0.1', step: 'failed', message: 'permission denied', at: 3 });
    expect(qc.getQueryData<any>(key).run.targets[1]).toMatchObject({ status: 'failed', error: 'permission denied', finishedAt: 3 });
    settle();
    expect(qc.getQueryState(key)?.isInvalidated).toBe(true);
  });

  it('turns steps into one rising percentage', () => {
    const steps = [
      deployPercent('connect'),
      deployPercent('probe'),
      deployPercent('upload', 0),
      deployPercent('upload', 100),
      deployPercent('install'),
    ];
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect([deployPercent('upload', 50), deployPercent('done')]).toEqual([43, 100]);
  });
});

describe('invalidateSoon', () => {
  it('refetches once per burst', () => {
    const qc = new QueryClient();
    let calls = 0;
    qc.invalidateQueries = (async () => void calls++) as typeof qc.invalidateQueries;
    for (let i = 0; i < 20; i++) invalidateSoon(qc, ['listIncidents']);
    invalidateSoon(qc, ['listHosts']);
    expect(calls).toBe(0);
    settle();
    expect(calls).toBe(2);
    invalidateSoon(qc, ['listIncidents']);
    settle();
    expect(calls).toBe(3);
  });
});

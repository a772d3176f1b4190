// What each live event does to the TanStack Query cache: patch what is shown at once (setQueryData)
// so the DOM updates without a round trip, then mark the lists stale so a refetch settles anything
// a patch cannot know (an incident entering a filtered list, counts, ordering).
import { notifyManager, type QueryClient } from '@tanstack/react-query';
import type { Input, LivePayload, Output } from '../../shared/contract/index.js';
import type { LiveEvent } from './connection.js';
import type { LiveSamples } from './samples.js';

const pending = new WeakMap<QueryClient, Map<string, ReturnType<typeof setTimeout>>>();

/**
 * Refetches soon, once per burst. The patch already put the change on screen; the refetch only
 * settles what a patch cannot know, so a burst of events costs one request, not one each, and the
 * patched render is not competing with a dozen refetches.
 */
export function invalidateSoon(qc: QueryClient, queryKey: readonly unknown[], delayMs = 300): void {
  let timers = pending.get(qc);
  if (!timers) pending.set(qc, (timers = new Map()));
  const k = JSON.stringify(queryKey);
  if (timers.has(k)) return;
  timers.set(
    k,
    setTimeout(() => {
      timers.delete(k);
      void qc.invalidateQueries({ queryKey });
    }, delayMs),
  );
}

type Incident = Output<'listIncidents'>['incidents'][number];
type IncidentFilter = Partial<Input<'listIncidents'>>;

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Whether an incident belongs in a list fetched with this filter (time bounds aside). */
export function incidentMatches(f: IncidentFilter | undefined, i: Incident): boolean {
  if (!f) return true;
  const status = asList(f.status as Incident['status'][] | undefined);
  const severity = asList(f.severity as Incident['severity'][] | undefined);
  if (status?.length && !status.includes(i.status)) return false;
  if (severity?.length && !severity.includes(i.severity)) return false;
  if (f.hostId && f.hostId !== i.hostId) return false;
  if (f.ruleId && f.ruleId !== i.ruleId) return false;
  return true;
}

export function applyIncident(qc: QueryClient, p: LivePayload<'incident'>): void {
  const inc = p.incident;
  for (const [key, data] of qc.getQueriesData<Output<'listIncidents'>>({ queryKey: ['listIncidents'] })) {
    if (!data) continue;
    const filter = key[1] as IncidentFilter | undefined;
    const rest = data.incidents.filter((i) => i.id !== inc.id);
    const incidents = incidentMatches(filter, inc) ? [inc, ...rest].sort((a, b) => b.triggeredAt - a.triggeredAt) : rest;
    qc.setQueryData<Output<'listIncidents'>>(key, { incidents });
  }
  qc.setQueriesData<Output<'getIncident'>>({ queryKey: ['getIncident', { id: inc.id }] }, (old) => (old ? { ...old, incident: inc } : old));
  invalidateSoon(qc, ['listIncidents']);
  invalidateSoon(qc, ['getIncident', { id: inc.id }]);
  invalidateSoon(qc, ['incidentStats']);
}

/** Patches host status changes into every host list once (a fleet going quiet sends one event per host). */
export function applyHosts(qc: QueryClient, payloads: readonly LivePayload<'host'>[]): void {
  if (payloads.length === 0) return;
  const byId = new Map(payloads.map((p) => [p.hostId, { status: p.status, lastSeenAt: p.lastSeenAt, agentVersion: p.agentVersion }]));
  const seen = new Set<string>();
  for (const [key, data] of qc.getQueriesData<Output<'listHosts'>>({ queryKey: ['listHosts'] })) {
    if (!data) continue;
    let changed = false;
    const hosts = data.hosts.map((h) => {
      const patch = byId.get(h.id);
      if (!patch) return h;
      seen.add(h.id);
      changed = true;
      return { ...h, ...patch };
    });
    if (changed) qc.setQueryData<Output<'listHosts'>>(key, { hosts });
  }
  // A host this page has never seen (added elsewhere): fetch the list again.
  if ([...byId.keys()].some((id) => !seen.has(id))) invalidateSoon(qc, ['listHosts']);
  for (const [id, patch] of byId)
    qc.setQueriesData<Output<'getHost'>>({ queryKey: ['getHost', { id }] }, (old) => (old ? { host: { ...old.host, ...patch } } : old));
}

export const applyHost = (qc: QueryClient, p: LivePayload<'host'>) => applyHosts(qc, [p]);

/** Overall percent of one server's deploy from its step (upload carries its own byte percent). */
export function deployPercent(step: LivePayload<'deploy.progress'>['step'], percent?: number | null): number {
  switch (step) {
    case 'connect':
      return 5;
    case 'probe':
      return 12;
    case 'upload':
      return 15 + Math.round(((percent ?? 0) / 100) * 55);
    case 'install':
      return 75;
    case 'start':
      return 85;
    case 'heartbeat':
      return 92;
    case 'done':
      return 100;
    case 'failed':
      return percent ?? 100;
  }
}

export function applyDeployProgress(qc: QueryClient, p: LivePayload<'deploy.progress'>): void {
  qc.setQueriesData<Output<'getDeploy'>>({ queryKey: ['getDeploy', { id: p.runId }] }, (old) => {
    if (!old) return old;
    const targets = old.run.targets.map((t) => {
      if (t.serverId !== p.serverId) return t;
      const finished = p.step === 'done' || p.step === 'failed';
      return {
        ...t,
        step: p.step,
        percent: p.percent ?? null,
        message: p.message ?? t.message,
        status: p.step === 'done' ? ('ok' as const) : p.step === 'failed' ? ('failed' as const) : ('running' as const),
        ...(p.step === 'failed' ? { error: p.message ?? t.error } : {}),
        ...(finished ? { finishedAt: p.at } : {}),
      };
    });
    return { run: { ...old.run, targets } };
  });
  if (p.step === 'done' || p.step === 'failed') {
    // The run's totals, the server's installed version and the new host come from the server.
    invalidateSoon(qc, ['getDeploy', { id: p.runId }]);
    invalidateSoon(qc, ['listDeploys']);
    invalidateSoon(qc, ['listServers']);
    invalidateSoon(qc, ['listHosts']);
  }
}

/**
 * Applies a burst of events in one go: host changes merged per list, and one notification of the
 * query cache's subscribers for all of it (so a thousand hosts going down re-render a page once).
 */
export function applyLiveEvents(qc: QueryClient, samples: LiveSamples, events: readonly LiveEvent[]): void {
  notifyManager.batch(() => {
    const hosts: LivePayload<'host'>[] = [];
    for (const e of events) {
      if (e.event === 'host') hosts.push(e.payload);
      else if (e.event === 'incident') applyIncident(qc, e.payload);
      else if (e.event === 'samples') samples.push(e.payload.hostId, e.payload.values);
      else applyDeployProgress(qc, e.payload);
    }
    applyHosts(qc, hosts);
  });
}

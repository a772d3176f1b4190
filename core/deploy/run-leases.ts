// What becomes of a deploy run whose instance died (team mode: kill -9, machine lost). Each run row
// is its own lease: the owner stamps `heartbeat_at` every few seconds while it executes the run,
// and any instance that finds a running run not stamped for `timeoutMs` marks its unfinished
// servers failed. A lease on the run rather than a table of live instances: the claim and the
// verdict are one conditional UPDATE on the same row, and there is nothing to clean up afterwards.
// Heartbeats are the owners' clocks compared with the judge's: skew up to timeoutMs minus the
// renewal interval is tolerated.
import type { Logger } from 'pino';
import type { DeployProgress, DeployTargetView } from '../../shared/contract/deploy.js';
import type { Coordination } from '../bus/types.js';
import type { DeployStore } from '../store/deploy/store.js';
import type { DeployRunRecord, LeasedRun } from '../store/deploy/types.js';

export const PROGRESS_TOPIC = 'deploy.progress';

export const interruptedBy = (owner: string | null) =>
  `interrupted: ${owner ? `instance ${owner}` : 'the instance running it'} stopped during the run`;

/** Marks the run's unfinished servers failed with `error` and gives the run its verdict; answers those servers. */
export function interruptRun(run: DeployRunRecord, error: string, now: number): DeployTargetView[] {
  const cut = run.targets.filter((t) => t.status === 'running' || t.status === 'pending');
  for (const t of cut) Object.assign(t, { status: 'failed', step: 'failed', percent: null, message: error, error, finishedAt: now });
  const ok = run.targets.filter((t) => t.status === 'ok').length;
  Object.assign(run, { status: ok === 0 ? 'failed' : 'partial', finishedAt: now });
  return cut;
}

/** Tells dashboards, like any server's failure: one 'failed' progress event per server cut short. */
export async function publishInterrupted(
  o: { coordination: Pick<Coordination, 'publish'>; log: Pick<Logger, 'warn'> },
  run: DeployRunRecord,
  cut: DeployTargetView[],
  at: number,
): Promise<void> {
  await Promise.all(
    cut.map((t) => {
      const ev: DeployProgress = { runId: run.id, serverId: t.serverId, host: t.host, step: 'failed', message: t.error ?? '', at };
      return o.coordination.publish(PROGRESS_TOPIC, ev).catch((err) => o.log.warn({ err }, 'cannot publish deploy progress'));
    }),
  );
}

export interface RunLeasesOptions {
  store: DeployStore;
  coordination: Pick<Coordination, 'publish'>;
  log: Pick<Logger, 'info' | 'warn'>;
  now: () => number;
  /** A run whose owner has not renewed it for this long is marked interrupted. */
  timeoutMs: number;
  /** The runs this instance is executing (already stored). */
  held(): string[];
  /** One of those was marked interrupted by another instance (this one stalled past the bound). */
  lost(runId: string): void;
}

export class RunLeases {
  constructor(private o: RunLeasesOptions) {}

  /** One beat: renew this instance's runs first (so they are never judged here), then judge the others. */
  async tick(): Promise<number> {
    await this.renew();
    return this.sweep();
  }

  async renew(): Promise<void> {
    const held = this.o.held();
    const alive = new Set(await this.o.store.renewRuns(held, this.o.now()));
    for (const id of held) if (!alive.has(id)) this.o.lost(id);
  }

  /** Marks interrupted the runs whose owner stopped heartbeating; answers how many this instance wrote. */
  async sweep(): Promise<number> {
    const now = this.o.now();
    let n = 0;
    for (const s of await this.o.store.staleRuns(now - this.o.timeoutMs)) if (await this.interrupt(s, interruptedBy(s.owner), now)) n++;
    return n;
  }

  /** Local mode, at start: every run still running belonged to this machine's previous process. */
  async interruptAll(error: string): Promise<number> {
    const now = this.o.now();
    let n = 0;
    for (const s of await this.o.store.staleRuns(Number.MAX_SAFE_INTEGER)) if (await this.interrupt(s, error, now)) n++;
    return n;
  }

  private async interrupt({ run, owner, heartbeatAt }: LeasedRun, error: string, now: number): Promise<boolean> {
    const cut = interruptRun(run, error, now);
    // Conditional on the heartbeat we judged: one judge wins, and an owner that beat meanwhile keeps its run.
    if (!(await this.o.store.finishStaleRun(run, heartbeatAt))) return false;
    this.o.log.warn({ runId: run.id, owner, lastHeartbeatAt: heartbeatAt, servers: cut.length }, 'deploy run interrupted');
    await publishInterrupted(this.o, run, cut, now);
    return true;
  }
}

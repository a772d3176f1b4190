// Deploy runs: one action on many servers with bounded concurrency. Each server's steps are
// published on the bus ('deploy.progress') and kept in the run record; one server failing never stops
// the others; the run ends with a summary (ok / partial / failed). The run row records this instance
// as its owner; run-leases.ts keeps it alive and judges the runs of instances that died.
import type { Logger } from 'pino';
import type { DeployAction, DeployProgress, DeployRunView, DeployStep, DeployTargetView } from '../../shared/contract/deploy.js';
import type { Coordination } from '../bus/types.js';
import type { DeployRunRecord } from '../store/deploy/types.js';
import type { DeployContext } from './context.js';
import { DeployError } from './errors.js';
import { runOnHost } from './host-run.js';
import { interruptRun, PROGRESS_TOPIC, publishInterrupted } from './run-leases.js';

export { PROGRESS_TOPIC };

export class UnknownServerError extends Error {}

interface Running {
  run: DeployRunRecord;
  done: Promise<DeployRunRecord>;
  /** The stored run was finished by someone else (interrupted): start no more servers, write nothing. */
  lost: boolean;
  /** Aborted with `lost`: the servers in flight drop their SSH connections instead of carrying on. */
  stop: AbortController;
}

export class Deployer {
  private running = new Map<string, Running>();
  private saving = new Map<string, Promise<boolean>>();

  constructor(
    private o: {
      ctx: DeployContext;
      coordination: Pick<Coordination, 'publish'>;
      log: Pick<Logger, 'info' | 'warn' | 'error'>;
      /** This instance, as recorded on its runs (unique per process start). */
      owner: string;
    },
  ) {}

  /** Starts a run and returns it at once (status running); `wait(id)` resolves when it ends. */
  async start(action: DeployAction, serverIds: string[], concurrency: number): Promise<DeployRunRecord> {
    const { ctx } = this.o;
    const unique = [...new Set(serverIds)];
    const servers = await Promise.all(unique.map((id) => ctx.store.getServer(id)));
    const missing = unique.filter((_, i) => !servers[i]);
    if (missing.length) throw new UnknownServerError(`no server ${missing.join(', ')}`);
    const now = ctx.now();
    const run: DeployRunRecord = {
      id: ctx.store.newRunId(now),
      action,
      status: 'running',
      concurrency,
      startedAt: now,
      finishedAt: null,
      targets: servers.map((s) => ({
        serverId: s!.id,
        name: s!.name,
        host: s!.spec.host,
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
      })),
    };
    await ctx.store.saveRun(run, { owner: this.o.owner, at: now });
    const entry = { run, lost: false, stop: new AbortController() } as Running;
    entry.done = this.execute(entry).finally(() => this.running.delete(run.id));
    this.running.set(run.id, entry);
    return structuredClone(run);
  }

  /** The runs this instance is executing, for the lease renewal. */
  held(): string[] {
    return [...this.running.keys()];
  }

  /** Another instance marked this run interrupted (this one stalled past the bound): its verdict stands. */
  lost(runId: string): void {
    const r = this.running.get(runId);
    if (!r || r.lost || r.run.finishedAt !== null) return; // finishedAt: it was this instance's own final save
    r.lost = true;
    // Another instance may already be deploying to these servers: this one must not touch them again.
    r.stop.abort(new DeployError('connect', 'stopped: another instance marked this run interrupted'));
    this.o.log.warn({ runId }, 'deploy run was marked interrupted by another instance; its servers in flight are dropped');
  }

  async wait(runId: string): Promise<DeployRunRecord | null> {
    const r = this.running.get(runId);
    return r ? r.done : this.o.ctx.store.getRun(runId);
  }

  /** The live record while running (fresher than the stored one), else the stored one. */
  async get(runId: string): Promise<DeployRunRecord | null> {
    const r = this.running.get(runId);
    return r && !r.lost ? structuredClone(r.run) : this.o.ctx.store.getRun(runId);
  }

  /**
   * Waits for runs in progress (shutdown), at most `timeoutMs`; what is still running then is marked
   * interrupted by `reason` (its servers free at once), and stops being written.
   */
  async drain(timeoutMs = 10_000, reason = 'interrupted: Watchtower stopped during the run'): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()].map((r) => r.done)),
      new Promise((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
    for (const r of [...this.running.values()].filter((r) => !r.lost && r.run.finishedAt === null)) {
      r.lost = true; // first, so the servers still in flight stop publishing and saving
      r.stop.abort(new DeployError('connect', `stopped: ${reason}`));
      const now = this.o.ctx.now();
      const cut = interruptRun(r.run, reason, now);
      if (await this.save(r.run, true)) await publishInterrupted(this.o, r.run, cut, now);
    }
  }

  private async execute(entry: Running): Promise<DeployRunRecord> {
    const { run } = entry;
    let next = 0;
    const worker = async () => {
      while (next < run.targets.length && !entry.lost) await this.runTarget(entry, run.targets[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(run.concurrency, run.targets.length) }, worker));
    if (entry.lost) return (await this.stored(run.id)) ?? structuredClone(run);
    const ok = run.targets.filter((t) => t.status === 'ok').length;
    run.status = ok === run.targets.length ? 'ok' : ok === 0 ? 'failed' : 'partial';
    run.finishedAt = this.o.ctx.now();
    if (!(await this.save(run, true))) {
      const stored = await this.stored(run.id);
      if (stored && stored.status !== 'running') return stored; // interrupted by another instance meanwhile
    }
    const s = summary(run);
    this.o.log.info({ runId: run.id, action: run.action, ...s }, 'deploy run finished');
    return structuredClone(run);
  }

  private async runTarget(entry: Running, t: DeployTargetView): Promise<void> {
    const { ctx } = this.o;
    const { run } = entry;
    t.status = 'running';
    t.startedAt = ctx.now();
    const report = (step: DeployStep, extra: { percent?: number; message?: string } = {}) => {
      t.step = step;
      t.percent = extra.percent ?? null;
      if (extra.message !== undefined) t.message = extra.message;
      if (entry.lost) return; // the stored verdict (interrupted) stands; dashboards show that one
      const ev: DeployProgress = { runId: run.id, serverId: t.serverId, host: t.host, step, at: ctx.now(), ...extra };
      this.o.coordination.publish(PROGRESS_TOPIC, ev).catch((err) => this.o.log.warn({ err }, 'cannot publish deploy progress'));
      void this.save(run, false);
    };
    let locked = false;
    try {
      // The guard is in the database with the run: freed when the run ends, however it ends.
      locked = await ctx.store.claimServer(t.serverId, run.id);
      const server = await ctx.store.getServer(t.serverId);
      if (!server) throw new DeployError('connect', 'the server was deleted');
      if (!locked) throw new DeployError('connect', 'another deploy run is working on this server; run again when it has finished');
      const out = await runOnHost(ctx, server, run.action, report, entry.stop.signal);
      Object.assign(t, { status: 'ok', changed: out.changed, bytesUploaded: out.bytesUploaded, sshSessions: out.sshSessions });
      report('done', { message: out.message });
    } catch (err) {
      const message = err instanceof DeployError ? err.message : `unexpected error: ${(err as Error).message}`;
      if (!(err instanceof DeployError)) this.o.log.error({ err, serverId: t.serverId }, 'deploy failed unexpectedly');
      t.status = 'failed';
      t.sshSessions = (err as { sshSessions?: number }).sshSessions ?? 0;
      t.bytesUploaded = (err as { bytesUploaded?: number }).bytesUploaded ?? 0;
      t.error = err instanceof DeployError ? `${err.step}: ${message}` : message;
      report('failed', { message });
    } finally {
      t.finishedAt = ctx.now();
      if (locked) await ctx.store.releaseServer(t.serverId, run.id).catch(() => {});
    }
  }

  /** The stored record, or null if it cannot be read (a run's promise never rejects). */
  private stored(runId: string): Promise<DeployRunRecord | null> {
    return this.o.ctx.store.getRun(runId).catch(() => null);
  }

  /**
   * Saves the run, which also renews its lease; progress saves are coalesced (one in flight, the
   * latest state wins). False when it was not written (another instance finished it, or an error).
   */
  private async save(run: DeployRunRecord, force: boolean): Promise<boolean> {
    const inflight = this.saving.get(run.id);
    if (inflight && !force) return true;
    if (inflight) await inflight;
    const p = this.o.ctx.store
      .saveRun(structuredClone(run), { owner: this.o.owner, at: this.o.ctx.now() })
      .catch((err) => (this.o.log.warn({ err, runId: run.id }, 'cannot save deploy run'), false))
      .finally(() => this.saving.delete(run.id));
    this.saving.set(run.id, p);
    return p;
  }
}

export function summary(run: DeployRunRecord): DeployRunView['summary'] {
  return {
    total: run.targets.length,
    ok: run.targets.filter((t) => t.status === 'ok').length,
    failed: run.targets.filter((t) => t.status === 'failed').length,
    changed: run.targets.filter((t) => t.changed === true).length,
  };
}

export const runView = (run: DeployRunRecord): DeployRunView => ({ ...run, summary: summary(run) });

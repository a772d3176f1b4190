// Deploy runs: one action on many servers with bounded concurrency. Each server's steps are
// published on the bus ('deploy.progress') and kept in the run record; one server failing never stops
// the others; the run ends with a summary (ok / partial / failed).
import type { Logger } from 'pino';
import type { DeployAction, DeployProgress, DeployRunView, DeployStep, DeployTargetView } from '../../shared/contract/deploy.js';
import type { Coordination } from '../bus/types.js';
import type { DeployRunRecord } from '../store/deploy/types.js';
import type { DeployContext } from './context.js';
import { DeployError } from './errors.js';
import { runOnHost } from './host-run.js';

export const PROGRESS_TOPIC = 'deploy.progress';

export class UnknownServerError extends Error {}

export class Deployer {
  private running = new Map<string, { run: DeployRunRecord; done: Promise<DeployRunRecord> }>();
  private saving = new Map<string, Promise<void>>();
  private busy = new Set<string>();

  constructor(
    private o: {
      ctx: DeployContext;
      /** publish for progress; tryAcquire/release (when given) keep two runs, on any instance, off one server. */
      coordination: Pick<Coordination, 'publish'> & Partial<Pick<Coordination, 'tryAcquire' | 'release'>>;
      log: Pick<Logger, 'info' | 'warn' | 'error'>;
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
    await ctx.store.saveRun(run);
    const done = this.execute(run).finally(() => this.running.delete(run.id));
    this.running.set(run.id, { run, done });
    return structuredClone(run);
  }

  async wait(runId: string): Promise<DeployRunRecord | null> {
    const r = this.running.get(runId);
    return r ? r.done : this.o.ctx.store.getRun(runId);
  }

  /** The live record while running (fresher than the stored one), else the stored one. */
  async get(runId: string): Promise<DeployRunRecord | null> {
    const r = this.running.get(runId);
    return r ? structuredClone(r.run) : this.o.ctx.store.getRun(runId);
  }

  /** Waits for runs in progress (shutdown), at most `timeoutMs`; what is still running then is marked interrupted at the next start. */
  async drain(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()].map((r) => r.done)),
      new Promise((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async execute(run: DeployRunRecord): Promise<DeployRunRecord> {
    let next = 0;
    const worker = async () => {
      while (next < run.targets.length) await this.runTarget(run, run.targets[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(run.concurrency, run.targets.length) }, worker));
    const ok = run.targets.filter((t) => t.status === 'ok').length;
    run.status = ok === run.targets.length ? 'ok' : ok === 0 ? 'failed' : 'partial';
    run.finishedAt = this.o.ctx.now();
    await this.save(run, true);
    const s = summary(run);
    this.o.log.info({ runId: run.id, action: run.action, ...s }, 'deploy run finished');
    return structuredClone(run);
  }

  private async runTarget(run: DeployRunRecord, t: DeployTargetView): Promise<void> {
    const { ctx } = this.o;
    t.status = 'running';
    t.startedAt = ctx.now();
    const report = (step: DeployStep, extra: { percent?: number; message?: string } = {}) => {
      t.step = step;
      t.percent = extra.percent ?? null;
      if (extra.message !== undefined) t.message = extra.message;
      const ev: DeployProgress = { runId: run.id, serverId: t.serverId, host: t.host, step, at: ctx.now(), ...extra };
      this.o.coordination.publish(PROGRESS_TOPIC, ev).catch((err) => this.o.log.warn({ err }, 'cannot publish deploy progress'));
      void this.save(run, false);
    };
    const lockKey = `deploy:server:${t.serverId}`;
    let locked = false;
    try {
      const { coordination } = this.o;
      if (this.busy.has(t.serverId) || (coordination.tryAcquire && !(await coordination.tryAcquire(lockKey, 30 * 60_000)))) {
        throw new DeployError('connect', 'another deploy run is working on this server; run again when it has finished');
      }
      locked = true;
      this.busy.add(t.serverId);
      const server = await ctx.store.getServer(t.serverId);
      if (!server) throw new DeployError('connect', 'the server was deleted');
      const out = await runOnHost(ctx, server, run.action, report);
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
      if (locked) {
        this.busy.delete(t.serverId);
        await this.o.coordination.release?.(lockKey).catch(() => {});
      }
    }
  }

  /** Saves the run; progress saves are coalesced (one in flight, the latest state wins). */
  private async save(run: DeployRunRecord, force: boolean): Promise<void> {
    const inflight = this.saving.get(run.id);
    if (inflight && !force) return;
    if (inflight) await inflight;
    const p = this.o.ctx.store
      .saveRun(structuredClone(run))
      .catch((err) => this.o.log.warn({ err, runId: run.id }, 'cannot save deploy run'))
      .finally(() => this.saving.delete(run.id));
    this.saving.set(run.id, p);
    await p;
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

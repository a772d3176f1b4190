// The deployer as the app runs it: servers, runs, probes, host-key scans and tunnels over one
// context. The API handlers (core/api/deploy.ts) and the CLI call this; tests may too.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ProbeResult } from '../../shared/contract/deploy.js';
import type { Coordination } from '../bus/types.js';
import { DeployStore } from '../store/deploy/store.js';
import type { Store } from '../store/types.js';
import { every, type Job } from '../jobs/schedule.js';
import { DeployContext, type DeployContextOptions } from './context.js';
import { Deployer } from './deployer.js';
import { DeployError } from './errors.js';
import { fingerprintOf, keyAlgorithm } from './host-keys.js';
import { jumpTargetOf, openConnection } from './host-run.js';
import { parseProbe, probeScript } from './probe.js';
import { interruptedBy, RunLeases } from './run-leases.js';
import { Servers, type SecretBox } from './servers.js';
import { SshConnection } from './ssh.js';
import { Tunnels } from './tunnels.js';

export interface DeployServiceOptions extends Omit<DeployContextOptions, 'store' | 'servers' | 'hosts'> {
  store: Store;
  box: SecretBox;
  coordination: Pick<Coordination, 'publish'>;
  log: Logger;
  /** Who runs this core (host:pid); a random suffix makes each start a distinct owner of its runs. */
  instanceId?: string;
  /**
   * At start, runs the store still shows as running are marked failed (interrupted) at once. Only
   * for a single instance (local mode): in team mode another instance may be running them.
   */
  recoverInterruptedRuns?: boolean;
  /** A run whose instance has not renewed it for this long is marked interrupted by any other (default 45 s). */
  instanceTimeoutMs?: number;
  /** How often this instance renews its runs and looks for abandoned ones (default a third of the timeout, at most 5 s). */
  leaseRenewMs?: number;
  /** The local ingest listener tunnels forward to; defaults to ingestUrl's host and port. */
  ingestListener?: () => { host: string; port: number };
}

export class DeployService {
  readonly store: DeployStore;
  readonly servers: Servers;
  readonly ctx: DeployContext;
  readonly deployer: Deployer;
  readonly tunnels: Tunnels;
  readonly leases: RunLeases;
  /** This process as recorded on its runs. */
  readonly owner: string;
  private readonly renewMs: number;
  private leaseJob: Job | null = null;

  constructor(private o: DeployServiceOptions) {
    const now = o.now ?? Date.now;
    this.store = new DeployStore(o.store.sql);
    let tunnels: Tunnels | null = null;
    this.servers = new Servers({ store: this.store, box: o.box, now, tunnelState: (id) => tunnels?.state(id) });
    this.ctx = new DeployContext({ ...o, now, store: this.store, servers: this.servers, hosts: o.store });
    const log = o.log.child({ component: 'deploy' });
    const timeoutMs = o.instanceTimeoutMs ?? 45_000;
    this.renewMs = o.leaseRenewMs ?? Math.min(5_000, timeoutMs / 3);
    this.owner = `${o.instanceId ?? `${hostname()}:${process.pid}`}:${randomBytes(3).toString('hex')}`;
    const deployer = (this.deployer = new Deployer({ ctx: this.ctx, coordination: o.coordination, log, owner: this.owner }));
    this.leases = new RunLeases({
      store: this.store,
      coordination: o.coordination,
      log,
      now,
      timeoutMs,
      held: () => deployer.held(),
      lost: (id) => deployer.lost(id),
    });
    tunnels = this.tunnels = new Tunnels({
      ctx: this.ctx,
      ingest:
        o.ingestListener ??
        (() => {
          const u = new URL(this.ctx.ingestUrl);
          return { host: u.hostname, port: Number(u.port || 80) };
        }),
      log,
    });
    this.ctx.tunnels = this.tunnels;
  }

  async start(): Promise<void> {
    if (this.o.recoverInterruptedRuns) await this.leases.interruptAll('interrupted: Watchtower stopped during the run');
    // Local mode has no other instance to judge: it only keeps its own runs' heartbeats current.
    const beat = this.o.recoverInterruptedRuns ? () => this.leases.renew() : () => this.leases.tick();
    this.leaseJob = every(this.renewMs, 'deploy-leases', this.o.log.child({ component: 'deploy' }), beat);
    await this.tunnels.resume();
  }

  async stop(): Promise<void> {
    // Still renewing while runs drain; what has not finished then is marked interrupted by this instance.
    await this.deployer.drain(10_000, this.o.recoverInterruptedRuns ? undefined : interruptedBy(this.owner));
    await this.leaseJob?.stop();
    this.tunnels.stop();
  }

  /** Connects and reports the key the server presents next to the recorded one; records nothing. */
  async scanHostKey(id: string): Promise<{ fingerprint: string; algorithm: string; recorded: string | null; matches: boolean | null }> {
    const server = await this.mustGet(id);
    const recorded = server.hostKey?.fingerprint ?? null;
    const target = this.servers.target(server);
    let seen: { fingerprint: string; algorithm: string } | null = null;
    target.hostKey = { expected: null, seen: (fingerprint, algorithm) => (seen = { fingerprint, algorithm }) };
    // The key is checked before authentication: a failed login still tells us what was presented.
    const jump = await jumpTargetOf(this.ctx, server);
    const conn = await SshConnection.open(target, {
      ...(jump ? { jump } : {}),
      readyTimeoutMs: this.ctx.connectTimeoutMs,
    }).catch((err: Error) => {
      if (seen) return null;
      throw err;
    });
    conn?.close();
    const s = seen as { fingerprint: string; algorithm: string } | null;
    if (!s) throw new DeployError('connect', `${server.name}: no host key received`);
    return { ...s, recorded, matches: recorded === null ? null : recorded === s.fingerprint };
  }

  /** One probe session (recording the host key on first use). */
  async probe(id: string): Promise<ProbeResult> {
    const server = await this.mustGet(id);
    const conn = await openConnection(this.ctx, server);
    try {
      const system = server.spec.user === 'root' || server.spec.become === 'sudo';
      const dir = server.spec.installDir ?? (system ? '/opt/watchtower-agent' : '~/.watchtower-agent');
      const r = await conn.exec('sh -s', { stdin: probeScript(dir), timeoutMs: 30_000 });
      const facts = parseProbe(r.stdout, this.ctx.now());
      await this.store.setProbe(server.id, facts.result, this.ctx.now());
      return facts.result;
    } finally {
      conn.close();
    }
  }

  private async mustGet(id: string) {
    const s = await this.store.getServer(id);
    if (!s) throw new ServerNotFound(id);
    return s;
  }
}

export class ServerNotFound extends Error {
  constructor(id: string) {
    super(`server ${id} not found`);
  }
}

// Re-exported so callers need one import.
export { fingerprintOf, keyAlgorithm };

// The deployer as the app runs it: servers, runs, probes, host-key scans and tunnels over one
// context. The API handlers (core/api/deploy.ts) and the CLI call this; tests may too.
import type { Logger } from 'pino';
import type { ProbeResult } from '../../shared/contract/deploy.js';
import type { Coordination } from '../bus/types.js';
import { DeployStore } from '../store/deploy/store.js';
import type { Store } from '../store/types.js';
import { DeployContext, type DeployContextOptions } from './context.js';
import { Deployer } from './deployer.js';
import { DeployError } from './errors.js';
import { fingerprintOf, keyAlgorithm } from './host-keys.js';
import { jumpTargetOf, openConnection } from './host-run.js';
import { parseProbe, probeScript } from './probe.js';
import { Servers, type SecretBox } from './servers.js';
import { SshConnection } from './ssh.js';
import { Tunnels } from './tunnels.js';

export interface DeployServiceOptions extends Omit<DeployContextOptions, 'store' | 'servers' | 'hosts'> {
  store: Store;
  box: SecretBox;
  coordination: Pick<Coordination, 'publish'> & Partial<Pick<Coordination, 'tryAcquire' | 'release'>>;
  log: Logger;
  /**
   * At start, runs the store still shows as running are marked failed (interrupted). Only for a
   * single instance: in team mode another instance may be running them.
   */
  recoverInterruptedRuns?: boolean;
  /** The local ingest listener tunnels forward to; defaults to ingestUrl's host and port. */
  ingestListener?: () => { host: string; port: number };
}

export class DeployService {
  readonly store: DeployStore;
  readonly servers: Servers;
  readonly ctx: DeployContext;
  readonly deployer: Deployer;
  readonly tunnels: Tunnels;

  constructor(private o: DeployServiceOptions) {
    const now = o.now ?? Date.now;
    this.store = new DeployStore(o.store.sql);
    let tunnels: Tunnels | null = null;
    this.servers = new Servers({ store: this.store, box: o.box, now, tunnelState: (id) => tunnels?.state(id) });
    this.ctx = new DeployContext({ ...o, now, store: this.store, servers: this.servers, hosts: o.store });
    const log = o.log.child({ component: 'deploy' });
    this.deployer = new Deployer({ ctx: this.ctx, coordination: o.coordination, log });
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
    if (this.o.recoverInterruptedRuns) await this.failInterruptedRuns();
    await this.tunnels.resume();
  }

  private async failInterruptedRuns(): Promise<void> {
    const now = this.ctx.now();
    for (const run of await this.store.listRuns(500)) {
      if (run.status !== 'running') continue;
      for (const t of run.targets) {
        if (t.status !== 'running' && t.status !== 'pending') continue;
        Object.assign(t, { status: 'failed', step: 'failed', error: 'interrupted: Watchtower stopped during the run', finishedAt: now });
      }
      const ok = run.targets.filter((t) => t.status === 'ok').length;
      await this.store.saveRun({ ...run, status: ok === 0 ? 'failed' : 'partial', finishedAt: now });
    }
  }

  async stop(): Promise<void> {
    await this.deployer.drain();
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

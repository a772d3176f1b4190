// What one server's deploy needs from the control plane: stores, artifacts, the host record and its
// agent token, heartbeats. Built once per Deployer; host-run.ts only sees this.
import type { DeployStore } from '../store/deploy/store.js';
import type { ServerRecord } from '../store/deploy/types.js';
import type { Store } from '../store/types.js';
import { hashToken, newAgentToken } from '../ingest/tokens.js';
import { loadArtifact, type AgentArtifact, type AgentTarget } from './artifacts.js';
import type { Servers } from './servers.js';

export interface DeployContextOptions {
  store: DeployStore;
  hosts: Pick<Store, 'createHost' | 'getHost' | 'listHosts' | 'addAgentToken' | 'hostIdForToken' | 'revokeAgentTokens' | 'sql'>;
  servers: Servers;
  /** Where agents post in direct mode (the control plane's ingest base URL); read at each deploy. */
  ingestUrl: string | (() => string);
  now?: () => number;
  artifactsDir?: string;
  agentIntervalSec?: number;
  /** Extra agent config keys (tests: a short backoff). */
  agentExtraConfig?: Record<string, unknown>;
  heartbeatTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Called after tokens change, so the ingest token cache forgets revoked ones. */
  onTokensChanged?: () => void;
}

export class DeployContext {
  readonly store: DeployStore;
  readonly servers: Servers;
  readonly now: () => number;
  readonly agentIntervalSec: number;
  readonly agentExtraConfig: Record<string, unknown>;
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
  private artifacts = new Map<AgentTarget, Promise<AgentArtifact>>();
  /** Set by the service that owns the tunnels (tunnel-mode servers need theirs before a heartbeat). */
  tunnels: { ensure(serverId: string): Promise<void>; drop(serverId: string): void } | null = null;

  constructor(private o: DeployContextOptions) {
    this.store = o.store;
    this.servers = o.servers;
    this.now = o.now ?? Date.now;
    this.agentIntervalSec = o.agentIntervalSec ?? 10;
    this.agentExtraConfig = o.agentExtraConfig ?? {};
    this.heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? Math.max(15_000, this.agentIntervalSec * 4000);
    this.connectTimeoutMs = o.connectTimeoutMs ?? 15_000;
  }

  get ingestUrl(): string {
    return typeof this.o.ingestUrl === 'function' ? this.o.ingestUrl() : this.o.ingestUrl;
  }

  /** Loaded (and checked against its manifest) once per target for the deployer's lifetime. */
  artifact(target: AgentTarget): Promise<AgentArtifact> {
    let a = this.artifacts.get(target);
    if (!a) {
      a = loadArtifact(target, this.o.artifactsDir);
      a.catch(() => this.artifacts.delete(target));
      this.artifacts.set(target, a);
    }
    return a;
  }

  /** Forgets loaded artifacts (after a new build). */
  reloadArtifacts(): void {
    this.artifacts.clear();
  }

  /**
   * The host the agent reports as, and its token: the ones recorded for this server when they still
   * exist (so a re-run writes the same config), else a host named after the server (an existing
   * host of that name is adopted) and a fresh token.
   */
  async ensureHost(server: ServerRecord): Promise<{ hostId: string; token: string }> {
    const secrets = this.servers.secretsOf(server);
    // The token held must still open ingest: one replaced over the API (leaked, say) gets a successor
    // here, so the config changes and the agent is reinstalled with it instead of "unchanged".
    if (server.hostId && secrets.agentToken && (await this.o.hosts.hostIdForToken(hashToken(secrets.agentToken))) === server.hostId) {
      return { hostId: server.hostId, token: secrets.agentToken };
    }
    const existing =
      (server.hostId ? await this.o.hosts.getHost(server.hostId) : null) ??
      (await this.o.hosts.listHosts()).find((h) => h.name === server.name);
    const host = existing ?? (await this.o.hosts.createHost({ name: server.name, labels: server.spec.labels }));
    if (host.labels.watchtower_agent === 'uninstalled') {
      const { watchtower_agent: _gone, ...labels } = host.labels;
      await this.o.hosts.sql.run('UPDATE hosts SET labels = $2 WHERE id = $1', [host.id, JSON.stringify(labels)]);
    }
    const token = newAgentToken();
    await this.o.hosts.addAgentToken(host.id, hashToken(token));
    await this.store.setHostId(server.id, host.id, this.servers.seal({ ...secrets, agentToken: token }), this.now());
    server.hostId = host.id;
    return { hostId: host.id, token };
  }

  /** The agent's first batch after `after` with this version: the host's lastSeenAt in the store. */
  async waitForHeartbeat(hostId: string, version: string, after: number, stop?: AbortSignal): Promise<boolean> {
    const until = this.now() + this.heartbeatTimeoutMs;
    while (!stop?.aborted) {
      const h = await this.o.hosts.getHost(hostId);
      if (h && h.lastSeenAt !== null && h.lastSeenAt >= after && h.agentVersion === version) return true;
      if (this.now() > until) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  /** After an uninstall: the token stops working and the host says so in its labels. */
  async markUninstalled(server: ServerRecord): Promise<void> {
    if (server.hostId) {
      await this.o.hosts.revokeAgentTokens(server.hostId);
      this.o.onTokensChanged?.();
      const host = await this.o.hosts.getHost(server.hostId);
      if (host) {
        const labels = { ...host.labels, watchtower_agent: 'uninstalled' };
        await this.o.hosts.sql.run('UPDATE hosts SET labels = $2 WHERE id = $1', [host.id, JSON.stringify(labels)]);
      }
    }
    const secrets = this.servers.secretsOf(server);
    delete secrets.agentToken;
    await this.store.setHostId(server.id, server.hostId, this.servers.seal(secrets), this.now());
    await this.store.setInstalled(server.id, null, this.now());
  }
}

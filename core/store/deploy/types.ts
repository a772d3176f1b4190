import type { DeployAction, DeployTargetView, ProbeResult, ServerView } from '../../../shared/contract/deploy.js';

/** A server's settings without credentials (those are sealed apart). */
export interface ServerSpec {
  host: string;
  port: number;
  user: string;
  authKind: 'key' | 'password' | 'agent';
  keyFile: string | null;
  agentSocket: string | null;
  become: 'none' | 'sudo';
  jumpServerId: string | null;
  reach: 'direct' | 'tunnel';
  tunnelPort: number | null;
  installDir: string | null;
  service: 'auto' | 'systemd' | 'openrc' | 'user';
  labels: Record<string, string>;
}

/** What the sealed blob holds; absent fields were never given. */
export interface ServerSecrets {
  privateKey?: string;
  passphrase?: string;
  password?: string;
  sudoPassword?: string;
  /** The agent's own token, kept so a re-run writes the same config instead of rotating it. */
  agentToken?: string;
}

export interface HostKeyRecord {
  fingerprint: string;
  algorithm: string | null;
  source: 'pinned' | 'tofu';
  recordedAt: number;
}

export interface ServerRecord {
  id: string;
  name: string;
  spec: ServerSpec;
  sealedSecrets: string;
  hostKey: HostKeyRecord | null;
  hostId: string | null;
  probe: ProbeResult | null;
  installed: ServerView['installed'];
  createdAt: number;
  updatedAt: number;
}

export interface DeployRunRecord {
  id: string;
  action: DeployAction;
  status: 'running' | 'ok' | 'partial' | 'failed';
  concurrency: number;
  startedAt: number;
  finishedAt: number | null;
  targets: DeployTargetView[];
}

/** A running run as another instance judges it: who runs it and when that instance last said so. */
export interface LeasedRun {
  run: DeployRunRecord;
  owner: string | null;
  heartbeatAt: number;
}

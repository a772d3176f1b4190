// Servers as the API sees them: settings in, credentials sealed on the way to the store, views out
// with no secret in them. Also turns a stored server into an SSH target (opening its secrets) whose
// host key policy records the key on first use.
import { readFile } from 'node:fs/promises';
import type { ServerInput, ServerPatch, ServerView } from '../../shared/contract/deploy.js';
import type { DeployStore } from '../store/deploy/store.js';
import type { HostKeyRecord, ServerRecord, ServerSecrets, ServerSpec } from '../store/deploy/types.js';
import { DeployError } from './errors.js';
import type { SshTarget } from './ssh.js';

/** A's core/secrets implements this (encryption at rest). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export class ServerInputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export type TunnelState = ServerView['tunnel'];

export class Servers {
  constructor(
    private o: {
      store: DeployStore;
      box: SecretBox;
      now: () => number;
      tunnelState?: (serverId: string) => TunnelState | undefined;
    },
  ) {}

  secretsOf(r: ServerRecord): ServerSecrets {
    return JSON.parse(this.o.box.open(r.sealedSecrets)) as ServerSecrets;
  }

  seal(s: ServerSecrets): string {
    return this.o.box.seal(JSON.stringify(s));
  }

  async list(): Promise<ServerRecord[]> {
    return this.o.store.listServers();
  }

  async get(id: string): Promise<ServerRecord | null> {
    return this.o.store.getServer(id);
  }

  async create(input: ServerInput): Promise<ServerRecord> {
    if (await this.o.store.getServer(input.name)) throw new ServerInputError('name', `a server named "${input.name}" already exists`);
    const { spec, secrets } = await this.split(input, null, {});
    const hostKey: HostKeyRecord | null = input.hostKeyFingerprint
      ? { fingerprint: input.hostKeyFingerprint, algorithm: null, source: 'pinned', recordedAt: this.o.now() }
      : null;
    return this.o.store.createServer({ name: input.name, spec, sealedSecrets: this.seal(secrets), hostKey }, this.o.now());
  }

  async update(id: string, patch: ServerPatch): Promise<ServerRecord | null> {
    const cur = await this.o.store.getServer(id);
    if (!cur) return null;
    const name = patch.name ?? cur.name;
    if (name !== cur.name && (await this.o.store.getServer(name)))
      throw new ServerInputError('name', `a server named "${name}" already exists`);
    const { spec, secrets } = await this.split(patch, cur.spec, this.secretsOf(cur));
    await this.o.store.updateServer(cur.id, { name, spec, sealedSecrets: this.seal(secrets) }, this.o.now());
    if (patch.hostKeyFingerprint) await this.pinHostKey(cur.id, patch.hostKeyFingerprint);
    return this.o.store.getServer(cur.id);
  }

  async pinHostKey(id: string, fingerprint: string): Promise<void> {
    await this.o.store.setHostKey(id, { fingerprint, algorithm: null, source: 'pinned', recordedAt: this.o.now() }, this.o.now());
  }

  /** Merges input over the current spec and secrets; a credential left out is kept. */
  private async split(
    input: ServerPatch,
    cur: ServerSpec | null,
    secrets: ServerSecrets,
  ): Promise<{ spec: ServerSpec; secrets: ServerSecrets }> {
    const next: ServerSecrets = { ...secrets };
    let authKind = cur?.authKind ?? 'password';
    let keyFile = cur?.keyFile ?? null;
    let agentSocket = cur?.agentSocket ?? null;
    if (input.auth) {
      authKind = input.auth.kind;
      delete next.privateKey;
      delete next.passphrase;
      delete next.password;
      keyFile = null;
      agentSocket = null;
      if (input.auth.kind === 'key') {
        if (input.auth.keyFile) {
          keyFile = input.auth.keyFile;
          try {
            next.privateKey = await readFile(input.auth.keyFile, 'utf8');
          } catch (err) {
            throw new ServerInputError(
              'auth.keyFile',
              `cannot read the key file ${input.auth.keyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
            );
          }
        } else next.privateKey = input.auth.privateKey!;
        if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(next.privateKey)) {
          throw new ServerInputError(input.auth.keyFile ? 'auth.keyFile' : 'auth.privateKey', 'not a PEM or OpenSSH private key');
        }
        if (input.auth.passphrase) next.passphrase = input.auth.passphrase;
      } else if (input.auth.kind === 'password') next.password = input.auth.password;
      else agentSocket = input.auth.socket ?? null;
    } else if (!cur) throw new ServerInputError('auth', 'required');
    let become = cur?.become ?? 'none';
    if (input.become) {
      become = input.become.method;
      delete next.sudoPassword;
      if (input.become.method === 'sudo' && input.become.password) next.sudoPassword = input.become.password;
    }
    const reach = input.reach ?? cur?.reach ?? 'direct';
    const tunnelPort = input.tunnelPort ?? cur?.tunnelPort ?? null;
    if (reach === 'tunnel' && tunnelPort === null)
      throw new ServerInputError('tunnelPort', 'tunnel mode needs a tunnelPort (the port the agent posts to on its host)');
    const jumpServerId = input.jumpServerId ?? cur?.jumpServerId ?? null;
    if (jumpServerId && !(await this.o.store.getServer(jumpServerId)))
      throw new ServerInputError('jumpServerId', `no server ${jumpServerId}`);
    return {
      secrets: next,
      spec: {
        host: input.host ?? cur!.host,
        port: input.port ?? cur?.port ?? 22,
        user: input.user ?? cur!.user,
        authKind,
        keyFile,
        agentSocket,
        become,
        jumpServerId,
        reach,
        tunnelPort,
        installDir: input.installDir ?? cur?.installDir ?? null,
        service: input.service ?? cur?.service ?? 'auto',
        labels: input.labels ?? cur?.labels ?? {},
      },
    };
  }

  view(r: ServerRecord): ServerView {
    const secrets = this.secretsOf(r);
    return {
      id: r.id,
      name: r.name,
      host: r.spec.host,
      port: r.spec.port,
      user: r.spec.user,
      auth: { kind: r.spec.authKind, keyFile: r.spec.keyFile, hasPassphrase: Boolean(secrets.passphrase), socket: r.spec.agentSocket },
      become: { method: r.spec.become, hasPassword: Boolean(secrets.sudoPassword) },
      jumpServerId: r.spec.jumpServerId,
      hostKey: r.hostKey,
      reach: r.spec.reach,
      tunnelPort: r.spec.tunnelPort,
      tunnel: this.o.tunnelState?.(r.id) ?? { state: 'off', since: null, error: null },
      installDir: r.spec.installDir,
      service: r.spec.service,
      labels: r.spec.labels,
      hostId: r.hostId,
      probe: r.probe,
      installed: r.installed,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  /** The SSH target for a server; on first use its host key is recorded (trust on first use). */
  target(r: ServerRecord, onFirstKey?: (fingerprint: string) => void): SshTarget {
    const s = this.secretsOf(r);
    const label = `${r.name} (${r.spec.host}:${r.spec.port})`;
    let auth: SshTarget['auth'];
    if (r.spec.authKind === 'key') {
      if (!s.privateKey) throw new DeployError('connect', `${label}: no private key stored`);
      auth = { kind: 'key', privateKey: s.privateKey, ...(s.passphrase ? { passphrase: s.passphrase } : {}) };
    } else if (r.spec.authKind === 'password') {
      if (!s.password) throw new DeployError('connect', `${label}: no password stored`);
      auth = { kind: 'password', password: s.password };
    } else auth = { kind: 'agent', socket: r.spec.agentSocket ?? undefined };
    const expected = r.hostKey?.fingerprint ?? null;
    return {
      label,
      host: r.spec.host,
      port: r.spec.port,
      user: r.spec.user,
      auth,
      hostKey: {
        expected,
        seen: (fingerprint, algorithm) => {
          if (expected !== null) return;
          this.pendingFirstKeys.set(r.id, { fingerprint, algorithm });
          onFirstKey?.(fingerprint);
        },
      },
    };
  }

  private pendingFirstKeys = new Map<string, { fingerprint: string; algorithm: string }>();

  /**
   * After a successful first connect: records the key seen (trust on first use). If another
   * connect recorded a different key in between, that is a changed key and is refused.
   */
  async recordFirstKey(r: ServerRecord): Promise<void> {
    const seen = this.pendingFirstKeys.get(r.id);
    if (!seen || r.hostKey) return;
    this.pendingFirstKeys.delete(r.id);
    const rec = await this.o.store.recordFirstHostKey(
      r.id,
      { fingerprint: seen.fingerprint, algorithm: seen.algorithm, source: 'tofu', recordedAt: this.o.now() },
      this.o.now(),
    );
    if (rec && rec.fingerprint !== seen.fingerprint) {
      throw new DeployError(
        'connect',
        `host key of ${r.name} changed: recorded ${rec.fingerprint}, the server presented ${seen.fingerprint}. Refusing to continue.`,
      );
    }
  }
}

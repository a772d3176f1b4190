// Deployer tests and bench: a DeployService on a running test app, a progress recorder, servers for
// sshd hosts, and a second agent artifact (same runtime, a bundle with another version) for upgrades.
import { createHash, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DeployProgress, ServerInput } from '../../shared/contract/deploy.js';
import { defaultArtifactsDir, localPlatform, targetFor, type ArtifactManifest } from '../../core/deploy/artifacts.js';
import { DeployService, type DeployServiceOptions } from '../../core/deploy/service.js';
import type { SecretBox } from '../../core/deploy/servers.js';
import type { Store } from '../../core/store/types.js';
import type { SshdHost } from './sshd.js';

/**
 * AES-256-GCM with a random key per test run. Stands in for core/secrets (helper A's) until that
 * lands; the deployer only needs seal/open.
 */
export function testSecretBox(): SecretBox {
  const key = randomBytes(32);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const b = Buffer.from(sealed, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

export interface Progress {
  events: DeployProgress[];
  publish(topic: string, payload: unknown): Promise<number>;
  stepsOf(serverId: string): string[];
}

export function progressRecorder(): Progress {
  const events: DeployProgress[] = [];
  return {
    events,
    async publish(topic, payload) {
      if (topic === 'deploy.progress') events.push(payload as DeployProgress);
      return 1;
    },
    stepsOf: (serverId) => events.filter((e) => e.serverId === serverId).map((e) => e.step),
  };
}

export function deployService(
  o: { store: Store; ingestUrl: string; progress?: Progress; box?: SecretBox } & Partial<DeployServiceOptions>,
): DeployService {
  return new DeployService({
    box: testSecretBox(),
    coordination: o.progress ?? progressRecorder(),
    log: pino({ level: process.env.WT_DEPLOY_LOG ?? 'silent' }),
    agentIntervalSec: 1,
    heartbeatTimeoutMs: 30_000,
    agentExtraConfig: { backoffMaxSec: 1 },
    ...o,
  });
}

/** Starts a run of `action` on `ids` and waits for it to end; answers the finished run. */
export async function runDeploy(svc: DeployService, action: 'install' | 'upgrade' | 'uninstall', ids: string[], concurrency = ids.length) {
  const run = await svc.deployer.wait((await svc.deployer.start(action, ids, concurrency)).id);
  if (!run) throw new Error(`deploy run for ${ids.join(', ')} vanished`);
  return run;
}

/** A server for an sshd host (or a systemd host), by key (default) or password. */
export function serverFor(
  h: Pick<SshdHost, 'name' | 'host' | 'port' | 'user' | 'password' | 'privateKey'>,
  o: Partial<ServerInput> & { password?: boolean } = {},
): ServerInput {
  const { password, ...rest } = o;
  return {
    name: h.name,
    host: h.host,
    port: h.port,
    user: h.user,
    auth: password ? { kind: 'password', password: h.password } : { kind: 'key', privateKey: h.privateKey },
    become: { method: 'none' },
    reach: 'direct',
    service: 'auto',
    ...rest,
  };
}

/**
 * A copy of this machine's agent artifact whose bundle reports another version: the runtime files
 * are linked (same hash, so an upgrade to it moves only the bundle).
 */
export function upgradedArtifacts(version: string): string {
  const target = targetFor(localPlatform());
  const src = join(defaultArtifactsDir(), target);
  const m = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')) as ArtifactManifest;
  const dir = mkdtempSync(join(tmpdir(), 'wt-artifacts-'));
  const out = join(dir, target);
  mkdirSync(out);
  symlinkSync(join(src, m.runtime.file), join(out, m.runtime.file));
  if (m.runtime.upload.file !== m.runtime.file) symlinkSync(join(src, m.runtime.upload.file), join(out, m.runtime.upload.file));
  const bundle = readFileSync(join(src, m.bundle.file), 'utf8');
  const changed = bundle.replace(/var VERSION = "[^"]*";/, `var VERSION = ${JSON.stringify(version)};`);
  if (changed === bundle) throw new Error('cannot find the VERSION constant in the agent bundle');
  writeFileSync(join(out, m.bundle.file), changed);
  const b = Buffer.from(changed);
  m.bundle = { ...m.bundle, sha256: createHash('sha256').update(b).digest('hex'), bytes: b.length, version };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(m, null, 2));
  return dir;
}

/** An artifact copy whose bundle exits at once (an upgrade that never reports, to test rollback). */
export function brokenArtifacts(version: string): string {
  const dir = upgradedArtifacts(version);
  const target = targetFor(localPlatform());
  const m = JSON.parse(readFileSync(join(dir, target, 'manifest.json'), 'utf8')) as ArtifactManifest;
  const body = Buffer.from(`console.error('broken build ${version}'); process.exit(1);\n`);
  writeFileSync(join(dir, target, m.bundle.file), body);
  m.bundle = { ...m.bundle, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
  writeFileSync(join(dir, target, 'manifest.json'), JSON.stringify(m, null, 2));
  return dir;
}

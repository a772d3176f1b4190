// The deployer against real OpenSSH daemons on loopback (one user and install dir per host): a fleet
// install with a heartbeat from each agent, a no-change re-run, an upgrade that moves only the
// bundle, a failed upgrade rolled back, and an uninstall. Root only (useradd, sshd), as in CI.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployService, progressRecorder, serverFor, upgradedArtifacts, brokenArtifacts, testSecretBox } from './helpers/deploy.js';
import { gz, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import { sshdAvailable, startSshdHosts, type SshdHost } from './helpers/sshd.js';
import type { DeployService } from '../core/deploy/service.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidIn = (file: string) => Number(readFileSync(file, 'utf8').trim());

describe.skipIf(!sshdAvailable())('deployer on three sshd hosts', () => {
  let hosts: SshdHost[];
  let target: StoreTarget;
  let app: TestApp;
  let svc: DeployService;
  const progress = progressRecorder();
  const box = testSecretBox();
  const ids: string[] = [];
  const artifactDirs: string[] = [];

  const keep = (dir: string) => (artifactDirs.push(dir), dir);

  beforeAll(async () => {
    [hosts, target] = [await startSshdHosts(3), sqliteTarget()];
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl, progress, box });
    // Key login for two hosts, password login for the third.
    for (const [i, h] of hosts.entries()) ids.push((await svc.servers.create(serverFor(h, { password: i === 2 }))).id);
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await app?.stop();
    await Promise.all((hosts ?? []).map((h) => h.cleanup()));
    await target?.cleanup();
    for (const d of artifactDirs) rmSync(d, { recursive: true, force: true });
  });

  test('install on hosts without systemd: every agent reports, in 3 SSH sessions per host, with progress on the bus', async () => {
    const sessionsBefore = hosts.map((h) => h.sessions());
    const run = await svc.deployer.wait((await svc.deployer.start('install', ids, 3)).id);
    expect(run!.targets.map((t) => [t.status, t.error])).toEqual(ids.map(() => ['ok', null]));
    expect(run!.status).toBe('ok');
    for (const [i, t] of run!.targets.entries()) {
      expect(t.changed).toBe(true);
      expect(t.sshSessions).toBeLessThanOrEqual(5);
      expect(hosts[i]!.sessions() - sessionsBefore[i]!).toBe(t.sshSessions); // as sshd counts them
      const server = (await svc.servers.get(ids[i]!))!;
      const host = await app.store.getHost(server.hostId!);
      expect(host!.lastSeenAt).not.toBeNull();
      // No systemd here (not PID 1) and no root: the supervised user process is chosen.
      expect(server.probe).toMatchObject({ init: 'none', root: false });
      expect(server.installed).toMatchObject({ version: '0.1.0', serviceKind: 'user' });
      expect(server.hostKey).toMatchObject({ fingerprint: hosts[i]!.fingerprint, source: 'tofu' });
      const steps = progress.stepsOf(ids[i]!);
      for (const s of ['connect', 'probe', 'upload', 'install', 'start', 'heartbeat', 'done']) expect(steps).toContain(s);
      const uploads = progress.events.filter((e) => e.serverId === ids[i] && e.step === 'upload').map((e) => e.percent);
      expect(uploads).toContain(100);
      // The config holds the agent's token: readable by its user only.
      const cfg = join(hosts[i]!.home, '.watchtower-agent', 'agent.json');
      expect((await import('node:fs')).statSync(cfg).mode & 0o077).toBe(0);
    }
    const stored = await svc.store.getRun(run!.id);
    expect(stored!.status).toBe('ok');
  }, 120_000);

  test('a re-run that changes nothing: one session per host, nothing uploaded', async () => {
    const run = await svc.deployer.wait((await svc.deployer.start('install', ids, 3)).id);
    expect(run!.targets.map((t) => [t.status, t.changed, t.sshSessions, t.bytesUploaded])).toEqual(ids.map(() => ['ok', false, 1, 0]));
  }, 60_000);

  test('the supervisor restarts a crashed agent', async () => {
    const dir = join(hosts[0]!.home, '.watchtower-agent');
    const before = pidIn(join(dir, 'data', 'agent.pid'));
    process.kill(before, 'SIGKILL');
    await expect.poll(() => pidIn(join(dir, 'data', 'agent.pid')), { timeout: 10_000 }).not.toBe(before);
    expect(alive(pidIn(join(dir, 'data', 'agent.pid')))).toBe(true);
  }, 20_000);

  test('upgrade with the same runtime moves only the bundle, and the new version reports', async () => {
    const next = deployService({ store: app.store, ingestUrl: app.ingestUrl, box, artifactsDir: keep(upgradedArtifacts('0.1.1-test')) });
    const run = await next.deployer.wait((await next.deployer.start('upgrade', ids, 3)).id);
    expect(run!.targets.map((t) => [t.status, t.error])).toEqual(ids.map(() => ['ok', null]));
    for (const [i, t] of run!.targets.entries()) {
      expect(t.bytesUploaded).toBeLessThan(1024 * 1024);
      expect(t.sshSessions).toBeLessThanOrEqual(2);
      const server = (await svc.servers.get(ids[i]!))!;
      expect((await app.store.getHost(server.hostId!))!.agentVersion).toBe('0.1.1-test');
    }
  }, 120_000);

  test('an upgrade whose agent never reports is rolled back to the version that ran', async () => {
    const broken = deployService({
      store: app.store,
      ingestUrl: app.ingestUrl,
      box,
      artifactsDir: keep(brokenArtifacts('0.1.2-broken')),
      heartbeatTimeoutMs: 4000,
    });
    const run = await broken.deployer.wait((await broken.deployer.start('upgrade', [ids[0]!], 1)).id);
    expect(run!.status).toBe('failed');
    expect(run!.targets[0]!.error).toMatch(/did not report within 4 s; rolled back to 0\.1\.1-test/);
    const server = (await svc.servers.get(ids[0]!))!;
    const since = Date.now();
    await expect
      .poll(
        async () => {
          const h = await app.store.getHost(server.hostId!);
          return h!.lastSeenAt! > since && h!.agentVersion;
        },
        { timeout: 15_000 },
      )
      .toBe('0.1.1-test');
    expect(readFileSync(join(hosts[0]!.home, '.watchtower-agent', 'state'), 'utf8')).toContain('version=0.1.1-test');
  }, 60_000);

  test('uninstall removes the process, the files and the token, and marks the host', async () => {
    const pids = hosts.flatMap((h) => ['supervisor.pid', 'agent.pid'].map((f) => pidIn(join(h.home, '.watchtower-agent', 'data', f))));
    const oldToken = svc.servers.secretsOf((await svc.servers.get(ids[0]!))!).agentToken!;
    expect((await app.post(oldToken, gz(makeBatch()), { 'content-encoding': 'gzip' })).status).toBe(200);
    const run = await svc.deployer.wait((await svc.deployer.start('uninstall', ids, 3)).id);
    expect(run!.targets.map((t) => t.status)).toEqual(['ok', 'ok', 'ok']);
    for (const [i, h] of hosts.entries()) {
      expect(existsSync(join(h.home, '.watchtower-agent'))).toBe(false);
      await expect.poll(() => alive(pids[2 * i]!) || alive(pids[2 * i + 1]!), { timeout: 5000 }).toBe(false);
      const server = (await svc.servers.get(ids[i]!))!;
      expect(server.installed).toBeNull();
      const host = (await app.store.getHost(server.hostId!))!;
      expect(host.labels.watchtower_agent).toBe('uninstalled');
    }
    // The old token no longer authenticates (the ingest token cache keeps answers for 10 s).
    await expect
      .poll(async () => (await app.post(oldToken, gz(makeBatch()), { 'content-encoding': 'gzip' })).status, {
        timeout: 15_000,
        interval: 1000,
      })
      .toBe(401);
    expect(svc.servers.secretsOf((await svc.servers.get(ids[0]!))!).agentToken).toBeUndefined();
  }, 60_000);
});

// The OpenRC service kind for real: a host whose PID 1 is openrc-init (test/helpers/init-host.ts),
// reached over SSH as root. Install → the script in the default runlevel, supervise-daemon runs the
// agent as its own user and it reports → supervise-daemon respawns it → upgrade → a broken upgrade is
// rolled back → uninstall removes the script, the runlevel link, the files and the service user.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokenArtifacts, deployService, runDeploy, serverFor, testSecretBox, upgradedArtifacts } from './helpers/deploy.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import { initHostUnavailable, startInitHost, type InitHost } from './helpers/init-host.js';
import type { DeployService } from '../core/deploy/service.js';

const unavailable = initHostUnavailable('openrc');
if (unavailable) console.warn(`test/deploy-openrc.test.ts skipped: ${unavailable}`);

const SVC = 'watchtower-agent';

describe.skipIf(unavailable !== null)('deployer: OpenRC service on a host where openrc-init is PID 1', () => {
  let h: InitHost;
  let target: StoreTarget;
  let app: TestApp;
  let svc: DeployService;
  let id: string;
  const box = testSecretBox();
  const artifactDirs: string[] = [];

  /** The service's state, its supervisor and the agent process under it. */
  const service = () => {
    return h.facts(`
      rc-service ${SVC} status >/dev/null 2>&1 && echo status=started || echo status=stopped
      S=$(cat /run/${SVC}.pid 2>/dev/null); echo "supervisor=$(basename "$(readlink /proc/$S/exe)" 2>/dev/null)"
      P=$(pgrep -P "$S" 2>/dev/null | head -1); echo "pid=$P"
      echo "user_uid=$(id -u ${SVC})"
      [ -n "$P" ] && echo "uid=$(awk '$1 == "Uid:" { print $2 }' /proc/$P/status)"
      true`);
  };
  const hostOf = async () => (await app.store.getHost((await svc.servers.get(id))!.hostId!))!;
  const deploy = async (s: DeployService, action: 'install' | 'upgrade' | 'uninstall') => (await runDeploy(s, action, [id])).targets[0]!;
  const ok = <T extends { status: string; error: string | null }>(t: T) => {
    if (t.status !== 'ok') throw new Error(`${t.error}\n${h.logs()}`);
    return t;
  };

  beforeAll(async () => {
    [h, target] = [await startInitHost('openrc'), sqliteTarget()];
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl, box });
    id = (await svc.servers.create(serverFor(h, { service: 'openrc' }))).id; // no supervised fallback
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await app?.stop();
    await h?.cleanup();
    await target?.cleanup();
    for (const d of artifactDirs) rmSync(d, { recursive: true, force: true });
  });

  test('install: supervise-daemon runs the agent as its own user, in the default runlevel, and it reports', async () => {
    expect(ok(await deploy(svc, 'install')).sshSessions).toBe(3);
    const server = (await svc.servers.get(id))!;
    expect(server.probe).toMatchObject({ init: 'openrc', root: true });
    expect(server.installed).toMatchObject({ serviceKind: 'openrc', installDir: '/opt/watchtower-agent', version: '0.1.0' });
    expect((await hostOf()).lastSeenAt).not.toBeNull();
    const s = service();
    expect(s).toMatchObject({ status: 'started', supervisor: 'supervise-daemon', uid: s.user_uid });
    expect(s.user_uid).not.toBe('0');
    expect(h.run(`rc-update show default | grep -c ${SVC}`)).toBe('1'); // started at boot
    expect(h.run('cat /opt/watchtower-agent/data/agent.log')).toContain('agent started'); // output_log
  }, 60_000);

  test('a re-run that changes nothing sees the service started: one session', async () => {
    expect(await deploy(svc, 'install')).toMatchObject({ status: 'ok', changed: false, sshSessions: 1, bytesUploaded: 0 });
  }, 30_000);

  test('supervise-daemon respawns a killed agent', async () => {
    const before = service();
    h.run(`kill -KILL ${before.pid}`);
    await expect.poll(() => /^\d+$/.test(service().pid!) && service().pid !== before.pid, { timeout: 15_000, interval: 250 }).toBe(true);
    expect(service()).toMatchObject({ status: 'started', uid: before.user_uid });
  }, 30_000);

  test('upgrade: only the bundle moves, the service restarts with the new version', async () => {
    const before = service();
    const dir = upgradedArtifacts('0.1.1-test');
    artifactDirs.push(dir);
    const t = ok(await deploy(deployService({ store: app.store, ingestUrl: app.ingestUrl, box, artifactsDir: dir }), 'upgrade'));
    expect(t.bytesUploaded).toBeLessThan(1024 * 1024);
    expect(t.sshSessions).toBe(2);
    expect((await hostOf()).agentVersion).toBe('0.1.1-test');
    expect(service().status).toBe('started');
    expect(service().pid).not.toBe(before.pid);
  }, 60_000);

  test('an upgrade whose agent never reports is rolled back, and the service runs the previous one', async () => {
    const dir = brokenArtifacts('0.1.2-broken');
    artifactDirs.push(dir);
    const broken = deployService({ store: app.store, ingestUrl: app.ingestUrl, box, artifactsDir: dir, heartbeatTimeoutMs: 4000 });
    expect((await deploy(broken, 'upgrade')).error).toMatch(/did not report within 4 s; rolled back to 0\.1\.1-test/);
    const since = Date.now();
    await expect
      .poll(async () => (await hostOf()).lastSeenAt! > since && (await hostOf()).agentVersion, { timeout: 15_000 })
      .toBe('0.1.1-test');
    expect(service().status).toBe('started');
  }, 60_000);

  test('uninstall: script, runlevel link, files and service user gone, host marked', async () => {
    const { pid } = service();
    ok(await deploy(svc, 'uninstall'));
    const left = h.run(`
      for f in /etc/init.d/${SVC} /etc/runlevels/default/${SVC} /run/${SVC}.pid /opt/watchtower-agent /proc/${pid}; do
        [ -e "$f" ] || [ -L "$f" ] && echo "left=$f"; done
      pgrep -f 'supervise-daemon ${SVC}' >/dev/null && echo supervisor=running
      id ${SVC} >/dev/null 2>&1 && echo user=present || echo user=gone`);
    expect(left).toBe('user=gone');
    expect((await svc.servers.get(id))!.installed).toBeNull();
    expect((await hostOf()).labels.watchtower_agent).toBe('uninstalled');
  }, 60_000);
});

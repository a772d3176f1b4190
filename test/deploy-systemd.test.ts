// The systemd service kind for real: a host whose PID 1 is systemd (test/helpers/init-host.ts),
// reached over SSH as root. Install → systemd runs the hardened unit → the shipped agent (Bun) reports
// to the control plane → upgrade (only the bundle moves, the unit restarts) → a broken upgrade is
// rolled back → uninstall removes the unit, the files and the service user. The checks look inside
// the host (systemctl, /proc of the agent) rather than trusting what the deployer reports.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokenArtifacts, deployService, runDeploy, serverFor, testSecretBox, upgradedArtifacts } from './helpers/deploy.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import { initHostUnavailable, startInitHost, type InitHost } from './helpers/init-host.js';
import type { DeployService } from '../core/deploy/service.js';

const unavailable = initHostUnavailable('systemd');
if (unavailable) console.warn(`test/deploy-systemd.test.ts skipped: ${unavailable}`);

const UNIT = 'watchtower-agent';

describe.skipIf(unavailable !== null)('deployer: systemd service on a host where systemd is PID 1', () => {
  let h: InitHost;
  let target: StoreTarget;
  let app: TestApp;
  let svc: DeployService;
  let id: string;
  const box = testSecretBox();
  const artifactDirs: string[] = [];

  /** The unit's state and what /proc says of its main process. */
  const unit = () => {
    return h.facts(`
      echo "active=$(systemctl is-active ${UNIT})"
      P=$(systemctl show -p MainPID --value ${UNIT}); echo "pid=$P"
      echo "user_uid=$(id -u ${UNIT})"
      echo "restarts=$(systemctl show -p NRestarts --value ${UNIT})"
      [ "$P" != 0 ] && sed -n 's/^\\(Uid\\|NoNewPrivs\\|CapEff\\|CapBnd\\|Seccomp\\):[[:space:]]*/\\1=/p' /proc/$P/status
      true`);
  };
  const hostOf = async () => (await app.store.getHost((await svc.servers.get(id))!.hostId!))!;
  const deploy = async (s: DeployService, action: 'install' | 'upgrade' | 'uninstall') => (await runDeploy(s, action, [id])).targets[0]!;
  const ok = <T extends { status: string; error: string | null }>(t: T) => {
    if (t.status !== 'ok') throw new Error(`${t.error}\n${h.logs()}`);
    return t;
  };

  beforeAll(async () => {
    [h, target] = [await startInitHost('systemd'), sqliteTarget()];
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl, box });
    // service: 'systemd', not 'auto': the supervised fallback must not make this pass.
    id = (await svc.servers.create(serverFor(h, { service: 'systemd' }))).id;
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await app?.stop();
    await h?.cleanup();
    await target?.cleanup();
    for (const d of artifactDirs) rmSync(d, { recursive: true, force: true });
  });

  test('install: systemd starts the hardened unit and the agent reports', async () => {
    expect(ok(await deploy(svc, 'install')).sshSessions).toBe(3);
    const server = (await svc.servers.get(id))!;
    expect(server.probe).toMatchObject({ init: 'systemd', root: true });
    expect(server.installed).toMatchObject({ serviceKind: 'systemd', installDir: '/opt/watchtower-agent', version: '0.1.0' });
    expect((await hostOf()).lastSeenAt).not.toBeNull(); // the first batch reached the control plane

    const u = unit();
    expect(u).toMatchObject({ active: 'active', restarts: '0', NoNewPrivs: '1', CapEff: '0000000000000000', CapBnd: '0000000000000000' });
    expect(u.Uid!.split('\t')).toEqual(Array(4).fill(u.user_uid)); // its own user, real to saved
    expect(u.user_uid).not.toBe('0');
    expect(u.Seccomp).toBe('2'); // RestrictAddressFamilies, LockPersonality… are seccomp filters
    await expect.poll(() => h.sh(`journalctl -t ${UNIT} -o cat --no-pager`).stdout, { timeout: 5000 }).toContain('agent started');

    // The world as the agent sees it (its mount namespace, its user): read-only but for its data dir.
    const seen = h.run(`
      P=$(systemctl show -p MainPID --value ${UNIT}); echo outside > /tmp/wt-outside
      as() { nsenter -t "$P" -m setpriv --reuid=${UNIT} --regid=${UNIT} --clear-groups -- sh -c "$1" >/dev/null 2>&1 && echo yes || echo no; }
      echo "etc=$(as 'touch /etc/wt-probe')"
      echo "install_dir=$(as 'touch /opt/watchtower-agent/wt-probe')"
      echo "data_dir=$(as 'touch /opt/watchtower-agent/data/wt-probe && rm /opt/watchtower-agent/data/wt-probe')"
      echo "home=$(as 'ls /root/.')"
      echo "tmp_shared=$(as 'test -e /tmp/wt-outside')"
      cg=$(awk -F: '$2 == "memory" || $1 == "0" { print $3; exit }' /proc/$P/cgroup)
      for f in /sys/fs/cgroup/memory$cg/memory.limit_in_bytes /sys/fs/cgroup$cg/memory.max; do [ -f "$f" ] && echo "memory_max=$(cat "$f")" && break; done
      for f in /sys/fs/cgroup/memory$cg/memory.max_usage_in_bytes /sys/fs/cgroup$cg/memory.peak; do [ -f "$f" ] && echo "memory_peak=$(cat "$f")" && break; done`);
    expect(seen).toContain('etc=no\ninstall_dir=no\ndata_dir=yes\nhome=no\ntmp_shared=no');
    expect(seen).toContain(`memory_max=${256 * 1024 * 1024}`);
    const peak = Number(seen.match(/memory_peak=(\d+)/)?.[1]);
    console.log(`agent under systemd: its cgroup's memory peak ${(peak / 2 ** 20).toFixed(1)} MB of MemoryMax=256M`);
  }, 60_000);

  test('a re-run that changes nothing sees the unit running: one session', async () => {
    expect(await deploy(svc, 'install')).toMatchObject({ status: 'ok', changed: false, sshSessions: 1, bytesUploaded: 0 });
  }, 30_000);

  test('systemd restarts a killed agent (Restart=always)', async () => {
    const before = unit();
    h.run(`kill -KILL ${before.pid}`);
    await expect.poll(() => unit(), { timeout: 15_000, interval: 250 }).toMatchObject({ active: 'active', restarts: '1' });
    expect(unit().pid).not.toBe(before.pid);
  }, 30_000);

  test('upgrade: only the bundle moves, the unit restarts with the new version', async () => {
    const before = unit();
    const dir = upgradedArtifacts('0.1.1-test');
    artifactDirs.push(dir);
    const t = ok(await deploy(deployService({ store: app.store, ingestUrl: app.ingestUrl, box, artifactsDir: dir }), 'upgrade'));
    expect(t.bytesUploaded).toBeLessThan(1024 * 1024);
    expect(t.sshSessions).toBe(2);
    expect((await hostOf()).agentVersion).toBe('0.1.1-test');
    const after = unit();
    expect(after).toMatchObject({ active: 'active', NoNewPrivs: '1' });
    expect(after.pid).not.toBe(before.pid);
    expect(h.run('cat /opt/watchtower-agent/state')).toContain('version=0.1.1-test');
  }, 60_000);

  test('an upgrade whose agent never reports is rolled back, and the unit runs the previous one', async () => {
    const dir = brokenArtifacts('0.1.2-broken');
    artifactDirs.push(dir);
    const broken = deployService({ store: app.store, ingestUrl: app.ingestUrl, box, artifactsDir: dir, heartbeatTimeoutMs: 4000 });
    expect((await deploy(broken, 'upgrade')).error).toMatch(/did not report within 4 s; rolled back to 0\.1\.1-test/);
    const since = Date.now();
    await expect
      .poll(async () => (await hostOf()).lastSeenAt! > since && (await hostOf()).agentVersion, { timeout: 15_000 })
      .toBe('0.1.1-test');
    expect(unit().active).toBe('active');
  }, 60_000);

  test('uninstall: unit, files and service user gone, host marked', async () => {
    const { pid } = unit();
    ok(await deploy(svc, 'uninstall'));
    const left = h.run(`
      echo "load=$(systemctl show -p LoadState --value ${UNIT})"
      for f in /etc/systemd/system/${UNIT}.service /etc/systemd/system/multi-user.target.wants/${UNIT}.service /opt/watchtower-agent /proc/${pid}; do
        [ -e "$f" ] || [ -L "$f" ] && echo "left=$f"; done
      id ${UNIT} >/dev/null 2>&1 && echo user=present || echo user=gone`);
    expect(left).toBe('load=not-found\nuser=gone');
    const server = (await svc.servers.get(id))!;
    expect(server.installed).toBeNull();
    expect((await hostOf()).labels.watchtower_agent).toBe('uninstalled');
  }, 60_000);
});

// Tunnel mode: the agent posts to 127.0.0.1:PORT on its own host, which the deployer's SSH
// connection forwards to the control plane. The control plane restarts (same database, new ingest
// port); the tunnel comes back with the new instance and the agent's buffer fills the gap: every
// interval between the first and last batch is there, none twice.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployService, serverFor, testSecretBox } from './helpers/deploy.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import { freePort, sshdAvailable, startSshd, type SshdHost } from './helpers/sshd.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import type { DeployService } from '../core/deploy/service.js';

describe.skipIf(!sshdAvailable())('deployer: tunnel mode', () => {
  let h: SshdHost;
  let target: StoreTarget;
  let app: TestApp | null = null;
  let svc: DeployService | null = null;
  const box = testSecretBox();
  const start = async () => {
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl, box });
    await svc.start(); // resumes tunnels of installed tunnel-mode servers
  };
  const stop = async () => {
    await svc?.stop();
    await app?.stop();
    svc = null;
    app = null;
  };

  beforeAll(async () => {
    [h, target] = [await startSshd(), sqliteTarget()];
    await start();
  }, 60_000);

  afterAll(async () => {
    await stop();
    await h?.cleanup();
    await target?.cleanup();
  });

  test('survives a control-plane restart and an SSH drop with no batch lost or doubled', async () => {
    const port = await freePort();
    // SSH goes through a proxy the test can cut (sshd keeps established sessions when it restarts).
    const proxy = new TcpProxy(h.host, h.port);
    const s = await svc!.servers.create({
      ...serverFor(h, { name: 'behind-nat', reach: 'tunnel', tunnelPort: port }),
      port: await proxy.start(),
    });
    const run = await svc!.deployer.wait((await svc!.deployer.start('install', [s.id], 1)).id);
    expect(run!.targets[0]).toMatchObject({ status: 'ok', error: null });
    expect(svc!.servers.view((await svc!.servers.get(s.id))!).tunnel.state).toBe('up');
    const hostId = (await svc!.servers.get(s.id))!.hostId!;

    await new Promise((r) => setTimeout(r, 2500));
    await stop(); // tunnel and ingest gone: the agent buffers
    await new Promise((r) => setTimeout(r, 4000));
    await start();
    const restartedAt = Date.now();
    await expect.poll(() => svc!.tunnels.state(s.id)?.state, { timeout: 15_000 }).toBe('up');
    // Wait until batches made after the restart arrive (the backlog goes first, in order).
    await expect
      .poll(async () => (await app!.store.getHost(hostId))!.lastSeenAt! > restartedAt + 2000, { timeout: 30_000, interval: 500 })
      .toBe(true);

    const rows = await app!.store.sql.all<{ min_ts: number }>('SELECT min_ts FROM ingest_batches WHERE host_id = $1 ORDER BY min_ts', [
      hostId,
    ]);
    const ts = rows.map((r) => Number(r.min_ts));
    expect(ts.length).toBeGreaterThan(8);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    // Interval 1 s: a lost batch would leave a gap of ~2 s or more; duplicates cannot exist (unique batch ids).
    expect(Math.max(...gaps)).toBeLessThan(1900);
    const outage = ts.filter((t) => t > restartedAt - 4000 && t < restartedAt);
    expect(outage.length).toBeGreaterThanOrEqual(3); // made while nobody listened, delivered later

    // The SSH connection drops: the tunnel goes down and comes back by itself (with backoff).
    await proxy.cut();
    await expect.poll(() => svc!.tunnels.state(s.id)?.state, { timeout: 20_000 }).not.toBe('up');
    await new Promise((r) => setTimeout(r, 2000));
    await proxy.restore();
    await expect.poll(() => svc!.tunnels.state(s.id)?.state, { timeout: 20_000 }).toBe('up');
    const backAt = Date.now();
    await expect
      .poll(async () => (await app!.store.getHost(hostId))!.lastSeenAt! > backAt + 1000, { timeout: 30_000, interval: 500 })
      .toBe(true);
    const after = (
      await app!.store.sql.all<{ min_ts: number }>('SELECT min_ts FROM ingest_batches WHERE host_id = $1 ORDER BY min_ts', [hostId])
    ).map((r) => Number(r.min_ts));
    expect(Math.max(...after.slice(1).map((t, i) => t - after[i]!))).toBeLessThan(1900);

    await svc!.deployer.wait((await svc!.deployer.start('uninstall', [s.id], 1)).id);
    expect(svc!.tunnels.state(s.id)).toBeUndefined();
    await proxy.cut();
  }, 120_000);
});

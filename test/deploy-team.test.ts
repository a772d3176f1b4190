// Team mode: deploy runs of an instance that dies are cleaned up by the others. Three instances
// (each its own store connection and Redis coordination) share one PostgreSQL schema and Redis
// prefix, on one injected clock; their lease beats are driven by hand. A deploy target that never
// finishes is a TCP port that accepts and never speaks SSH.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployProgress } from '../shared/contract/deploy.js';
import { RedisCoordination } from '../core/bus/redis/coordination.js';
import type { DeployService } from '../core/deploy/service.js';
import type { Store } from '../core/store/types.js';
import { deployService, testSecretBox } from './helpers/deploy.js';
import { deleteKeys, randomPrefix } from './helpers/redis.js';
import { freePort } from './helpers/sshd.js';
import { postgresTarget, REDIS_URL, type StoreTarget } from './helpers/stores.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0);
const TIMEOUT = 45_000;

describe('deploy runs in team mode', () => {
  let target: StoreTarget;
  let prefix: string;
  let t: number;
  const closers: (() => Promise<unknown>)[] = [];
  let silent: { port: number; server: Server; sockets: Set<Socket> };
  let dashboard: DeployProgress[];

  /** One Watchtower instance's deployer on the shared backend. */
  async function instance(name: string): Promise<DeployService> {
    const store: Store = await target.open();
    const coordination = new RedisCoordination({ url: REDIS_URL, prefix });
    await coordination.ready();
    const svc = deployService({
      store,
      ingestUrl: 'http://127.0.0.1:9',
      coordination,
      box,
      now: () => t,
      instanceId: name,
      instanceTimeoutMs: TIMEOUT,
      leaseRenewMs: 3_600_000, // beats only when the test calls tick()
      connectTimeoutMs: 600_000, // the silent server holds a connect until the test closes it
    });
    await svc.start();
    closers.push(
      () => store.close(),
      () => coordination.close(),
      () => svc.deployer.drain(5_000), // runs end once the silent server is closed
    );
    return svc;
  }
  const box = testSecretBox();

  beforeEach(async () => {
    target = postgresTarget();
    prefix = randomPrefix();
    t = T0;
    const sockets = new Set<Socket>();
    // Read (and drop) what clients send, so a client that hangs up is seen closing.
    const server = createServer((s) =>
      sockets.add(
        s
          .resume()
          .on('error', () => {})
          .on('close', () => sockets.delete(s)),
      ),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    silent = { port: (server.address() as { port: number }).port, server, sockets };
    dashboard = [];
    const watcher = new RedisCoordination({ url: REDIS_URL, prefix });
    await watcher.subscribe('deploy.progress', (p) => dashboard.push(p as DeployProgress));
    closers.push(() => watcher.close());
  });

  afterEach(async () => {
    closeSilent();
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
    await target.cleanup();
    await deleteKeys(prefix);
  });

  function closeSilent(): void {
    for (const s of silent.sockets) s.destroy();
    silent.server.close();
  }

  async function addServer(svc: DeployService, name: string): Promise<string> {
    const s = await svc.servers.create({
      name,
      host: '127.0.0.1',
      port: silent.port,
      user: 'deploy',
      auth: { kind: 'password', password: 'p' },
      become: { method: 'none' },
      reach: 'direct',
      service: 'auto',
    });
    return s.id;
  }

  /** A run on `serverId` whose target is stuck connecting. */
  async function stuckRun(svc: DeployService, serverId: string) {
    const run = await svc.deployer.start('install', [serverId], 1);
    await expect.poll(async () => (await svc.store.getRun(run.id))?.targets[0]?.step, { timeout: 10_000 }).toBe('connect');
    return run;
  }

  /**
   * Another run on the server. The stuck run's connection stays open (its instance never released
   * the server), so this one reaches a closed port instead: it must fail on its own merits.
   */
  async function deployAgain(svc: DeployService, serverId: string, o: { closedPort?: boolean } = {}) {
    if (o.closedPort) await svc.servers.update(serverId, { port: await freePort() });
    const run = await svc.deployer.start('install', [serverId], 1);
    return (await svc.deployer.wait(run.id))!.targets[0]!;
  }

  it('marks a crashed instance’s run interrupted after the bound (not before), written by exactly one survivor', async () => {
    const [a, b, c] = [await instance('a'), await instance('b'), await instance('c')];
    const srv = await addServer(a, 'web-1');
    const run = await stuckRun(a, srv);
    // While a is alive the server is guarded, on every instance.
    expect((await deployAgain(b, srv)).error).toMatch(/another deploy run is working on this server/);

    t += 20_000;
    await a.leases.tick(); // a's last beat, then it "crashes": no more beats, the run never finishes
    t += TIMEOUT - 1_000;
    expect(await b.leases.tick()).toBe(0);
    expect(await c.leases.tick()).toBe(0);
    expect((await a.store.getRun(run.id))!.status).toBe('running');

    t += 2_000;
    const written = await Promise.all([b.leases.tick(), c.leases.tick()]);
    expect(written.sort()).toEqual([0, 1]);
    const stored = (await b.store.getRun(run.id))!;
    const error = `interrupted: instance ${a.owner} stopped during the run`;
    expect(stored).toMatchObject({ status: 'failed', finishedAt: t, targets: [{ status: 'failed', step: 'failed', error }] });
    expect(a.owner).toMatch(/^a:[0-9a-f]{6}$/);
    // Dashboards hear it once, like any server's failure.
    await expect.poll(() => dashboard.filter((e) => e.runId === run.id && e.step === 'failed').length).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(dashboard.filter((e) => e.runId === run.id && e.step === 'failed')).toEqual([
      { runId: run.id, serverId: srv, host: '127.0.0.1', step: 'failed', message: error, at: t },
    ]);

    // The server takes a new deploy at once, though a's connection to it is still open.
    const again = await deployAgain(c, srv, { closedPort: true });
    expect(again.error).toMatch(/^connect: .*refused/);

    // a was only paused after all: it learns its run was taken, drops its connection to the server
    // at once (the silent server stays up: nothing else ends that connect), and writes nothing more.
    expect(silent.sockets.size).toBe(1);
    await a.leases.tick();
    expect((await a.deployer.wait(run.id))!.status).toBe('failed');
    await expect.poll(() => silent.sockets.size).toBe(0);
    expect((await c.store.getRun(run.id))!.targets[0]!.error).toBe(error);
  });

  it('never touches the run of a live but slow instance', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const srv = await addServer(a, 'web-2');
    const run = await stuckRun(a, srv);
    for (let i = 0; i < 12; i++) {
      t += 20_000; // 4 minutes in all, far past the bound, with a beat every 20 s
      await a.leases.tick();
      expect(await b.leases.tick()).toBe(0);
    }
    expect((await b.store.getRun(run.id))!.status).toBe('running');
    expect((await deployAgain(b, srv)).error).toMatch(/another deploy run is working on this server/);
    expect(dashboard.filter((e) => e.runId === run.id && e.step === 'failed')).toEqual([]);
  });

  it('an instance stopping with a run still going marks it interrupted itself, and frees the server', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const srv = await addServer(a, 'web-3');
    const run = await stuckRun(a, srv);
    expect(silent.sockets.size).toBe(1);
    await a.deployer.drain(100, `interrupted: instance ${a.owner} stopped during the run`);
    await expect.poll(() => silent.sockets.size).toBe(0); // the connect in flight is dropped, not left to time out
    expect((await b.store.getRun(run.id))!).toMatchObject({
      status: 'failed',
      targets: [{ error: expect.stringMatching(/^interrupted: instance a:/) }],
    });
    await expect.poll(() => dashboard.filter((e) => e.runId === run.id && e.step === 'failed').length).toBe(1);
    expect((await deployAgain(b, srv, { closedPort: true })).error).toMatch(/^connect: .*refused/);
  });
});

// A real agent process against a real server process, on SQLite and on PostgreSQL: samples arrive;
// an outage loses nothing and duplicates nothing; a kill -9 loses no acknowledged sample.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../core/store/types.js';
import { freePort, sleep, startAgent, startServer, waitFor, type AgentProcess, type ServerProcess } from './helpers/processes.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const produced = (a: AgentProcess) => a.buffered.reduce((n, b) => n + b.samples, 0);
const allAcked = (a: AgentProcess) => () => {
  const acked = new Set(a.acked);
  return a.buffered.length > 0 && a.buffered.every((b) => acked.has(b.batchId));
};

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('agent → server on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let dir: string;
  let ports: { api: number; ingest: number };
  let server: ServerProcess | null;
  let agent: AgentProcess | null;
  let store: Store | null;

  beforeEach(async () => {
    target = makeTarget();
    dir = mkdtempSync(join(tmpdir(), 'wt-e2e-'));
    ports = { api: await freePort(), ingest: await freePort() };
    server = await startServer(target, join(dir, 'server'), ports);
    agent = null;
    store = null;
  });
  afterEach(async () => {
    await agent?.stop();
    await server?.stop();
    await store?.close();
    await target.cleanup();
  });

  async function addHost(): Promise<{ id: string; token: string }> {
    const { body } = await server!.api('POST', '/api/v1/hosts', { name: 'app-1' });
    return { id: body.host.id, token: body.agentToken };
  }

  it('delivers the samples, inventory and processes the agent collects', async () => {
    const host = await addHost();
    agent = startAgent({ server: server!.ingestUrl, token: host.token, dataDir: join(dir, 'agent') });
    await waitFor('three acknowledged batches', () => agent!.acked.length >= 3);
    const { host: view } = (await server!.api('GET', `/api/v1/hosts/${host.id}`)).body as { host: Record<string, any> };
    expect(view).toMatchObject({ status: 'up', agentVersion: '0.1.0', intervalMs: 1000 });
    expect(view.inventory.cpuCores).toBeGreaterThan(0);
    expect(view.processes.length).toBeGreaterThan(0);
    const latest = (await server!.api('GET', `/api/v1/latest?hostId=${host.id}`)).body as { values: { metric: string }[] };
    const metrics = new Set(latest.values.map((v) => v.metric));
    for (const m of ['cpu.usage', 'mem.used_percent', 'disk.used_percent', 'load.1', 'system.uptime', 'net.rx_bytes'])
      expect(metrics).toContain(m);
    await agent.stop();
    store = await target.open();
    const acked = new Set(agent.acked);
    const ackedSamples = agent.buffered.filter((b) => acked.has(b.batchId)).reduce((n, b) => n + b.samples, 0);
    expect(await store.countSamples(host.id)).toBe(ackedSamples);
  });

  it("pointed at the API's port by mistake, keeps every batch and says where to send; restarted right, delivers them all", async () => {
    const host = await addHost();
    const dataDir = join(dir, 'agent');
    const wrong = startAgent({ server: server!.url, token: host.token, dataDir });
    await waitFor('a few buffered batches', () => wrong.buffered.length >= 3);
    await wrong.stop();
    expect(wrong.acked).toEqual([]);
    expect(wrong.lines.some((l) => l.includes('dropping'))).toBe(false);
    expect(wrong.lines.join('\n')).toMatch(/is not a Watchtower ingest endpoint \(421: .*agents send batches to the ingest listener/);
    agent = startAgent({ server: server!.ingestUrl, token: host.token, dataDir });
    await waitFor('the batches buffered before to be acknowledged', () => wrong.buffered.every((b) => agent!.acked.includes(b.batchId)));
    await agent.stop();
    store = await target.open();
    const acked = new Set(agent.acked);
    const ackedSamples = [...wrong.buffered, ...agent.buffered].filter((b) => acked.has(b.batchId)).reduce((n, b) => n + b.samples, 0);
    expect(await store.countSamples(host.id)).toBe(ackedSamples);
  });

  it('reports within seconds of starting, long before its first interval is over', async () => {
    const host = await addHost();
    agent = startAgent({ server: server!.ingestUrl, token: host.token, dataDir: join(dir, 'agent'), args: ['--interval', '60'] });
    await waitFor('the first acknowledged batch', () => agent!.acked.length >= 1, 15_000);
    const { host: view } = (await server!.api('GET', `/api/v1/hosts/${host.id}`)).body as { host: Record<string, any> };
    expect(view).toMatchObject({ status: 'up', intervalMs: 60_000 });
  });

  it('delivers every sample exactly once across a server outage', async () => {
    const host = await addHost();
    agent = startAgent({ server: server!.ingestUrl, token: host.token, dataDir: join(dir, 'agent') });
    await waitFor('first acknowledgements', () => agent!.acked.length >= 2);
    expect(await server!.stop()).toBe(0); // graceful: in-flight batches commit, then exit 0
    const ackedBefore = agent.acked.length;
    await sleep(4000); // the agent keeps collecting into its buffer
    const bufferedDuringOutage = agent.buffered.length - ackedBefore;
    expect(bufferedDuringOutage).toBeGreaterThanOrEqual(3);
    server = await startServer(target, join(dir, 'server'), ports);
    await waitFor('the buffer to drain', allAcked(agent), 30_000);
    await agent.stop();
    store = await target.open();
    expect(await store.countSamples(host.id)).toBe(produced(agent));
    expect(new Set(agent.acked).size).toBe(agent.buffered.length);
  });

  it('loses no acknowledged sample when the server is killed with SIGKILL', async () => {
    const host = await addHost();
    agent = startAgent({ server: server!.ingestUrl, token: host.token, dataDir: join(dir, 'agent') });
    await waitFor('a few acknowledgements', () => agent!.acked.length >= 3);
    await sleep(300 + Math.random() * 700); // land somewhere inside the next cycle
    await server!.kill9();
    const ackedAtKill = new Set(agent.acked);
    await sleep(1500);
    server = await startServer(target, join(dir, 'server'), ports);
    await waitFor('the buffer to drain', allAcked(agent), 30_000);
    await agent.stop();
    store = await target.open();
    // Every batch acknowledged before the kill is stored, and so is everything after: nothing lost.
    const ackedSamples = agent.buffered.filter((b) => ackedAtKill.has(b.batchId)).reduce((n, b) => n + b.samples, 0);
    expect(ackedSamples).toBeGreaterThan(0);
    expect(await store.countSamples(host.id)).toBe(produced(agent));
  });
});

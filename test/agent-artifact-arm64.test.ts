// The shipped linux-arm64 artifact, run: its aarch64 Bun and the bundle from dist/agent-artifacts/linux-arm64,
// started with the command line the deployer installs, with qemu-user put before the runtime (where an arm64
// kernel would exec it directly), against a real server process. test/global-setup.ts builds the artifact
// when the emulator and an aarch64 glibc are here (.ci/run installs them); otherwise this file skips, with
// the reason printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { loadArtifact, type AgentArtifact } from '../core/deploy/artifacts.js';
import type { Store } from '../core/store/types.js';
import { arm64Emulation, emulated } from './helpers/emulation.js';
import { freePort, sleep, startAgent, startServer, waitFor, type AgentProcess, type ServerProcess } from './helpers/processes.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';

const built = inject('agentArtifactArm64');
const emulation = arm64Emulation();
if (built.status === 'skip') console.warn(`test/agent-artifact-arm64.test.ts skipped: ${built.message}`);

const samplesOf = (a: AgentProcess, ids: Iterable<string>) => {
  const set = new Set(ids);
  return a.buffered.filter((b) => set.has(b.batchId)).reduce((n, b) => n + b.samples, 0);
};

describe.skipIf(built.status === 'skip')('the linux-arm64 agent artifact, emulated, against a real server', () => {
  let artifact: AgentArtifact;
  let target: StoreTarget;
  let dir: string;
  let ports: { api: number; ingest: number };
  let server: ServerProcess | null;
  let agent: AgentProcess | null;
  let store: Store | null;

  beforeEach(async () => {
    if (built.status === 'error') throw new Error(`building the linux-arm64 agent artifact failed: ${built.message}`);
    if (built.status !== 'ok') return;
    if (!emulation.ok) throw new Error(`the linux-arm64 artifact was built but cannot be run: ${emulation.reason}`);
    artifact = await loadArtifact('linux-arm64');
    target = sqliteTarget();
    dir = mkdtempSync(join(tmpdir(), 'wt-artifact-arm64-'));
    ports = { api: await freePort(), ingest: await freePort() };
    server = await startServer(target, join(dir, 'server'), ports);
    agent = null;
    store = null;
  });
  afterEach(async () => {
    await agent?.stop();
    await server?.stop();
    await store?.close();
    await target?.cleanup();
  });

  async function startShipped(): Promise<{ id: string; agent: AgentProcess }> {
    const { body } = await server!.api('POST', '/api/v1/hosts', { name: 'arm64-1' });
    const config = join(dir, 'agent.json');
    // topProcesses only in the file: proof the runtime read the deployer's config file.
    writeFileSync(config, JSON.stringify({ server: server!.ingestUrl, token: body.agentToken, topProcesses: 2 }));
    const command = artifact.command(artifact.runtime.file, artifact.bundle.file, config);
    const a = startAgent({
      server: server!.ingestUrl,
      token: body.agentToken,
      dataDir: join(dir, 'agent'),
      command: emulated(command, artifact.runtime.file, emulation.ok ? emulation.prefix : []),
    });
    return { id: body.host.id, agent: a };
  }

  it('runs as arm64, delivers what it collects, and stops cleanly on SIGTERM', { timeout: 40_000 }, async () => {
    const host = await startShipped();
    agent = host.agent;
    await waitFor('three acknowledged batches', () => agent!.acked.length >= 3, 30_000);
    const { host: view } = (await server!.api('GET', `/api/v1/hosts/${host.id}`)).body as { host: Record<string, any> };
    expect(view).toMatchObject({ status: 'up', agentVersion: artifact.bundle.version, intervalMs: 1000 });
    // aarch64 code ran: the agent names the architecture its runtime was built for, as uname -m spells it.
    expect(view.inventory.arch).toBe('aarch64');
    expect(view.processes.length).toBeGreaterThan(0);
    expect(view.processes.length).toBeLessThanOrEqual(4); // top 2 by CPU ∪ top 2 by memory, from the config file
    const latest = (await server!.api('GET', `/api/v1/latest?hostId=${host.id}`)).body as { values: { metric: string }[] };
    const metrics = new Set(latest.values.map((v) => v.metric));
    for (const m of ['cpu.usage', 'mem.used_percent', 'disk.used_percent', 'load.1', 'system.uptime', 'net.rx_bytes'])
      expect(metrics).toContain(m);
    await agent.stop();
    expect(agent.proc.exitCode).toBe(0);
    store = await target.open();
    expect(samplesOf(agent, agent.acked)).toBeGreaterThan(0);
    expect(await store.countSamples(host.id)).toBe(samplesOf(agent, agent.acked));
    expect(agent.lines.filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([]);
    // A bundle with the page trim (agent/page-trim.ts) reads /proc/self/smaps, which under qemu-user is qemu's
    // own view (its binary and libraries, the guest's mappings at the same addresses): the trim must run and
    // the agent go on.
    const trimmed = agent.lines.findIndex((l) => l.includes('"msg":"start-up pages released"'));
    expect(trimmed).toBeGreaterThanOrEqual(0);
    expect(agent.lines.slice(trimmed).some((l) => l.includes('"msg":"batch acknowledged"'))).toBe(true);
  });

  it('buffers across a server outage and delivers every sample exactly once', { timeout: 50_000 }, async () => {
    const host = await startShipped();
    agent = host.agent;
    await waitFor('first acknowledgements', () => agent!.acked.length >= 2, 30_000);
    expect(await server!.stop()).toBe(0);
    const ackedBefore = agent.acked.length;
    await sleep(4000); // the agent keeps collecting into its on-disk buffer
    expect(agent.buffered.length - ackedBefore).toBeGreaterThanOrEqual(3);
    server = await startServer(target, join(dir, 'server'), ports);
    const all = () => agent!.buffered.length > 0 && agent!.buffered.every((b) => agent!.acked.includes(b.batchId));
    await waitFor('the buffer to drain', all, 20_000);
    await agent.stop();
    expect(agent.proc.exitCode).toBe(0);
    store = await target.open();
    const produced = agent.buffered.reduce((n, b) => n + b.samples, 0);
    expect(await store.countSamples(host.id)).toBe(produced);
    expect(new Set(agent.acked).size).toBe(agent.buffered.length);
  });
});

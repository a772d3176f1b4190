// The shipped artifact itself — the runtime binary from the npm registry and the bundle from
// dist/agent-artifacts/<this host's target>, started with the very command line the deployer
// installs (artifact.command, config file included) — against a real server process: it must do
// what the source agent does in test/agent-server.test.ts. test/global-setup.ts builds the artifact;
// only an unreachable npm registry skips this file, with the reason printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { loadArtifact, type AgentArtifact } from '../core/deploy/artifacts.js';
import { IntegrityError, LAUNCHER, packageAgent, readRuntimes } from '../scripts/package-agent.js';
import type { Store } from '../core/store/types.js';
import { freePort, sleep, startAgent, startServer, waitFor, type AgentProcess, type ServerProcess } from './helpers/processes.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';

const built = inject('agentArtifact');
if (built.status === 'skip') console.warn(`test/agent-artifact.test.ts skipped: ${built.message}`);

const produced = (a: AgentProcess) => a.buffered.reduce((n, b) => n + b.samples, 0);
const allAcked = (a: AgentProcess) => () => {
  const acked = new Set(a.acked);
  return a.buffered.length > 0 && a.buffered.every((b) => acked.has(b.batchId));
};

describe.skipIf(built.status === 'skip')('the shipped agent artifact against a real server', () => {
  let artifact: AgentArtifact;
  let target: StoreTarget;
  let dir: string;
  let ports: { api: number; ingest: number };
  let server: ServerProcess | null;
  let agent: AgentProcess | null;
  let store: Store | null;

  beforeEach(async () => {
    if (built.status === 'error') throw new Error(`building the agent artifact failed: ${built.message}`);
    if (built.status !== 'ok') return;
    artifact = await loadArtifact(built.target);
    target = sqliteTarget();
    dir = mkdtempSync(join(tmpdir(), 'wt-artifact-'));
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

  /** Starts the artifact as the deployer's service does: runtime, bundle, --config <file>. */
  async function startShipped(): Promise<{ id: string; agent: AgentProcess }> {
    const { body } = await server!.api('POST', '/api/v1/hosts', { name: 'shipped-1' });
    const config = join(dir, 'agent.json');
    // topProcesses only in the file: proof the runtime read the deployer's config file.
    writeFileSync(config, JSON.stringify({ server: server!.ingestUrl, token: body.agentToken, topProcesses: 2 }));
    const a = startAgent({
      server: server!.ingestUrl,
      token: body.agentToken,
      dataDir: join(dir, 'agent'),
      command: artifact.command(artifact.runtime.file, artifact.bundle.file, config),
    });
    return { id: body.host.id, agent: a };
  }

  it('is the runtime and bundle its manifest names, started by the command the deployer installs', () => {
    expect(artifact.runtime.bytes).toBeGreaterThan(1_000_000);
    expect(artifact.runtime.upload.bytes).toBeLessThan(artifact.runtime.bytes);
    expect(artifact.bundle.file).toMatch(/agent-artifacts\/[a-z0-9-]+\/agent\.mjs$/);
    const argv = artifact.command('/opt/wt/runtime', '/opt/wt/agent.mjs', '/etc/wt/agent.json');
    expect(argv).toContain('/opt/wt/runtime');
    expect(argv.slice(-3)).toEqual(['/opt/wt/agent.mjs', '--config', '/etc/wt/agent.json']);
  });

  it('delivers the samples, inventory and processes it collects', async () => {
    const host = await startShipped();
    agent = host.agent;
    await waitFor('three acknowledged batches', () => agent!.acked.length >= 3, 30_000);
    const { host: view } = (await server!.api('GET', `/api/v1/hosts/${host.id}`)).body as { host: Record<string, any> };
    expect(view).toMatchObject({ status: 'up', agentVersion: artifact.bundle.version, intervalMs: 1000 });
    expect(view.inventory.cpuCores).toBeGreaterThan(0);
    expect(view.processes.length).toBeGreaterThan(0);
    expect(view.processes.length).toBeLessThanOrEqual(4); // top 2 by CPU ∪ top 2 by memory, from the config file
    const latest = (await server!.api('GET', `/api/v1/latest?hostId=${host.id}`)).body as { values: { metric: string }[] };
    const metrics = new Set(latest.values.map((v) => v.metric));
    for (const m of ['cpu.usage', 'mem.used_percent', 'disk.used_percent', 'load.1', 'system.uptime', 'net.rx_bytes'])
      expect(metrics).toContain(m);
    await agent.stop();
    expect(agent.proc.exitCode).toBe(0); // SIGTERM → clean stop under this runtime too
    store = await target.open();
    const acked = new Set(agent.acked);
    const ackedSamples = agent.buffered.filter((b) => acked.has(b.batchId)).reduce((n, b) => n + b.samples, 0);
    expect(ackedSamples).toBeGreaterThan(0);
    expect(await store.countSamples(host.id)).toBe(ackedSamples);
    expect(agent.lines.filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([]);
    if (artifact.runtime.name === 'bun') {
      // After its first cycle the agent hands the runtime's start-up code pages back (agent/page-trim.ts),
      // and the batches acknowledged after that prove it runs on without them.
      const released = agent.lines.map((l) => /"msg":"start-up pages released","kb":(\d+)/.exec(l)?.[1]).find(Boolean);
      expect(Number(released)).toBeGreaterThan(5 * 1024);
    }
  });

  it('runs by hand through its watchtower-agent launcher, with the runtime settings the deployer uses', async () => {
    const { body } = await server!.api('POST', '/api/v1/hosts', { name: 'by-hand-1' });
    agent = startAgent({
      server: server!.ingestUrl,
      token: body.agentToken,
      dataDir: join(dir, 'agent'),
      command: [join(dirname(artifact.bundle.file), LAUNCHER)],
    });
    await waitFor('two acknowledged batches', () => agent!.acked.length >= 2, 30_000);
    // The runtime env reached the runtime: the page trim needs bun:ffi, which BUN_JSC_useJIT=0 would refuse.
    if (artifact.runtime.name === 'bun') expect(agent.lines.some((l) => l.includes('"msg":"start-up pages released"'))).toBe(true);
    expect(agent.lines.filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([]);
  });

  it('buffers across a server outage and delivers every sample exactly once', async () => {
    const host = await startShipped();
    agent = host.agent;
    await waitFor('first acknowledgements', () => agent!.acked.length >= 2, 30_000);
    expect(await server!.stop()).toBe(0);
    const ackedBefore = agent.acked.length;
    await sleep(4000); // the agent keeps collecting into its on-disk buffer
    expect(agent.buffered.length - ackedBefore).toBeGreaterThanOrEqual(3);
    server = await startServer(target, join(dir, 'server'), ports);
    await waitFor('the buffer to drain', allAcked(agent), 30_000);
    await agent.stop();
    store = await target.open();
    expect(await store.countSamples(host.id)).toBe(produced(agent));
    expect(new Set(agent.acked).size).toBe(agent.buffered.length);
  });
});

describe.skipIf(built.status === 'skip')('packaging', () => {
  it('refuses a runtime tarball whose sha512 is not the pinned one, and leaves no artifact', async () => {
    if (built.status !== 'ok') throw new Error(`building the agent artifact failed: ${built.status === 'error' ? built.message : ''}`);
    const runtimes = readRuntimes();
    const spec = runtimes.runtimes[runtimes.ship];
    const pin = spec.targets[built.target]!;
    const tampered = {
      ...runtimes,
      runtimes: {
        ...runtimes.runtimes,
        [runtimes.ship]: { ...spec, targets: { [built.target]: { ...pin, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` } } },
      },
    };
    const outDir = mkdtempSync(join(tmpdir(), 'wt-artifact-pin-'));
    const err = await packageAgent({ targets: [built.target], outDir, runtimes: tampered, skipBuild: true, quiet: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/INTEGRITY MISMATCH for .* pins sha512-AAAA.* but the registry served sha512-/);
    await expect(loadArtifact(built.target, outDir)).rejects.toThrow(/no agent artifact/);
  });
});

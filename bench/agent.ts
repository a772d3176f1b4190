// The real agent's footprint: the one-file bundle against a real server (SQLite in a temp dir, one
// host created through the API), sampling /proc/<pid>/status VmRSS (and RssAnon, the private part)
// and the CPU time of every thread (/proc/<pid>/task/*/schedstat, in ns: clock ticks are too coarse
// for a few ms per cycle). By default at a 1 s cycle for ~20 s: a 1 s cycle does the same work as a
// 10 s one (collect, gzip, buffer to disk, send); BENCH_AGENT_INTERVAL=10 measures the real cycle,
// where a runtime's idle wake-ups count too. Start-up (the first 3 s) is excluded from CPU per cycle
// and from steady RSS (its peak is printed apart). The process scan costs per process, so the bench
// tops the machine up with idle `sleep` processes to BENCH_AGENT_PROCESSES (default 300, a server
// running a few services; a bare VM has ~100). Runtimes, each started as the artifact's command
// line starts it: the Node on this machine, Node LTS and Bun both taken from the npm registry by
// scripts/package-agent.ts (integrity-checked) — the figures behind `ship` in resources/runtimes.json.
//
//   npm run bench:agent            (BENCH_AGENT_SECONDS: steady window, default 20 cycles;
//                                   BENCH_AGENT_RUNTIMES=bun,node-npm,node-local to pick;
//                                   BENCH_AGENT_INTERVAL=10 for the real cycle;
//                                   BENCH_AGENT_PROCESSES=300 processes on the machine during the run)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArtifact, localPlatform, targetFor } from '../core/deploy/artifacts.js';
import { packageAgent, readRuntimes, type RuntimeName } from '../scripts/package-agent.js';
import { createHosts, fmt, onCleanup, procRssMb, ROOT, runMain, sleep, spawnChild, startServer, tempDir } from './lib.js';

const STARTUP_MS = 3000;
// BENCH_AGENT_INTERVAL=10 runs the agent at its real cycle: idle costs of a runtime (timers, GC)
// count per second, not per cycle, so the 1-s cycle can flatter or penalize a runtime.
const INTERVAL_S = Number(process.env.BENCH_AGENT_INTERVAL ?? 1);
const STEADY_MS = Number(process.env.BENCH_AGENT_SECONDS ?? 20 * INTERVAL_S) * 1000;
const TARGET = { rssMb: 32, cpuMsPerCycle: 5 };
const PROCESSES = Number(process.env.BENCH_AGENT_PROCESSES ?? 300);

const processCount = () => readdirSync('/proc').filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57).length;

/** Idle processes until the machine has `total`; returns how many were added (killed at exit). */
function topUpProcesses(total: number): number {
  const add = Math.max(0, total - processCount());
  for (let i = 0; i < add; i++) {
    const p = spawn('sleep', ['86400'], { stdio: 'ignore' });
    onCleanup(() => p.kill());
  }
  return add;
}

/** CPU time of all of a process's threads, in ms (schedstat: ns on the CPU). */
function procCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

function procRssAnonMb(pid: number): number {
  const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Footprint {
  runtime: string;
  rssFinal: number;
  /** Private (anonymous) part of the final RSS; the rest is the runtime binary's clean file pages. */
  anonFinal: number;
  /** Highest RSS in the steady window (after start-up). */
  rssMax: number;
  /** Highest RSS during start-up (the first STARTUP_MS). */
  rssStartupPeak: number;
  cpuPerCycle: number;
  cpuStartup: number;
  cycles: number;
  acks: number;
  samplesPerBatch: number;
  warnings: string[];
}

async function measure(runtime: string, argv: string[], serverUrl: string, token: string): Promise<Footprint> {
  const dataDir = tempDir('wt-bench-agent-');
  const cycleTimes: number[] = [];
  const warnings: string[] = [];
  let acks = 0;
  let samplesPerBatch = 0;
  const t0 = performance.now();
  const args = [
    '--server',
    serverUrl,
    '--token',
    token,
    '--interval',
    String(INTERVAL_S),
    '--data-dir',
    dataDir,
    '--log-level',
    'debug',
    // The agent scans processes every 30 s, every 3rd cycle at its default 10-s interval; at a
    // 1-s cycle the same ratio is a 3-s scan interval, so CPU per cycle stays comparable.
    '--process-interval',
    String(3 * INTERVAL_S),
  ];
  const agent = spawnChild(argv[0]!, [...argv.slice(1), ...args], { ...process.env }, (line) => {
    let entry: { msg?: string; level?: string; samples?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (entry.msg === 'batch buffered') {
      cycleTimes.push(performance.now() - t0);
      samplesPerBatch = entry.samples ?? samplesPerBatch;
    } else if (entry.msg === 'batch acknowledged') acks++;
    else if (entry.level === 'warn' || entry.level === 'error') warnings.push(line.slice(0, 300));
  });

  let rssMax = 0;
  let rssStartupPeak = 0;
  let cpuStart = NaN;
  let t = 0;
  while (t < STARTUP_MS + STEADY_MS) {
    await sleep(200);
    if (agent.proc.exitCode !== null || agent.proc.signalCode !== null) {
      throw new Error(`${runtime} agent exited (${agent.proc.exitCode ?? agent.proc.signalCode}):\n${agent.tail()}`);
    }
    t = performance.now() - t0;
    const rss = procRssMb(agent.pid);
    if (t < STARTUP_MS) rssStartupPeak = Math.max(rssStartupPeak, rss);
    else rssMax = Math.max(rssMax, rss);
    if (Number.isNaN(cpuStart) && t >= STARTUP_MS) cpuStart = procCpuMs(agent.pid);
  }
  const cpuEnd = procCpuMs(agent.pid);
  const rssFinal = procRssMb(agent.pid);
  const anonFinal = procRssAnonMb(agent.pid);
  const end = performance.now() - t0;
  await agent.stop(5000);
  // Cycles that ran inside the window whose CPU time we took.
  const cycles = cycleTimes.filter((t) => t >= STARTUP_MS && t < end).length;
  return {
    runtime,
    rssFinal,
    anonFinal,
    rssMax,
    rssStartupPeak,
    cpuPerCycle: (cpuEnd - cpuStart) / Math.max(1, cycles),
    cpuStartup: cpuStart,
    cycles,
    acks,
    samplesPerBatch,
    warnings,
  };
}

function report(f: Footprint): string {
  console.log(
    `${f.runtime}: ${f.cycles} cycles in the ${STEADY_MS / 1000} s window (${f.samplesPerBatch} samples per batch, ${f.acks} batches acknowledged in total); ` +
      `start-up: ${fmt(f.cpuStartup, 0)} ms CPU and RSS up to ${fmt(f.rssStartupPeak)} MB in the first ${STARTUP_MS / 1000} s`,
  );
  const rssOk = f.rssMax <= TARGET.rssMb;
  const cpuOk = f.cpuPerCycle <= TARGET.cpuMsPerCycle;
  console.log(
    `${f.runtime}: targets steady RSS ≤ ${TARGET.rssMb} MB: ${rssOk ? 'met' : 'MISSED'}; CPU ≤ ${TARGET.cpuMsPerCycle} ms per cycle: ${cpuOk ? 'met' : 'MISSED'}` +
      (f.warnings.length ? `; agent warnings: ${f.warnings.length}, first: ${f.warnings[0]}` : ''),
  );
  return `RSS steady ${fmt(f.rssFinal)} MB (max ${fmt(f.rssMax)} MB; anonymous ${fmt(f.anonFinal)} MB), CPU ${fmt(f.cpuPerCycle)} ms per cycle`;
}

/** One runtime's artifact for this host, built (or reused from the cache) in its own folder. */
async function artifact(name: RuntimeName): Promise<{ runtime: string; version: string; argv: string[] }> {
  const target = targetFor(localPlatform());
  const outDir = join(ROOT, `dist/bench-artifacts/${name}`);
  await packageAgent({ targets: [target], runtime: name, outDir, skipBuild: true, quiet: true });
  const a = await loadArtifact(target, outDir);
  // Exactly the deployer's command line, minus its --config (the bench passes flags instead).
  return { runtime: a.runtime.file, version: a.runtime.version, argv: a.command(a.runtime.file, a.bundle.file, '-').slice(0, -2) };
}

runMain('bench:agent', 120_000 + 3 * (STARTUP_MS + STEADY_MS + 5000), async () => {
  if (!existsSync(join(ROOT, 'dist/agent.mjs'))) throw new Error('dist/agent.mjs is missing: run npm run build');
  const wanted = (process.env.BENCH_AGENT_RUNTIMES ?? 'node-local,node-npm,bun').split(',');
  const server = await startServer({ dataDir: tempDir('wt-bench-agent-server-') });
  const added = topUpProcesses(PROCESSES);
  const [host] = await createHosts(server.url, 1, 'agent-bench');
  console.log(
    `server ${server.url}, ingest ${server.ingestUrl} (SQLite); agent bundle at --interval ${INTERVAL_S}; start-up ${STARTUP_MS / 1000} s excluded, steady window ${STEADY_MS / 1000} s; ` +
      `shipped runtime (resources/runtimes.json): ${readRuntimes().ship}; ${processCount()} processes on the machine (${added} idle ones added)`,
  );

  const lines: string[] = [];
  for (const which of wanted) {
    let label: string;
    let argv: string[];
    if (which === 'node-local') {
      const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '--lite-mode').split(' ').filter(Boolean);
      label = `node ${process.version} (this machine) ${nodeArgs.join(' ')}`.trim();
      argv = [process.execPath, ...nodeArgs, join(ROOT, 'dist/agent.mjs')];
    } else if (which === 'node-npm' || which === 'bun') {
      const a = await artifact(which === 'bun' ? 'bun' : 'node');
      argv = a.argv;
      label = `${which === 'bun' ? 'bun' : 'node'} v${a.version} (npm artifact: ${argv.filter((x) => x.startsWith('-') || x.includes('=')).join(' ')})`;
    } else throw new Error(`unknown runtime "${which}" in BENCH_AGENT_RUNTIMES (node-local, node-npm, bun)`);
    const f = await measure(label, argv, server.ingestUrl, host!.token);
    lines.push(`agent (${label}): ${report(f)}`);
  }
  await server.stop();
  console.log('');
  for (const l of lines) console.log(l);
});

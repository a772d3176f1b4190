// The real agent's footprint: dist/agent.mjs against a real server (SQLite in a temp dir, one host
// created through the API) at a 1 s cycle for ~20 s, sampling /proc/<pid>/status VmRSS and
// /proc/<pid>/stat utime+stime. A 1 s cycle does the same work as a 10 s one (collect, gzip,
// buffer to disk, send), so CPU per cycle transfers. Start-up (the first 3 s) is excluded from
// CPU per cycle. Then the same under Bun when a Bun binary is present (never installed here).
//
//   npm run bench:agent            (BENCH_AGENT_SECONDS to change the 20 s steady window)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHosts, fmt, procCpuMs, procRssMb, ROOT, runMain, sleep, spawnChild, startServer, tempDir } from './lib.js';

const STARTUP_MS = 3000;
const STEADY_MS = Number(process.env.BENCH_AGENT_SECONDS ?? 20) * 1000;
const TARGET = { rssMb: 45, cpuMsPerCycle: 10 };

interface Footprint {
  runtime: string;
  rssFinal: number;
  rssMax: number;
  rssStartup: number;
  cpuPerCycle: number;
  cpuStartup: number;
  cycles: number;
  acks: number;
  samplesPerBatch: number;
  warnings: string[];
}

async function measure(runtime: string, cmd: string, serverUrl: string, token: string): Promise<Footprint> {
  const dataDir = tempDir('wt-bench-agent-');
  const cycleTimes: number[] = [];
  const warnings: string[] = [];
  let acks = 0;
  let samplesPerBatch = 0;
  const t0 = performance.now();
  const args = [
    join(ROOT, 'dist/agent.mjs'),
    '--server',
    serverUrl,
    '--token',
    token,
    '--interval',
    '1',
    '--data-dir',
    dataDir,
    '--log-level',
    'debug',
    // The agent scans processes every 30 s, every 3rd cycle at its default 10-s interval; at this
    // bench's 1-s cycle the same ratio is a 3-s scan interval, so CPU per cycle stays comparable.
    '--process-interval',
    '3',
  ];
  // As `npm run agent` starts it: V8's lite mode (no optimizing compiler) saves ~6 MB of the
  // agent's RSS and, for its small steady workload, no CPU (measured 8.0 vs 9.5 ms per cycle).
  const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '--lite-mode').split(' ').filter(Boolean);
  const agent = spawnChild(cmd, cmd === process.execPath ? [...nodeArgs, ...args] : args, { ...process.env }, (line) => {
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
  let rssStartup = NaN;
  let cpuStart = NaN;
  let t = 0;
  while (t < STARTUP_MS + STEADY_MS) {
    await sleep(200);
    if (agent.proc.exitCode !== null || agent.proc.signalCode !== null) {
      throw new Error(`${runtime} agent exited (${agent.proc.exitCode ?? agent.proc.signalCode}):\n${agent.tail()}`);
    }
    t = performance.now() - t0;
    const rss = procRssMb(agent.pid);
    rssMax = Math.max(rssMax, rss);
    if (Number.isNaN(cpuStart) && t >= STARTUP_MS) {
      cpuStart = procCpuMs(agent.pid);
      rssStartup = rss;
    }
  }
  const cpuEnd = procCpuMs(agent.pid);
  const rssFinal = procRssMb(agent.pid);
  const end = performance.now() - t0;
  await agent.stop(5000);
  // Cycles that ran inside the window whose CPU time we took.
  const cycles = cycleTimes.filter((t) => t >= STARTUP_MS && t < end).length;
  return {
    runtime,
    rssFinal,
    rssMax,
    rssStartup,
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
      `start-up: ${fmt(f.cpuStartup, 0)} ms CPU in the first ${STARTUP_MS / 1000} s, RSS ${fmt(f.rssStartup)} MB at ${STARTUP_MS / 1000} s`,
  );
  const rssOk = f.rssMax <= TARGET.rssMb;
  const cpuOk = f.cpuPerCycle <= TARGET.cpuMsPerCycle;
  console.log(
    `${f.runtime}: targets RSS ≤ ${TARGET.rssMb} MB: ${rssOk ? 'met' : 'MISSED'}; CPU ≤ ${TARGET.cpuMsPerCycle} ms per cycle: ${cpuOk ? 'met' : 'MISSED'}` +
      (f.warnings.length ? `; agent warnings: ${f.warnings.length}, first: ${f.warnings[0]}` : ''),
  );
  return `RSS steady ${fmt(f.rssFinal)} MB (max ${fmt(f.rssMax)} MB), CPU ${fmt(f.cpuPerCycle)} ms per cycle`;
}

function findBun(): string | null {
  const local = join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun');
  if (existsSync(local)) return local;
  try {
    return execFileSync('which', ['bun'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

runMain('bench:agent', 90_000, async () => {
  if (!existsSync(join(ROOT, 'dist/agent.mjs'))) throw new Error('dist/agent.mjs is missing: run npm run build');
  const server = await startServer({ dataDir: tempDir('wt-bench-agent-server-') });
  const [host] = await createHosts(server.url, 1, 'agent-bench');
  console.log(
    `server ${server.url} (SQLite); agent: dist/agent.mjs --interval 1; start-up ${STARTUP_MS / 1000} s excluded, steady window ${STEADY_MS / 1000} s`,
  );

  const lines: string[] = [];
  const node = await measure(
    `node ${process.version} ${process.env.BENCH_AGENT_NODE_ARGS ?? '--lite-mode'}`.trim(),
    process.execPath,
    server.url,
    host!.token,
  );
  lines.push(`agent (node ${process.version}): ${report(node)}`);

  const bun = findBun();
  if (bun) {
    const version = execFileSync(bun, ['--version'], { encoding: 'utf8' }).trim();
    const f = await measure(`bun v${version}`, bun, server.url, host!.token);
    lines.push(`agent (bun v${version}): ${report(f)}`);
  } else {
    lines.push('agent (bun): skipped — no Bun binary installed (the deployer issue brings it)');
  }
  await server.stop();
  console.log('');
  for (const l of lines) console.log(l);
});

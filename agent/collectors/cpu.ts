import { join } from 'node:path';
import type { Collector, Point } from './types.js';
import { LabelCache, pushFinite, readText } from './util.js';

/**
 * Jiffies in /proc/stat order: user nice system idle iowait irq softirq steal. guest and guest_nice
 * are already counted inside user and nice, so they are left out of the total.
 */
const FIELDS = 8;
const IDLE = 3;
const IOWAIT = 4;

export interface CpuLine {
  /** 'total' for the aggregate line, '0', '1', … per core. */
  cpu: string;
  times: number[];
}

export interface ProcStat {
  cpus: CpuLine[];
  procsRunning: number | undefined;
}

export function parseProcStat(text: string): ProcStat {
  const cpus: CpuLine[] = [];
  let procsRunning: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu')) {
      const parts = line.split(/\s+/);
      const id = parts[0] ?? '';
      const times = new Array<number>(FIELDS);
      for (let i = 0; i < FIELDS; i++) times[i] = Number(parts[i + 1] ?? 0); // old kernels lack steal
      cpus.push({ cpu: id === 'cpu' ? 'total' : id.slice(3), times });
    } else if (line.startsWith('procs_running ')) {
      procsRunning = Number(line.slice(14));
    }
  }
  return { cpus, procsRunning };
}

export interface CpuPercents {
  usage: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
}

/** Percent of the elapsed jiffies per state, or undefined when the counters went backwards. */
export function cpuPercents(before: readonly number[], after: readonly number[]): CpuPercents | undefined {
  const d = new Array<number>(FIELDS);
  let total = 0;
  for (let i = 0; i < FIELDS; i++) {
    let x = (after[i] ?? 0) - (before[i] ?? 0);
    if (x < 0) {
      // NO_HZ kernels let idle and iowait step back a little; anything else is a reboot or a wrap.
      if (i !== IDLE && i !== IOWAIT) return undefined;
      x = 0;
    }
    d[i] = x;
    total += x;
  }
  if (!(total > 0)) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = d;
  const pct = 100 / total;
  return {
    // iowait is idle time with I/O pending: the CPU could have run other work, so it is not busy.
    usage: (total - idle - iowait) * pct,
    user: (user + nice) * pct,
    system: (system + irq + softirq) * pct,
    iowait: iowait * pct,
    steal: steal * pct,
  };
}

const cpuLabels = (cpu: string): Record<string, string> => ({ cpu });

export function createCpuCollector(): Collector {
  let prev = new Map<string, number[]>();
  const labels = new LabelCache();
  return {
    name: 'cpu',
    collect(ctx) {
      const stat = parseProcStat(readText(join(ctx.procRoot, 'stat')));
      const out: Point[] = [];
      if (stat.procsRunning !== undefined) pushFinite(out, { name: 'system.procs_running', value: stat.procsRunning });
      const next = new Map<string, number[]>();
      for (const { cpu, times } of stat.cpus) {
        next.set(cpu, times);
        const before = prev.get(cpu);
        const p = before && cpuPercents(before, times);
        if (!p) continue;
        const l = labels.get(cpu, cpuLabels);
        pushFinite(out, { name: 'cpu.usage', labels: l, value: p.usage });
        pushFinite(out, { name: 'cpu.user', labels: l, value: p.user });
        pushFinite(out, { name: 'cpu.system', labels: l, value: p.system });
        pushFinite(out, { name: 'cpu.iowait', labels: l, value: p.iowait });
        pushFinite(out, { name: 'cpu.steal', labels: l, value: p.steal });
      }
      prev = next;
      labels.sweep();
      return out;
    },
  };
}

import { join } from 'node:path';
import type { Collector, Point } from './types.js';
import { pushFinite, readText } from './util.js';

/** The /proc/meminfo figures the agent uses, in bytes. */
export interface Meminfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

const WANTED = new Set(['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree']);

export function parseMeminfo(text: string): Meminfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (WANTED.has(key)) kb.set(key, parseInt(line.slice(colon + 1), 10)); // "  1234 kB"
  }
  const total = kb.get('MemTotal');
  if (total === undefined || !Number.isFinite(total)) throw new Error('meminfo: no MemTotal');
  // MemAvailable exists since Linux 3.14; before that free + buffers + cache is the usual estimate.
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return {
    total: total * 1024,
    available: available * 1024,
    swapTotal: (kb.get('SwapTotal') ?? 0) * 1024,
    swapFree: (kb.get('SwapFree') ?? 0) * 1024,
  };
}

export function memoryPoints(m: Meminfo): Point[] {
  const used = Math.max(0, m.total - m.available);
  const swapUsed = Math.max(0, m.swapTotal - m.swapFree);
  const out: Point[] = [];
  pushFinite(out, { name: 'mem.total', value: m.total });
  pushFinite(out, { name: 'mem.used', value: used });
  pushFinite(out, { name: 'mem.available', value: m.available });
  if (m.total > 0) pushFinite(out, { name: 'mem.used_percent', value: (used / m.total) * 100 });
  pushFinite(out, { name: 'swap.total', value: m.swapTotal });
  pushFinite(out, { name: 'swap.used', value: swapUsed });
  pushFinite(out, { name: 'swap.used_percent', value: m.swapTotal > 0 ? (swapUsed / m.swapTotal) * 100 : 0 });
  return out;
}

export function createMemoryCollector(): Collector {
  return {
    name: 'memory',
    collect: (ctx) => memoryPoints(parseMeminfo(readText(join(ctx.procRoot, 'meminfo')))),
  };
}

import { join } from 'node:path';
import type { Collector, Point } from './types.js';
import { pushFinite, readSmallText } from './util.js';

export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
  /** Runnable scheduling entities (threads) at the moment of reading. */
  running: number;
  /** All scheduling entities (processes and threads). */
  total: number;
}

/** "0.11 0.38 0.23 1/133 6121" */
export function parseLoadavg(text: string): Loadavg {
  const [l1, l5, l15, rt = ''] = text.trim().split(/\s+/);
  const slash = rt.indexOf('/');
  return {
    load1: Number(l1),
    load5: Number(l5),
    load15: Number(l15),
    running: slash > 0 ? Number(rt.slice(0, slash)) : NaN,
    total: slash > 0 ? Number(rt.slice(slash + 1)) : NaN,
  };
}

export function createLoadCollector(): Collector {
  return {
    name: 'load',
    collect(ctx) {
      const l = parseLoadavg(readSmallText(join(ctx.procRoot, 'loadavg')));
      const out: Point[] = [];
      pushFinite(out, { name: 'load.1', value: l.load1 });
      pushFinite(out, { name: 'load.5', value: l.load5 });
      pushFinite(out, { name: 'load.15', value: l.load15 });
      pushFinite(out, { name: 'system.processes', value: l.total });
      return out;
    },
  };
}

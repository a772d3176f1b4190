import { join } from 'node:path';
import type { Collector, Point } from './types.js';
import { pushFinite, readSmallText } from './util.js';

/** "456.58 660.07": seconds since boot, then idle seconds summed over all CPUs. */
export function parseUptime(text: string): number {
  return parseFloat(text);
}

export function createUptimeCollector(): Collector {
  return {
    name: 'uptime',
    collect(ctx) {
      const out: Point[] = [];
      pushFinite(out, { name: 'system.uptime', value: parseUptime(readSmallText(join(ctx.procRoot, 'uptime'))) });
      return out;
    },
  };
}

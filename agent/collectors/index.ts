import { createCpuCollector } from './cpu.js';
import { createDiskCollector, type DiskCollectorOptions } from './disk.js';
import { createLoadCollector } from './load.js';
import { createMemoryCollector } from './memory.js';
import { createNetworkCollector, type NetworkCollectorOptions } from './network.js';
import type { Collector, CollectorContext, Point } from './types.js';
import { createUptimeCollector } from './uptime.js';

export type { Collector, CollectorContext, Point } from './types.js';
export { createProcessCollector, type ProcessCollector, type ProcessCollectorOptions } from './processes.js';
export { createLogTailer, type LogPosition, type LogTailer, type LogTailerOptions } from './logs.js';
export { readInventory } from './inventory.js';

export interface CollectorsOptions {
  disk?: DiskCollectorOptions;
  network?: NetworkCollectorOptions;
  /** Collector names to leave out ('cpu', 'memory', 'disk', 'network', 'load', 'uptime'). */
  disable?: readonly string[];
}

/** Every Point collector, each with its own state; create one set per agent. */
export function createCollectors(opts: CollectorsOptions = {}): Collector[] {
  const all = [
    createCpuCollector(),
    createMemoryCollector(),
    createDiskCollector(opts.disk),
    createNetworkCollector(opts.network),
    createLoadCollector(),
    createUptimeCollector(),
  ];
  return opts.disable ? all.filter((c) => !opts.disable!.includes(c.name)) : all;
}

/** The context for the machine the agent runs on; a containerised agent passes /host paths instead. */
export function hostContext(now = Date.now(), roots: Partial<Omit<CollectorContext, 'now'>> = {}): CollectorContext {
  return { procRoot: roots.procRoot ?? '/proc', sysRoot: roots.sysRoot ?? '/sys', rootfs: roots.rootfs ?? '', now };
}

/**
 * Runs every collector; one that throws is reported through `onError` (once per cycle) and the
 * others still contribute, so a missing /proc file costs its metrics, not the whole sample.
 */
export function collectAll(
  collectors: readonly Collector[],
  ctx: CollectorContext,
  onError: (collector: string, err: unknown) => void = () => {},
): Point[] {
  const out: Point[] = [];
  for (const c of collectors) {
    let points: Point[];
    try {
      points = c.collect(ctx);
    } catch (err) {
      onError(c.name, err);
      continue;
    }
    for (const p of points) out.push(p);
  }
  return out;
}

// Runs every collector against this machine's real /proc and /sys: the formats we parse are the
// kernel's, not only our fixtures'.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../shared/metrics.js';
import { inventorySchema, processSchema } from '../../shared/protocol/v1.js';
import { collectAll, createCollectors, createProcessCollector, hostContext, readInventory } from './index.js';

const linux = existsSync('/proc/stat');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(linux)('collectors on the real /proc', () => {
  it('produce finite values in range', async () => {
    const collectors = createCollectors();
    const procs = createProcessCollector({ top: 5 });
    const errors: unknown[] = [];
    collectAll(collectors, hostContext(), (_, e) => errors.push(e));
    procs.collect(hostContext());
    await sleep(300);
    const points = collectAll(collectors, hostContext(), (_, e) => errors.push(e));
    expect(errors).toEqual([]);
    const names = new Set(points.map((p) => p.name));
    for (const n of ['cpu.usage', 'mem.used_percent', 'load.1', 'system.uptime', 'system.processes', 'system.procs_running'] as const)
      expect(names.has(n), n).toBe(true);
    for (const p of points) {
      expect(Number.isFinite(p.value), p.name).toBe(true);
      expect(p.value, p.name).toBeGreaterThanOrEqual(0);
      if (METRICS[p.name].unit === 'percent') expect(p.value, p.name).toBeLessThanOrEqual(100);
    }
    const top = procs.collect(hostContext());
    expect(top.length).toBeGreaterThan(0);
    for (const p of top) expect(processSchema.parse(p)).toEqual(p);
  });

  it('reads a valid inventory', () => {
    const inv = readInventory(hostContext());
    expect(inventorySchema.parse(inv)).toEqual(inv);
    expect(inv.memoryBytes).toBeGreaterThan(0);
  });
});

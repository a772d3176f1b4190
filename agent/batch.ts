// Builds a wire batch (shared/protocol) from one cycle's points: one series per point, columnar.
import type { AgentEvent, Batch, Inventory, ProcessInfo } from '../shared/protocol/v1.js';
import { PROTOCOL_VERSION } from '../shared/protocol/wire.js';
import { VERSION } from '../shared/version.js';
import type { Point } from './collectors/index.js';
import { gzip } from './runtime.js';

export interface CycleData {
  now: number;
  intervalMs: number;
  points: Point[];
  events: AgentEvent[];
  processes?: ProcessInfo[];
  inventory?: Inventory;
}

export function buildBatch(c: CycleData): Batch {
  const batch: Batch = {
    v: PROTOCOL_VERSION,
    batchId: crypto.randomUUID(), // the global Web Crypto: node:crypto costs Bun ~7 MB
    agent: { version: VERSION, intervalMs: c.intervalMs },
    series: c.points.map((p) => ({ name: p.name, ...(p.labels ? { labels: p.labels } : {}), ts: [c.now], values: [p.value] })),
    events: c.events,
  };
  if (c.processes?.length) batch.processes = c.processes;
  if (c.inventory) batch.inventory = c.inventory;
  return batch;
}

export function sampleCount(b: Batch): number {
  let n = 0;
  for (const s of b.series) n += s.ts.length;
  return n;
}

export const encodeBatch = (b: Batch): Buffer => gzip(JSON.stringify(b));

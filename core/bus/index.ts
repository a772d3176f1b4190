// Picks the coordination backend from config: Redis when a URL is given (team mode), else in-process.
import type { BusLog, Coordination } from './types.js';

export interface CoordinationOptions {
  /** redis://… for team mode; absent means local mode. */
  redisUrl?: string;
  /** Redis key and channel namespace (default 'watchtower:'); ignored in local mode. */
  prefix?: string;
  log?: BusLog;
}

export async function openCoordination(opts: CoordinationOptions): Promise<Coordination> {
  if (opts.redisUrl) {
    // Loaded on demand so local mode never loads ioredis.
    const { openRedisCoordination } = await import('./redis/coordination.js');
    return openRedisCoordination({ url: opts.redisUrl, prefix: opts.prefix, log: opts.log });
  }
  const { MemoryCoordination } = await import('./memory/coordination.js');
  return new MemoryCoordination({ log: opts.log });
}

export type { BusLog, Coordination, Schedule, ScheduledItem } from './types.js';

import type { KnownMetric } from '../../shared/metrics.js';

/** One sample in the wire shape of shared/protocol/v1.ts; the caller stamps the timestamp. */
export interface Point {
  name: KnownMetric;
  /** Collectors reuse one labels object per series across cycles: treat it as read-only. */
  labels?: Record<string, string>;
  value: number;
}

export interface CollectorContext {
  /** Where procfs is mounted: '/proc' in production, a fixture tree in tests. */
  procRoot: string;
  /** Where sysfs is mounted: '/sys' in production. */
  sysRoot: string;
  /** Prefix for paths on the host file system (statfs, /etc): '' in production. */
  rootfs: string;
  /** Milliseconds; rate collectors divide counter deltas by the difference between calls. */
  now: number;
}

export interface Collector {
  name: string;
  collect(ctx: CollectorContext): Point[];
}

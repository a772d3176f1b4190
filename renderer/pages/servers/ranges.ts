// The time-range picker's choices and what each asks the API for. Ranges up to 6 hours read raw
// samples and keep updating live; longer ones read 1-minute rollups (the server switches at the same
// 6 hours), at a step that keeps each chart near a thousand points.
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RAW_RANGE_LIMIT = 6 * HOUR;
const MAX_POINTS = 1200;
const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400].map((s) => s * SECOND);

export const RANGES = [
  { key: '15m', label: '15 min', ms: 15 * MINUTE },
  { key: '1h', label: '1 hour', ms: HOUR },
  { key: '6h', label: '6 hours', ms: 6 * HOUR },
  { key: '24h', label: '24 hours', ms: DAY },
  { key: '7d', label: '7 days', ms: 7 * DAY },
  { key: '30d', label: '30 days', ms: 30 * DAY },
] as const;

export type RangeKey = (typeof RANGES)[number]['key'];

export interface RangeQuery {
  from: number;
  to: number;
  step: number;
  source: 'raw' | 'rollup';
  /** Whether live samples are appended (raw ranges only: rollups arrive once a minute). */
  live: boolean;
}

export function isRangeKey(k: string | null): k is RangeKey {
  return RANGES.some((r) => r.key === k);
}

/** The smallest nice step that keeps the range under MAX_POINTS (rollups: never below a minute). */
export function stepFor(rangeMs: number): number {
  const floor = rangeMs > RAW_RANGE_LIMIT ? MINUTE : SECOND;
  return NICE_STEPS.find((s) => s >= floor && rangeMs / s <= MAX_POINTS) ?? NICE_STEPS[NICE_STEPS.length - 1]!;
}

export function rangeQuery(key: RangeKey, now: number): RangeQuery {
  const ms = RANGES.find((r) => r.key === key)!.ms;
  const step = stepFor(ms);
  // Align `to` to the step so a refetch asks for the same buckets.
  const to = Math.ceil(now / step) * step;
  const source = ms > RAW_RANGE_LIMIT ? 'rollup' : 'raw';
  return { from: to - ms, to, step, source, live: source === 'raw' };
}

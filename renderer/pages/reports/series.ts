// Incident stats → chart series. The stats procedure groups by day, by rule or by host over one
// window; "per rule over time" is one by-rule call per time bucket, turned here into one line per
// rule. Times are in minutes (what people compare response times in), x in seconds (uPlot's unit).
import type { Output } from '../../../shared/contract/index.js';

export type Stat = Output<'incidentStats'>['stats'][number];
export type Metric = 'meanTimeToAcknowledge' | 'meanTimeToResolve';
export const METRIC_LABEL: Record<Metric, string> = { meanTimeToAcknowledge: 'Time to acknowledge', meanTimeToResolve: 'Time to resolve' };

const DAY = 86_400_000;
export const REPORT_RANGES = {
  '7d': { days: 7, bucketDays: 1 },
  '30d': { days: 30, bucketDays: 3 },
  '90d': { days: 90, bucketDays: 7 },
} as const;
export type ReportRange = keyof typeof REPORT_RANGES;

export interface Bucket {
  from: number;
  to: number;
}
export interface ChartSeries {
  label: string;
  values: (number | null)[];
}
export interface ChartData {
  /** Bucket starts, seconds since epoch. */
  x: number[];
  series: ChartSeries[];
}

/** Whole UTC days ending with today, cut into buckets of the range's size (the last one ends tomorrow 00:00). */
export function buckets(range: ReportRange, now: number): Bucket[] {
  const { days, bucketDays } = REPORT_RANGES[range];
  const end = Math.floor(now / DAY) * DAY + DAY;
  const start = end - days * DAY;
  const out: Bucket[] = [];
  for (let from = start; from < end; from += bucketDays * DAY) out.push({ from, to: Math.min(end, from + bucketDays * DAY) });
  return out;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);

/** by=day stats → one point per day of the range (null on days without incidents, so lines break). */
export function overTime(stats: readonly Stat[], range: ReportRange, now: number): ChartData {
  const byDay = new Map(stats.map((s) => [Number(s.group), s]));
  const { days } = REPORT_RANGES[range];
  const end = Math.floor(now / DAY) * DAY + DAY;
  const x: number[] = [];
  const mtta: (number | null)[] = [];
  const mttr: (number | null)[] = [];
  for (let day = end - days * DAY; day < end; day += DAY) {
    const s = byDay.get(day);
    x.push(day / 1000);
    mtta.push(minutes(s?.meanTimeToAcknowledge ?? null));
    mttr.push(minutes(s?.meanTimeToResolve ?? null));
  }
  return {
    x,
    series: [
      { label: METRIC_LABEL.meanTimeToAcknowledge, values: mtta },
      { label: METRIC_LABEL.meanTimeToResolve, values: mttr },
    ],
  };
}

/**
 * One by-rule (or by-host) result per bucket → one line per group, the `top` groups with the most
 * incidents over the whole range (more lines than that cannot be told apart).
 */
export function perGroup(
  perBucket: readonly { bucket: Bucket; stats: readonly Stat[] }[],
  metric: Metric,
  label: (group: string) => string,
  top = 6,
): ChartData & { omitted: number } {
  const totals = new Map<string, number>();
  for (const { stats } of perBucket) for (const s of stats) totals.set(s.group, (totals.get(s.group) ?? 0) + s.incidents);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([g]) => g);
  const shown = ranked.slice(0, top);
  return {
    x: perBucket.map((b) => b.bucket.from / 1000),
    series: shown.map((g) => ({
      label: label(g),
      values: perBucket.map(({ stats }) => minutes(stats.find((s) => s.group === g)?.[metric] ?? null)),
    })),
    omitted: ranked.length - shown.length,
  };
}

/** A duration in ms as a person reads it in a table: "42 s", "12.5 min", "3.2 h". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

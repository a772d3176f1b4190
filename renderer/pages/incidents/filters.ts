// Incident list filters: the URL query holds them (so a filtered view can be bookmarked and shared)
// and the list procedure gets them as its input. Live changes reach the list through the query
// cache (renderer/live/cache.ts patches every listIncidents query by its input).
import type { Input } from '../../../shared/contract/index.js';

export const STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Status = (typeof STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];

/** Time windows offered in the list, by how far back they reach. */
export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Range = keyof typeof RANGES | 'all';

export interface IncidentFilters {
  status: Status[];
  severity: Severity[];
  hostId: string | null;
  ruleId: string | null;
  range: Range;
}

/** Open incidents of any severity from the last 7 days: what someone on call looks at first. */
export const DEFAULT_FILTERS: IncidentFilters = {
  status: ['triggered', 'acknowledged'],
  severity: [],
  hostId: null,
  ruleId: null,
  range: '7d',
};

const listOf = <T extends string>(raw: string | null, allowed: readonly T[]): T[] =>
  (raw ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));

/** Filters from the URL query; absent keys take the defaults, unknown values are dropped. */
export function filtersFromQuery(q: URLSearchParams): IncidentFilters {
  const range = q.get('range');
  return {
    status: q.has('status') ? listOf(q.get('status'), STATUSES) : DEFAULT_FILTERS.status,
    severity: listOf(q.get('severity'), SEVERITIES),
    hostId: q.get('host') || null,
    ruleId: q.get('rule') || null,
    range: range === 'all' || (range !== null && range in RANGES) ? (range as Range) : DEFAULT_FILTERS.range,
  };
}

/** The URL query for `f` (as updates for setQuery: null removes a key). "Any status" is status=any (an empty value would read as the default). */
export function filtersToQuery(f: IncidentFilters): Record<string, string | null> {
  const sameStatus = f.status.length === DEFAULT_FILTERS.status.length && f.status.every((s) => DEFAULT_FILTERS.status.includes(s));
  return {
    status: sameStatus ? null : f.status.length ? f.status.join(',') : 'any',
    severity: f.severity.length ? f.severity.join(',') : null,
    host: f.hostId,
    rule: f.ruleId,
    range: f.range === DEFAULT_FILTERS.range ? null : f.range,
  };
}

/** The list procedure's input. An empty status or severity list means "any". */
export function toListInput(f: IncidentFilters, now: number, limit = 200): Input<'listIncidents'> {
  return {
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.severity.length ? { severity: f.severity } : {}),
    ...(f.hostId ? { hostId: f.hostId } : {}),
    ...(f.ruleId ? { ruleId: f.ruleId } : {}),
    ...(f.range !== 'all' ? { from: rangeStart(f.range, now) } : {}),
    limit,
  };
}

/** Start of a window rounded down to the minute, so the query key (and cache) holds for a minute. */
export function rangeStart(range: keyof typeof RANGES, now: number): number {
  return Math.floor((now - RANGES[range]) / 60_000) * 60_000;
}

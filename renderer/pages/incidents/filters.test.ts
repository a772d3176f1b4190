import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, filtersFromQuery, filtersToQuery, rangeStart, toListInput, type IncidentFilters } from './filters.js';

const NOW = Date.UTC(2026, 10, 25, 12, 34, 56);

describe('incident filters', () => {
  it('an empty query means open incidents of the last 7 days', () => {
    const f = filtersFromQuery(new URLSearchParams(''));
    expect(f).toEqual(DEFAULT_FILTERS);
    expect(toListInput(f, NOW)).toEqual({ status: ['triggered', 'acknowledged'], from: rangeStart('7d', NOW), limit: 200 });
  });

  it('every filter reaches the list input', () => {
    const f = filtersFromQuery(new URLSearchParams('status=resolved&severity=critical,warning&host=h1&rule=r9&range=1h'));
    expect(toListInput(f, NOW)).toEqual({
      status: ['resolved'],
      severity: ['critical', 'warning'],
      hostId: 'h1',
      ruleId: 'r9',
      from: Date.UTC(2026, 10, 25, 11, 34),
      limit: 200,
    });
  });

  it('"any status" (status=any) and "all time" send no status and no lower bound', () => {
    const f = filtersFromQuery(new URLSearchParams('status=any&range=all'));
    expect(f.status).toEqual([]);
    expect(toListInput(f, NOW)).toEqual({ limit: 200 });
  });

  it('drops values the API would refuse instead of sending them', () => {
    const f = filtersFromQuery(new URLSearchParams('status=open,resolved&severity=fatal&range=2y'));
    expect(f).toMatchObject({ status: ['resolved'], severity: [], range: '7d' });
  });

  it('round-trips through the URL, leaving defaults out of it', () => {
    const f: IncidentFilters = { status: [], severity: ['info'], hostId: 'h2', ruleId: null, range: '30d' };
    const q = filtersToQuery(f);
    expect(q).toEqual({ status: 'any', severity: 'info', host: 'h2', rule: null, range: '30d' });
    const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== null));
    expect(filtersFromQuery(params)).toEqual(f);
    expect(filtersToQuery(DEFAULT_FILTERS)).toEqual({ status: null, severity: null, host: null, rule: null, range: null });
  });

  it('the window start is stable within a minute, so the list is not refetched every render', () => {
    expect(rangeStart('24h', NOW)).toBe(rangeStart('24h', NOW + 2_000));
    expect(rangeStart('24h', NOW)).toBe(Date.UTC(2026, 10, 24, 12, 34));
  });
});

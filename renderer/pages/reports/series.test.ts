import { describe, expect, it } from 'vitest';
import { buckets, formatMs, overTime, perGroup, type Stat } from './series.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 15, 0);
const TODAY = Date.UTC(2026, 10, 25);
const stat = (group: string, incidents: number, mtta: number | null, mttr: number | null): Stat => ({
  group,
  incidents,
  acknowledged: mtta === null ? 0 : incidents,
  resolved: mttr === null ? 0 : incidents,
  meanTimeToAcknowledge: mtta,
  meanTimeToResolve: mttr,
});

describe('reports: stats → chart series', () => {
  it('by day: one point per day of the range, in minutes, gaps as null', () => {
    const data = overTime([stat(String(TODAY - 2 * DAY), 3, 90_000, 1_800_000), stat(String(TODAY), 1, null, null)], '7d', NOW);
    expect(data.x).toHaveLength(7);
    expect(data.x[0]).toBe((TODAY - 6 * DAY) / 1000);
    expect(data.x[6]).toBe(TODAY / 1000);
    expect(data.series.map((s) => s.label)).toEqual(['Time to acknowledge', 'Time to resolve']);
    expect(data.series[0]!.values).toEqual([null, null, null, null, 1.5, null, null]);
    expect(data.series[1]!.values).toEqual([null, null, null, null, 30, null, null]);
  });

  it('buckets cover the range in whole UTC days up to the end of today', () => {
    const b = buckets('30d', NOW);
    expect(b).toHaveLength(10);
    expect(b[0]!.from).toBe(TODAY + DAY - 30 * DAY);
    expect(b.at(-1)!.to).toBe(TODAY + DAY);
    for (let i = 1; i < b.length; i++) expect(b[i]!.from).toBe(b[i - 1]!.to);
  });

  it('per rule: one line per rule, the busiest first, named, the rest counted as omitted', () => {
    const [b1, b2] = buckets('7d', NOW);
    const data = perGroup(
      [
        { bucket: b1!, stats: [stat('r1', 2, 60_000, 600_000), stat('r2', 5, 120_000, null), stat('r3', 1, 6_000, 6_000)] },
        { bucket: b2!, stats: [stat('r2', 1, 30_000, 60_000)] },
      ],
      'meanTimeToAcknowledge',
      (g) => ({ r1: 'High CPU', r2: 'Disk full' })[g] ?? g,
      2,
    );
    expect(data.x).toEqual([b1!.from / 1000, b2!.from / 1000]);
    expect(data.series).toEqual([
      { label: 'Disk full', values: [2, 0.5] },
      { label: 'High CPU', values: [1, null] },
    ]);
    expect(data.omitted).toBe(1);
  });

  it('formats durations for tables', () => {
    expect([formatMs(null), formatMs(42_000), formatMs(750_000), formatMs(11_520_000)]).toEqual(['—', '42 s', '12.5 min', '3.2 h']);
  });
});

import { describe, expect, it } from 'vitest';
import { appendLive, spanWindow, toChartData } from './series.js';
import { rangeQuery, stepFor } from './ranges.js';

const MIN = 60_000;

describe('time ranges', () => {
  it('reads raw samples up to 6 hours and rollups beyond, with about a thousand points', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 7);
    const table = (['15m', '1h', '6h', '24h', '7d', '30d'] as const).map((k) => {
      const q = rangeQuery(k, now);
      return [k, q.source, q.step / 1000, (q.to - q.from) / q.step, q.live];
    });
    expect(table).toEqual([
      ['15m', 'raw', 1, 900, true],
      ['1h', 'raw', 5, 720, true],
      ['6h', 'raw', 30, 720, true],
      ['24h', 'rollup', 120, 720, false],
      ['7d', 'rollup', 600, 1008, false],
      ['30d', 'rollup', 3600, 720, false],
    ]);
  });

  it('never asks rollups for less than a minute, nor the API for more than its 11,000 points', () => {
    expect(stepFor(6 * 60 * MIN + 1)).toBeGreaterThanOrEqual(MIN);
    for (const ms of [MIN, 13 * MIN, 5 * 60 * MIN, 400 * 24 * 60 * MIN]) expect(ms / stepFor(ms)).toBeLessThanOrEqual(11_000);
  });

  it('aligns the end to the step so refetches ask for the same buckets', () => {
    const a = rangeQuery('1h', 1_000_001);
    const b = rangeQuery('1h', 1_000_004);
    expect([a.from, a.to]).toEqual([b.from, b.to]);
    expect(a.to % a.step).toBe(0);
  });
});

describe('chart data', () => {
  const api = [
    { metric: 'cpu.usage', labels: { cpu: '1' }, points: [{ ts: 2000, avg: 20, min: 0, max: 0 }] },
    {
      metric: 'cpu.usage',
      labels: { cpu: '0' },
      points: [
        { ts: 1000, avg: 1, min: 0, max: 0 },
        { ts: 2000, avg: 2, min: 0, max: 0 },
      ],
    },
  ];

  it('aligns every series on one x axis in seconds, with gaps as null', () => {
    expect(toChartData(api)).toEqual({
      keys: ['cpu.usage{cpu=0}', 'cpu.usage{cpu=1}'],
      labels: ['cpu=0', 'cpu=1'],
      data: [
        [1, 2],
        [1, 2],
        [null, 20],
      ],
    });
  });

  it('appends a live batch, adds new label sets, ignores other metrics and stale batches, drops old points', () => {
    let cd = toChartData(api);
    cd = appendLive(
      cd,
      'cpu.usage',
      [
        { metric: 'cpu.usage', labels: { cpu: '0' }, ts: 3000, value: 3 },
        { metric: 'cpu.usage', labels: { cpu: '2' }, ts: 3000, value: 33 },
        { metric: 'mem.used', labels: {}, ts: 3000, value: 99 },
      ],
      0,
      100,
    );
    expect(cd.data).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [null, 20, null],
      [null, null, 33],
    ]);
    expect(cd.labels).toEqual(['cpu=0', 'cpu=1', 'cpu=2']);
    expect(appendLive(cd, 'cpu.usage', [{ metric: 'cpu.usage', labels: { cpu: '0' }, ts: 2500, value: 9 }], 0, 100)).toBe(cd);
    const windowed = appendLive(cd, 'cpu.usage', [{ metric: 'cpu.usage', labels: { cpu: '0' }, ts: 4000, value: 4 }], 2500, 100);
    expect(windowed.data).toEqual([
      [3, 4],
      [3, 4],
      [null, null],
      [33, null],
    ]);
    const capped = appendLive(cd, 'cpu.usage', [{ metric: 'cpu.usage', labels: { cpu: '0' }, ts: 4000, value: 4 }], 0, 2);
    expect(capped.data[0]).toEqual([3, 4]);
  });

  it('spans the chosen window with empty points where the data stops short', () => {
    const cd = toChartData(api);
    expect(spanWindow(cd, 0, 5000)).toEqual([
      [0, 1, 2, 5],
      [null, 1, 2, null],
      [null, null, 20, null],
    ]);
    expect(spanWindow(cd, 1000, 2000)).toBe(cd.data);
    expect(spanWindow(cd, 1000, 3000)[0]).toEqual([1, 2, 3]);
    expect(spanWindow(toChartData([]), 0, 60_000)).toEqual([[0, 60]]);
  });
});

import { describe, expect, it } from 'vitest';
import { METRICS } from '../../shared/metrics.js';
import { collectAll, createCollectors, hostContext, type Collector } from './index.js';
import { byKey, fixtureContext, T0, T1 } from './testing.js';

describe('collectAll', () => {
  it('isolates a failing collector and reports it once', () => {
    const boom: Collector = {
      name: 'boom',
      collect: () => {
        throw new Error('no /proc here');
      },
    };
    const ok: Collector = { name: 'ok', collect: () => [{ name: 'load.1', value: 1 }] };
    const errors: string[] = [];
    expect(collectAll([boom, ok], hostContext(0), (name) => errors.push(name))).toEqual([{ name: 'load.1', value: 1 }]);
    expect(errors).toEqual(['boom']);
  });

  it('runs every collector over the fixture host with catalog names and label keys', () => {
    const sizes = { bsize: 4096, blocks: 100, bfree: 50, bavail: 50, files: 10, ffree: 5 };
    const collectors = createCollectors({ disk: { statfs: () => sizes } });
    const errors: unknown[] = [];
    collectAll(collectors, fixtureContext('t0', T0), (_, e) => errors.push(e));
    const points = collectAll(collectors, fixtureContext('t1', T1), (_, e) => errors.push(e));
    expect(errors).toEqual([]);
    for (const p of points) {
      expect(Object.keys(p.labels ?? {}).sort()).toEqual([...METRICS[p.name].labels].sort());
      expect(Number.isFinite(p.value)).toBe(true);
    }
    const names = new Set(points.map((p) => p.name));
    const expected = Object.keys(METRICS).filter((n) => n !== 'agent.dropped_samples');
    expect([...names].sort()).toEqual(expected.sort());
    expect(byKey(points)['cpu.usage{cpu=total}']).toBe(55);
  });

  it('leaves out disabled collectors', () => {
    expect(createCollectors({ disable: ['disk', 'network'] }).map((c) => c.name)).toEqual(['cpu', 'memory', 'load', 'uptime']);
  });
});

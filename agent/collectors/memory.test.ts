import { describe, expect, it } from 'vitest';
import { createMemoryCollector, memoryPoints, parseMeminfo } from './memory.js';
import { byKey, fixtureContext, T0 } from './testing.js';

describe('parseMeminfo', () => {
  it('converts kB to bytes', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
    expect(m).toEqual({ total: 1_024_000, available: 409_600, swapTotal: 0, swapFree: 0 });
  });

  it('estimates available on kernels without MemAvailable', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n').available).toBe(400 * 1024);
  });

  it('refuses input without MemTotal', () => {
    expect(() => parseMeminfo('garbage')).toThrow(/MemTotal/);
  });
});

describe('memory', () => {
  it('reports 0 % swap when there is no swap', () => {
    const p = byKey(memoryPoints({ total: 100, available: 25, swapTotal: 0, swapFree: 0 }));
    expect(p['mem.used_percent']).toBe(75);
    expect(p['swap.used_percent']).toBe(0);
  });

  it('collects the fixture host', () => {
    expect(byKey(createMemoryCollector().collect(fixtureContext('t0', T0)))).toEqual({
      'mem.total': 8_192_000_000,
      'mem.used': 2_048_000_000,
      'mem.available': 6_144_000_000,
      'mem.used_percent': 25,
      'swap.total': 2_048_000_000,
      'swap.used': 512_000_000,
      'swap.used_percent': 25,
    });
  });
});

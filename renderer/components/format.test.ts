import { describe, expect, it } from 'vitest';
import { formatTicks, formatValue } from './format.js';

describe('formatValue', () => {
  it('reads in the metric unit', () => {
    expect(formatValue('bytes', 1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatValue('bytes/s', 2048)).toBe('2.0 KiB/s');
    expect(formatValue('percent', 7.25)).toBe('7.3%');
    expect(formatValue('seconds', 3 * 3600 + 120)).toBe('3h 2m');
    expect(formatValue(undefined, 0.125)).toBe('0.13');
  });
});

describe('formatTicks', () => {
  it('keeps the short form when every tick reads differently', () => {
    expect(formatTicks('percent', [0, 25, 50, 75, 100])).toEqual(['0%', '25%', '50%', '75%', '100%']);
    expect(formatTicks('seconds', [0, 3600, 7200])).toEqual(['0s', '1h 0m', '2h 0m']);
  });

  it('adds decimals until ticks in a narrow range differ', () => {
    const gib = 1024 ** 3;
    expect(formatTicks('bytes', [1.4 * gib, 1.42 * gib, 1.44 * gib])).toEqual(['1.40 GiB', '1.42 GiB', '1.44 GiB']);
    expect(formatTicks('percent', [0.1, 0.15, 0.2])).toEqual(['0.10%', '0.15%', '0.20%']);
    expect(formatTicks('seconds', [732, 733, 734])).toEqual(['732 s', '733 s', '734 s']);
    expect(formatTicks(undefined, [1.001, 1.002])).toEqual(['1.001', '1.002']);
  });
});

// The fast check must never accept what the schema refuses (it may refuse more: zod then decides).
import { describe, expect, it } from 'vitest';
import { seriesSchema } from '../../shared/protocol/v1.js';
import { seriesLookValid } from './fast-series.js';

const good = { name: 'cpu.usage', labels: { cpu: '0' }, ts: [1, 2], values: [0.5, 1] };
const cases: [string, unknown][] = [
  ['valid', good],
  ['no labels', { name: 'load.1', ts: [1], values: [1] }],
  ['bad name', { ...good, name: 'CPU' }],
  ['name without group', { ...good, name: 'cpu' }],
  ['long name', { ...good, name: `a.${'b'.repeat(200)}` }],
  ['bad label key', { ...good, labels: { '1x': 'v' } }],
  ['label value not a string', { ...good, labels: { a: 1 } }],
  ['long label value', { ...good, labels: { a: 'x'.repeat(257) } }],
  ['17 labels', { ...good, labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }],
  ['labels array', { ...good, labels: ['a'] }],
  ['length mismatch', { ...good, values: [1] }],
  ['empty', { ...good, ts: [], values: [] }],
  ['fractional ts', { ...good, ts: [1.5, 2] }],
  ['negative ts', { ...good, ts: [-1, 2] }],
  ['string value', { ...good, values: ['1', 2] }],
  ['null value', { ...good, values: [null, 2] }],
  ['infinite value', { ...good, values: [Infinity, 2] }],
  ['unsafe integer ts', { ...good, ts: [2 ** 60, 2] }],
  ['extra key', { ...good, unit: 'percent' }],
  ['not an object', 'cpu.usage'],
];

describe('fast series check', () => {
  it.each(cases)('%s: accepted only if the schema accepts it', (_name, s) => {
    const fast = seriesLookValid([s]);
    const schema = seriesSchema.safeParse(s).success;
    if (fast) expect(schema).toBe(true);
    expect(fast).toBe(_name === 'valid' || _name === 'no labels');
  });

  it('refuses more series than a batch may hold', () => {
    expect(seriesLookValid(Array.from({ length: 20_001 }, () => good))).toBe(false);
    expect(seriesLookValid(Array.from({ length: 100 }, () => good))).toBe(true);
  });
});

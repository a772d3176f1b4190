import type { Labels } from './types.js';

/** Labels as JSON with sorted keys, so the same label set is always the same series. */
export function canonicalLabels(labels: Labels | undefined): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '{}';
  keys.sort();
  const sorted: Labels = {};
  for (const k of keys) sorted[k] = labels[k]!;
  return JSON.stringify(sorted);
}

export function matchesLabels(labels: Labels, wanted: Labels | undefined): boolean {
  if (!wanted) return true;
  for (const [k, v] of Object.entries(wanted)) if (labels[k] !== v) return false;
  return true;
}

/** The earliest timestamp and sample count of a batch's series, for the batch log. */
export function sampleSpan(series: { ts: number[] }[]): { minTs: number | null; samples: number } {
  let minTs: number | null = null;
  let samples = 0;
  for (const s of series) {
    samples += s.ts.length;
    for (const t of s.ts) if (minTs === null || t < minTs) minTs = t;
  }
  return { minTs, samples };
}

import type { Labels } from './types.js';

/**
 * Labels as JSON with sorted keys, so the same label set is always the same series. Agents send
 * label keys in the same (usually sorted) order every cycle: when they already are sorted the
 * object is serialized as it is, without a sorted copy.
 */
export function canonicalLabels(labels: Labels | undefined): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '{}';
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  // Label keys are never integer-like (the protocol requires a leading letter or _), so
  // JSON.stringify writes them in insertion order, which was just checked to be sorted.
  if (sorted) return JSON.stringify(labels);
  keys.sort();
  const copy: Labels = {};
  for (const k of keys) copy[k] = labels[k]!;
  return JSON.stringify(copy);
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

/** A metric's series rows (id, labels as stored) narrowed to those carrying the wanted labels. */
export function selectSeries(rows: { id: number; labels: unknown }[], wanted: Labels | undefined): { id: number; labels: Labels }[] {
  return rows
    .map((s) => ({ id: s.id, labels: typeof s.labels === 'string' ? (JSON.parse(s.labels) as Labels) : ((s.labels ?? {}) as Labels) }))
    .filter((s) => matchesLabels(s.labels, wanted));
}

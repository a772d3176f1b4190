// Helpers for the collector tests; not imported by the agent itself.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CollectorContext, Point } from './types.js';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/proc/', import.meta.url));

/** A context over one snapshot of the fixture host (t0, then t1 ten seconds later). */
export function fixtureContext(snapshot: 't0' | 't1', now: number): CollectorContext {
  const root = join(FIXTURES, snapshot);
  return { procRoot: join(root, 'proc'), sysRoot: join(root, 'sys'), rootfs: root, now };
}

/** Points keyed as `name{k=v,…}` so tests can assert exact values per series. */
export function byKey(points: readonly Point[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of points) {
    const l = p.labels
      ? Object.entries(p.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : '';
    out[l ? `${p.name}{${l}}` : p.name] = p.value;
  }
  return out;
}

export const T0 = 1_000_000;
export const T1 = T0 + 10_000;

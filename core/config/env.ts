// Environment variables are derived from the schema's key paths, so every key has one and a
// misspelt WATCHTOWER_* variable is an error instead of being silently ignored.
import { z } from 'zod';
import { configSchema } from './schema.js';

const PREFIX = 'WATCHTOWER_';
/** Variables that are not server config keys: read elsewhere (the agent, the tests). */
const RESERVED = (name: string) =>
  name === 'WATCHTOWER_CONFIG' || name.startsWith('WATCHTOWER_AGENT_') || name.startsWith('WATCHTOWER_TEST_');

export function envName(path: string[]): string {
  return PREFIX + path.map((p) => p.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Every config key path, e.g. ['retention', 'rawDays']. */
export function configKeys(schema: z.ZodType = configSchema, path: string[] = []): string[][] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape as Record<string, z.ZodType>).flatMap(([k, v]) => configKeys(v, [...path, k]));
  }
  return [path];
}

export function envOverrides(env: NodeJS.ProcessEnv): {
  values: Record<string, unknown>;
  sources: Map<string, string>;
  problems: string[];
} {
  const byName = new Map(configKeys().map((p) => [envName(p), p]));
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || RESERVED(name) || raw === undefined) continue;
    const path = byName.get(name);
    if (!path) {
      const near = closest(name, [...byName.keys()]);
      const hint = near.length ? `; did you mean ${near.join(' or ')}?` : '';
      problems.push(`${name}: not a Watchtower setting${hint} (known: ${[...byName.keys()].join(', ')})`);
      continue;
    }
    let node = values;
    for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = raw;
    sources.set(path.join('.'), name);
  }
  return { values, sources, problems };
}

/** The candidates that look like a misspelling of `word` (case, '_' and '-' aside; a letter or two off). */
export function closest(word: string, candidates: string[]): string[] {
  const norm = (w: string) => w.toLowerCase().replace(/[-_\s]/g, '');
  const w = norm(word);
  const scored = candidates
    .map((c) => ({ c, d: distance(w, norm(c)) }))
    .filter(({ c, d }) => d <= (Math.min(w.length, norm(c).length) <= 4 ? 1 : 2));
  const best = Math.min(...scored.map((s) => s.d));
  return scored.filter((s) => s.d === best).map((s) => s.c);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

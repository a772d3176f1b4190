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
      problems.push(`${name}: not a Watchtower setting (known: ${[...byName.keys()].join(', ')})`);
      continue;
    }
    let node = values;
    for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = raw;
    sources.set(path.join('.'), name);
  }
  return { values, sources, problems };
}

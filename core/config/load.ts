// Config = defaults ← YAML file ← WATCHTOWER_* environment, validated once at start. Errors name
// the key, where its value came from, and what is wrong with it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { envOverrides } from './env.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Path of a YAML file; else WATCHTOWER_CONFIG; else <dataDir>/watchtower.yaml when it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over everything (command-line flags). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig extends Config {
  /** The resolved SQLite path or PostgreSQL URL. */
  databaseUrl: string;
  mode: 'local' | 'team';
  source: { file: string | null };
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const { values: fromEnv, sources, problems } = envOverrides(env);
  if (problems.length) throw new ConfigError(problems);

  const file = pickFile(opts.file ?? env.WATCHTOWER_CONFIG, fromEnv, env);
  const fromFile = file ? readYaml(file) : {};
  const merged = deepMerge(deepMerge(fromFile, fromEnv), opts.overrides ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, sources, file));

  const cfg = parsed.data;
  cfg.dataDir = expandHome(cfg.dataDir, env);
  const url = cfg.database.url;
  const isPg = /^postgres(ql)?:\/\//.test(url);
  const databaseUrl = isPg ? url : url ? resolve(expandHome(url.replace(/^sqlite:/, ''), env)) : join(cfg.dataDir, 'watchtower.db');
  return { ...cfg, databaseUrl, mode: isPg || cfg.redis.url ? 'team' : 'local', source: { file } };
}

function pickFile(explicit: string | undefined, fromEnv: Record<string, unknown>, env: NodeJS.ProcessEnv): string | null {
  if (explicit) {
    const path = resolve(expandHome(explicit, env));
    if (!existsSync(path)) throw new ConfigError([`config file ${path} does not exist`]);
    return path;
  }
  const dataDir = expandHome((fromEnv.dataDir as string | undefined) ?? '~/.watchtower', env);
  const fallback = join(dataDir, 'watchtower.yaml');
  return existsSync(fallback) ? fallback : null;
}

function readYaml(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`${path}: expected a mapping of keys at the top level`]);
  return doc as Record<string, unknown>;
}

function describe(error: z.ZodError, envSources: Map<string, string>, file: string | null): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('.') || '(top level)';
    const from = envSources.get(key) ?? (file ? file : 'defaults');
    const detail = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return `${key} (from ${from}): ${detail}`;
  });
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') ? join(env.HOME ?? homedir(), p.slice(1)) : p;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlain(prev) && isPlain(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

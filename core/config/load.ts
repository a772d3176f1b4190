// Config = defaults ← YAML file ← WATCHTOWER_* environment, validated once at start. Errors name
// the key, where its value came from, and what is wrong with it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { type z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { closest, configKeys, envOverrides } from './env.js';

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
  /** What to call each override's origin in messages, by key path ('http.port' → '--port'); else "command line". */
  overrideSources?: Record<string, string>;
}

export interface LoadedConfig extends Config {
  /** The resolved SQLite path or PostgreSQL URL. */
  databaseUrl: string;
  mode: 'local' | 'team';
  source: {
    file: string | null;
    /** Where each key not left at its default came from, by key path: a flag, a variable, or file:line. */
    keys: Record<string, string>;
  };
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const { values: fromEnv, sources, problems } = envOverrides(env);
  if (problems.length) throw new ConfigError(problems);

  const file = pickFile(opts.file ?? env.WATCHTOWER_CONFIG, fromEnv, env);
  const yaml = file ? readYaml(file) : null;
  const overrides = opts.overrides ?? {};
  const merged = deepMerge(deepMerge(yaml?.data ?? {}, fromEnv), overrides);
  const layers: Layers = { yaml, env: fromEnv, envSources: sources, overrides, overrideSources: opts.overrideSources ?? {} };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, merged, layers));

  const cfg = parsed.data;
  cfg.dataDir = expandHome(cfg.dataDir, env);
  const url = cfg.database.url;
  const isPg = /^postgres(ql)?:\/\//.test(url);
  const databaseUrl = isPg ? url : url ? resolve(expandHome(url.replace(/^sqlite:/, ''), env)) : join(cfg.dataDir, 'watchtower.db');
  const keys: Record<string, string> = {};
  for (const path of configKeys()) {
    const from = sourceOf(path, layers);
    if (from !== 'defaults') keys[path.join('.')] = from;
  }
  return { ...cfg, databaseUrl, mode: isPg || cfg.redis.url ? 'team' : 'local', source: { file, keys } };
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

interface YamlFile {
  path: string;
  data: Record<string, unknown>;
  /** The line a key path starts on (its key), when the file has it. */
  lineOf(path: PropertyKey[]): number | undefined;
}

function readYaml(path: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`config file ${path}: cannot read it: ${(err as Error).message}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) throw new ConfigError([yamlProblem(path, text, lineCounter, doc.errors[0]!, doc.errors.length - 1)]);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    throw new ConfigError([`${path}: not valid YAML: ${(err as Error).message}`]);
  }
  if (data == null) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([`${path}: expected a mapping of keys at the top level`]);
  const lineOf = (keyPath: PropertyKey[]) => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const k of keyPath) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(k));
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return { path, data: data as Record<string, unknown>, lineOf };
}

/** file:line:col, what the parser says, and the line it points at with a caret under the spot. */
function yamlProblem(path: string, text: string, lines: LineCounter, err: YAMLError, more: number): string {
  const { line, col } = lines.linePos(err.pos[0]);
  const source = text.split(/\r?\n/);
  // An error at the end of the file (an unclosed bracket or quote) points at the empty line after
  // it: show the last line with something on it instead.
  let shown = line;
  while (shown > 1 && !source[shown - 1]?.trim()) shown--;
  const message = err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const more_ = more ? ` (and ${more} more error${more > 1 ? 's' : ''} after it)` : '';
  let out = `${path}:${line}:${col}: not valid YAML: ${message} (${err.code})${more_}`;
  const src = (source[shown - 1] ?? '').replace(/\t/g, '→'); // a tab shows, one column wide like the caret
  if (src.trim()) {
    const gutter = String(shown);
    out += `\n      ${gutter} | ${src}`;
    if (shown === line) out += `\n      ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, col - 1))}^`;
  }
  return out;
}

interface Layers {
  yaml: YamlFile | null;
  env: Record<string, unknown>;
  envSources: Map<string, string>;
  overrides: Record<string, unknown>;
  overrideSources: Record<string, string>;
}

/** Where the value at a key path came from: the layer with the highest precedence that has it. */
function sourceOf(path: PropertyKey[], l: Layers): string {
  const key = path.join('.');
  const within = (m: Iterable<[string, string]>) => [...m].find(([k]) => k === key || k.startsWith(`${key}.`))?.[1];
  if (has(l.overrides, path)) return within(Object.entries(l.overrideSources)) ?? 'command line';
  if (has(l.env, path)) return within(l.envSources) ?? 'environment';
  if (l.yaml && has(l.yaml.data, path)) {
    const line = l.yaml.lineOf(path);
    return line ? `${l.yaml.path}:${line}` : l.yaml.path;
  }
  return 'defaults';
}

function describe(error: z.ZodError, merged: Record<string, unknown>, layers: Layers): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => {
        const path = [...issue.path, k];
        return `${path.join('.')} (from ${sourceOf(path, layers)}): unknown key${suggestKey(issue.path.map(String), k)}`;
      });
    }
    const key = issue.path.join('.') || '(top level)';
    let detail = issue.message;
    // zod's own wording ("Invalid input: expected number, received NaN") says what it got after
    // coercion; say what is accepted, then show the value as it was written.
    if (issue.code === 'invalid_type' && detail.startsWith('Invalid input')) detail = `expected ${TYPES[issue.expected] ?? issue.expected}`;
    if (issue.code === 'invalid_value' && detail.startsWith('Invalid option'))
      detail = `expected one of ${issue.values.map(String).join(', ')}`;
    const value = valueAt(merged, issue.path);
    return [`${key} (from ${sourceOf(issue.path, layers)}): ${detail}, got ${show(value)}`];
  });
}

const TYPES: Record<string, string> = {
  object: 'a mapping of keys',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
};

/** ", did you mean http.port?" for http.prot; the same key in another section when no sibling is close. */
function suggestKey(parent: string[], key: string): string {
  const leaves = configKeys();
  const prefixOf = (l: string[]) => l.slice(0, parent.length).join('.') === parent.join('.');
  const siblings = [...new Set(leaves.filter((l) => l.length > parent.length && prefixOf(l)).map((l) => l[parent.length]!))];
  let hits = closest(key, siblings).map((s) => [...parent, s].join('.'));
  if (!hits.length) {
    // A full path written flat ("http.port: 1" at the top level), or a key put in the wrong section.
    const all = [...new Set(leaves.flatMap((l) => l.map((_, i) => l.slice(0, i + 1).join('.'))))];
    const flat = [...parent, ...key.split('.')];
    if (all.includes(flat.join('.'))) {
      const [section, ...rest] = flat;
      return `; YAML nests the parts of a key: write "${section}:", then "${rest.join('.')}:" indented under it`;
    }
    hits = all.filter((p) => closest(key, [p.split('.').pop()!]).length);
  }
  return hits.length ? `; did you mean ${hits.join(' or ')}?` : '';
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let v = obj;
  for (const k of path) v = isPlain(v) ? v[k as string] : undefined;
  return v;
}

function show(v: unknown): string {
  if (v === null) return 'an empty value';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

const has = (obj: Record<string, unknown>, path: PropertyKey[]): boolean => {
  let v: unknown = obj;
  for (const k of path) {
    if (!isPlain(v) || !Object.hasOwn(v, k as string)) return false;
    v = v[k as string];
  }
  return true;
};

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

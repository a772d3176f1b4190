// The config-as-code document: rules, escalation policies, channels and silences in one YAML file,
// validated by the same zod schemas the API uses so a file and an API call can never disagree.
import { LineCounter, parseDocument as parseYaml, type Document } from 'yaml';
import { z } from 'zod';
import {
  channelSchema,
  escalationPolicySchema,
  REDACTED,
  ruleSchema,
  type ChannelSpec,
  type EscalationPolicy,
  type RuleSpec,
  type SilenceSpec,
} from '../../../shared/alerting/index.js';
import { issuePath } from '../../api/errors.js';
import { plainIssue } from '../../../shared/contract/issue-messages.js';
import { checkDocument, type Issue, type Known } from './checks.js';
import { SECRET_KEYS, isObject, silenceItem, type SecretKey } from './kinds.js';

export const documentSchema = z
  .object({
    version: z.literal(1, { error: 'must be 1 (the only version of this format so far)' }),
    rules: z.array(ruleSchema).optional(),
    policies: z.array(escalationPolicySchema).optional(),
    channels: z.array(channelSchema).optional(),
    silences: z.array(silenceItem).optional(),
  })
  .strict();

export type DocumentInput = z.input<typeof documentSchema>;

export interface ParsedDoc {
  version: 1;
  rules?: RuleSpec[];
  policies?: EscalationPolicy[];
  channels?: ChannelSpec[];
  silences?: SilenceSpec[];
  /** By channel name: secrets the document wrote as the REDACTED marker, meaning "keep the stored value". */
  keepSecrets: Map<string, SecretKey[]>;
}

export interface DocError {
  /** `rules[2].for`, or `line 3, column 5` for YAML syntax errors, or `(document)`. */
  path: string;
  message: string;
  /** Line in the YAML text where the offending value starts, when it can be located. */
  line?: number;
}

export type ParseResult = { ok: true; doc: ParsedDoc } | { ok: false; errors: DocError[] };

export interface ParseOptions {
  /** Import will delete stored records missing from listed kinds: references to them become errors. */
  prune?: boolean;
}

export function parseDocument(text: string, known: Known = { policies: [], channels: [] }, opts: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const yaml = parseYaml(text, { lineCounter: lines, prettyErrors: false });
  if (yaml.errors.length) {
    const errors = yaml.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { path: `line ${line}, column ${col}`, message: e.message, line };
    });
    return { ok: false, errors };
  }
  let raw: unknown;
  try {
    raw = yaml.toJS();
  } catch (e) {
    // Unresolved aliases and alias bombs surface only when the tree is built.
    return { ok: false, errors: [{ path: '(document)', message: e instanceof Error ? e.message : String(e) }] };
  }
  if (!isObject(raw)) return { ok: false, errors: [{ path: '(document)', message: 'must be a mapping with at least `version: 1`' }] };

  // Cross-item checks first: they must still see the secret markers that stripping removes.
  const issues: Issue[] = checkDocument(raw, known, opts.prune ?? false);
  const keepSecrets = stripSecretMarkers(raw);
  const parsed = documentSchema.safeParse(raw, { error: plainIssue });
  if (!parsed.success) issues.unshift(...parsed.error.issues.flatMap(toIssues));
  if (!parsed.success || issues.length) return { ok: false, errors: locate(issues, yaml, lines) };
  return { ok: true, doc: { ...parsed.data, keepSecrets } };
}

/**
 * The webhook secret's schema wants ≥ 8 characters, so the 6-character marker cannot pass validation:
 * remove it before, remember it, and let diff put the stored value back.
 */
function stripSecretMarkers(raw: Record<string, unknown>): Map<string, SecretKey[]> {
  const keep = new Map<string, SecretKey[]>();
  if (!Array.isArray(raw.channels)) return keep;
  raw.channels = raw.channels.map((c: unknown) => {
    if (!isObject(c) || !isObject(c.settings) || typeof c.name !== 'string') return c;
    const settings = { ...c.settings };
    const keys = SECRET_KEYS.filter((k) => settings[k] === REDACTED);
    if (!keys.length) return c;
    for (const k of keys) delete settings[k];
    keep.set(c.name.trim(), keys);
    return { ...c, settings };
  });
  return keep;
}

/** One issue per unknown key, at the key's own path, so `rules[0].treshold` points at the typo. */
function toIssues(i: z.core.$ZodIssue): Issue[] {
  const path = i.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: [...path, k], message: 'unknown key' }));
  return [{ path, message: i.message }];
}

function locate(issues: Issue[], yaml: Document, lines: LineCounter): DocError[] {
  const lineOf = (path: Issue['path']): number | undefined => {
    // A missing key has no node: point at the nearest enclosing one (the item that lacks it).
    for (let n = path.length; n >= 0; n--) {
      const node = yaml.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const errors = issues.map(({ path, message }): DocError => {
    const line = lineOf(path);
    return line === undefined ? { path: issuePath(path), message } : { path: issuePath(path), message, line };
  });
  // Top to bottom, as a person reads the file (sort is stable: same-line errors keep their order).
  return errors.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

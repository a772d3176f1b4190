// The rule form's state (text as typed) ↔ the rule spec the API takes (document form: durations as
// "5m"). Only the fields of the chosen kind are sent, since the API's schemas are strict; durations
// and names go through as typed so the API's own validation speaks at the field.
import type { Input, Output } from '../../../shared/contract/index.js';
import { formatList, formatMap, parseList, parseMap, pathParts, placeIssues, type FieldIssue, type PlacedIssues } from './formText.js';

export type RuleSpecInput = Input<'createRule'>;
export type RuleRecord = Output<'listRules'>['items'][number];
export const RULE_KINDS = ['threshold', 'rate', 'heartbeat', 'event'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const COMPARATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const AGGREGATES = ['last', 'avg', 'min', 'max'] as const;
export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;

export interface RuleForm {
  kind: RuleKind;
  name: string;
  enabled: boolean;
  severity: 'critical' | 'warning' | 'info';
  description: string;
  labels: string;
  scopeHosts: string;
  scopeLabels: string;
  autoResolve: boolean;
  policy: string;
  // threshold, rate
  metric: string;
  match: string;
  aggregate: (typeof AGGREGATES)[number];
  window: string;
  op: (typeof COMPARATORS)[number];
  value: string;
  for: string;
  clear: string;
  // heartbeat
  after: string;
  // event
  eventKind: '' | 'log' | 'event';
  source: string;
  pattern: string;
  minLevel: '' | (typeof LEVELS)[number];
}

export type RuleField = keyof RuleForm;

/** Which fields each kind shows (and sends), besides the common ones. */
export const KIND_FIELDS: Record<RuleKind, RuleField[]> = {
  threshold: ['metric', 'match', 'aggregate', 'window', 'op', 'value', 'for', 'clear'],
  rate: ['metric', 'match', 'window', 'op', 'value', 'for'],
  heartbeat: ['after'],
  event: ['eventKind', 'source', 'pattern', 'minLevel'],
};

export const EMPTY_RULE: RuleForm = {
  kind: 'threshold',
  name: '',
  enabled: true,
  severity: 'warning',
  description: '',
  labels: '',
  scopeHosts: '',
  scopeLabels: '',
  autoResolve: true,
  policy: '',
  metric: 'cpu.usage',
  match: '',
  aggregate: 'last',
  window: '',
  op: '>',
  value: '',
  for: '',
  clear: '',
  after: '2m',
  eventKind: '',
  source: '',
  pattern: '',
  minLevel: '',
};

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
type Loose = Record<string, unknown>;

/** A rule as the API shows it → the form's state. */
export function specToForm(spec: RuleSpecInput): RuleForm {
  const s = spec as Loose;
  const scope = (s.scope ?? {}) as { hosts?: string[]; labels?: Record<string, string> };
  return {
    ...EMPTY_RULE,
    kind: spec.kind,
    name: spec.name,
    enabled: spec.enabled ?? true,
    severity: spec.severity ?? 'warning',
    description: spec.description ?? '',
    labels: formatMap(spec.labels),
    scopeHosts: formatList(scope.hosts),
    scopeLabels: formatMap(scope.labels),
    autoResolve: spec.autoResolve ?? true,
    policy: spec.policy ?? '',
    metric: text(s.metric) || EMPTY_RULE.metric,
    match: formatMap(s.match as Record<string, string> | undefined),
    aggregate: (s.aggregate as RuleForm['aggregate']) ?? 'last',
    window: text(s.window),
    op: (s.op as RuleForm['op']) ?? '>',
    value: text(s.value),
    for: text(s.for),
    clear: text(s.clear),
    after: text(s.after) || EMPTY_RULE.after,
    eventKind: (s.eventKind as RuleForm['eventKind']) ?? '',
    source: text(s.source),
    pattern: text(s.pattern),
    minLevel: (s.minLevel as RuleForm['minLevel']) ?? '',
  };
}

export type ToSpec = { ok: true; spec: RuleSpecInput } | { ok: false; errors: Partial<Record<RuleField, string>> };

/** The form → a spec to send; text the API could not even receive (a label without "=") is an error here. */
export function formToSpec(f: RuleForm): ToSpec {
  const errors: Partial<Record<RuleField, string>> = {};
  const map = (field: RuleField) => {
    const p = parseMap(f[field] as string);
    if (!p.ok) errors[field] = p.error;
    return p.ok ? p.value : {};
  };
  const num = (field: 'value' | 'clear') => {
    const t = f[field].trim();
    if (!t) return undefined;
    const n = Number(t);
    if (!Number.isFinite(n)) errors[field] = `"${t}" is not a number`;
    return n;
  };
  const scopeHosts = parseList(f.scopeHosts);
  const scopeLabels = map('scopeLabels');
  const spec: Loose = {
    kind: f.kind,
    name: f.name,
    enabled: f.enabled,
    severity: f.severity,
    description: f.description,
    labels: map('labels'),
    scope: { ...(scopeHosts.length ? { hosts: scopeHosts } : {}), ...(Object.keys(scopeLabels).length ? { labels: scopeLabels } : {}) },
    autoResolve: f.autoResolve,
    ...(f.policy ? { policy: f.policy } : {}),
  };
  const optional = (k: string, v: string) => v.trim() && (spec[k] = v.trim());
  if (f.kind === 'threshold' || f.kind === 'rate') {
    spec.metric = f.metric.trim();
    spec.match = map('match');
    spec.op = f.op;
    const value = num('value');
    // Left out when empty, so the API names the missing field.
    if (value !== undefined) spec.value = value;
    optional('window', f.window);
    optional('for', f.for);
  }
  if (f.kind === 'threshold') {
    spec.aggregate = f.aggregate;
    const clear = num('clear');
    if (clear !== undefined) spec.clear = clear;
  }
  if (f.kind === 'heartbeat') optional('after', f.after);
  if (f.kind === 'event') {
    spec.pattern = f.pattern;
    optional('source', f.source);
    if (f.eventKind) spec.eventKind = f.eventKind;
    if (f.minLevel) spec.minLevel = f.minLevel;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, spec: spec as RuleSpecInput };
}

const FIELDS = new Set<string>(Object.keys(EMPTY_RULE));

/** An API issue's path → the rule form field that shows it (null: no field, show it in a banner). */
export function ruleFieldOf(path: string): RuleField | null {
  const [top, sub] = pathParts(path);
  if (top === 'scope') return sub === 'labels' ? 'scopeLabels' : 'scopeHosts';
  return typeof top === 'string' && FIELDS.has(top) ? (top as RuleField) : null;
}

export const placeRuleIssues = (issues: readonly FieldIssue[]): PlacedIssues => placeIssues(issues, ruleFieldOf);

// The four kinds a document holds, in dependency order: channels are referenced by policies, policies
// by rules. Apply creates in this order and deletes in the reverse, so no reference ever dangles.
import {
  channelSchema,
  escalationPolicySchema,
  ruleSchema,
  silenceSchema,
  type ChannelSpec,
  type EscalationPolicy,
  type RuleSpec,
  type SilenceSpec,
} from '../../../shared/alerting/index.js';
import { z } from 'zod';
import type { ConfigKind } from '../../store/alerting/types.js';

export type ConfigSpec = RuleSpec | EscalationPolicy | ChannelSpec | SilenceSpec;
export type DocKey = 'channels' | 'policies' | 'rules' | 'silences';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// A time zone is required: "2025-03-01T02:00" alone would mean the importing machine's local time.
const ISO_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/;
const TIME_FIELDS = ['startsAt', 'endsAt'] as const;

/** The API's silence schema, but its window may also be written as ISO 8601 times (people cannot read epoch ms). */
export const silenceItem = z.preprocess((v, ctx) => {
  if (!isObject(v)) return v;
  const out = { ...v };
  for (const f of TIME_FIELDS) {
    const t = out[f];
    if (typeof t !== 'string') continue;
    const ms = ISO_TIME.test(t) ? Date.parse(t) : NaN;
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', path: [f], message: `"${t}" is not a time (use e.g. 2025-03-01T02:00:00Z)` });
    else out[f] = ms;
  }
  return out;
}, silenceSchema);

/** How export writes a silence time back: ISO 8601 in UTC, without a zero millisecond part. */
export function formatTime(ms: number): string | number {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? ms : d.toISOString().replace('.000Z', 'Z');
}

export const KINDS = [
  { kind: 'channel', key: 'channels', schema: channelSchema },
  { kind: 'policy', key: 'policies', schema: escalationPolicySchema },
  { kind: 'rule', key: 'rules', schema: ruleSchema },
  { kind: 'silence', key: 'silences', schema: silenceItem },
] as const satisfies readonly { kind: ConfigKind; key: DocKey; schema: unknown }[];

export const KIND_ORDER: readonly ConfigKind[] = KINDS.map((k) => k.kind);

/** Setting names that hold secrets (the same list redactChannel uses in shared/alerting/channels.ts). */
export const SECRET_KEYS = ['secret', 'password'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Duration fields (milliseconds in a spec, "5m"-style strings in a document), by kind. */
export const RULE_DURATIONS = ['window', 'for', 'after'] as const;
export const POLICY_DURATIONS = ['minInterval'] as const;
export const LEVEL_DURATIONS = ['delay'] as const;

/** Deep equality on JSON-like values; key order is irrelevant and undefined equals absent (as after JSON). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
  return true;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// Alert rules: what turns samples and events into alerts. One schema for the API, the YAML
// config-as-code format and the engine.
import { z } from 'zod';
import { choiceError } from '../contract/issue-messages.js';
import { isKnownMetric } from '../metrics.js';
import { duration } from './duration.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const severity = z.enum(SEVERITIES);
const labelMap = z.record(
  z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _')
    .max(64),
  z.string().max(256),
);

export const name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]*$/, 'letters, digits, space and _ . : -');

const metric = z
  .string()
  .refine(isKnownMetric, { error: (iss) => `unknown metric "${String(iss.input)}" (see the metric catalog, or use custom.*)` });

const regex = z
  .string()
  .max(1024)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: (iss) => `not a valid regular expression: ${String(iss.input)}` },
  );

export const comparator = z.enum(['>', '>=', '<', '<=', '==', '!=']);
export type Comparator = z.infer<typeof comparator>;

/** Which hosts a rule watches: all, named ones, or those carrying all the given labels. */
export const scopeSchema = z
  .object({
    hosts: z.array(z.string().min(1).max(255)).max(1000).optional(),
    labels: labelMap.optional(),
  })
  .strict()
  .default({});

const common = {
  name,
  enabled: z.boolean().default(true),
  severity: severity.default('warning'),
  /** Shown in notifications; {{host}}, {{value}}, {{threshold}}, {{metric}}, {{labels.x}} are filled in. */
  description: z.string().max(2000).default(''),
  labels: labelMap.default({}),
  scope: scopeSchema,
  /** Resolve the incident by itself when the condition clears. */
  autoResolve: z.boolean().default(true),
  /** Escalation policy (by name) that notifies for this rule's incidents. */
  policy: z.string().max(128).optional(),
};

export const thresholdRule = z
  .object({
    ...common,
    kind: z.literal('threshold'),
    metric,
    /** Only series whose labels include these, e.g. {cpu: "total"}. */
    match: labelMap.default({}),
    aggregate: z.enum(['last', 'avg', 'min', 'max']).default('last'),
    /** Aggregation window; ignored for "last". */
    window: duration({ max: 86_400_000 }).default(0),
    op: comparator,
    value: z.number(),
    /** The condition must hold this long before the alert fires. */
    for: duration({ max: 7 * 86_400_000 }).default(0),
    /** Hysteresis: once firing, it clears only when the value passes this threshold (default: value). */
    clear: z.number().optional(),
  })
  .strict();

export const rateRule = z
  .object({
    ...common,
    kind: z.literal('rate'),
    metric,
    match: labelMap.default({}),
    /** Change per second over the window: (last − first) / seconds. */
    window: duration({ min: 1000, max: 86_400_000 }),
    op: comparator,
    value: z.number(),
    for: duration({ max: 7 * 86_400_000 }).default(0),
  })
  .strict();

export const heartbeatRule = z
  .object({
    ...common,
    kind: z.literal('heartbeat'),
    /** The host is down after this long without a batch. */
    after: duration({ min: 5000, max: 7 * 86_400_000 }),
  })
  .strict();

export const eventRule = z
  .object({
    ...common,
    kind: z.literal('event'),
    eventKind: z.enum(['log', 'event']).optional(),
    /** Regex on the event's source (e.g. the log file path). */
    source: regex.optional(),
    /** Regex on the message. */
    pattern: regex,
    minLevel: z.enum(['debug', 'info', 'warning', 'error', 'critical']).optional(),
  })
  .strict();

export const ruleSchema = z.discriminatedUnion('kind', [thresholdRule, rateRule, heartbeatRule, eventRule], choiceError('kind'));
export type RuleInput = z.input<typeof ruleSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;
export type Rule = RuleSpec & { id: string; createdAt: number; updatedAt: number };

export function compare(op: Comparator, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

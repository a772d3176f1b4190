// Specs in document form, the shape people write and the API shows: durations as "5m" rather than
// milliseconds and secrets replaced by the redaction marker. Export and the API share it, so a GET,
// an exported file and an import all speak one format.
import {
  formatDuration,
  redactChannel,
  type ChannelInput,
  type EscalationPolicyInput,
  type RuleInput,
  type SilenceInput,
} from '../../../shared/alerting/index.js';
import type { ConfigKind } from '../../store/alerting/types.js';
import { LEVEL_DURATIONS, POLICY_DURATIONS, RULE_DURATIONS, formatTime, isObject } from './kinds.js';

export interface InputByKind {
  rule: RuleInput;
  policy: EscalationPolicyInput;
  channel: ChannelInput;
  silence: SilenceInput;
}
export type ConfigInput = InputByKind[ConfigKind];
type Obj = Record<string, unknown>;

export interface FormOptions {
  /** Silence windows as ISO times (the YAML document) rather than epoch ms (the API's schema). */
  isoTimes?: boolean;
}

/** A deep copy of a stored spec with durations (and optionally times) written for people; secrets kept. */
export function specToInput(kind: ConfigKind, spec: unknown, opts: FormOptions = {}): Obj {
  // Name and kind first, as people write them (the schemas spread their common fields first).
  const { name, kind: ruleKind, type, ...rest } = structuredClone(spec) as Obj;
  const item: Obj = { name, kind: ruleKind, type, ...rest };
  for (const k of ['name', 'kind', 'type']) if (item[k] === undefined) delete item[k];
  const durations = (o: Obj, fields: readonly string[]) => {
    for (const f of fields) if (typeof o[f] === 'number') o[f] = formatDuration(o[f]);
  };
  if (kind === 'rule') durations(item, RULE_DURATIONS);
  if (kind === 'policy') {
    durations(item, POLICY_DURATIONS);
    if (Array.isArray(item.levels)) for (const level of item.levels) if (isObject(level)) durations(level, LEVEL_DURATIONS);
  }
  if (kind === 'silence' && opts.isoTimes) {
    for (const f of ['startsAt', 'endsAt']) if (typeof item[f] === 'number') item[f] = formatTime(item[f]);
  }
  return item;
}

/** Removes secrets from a channel in document form (other kinds pass through). */
export function redactInput(kind: ConfigKind, item: Obj): Obj {
  return kind === 'channel' && isObject(item.settings) ? redactChannel(item as Obj & { settings: object }) : item;
}

/** A stored spec as the API returns it: document form, complete (defaults included), secrets redacted. */
export function specForApi<K extends ConfigKind>(kind: K, spec: unknown): InputByKind[K] {
  return redactInput(kind, specToInput(kind, spec)) as unknown as InputByKind[K];
}

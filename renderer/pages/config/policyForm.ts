// The escalation policy form ↔ its spec. Levels are edited as rows; each level's channels are
// picked from the channels that exist.
import type { Input } from '../../../shared/contract/index.js';
import { pathParts, placeIssues, type FieldIssue, type PlacedIssues } from './formText.js';

export type PolicySpecInput = Input<'createPolicy'>;

export interface PolicyForm {
  name: string;
  levels: { delay: string; channels: string[] }[];
  repeat: string;
  minInterval: string;
}

export const EMPTY_POLICY: PolicyForm = { name: '', levels: [{ delay: '0s', channels: [] }], repeat: '0', minInterval: '' };

export function policyToForm(spec: PolicySpecInput): PolicyForm {
  return {
    name: spec.name,
    levels: spec.levels.map((l) => ({ delay: l.delay === undefined ? '' : String(l.delay), channels: [...l.channels] })),
    repeat: String(spec.repeat ?? 0),
    minInterval: spec.minInterval === undefined ? '' : String(spec.minInterval),
  };
}

export function formToPolicy(f: PolicyForm): { ok: true; spec: PolicySpecInput } | { ok: false; errors: Record<string, string> } {
  const repeat = f.repeat.trim() === '' ? 0 : Number(f.repeat);
  if (!Number.isInteger(repeat)) return { ok: false, errors: { repeat: `"${f.repeat}" is not a whole number` } };
  return {
    ok: true,
    spec: {
      name: f.name,
      levels: f.levels.map((l) => ({ ...(l.delay.trim() ? { delay: l.delay.trim() } : {}), channels: l.channels })),
      repeat,
      ...(f.minInterval.trim() ? { minInterval: f.minInterval.trim() } : {}),
    },
  };
}

/** `levels[1].channels[0]` → "levels[1].channels"; `levels` → "levels"; others by their top key. */
export function policyFieldOf(path: string): string | null {
  const [top, index, field] = pathParts(path);
  if (top === 'levels') return typeof index === 'number' && typeof field === 'string' ? `levels[${index}].${field}` : 'levels';
  return top === 'name' || top === 'repeat' || top === 'minInterval' ? top : null;
}

export const placePolicyIssues = (issues: readonly FieldIssue[]): PlacedIssues => placeIssues(issues, policyFieldOf);

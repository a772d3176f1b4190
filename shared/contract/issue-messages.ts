// Validation messages a person can act on, for what the API and the YAML import show at a field:
// "required" instead of "Invalid input: expected number, received undefined". Pass as the `error`
// option of a parse; messages a schema sets itself still win. Values are echoed only when short
// and only for choices (an enum), never for free text, which may be a secret.
import type { z } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return TYPE_NAMES[typeof v] ?? typeof v;
}

const UNITS: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

function bound(iss: { origin: string; inclusive?: boolean }, n: number | bigint, side: 'least' | 'most'): string {
  const unit = UNITS[iss.origin];
  if (unit) return `must have at ${side} ${n} ${n === 1 || n === 1n ? unit[0] : unit[1]}`;
  const op = side === 'least' ? (iss.inclusive ? '≥' : '>') : iss.inclusive ? '≤' : '<';
  return `must be ${op} ${n}`;
}

const shortValue = (v: unknown): string | null => {
  const s = JSON.stringify(v);
  return s !== undefined && s.length <= 40 ? s : null;
};

/** "expected one of a, b, got "c"": the given value when it is a short string or number, else `otherwise`. */
function oneOf(choices: readonly unknown[], given: unknown, otherwise: string | null): string {
  const got = (typeof given === 'string' || typeof given === 'number' ? shortValue(given) : null) ?? otherwise;
  return `expected one of ${choices.map(String).join(', ')}${got ? `, got ${got}` : ''}`;
}

export function plainIssue(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.input === undefined && ['invalid_type', 'invalid_union', 'invalid_value'].includes(iss.code)) return 'required';
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, got ${kindOf(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'string' && Number(iss.minimum) === 1) return 'must not be empty';
      return bound(iss, iss.minimum, 'least');
    case 'too_big':
      return bound(iss, iss.maximum, 'most');
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${String(iss.values[0])}` : oneOf(iss.values, iss.input, null);
    case 'unrecognized_keys':
      return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}`;
    default:
      return undefined;
  }
}

/**
 * For a discriminated union (rule `kind`, channel `type`…): zod names the choices in its own words
 * ("Invalid discriminator value. Expected 'a' | 'b'") before any error map sees them, so the union
 * carries this itself: `z.discriminatedUnion('kind', [...], choiceError('kind'))`.
 */
export function choiceError(key: string): { error: (iss: z.core.$ZodRawIssue) => string | undefined } {
  return {
    error: (iss) => {
      if (iss.code !== 'invalid_union' || !Array.isArray((iss as { options?: unknown }).options)) return undefined;
      const { options } = iss as unknown as { options: unknown[] };
      const input = iss.input as Record<string, unknown> | undefined;
      const given = typeof input === 'object' && input !== null ? input[key] : undefined;
      if (given === undefined) return `required: one of ${options.map(String).join(', ')}`;
      return oneOf(options, given, kindOf(given));
    },
  };
}

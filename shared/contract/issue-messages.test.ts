import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { choiceError, plainIssue } from './issue-messages.js';

const messages = (schema: z.ZodType, input: unknown) =>
  Object.fromEntries(schema.safeParse(input, { error: plainIssue }).error!.issues.map((i) => [i.path.join('.') || '(top)', i.message]));

describe('plainIssue', () => {
  const schema = z
    .object({
      count: z.number(),
      name: z.string().min(1),
      code: z.string().min(3).max(5),
      port: z.number().int().min(1).max(65535),
      level: z.enum(['low', 'high']),
      tags: z.array(z.string()).max(1),
      either: z.union([z.string(), z.number()]),
    })
    .strict();

  it('says a missing field is required, and what a wrong type should be', () => {
    expect(messages(schema, { count: 'three', tags: {}, extra: 1, other: 2 })).toEqual({
      count: 'expected a number, got text',
      name: 'required',
      code: 'required',
      port: 'required',
      level: 'required',
      tags: 'expected a list, got an object',
      either: 'required',
      '(top)': 'unknown fields extra, other',
    });
  });

  it('names bounds in the unit of the value, and the choices of an enum', () => {
    expect(messages(schema, { count: 1, name: '', code: 'toolong', port: 0, level: 'mid', tags: ['a', 'b'], either: 1 })).toEqual({
      name: 'must not be empty',
      code: 'must have at most 5 characters',
      port: 'must be ≥ 1',
      level: 'expected one of low, high, got "mid"',
      tags: 'must have at most 1 item',
    });
  });

  it('does not echo a long value, and leaves messages a schema sets itself', () => {
    const long = 'x'.repeat(100);
    expect(messages(z.enum(['a', 'b']), long)['(top)']).toBe('expected one of a, b');
    expect(messages(z.string().min(8, 'at least 8 characters, please'), 'short')['(top)']).toBe('at least 8 characters, please');
  });

  it('names the choices of a discriminated union, and what was given', () => {
    const union = z.discriminatedUnion(
      'kind',
      [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b') })],
      choiceError('kind'),
    );
    expect(messages(union, { kind: 'c' })).toEqual({ kind: 'expected one of a, b, got "c"' });
    expect(messages(union, {})).toEqual({ kind: 'required: one of a, b' });
    expect(messages(union, { kind: ['a'] })).toEqual({ kind: 'expected one of a, b, got a list' });
  });
});

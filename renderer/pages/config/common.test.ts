import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.js';
import { onlyShown, saveErrors } from './common.js';
import { placeRuleIssues } from './ruleForm.js';

describe('save errors: every message has a place', () => {
  const invalid = new ApiError(400, 'invalid_input', 'invalid request: metric: unknown metric', [
    { path: 'metric', message: 'unknown metric' },
    { path: '(body)', message: 'Unrecognized key: "treshold"' },
  ]);

  it('issues go to their fields, the unplaceable ones to the banner', () => {
    expect(saveErrors(invalid, {}, placeRuleIssues)).toEqual({
      fields: { metric: 'unknown metric' },
      banner: '(body): Unrecognized key: "treshold"',
    });
  });

  it('an error without issues (conflict, network) is the banner', () => {
    const busy = new ApiError(409, 'in_use', '"oncall" is used by rules "High CPU"; change them first');
    expect(saveErrors(busy, {}, placeRuleIssues)).toEqual({ fields: {}, banner: busy.message });
    expect(saveErrors(new Error('boom'), {}, placeRuleIssues).banner).toBe('boom');
  });

  it('errors found before sending win over a stale API error at the same field', () => {
    expect(saveErrors(invalid, { metric: 'type a metric' }, placeRuleIssues).fields.metric).toBe('type a metric');
    expect(saveErrors(null, { value: 'not a number' }, placeRuleIssues)).toEqual({ fields: { value: 'not a number' }, banner: null });
  });

  it('a message for a field the form does not show now moves to the banner', () => {
    const e = onlyShown({ fields: { metric: 'unknown metric', clear: 'must be a number' }, banner: null }, ['metric', 'value']);
    expect(e).toEqual({ fields: { metric: 'unknown metric' }, banner: 'clear: must be a number' });
    expect(onlyShown({ fields: { after: 'x' }, banner: 'first' }, []).banner).toBe('first; after: x');
  });
});

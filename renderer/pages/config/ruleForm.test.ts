import { describe, expect, it } from 'vitest';
import { ruleSchema } from '../../../shared/alerting/index.js';
import { EMPTY_RULE, formToSpec, placeRuleIssues, specToForm, type RuleSpecInput } from './ruleForm.js';

/** Rules as GET returns them: complete, durations in document form. */
const threshold: RuleSpecInput = {
  kind: 'threshold',
  name: 'High CPU',
  enabled: true,
  severity: 'critical',
  description: 'CPU on {{host}} at {{value}}%',
  labels: { team: 'ops' },
  scope: { hosts: ['web-1', 'web-2'], labels: { role: 'web' } },
  autoResolve: false,
  policy: 'oncall',
  metric: 'cpu.usage',
  match: { cpu: 'total' },
  aggregate: 'avg',
  window: '5m',
  op: '>',
  value: 90,
  for: '2m',
  clear: 80,
};
const heartbeat: RuleSpecInput = {
  kind: 'heartbeat',
  name: 'Host down',
  enabled: true,
  severity: 'warning',
  description: '',
  labels: {},
  scope: {},
  autoResolve: true,
  after: '1m30s',
};
const event: RuleSpecInput = {
  kind: 'event',
  name: 'OOM',
  enabled: false,
  severity: 'info',
  description: '',
  labels: {},
  scope: {},
  autoResolve: true,
  eventKind: 'log',
  source: '/var/log/syslog',
  pattern: 'oom-killer',
  minLevel: 'error',
};
const rate: RuleSpecInput = {
  ...heartbeat,
  kind: 'rate',
  name: 'Disk filling',
  metric: 'disk.used',
  match: {},
  window: '10m',
  op: '>',
  value: 1e6,
  for: '0s',
} as RuleSpecInput;
delete (rate as Record<string, unknown>).after;

describe('rule form ↔ spec', () => {
  it.each([threshold, heartbeat, event, rate])('$kind: spec → form → the same spec', (spec) => {
    const back = formToSpec(specToForm(spec));
    expect(back).toEqual({ ok: true, spec });
    // …and what the form sends is valid for the API's own schema.
    expect(ruleSchema.safeParse(back.ok && back.spec).success).toBe(true);
  });

  it('sends only the fields of the chosen kind (the API schemas are strict)', () => {
    const form = { ...specToForm(threshold), kind: 'heartbeat' as const, after: '3m' };
    const out = formToSpec(form);
    expect(out.ok && Object.keys(out.spec).sort()).toEqual(
      ['after', 'autoResolve', 'description', 'enabled', 'kind', 'labels', 'name', 'policy', 'scope', 'severity'].sort(),
    );
  });

  it('leaves optional fields out when empty, so the API applies its defaults or names what is missing', () => {
    const out = formToSpec({ ...EMPTY_RULE, name: 'x', value: '' });
    expect(out.ok).toBe(true);
    const spec = (out.ok ? out.spec : {}) as Record<string, unknown>;
    expect(spec).not.toHaveProperty('value');
    expect(spec).not.toHaveProperty('for');
    expect(spec).not.toHaveProperty('clear');
    expect(spec).not.toHaveProperty('policy');
    expect(spec.scope).toEqual({});
  });

  it('text the API could not receive is an error at its field, before sending', () => {
    const out = formToSpec({ ...EMPTY_RULE, name: 'x', value: 'ninety', labels: 'team', scopeLabels: 'role=db, =x' });
    expect(out).toEqual({
      ok: false,
      errors: { value: '"ninety" is not a number', labels: '"team" is not name=value', scopeLabels: '"=x" is not name=value' },
    });
  });
});

describe('rule form: where API errors go', () => {
  it('puts each issue at its field and keeps the rest for the banner', () => {
    const placed = placeRuleIssues([
      { path: 'metric', message: 'unknown metric "cpu.usge"' },
      { path: 'for', message: 'must be at most 7d' },
      { path: 'scope.hosts[1]', message: 'too long' },
      { path: 'scope.labels.role', message: 'too long' },
      { path: 'labels.bad-name', message: 'label names are letters, digits and _' },
      { path: 'match.cpu', message: 'too long' },
      { path: 'metric', message: 'second message for the same field' },
      { path: '(body)', message: 'Unrecognized key: "treshold"' },
    ]);
    expect(placed.fields).toEqual({
      metric: 'unknown metric "cpu.usge"',
      for: 'must be at most 7d',
      scopeHosts: 'too long',
      scopeLabels: 'too long',
      labels: 'label names are letters, digits and _',
      match: 'too long',
    });
    expect(placed.rest).toEqual([{ path: '(body)', message: 'Unrecognized key: "treshold"' }]);
  });

  it('the API validating a real bad form: each of its issues lands on a field the form shows', () => {
    const out = formToSpec({ ...EMPTY_RULE, name: 'bad', metric: 'cpu.usge', value: '5', for: '-3m', window: 'soon' });
    const parsed = ruleSchema.safeParse(out.ok && out.spec);
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const placed = placeRuleIssues(issues);
    expect(Object.keys(placed.fields).sort()).toEqual(['for', 'metric', 'window']);
    expect(placed.rest).toEqual([]);
  });
});

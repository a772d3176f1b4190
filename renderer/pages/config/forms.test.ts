import { describe, expect, it } from 'vitest';
import { channelSchema, escalationPolicySchema, REDACTED, silenceSchema } from '../../../shared/alerting/index.js';
import { channelToForm, EMPTY_CHANNEL, formToChannel, placeChannelIssues, type ChannelSpecInput } from './channelForm.js';
import { parseMap, pathParts } from './formText.js';
import { formToPolicy, placePolicyIssues, policyToForm, type PolicySpecInput } from './policyForm.js';
import { formToSilence, fromLocalInput, placeSilenceIssues, silenceToForm, toLocalInput, type SilenceSpecInput } from './silenceForm.js';

describe('form text', () => {
  it('parses label maps and paths', () => {
    expect(parseMap(' a=1,\n b = x=y ')).toEqual({ ok: true, value: { a: '1', b: 'x=y' } });
    expect(parseMap('a')).toEqual({ ok: false, error: '"a" is not name=value' });
    expect(pathParts('levels[1].channels[0]')).toEqual(['levels', 1, 'channels', 0]);
  });
});

describe('policy form', () => {
  const policy: PolicySpecInput = {
    name: 'oncall',
    levels: [
      { delay: '0s', channels: ['ops-slack'] },
      { delay: '10m', channels: ['ops-mail', 'pager'] },
    ],
    repeat: 2,
    minInterval: '5m',
  };
  it('spec → form → the same spec, valid for the API', () => {
    const out = formToPolicy(policyToForm(policy));
    expect(out).toEqual({ ok: true, spec: policy });
    expect(escalationPolicySchema.safeParse(out.ok && out.spec).success).toBe(true);
  });
  it('puts a missing channel at its level', () => {
    const placed = placePolicyIssues([
      { path: 'levels[1].channels[0]', message: 'no such channel' },
      { path: 'levels', message: 'a policy needs at least one level' },
      { path: 'repeat', message: 'too big' },
    ]);
    expect(placed.fields).toEqual({
      'levels[1].channels': 'no such channel',
      levels: 'a policy needs at least one level',
      repeat: 'too big',
    });
  });
});

describe('channel form', () => {
  const webhook: ChannelSpecInput = {
    name: 'hook',
    type: 'webhook',
    settings: { url: 'https://example.com/h', secret: REDACTED, headers: { 'X-Team': 'ops' } },
  };
  const email: ChannelSpecInput = {
    name: 'mail',
    type: 'email',
    settings: {
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      user: 'wt',
      password: REDACTED,
      from: 'wt@example.com',
      to: ['a@example.com', 'b@example.com'],
    },
  };
  it.each([webhook, email, { name: 'slack', type: 'slack', settings: { webhookUrl: 'https://hooks.slack.com/x' } } as ChannelSpecInput])(
    '$type: spec → form → the same spec (secret markers sent back unchanged)',
    (spec) => {
      expect(formToChannel(channelToForm(spec))).toEqual({ ok: true, spec });
    },
  );
  it('a new desktop channel is valid as it is', () => {
    const out = formToChannel({ ...EMPTY_CHANNEL, name: 'tray', type: 'desktop' });
    expect(channelSchema.safeParse(out.ok && out.spec).success).toBe(true);
  });
  it('puts settings issues at the settings field', () => {
    const placed = placeChannelIssues([
      { path: 'settings.url', message: 'must be an http(s) URL' },
      { path: 'settings.to[1]', message: 'Invalid email address' },
      { path: 'name', message: 'already taken' },
      { path: 'settings', message: 'something else' },
    ]);
    expect(placed.fields).toEqual({ url: 'must be an http(s) URL', to: 'Invalid email address', name: 'already taken' });
    expect(placed.rest).toEqual([{ path: 'settings', message: 'something else' }]);
  });
});

describe('silence form', () => {
  const start = new Date(2026, 10, 25, 22, 0).getTime(); // local time, as the inputs show it
  const silence: SilenceSpecInput = {
    name: 'db maintenance',
    matchers: { hosts: ['db-1'], rules: ['High CPU', 'Host down'], labels: { role: 'db' } },
    startsAt: start,
    endsAt: start + 3 * 3_600_000,
    recurring: { days: [0, 6], from: '02:00', to: '04:30' },
    comment: 'weekly vacuum',
  };
  it('spec → form → the same spec, valid for the API', () => {
    const out = formToSilence(silenceToForm(silence));
    expect(out).toEqual({ ok: true, spec: silence });
    expect(silenceSchema.safeParse(out.ok && out.spec).success).toBe(true);
  });
  it('local datetime inputs round-trip to the minute', () => {
    expect(fromLocalInput(toLocalInput(start))).toBe(start);
    expect(fromLocalInput('')).toBeNull();
  });
  it('an empty time is an error at its field; API issues go to theirs', () => {
    const out = formToSilence({ ...silenceToForm(silence), endsAt: '' });
    expect(out).toEqual({ ok: false, errors: { endsAt: 'pick a date and time' } });
    const placed = placeSilenceIssues([
      { path: 'endsAt', message: 'must be after startsAt' },
      { path: 'recurring.from', message: 'HH:MM (UTC)' },
      { path: 'matchers.hosts[0]', message: 'too long' },
    ]);
    expect(placed.fields).toEqual({ endsAt: 'must be after startsAt', from: 'HH:MM (UTC)', hosts: 'too long' });
  });
});

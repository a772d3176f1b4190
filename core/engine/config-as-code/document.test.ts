import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../shared/alerting/index.js';
import type { Known } from './checks.js';
import { parseDocument, type DocError, type ParsedDoc } from './document.js';
import { DOCUMENT, WEBHOOK_SECRET, withRules } from './fixtures.js';

const NONE: Known = { policies: [], channels: [] };

function parsed(text: string, known = NONE): ParsedDoc {
  const r = parseDocument(text, known);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

function errors(text: string, known = NONE, prune = false): DocError[] {
  const r = parseDocument(text, known, { prune });
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

const cpu = (extra = '') => `  - { name: High CPU, kind: threshold, metric: cpu.usage, op: '>', value: 90${extra} }\n`;

describe('parseDocument', () => {
  it('parses a realistic document into the API specs, durations in ms', () => {
    const doc = parsed(DOCUMENT);
    expect(doc.channels?.map((c) => c.name)).toEqual(['ops-webhook', 'ops-email']);
    expect(doc.channels?.[0]?.settings).toMatchObject({ secret: WEBHOOK_SECRET });
    expect(doc.policies?.[0]).toEqual({
      name: 'oncall',
      levels: [
        { delay: 0, channels: ['ops-webhook'] },
        { delay: 900_000, channels: ['ops-email', 'ops-webhook'] },
      ],
      repeat: 2,
      minInterval: 600_000,
    });
    const [cpuRule, disk, down, oom] = doc.rules ?? [];
    expect(cpuRule).toMatchObject({ kind: 'threshold', window: 300_000, for: 600_000, enabled: true, match: { cpu: 'total' } });
    expect(disk).toMatchObject({ kind: 'rate', window: 3_600_000, for: 1_800_000, scope: { labels: { env: 'prod' } } });
    expect(down).toMatchObject({ kind: 'heartbeat', after: 90_000 });
    expect(oom).toMatchObject({ kind: 'event', pattern: 'Out of memory: Killed process \\d+', autoResolve: false });
    expect(doc.silences?.[0]).toMatchObject({
      startsAt: Date.UTC(2025, 0, 1),
      endsAt: Date.UTC(2026, 0, 1),
      recurring: { days: [1, 2, 3, 4, 5], from: '02:00', to: '03:30' },
    });
    expect(doc.keepSecrets.size).toBe(0);
  });

  it('reports YAML syntax errors with their line and column', () => {
    const [e] = errors('version: 1\nrules:\n  - name: "High CPU\n    kind: threshold\n');
    expect(e?.path).toMatch(/^line \d+, column \d+$/);
    expect(e?.line).toBeGreaterThanOrEqual(3);
    expect(errors('version: 1\nversion: 1\n')[0]).toMatchObject({ path: 'line 2, column 1', line: 2 });
  });

  it.each([
    ['an unknown metric', withRules(cpu().replace('cpu.usage', 'cpu.bogus')), 'rules[0].metric', /unknown metric "cpu.bogus"/],
    [
      'a bad regex',
      withRules(cpu() + "  - { name: Panic, kind: event, pattern: '(unclosed' }\n"),
      'rules[1].pattern',
      /regular expression/,
    ],
    ['a negative duration', withRules(cpu(', for: -5m')), 'rules[0].for', /"-5m" is not a duration/],
    ['a duplicate name', withRules(cpu() + cpu()), 'rules[1].name', /^duplicate name "High CPU"$/],
    ['an unknown policy', withRules(cpu(', policy: pager')), 'rules[0].policy', /unknown policy "pager"/],
    ['an unknown top-level key', 'version: 1\nalerts: []\n', 'alerts', /unknown key/],
    ['a typo in a rule', withRules(cpu(', treshold: 3')), 'rules[0].treshold', /unknown key/],
    ['a missing version', 'rules: []\n', 'version', /must be 1/],
    [
      'a silence time without zone',
      'version: 1\nsilences:\n  - { name: s, startsAt: 2025-01-01T02:00, endsAt: 1e13 }\n',
      'silences[0].startsAt',
      /not a time/,
    ],
  ])('rejects %s at its path', (_what, text, path, message) => {
    const errs = errors(text);
    expect(errs.map((e) => e.path)).toContain(path);
    expect(errs.find((e) => e.path === path)?.message).toMatch(message);
  });

  it('checks policy levels against the channels in the document or stored', () => {
    const text = 'version: 1\npolicies:\n  - name: p\n    levels:\n      - channels: [a]\n      - channels: [pager, a]\n';
    expect(errors(text, { policies: [], channels: ['a'] })).toEqual([
      { path: 'policies[0].levels[1].channels[0]', message: 'unknown channel "pager" (neither in this document nor stored)', line: 6 },
    ]);
    expect(parseDocument(text, { policies: [], channels: ['a', 'pager'] }).ok).toBe(true);
  });

  it('accepts references to stored records, unless prune deletes them', () => {
    const text = withRules(cpu(', policy: oncall')) + 'policies: []\n';
    expect(parseDocument(text, { policies: ['oncall'], channels: [] }).ok).toBe(true);
    expect(errors(text, { policies: ['oncall'], channels: [] }, true).map((e) => e.path)).toEqual(['rules[0].policy']);
  });

  it('locates schema errors in the file and lists every error at once', () => {
    const errs = errors(withRules(cpu() + '  - name: Down\n    kind: heartbeat\n    after: 1s\n' + cpu(', for: x')));
    expect(errs).toEqual([
      { path: 'rules[1].after', message: 'must be at least 5s', line: 6 },
      expect.objectContaining({ path: 'rules[2].for', line: 7 }),
      { path: 'rules[2].name', message: 'duplicate name "High CPU"', line: 7 },
    ]);
  });

  it('reads the redaction marker as "keep the stored secret" for stored channels only', () => {
    const text = `version: 1\nchannels:\n  - { name: hook, type: webhook, settings: { url: 'https://x.example', secret: '${REDACTED}' } }\n`;
    const doc = parsed(text, { policies: [], channels: ['hook'] });
    expect(doc.channels?.[0]?.settings).toEqual({ url: 'https://x.example' });
    expect(doc.keepSecrets.get('hook')).toEqual(['secret']);
    expect(errors(text)).toEqual([
      expect.objectContaining({ path: 'channels[0].settings.secret', message: expect.stringMatching(/not stored yet/) }),
    ]);
  });
});

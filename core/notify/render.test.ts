import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './http.js';
import { render, renderSummary } from './render.js';
import { sampleNotification } from './test-servers.js';

describe('render', () => {
  it('words a notification the same for every channel', () => {
    const r = render(sampleNotification());
    expect(r.title).toBe('[CRITICAL] TRIGGERED: Disk almost full on web-1');
    expect(r.text.split('\n')).toEqual([
      '[CRITICAL] TRIGGERED: Disk almost full on web-1',
      '',
      'Disk / is 97% full (threshold 90%).',
      '',
      'Severity: critical',
      'Status: triggered',
      'Host: web-1',
      'Rule: disk-usage',
      'Value: 97',
      'Escalation: level 1, pass 1',
      'Occurrences: 3',
      'Labels: mount=/',
      'Since: 2026-11-20 12:00:00 UTC',
      'Incident: inc_42',
      '',
      'Open: https://watchtower.example/incidents/inc_42',
    ]);
  });

  it('keeps the title on one line and leaves absent facts out', () => {
    const n = sampleNotification({ event: 'acknowledged', step: undefined, url: undefined });
    Object.assign(n.incident, {
      title: 'line one\r\nBcc: x@evil',
      host: null,
      rule: null,
      value: null,
      count: 1,
      labels: {},
      description: '',
    });
    const r = render(n);
    expect(r.title).toBe('[CRITICAL] ACKNOWLEDGED: line one Bcc: x@evil');
    expect(r.fields.map((f) => f.label)).toEqual(['Severity', 'Status', 'Since', 'Incident']);
    expect(renderSummary(n)).toBe('');
  });

  it('summarises long descriptions for native notifications', () => {
    const n = sampleNotification();
    n.incident.description = 'a '.repeat(300);
    expect(renderSummary(n)).toHaveLength(240);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, never negative', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 120_000).toUTCString(), now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Timeline } from './Timeline.js';
import type { TimelineEntry } from './timeline.js';

afterEach(cleanup);

let n = 0;
const entry = (type: string, detail: Record<string, unknown> = {}, actor: string | null = null): TimelineEntry => ({
  id: `ev${++n}`,
  ts: Date.UTC(2026, 10, 25, 12, 0, n),
  type,
  actor,
  detail,
});

const cases: [TimelineEntry, string, RegExp][] = [
  [entry('triggered', { value: 93.5 }), 'Triggered', /Opened at value 93\.5/],
  [entry('repeated', { value: 95 }), 'Repeated', /Fired again at value 95/],
  [entry('suppressed', { value: 1 }), 'Suppressed', /silence was in force/],
  [entry('unsilenced', { text: 'silence ended; notifying from now' }), 'Silence ended', /silence ended; notifying from now/],
  [
    entry('escalated', { level: 1, pass: 1, channels: ['ops-slack', 'pager'] }),
    'Escalated',
    /Level 2 \(repeat 1\): notifying ops-slack, pager/,
  ],
  [
    entry('notified', { channel: 'ops-slack', type: 'slack', attempt: 2, detail: 'HTTP 200' }),
    'Notified',
    /Sent through ops-slack \(slack\) on attempt 2: HTTP 200/,
  ],
  [
    entry('notify_failed', { channel: 'mail', error: 'ECONNREFUSED' }),
    'Notification failed',
    /Could not notify through mail: ECONNREFUSED/,
  ],
  [entry('acknowledged', {}, 'alice'), 'Acknowledged', /Acknowledged by alice; escalation stopped/],
  [entry('note', { text: 'restarted nginx' }, 'bob'), 'Note', /restarted nginx/],
  [entry('resolved', {}, 'alice'), 'Resolved', /Resolved by alice\./],
  [entry('runbook_ran', { exit: 0 }), 'runbook_ran', /"exit":0/],
];

describe('incident timeline', () => {
  it.each(cases)('renders a %#: $1 entry', (e, label, text) => {
    render(<Timeline entries={[e]} />);
    const item = screen.getByRole('listitem');
    expect(item.getAttribute('data-type')).toBe(e.type);
    expect(within(item).getByText(label, { selector: 'strong' })).toBeTruthy();
    expect(item.textContent).toMatch(text);
    expect(item.querySelector('time')?.getAttribute('datetime')).toBe(new Date(e.ts).toISOString());
  });

  it('says the condition cleared when the engine resolved it by itself', () => {
    render(<Timeline entries={[entry('resolved', {}, 'engine')]} resolution="auto" />);
    expect(screen.getByRole('listitem').textContent).toMatch(/Resolved by engine \(the condition cleared\)/);
  });

  it('keeps the order it is given (oldest first) and colours by tone', () => {
    const entries = [entry('triggered'), entry('notify_failed', { channel: 'x', error: 'y' }), entry('acknowledged', {}, 'a')];
    render(<Timeline entries={entries} />);
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-type'))).toEqual(['triggered', 'notify_failed', 'acknowledged']);
    expect(items.map((li) => li.className)).toEqual(['timeline-entry tone-alert', 'timeline-entry tone-alert', 'timeline-entry tone-ok']);
  });

  it('an empty timeline says so', () => {
    render(<Timeline entries={[]} />);
    expect(screen.getByText('Nothing recorded yet.')).toBeTruthy();
  });
});

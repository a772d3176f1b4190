// What each timeline entry says, in words a person on call reads at a glance. The engine writes
// these types (core/store/alerting: triggered, repeated, suppressed, escalated, notified,
// notify_failed, acknowledged, note, resolved, unsilenced); an unknown type from a newer server is still shown.
import type { Output } from '../../../shared/contract/index.js';

export type TimelineEntry = Output<'getIncident'>['timeline'][number];
export type Tone = 'alert' | 'warn' | 'ok' | 'info' | 'muted';

export interface DescribedEntry {
  /** Short label for the kind of event. */
  label: string;
  /** One sentence with the details. */
  text: string;
  tone: Tone;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
const by = (actor: string | null) => (actor ? ` by ${actor}` : '');

/** `resolution` is the incident's (the resolved entry itself carries no detail). */
export function describeEntry(e: TimelineEntry, ctx: { resolution?: string | null } = {}): DescribedEntry {
  const d = e.detail;
  const value = str(d.value);
  switch (e.type) {
    case 'triggered':
      return { label: 'Triggered', text: value ? `Opened at value ${value}.` : 'Opened.', tone: 'alert' };
    case 'repeated':
      return { label: 'Repeated', text: value ? `Fired again at value ${value}.` : 'Fired again.', tone: 'muted' };
    case 'suppressed':
      return { label: 'Suppressed', text: 'Opened while a silence was in force: recorded, not notified.', tone: 'muted' };
    case 'escalated': {
      const channels = Array.isArray(d.channels) ? d.channels.map(String).join(', ') : null;
      const level = typeof d.level === 'number' ? d.level + 1 : null;
      const pass = typeof d.pass === 'number' && d.pass > 0 ? ` (repeat ${d.pass})` : '';
      return {
        label: 'Escalated',
        text: `${level ? `Level ${level}` : 'Next level'}${pass}${channels ? `: notifying ${channels}` : ''}.`,
        tone: 'warn',
      };
    }
    case 'notified': {
      const attempt = typeof d.attempt === 'number' && d.attempt > 1 ? ` on attempt ${d.attempt}` : '';
      const detail = str(d.detail);
      return {
        label: 'Notified',
        text: `Sent through ${str(d.channel) ?? 'a channel'}${str(d.type) ? ` (${str(d.type)})` : ''}${attempt}${detail ? `: ${detail}` : ''}.`,
        tone: 'info',
      };
    }
    case 'notify_failed':
      return {
        label: 'Notification failed',
        text: `Could not notify through ${str(d.channel) ?? 'a channel'}: ${str(d.error) ?? 'unknown error'}.`,
        tone: 'alert',
      };
    case 'acknowledged':
      return { label: 'Acknowledged', text: `Acknowledged${by(e.actor)}; escalation stopped.`, tone: 'ok' };
    case 'note':
      return { label: 'Note', text: str(d.text) ?? '(empty note)', tone: 'info' };
    case 'resolved': {
      const how = str(d.resolution) ?? ctx.resolution ?? null;
      const why = how === 'auto' ? ' (the condition cleared)' : how === 'external' ? ' (by an external event)' : '';
      return { label: 'Resolved', text: `Resolved${by(e.actor)}${why}.`, tone: 'ok' };
    }
    case 'unsilenced':
      return { label: 'Silence ended', text: str(d.text) ?? 'The silence holding it back is over: notifying now.', tone: 'warn' };
    default:
      return { label: e.type, text: Object.keys(d).length ? JSON.stringify(d) : '', tone: 'muted' };
  }
}

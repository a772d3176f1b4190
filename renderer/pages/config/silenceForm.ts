// The silence form ↔ its spec. Windows are typed in local time (datetime-local inputs) and sent as
// epoch ms; recurring windows are HH:MM in UTC, as the engine evaluates them.
import type { Input } from '../../../shared/contract/index.js';
import { formatList, formatMap, parseList, parseMap, pathParts, placeIssues, type FieldIssue, type PlacedIssues } from './formText.js';

export type SilenceSpecInput = Input<'createSilence'>;

export interface SilenceForm {
  name: string;
  hosts: string;
  rules: string;
  labels: string;
  startsAt: string;
  endsAt: string;
  recurring: boolean;
  days: number[];
  from: string;
  to: string;
  comment: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → the value of a datetime-local input (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value → epoch ms, or null when it is not a time. */
export function fromLocalInput(v: string): number | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return null;
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? t : null;
}

export function emptySilence(now: number): SilenceForm {
  return {
    name: '',
    hosts: '',
    rules: '',
    labels: '',
    startsAt: toLocalInput(now),
    endsAt: toLocalInput(now + 2 * 3_600_000),
    recurring: false,
    days: [],
    from: '02:00',
    to: '04:00',
    comment: '',
  };
}

export function silenceToForm(spec: SilenceSpecInput): SilenceForm {
  const m = spec.matchers ?? {};
  return {
    name: spec.name,
    hosts: formatList(m.hosts),
    rules: formatList(m.rules),
    labels: formatMap(m.labels),
    startsAt: toLocalInput(spec.startsAt),
    endsAt: toLocalInput(spec.endsAt),
    recurring: Boolean(spec.recurring),
    days: spec.recurring?.days ? [...spec.recurring.days] : [],
    from: spec.recurring?.from ?? '02:00',
    to: spec.recurring?.to ?? '04:00',
    comment: spec.comment ?? '',
  };
}

export function formToSilence(f: SilenceForm): { ok: true; spec: SilenceSpecInput } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const labels = parseMap(f.labels);
  if (!labels.ok) errors.labels = labels.error;
  const startsAt = fromLocalInput(f.startsAt);
  const endsAt = fromLocalInput(f.endsAt);
  if (startsAt === null) errors.startsAt = 'pick a date and time';
  if (endsAt === null) errors.endsAt = 'pick a date and time';
  if (Object.keys(errors).length || !labels.ok || startsAt === null || endsAt === null) return { ok: false, errors };
  const hosts = parseList(f.hosts);
  const rules = f.rules
    .split(/[,\n]/)
    .map((r) => r.trim())
    .filter(Boolean); // rule names may contain spaces
  return {
    ok: true,
    spec: {
      name: f.name,
      matchers: {
        ...(hosts.length ? { hosts } : {}),
        ...(rules.length ? { rules } : {}),
        ...(Object.keys(labels.value).length ? { labels: labels.value } : {}),
      },
      startsAt,
      endsAt,
      ...(f.recurring ? { recurring: { ...(f.days.length ? { days: [...f.days].sort() } : {}), from: f.from, to: f.to } } : {}),
      comment: f.comment,
    },
  };
}

/** `matchers.hosts[0]` → "hosts", `recurring.from` → "from", `endsAt` → "endsAt". */
export function silenceFieldOf(path: string): string | null {
  const [top, field] = pathParts(path);
  if ((top === 'matchers' || top === 'recurring') && typeof field === 'string') return field;
  if (top === 'recurring') return 'recurring';
  return typeof top === 'string' && ['name', 'startsAt', 'endsAt', 'comment'].includes(top) ? top : null;
}

export const placeSilenceIssues = (issues: readonly FieldIssue[]): PlacedIssues => placeIssues(issues, silenceFieldOf);

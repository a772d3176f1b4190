// The human wording of a notification, shared by Slack, email and desktop so a person reads the same
// title and facts whichever channel reached them. Each channel only adds its own markup.
import type { Notification } from './types.js';

export interface Field {
  label: string;
  value: string;
}

export interface Rendered {
  /** One line, e.g. "[CRITICAL] TRIGGERED: Disk almost full on web-1". */
  title: string;
  /** The facts in a fixed order; absent ones (no host, no value…) are left out. */
  fields: Field[];
  description: string;
  url?: string;
  /** Plain-text body: description, facts as "Label: value", link. */
  text: string;
}

/** Collapses line breaks and runs of spaces: titles end up in subjects and headers, one line each. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function formatTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function renderTitle(n: Notification): string {
  const { incident } = n;
  const on = incident.host ? ` on ${oneLine(incident.host.name)}` : '';
  return `[${incident.severity.toUpperCase()}] ${n.event.toUpperCase()}: ${oneLine(incident.title)}${on}`;
}

export function renderFields(n: Notification): Field[] {
  const { incident } = n;
  const fields: Field[] = [
    { label: 'Severity', value: incident.severity },
    { label: 'Status', value: incident.status },
  ];
  if (incident.host) fields.push({ label: 'Host', value: incident.host.name });
  if (incident.rule) fields.push({ label: 'Rule', value: incident.rule.name });
  if (incident.value !== undefined && incident.value !== null) fields.push({ label: 'Value', value: String(incident.value) });
  if (n.step) fields.push({ label: 'Escalation', value: `level ${n.step.level}, pass ${n.step.pass}` });
  if (incident.count > 1) fields.push({ label: 'Occurrences', value: String(incident.count) });
  const labels = Object.entries(incident.labels);
  if (labels.length > 0) fields.push({ label: 'Labels', value: labels.map(([k, v]) => `${k}=${v}`).join(', ') });
  fields.push({ label: 'Since', value: formatTime(incident.triggeredAt) });
  fields.push({ label: 'Incident', value: incident.id });
  return fields;
}

export function render(n: Notification): Rendered {
  const title = renderTitle(n);
  const fields = renderFields(n);
  const description = n.incident.description.trim();
  const lines = [title, ''];
  if (description) lines.push(description, '');
  for (const f of fields) lines.push(`${f.label}: ${f.value}`);
  if (n.url) lines.push('', `Open: ${n.url}`);
  return { title, fields, description, ...(n.url ? { url: n.url } : {}), text: lines.join('\n') };
}

/** Short body for places with little room (native notifications): description, else host and rule. */
export function renderSummary(n: Notification, max = 240): string {
  const { incident } = n;
  const where = [incident.host?.name, incident.rule?.name].filter(Boolean).join(' · ');
  const body = oneLine(incident.description) || where;
  return body.length > max ? `${body.slice(0, max - 1)}…` : body;
}

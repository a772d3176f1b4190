// Row → record mapping for the alerting tables (PostgreSQL returns BIGINT and COUNT as strings).
import type { ConfigKind, ConfigRecord, Delivery, Incident, RuleState, TimelineEntry, Timer } from './types.js';

type Row = Record<string, unknown>;
const n = (v: unknown): number => Number(v);
const nn = (v: unknown): number | null => (v == null ? null : Number(v));
const s = (v: unknown): string | null => (v == null ? null : String(v));

export const configFromRow = <T>(r: Row): ConfigRecord<T> => ({
  kind: r.kind as ConfigKind,
  id: String(r.id),
  name: String(r.name),
  spec: JSON.parse(String(r.spec)) as T,
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
});

export const ruleStateFromRow = (r: Row): RuleState => ({
  ruleId: String(r.rule_id),
  hostId: String(r.host_id),
  seriesKey: String(r.series_key),
  state: r.state as RuleState['state'],
  since: n(r.since),
  value: nn(r.value),
});

export const incidentFromRow = (r: Row): Incident => ({
  id: String(r.id),
  fingerprint: String(r.fingerprint),
  source: r.source as Incident['source'],
  ruleId: s(r.rule_id),
  hostId: s(r.host_id),
  dedupKey: s(r.dedup_key),
  title: String(r.title),
  description: String(r.description),
  severity: r.severity as Incident['severity'],
  labels: JSON.parse(String(r.labels)) as Record<string, string>,
  status: r.status as Incident['status'],
  count: n(r.count),
  value: nn(r.value),
  policy: s(r.policy),
  silenced: Boolean(Number(r.silenced)),
  triggeredAt: n(r.triggered_at),
  lastSeenAt: n(r.last_seen_at),
  acknowledgedAt: nn(r.acknowledged_at),
  acknowledgedBy: s(r.acknowledged_by),
  resolvedAt: nn(r.resolved_at),
  resolvedBy: s(r.resolved_by),
  resolution: (r.resolution ?? null) as Incident['resolution'],
});

export const timelineFromRow = (r: Row): TimelineEntry => ({
  id: String(r.id),
  incidentId: String(r.incident_id),
  ts: n(r.ts),
  type: r.type as TimelineEntry['type'],
  actor: s(r.actor),
  detail: r.detail ? (JSON.parse(String(r.detail)) as Record<string, unknown>) : {},
});

export const timerFromRow = (r: Row): Timer => ({
  id: String(r.id),
  incidentId: String(r.incident_id),
  kind: r.kind as Timer['kind'],
  dueAt: n(r.due_at),
  payload: JSON.parse(String(r.payload)) as Timer['payload'],
});

export const deliveryFromRow = (r: Row): Delivery => ({
  id: String(r.id),
  incidentId: String(r.incident_id),
  channelId: String(r.channel_id),
  channelName: String(r.channel_name),
  event: r.event as Delivery['event'],
  stepKey: String(r.step_key),
  status: r.status as Delivery['status'],
  attempts: n(r.attempts),
  nextAttemptAt: nn(r.next_attempt_at),
  lastError: s(r.last_error),
  detail: s(r.detail),
  createdAt: n(r.created_at),
  updatedAt: n(r.updated_at),
});

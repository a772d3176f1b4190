// What the incident engine keeps: configuration (rules, policies, channels, silences), per rule×host
// state, incidents with their timelines, durable timers and the delivery log.

export type ConfigKind = 'rule' | 'policy' | 'channel' | 'silence';

export interface ConfigRecord<T = unknown> {
  kind: ConfigKind;
  id: string;
  name: string;
  spec: T;
  createdAt: number;
  updatedAt: number;
}

export interface RuleState {
  ruleId: string;
  hostId: string;
  /** Canonical labels of the series (or '' for host-level rules). */
  seriesKey: string;
  state: 'pending' | 'firing';
  since: number;
  value: number | null;
}

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export type Severity = 'critical' | 'warning' | 'info';

export interface Incident {
  id: string;
  fingerprint: string;
  source: 'rule' | 'external' | 'test';
  ruleId: string | null;
  hostId: string | null;
  dedupKey: string | null;
  title: string;
  description: string;
  severity: Severity;
  labels: Record<string, string>;
  status: IncidentStatus;
  count: number;
  value: number | null;
  policy: string | null;
  silenced: boolean;
  triggeredAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: 'manual' | 'auto' | 'external' | null;
}

export type NewIncident = Pick<
  Incident,
  | 'fingerprint'
  | 'source'
  | 'ruleId'
  | 'hostId'
  | 'dedupKey'
  | 'title'
  | 'description'
  | 'severity'
  | 'labels'
  | 'value'
  | 'policy'
  | 'silenced'
>;

export type TimelineType =
  | 'triggered'
  | 'repeated'
  | 'suppressed'
  | 'unsilenced'
  | 'escalated'
  | 'notified'
  | 'notify_failed'
  | 'acknowledged'
  | 'note'
  | 'resolved';

export interface TimelineEntry {
  id: string;
  incidentId: string;
  ts: number;
  type: TimelineType;
  actor: string | null;
  detail: Record<string, unknown>;
}

export interface Timer {
  id: string;
  incidentId: string;
  kind: 'escalate';
  dueAt: number;
  payload: { level: number; pass: number };
}

export interface Delivery {
  id: string;
  incidentId: string;
  channelId: string;
  channelName: string;
  event: 'triggered' | 'escalated' | 'acknowledged' | 'resolved' | 'test';
  stepKey: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  detail: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  severity?: Severity[];
  hostId?: string;
  ruleId?: string;
  from?: number;
  to?: number;
  limit: number;
}

export interface ResponseStats {
  group: string;
  incidents: number;
  acknowledged: number;
  resolved: number;
  /** Mean times in ms, null when none. */
  meanTimeToAcknowledge: number | null;
  meanTimeToResolve: number | null;
}

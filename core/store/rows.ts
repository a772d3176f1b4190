// Row → record mapping shared by both backends (PostgreSQL returns JSONB parsed, SQLite as text).
import type { Host, Labels, StoredEvent } from './types.js';

const json = <T>(v: unknown): T | null => (v == null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export interface HostRow {
  id: string;
  name: string;
  labels: unknown;
  created_at: unknown;
  last_seen_at: unknown;
  agent_version: string | null;
  interval_ms: unknown;
  inventory: unknown;
  processes: unknown;
}

export function hostFromRow(r: HostRow): Host {
  return {
    id: r.id,
    name: r.name,
    labels: json<Labels>(r.labels) ?? {},
    createdAt: Number(r.created_at),
    lastSeenAt: num(r.last_seen_at),
    agentVersion: r.agent_version,
    intervalMs: num(r.interval_ms),
    inventory: json(r.inventory),
    processes: json(r.processes),
  };
}

export const parseLabels = (v: unknown): Labels => json<Labels>(v) ?? {};

export interface EventRow {
  id: number;
  host_id: string;
  ts: number;
  kind: 'log' | 'event';
  source: string;
  level: StoredEvent['level'] | null;
  message: string;
  fields: unknown;
}

export function eventFromRow(r: EventRow): StoredEvent {
  const e: StoredEvent = { id: Number(r.id), hostId: r.host_id, ts: Number(r.ts), kind: r.kind, source: r.source, message: r.message };
  if (r.level) e.level = r.level;
  const fields = json<StoredEvent['fields']>(r.fields);
  if (fields) e.fields = fields;
  return e;
}

// Alerting tables: the same DDL for SQLite and PostgreSQL (portable types only; ids are made in JS,
// JSON is TEXT, booleans are integers), applied as migration 3.
export const ALERTING_DDL = `
  CREATE TABLE alerting_config (
    kind TEXT NOT NULL,
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (kind, name)
  );
  CREATE TABLE rule_states (
    rule_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    series_key TEXT NOT NULL,
    state TEXT NOT NULL,
    since BIGINT NOT NULL,
    value DOUBLE PRECISION,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (rule_id, host_id, series_key)
  );
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    source TEXT NOT NULL,
    rule_id TEXT,
    host_id TEXT,
    dedup_key TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    labels TEXT NOT NULL,
    status TEXT NOT NULL,
    count INTEGER NOT NULL,
    value DOUBLE PRECISION,
    policy TEXT,
    silenced INTEGER NOT NULL DEFAULT 0,
    triggered_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    resolved_at BIGINT,
    resolved_by TEXT,
    resolution TEXT
  );
  CREATE UNIQUE INDEX incidents_open_fingerprint ON incidents (fingerprint) WHERE status <> 'resolved';
  CREATE INDEX incidents_triggered_at ON incidents (triggered_at);
  CREATE TABLE incident_events (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    ts BIGINT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT,
    detail TEXT
  );
  CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
  CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    fired_at BIGINT,
    fired_by TEXT
  );
  CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL;
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    channel_name TEXT NOT NULL,
    event TEXT NOT NULL,
    step_key TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT,
    lease_until BIGINT,
    last_error TEXT,
    detail TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (incident_id, channel_id, step_key)
  );
  CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
`;

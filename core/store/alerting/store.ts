// The incident engine's storage, one implementation for both backends over SqlDb. Each change that
// must be atomic (an incident and its timeline line) is one batch. The database is the source of
// truth in team mode: the open-incident unique index, timer claims and delivery uniqueness are what
// make two instances agree, whatever Redis knows.
import { newId, newSortableId } from '../ids.js';
import type { SqlDb, Stmt } from '../sql-db.js';
import { configFromRow, deliveryFromRow, incidentFromRow, ruleStateFromRow, timelineFromRow, timerFromRow } from './rows.js';
import type {
  ConfigKind,
  ConfigRecord,
  Delivery,
  Incident,
  IncidentFilter,
  NewIncident,
  ResponseStats,
  RuleState,
  TimelineEntry,
  TimelineType,
  Timer,
} from './types.js';

const ID_PREFIX: Record<ConfigKind, string> = { rule: 'r', policy: 'p', channel: 'c', silence: 's' };

export class AlertingStore {
  constructor(readonly db: SqlDb) {}

  // ── configuration ──────────────────────────────────────────────────────────
  async listConfig<T>(kind: ConfigKind): Promise<ConfigRecord<T>[]> {
    const rows = await this.db.all('SELECT * FROM alerting_config WHERE kind = $1 ORDER BY name', [kind]);
    return rows.map((r) => configFromRow<T>(r));
  }

  async getConfig<T>(kind: ConfigKind, idOrName: string): Promise<ConfigRecord<T> | null> {
    const [row] = await this.db.all('SELECT * FROM alerting_config WHERE kind = $1 AND (id = $2 OR name = $2)', [kind, idOrName]);
    return row ? configFromRow<T>(row) : null;
  }

  async createConfig<T>(kind: ConfigKind, name: string, spec: T, now: number): Promise<ConfigRecord<T>> {
    const id = newId(ID_PREFIX[kind]);
    await this.db.run('INSERT INTO alerting_config (kind, id, name, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)', [
      kind,
      id,
      name,
      JSON.stringify(spec),
      now,
    ]);
    return { kind, id, name, spec, createdAt: now, updatedAt: now };
  }

  async updateConfig<T>(kind: ConfigKind, id: string, name: string, spec: T, now: number): Promise<boolean> {
    const sql = 'UPDATE alerting_config SET name = $3, spec = $4, updated_at = $5 WHERE kind = $1 AND id = $2';
    return (await this.db.run(sql, [kind, id, name, JSON.stringify(spec), now])) > 0;
  }

  async deleteConfig(kind: ConfigKind, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM alerting_config WHERE kind = $1 AND id = $2', [kind, id])) > 0;
  }

  // ── rule × host state ──────────────────────────────────────────────────────
  async ruleStates(hostId?: string): Promise<RuleState[]> {
    const rows = hostId
      ? await this.db.all('SELECT * FROM rule_states WHERE host_id = $1', [hostId])
      : await this.db.all('SELECT * FROM rule_states');
    return rows.map(ruleStateFromRow);
  }

  async setRuleState(s: RuleState, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO rule_states (rule_id, host_id, series_key, state, since, value, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (rule_id, host_id, series_key) DO UPDATE SET state = excluded.state, since = excluded.since, value = excluded.value, updated_at = excluded.updated_at`,
      [s.ruleId, s.hostId, s.seriesKey, s.state, s.since, s.value, now],
    );
  }

  async clearRuleState(ruleId: string, hostId?: string, seriesKey?: string): Promise<void> {
    if (hostId === undefined) await this.db.run('DELETE FROM rule_states WHERE rule_id = $1', [ruleId]);
    else
      await this.db.run('DELETE FROM rule_states WHERE rule_id = $1 AND host_id = $2 AND series_key = $3', [
        ruleId,
        hostId,
        seriesKey ?? '',
      ]);
  }

  // ── incidents ──────────────────────────────────────────────────────────────
  /** Opens an incident, or counts a repeat on the open one with the same fingerprint. */
  async triggerIncident(i: NewIncident, now: number): Promise<{ incident: Incident; created: boolean }> {
    const id = newId('inc');
    const [upsert] = await this.db.batch([
      {
        sql: `INSERT INTO incidents (id, fingerprint, source, rule_id, host_id, dedup_key, title, description, severity, labels, status, count,
                value, policy, silenced, triggered_at, last_seen_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'triggered', 1, $11, $12, $13, $14, $14)
              ON CONFLICT (fingerprint) WHERE status <> 'resolved'
              DO UPDATE SET count = incidents.count + 1, last_seen_at = excluded.last_seen_at, value = excluded.value
              RETURNING *`,
        params: [
          id,
          i.fingerprint,
          i.source,
          i.ruleId,
          i.hostId,
          i.dedupKey,
          i.title,
          i.description,
          i.severity,
          JSON.stringify(i.labels),
          i.value,
          i.policy,
          i.silenced ? 1 : 0,
          now,
        ],
      },
      {
        sql: `INSERT INTO incident_events (id, incident_id, ts, type, actor, detail)
              SELECT $1, id, $2, CASE WHEN id = $3 THEN $4 ELSE 'repeated' END, NULL, $5 FROM incidents
              WHERE fingerprint = $6 AND status <> 'resolved'`,
        params: [
          newSortableId('ev', now),
          now,
          id,
          i.silenced ? 'suppressed' : 'triggered',
          JSON.stringify({ value: i.value }),
          i.fingerprint,
        ],
      },
    ]);
    const incident = incidentFromRow(upsert!.rows[0]!);
    return { incident, created: incident.id === id };
  }

  async getIncident(id: string): Promise<Incident | null> {
    const [row] = await this.db.all('SELECT * FROM incidents WHERE id = $1', [id]);
    return row ? incidentFromRow(row) : null;
  }

  async openIncident(fingerprint: string): Promise<Incident | null> {
    const [row] = await this.db.all("SELECT * FROM incidents WHERE fingerprint = $1 AND status <> 'resolved'", [fingerprint]);
    return row ? incidentFromRow(row) : null;
  }

  /** The latest earlier incident with this fingerprint (flapping guard). */
  async previousIncident(fingerprint: string, excludeId: string): Promise<Incident | null> {
    const sql = 'SELECT * FROM incidents WHERE fingerprint = $1 AND id <> $2 ORDER BY triggered_at DESC LIMIT 1';
    const [row] = await this.db.all(sql, [fingerprint, excludeId]);
    return row ? incidentFromRow(row) : null;
  }

  async listIncidents(f: IncidentFilter): Promise<Incident[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    const anyOf = (col: string, values: readonly string[] | undefined) => {
      if (!values?.length) return;
      const ps = values.map((v) => (params.push(v), `$${params.length}`));
      where.push(`${col} IN (${ps.join(', ')})`);
    };
    anyOf('status', f.status);
    anyOf('severity', f.severity);
    if (f.hostId) add((p) => `host_id = ${p}`, f.hostId);
    if (f.ruleId) add((p) => `rule_id = ${p}`, f.ruleId);
    if (f.from !== undefined) add((p) => `triggered_at >= ${p}`, f.from);
    if (f.to !== undefined) add((p) => `triggered_at < ${p}`, f.to);
    params.push(f.limit);
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY triggered_at DESC, id LIMIT $${params.length}`;
    return (await this.db.all(sql, params)).map(incidentFromRow);
  }

  /** Open, unacknowledged incidents that a silence held back when they opened. */
  async silencedIncidents(limit: number): Promise<Incident[]> {
    const sql = "SELECT * FROM incidents WHERE silenced = 1 AND status = 'triggered' ORDER BY triggered_at LIMIT $1";
    return (await this.db.all(sql, [limit])).map(incidentFromRow);
  }

  /** Lifts the silence mark; only one caller (instance) gets the incident back, and starts notifying. */
  async unsilence(id: string, now: number, detail: Record<string, unknown>): Promise<Incident | null> {
    const [res] = await this.db.batch([
      { sql: "UPDATE incidents SET silenced = 0 WHERE id = $1 AND silenced = 1 AND status = 'triggered' RETURNING *", params: [id] },
    ]);
    const row = res!.rows[0];
    if (!row) return null;
    await this.addTimelineEntry(id, 'unsilenced', null, detail, now);
    return incidentFromRow(row);
  }

  async acknowledge(id: string, by: string, now: number): Promise<Incident | null> {
    return this.transition(id, now, by, 'acknowledged', {
      sql: `UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND status = 'triggered' RETURNING *`,
      params: [id, now, by],
    });
  }

  async resolve(id: string, by: string, resolution: NonNullable<Incident['resolution']>, now: number): Promise<Incident | null> {
    return this.transition(id, now, by, 'resolved', {
      sql: `UPDATE incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolution = $4 WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      params: [id, now, by, resolution],
    });
  }

  /** Runs the state change and its timeline line together; null when the incident was not in a state to change. */
  private async transition(id: string, now: number, by: string, type: TimelineType, update: Stmt): Promise<Incident | null> {
    const col = type === 'acknowledged' ? 'acknowledged' : 'resolved';
    const [res] = await this.db.batch([
      update,
      {
        sql: `INSERT INTO incident_events (id, incident_id, ts, type, actor, detail)
              SELECT $1, id, $2, $3, $4, '{}' FROM incidents WHERE id = $5 AND status = $3 AND ${col}_at = $2 AND ${col}_by = $4`,
        params: [newSortableId('ev', now), now, type, by, id],
      },
    ]);
    const row = res!.rows[0];
    return row ? incidentFromRow(row) : null;
  }

  async addTimelineEntry(
    incidentId: string,
    type: TimelineType,
    actor: string | null,
    detail: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    await this.db.run('INSERT INTO incident_events (id, incident_id, ts, type, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
      newSortableId('ev', now),
      incidentId,
      now,
      type,
      actor,
      JSON.stringify(detail),
    ]);
  }

  async timeline(incidentId: string): Promise<TimelineEntry[]> {
    return (await this.db.all('SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY id', [incidentId])).map(timelineFromRow);
  }

  async responseStats(by: 'rule' | 'host' | 'day', from: number, to: number): Promise<ResponseStats[]> {
    const group = { rule: 'coalesce(rule_id, source)', host: "coalesce(host_id, '')", day: '(triggered_at / 86400000) * 86400000' }[by];
    const rows = await this.db.all(
      `SELECT ${group} AS grp, count(*) AS incidents, count(acknowledged_at) AS acknowledged, count(resolved_at) AS resolved,
         avg(acknowledged_at - triggered_at) AS mtta, avg(resolved_at - triggered_at) AS mttr
       FROM incidents WHERE triggered_at >= $1 AND triggered_at < $2 GROUP BY ${group} ORDER BY 1`,
      [from, to],
    );
    return rows.map((r) => ({
      group: String(r.grp),
      incidents: Number(r.incidents),
      acknowledged: Number(r.acknowledged),
      resolved: Number(r.resolved),
      meanTimeToAcknowledge: r.mtta == null ? null : Math.round(Number(r.mtta)),
      meanTimeToResolve: r.mttr == null ? null : Math.round(Number(r.mttr)),
    }));
  }

  // ── durable timers ─────────────────────────────────────────────────────────
  async addTimers(timers: Timer[]): Promise<void> {
    if (!timers.length) return;
    await this.db.batch(
      timers.map((t) => ({
        sql: 'INSERT INTO timers (id, incident_id, kind, due_at, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        params: [t.id, t.incidentId, t.kind, t.dueAt, JSON.stringify(t.payload)],
      })),
    );
  }

  /** Timers not yet fired that are due by `until` (to (re)fill the schedule). */
  async pendingTimers(until: number, limit: number): Promise<Timer[]> {
    const sql = 'SELECT * FROM timers WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2';
    return (await this.db.all(sql, [until, limit])).map(timerFromRow);
  }

  async countPendingTimers(): Promise<number> {
    const [row] = await this.db.all('SELECT count(*) AS n FROM timers WHERE fired_at IS NULL');
    return Number(row!.n);
  }

  async getTimer(id: string): Promise<Timer | null> {
    const [row] = await this.db.all('SELECT * FROM timers WHERE id = $1 AND fired_at IS NULL', [id]);
    return row ? timerFromRow(row) : null;
  }

  /** Marks the timer fired by `by` and returns it; exactly one caller across all instances gets it. */
  async claimTimer(id: string, by: string, now: number): Promise<Timer | null> {
    const [row] = await this.db.all('UPDATE timers SET fired_at = $2, fired_by = $3 WHERE id = $1 AND fired_at IS NULL RETURNING *', [
      id,
      now,
      by,
    ]);
    return row ? timerFromRow(row) : null;
  }

  async cancelTimers(incidentId: string, now: number): Promise<string[]> {
    const rows = await this.db.all(
      "UPDATE timers SET fired_at = $2, fired_by = 'cancelled' WHERE incident_id = $1 AND fired_at IS NULL RETURNING id",
      [incidentId, now],
    );
    return rows.map((r) => String(r.id));
  }

  // ── delivery log ───────────────────────────────────────────────────────────
  /** Records a delivery to make; false when this step was already recorded (by this or another instance). */
  async createDelivery(d: Pick<Delivery, 'incidentId' | 'channelId' | 'channelName' | 'event' | 'stepKey'>, now: number): Promise<boolean> {
    const changes = await this.db.run(
      `INSERT INTO deliveries (id, incident_id, channel_id, channel_name, event, step_key, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7) ON CONFLICT (incident_id, channel_id, step_key) DO NOTHING`,
      [newSortableId('dl', now), d.incidentId, d.channelId, d.channelName, d.event, d.stepKey, now],
    );
    return changes === 1;
  }

  /** Leases up to `limit` due deliveries to this caller; a lease that expires (crash) makes them due again. */
  async claimDueDeliveries(now: number, leaseMs: number, limit: number): Promise<Delivery[]> {
    const pick = `SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
                  ORDER BY next_attempt_at LIMIT $3${this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`;
    const rows = await this.db.all(`UPDATE deliveries SET lease_until = $2 WHERE id IN (${pick}) RETURNING *`, [now, now + leaseMs, limit]);
    return rows.map(deliveryFromRow).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
  }

  async finishDelivery(
    id: string,
    r: { status: Delivery['status']; attempts: number; nextAttemptAt: number | null; lastError: string | null; detail: string | null },
    now: number,
  ): Promise<void> {
    await this.db.run(
      `UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, detail = $6, lease_until = NULL, updated_at = $7 WHERE id = $1`,
      [id, r.status, r.attempts, r.nextAttemptAt, r.lastError, r.detail, now],
    );
  }

  async listDeliveries(f: { incidentId?: string; status?: Delivery['status']; limit: number }): Promise<Delivery[]> {
    const rows = await this.db.all(
      `SELECT * FROM deliveries WHERE ($1 = '' OR incident_id = $1) AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3`,
      [f.incidentId ?? '', f.status ?? '', f.limit],
    );
    return rows.map(deliveryFromRow);
  }
}

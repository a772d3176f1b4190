// The deployer's storage over SqlDb (both backends): servers with their sealed credentials and
// recorded host key, and deploy runs. Sealing and opening happen above this layer (core/deploy):
// this store only ever sees the sealed text.
import { newId, newSortableId } from '../ids.js';
import type { SqlDb } from '../sql-db.js';
import type { DeployRunRecord, HostKeyRecord, LeasedRun, ServerRecord, ServerSpec } from './types.js';

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function serverFromRow(r: Record<string, unknown>): ServerRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    spec: JSON.parse(String(r.spec)) as ServerSpec,
    sealedSecrets: String(r.sealed_secrets),
    hostKey: r.host_key_fp
      ? {
          fingerprint: String(r.host_key_fp),
          algorithm: (r.host_key_alg as string | null) ?? null,
          source: r.host_key_source as HostKeyRecord['source'],
          recordedAt: Number(r.host_key_at),
        }
      : null,
    hostId: (r.host_id as string | null) ?? null,
    probe: parse(r.probe),
    installed: parse(r.installed),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function runFromRow(r: Record<string, unknown>): DeployRunRecord {
  return {
    id: String(r.id),
    action: r.action as DeployRunRecord['action'],
    status: r.status as DeployRunRecord['status'],
    concurrency: Number(r.concurrency),
    startedAt: Number(r.started_at),
    finishedAt: num(r.finished_at),
    targets: JSON.parse(String(r.targets)) as DeployRunRecord['targets'],
  };
}

export class DeployStore {
  constructor(readonly db: SqlDb) {}

  async listServers(): Promise<ServerRecord[]> {
    return (await this.db.all('SELECT * FROM deploy_servers ORDER BY name')).map(serverFromRow);
  }

  async getServer(idOrName: string): Promise<ServerRecord | null> {
    const [row] = await this.db.all('SELECT * FROM deploy_servers WHERE id = $1 OR name = $1', [idOrName]);
    return row ? serverFromRow(row) : null;
  }

  async createServer(
    s: { name: string; spec: ServerSpec; sealedSecrets: string; hostKey: HostKeyRecord | null },
    now: number,
  ): Promise<ServerRecord> {
    const id = newId('srv');
    await this.db.run(
      `INSERT INTO deploy_servers (id, name, spec, sealed_secrets, host_key_fp, host_key_alg, host_key_source, host_key_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        id,
        s.name,
        JSON.stringify(s.spec),
        s.sealedSecrets,
        s.hostKey?.fingerprint ?? null,
        s.hostKey?.algorithm ?? null,
        s.hostKey?.source ?? null,
        s.hostKey?.recordedAt ?? null,
        now,
      ],
    );
    return (await this.getServer(id))!;
  }

  async updateServer(id: string, s: { name: string; spec: ServerSpec; sealedSecrets: string }, now: number): Promise<boolean> {
    const sql = 'UPDATE deploy_servers SET name = $2, spec = $3, sealed_secrets = $4, updated_at = $5 WHERE id = $1';
    return (await this.db.run(sql, [id, s.name, JSON.stringify(s.spec), s.sealedSecrets, now])) > 0;
  }

  async deleteServer(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM deploy_servers WHERE id = $1', [id])) > 0;
  }

  /** Records (or replaces, or with null forgets) the host key. */
  async setHostKey(id: string, key: HostKeyRecord | null, now: number): Promise<void> {
    await this.db.run(
      'UPDATE deploy_servers SET host_key_fp = $2, host_key_alg = $3, host_key_source = $4, host_key_at = $5, updated_at = $6 WHERE id = $1',
      [id, key?.fingerprint ?? null, key?.algorithm ?? null, key?.source ?? null, key?.recordedAt ?? null, now],
    );
  }

  /**
   * Trust on first use without a race: records the key only if none is recorded yet, and answers
   * the key that is recorded afterwards (this one, or the one another connect recorded first).
   */
  async recordFirstHostKey(id: string, key: HostKeyRecord, now: number): Promise<HostKeyRecord | null> {
    await this.db.run(
      `UPDATE deploy_servers SET host_key_fp = $2, host_key_alg = $3, host_key_source = $4, host_key_at = $5, updated_at = $6
       WHERE id = $1 AND host_key_fp IS NULL`,
      [id, key.fingerprint, key.algorithm, key.source, key.recordedAt, now],
    );
    return (await this.getServer(id))?.hostKey ?? null;
  }

  async setProbe(id: string, probe: unknown, now: number): Promise<void> {
    await this.db.run('UPDATE deploy_servers SET probe = $2, updated_at = $3 WHERE id = $1', [id, json(probe), now]);
  }

  async setInstalled(id: string, installed: unknown, now: number): Promise<void> {
    await this.db.run('UPDATE deploy_servers SET installed = $2, updated_at = $3 WHERE id = $1', [id, json(installed), now]);
  }

  async setHostId(id: string, hostId: string | null, sealedSecrets: string, now: number): Promise<void> {
    const sql = 'UPDATE deploy_servers SET host_id = $2, sealed_secrets = $3, updated_at = $4 WHERE id = $1';
    await this.db.run(sql, [id, hostId, sealedSecrets, now]);
  }

  // ── runs ───────────────────────────────────────────────────────────────────
  newRunId(now: number): string {
    return newSortableId('run', now);
  }

  /**
   * Inserts or updates a run, and with `lease` records who runs it and that it is alive. A run that
   * has finished is never written again: false then (another instance marked it interrupted).
   */
  async saveRun(run: DeployRunRecord, lease?: { owner: string; at: number }): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO deploy_runs (id, action, status, concurrency, started_at, finished_at, targets, owner, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, targets = excluded.targets,
         heartbeat_at = COALESCE(excluded.heartbeat_at, deploy_runs.heartbeat_at)
       WHERE deploy_runs.status = 'running'`,
      [
        run.id,
        run.action,
        run.status,
        run.concurrency,
        run.startedAt,
        run.finishedAt,
        JSON.stringify(run.targets),
        lease?.owner ?? null,
        lease?.at ?? null,
      ],
    );
    return changed > 0;
  }

  /** The owner's heartbeat for the runs it is executing; answers those still running (one missing was interrupted meanwhile). */
  async renewRuns(ids: string[], now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const list = ids.map((_, i) => `$${i + 2}`).join(', ');
    const sql = `UPDATE deploy_runs SET heartbeat_at = $1 WHERE status = 'running' AND id IN (${list}) RETURNING id`;
    return (await this.db.all<{ id: string }>(sql, [now, ...ids])).map((r) => r.id);
  }

  /** Running runs whose heartbeat is older than `before` (none recorded counts as 0), oldest first. */
  async staleRuns(before: number): Promise<LeasedRun[]> {
    const sql = "SELECT * FROM deploy_runs WHERE status = 'running' AND COALESCE(heartbeat_at, 0) < $1 ORDER BY started_at LIMIT 500";
    return (await this.db.all(sql, [before])).map((r) => ({
      run: runFromRow(r),
      owner: (r.owner as string | null) ?? null,
      heartbeatAt: Number(r.heartbeat_at ?? 0),
    }));
  }

  /**
   * Writes the verdict on a stale run, only if it is still running with the heartbeat the caller
   * saw: of several instances judging it, exactly one gets true, and an owner that saved or renewed
   * since (alive after all) keeps its run.
   */
  async finishStaleRun(run: DeployRunRecord, seenHeartbeatAt: number): Promise<boolean> {
    const sql = `UPDATE deploy_runs SET status = $2, finished_at = $3, targets = $4
                 WHERE id = $1 AND status = 'running' AND COALESCE(heartbeat_at, 0) = $5`;
    return (await this.db.run(sql, [run.id, run.status, run.finishedAt, JSON.stringify(run.targets), seenHeartbeatAt])) > 0;
  }

  /**
   * The per-server guard: true if `runId` now holds the server. A holder that is no longer running
   * (finished, or marked interrupted) does not count. Seeing the holder finished is the only way to
   * take over, and finished is final, so two runs never both hold a server.
   */
  async claimServer(serverId: string, runId: string): Promise<boolean> {
    const sql = `UPDATE deploy_servers SET busy_run = $2 WHERE id = $1 AND (busy_run IS NULL
                   OR EXISTS (SELECT 1 FROM deploy_runs r WHERE r.id = deploy_servers.busy_run AND r.status <> 'running'))`;
    return (await this.db.run(sql, [serverId, runId])) > 0;
  }

  async releaseServer(serverId: string, runId: string): Promise<void> {
    await this.db.run('UPDATE deploy_servers SET busy_run = NULL WHERE id = $1 AND busy_run = $2', [serverId, runId]);
  }

  async getRun(id: string): Promise<DeployRunRecord | null> {
    const [row] = await this.db.all('SELECT * FROM deploy_runs WHERE id = $1', [id]);
    return row ? runFromRow(row) : null;
  }

  async listRuns(limit: number): Promise<DeployRunRecord[]> {
    return (await this.db.all('SELECT * FROM deploy_runs ORDER BY started_at DESC, id DESC LIMIT $1', [limit])).map(runFromRow);
  }
}

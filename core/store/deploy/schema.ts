// Deployer tables, the same DDL for SQLite and PostgreSQL (portable types; JSON as TEXT), applied as
// migration 5. A server's credentials live in one sealed blob (core/secrets), never in clear; its
// host key is recorded next to it. A run keeps its per-server progress as one JSON document: it is
// written by the one instance running it and read whole.
export const DEPLOY_DDL = `
  CREATE TABLE deploy_servers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    sealed_secrets TEXT NOT NULL,
    host_key_fp TEXT,
    host_key_alg TEXT,
    host_key_source TEXT,
    host_key_at BIGINT,
    host_id TEXT,
    probe TEXT,
    installed TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE deploy_runs (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    targets TEXT NOT NULL
  );
  CREATE INDEX deploy_runs_started ON deploy_runs (started_at);
`;

// Migration 7. A run is its own lease: `owner` is the instance running it and `heartbeat_at` the
// last time that instance said so (its periodic renewal and every progress save). Another instance
// marks a running run whose heartbeat is older than the bound interrupted. A server's `busy_run`
// is the per-server deploy guard: held while that run works on the server, and free again once
// the run has finished, however it finished (interrupted included), so a crash never keeps it.
// Runs left running by an older Watchtower get a heartbeat now (`nowMs`, per backend), so a run
// that an instance not yet upgraded is still working on is given the bound before it is judged.
export const deployLeasesDdl = (nowMs: string) => `
  ALTER TABLE deploy_runs ADD COLUMN owner TEXT;
  ALTER TABLE deploy_runs ADD COLUMN heartbeat_at BIGINT;
  ALTER TABLE deploy_servers ADD COLUMN busy_run TEXT;
  CREATE INDEX deploy_runs_running ON deploy_runs (heartbeat_at) WHERE status = 'running';
  UPDATE deploy_runs SET heartbeat_at = ${nowMs} WHERE status = 'running';
`;

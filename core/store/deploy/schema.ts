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

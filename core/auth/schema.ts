// Access tables, the same DDL for SQLite and PostgreSQL (portable types only), applied as
// migration 6. Secrets are never stored: sessions and API tokens by SHA-256 of the random value
// (256 bits of entropy: a slow hash would add nothing), passwords by scrypt (passwords.ts).
// owner_slot is 1 for the first-run owner and NULL otherwise: its UNIQUE index makes two
// instances racing through setup create one owner, not two.
export const AUTH_DDL = `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    owner_slot INTEGER UNIQUE,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_expires ON sessions (expires_at);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX api_tokens_user ON api_tokens (user_id);
  CREATE TABLE auth_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL
  );
`;

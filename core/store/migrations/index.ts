import { ALERTING_DDL } from '../alerting/schema.js';
import { AUTH_DDL } from '../../auth/schema.js';
import { DEPLOY_DDL, deployLeasesDdl } from '../deploy/schema.js';

// Every schema change, for both backends, in order. Applied at start by migrate.ts; a database
// whose version is newer than the last entry here is refused. Never edit an applied entry: add one.

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'hosts, tokens, series, samples, rollups, events, batches',
    sqlite: `
      CREATE TABLE hosts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        labels TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        agent_version TEXT,
        interval_ms INTEGER,
        inventory TEXT,
        processes TEXT
      );
      CREATE TABLE agent_tokens (
        token_hash TEXT PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX agent_tokens_host ON agent_tokens(host_id);
      CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        metric TEXT NOT NULL,
        labels TEXT NOT NULL,
        UNIQUE (host_id, metric, labels)
      );
      CREATE TABLE samples (
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) WITHOUT ROWID;
      CREATE TABLE rollups_1m (
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        sum REAL NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) WITHOUT ROWID;
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        level TEXT,
        message TEXT NOT NULL,
        fields TEXT
      );
      CREATE INDEX events_host_ts ON events(host_id, ts);
      CREATE TABLE ingest_batches (
        batch_id TEXT PRIMARY KEY,
        host_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        min_ts INTEGER,
        samples INTEGER NOT NULL
      );
      CREATE INDEX ingest_batches_received ON ingest_batches(received_at);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
    postgres: `
      CREATE TABLE hosts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        labels JSONB NOT NULL DEFAULT '{}',
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT,
        agent_version TEXT,
        interval_ms INTEGER,
        inventory JSONB,
        processes JSONB
      );
      CREATE TABLE agent_tokens (
        token_hash TEXT PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX agent_tokens_host ON agent_tokens(host_id);
      CREATE TABLE series (
        id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        metric TEXT NOT NULL,
        labels TEXT NOT NULL,
        UNIQUE (host_id, metric, labels)
      );
      -- Daily range partitions (created ahead by the store) so pruning drops whole tables.
      CREATE TABLE samples (
        series_id INTEGER NOT NULL,
        ts BIGINT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) PARTITION BY RANGE (ts);
      CREATE TABLE samples_default PARTITION OF samples DEFAULT;
      CREATE TABLE rollups_1m (
        series_id INTEGER NOT NULL,
        ts BIGINT NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (series_id, ts)
      );
      CREATE TABLE events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        ts BIGINT NOT NULL,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        level TEXT,
        message TEXT NOT NULL,
        fields JSONB
      );
      CREATE INDEX events_host_ts ON events(host_id, ts);
      CREATE TABLE ingest_batches (
        batch_id TEXT PRIMARY KEY,
        host_id TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        min_ts BIGINT,
        samples INTEGER NOT NULL
      );
      CREATE INDEX ingest_batches_received ON ingest_batches(received_at);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'time indexes for pruning and rollup windows',
    // Pruning deletes events by ts alone; events_host_ts leads with host_id, so without this the
    // delete reads the whole table.
    sqlite: `
      CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
    `,
    // BRIN on ts: pruning the default and partly covered partitions, and other scans by time
    // without a series id. Rows arrive roughly in time order, so the index stays a few pages and
    // costs inserts far less than a second btree would (~10% of a sample's insert, measured).
    // autosummarize: a range is summarized as soon as it fills; unsummarized ranges match every
    // query, so without it the index would help only after a VACUUM. Created on the partitioned
    // table, so every partition, present and future, gets its own.
    postgres: `
      CREATE INDEX IF NOT EXISTS samples_ts_brin ON samples USING brin (ts) WITH (autosummarize = on);
      CREATE INDEX IF NOT EXISTS rollups_1m_ts_brin ON rollups_1m USING brin (ts) WITH (autosummarize = on);
      CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
    `,
  },
  {
    version: 3,
    name: 'alerting: config, rule states, incidents, timeline, timers, deliveries',
    sqlite: ALERTING_DDL,
    postgres: ALERTING_DDL,
  },
  {
    version: 4,
    name: 'samples as per-batch columnar chunks; latest values per host',
    // One row per committed batch (core/store/chunks/codec.ts holds the payload's layout) instead of
    // one per sample: a batch of ~150 series dirtied ~150 pages of the (series_id, ts) key. No
    // release ever shipped `samples`, so there is nothing to carry over. host_latest keeps each
    // host's latest value per series (one small chunk), so latest() never searches back through
    // chunks for a series that stopped reporting. Neither table has a foreign key to hosts: a batch
    // racing its host's deletion must not fail; deleteHost removes their rows.
    // Indexes: (host_id, ts_max, ts_min) for a host's range reads and rollups, whose condition is
    // ts_max >= from AND ts_min < to; ts_min for pruning (what is older than the cutoff).
    sqlite: `
      DROP TABLE samples;
      CREATE TABLE sample_chunks (
        id INTEGER PRIMARY KEY,
        host_id TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        ts_min INTEGER NOT NULL,
        ts_max INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX sample_chunks_host_ts ON sample_chunks(host_id, ts_max, ts_min);
      CREATE INDEX sample_chunks_ts_min ON sample_chunks(ts_min);
      CREATE TABLE host_latest (
        host_id TEXT PRIMARY KEY,
        ts_min INTEGER NOT NULL,
        data BLOB NOT NULL
      );
    `,
    // Daily range partitions on ts_min, as samples had on ts (partitions.ts creates and drops
    // them), with a default partition for anything else. BRIN on ts_min for pruning: chunks arrive
    // in time order. toast_tuple_target at its maximum keeps a chunk (a few KB) inline and
    // uncompressed: the floats do not compress, and TOAST would cost every insert a second table.
    // host_latest is rewritten on every write for its hosts: fillfactor leaves room for HOT updates.
    // hosts.latest_seq counts changes to a host's host_latest row, bumped under the host row's
    // lock: an instance that wrote the row last knows it without reading it back (write.ts).
    // The DO block drops samples partitions that a crash left detached in the middle of a prune.
    postgres: `
      DROP TABLE samples;
      DO $$
      DECLARE t record;
      BEGIN
        FOR t IN SELECT relname FROM pg_class
          WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
            AND relkind = 'r' AND relname ~ '^samples_[0-9]{8}$'
        LOOP
          EXECUTE format('DROP TABLE %I', t.relname);
        END LOOP;
      END $$;
      CREATE TABLE sample_chunks (
        host_id TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        ts_min BIGINT NOT NULL,
        ts_max BIGINT NOT NULL,
        n INTEGER NOT NULL,
        data BYTEA NOT NULL
      ) PARTITION BY RANGE (ts_min);
      CREATE TABLE sample_chunks_default PARTITION OF sample_chunks DEFAULT WITH (toast_tuple_target = 8160);
      CREATE INDEX sample_chunks_host_ts ON sample_chunks (host_id, ts_max, ts_min);
      CREATE INDEX sample_chunks_ts_min_brin ON sample_chunks USING brin (ts_min) WITH (autosummarize = on);
      CREATE TABLE host_latest (
        host_id TEXT PRIMARY KEY,
        ts_min BIGINT NOT NULL,
        data BYTEA NOT NULL
      ) WITH (fillfactor = 50, toast_tuple_target = 8160);
      ALTER TABLE hosts ADD COLUMN latest_seq BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    name: 'deployer: servers (sealed credentials, host keys), deploy runs',
    sqlite: DEPLOY_DDL,
    postgres: DEPLOY_DDL,
  },
  {
    version: 6,
    name: 'access: users, sessions, API tokens, sign-in throttle',
    sqlite: AUTH_DDL,
    postgres: AUTH_DDL,
  },
  {
    version: 7,
    name: 'deployer: each run leased by the instance running it; per-server deploy guard',
    sqlite: deployLeasesDdl("CAST(unixepoch('subsec') * 1000 AS INTEGER)"),
    postgres: deployLeasesDdl('CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)'),
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `the database schema is at version ${found}, newer than this Watchtower knows (${LATEST_SCHEMA_VERSION}); ` +
        'upgrade Watchtower, or point it at another database',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** The migrations still to apply on a database at `current`, or an error if it is from the future. */
export function pendingMigrations(current: number): Migration[] {
  if (current > LATEST_SCHEMA_VERSION) throw new SchemaTooNewError(current);
  return MIGRATIONS.filter((m) => m.version > current);
}

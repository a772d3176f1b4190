// The storage interface both backends implement (sqlite/, postgres/). One contract suite
// (test/store.contract.test.ts) runs against each, so the modes cannot drift.
import type { AgentEvent, Inventory, ProcessInfo } from '../../shared/protocol/index.js';
import type { SqlDb } from './sql-db.js';

export type Labels = Record<string, string>;

export interface Host {
  id: string;
  name: string;
  labels: Labels;
  createdAt: number;
  lastSeenAt: number | null;
  agentVersion: string | null;
  intervalMs: number | null;
  inventory: Inventory | null;
  processes: ProcessInfo[] | null;
}

/** A batch after validation and filtering, ready to commit in one transaction with others. */
export interface BatchWrite {
  batchId: string;
  hostId: string;
  receivedAt: number;
  agentVersion: string;
  intervalMs: number;
  series: { name: string; labels: Labels; ts: number[]; values: number[] }[];
  events: AgentEvent[];
  processes?: ProcessInfo[];
  inventory?: Inventory;
}

export interface BatchResult {
  batchId: string;
  duplicate: boolean;
  /** Series rejected because the host reached its series limit (cardinality guard). */
  seriesOverLimit: number;
  samplesOverLimit: number;
}

export interface SeriesRef {
  metric: string;
  labels: Labels;
}

export interface LatestValue extends SeriesRef {
  hostId: string;
  ts: number;
  value: number;
}

export interface SeriesQuery {
  hostId: string;
  metric: string;
  /** Only series whose labels include all of these. */
  labels?: Labels;
  from: number;
  to: number;
  /** Bucket width in ms; each point is the bucket's average, min and max. */
  stepMs: number;
  source: 'raw' | 'rollup';
}

export interface SeriesPoints extends SeriesRef {
  points: { ts: number; avg: number; min: number; max: number }[];
}

export interface StoredEvent extends AgentEvent {
  id: number;
  hostId: string;
}

export interface PruneCutoffs {
  rawBefore: number;
  rollupBefore: number;
  eventsBefore: number;
  batchIdsBefore: number;
}

export interface PruneResult {
  samples: number;
  rollups: number;
  events: number;
  batchIds: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Portable SQL access for stores built on top (alerting). */
  readonly sql: SqlDb;

  createHost(input: { name: string; labels?: Labels }): Promise<Host>;
  getHost(id: string): Promise<Host | null>;
  listHosts(): Promise<Host[]>;
  deleteHost(id: string): Promise<boolean>;

  /** Stores only the token's hash; tokens themselves are never stored. */
  addAgentToken(hostId: string, tokenHash: string): Promise<void>;
  /** The host a live (not revoked) token belongs to. */
  hostIdForToken(tokenHash: string): Promise<string | null>;
  revokeAgentTokens(hostId: string): Promise<number>;

  /**
   * Commits all batches in one transaction: samples, events, the host's heartbeat, and each batch id
   * (a batch id stored before is skipped and reported as duplicate). Resolves only after the commit.
   * The batch id is what makes a write happen once: samples are stored per batch (one columnar
   * chunk each), so the same (series, ts) sent again under a new batch id is stored twice (agents
   * never do that: a batch is replayed under its own id). latest() then keeps the first stored.
   */
  writeBatches(batches: BatchWrite[], opts: { maxSeriesPerHost: number }): Promise<BatchResult[]>;

  latest(hostId?: string): Promise<LatestValue[]>;
  querySeries(q: SeriesQuery): Promise<SeriesPoints[]>;
  listEvents(q: { hostId: string; from?: number; to?: number; limit: number }): Promise<StoredEvent[]>;
  countSamples(hostId?: string): Promise<number>;

  /** The earliest sample timestamp among batches received after `receivedAfter` (late data for rollups). */
  earliestSampleSince(receivedAfter: number): Promise<number | null>;
  /** Recomputes 1-minute rollups (min/avg/max) for minutes in [from, to). Idempotent. */
  rollup(from: number, to: number): Promise<number>;
  prune(cutoffs: PruneCutoffs): Promise<PruneResult>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}

export const MINUTE = 60_000;

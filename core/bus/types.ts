// Coordination between instances: in-process in local mode, Redis in team mode. Everything here is an
// accelerator — the database stays the source of truth, so an empty Redis only costs a rebuild.

export interface ScheduledItem {
  id: string;
  /** Epoch milliseconds. */
  dueAt: number;
}

export interface Schedule {
  /** Idempotent; re-adding an id updates its dueAt. */
  add(items: ScheduledItem[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /**
   * Atomically takes up to `limit` ids due at or before `now` out of the schedule, in (dueAt, id) order,
   * so that across all instances each id is handed to exactly one caller.
   */
  takeDue(now: number, limit: number): Promise<ScheduledItem[]>;
  /** The earliest due time, or null (lets a local loop sleep precisely). */
  nextDue(): Promise<number | null>;
  size(): Promise<number>;
}

export interface Coordination {
  readonly kind: 'memory' | 'redis';
  /**
   * Pub/sub between instances (and within one): live events for WebSocket clients, cache invalidation.
   * At-most-once; never the only record of anything. Payloads travel as JSON: each handler gets its own copy.
   * Resolves to how many subscriptions (in-process) or instances (Redis) it reached; 0: nobody listens.
   */
  publish(topic: string, payload: unknown): Promise<number>;
  /** Resolves once the subscription is live; returns the unsubscribe function (idempotent). */
  subscribe(topic: string, handler: (payload: unknown) => void): Promise<() => Promise<void>>;
  /** A short-lived exclusive guard (dedup of the same alert across instances): true if this caller got it. */
  tryAcquire(key: string, ttlMs: number): Promise<boolean>;
  /** Releases a guard this instance holds; a guard that expired and was taken by another instance stays. */
  release(key: string): Promise<void>;
  /**
   * Records this instance as the last to handle `key` (for `ttlMs`). True when the one before was
   * another instance, or is unknown (expired, Redis restarted): state cached here for the key is stale.
   */
  takeOver(key: string, ttlMs: number): Promise<boolean>;
  /** Accelerator for durable timers whose truth is in the database: ids by due time. */
  readonly schedule: Schedule;
  /** Idempotent; every other call rejects afterwards. */
  close(): Promise<void>;
}

/** The slice of a pino logger the bus uses, so callers can pass a child logger or a test recorder. */
export interface BusLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

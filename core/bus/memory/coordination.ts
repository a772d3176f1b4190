// Local mode: one instance, so coordination is a few in-process structures. It keeps Redis's
// semantics where callers could notice: delivery is asynchronous (never re-entrant into publish),
// each handler gets its own JSON copy, guards expire, and the schedule hands out each id once.
import { ClosedError, decodePayload, encodePayload, guardTtl } from '../codec.js';
import type { BusLog, Coordination, Schedule } from '../types.js';
import { HeapSchedule } from './schedule.js';

export interface MemoryCoordinationOptions {
  /** Clock for guard expiry; tests of the engine pass their own. */
  now?: () => number;
  /** Where handler errors go; without it they are dropped (a handler must not break delivery to others). */
  log?: BusLog;
}

type Handler = (payload: unknown) => void;

/** Expired guards are checked on access; a sweep every so many acquisitions keeps the map bounded. */
const SWEEP_EVERY = 1024;

export class MemoryCoordination implements Coordination {
  readonly kind = 'memory' as const;
  readonly schedule: Schedule;
  private readonly topics = new Map<string, Set<Handler>>();
  private readonly guards = new Map<string, number>();
  private readonly heap = new HeapSchedule();
  private readonly now: () => number;
  private readonly log: BusLog | undefined;
  private acquisitions = 0;
  private closed = false;

  constructor(opts: MemoryCoordinationOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    const heap = this.heap;
    this.schedule = {
      add: async (items) => {
        this.assertOpen();
        heap.add(items);
      },
      remove: async (ids) => {
        this.assertOpen();
        heap.remove(ids);
      },
      takeDue: async (now, limit) => {
        this.assertOpen();
        return heap.takeDue(now, limit);
      },
      nextDue: async () => {
        this.assertOpen();
        return heap.nextDue();
      },
      size: async () => {
        this.assertOpen();
        return heap.size();
      },
    };
  }

  async publish(topic: string, payload: unknown): Promise<number> {
    this.assertOpen();
    // Encode now: later changes to the publisher's object must not reach subscribers.
    const text = encodePayload(payload);
    const handlers = this.topics.get(topic);
    if (!handlers || handlers.size === 0) return 0;
    const snapshot = [...handlers];
    // setImmediate rather than a microtask: like a network hop, it lets I/O run between events.
    setImmediate(() => {
      for (const handler of snapshot) {
        // Re-checked at delivery so that an awaited unsubscribe stops delivery straight away.
        if (this.closed || !this.topics.get(topic)?.has(handler)) continue;
        try {
          handler(decodePayload(text));
        } catch (err) {
          this.log?.error({ err, topic }, 'bus handler failed');
        }
      }
    });
    return snapshot.length;
  }

  async subscribe(topic: string, handler: Handler): Promise<() => Promise<void>> {
    this.assertOpen();
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions (as in Redis).
    const own: Handler = (payload) => handler(payload);
    let handlers = this.topics.get(topic);
    if (!handlers) this.topics.set(topic, (handlers = new Set()));
    handlers.add(own);
    return async () => {
      const current = this.topics.get(topic);
      if (!current?.delete(own)) return;
      if (current.size === 0) this.topics.delete(topic);
    };
  }

  async tryAcquire(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    const ttl = guardTtl(ttlMs);
    const now = this.now();
    if (++this.acquisitions % SWEEP_EVERY === 0) this.sweep(now);
    const expiresAt = this.guards.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.guards.set(key, now + ttl);
    return true;
  }

  async takeOver(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    // One instance: the key only changes hands when it was never handled or has expired.
    const k = `handler:${key}`;
    const now = this.now();
    const fresh = (this.guards.get(k) ?? 0) > now;
    this.guards.set(k, now + guardTtl(ttlMs));
    return !fresh;
  }

  async release(key: string): Promise<void> {
    this.assertOpen();
    this.guards.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
    this.guards.clear();
    this.heap.clear();
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.guards) if (expiresAt <= now) this.guards.delete(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

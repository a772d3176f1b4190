// Team mode: coordination through Redis, shared by every instance on the same prefix. Everything kept
// here can be rebuilt from the database, so losing it (a restart with empty data) only costs a rebuild.
import { randomUUID } from 'node:crypto';
import { Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import { checkItems, checkTake, ClosedError, encodePayload, guardTtl } from '../codec.js';
import type { BusLog, Coordination, Schedule, ScheduledItem } from '../types.js';
import { SCRIPTS, type ScriptCommands } from './scripts.js';
import { Subscriptions } from './subscriptions.js';

export interface RedisCoordinationOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Namespace of every key and channel; instances sharing it coordinate, others never meet. */
  prefix?: string;
  /** Connection errors and failed handlers go here; the process never crashes on them. */
  log?: BusLog;
  /**
   * Reconnect attempts a command waits through before it rejects. Small by default: callers fall back
   * on the database and retry on their next tick, which beats hanging through a long outage.
   */
  maxRetriesPerRequest?: number;
}

/** Keeps ZADD/ZREM commands (and Redis's blocking time) bounded for large batches. */
const CHUNK = 1000;

type CommandConnection = Redis & ScriptCommands;

export class RedisCoordination implements Coordination {
  readonly kind = 'redis' as const;
  readonly schedule: Schedule;
  private readonly cmd: CommandConnection;
  private readonly sub: Redis;
  private readonly subs: Subscriptions;
  private readonly prefix: string;
  private readonly scheduleKey: string;
  /** Marks this instance's guards so release never frees another instance's. */
  private readonly token = randomUUID();
  private closed = false;

  constructor(opts: RedisCoordinationOptions) {
    this.prefix = opts.prefix ?? 'watchtower:';
    this.scheduleKey = `${this.prefix}schedule`;
    const base: RedisOptions = {
      maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 3,
      // Commands issued while reconnecting wait for the connection rather than failing at once.
      enableOfflineQueue: true,
    };
    // Named after the prefix so CLIENT LIST shows whose connections these are; SETNAME takes no spaces.
    const clientName = this.prefix.replace(/[^\x21-\x7e]/g, '_');
    this.cmd = new Redis(opts.url, { ...base, connectionName: `${clientName}cmd` }) as CommandConnection;
    this.sub = new Redis(opts.url, { ...base, connectionName: `${clientName}sub` });
    for (const [conn, role] of [
      [this.cmd, 'command'],
      [this.sub, 'subscriber'],
    ] as const) {
      // ioredis emits 'error' only to listeners and never throws it; listening is how outages reach the log.
      conn.on('error', (err: Error) => opts.log?.warn({ err, role }, 'redis connection error'));
    }
    for (const [name, def] of Object.entries(SCRIPTS)) this.cmd.defineCommand(name, def);
    this.subs = new Subscriptions({ conn: this.sub, log: opts.log });
    this.schedule = {
      // async throughout: a closed instance must reject, never throw synchronously.
      add: async (items) => this.addItems(items),
      remove: async (ids) => this.removeIds(ids),
      takeDue: async (now, limit) => this.takeDue(now, limit),
      nextDue: async () => {
        const [, score] = await this.live().zrange(this.scheduleKey, 0, '0', 'WITHSCORES');
        return score === undefined ? null : Number(score);
      },
      size: async () => this.live().zcard(this.scheduleKey),
    };
  }

  /** Waits until both connections answer, so a wrong URL fails at start rather than on first use. */
  async ready(): Promise<void> {
    await Promise.all([this.cmd.ping(), this.sub.ping()]);
  }

  async publish(topic: string, payload: unknown): Promise<number> {
    const text = encodePayload(payload);
    return this.live().publish(this.channel(topic), text);
  }

  async subscribe(topic: string, handler: (payload: unknown) => void): Promise<() => Promise<void>> {
    this.live();
    return this.subs.add(this.channel(topic), handler);
  }

  async tryAcquire(key: string, ttlMs: number): Promise<boolean> {
    const ttl = guardTtl(ttlMs);
    return (await this.live().set(this.guardKey(key), this.token, 'PX', ttl, 'NX')) === 'OK';
  }

  async takeOver(key: string, ttlMs: number): Promise<boolean> {
    const previous = await this.live().set(`${this.prefix}handler:${key}`, this.token, 'PX', guardTtl(ttlMs), 'GET');
    return previous !== this.token;
  }

  async release(key: string): Promise<void> {
    await this.live().wtRelease(this.guardKey(key), this.token);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // QUIT lets replies in flight arrive; a connection that is down has nothing to wait for.
    await Promise.all([this.cmd, this.sub].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  }

  private async addItems(items: ScheduledItem[]): Promise<void> {
    checkItems(items);
    await this.chunked(items, (pipe, chunk) => pipe.zadd(this.scheduleKey, ...chunk.flatMap((it) => [it.dueAt, it.id])));
  }

  private async removeIds(ids: string[]): Promise<void> {
    await this.chunked(ids, (pipe, chunk) => pipe.zrem(this.scheduleKey, ...chunk));
  }

  private async takeDue(now: number, limit: number): Promise<ScheduledItem[]> {
    checkTake(now, limit);
    if (limit === 0) return []; // LIMIT 0 0 would be fine, but spare the round trip
    const max = Number.isFinite(now) ? String(now) : now > 0 ? '+inf' : '-inf';
    const flat = await this.live().wtTakeDue(this.scheduleKey, max, limit);
    const out: ScheduledItem[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, dueAt: Number(flat[i + 1]) });
    return out;
  }

  /** One pipeline, one round trip; the first failed command rejects the call. */
  private async chunked<T>(all: T[], queue: (pipe: ChainableCommander, chunk: T[]) => void): Promise<void> {
    const conn = this.live();
    if (all.length === 0) return;
    const pipe = conn.pipeline();
    for (let i = 0; i < all.length; i += CHUNK) queue(pipe, all.slice(i, i + CHUNK));
    const results = (await pipe.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  private channel(topic: string): string {
    return `${this.prefix}topic:${topic}`;
  }

  private guardKey(key: string): string {
    return `${this.prefix}guard:${key}`;
  }

  private live(): CommandConnection {
    if (this.closed) throw new ClosedError();
    return this.cmd;
  }
}

export async function openRedisCoordination(opts: RedisCoordinationOptions): Promise<RedisCoordination> {
  const coordination = new RedisCoordination(opts);
  try {
    await coordination.ready();
  } catch (err) {
    await coordination.close();
    throw err;
  }
  return coordination;
}

// Local handlers over one subscriber connection: Redis sees one SUBSCRIBE per channel however many
// handlers an instance has, and each handler gets its own JSON.parse of the message (its own copy).
import type { Redis } from 'ioredis';
import { decodePayload } from '../codec.js';
import type { BusLog } from '../types.js';

type Handler = (payload: unknown) => void;

interface Channel {
  handlers: Set<Handler>;
  /** Settles when Redis confirmed the SUBSCRIBE; later subscribers to the channel wait on it too. */
  ready: Promise<void>;
}

export interface SubscriptionsOptions {
  /** A connection used for nothing else: once subscribed it cannot run ordinary commands. */
  conn: Redis;
  log?: BusLog;
}

export class Subscriptions {
  private readonly conn: Redis;
  private readonly log: BusLog | undefined;
  private readonly channels = new Map<string, Channel>();

  constructor(opts: SubscriptionsOptions) {
    this.conn = opts.conn;
    this.log = opts.log;
    this.conn.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  async add(channel: string, handler: Handler): Promise<() => Promise<void>> {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const own: Handler = (payload) => handler(payload);
    const entry = this.channels.get(channel) ?? this.open(channel);
    entry.handlers.add(own);
    try {
      await entry.ready;
    } catch (err) {
      entry.handlers.delete(own);
      throw err;
    }
    return async () => {
      if (!entry.handlers.delete(own) || entry.handlers.size > 0 || this.channels.get(channel) !== entry) return;
      this.channels.delete(channel);
      // Commands on one connection run in order, so a SUBSCRIBE sent after this still wins.
      await this.conn.unsubscribe(channel);
    };
  }

  private open(channel: string): Channel {
    const entry: Channel = {
      handlers: new Set(),
      ready: this.conn.subscribe(channel).then(
        () => undefined,
        (err: unknown) => {
          // Forget the failed channel so the next subscribe tries again instead of inheriting the error.
          if (this.channels.get(channel) === entry) this.channels.delete(channel);
          throw err;
        },
      ),
    };
    this.channels.set(channel, entry);
    return entry;
  }

  private dispatch(channel: string, message: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    for (const handler of [...entry.handlers]) {
      // Checked per handler: an earlier handler may have unsubscribed a later one.
      if (!entry.handlers.has(handler)) continue;
      try {
        handler(decodePayload(message));
      } catch (err) {
        // A throwing handler must neither starve the others nor escape into ioredis's parser.
        this.log?.error({ err, channel }, 'bus message not delivered');
      }
    }
  }
}

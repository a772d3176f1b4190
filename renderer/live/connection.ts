// The live stream's client side, apart from React so its logic is tested on its own: connect,
// parse each envelope against the contract, remember the last seq and instance, reconnect by itself
// with capped exponential backoff, resume from the last seq, and report when the client must refetch
// (the server's 'resync', a gap it noticed itself, or a fresh start after having lost the stream).
import { LIVE_PATH, parseLiveMessage, type LiveEventName, type LiveMessage, type LivePayload } from '../../shared/contract/index.js';

/** Close code the server uses when the session or token behind a stream no longer holds (core/api/live.ts). */
export const CLOSE_UNAUTHORIZED = 4401;

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The subset of the browser's WebSocket the connection uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export type LiveEvent = { [E in LiveEventName]: { seq: number; event: E; payload: LivePayload<E> } }[LiveEventName];

export interface LiveOptions {
  /** e.g. ws://127.0.0.1:7800 (no path). */
  baseUrl: string;
  open?: (url: string) => SocketLike;
  onEvent: (e: LiveEvent) => void;
  /** Whatever the page shows may be stale: refetch it. */
  onResync: (reason: string) => void;
  onState?: (s: LiveState) => void;
  onError?: (err: Error) => void;
  /** The server closed the stream because the session ended (sign in again). */
  onUnauthorized?: () => void;
  /** Backoff: first retry after `minDelayMs`, doubling up to `maxDelayMs`, ±20% jitter. */
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export function backoffDelay(attempt: number, min: number, max: number, random: () => number): number {
  const base = Math.min(max, min * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class LiveConnection {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = false;
  private everConnected = false;
  /** Resume point: the last seq seen from `instance`. */
  lastSeq: number | null = null;
  instance: string | null = null;
  state: LiveState = 'closed';

  constructor(private readonly o: LiveOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) (this.o.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      s.close();
    }
    this.setState('closed');
  }

  url(): string {
    const q = this.lastSeq !== null && this.instance !== null ? `?since=${this.lastSeq}&instance=${encodeURIComponent(this.instance)}` : '';
    return this.o.baseUrl + LIVE_PATH + q;
  }

  private setState(s: LiveState) {
    if (this.state === s) return;
    this.state = s;
    this.o.onState?.(s);
  }

  private connect() {
    if (this.stopped) return;
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    const open = this.o.open ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
    const s = open(this.url());
    this.socket = s;
    s.onmessage = (ev) => this.receive(String(ev.data));
    s.onclose = (ev) => {
      if (ev.code === CLOSE_UNAUTHORIZED) this.o.onUnauthorized?.();
      this.lost();
    };
    s.onerror = () => {}; // a close follows every error; the retry happens there
  }

  private lost() {
    this.socket = null;
    if (this.stopped) return;
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt++, this.o.minDelayMs ?? 500, this.o.maxDelayMs ?? 15_000, this.o.random ?? Math.random);
    this.timer = (this.o.setTimer ?? setTimeout)(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private receive(text: string) {
    let msg: LiveMessage;
    try {
      msg = parseLiveMessage(text);
    } catch (err) {
      // One bad message (a newer server's event, say) must not stop the stream.
      this.o.onError?.(new Error(`live: ignored a message: ${(err as Error).message}`));
      return;
    }
    if (msg.event === 'hello') {
      const resumed = msg.payload.resumed;
      // A reconnect the server could not resume: anything may have changed while we were away.
      if (!resumed && this.everConnected) this.o.onResync('reconnected');
      this.everConnected = true;
      this.attempt = 0;
      if (!resumed) {
        this.lastSeq = msg.seq;
        this.instance = msg.instance;
      }
      this.setState('open');
      return;
    }
    if (msg.event === 'resync') {
      this.lastSeq = msg.seq;
      this.instance = msg.instance;
      this.o.onResync(msg.payload.reason);
      return;
    }
    if (this.instance === msg.instance && this.lastSeq !== null) {
      if (msg.seq <= this.lastSeq) return; // already seen (replayed twice)
      if (msg.seq > this.lastSeq + 1) this.o.onResync('gap');
    }
    this.lastSeq = msg.seq;
    this.instance = msg.instance;
    this.o.onEvent(msg as LiveEvent);
  }
}

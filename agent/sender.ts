// Delivers buffered batches in order, one at a time, and removes each only after the server's
// acknowledgement (which comes after its commit). Failures back off exponentially with full jitter
// so a fleet does not reconnect in lockstep after an outage; 429/503 honour Retry-After.
import { INGEST_PATH } from '../shared/protocol/wire.js';
import type { BatchBuffer } from './buffer.js';
import type { Log } from './log.js';
import { createPoster, type Poster } from './runtime.js';

export interface SenderOptions {
  server: string;
  token: string;
  buffer: BatchBuffer;
  log: Log;
  backoff?: { baseMs: number; maxMs: number };
  timeoutMs?: number;
  /** Called with each acknowledged batch (tests and stats). */
  onAck?: (ack: { batchId: string; duplicate: boolean; accepted: number; dropped: Record<string, number> }) => void;
}

interface Response {
  status: number;
  body: string;
  retryAfterMs: number | null;
  /** Watchtower's ingest endpoint answered (not the API, a proxy, or anything else at that URL). */
  fromIngest: boolean;
}

export class Sender {
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private failures = 0;
  /** One 'delivering' line at the first acknowledgement, so a person starting the agent sees it works. */
  private delivered = false;
  private loop: Promise<void> | null = null;
  private url: URL;
  private poster: Poster;

  constructor(private o: SenderOptions) {
    this.url = new URL(INGEST_PATH, o.server.endsWith('/') ? o.server : `${o.server}/`);
    this.poster = createPoster(this.url);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A new batch is buffered: send now if idle (not while backing off). */
  wake(): void {
    if (this.failures === 0) this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    this.poster.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const next = this.o.buffer.oldest();
      if (!next) {
        await this.sleep(Infinity);
        continue;
      }
      const body = this.o.buffer.read(next);
      if (!body) continue;
      const wait = await this.deliver(body, next.seq);
      if (wait === 0) this.o.buffer.remove(next);
      else if (wait > 0) await this.sleep(wait);
      else this.o.buffer.remove(next); // rejected for good: keeping it would block everything behind it
    }
  }

  /** 0: delivered; > 0: retry after that many ms; < 0: the server refuses this batch for good. */
  private async deliver(body: Buffer, seq: number): Promise<number> {
    let res: Response;
    try {
      res = await this.post(body);
    } catch (err) {
      return this.backoff(`cannot reach ${this.url.origin}: ${(err as Error).message}`);
    }
    if (res.status === 200) {
      if (this.failures) this.o.log('info', 'delivering again', { after: this.failures });
      else if (!this.delivered) this.o.log('info', 'delivering', { to: this.url.origin });
      this.failures = 0;
      this.delivered = true;
      let ack;
      try {
        ack = JSON.parse(res.body);
      } catch {
        return this.backoff(`answer to a batch is not a Watchtower acknowledgement: ${res.body.slice(0, 100)}`);
      }
      this.o.onAck?.(ack);
      this.o.log('debug', 'batch acknowledged', ack);
      return 0;
    }
    if (res.status === 429 || res.status === 503) return this.backoff(`server busy (${res.status})`, res.retryAfterMs);
    if (res.status === 401 || res.status === 403) return this.backoff(`token refused (${res.status}): ${res.body}`);
    if (res.status >= 400 && res.status < 500 && res.fromIngest) {
      this.o.log('error', 'server rejected a batch; dropping it', { seq, status: res.status, body: res.body.slice(0, 500) });
      return -1;
    }
    if (res.status >= 400 && res.status < 500) {
      // Not Watchtower's ingest judging the batch: a wrong --server (the API's port, a path, a proxy).
      return this.backoff(
        `${this.url.href} is not a Watchtower ingest endpoint (${res.status}: ${res.body.slice(0, 300)}); ` +
          'is --server the ingest listener (port 7801 by default)? Batches stay buffered',
      );
    }
    return this.backoff(`server error ${res.status}`);
  }

  private backoff(reason: string, retryAfterMs: number | null = null): number {
    const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.failures++;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(this.failures - 1, 20));
    const wait = retryAfterMs ?? Math.max(50, Math.random() * ceiling);
    this.o.log(this.failures === 1 ? 'warn' : 'debug', 'delivery failed; will retry', {
      reason,
      retryInMs: Math.round(wait),
      attempt: this.failures,
      buffered: this.o.buffer.stats.batches,
    });
    return wait;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : null;
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async post(body: Buffer): Promise<Response> {
    const res = await this.poster.post(
      this.url,
      { authorization: `Bearer ${this.o.token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
      this.o.timeoutMs ?? 30_000,
    );
    const retryAfter = Number(res.retryAfter ?? NaN);
    return {
      status: res.status,
      body: res.body,
      retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : null,
      fromIngest: res.ingest !== null,
    };
  }
}

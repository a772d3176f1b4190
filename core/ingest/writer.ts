// Group commit: batches that arrive while a transaction is running wait and go into the next one
// together, so the commit rate adapts to load and each batch is acknowledged only after the
// transaction holding it has committed. Up to `concurrency` groups commit at once: PostgreSQL
// overlaps one transaction's server work with the next one's preparation in Node (a second writer
// measured +30-45%); SQLite commits synchronously, so one is all it can use. The queue is bounded in samples; past that, callers are
// told to back off (429) instead of growing memory without limit.
import type { Logger } from 'pino';
import type { BatchResult, BatchWrite, Store } from '../store/types.js';

interface Pending {
  write: BatchWrite;
  samples: number;
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export interface BatchWriterOptions {
  store: Pick<Store, 'writeBatches'>;
  maxPendingSamples: number;
  maxSeriesPerHost: number;
  /** Largest group per transaction, in samples. */
  maxGroupSamples?: number;
  /** Groups committing at the same time (default 1). */
  concurrency?: number;
  log: Logger;
  /** Called after each committed group (bus publishing, rollup bookkeeping). */
  onCommitted?: (writes: BatchWrite[], results: BatchResult[]) => void;
}

export class BatchWriter {
  private queue: Pending[] = [];
  private pendingSamples = 0;
  private drains = new Set<Promise<void>>();

  constructor(private opts: BatchWriterOptions) {}

  /** True when the queue is full: the caller should answer 429 without reading more. */
  get saturated(): boolean {
    return this.pendingSamples >= this.opts.maxPendingSamples;
  }

  get pending(): { batches: number; samples: number } {
    return { batches: this.queue.length, samples: this.pendingSamples };
  }

  submit(write: BatchWrite, samples: number): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, samples, resolve, reject });
      this.pendingSamples += samples;
      if (this.drains.size < (this.opts.concurrency ?? 1)) {
        // Start on the next turn of the event loop, so batches that arrived together (already read
        // from their sockets) share one transaction: SQLite would otherwise commit each alone.
        const d: Promise<void> = new Promise<void>((r) => setImmediate(r)).then(() => this.drain()).finally(() => this.drains.delete(d));
        this.drains.add(d);
      }
    });
  }

  /** Resolves when everything submitted so far is committed or failed. */
  async flush(): Promise<void> {
    while (this.drains.size) await Promise.all(this.drains);
  }

  private async drain(): Promise<void> {
    const max = this.opts.maxGroupSamples ?? 100_000;
    while (this.queue.length) {
      let take = 0;
      let samples = 0;
      while (take < this.queue.length && (take === 0 || samples + this.queue[take]!.samples <= max)) samples += this.queue[take++]!.samples;
      const group = this.queue.splice(0, take);
      try {
        await this.commit(group);
      } finally {
        this.pendingSamples -= samples;
      }
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    const writes = group.map((p) => p.write);
    try {
      const results = await this.opts.store.writeBatches(writes, { maxSeriesPerHost: this.opts.maxSeriesPerHost });
      group.forEach((p, i) => p.resolve(results[i]!));
      this.opts.onCommitted?.(writes, results);
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One bad batch must not fail its neighbours: retry each on its own.
      this.opts.log.warn({ err, batches: group.length }, 'group commit failed; retrying batches one by one');
      for (const p of group) await this.commit([p]);
    }
  }
}

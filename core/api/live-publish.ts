// Publishes what ingest learns for live dashboards: per committed batch, the newest value of each
// series in it ('samples'), and a host's status when it changes ('host': up on a batch after
// silence, down when it stays quiet past its window; its last-seen time at most every 30 s).
// Runs after the commit, on a later tick: the ingest path only pays for queueing the batch.
import type { Logger } from 'pino';
import type { LivePayload } from '../../shared/contract/events.js';
import type { Coordination } from '../bus/types.js';
import type { BatchWrite, Store } from '../store/types.js';
import { hostStatus } from './hosts.js';
import { liveTopic } from './live.js';

const LAST_SEEN_EVERY_MS = 30_000;
/**
 * When a samples event reached nobody (no dashboard open on any instance), the next ones are not even
 * built for this long: at 100k samples/s they cost a third of the server's CPU. A page opening meanwhile
 * loads current values itself and gets live ones within this time.
 */
export const SAMPLES_QUIET_MS = 5000;

interface Known {
  name: string;
  status: 'new' | 'up' | 'down';
  lastSeenAt: number;
  intervalMs: number;
  agentVersion: string | null;
  publishedAt: number;
}

export interface LivePublisherDeps {
  coordination: Coordination;
  store: Pick<Store, 'getHost'>;
  log: Logger;
  now: () => number;
  downAfterIntervals: number;
}

export class LivePublisher {
  private hosts = new Map<string, Known>();
  private queue: BatchWrite[] = [];
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();
  private samplesQuietUntil = 0;

  constructor(private d: LivePublisherDeps) {}

  /** Called by the batch writer after a commit: only queues. */
  onCommitted(writes: BatchWrite[], duplicate: (i: number) => boolean): void {
    writes.forEach((w, i) => duplicate(i) || this.queue.push(w));
    if (this.scheduled || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queue.splice(0);
      this.running = this.running.then(() => this.publishBatches(batch)).catch((err) => this.d.log.warn({ err }, 'live publish failed'));
    });
  }

  /** Waits for what was queued so far (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.scheduled) await new Promise((r) => setImmediate(r));
    await this.running;
  }

  private async publishBatches(writes: BatchWrite[]): Promise<void> {
    for (const w of writes) {
      if (this.d.now() >= this.samplesQuietUntil) await this.publishSamples(w);
      await this.seen(w);
    }
  }

  private async publishSamples(w: BatchWrite): Promise<void> {
    const values: LivePayload<'samples'>['values'] = [];
    for (const s of w.series) {
      const last = s.ts.length - 1;
      if (last >= 0) values.push({ metric: s.name, labels: s.labels, ts: s.ts[last]!, value: s.values[last]! });
    }
    if (!values.length) return;
    const reached = await this.d.coordination.publish(liveTopic('samples'), { hostId: w.hostId, values });
    if (reached === 0) this.samplesQuietUntil = this.d.now() + SAMPLES_QUIET_MS;
  }

  private async seen(w: BatchWrite): Promise<void> {
    let k = this.hosts.get(w.hostId);
    if (!k) {
      const h = await this.d.store.getHost(w.hostId);
      if (!h) return; // deleted while its batch was in flight
      k = { name: h.name, status: 'new', lastSeenAt: 0, intervalMs: w.intervalMs, agentVersion: null, publishedAt: 0 };
      this.hosts.set(w.hostId, k);
    }
    const changed = k.status !== 'up' || k.agentVersion !== w.agentVersion;
    k.lastSeenAt = Math.max(k.lastSeenAt, w.receivedAt);
    k.intervalMs = w.intervalMs;
    k.agentVersion = w.agentVersion;
    k.status = 'up';
    if (changed || w.receivedAt - k.publishedAt >= LAST_SEEN_EVERY_MS) await this.publishHost(w.hostId, k);
  }

  private async publishHost(hostId: string, k: Known): Promise<void> {
    k.publishedAt = this.d.now();
    const payload: LivePayload<'host'> = {
      hostId,
      name: k.name,
      status: k.status,
      lastSeenAt: k.lastSeenAt || null,
      agentVersion: k.agentVersion,
    };
    await this.d.coordination.publish(liveTopic('host'), payload);
  }

  /**
   * Hosts this instance saw go quiet past their window become down. The store has the last word
   * (in team mode the host may now report to another instance).
   */
  async sweep(): Promise<void> {
    const now = this.d.now();
    for (const [hostId, k] of this.hosts) {
      if (k.status !== 'up' || hostStatus({ lastSeenAt: k.lastSeenAt, intervalMs: k.intervalMs }, now, this.d.downAfterIntervals) === 'up')
        continue;
      const h = await this.d.store.getHost(hostId);
      if (!h) {
        this.hosts.delete(hostId);
        continue;
      }
      k.lastSeenAt = h.lastSeenAt ?? k.lastSeenAt;
      if (hostStatus(h, now, this.d.downAfterIntervals) === 'up') continue;
      k.status = 'down';
      await this.publishHost(hostId, k);
    }
  }
}

// The incident engine: evaluator (rules on the stream), incidents, escalation timers and the
// delivery worker, driven by one loop. runDue() does one round of everything that is due, which
// is what the loop calls and what timeline tests call after moving their clock.
import type { Notification } from '../notify/index.js';
import type { Incident } from '../store/alerting/types.js';
import type { BatchWrite } from '../store/types.js';
import { Deliveries } from './deliveries.js';
import { Escalation } from './escalation.js';
import { Evaluator } from './evaluator.js';
import { Incidents } from './incidents.js';
import { Timers } from './timers.js';
import { TOPICS, type EngineDeps } from './types.js';

export interface EngineOptions {
  /** Loop period; the loop also wakes at once when something is due now. */
  tickMs?: number;
  heartbeatCheckMs?: number;
  reconcileMs?: number;
}

export class Engine {
  readonly timers: Timers;
  readonly escalation: Escalation;
  readonly incidents: Incidents;
  readonly evaluator: Evaluator;
  readonly deliveries: Deliveries;
  private queue: Promise<void> = Promise.resolve();
  private loop: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastHeartbeatCheck = 0;
  private lastReconcile = 0;
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(
    private d: EngineDeps,
    private o: EngineOptions = {},
  ) {
    this.timers = new Timers(d, async (t) => {
      if ((await this.escalation.fire(t)).deliveries) this.kick();
    });
    this.escalation = new Escalation(d, this.timers);
    this.incidents = new Incidents(d, this.escalation, this.timers, () => this.kick());
    this.evaluator = new Evaluator(d, this.incidents);
    this.deliveries = new Deliveries(d, (i) => this.describe(i));
  }

  async start(opts: { loop?: boolean } = {}): Promise<void> {
    await this.evaluator.load();
    await this.timers.reconcile(true);
    // Another instance changed rules: reload them here too.
    this.unsubscribe = await this.d.coordination.subscribe(TOPICS.config, () => void this.reload());
    if (opts.loop !== false) this.loop = setInterval(() => this.kick(), this.o.tickMs ?? 250);
  }

  async stop(): Promise<void> {
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    await this.unsubscribe?.();
    await this.queue;
    while (this.running) await this.running;
    await this.deliveries.close();
  }

  /** Rules or policies changed (here or on another instance). */
  async reload(): Promise<void> {
    this.escalation.forget();
    // A silence may have been deleted or shortened: look at held-back incidents on the next round.
    this.lastHeartbeatCheck = 0;
    this.queue = this.queue.then(() => this.evaluator.load()).catch((err) => this.d.log.error({ err }, 'reloading rules failed'));
    await this.queue;
  }

  async configChanged(): Promise<void> {
    await this.reload();
    await this.d.coordination.publish(TOPICS.config, { at: this.d.clock.now() });
  }

  /** Ingest's hook: batches are evaluated in commit order, one at a time. */
  onCommitted(writes: BatchWrite[], duplicate: (i: number) => boolean): void {
    const fresh = writes.filter((_, i) => !duplicate(i));
    if (!fresh.length) return;
    this.queue = this.queue
      .then(async () => {
        for (const w of fresh) await this.evaluator.onBatch(w);
      })
      .catch((err) => this.d.log.error({ err }, 'rule evaluation failed'));
  }

  /** Waits until every batch handed in so far is evaluated (tests, shutdown). */
  async settled(): Promise<void> {
    await this.queue;
  }

  /** Runs the loop body now (or once more right after the round in progress). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runDue()
      .catch((err) => this.d.log.error({ err }, 'engine round failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Runs rounds until nothing more was kicked meanwhile (timeline tests, after moving the clock). */
  async round(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  /** One round: heartbeats and ended silences, reconcile, due timers, due deliveries. */
  async runDue(): Promise<void> {
    const now = this.d.clock.now();
    if (now - this.lastHeartbeatCheck >= (this.o.heartbeatCheckMs ?? 5000)) {
      this.lastHeartbeatCheck = now;
      this.queue = this.queue
        .then(() => this.evaluator.checkHeartbeats())
        .catch((err) => this.d.log.error({ err }, 'heartbeat check failed'));
      await this.queue;
      await this.incidents.releaseSilenced();
    }
    if (now - this.lastReconcile >= (this.o.reconcileMs ?? 2000)) {
      this.lastReconcile = now;
      await this.timers.reconcile();
    }
    // Timers and deliveries take turns, so a backlog of timers does not hold notifications back.
    for (;;) {
      const fired = await this.timers.runDue();
      const sent = await this.deliveries.runDue();
      if (fired === 0 && sent === 0) break;
    }
  }

  /** The incident as channels show it. */
  async describe(i: Incident): Promise<Notification['incident']> {
    const host = i.hostId ? await this.d.store.getHost(i.hostId) : null;
    const rule = i.ruleId ? await this.d.alerting.getConfig('rule', i.ruleId) : null;
    return {
      id: i.id,
      title: i.title,
      severity: i.severity,
      status: i.status,
      description: i.description,
      host: host ? { id: host.id, name: host.name } : null,
      rule: rule ? { id: rule.id, name: rule.name } : null,
      labels: i.labels,
      triggeredAt: i.triggeredAt,
      count: i.count,
      value: i.value,
    };
  }
}

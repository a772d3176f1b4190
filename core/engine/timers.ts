// Durable timers: the database holds every timer (truth); the coordination schedule (in-process
// heap or Redis sorted set) is the accelerator that says what is due without scanning. A timer
// fires once: takeDue hands an id to one instance, and the database claim settles any doubt.
// Anything the schedule lost (Redis restarted empty, an instance died holding ids) is put back from
// the database by reconcile().
import type { Timer } from '../store/alerting/types.js';
import type { EngineDeps } from './types.js';

const OVERDUE_GRACE_MS = 2000;
const FIRE_CONCURRENCY = 16;

async function forEachConcurrently<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export class Timers {
  private shortBefore = false;

  constructor(
    private d: EngineDeps,
    private onFire: (t: Timer) => Promise<void>,
  ) {}

  async add(timers: Timer[]): Promise<void> {
    if (!timers.length) return;
    await this.d.alerting.addTimers(timers);
    await this.d.coordination.schedule.add(timers.map((t) => ({ id: t.id, dueAt: t.dueAt })));
  }

  async cancel(incidentId: string): Promise<void> {
    const ids = await this.d.alerting.cancelTimers(incidentId, this.d.clock.now());
    if (ids.length) await this.d.coordination.schedule.remove(ids);
  }

  /** Fires the due timers this instance is handed (up to `limit`); returns how many fired. */
  async runDue(limit = 500): Promise<number> {
    const due = await this.d.coordination.schedule.takeDue(this.d.clock.now(), limit);
    let fired = 0;
    // Each timer is a few sequential round trips to the database; over PostgreSQL, doing them one
    // timer at a time capped a backlog at ~170 timers/s (bench:timers), so several run at once.
    await forEachConcurrently(due, FIRE_CONCURRENCY, async ({ id }) => {
      const timer = await this.d.alerting.claimTimer(id, this.d.instanceId, this.d.clock.now());
      if (!timer) return;
      fired++;
      try {
        await this.onFire(timer);
      } catch (err) {
        this.d.log.error({ err, timer: id }, 'timer action failed');
      }
    });
    return fired;
  }

  /**
   * Puts timers back into the schedule: all pending ones when the schedule holds fewer than the
   * database (Redis restarted empty, or this is the first start), else only those overdue by more than
   * a grace period (an instance took them and died before its claim).
   */
  async reconcile(full = false): Promise<number> {
    const now = this.d.clock.now();
    // Timers are written to the database before the schedule, so a count taken in between differs
    // for a moment: only a shortfall seen twice in a row means the schedule lost entries.
    const short = (await this.d.coordination.schedule.size()) < (await this.d.alerting.countPendingTimers());
    const lost = short && this.shortBefore;
    this.shortBefore = short && !lost;
    const until = full || lost ? Number.MAX_SAFE_INTEGER : now - OVERDUE_GRACE_MS;
    const pending = await this.d.alerting.pendingTimers(until, 100_000);
    if (pending.length) await this.d.coordination.schedule.add(pending.map((t) => ({ id: t.id, dueAt: t.dueAt })));
    return pending.length;
  }

  nextDue(): Promise<number | null> {
    return this.d.coordination.schedule.nextDue();
  }
}

// Durable timers: the database holds every timer (truth); the coordination schedule (in-process
// heap or Redis sorted set) is the accelerator that says what is due without scanning. A timer
// fires once: takeDue hands an id to one instance, and the database claim settles any doubt.
// Anything the schedule lost (Redis restarted empty, an instance died holding ids) is put back from
// the database by reconcile().
import type { Timer } from '../store/alerting/types.js';
import type { EngineDeps } from './types.js';

const OVERDUE_GRACE_MS = 2000;

export class Timers {
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

  /** Fires every due timer this instance is handed; returns how many fired. */
  async runDue(): Promise<number> {
    let fired = 0;
    for (;;) {
      const due = await this.d.coordination.schedule.takeDue(this.d.clock.now(), 200);
      for (const { id } of due) {
        const timer = await this.d.alerting.getTimer(id);
        if (!timer || !(await this.d.alerting.claimTimer(id, this.d.instanceId, this.d.clock.now()))) continue;
        fired++;
        try {
          await this.onFire(timer);
        } catch (err) {
          this.d.log.error({ err, timer: id }, 'timer action failed');
        }
      }
      if (due.length < 200) return fired;
    }
  }

  /**
   * Puts timers back into the schedule: all pending ones when the schedule holds fewer than the
   * database (Redis restarted empty, or this is the first start), else only those overdue by more than
   * a grace period (an instance took them and died before its claim).
   */
  async reconcile(full = false): Promise<number> {
    const now = this.d.clock.now();
    const lost = (await this.d.coordination.schedule.size()) < (await this.d.alerting.countPendingTimers());
    const until = full || lost ? Number.MAX_SAFE_INTEGER : now - OVERDUE_GRACE_MS;
    const pending = await this.d.alerting.pendingTimers(until, 100_000);
    if (pending.length) await this.d.coordination.schedule.add(pending.map((t) => ({ id: t.id, dueAt: t.dueAt })));
    return pending.length;
  }

  nextDue(): Promise<number | null> {
    return this.d.coordination.schedule.nextDue();
  }
}

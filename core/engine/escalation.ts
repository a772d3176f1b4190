// Escalation: a policy's levels become durable timers. Level 0 waits its delay after the trigger
// (or after the flapping guard's interval); each later level waits its delay after the previous
// one; after the last level the policy starts over `repeat` more times (a pass waits the first
// level's delay, at least a minute, so a zero delay cannot loop). Acknowledging or resolving
// cancels what is left.
import type { EscalationPolicy } from '../../shared/alerting/index.js';
import { newSortableId } from '../store/ids.js';
import type { Incident, Timer } from '../store/alerting/types.js';
import type { Timers } from './timers.js';
import type { EngineDeps } from './types.js';

const MIN_PASS_GAP_MS = 60_000;

export class Escalation {
  constructor(
    private d: EngineDeps,
    private timers: Timers,
  ) {}

  private timer(incidentId: string, dueAt: number, level: number, pass: number): Timer {
    return { id: newSortableId('tm', this.d.clock.now()), incidentId, kind: 'escalate', dueAt, payload: { level, pass } };
  }

  async policyFor(incident: Incident) {
    if (!incident.policy) return null;
    return (await this.d.alerting.getConfig<EscalationPolicy>('policy', incident.policy))?.spec ?? null;
  }

  /** Schedules the first level of a new incident's policy. */
  async start(incident: Incident, notBefore = 0): Promise<void> {
    const policy = await this.policyFor(incident);
    if (!policy) return;
    const due = Math.max(incident.triggeredAt + policy.levels[0]!.delay, notBefore);
    await this.timers.add([this.timer(incident.id, due, 0, 0)]);
  }

  /** A level is due: record a delivery per channel (once, whichever instance gets here) and schedule the next. */
  async fire(t: Timer): Promise<{ deliveries: number }> {
    const { alerting, clock } = this.d;
    const incident = await alerting.getIncident(t.incidentId);
    if (!incident || incident.status !== 'triggered') return { deliveries: 0 };
    const policy = await this.policyFor(incident);
    if (!policy) return { deliveries: 0 };
    const { level, pass } = t.payload;
    const lvl = policy.levels[level];
    if (!lvl) return { deliveries: 0 };
    const now = clock.now();
    const event = level === 0 && pass === 0 ? 'triggered' : 'escalated';
    let deliveries = 0;
    for (const name of lvl.channels) {
      const channel = await alerting.getConfig('channel', name);
      if (!channel) {
        await alerting.addTimelineEntry(incident.id, 'notify_failed', null, { channel: name, error: 'no such channel' }, now);
        continue;
      }
      const created = await alerting.createDelivery(
        { incidentId: incident.id, channelId: channel.id, channelName: channel.name, event, stepKey: `L${level}P${pass}` },
        now,
      );
      if (created) deliveries++;
    }
    if (event === 'escalated')
      await alerting.addTimelineEntry(incident.id, 'escalated', null, { level, pass, channels: lvl.channels }, now);
    const next = policy.levels[level + 1];
    if (next) await this.timers.add([this.timer(incident.id, now + next.delay, level + 1, pass)]);
    else if (pass < policy.repeat)
      await this.timers.add([this.timer(incident.id, now + Math.max(MIN_PASS_GAP_MS, policy.levels[0]!.delay), 0, pass + 1)]);
    return { deliveries };
  }

  /** Resolved: tell every channel that was told about the incident. */
  async notifyResolved(incident: Incident): Promise<number> {
    const sent = await this.d.alerting.listDeliveries({ incidentId: incident.id, status: 'sent', limit: 500 });
    let n = 0;
    for (const ch of new Map(sent.map((s) => [s.channelId, s])).values()) {
      const created = await this.d.alerting.createDelivery(
        { incidentId: incident.id, channelId: ch.channelId, channelName: ch.channelName, event: 'resolved', stepKey: 'resolved' },
        this.d.clock.now(),
      );
      if (created) n++;
    }
    return n;
  }
}

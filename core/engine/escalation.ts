// Escalation: a policy's levels become durable timers. Level 0 waits its delay after the trigger
// (or after the flapping guard's interval); each later level waits its delay after the previous
// one; after the last level the policy starts over `repeat` more times (a pass waits the first
// level's delay, at least a minute, so a zero delay cannot loop). Acknowledging or resolving
// cancels what is left.
import type { EscalationPolicy } from '../../shared/alerting/index.js';
import { newSortableId } from '../store/ids.js';
import type { ConfigRecord, Incident, Timer } from '../store/alerting/types.js';
import type { Timers } from './timers.js';
import type { EngineDeps } from './types.js';

const MIN_PASS_GAP_MS = 60_000;
/** Policies and channels change rarely; a firing timer should not look them up every time. */
const CONFIG_TTL_MS = 5000;

export class Escalation {
  private cache = new Map<string, { at: number; record: ConfigRecord | null }>();

  constructor(
    private d: EngineDeps,
    private timers: Timers,
  ) {}

  private timer(incidentId: string, dueAt: number, level: number, pass: number): Timer {
    return { id: newSortableId('tm', this.d.clock.now()), incidentId, kind: 'escalate', dueAt, payload: { level, pass } };
  }

  /** Forgets cached policies and channels (configuration changed). */
  forget(): void {
    this.cache.clear();
  }

  private async config(kind: 'policy' | 'channel', name: string): Promise<ConfigRecord | null> {
    const key = `${kind}:${name}`;
    const hit = this.cache.get(key);
    if (hit && this.d.clock.now() - hit.at < CONFIG_TTL_MS) return hit.record;
    const record = await this.d.alerting.getConfig(kind, name);
    this.cache.set(key, { at: this.d.clock.now(), record });
    return record;
  }

  async policyFor(incident: Incident): Promise<EscalationPolicy | null> {
    if (!incident.policy) return null;
    return ((await this.config('policy', incident.policy))?.spec as EscalationPolicy | undefined) ?? null;
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
      const channel = await this.config('channel', name);
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

  /** Resolved: tell every channel that was told (or is being told) about the incident. */
  async notifyResolved(incident: Incident): Promise<number> {
    // Channels told, or about to be (a delivery still pending goes out before this one).
    const sent = (await this.d.alerting.listDeliveries({ incidentId: incident.id, limit: 500 })).filter(
      (x) => x.status !== 'failed' && x.event !== 'resolved',
    );
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

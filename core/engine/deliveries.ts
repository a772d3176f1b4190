// The delivery worker: sends what the delivery log says is due, records every outcome, and retries
// failures with exponential backoff until they succeed or are given up, visibly ('failed' with the
// last error, and a timeline line). Nothing is dropped silently.
import type { ChannelSpec } from '../../shared/alerting/index.js';
import { createChannelSender, type ChannelSender, type Notification } from '../notify/index.js';
import type { ConfigRecord, Delivery, Incident } from '../store/alerting/types.js';
import type { EngineDeps } from './types.js';

const MAX_ATTEMPTS = 8;
const LEASE_MS = 60_000;
const backoffMs = (attempts: number) => Math.min(15 * 60_000, 5000 * 2 ** (attempts - 1));

export class Deliveries {
  private senders = new Map<string, { updatedAt: number; sender: ChannelSender }>();

  constructor(
    private d: EngineDeps,
    private describe: (i: Incident) => Promise<Notification['incident']>,
  ) {}

  /** Sends every due delivery leased to this instance; returns how many were attempted. */
  async runDue(): Promise<number> {
    const due = await this.d.alerting.claimDueDeliveries(this.d.clock.now(), LEASE_MS, 50);
    await Promise.all(due.map((x) => this.attempt(x)));
    return due.length;
  }

  private async attempt(x: Delivery): Promise<void> {
    const { alerting, clock } = this.d;
    const attempts = x.attempts + 1;
    const channel = await alerting.getConfig<ChannelSpec>('channel', x.channelId);
    const incident = await alerting.getIncident(x.incidentId);
    if (!channel || !incident) {
      const error = !channel ? `channel ${x.channelName} no longer exists` : 'incident no longer exists';
      await alerting.finishDelivery(x.id, { status: 'failed', attempts, nextAttemptAt: null, lastError: error, detail: null }, clock.now());
      if (incident) await alerting.addTimelineEntry(incident.id, 'notify_failed', null, { channel: x.channelName, error }, clock.now());
      return;
    }
    const step = /^L(\d+)P(\d+)$/.exec(x.stepKey);
    const notification: Notification = {
      deliveryId: x.id,
      event: x.event,
      incident: await this.describe(incident),
      ...(step ? { step: { level: Number(step[1]), pass: Number(step[2]) } } : {}),
      ...(this.d.publicUrl ? { url: `${this.d.publicUrl.replace(/\/$/, '')}/incidents/${incident.id}` } : {}),
      sentAt: clock.now(),
    };
    let outcome;
    try {
      outcome = await this.sender(channel).send(notification);
    } catch (err) {
      outcome = { ok: false as const, retryable: true, error: (err as Error).message };
    }
    const now = clock.now();
    const base = { channel: x.channelName, type: channel.spec.type, event: x.event, attempt: attempts };
    if (outcome.ok) {
      await alerting.finishDelivery(x.id, { status: 'sent', attempts, nextAttemptAt: null, lastError: null, detail: outcome.detail }, now);
      await alerting.addTimelineEntry(incident.id, 'notified', null, { ...base, detail: outcome.detail }, now);
      return;
    }
    if (outcome.retryable && attempts < MAX_ATTEMPTS) {
      const next = now + Math.max(1000, outcome.retryAfterMs ?? backoffMs(attempts));
      await alerting.finishDelivery(
        x.id,
        { status: 'pending', attempts, nextAttemptAt: next, lastError: outcome.error, detail: null },
        now,
      );
      this.d.log.warn({ delivery: x.id, channel: x.channelName, error: outcome.error, retryAt: next }, 'delivery failed; will retry');
      return;
    }
    await alerting.finishDelivery(x.id, { status: 'failed', attempts, nextAttemptAt: null, lastError: outcome.error, detail: null }, now);
    await alerting.addTimelineEntry(incident.id, 'notify_failed', null, { ...base, error: outcome.error }, now);
    this.d.log.error({ delivery: x.id, channel: x.channelName, error: outcome.error }, 'delivery failed for good');
  }

  /** One sender per channel, rebuilt when the channel's settings change. */
  sender(channel: ConfigRecord<ChannelSpec>): ChannelSender {
    const cached = this.senders.get(channel.id);
    if (cached && cached.updatedAt === channel.updatedAt) return cached.sender;
    void cached?.sender.close?.();
    const sender = createChannelSender(channel.spec, { publish: (topic, payload) => this.d.coordination.publish(topic, payload) });
    this.senders.set(channel.id, { updatedAt: channel.updatedAt, sender });
    return sender;
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.sender.close?.()));
    this.senders.clear();
  }
}

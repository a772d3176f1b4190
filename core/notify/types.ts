// The contract between the incident engine's delivery worker and the channels. A sender makes one
// attempt and says whether another could succeed; retries, backoff and the delivery log live in the
// worker, so every channel classifies failures the same way and none of them sleeps.
import type { ChannelSpec } from '../../shared/alerting/channels.js';

export interface NotificationIncident {
  id: string;
  title: string;
  severity: 'critical' | 'warning' | 'info';
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Placeholders already filled by the engine. */
  description: string;
  host: { id: string; name: string } | null;
  rule: { id: string; name: string } | null;
  labels: Record<string, string>;
  triggeredAt: number;
  count: number;
  value?: number | null;
}

export type NotificationEvent = 'triggered' | 'escalated' | 'acknowledged' | 'resolved' | 'test';

export interface Notification {
  /** Unique per delivery attempt series; receivers can dedupe on it (sent as X-Watchtower-Delivery / in the payload). */
  deliveryId: string;
  event: NotificationEvent;
  incident: NotificationIncident;
  /** Escalation step that caused this notification, if any. */
  step?: { level: number; pass: number };
  /** Link to the incident in the dashboard, when the instance knows its public URL. */
  url?: string;
  sentAt: number;
}

export type DeliveryOutcome =
  /** detail: what the receiver answered, e.g. 'HTTP 200', 'SMTP 250 queued as …'. */
  { ok: true; detail: string } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

export interface ChannelSender {
  readonly type: ChannelSpec['type'];
  /** One attempt; never throws for delivery failures, it classifies them. */
  send(n: Notification): Promise<DeliveryOutcome>;
  close?(): Promise<void>;
}

export interface NotifyDeps {
  /** For the desktop channel: publish an event on the bus (the desktop shell shows it natively). */
  publish(topic: string, payload: unknown): Promise<unknown>;
  /** Per attempt; default 10 s for HTTP channels, 30 s for email (SMTP servers greet slowly). */
  timeoutMs?: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Generic webhook: the notification as versioned JSON, signed like GitHub's webhooks so a receiver
// can tell it came from this instance (HMAC over the exact body bytes, compared in constant time).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { webhookSettings } from '../../shared/alerting/channels.js';
import { VERSION } from '../../shared/version.js';
import { postJson } from './http.js';
import { DEFAULT_HTTP_TIMEOUT_MS, type ChannelSender, type Notification, type NotifyDeps } from './types.js';

export type WebhookSettings = z.output<typeof webhookSettings>;

export const SIGNATURE_HEADER = 'X-Watchtower-Signature';
export const PAYLOAD_VERSION = 1;

export function sign(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: true when `header` is the signature of `body` (the raw bytes, before any JSON parsing). */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!m?.[1]) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(m[1], 'hex'));
}

/** The JSON body; step and url are null rather than missing so receivers see one stable shape. */
export function webhookPayload(n: Notification) {
  return {
    version: PAYLOAD_VERSION,
    deliveryId: n.deliveryId,
    event: n.event,
    incident: n.incident,
    step: n.step ?? null,
    url: n.url ?? null,
    sentAt: n.sentAt,
  };
}

export function createWebhookSender(settings: WebhookSettings, deps: Pick<NotifyDeps, 'timeoutMs'>): ChannelSender {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  return {
    type: 'webhook',
    async send(n) {
      const body = JSON.stringify(webhookPayload(n));
      const headers = new Headers();
      // User headers first, ours after: a configured header must not break the signature or type.
      for (const [name, value] of Object.entries(settings.headers ?? {})) {
        try {
          headers.set(name, value);
        } catch {
          // Invalid in the settings, so no retry helps. The value is not echoed: it may be a token.
          return { ok: false, retryable: false, error: `invalid header ${JSON.stringify(name)} in the channel settings` };
        }
      }
      headers.set('content-type', 'application/json');
      headers.set('user-agent', `Watchtower/${VERSION}`);
      headers.set('X-Watchtower-Event', n.event);
      headers.set('X-Watchtower-Delivery', n.deliveryId);
      if (settings.secret) headers.set(SIGNATURE_HEADER, sign(settings.secret, body));
      return postJson(settings.url, body, headers, timeoutMs);
    },
  };
}

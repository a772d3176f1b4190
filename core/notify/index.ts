// Entry point of the notification channels: one sender per configured channel.
import type { ChannelSpec } from '../../shared/alerting/channels.js';
import { createDesktopSender } from './desktop.js';
import { createEmailSender } from './email.js';
import { createSlackSender } from './slack.js';
import type { ChannelSender, NotifyDeps } from './types.js';
import { createWebhookSender } from './webhook.js';

export type { ChannelSender, DeliveryOutcome, Notification, NotificationEvent, NotificationIncident, NotifyDeps } from './types.js';
export { verifySignature, SIGNATURE_HEADER } from './webhook.js';
export { render } from './render.js';
export { DESKTOP_TOPIC, type DesktopNotification } from './desktop.js';

export function createChannelSender(channel: ChannelSpec, deps: NotifyDeps): ChannelSender {
  switch (channel.type) {
    case 'desktop':
      return createDesktopSender(deps);
    case 'webhook':
      return createWebhookSender(channel.settings, deps);
    case 'slack':
      return createSlackSender(channel.settings, deps);
    case 'email':
      return createEmailSender(channel.settings, deps);
    default: {
      // A new channel type in shared/ fails to compile here until it has a sender.
      const never: never = channel;
      throw new Error(`unknown channel type ${(never as { type: string }).type}`);
    }
  }
}

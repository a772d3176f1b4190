// Slack incoming webhook (https://api.slack.com/messaging/webhooks): Block Kit for the message, `text`
// as the fallback Slack uses in notifications and screen readers. Slack answers 200 "ok", or 4xx with
// a reason ("invalid_payload", "no_service" when the webhook or channel is gone) that a retry won't fix.
import type { z } from 'zod';
import type { slackSettings } from '../../shared/alerting/channels.js';
import { postJson } from './http.js';
import { render } from './render.js';
import { DEFAULT_HTTP_TIMEOUT_MS, type ChannelSender, type Notification, type NotifyDeps } from './types.js';

export type SlackSettings = z.output<typeof slackSettings>;

// Block Kit limits; Slack rejects the whole message (invalid_blocks) when one is exceeded.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;

const ICON: Record<string, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

/** mrkdwn treats <, > and & as control characters (links, mentions); user text must not become one. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function slackPayload(n: Notification) {
  const r = render(n);
  const icon = n.event === 'resolved' ? ':white_check_mark:' : (ICON[n.incident.severity] ?? '');
  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: cut(`${icon} ${r.title}`, HEADER_MAX), emoji: true } }];
  if (r.description) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(r.description), SECTION_MAX) } });
  blocks.push({
    type: 'section',
    fields: r.fields.slice(0, FIELDS_MAX).map((f) => ({ type: 'mrkdwn', text: cut(`*${f.label}*\n${escapeMrkdwn(f.value)}`, FIELD_MAX) })),
  });
  if (r.url) {
    // A plain link, not a button: buttons post an interaction to the Slack app, which a bare
    // incoming webhook does not have. `|` and `>` would end the link early.
    const href = r.url.replace(/[|<>]/g, encodeURIComponent);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${href}|Open incident in Watchtower>` } });
  }
  return { text: r.title, blocks };
}

export function createSlackSender(settings: SlackSettings, deps: Pick<NotifyDeps, 'timeoutMs'>): ChannelSender {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  return {
    type: 'slack',
    send(n) {
      const headers = new Headers({ 'content-type': 'application/json' });
      return postJson(settings.webhookUrl, JSON.stringify(slackPayload(n)), headers, timeoutMs);
    },
  };
}

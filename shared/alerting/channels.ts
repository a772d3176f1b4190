// Notification channels and their settings. Secrets (SMTP passwords, webhook secrets) are part of
// the settings; the API never returns them (see redactChannel).
import { z } from 'zod';
import { choiceError } from '../contract/issue-messages.js';
import { name } from './rules.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** What the API and exports show instead of a secret; sent back, it means "keep the stored one". */
export const REDACTED = '••••••';

export const webhookSettings = z
  .object({
    url: httpUrl,
    /** Signs each body: header X-Watchtower-Signature: sha256=<hex HMAC of the body>. */
    secret: z.union([z.literal(REDACTED), z.string().min(8).max(256)]).optional(),
    headers: z.record(z.string().max(128), z.string().max(1024)).optional(),
  })
  .strict();

export const slackSettings = z.object({ webhookUrl: httpUrl }).strict();

export const emailSettings = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the start (port 465); false: STARTTLS when offered. */
    secure: z.boolean().default(false),
    user: z.string().max(255).optional(),
    password: z.string().max(1024).optional(),
    from: z.string().min(3).max(255),
    to: z.array(z.email()).min(1).max(50),
  })
  .strict();

export const channelSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ name, type: z.literal('desktop'), settings: z.object({}).strict().default({}) }).strict(),
    z.object({ name, type: z.literal('webhook'), settings: webhookSettings }).strict(),
    z.object({ name, type: z.literal('slack'), settings: slackSettings }).strict(),
    z.object({ name, type: z.literal('email'), settings: emailSettings }).strict(),
  ],
  choiceError('type'),
);

export type ChannelInput = z.input<typeof channelSchema>;
export type ChannelSpec = z.output<typeof channelSchema>;
export type ChannelType = ChannelSpec['type'];

const SECRET_KEYS = ['secret', 'password'] as const;

/** The channel as the API shows it: secrets replaced by a marker. */
export function redactChannel<T extends { settings: object }>(c: T): T {
  const settings: Record<string, unknown> = { ...c.settings };
  for (const k of SECRET_KEYS) if (settings[k] !== undefined) settings[k] = REDACTED;
  return { ...c, settings };
}

// The notification channel form ↔ its spec. Settings depend on the type; secrets come back from
// the API as a marker, and sending the marker back keeps the stored secret.
import type { Input } from '../../../shared/contract/index.js';
import { formatList, formatMap, parseList, parseMap, pathParts, placeIssues, type FieldIssue, type PlacedIssues } from './formText.js';

export type ChannelSpecInput = Input<'createChannel'>;
export const CHANNEL_TYPES = ['webhook', 'slack', 'email', 'desktop'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelForm {
  name: string;
  type: ChannelType;
  url: string;
  secret: string;
  headers: string;
  webhookUrl: string;
  host: string;
  port: string;
  secure: boolean;
  user: string;
  password: string;
  from: string;
  to: string;
}

export const TYPE_FIELDS: Record<ChannelType, (keyof ChannelForm)[]> = {
  webhook: ['url', 'secret', 'headers'],
  slack: ['webhookUrl'],
  email: ['host', 'port', 'secure', 'user', 'password', 'from', 'to'],
  desktop: [],
};

export const EMPTY_CHANNEL: ChannelForm = {
  name: '',
  type: 'webhook',
  url: '',
  secret: '',
  headers: '',
  webhookUrl: '',
  host: '',
  port: '587',
  secure: false,
  user: '',
  password: '',
  from: '',
  to: '',
};

export function channelToForm(spec: ChannelSpecInput): ChannelForm {
  const s = (spec.settings ?? {}) as Record<string, unknown>;
  const t = (k: string) => (s[k] === undefined ? '' : String(s[k]));
  return {
    ...EMPTY_CHANNEL,
    name: spec.name,
    type: spec.type,
    url: t('url'),
    secret: t('secret'),
    headers: formatMap(s.headers as Record<string, string> | undefined),
    webhookUrl: t('webhookUrl'),
    host: t('host'),
    port: t('port') || EMPTY_CHANNEL.port,
    secure: s.secure === true,
    user: t('user'),
    password: t('password'),
    from: t('from'),
    to: formatList(s.to as string[] | undefined),
  };
}

export function formToChannel(f: ChannelForm): { ok: true; spec: ChannelSpecInput } | { ok: false; errors: Record<string, string> } {
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);
  switch (f.type) {
    case 'desktop':
      return { ok: true, spec: { name: f.name, type: 'desktop', settings: {} } };
    case 'slack':
      return { ok: true, spec: { name: f.name, type: 'slack', settings: { webhookUrl: f.webhookUrl.trim() } } };
    case 'webhook': {
      const headers = parseMap(f.headers);
      if (!headers.ok) return { ok: false, errors: { headers: headers.error } };
      const secret = opt(f.secret);
      const settings = {
        url: f.url.trim(),
        ...(secret ? { secret } : {}),
        ...(Object.keys(headers.value).length ? { headers: headers.value } : {}),
      };
      return { ok: true, spec: { name: f.name, type: 'webhook', settings } };
    }
    case 'email': {
      const port = Number(f.port);
      if (!Number.isInteger(port)) return { ok: false, errors: { port: `"${f.port}" is not a port number` } };
      const user = opt(f.user);
      const password = opt(f.password);
      const settings = {
        host: f.host.trim(),
        port,
        secure: f.secure,
        ...(user ? { user } : {}),
        ...(password ? { password } : {}),
        from: f.from.trim(),
        to: parseList(f.to),
      };
      return { ok: true, spec: { name: f.name, type: 'email', settings } };
    }
  }
}

/** `settings.to[1]` → "to"; `name`, `type` by themselves; the rest goes to the banner. */
export function channelFieldOf(path: string): string | null {
  const [top, field] = pathParts(path);
  if (top === 'name' || top === 'type') return top;
  if (top === 'settings' && typeof field === 'string' && field in EMPTY_CHANNEL) return field;
  return null;
}

export const placeChannelIssues = (issues: readonly FieldIssue[]): PlacedIssues => placeIssues(issues, channelFieldOf);

// Email over SMTP with nodemailer: one transport per channel, reused across sends (a non-pooled SMTP
// transport opens a connection per message, which suits the low volume of incident mail).
import { createTransport } from 'nodemailer';
import type { z } from 'zod';
import type { emailSettings } from '../../shared/alerting/channels.js';
import { render, type Rendered } from './render.js';
import {
  DEFAULT_SMTP_TIMEOUT_MS,
  errorMessage,
  type ChannelSender,
  type DeliveryOutcome,
  type Notification,
  type NotifyDeps,
} from './types.js';

export type EmailSettings = z.output<typeof emailSettings>;

const COLOR: Record<string, string> = { critical: '#c62828', warning: '#ef6c00', info: '#1565c0', resolved: '#2e7d32' };
// Failures that carry no SMTP reply but come from the settings or the message, not the network.
const PERMANENT_CODES = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS', 'ECONFIG']);

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHtml(r: Rendered, n: Notification): string {
  const color = COLOR[n.event === 'resolved' ? 'resolved' : n.incident.severity];
  const rows = r.fields
    .map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  // Only http(s) links: the URL comes from configuration, but a javascript: href must never render.
  const link = r.url && /^https?:\/\//i.test(r.url) ? `<p><a href="${escapeHtml(r.url)}">Open incident in Watchtower</a></p>` : '';
  const description = r.description ? `<p style="white-space:pre-wrap">${escapeHtml(r.description)}</p>` : '';
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${color}">${escapeHtml(r.title)}</h2>`,
    description,
    `<table>${rows}</table>`,
    link,
    '</body></html>',
  ].join('');
}

/** Message ids must be a dot-atom; delivery and incident ids are not guaranteed to be one. */
const atom = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export function createEmailSender(settings: EmailSettings, deps: Pick<NotifyDeps, 'timeoutMs'>): ChannelSender {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  const secrets = secretForms(settings.user, settings.password);
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    // Never send a password in clear text across a network: without implicit TLS, insist on
    // STARTTLS when credentials are set (a local relay on loopback is exempt).
    requireTLS: !settings.secure && settings.user !== undefined && !isLoopback(settings.host),
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // No logger and no debug: nodemailer's transaction log would include the AUTH exchange.
    logger: false,
    debug: false,
  });

  return {
    type: 'email',
    async send(n): Promise<DeliveryOutcome> {
      const r = render(n);
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: r.title,
          text: r.text,
          html: renderHtml(r, n),
          // Stable per delivery, so a retry after a lost 250 can be recognised as a duplicate;
          // References threads every mail of one incident together in most clients.
          messageId: `<${atom(n.deliveryId)}@watchtower>`,
          references: `<incident.${atom(n.incident.id)}@watchtower>`,
          headers: {
            'X-Watchtower-Event': n.event,
            'X-Watchtower-Delivery': n.deliveryId,
            // RFC 3834: tells vacation responders not to answer, so no auto-reply loops.
            'Auto-Submitted': 'auto-generated',
          },
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Some recipients refused but others accepted: retrying would mail the accepted ones twice.
        const rejected = info.rejected.length > 0 ? `; rejected: ${info.rejected.join(', ')}` : '';
        return { ok: true, detail: `SMTP ${info.response}${rejected}` };
      } catch (err) {
        return classify(err, timeoutMs, secrets);
      }
    },
    async close() {
      transport.close();
    },
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
}

export function classify(err: unknown, timeoutMs: number, secrets: string[] = []): DeliveryOutcome & { ok: false } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  if (e.code === 'EABORT') return { ok: false, retryable: true, error: `timed out after ${timeoutMs} ms` };
  const error = redact(errorMessage(err), secrets);
  if (typeof e.responseCode === 'number') {
    // RFC 5321: 5yz is permanent (550 no mailbox, 535 bad credentials), 4yz transient (451, 421).
    // 503 "bad sequence" is the exception: a fresh session can succeed.
    return { ok: false, retryable: e.responseCode < 500 || e.responseCode === 503, error };
  }
  return { ok: false, retryable: !(e.code !== undefined && PERMANENT_CODES.has(e.code)), error };
}

/** The password as it could appear on the wire: plain, and base64 as in AUTH PLAIN / AUTH LOGIN. */
function secretForms(user: string | undefined, password: string | undefined): string[] {
  if (!password) return [];
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [password, b64(password), b64(`\0${user ?? ''}\0${password}`)];
}

function redact(message: string, secrets: string[]): string {
  // Very short secrets are skipped: masking every "p" in a message would hide the actual error.
  return secrets.filter((s) => s.length >= 6).reduce((m, s) => m.split(s).join('••••••'), message);
}

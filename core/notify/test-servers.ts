// Real receivers for the channel tests (no mocks): an HTTP server that records requests and answers
// as told, and an SMTP server (smtp-server) that records what arrives. Loopback only.
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Notification } from './types.js';

export interface HttpRequestSeen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
/** 'hang': read the request and never answer (for timeouts). */
export type HttpReply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface HttpReceiver {
  url: string;
  requests: HttpRequestSeen[];
  close(): Promise<void>;
}

export async function startHttpReceiver(reply: (req: HttpRequestSeen) => HttpReply): Promise<HttpReceiver> {
  const requests: HttpRequestSeen[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const r = reply(seen);
      if (r === 'hang') return;
      res.writeHead(r.status, r.headers).end(r.body ?? '');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // the hanging ones too
        server.close(() => resolve());
      }),
  };
}

export interface MailSeen {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  messages: MailSeen[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(options: SMTPServerOptions = {}): Promise<SmtpReceiver> {
  const messages: MailSeen[] = [];
  const server = new SMTPServer({
    // The test server has no certificate a client would trust; plain SMTP on loopback.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback(null);
      });
    },
    ...options,
  });
  const port = await listen(server.server);
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TCP server that accepts and never says a word (an SMTP server stuck before its greeting). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => sockets.add(s));
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on: bound, read, released. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Raw RFC 822 → header map (unfolded, lower-case names) and body; enough for assertions. */
export function parseRawMail(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(split + 4) };
}

export function sampleNotification(over: Partial<Notification> = {}): Notification {
  return {
    deliveryId: 'dlv_01',
    event: 'triggered',
    incident: {
      id: 'inc_42',
      title: 'Disk almost full',
      severity: 'critical',
      status: 'triggered',
      description: 'Disk / is 97% full (threshold 90%).',
      host: { id: 'h_1', name: 'web-1' },
      rule: { id: 'r_1', name: 'disk-usage' },
      labels: { mount: '/' },
      triggeredAt: Date.UTC(2026, 10, 20, 12, 0),
      count: 3,
      value: 97,
    },
    step: { level: 1, pass: 1 },
    url: 'https://watchtower.example/incidents/inc_42',
    sentAt: Date.UTC(2026, 10, 20, 12, 5),
    ...over,
  };
}

/** The decoded leaf parts of a (multipart) message, by content type; handles 7bit, QP and base64. */
export function mimeParts(raw: string): Record<string, string> {
  const { headers, body } = parseRawMail(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return { [type.split(';')[0]!.trim()]: decode(body, headers['content-transfer-encoding']) };
  const parts: Record<string, string> = {};
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    Object.assign(parts, mimeParts(chunk.replace(/^\r\n/, '')));
  }
  return parts;
}

function decode(body: string, encoding = '7bit'): string {
  const e = encoding.toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

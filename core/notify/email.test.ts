import { afterEach, describe, expect, it } from 'vitest';
import type { SMTPServerOptions } from 'smtp-server';
import { classify, createEmailSender, type EmailSettings } from './email.js';
import type { ChannelSender } from './types.js';
import {
  freePort,
  mimeParts,
  parseRawMail,
  sampleNotification,
  startSilentServer,
  startSmtpReceiver,
  type SmtpReceiver,
} from './test-servers.js';

const rcptError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

describe('email channel', () => {
  let smtp: SmtpReceiver | undefined;
  let sender: ChannelSender | undefined;
  afterEach(async () => {
    await sender?.close?.();
    await smtp?.close();
    sender = smtp = undefined;
  });
  const setup = async (server: SMTPServerOptions = {}, settings: Partial<EmailSettings> = {}, timeoutMs?: number) => {
    smtp = await startSmtpReceiver(server);
    const base: EmailSettings = {
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      from: 'Watchtower <alerts@example.com>',
      to: ['a@example.com', 'b@example.com'],
    };
    sender = createEmailSender({ ...base, ...settings }, timeoutMs ? { timeoutMs } : {});
    return sender;
  };

  it('delivers to every recipient with subject, headers, a text and an HTML part', async () => {
    const s = await setup();
    const out = await s.send(sampleNotification());
    expect(out).toMatchObject({ ok: true, detail: expect.stringMatching(/^SMTP 250/) });

    const [mail] = smtp!.messages;
    expect(mail).toMatchObject({ from: 'alerts@example.com', to: ['a@example.com', 'b@example.com'] });
    const { headers } = parseRawMail(mail!.raw);
    expect(headers).toMatchObject({
      subject: '[CRITICAL] TRIGGERED: Disk almost full on web-1',
      to: 'a@example.com, b@example.com',
      'message-id': '<dlv_01@watchtower>',
      references: '<incident.inc_42@watchtower>',
      'x-watchtower-event': 'triggered',
      'x-watchtower-delivery': 'dlv_01',
      'auto-submitted': 'auto-generated',
    });
    expect(headers.from).toContain('alerts@example.com');
    const parts = mimeParts(mail!.raw);
    expect(parts['text/plain']).toContain('Disk / is 97% full (threshold 90%).');
    expect(parts['text/plain']).toContain('Host: web-1');
    expect(parts['text/plain']).toContain('Rule: disk-usage');
    expect(parts['text/plain']).toContain('Open: https://watchtower.example/incidents/inc_42');
    expect(parts['text/html']).toContain('<a href="https://watchtower.example/incidents/inc_42">');
  });

  it('reuses its transport across sends', async () => {
    const s = await setup();
    expect((await s.send(sampleNotification())).ok).toBe(true);
    expect((await s.send(sampleNotification({ deliveryId: 'dlv_02', event: 'resolved' }))).ok).toBe(true);
    expect(smtp!.messages.map((m) => parseRawMail(m.raw).headers.subject)).toEqual([
      '[CRITICAL] TRIGGERED: Disk almost full on web-1',
      '[CRITICAL] RESOLVED: Disk almost full on web-1',
    ]);
  });

  it('escapes HTML from the incident in the HTML part', async () => {
    const s = await setup();
    const n = sampleNotification();
    n.incident.title = '<img src=x onerror=alert(1)> & "co"';
    n.incident.description = '<script>alert(2)</script>';
    expect((await s.send(n)).ok).toBe(true);
    const parts = mimeParts(smtp!.messages[0]!.raw);
    expect(parts['text/html']).not.toContain('<img');
    expect(parts['text/html']).not.toContain('<script>');
    expect(parts['text/html']).toContain('&#60;img src=x onerror=alert(1)&#62; &#38; &#34;co&#34;');
    expect(parts['text/plain']).toContain('<script>alert(2)</script>');
  });

  it('550 on RCPT (mailbox unavailable) is not retryable', async () => {
    const s = await setup({ onRcptTo: (_a, _s, cb) => cb(rcptError(550, 'Mailbox unavailable')) });
    expect(await s.send(sampleNotification())).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('550') });
    expect(smtp!.messages).toHaveLength(0);
  });

  it('451 on RCPT (try later) is retryable', async () => {
    const s = await setup({ onRcptTo: (_a, _s, cb) => cb(rcptError(451, 'Try again later')) });
    expect(await s.send(sampleNotification())).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('451') });
  });

  it('one refused recipient among accepted ones still counts as delivered (a retry would mail the others twice)', async () => {
    const s = await setup({ onRcptTo: (a, _s, cb) => cb(a.address.startsWith('b@') ? rcptError(550, 'No such user') : null) });
    expect(await s.send(sampleNotification())).toMatchObject({ ok: true, detail: expect.stringContaining('rejected: b@example.com') });
    expect(smtp!.messages[0]!.to).toEqual(['a@example.com']);
  });

  describe('with authentication required', () => {
    const auth: SMTPServerOptions = {
      authOptional: false,
      onAuth: (a, _s, cb) =>
        a.username === 'ops' && a.password === 'hunter2-long' ? cb(null, { user: 'ops' }) : cb(new Error('Invalid username or password')),
    };

    it('logs in with user and password', async () => {
      const s = await setup(auth, { user: 'ops', password: 'hunter2-long' });
      expect((await s.send(sampleNotification())).ok).toBe(true);
      expect(smtp!.messages).toHaveLength(1);
    });

    it('a wrong password is not retryable and is not in the error', async () => {
      const s = await setup(auth, { user: 'ops', password: 'wrong-password' });
      const out = await s.send(sampleNotification());
      expect(out).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('535') });
      expect(JSON.stringify(out)).not.toContain('wrong-password');
      expect(JSON.stringify(out)).not.toContain(Buffer.from('wrong-password').toString('base64'));
    });

    it('no credentials at all is a permanent failure', async () => {
      const s = await setup(auth);
      expect(await s.send(sampleNotification())).toMatchObject({ ok: false, retryable: false });
    });
  });

  it('connection refused is retryable', async () => {
    const port = await freePort();
    sender = createEmailSender({ host: '127.0.0.1', port, secure: false, from: 'alerts@example.com', to: ['a@example.com'] }, {});
    expect(await sender.send(sampleNotification())).toMatchObject({ ok: false, retryable: true });
  });

  it('a server that never greets times out, retryably', async () => {
    const silent = await startSilentServer();
    try {
      sender = createEmailSender(
        { host: '127.0.0.1', port: silent.port, secure: false, from: 'alerts@example.com', to: ['a@example.com'] },
        { timeoutMs: 200 },
      );
      const started = Date.now();
      expect(await sender.send(sampleNotification())).toMatchObject({ ok: false, retryable: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it('classifies failures without an SMTP reply and masks the password if one ever appears', () => {
    const err = (code: string) =>
      Object.assign(new Error(`failed near hunter2-long / ${Buffer.from('hunter2-long').toString('base64')}`), { code });
    expect(classify(err('EAUTH'), 1000, ['hunter2-long', Buffer.from('hunter2-long').toString('base64')])).toEqual({
      ok: false,
      retryable: false,
      error: 'failed near •••••• / ••••••',
    });
    expect(classify(err('ECONNECTION'), 1000).retryable).toBe(true);
    expect(classify(Object.assign(new Error('x'), { responseCode: 503 }), 1000).retryable).toBe(true);
    expect(classify(Object.assign(new Error('x'), { code: 'EABORT' }), 1000)).toEqual({
      ok: false,
      retryable: true,
      error: 'timed out after 1000 ms',
    });
  });
});

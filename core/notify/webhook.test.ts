import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../../shared/version.js';
import { createChannelSender } from './index.js';
import { freePort, sampleNotification, startHttpReceiver, type HttpReceiver, type HttpReply } from './test-servers.js';
import { createWebhookSender, sign, verifySignature } from './webhook.js';

const SECRET = 's3cret-s3cret';
const publish = async () => undefined;

describe('webhook channel', () => {
  let receiver: HttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  const answering = async (reply: HttpReply) => (receiver = await startHttpReceiver(() => reply));

  it('POSTs the versioned JSON with event, delivery, user-agent, custom headers and a signature', async () => {
    const r = await answering({ status: 200, body: 'thanks' });
    const sender = createChannelSender(
      { name: 'ops', type: 'webhook', settings: { url: `${r.url}/hook?x=1`, secret: SECRET, headers: { 'X-Team': 'ops' } } },
      { publish },
    );
    const n = sampleNotification();
    expect(await sender.send(n)).toEqual({ ok: true, detail: 'HTTP 200' });

    const [req] = r.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/hook?x=1' });
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': `Watchtower/${VERSION}`,
      'x-watchtower-event': 'triggered',
      'x-watchtower-delivery': 'dlv_01',
      'x-team': 'ops',
    });
    expect(JSON.parse(req!.body)).toEqual({
      version: 1,
      deliveryId: 'dlv_01',
      event: 'triggered',
      incident: n.incident,
      step: { level: 1, pass: 1 },
      url: n.url,
      sentAt: n.sentAt,
    });
    const signature = req!.headers['x-watchtower-signature'] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, req!.body, signature)).toBe(true);
    expect(verifySignature(SECRET, Buffer.from(req!.body), signature)).toBe(true);
    expect(verifySignature('wrong-secret!', req!.body, signature)).toBe(false);
    expect(verifySignature(SECRET, req!.body.replace('web-1', 'web-2'), signature)).toBe(false);
  });

  it('sends null step and url and no signature header when they are not set', async () => {
    const r = await answering({ status: 204 });
    const sender = createWebhookSender({ url: r.url }, {});
    expect(await sender.send(sampleNotification({ step: undefined, url: undefined, event: 'test' }))).toEqual({
      ok: true,
      detail: 'HTTP 204',
    });
    const req = r.requests[0]!;
    expect(req.headers['x-watchtower-signature']).toBeUndefined();
    expect(JSON.parse(req.body)).toMatchObject({ event: 'test', step: null, url: null });
  });

  it('verifySignature rejects missing, malformed and foreign-algorithm headers', () => {
    const body = '{"a":1}';
    expect(verifySignature(SECRET, body, sign(SECRET, body))).toBe(true);
    expect(verifySignature(SECRET, body, sign(SECRET, body).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
    for (const bad of [
      undefined,
      null,
      '',
      'sha256=',
      'sha256=abc',
      sign(SECRET, body).replace('sha256', 'sha1'),
      sign(SECRET, body).slice(7),
    ]) {
      expect(verifySignature(SECRET, body, bad)).toBe(false);
    }
  });

  const table: { name: string; reply: HttpReply; want: object }[] = [
    { name: '500 is retryable', reply: { status: 500, body: 'boom' }, want: { ok: false, retryable: true, error: 'HTTP 500: boom' } },
    {
      name: '503 carries its Retry-After',
      reply: { status: 503, headers: { 'Retry-After': '7' } },
      want: { retryable: true, retryAfterMs: 7000 },
    },
    {
      name: '429 with Retry-After: 3',
      reply: { status: 429, headers: { 'Retry-After': '3' } },
      want: { retryable: true, retryAfterMs: 3000 },
    },
    {
      name: '400 is never retried',
      reply: { status: 400, body: 'bad payload' },
      want: { retryable: false, error: 'HTTP 400: bad payload' },
    },
    { name: '401 is not retryable', reply: { status: 401 }, want: { retryable: false, error: 'HTTP 401' } },
    { name: '408 is retryable', reply: { status: 408 }, want: { retryable: true } },
    {
      name: 'a redirect is not followed',
      reply: { status: 301, headers: { Location: 'http://127.0.0.1:1/x' } },
      want: { retryable: false },
    },
  ];
  for (const { name, reply, want } of table) {
    it(name, async () => {
      const r = await answering(reply);
      const out = await createWebhookSender({ url: r.url }, {}).send(sampleNotification());
      expect(out).toMatchObject({ ok: false, ...want });
      expect(r.requests).toHaveLength(1);
    });
  }

  it('429 with an HTTP-date Retry-After waits until that date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const r = await answering({ status: 429, headers: { 'Retry-After': at } });
    const out = await createWebhookSender({ url: r.url }, {}).send(sampleNotification());
    expect(out.ok).toBe(false);
    const ms = out.ok ? 0 : (out.retryAfterMs ?? 0);
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });

  it('connection refused is retryable', async () => {
    const port = await freePort();
    const out = await createWebhookSender({ url: `http://127.0.0.1:${port}/hook` }, {}).send(sampleNotification());
    expect(out).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('a receiver that never answers times out, retryably', async () => {
    const r = await answering('hang');
    const started = Date.now();
    const out = await createWebhookSender({ url: r.url }, { timeoutMs: 200 }).send(sampleNotification());
    expect(out).toEqual({ ok: false, retryable: true, error: 'timed out after 200 ms' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an invalid configured header fails permanently without echoing its value', async () => {
    const r = await answering({ status: 200 });
    const out = await createWebhookSender({ url: r.url, headers: { Authorization: 'Bearer tok\nen' } }, {}).send(sampleNotification());
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(out)).not.toContain('tok');
    expect(r.requests).toHaveLength(0);
  });

  it('a URL with credentials is a permanent failure that does not echo them', async () => {
    const out = await createWebhookSender({ url: 'http://user:pa55word@127.0.0.1:9/hook' }, {}).send(sampleNotification());
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(out)).not.toContain('pa55word');
  });
});

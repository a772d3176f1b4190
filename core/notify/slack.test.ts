import { afterEach, describe, expect, it } from 'vitest';
import { createSlackSender, slackPayload } from './slack.js';
import {
  freePort,
  sampleNotification,
  startHttpReceiver,
  type HttpReceiver,
  type HttpRequestSeen,
  type HttpReply,
} from './test-servers.js';

// Answers like hooks.slack.com: "ok", or a 4xx/5xx with a reason in plain text.
function slackLike(req: HttpRequestSeen): HttpReply {
  if (req.path.endsWith('/gone')) return { status: 404, body: 'no_service' };
  if (req.path.endsWith('/archived')) return { status: 410, body: 'channel_is_archived' };
  if (req.path.endsWith('/busy')) return { status: 429, headers: { 'Retry-After': '3' }, body: 'rate_limited' };
  if (req.path.endsWith('/down')) return { status: 500, body: 'rollup_error' };
  if (req.path.endsWith('/slow')) return 'hang';
  let payload: { text?: unknown; blocks?: unknown };
  try {
    payload = JSON.parse(req.body) as typeof payload;
  } catch {
    return { status: 400, body: 'invalid_payload' };
  }
  if (req.headers['content-type'] !== 'application/json' || typeof payload.text !== 'string' || !Array.isArray(payload.blocks)) {
    return { status: 400, body: 'invalid_payload' };
  }
  return { status: 200, body: 'ok' };
}

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[] };

describe('slack channel', () => {
  let receiver: HttpReceiver;
  afterEach(() => receiver?.close());
  const hook = async (path: string, timeoutMs?: number) => {
    receiver = await startHttpReceiver(slackLike);
    return createSlackSender({ webhookUrl: `${receiver.url}/services/T0/B0/${path}` }, timeoutMs ? { timeoutMs } : {});
  };

  it('posts text plus blocks with severity, title, host, rule, status, description and the link', async () => {
    const sender = await hook('XXXX');
    expect(await sender.send(sampleNotification())).toEqual({ ok: true, detail: 'HTTP 200' });
    const body = JSON.parse(receiver.requests[0]!.body) as { text: string; blocks: Block[] };
    expect(body.text).toBe('[CRITICAL] TRIGGERED: Disk almost full on web-1');
    const [header, description, facts, link] = body.blocks;
    expect(header).toMatchObject({
      type: 'header',
      text: { type: 'plain_text', text: ':red_circle: [CRITICAL] TRIGGERED: Disk almost full on web-1' },
    });
    expect(description).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: 'Disk / is 97% full (threshold 90%).' } });
    const fields = facts!.fields!.map((f) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining(['*Severity*\ncritical', '*Status*\ntriggered', '*Host*\nweb-1', '*Rule*\ndisk-usage', '*Value*\n97']),
    );
    expect(link!.text!.text).toBe('<https://watchtower.example/incidents/inc_42|Open incident in Watchtower>');
  });

  it('escapes mrkdwn control characters and leaves the link out without a url', () => {
    const n = sampleNotification({ url: undefined, event: 'resolved' });
    n.incident.description = '<!channel> load & <http://evil|click>';
    const { blocks } = slackPayload(n) as { blocks: Block[] };
    expect(blocks[0]!.text!.text.startsWith(':white_check_mark: [CRITICAL] RESOLVED:')).toBe(true);
    expect(blocks[1]!.text!.text).toBe('&lt;!channel&gt; load &amp; &lt;http://evil|click&gt;');
    expect(blocks).toHaveLength(3);
  });

  it('keeps the header within Slack’s 150 characters', () => {
    const n = sampleNotification();
    n.incident.title = 'x'.repeat(400);
    const { blocks } = slackPayload(n) as { blocks: Block[] };
    expect(blocks[0]!.text!.text.length).toBe(150);
  });

  it('404 no_service and 410 (channel gone) are not retryable', async () => {
    expect(await (await hook('gone')).send(sampleNotification())).toEqual({ ok: false, retryable: false, error: 'HTTP 404: no_service' });
    await receiver.close();
    expect(await (await hook('archived')).send(sampleNotification())).toEqual({
      ok: false,
      retryable: false,
      error: 'HTTP 410: channel_is_archived',
    });
  });

  it('429 is retryable after Retry-After, 500 is retryable', async () => {
    expect(await (await hook('busy')).send(sampleNotification())).toEqual({
      ok: false,
      retryable: true,
      error: 'HTTP 429: rate_limited',
      retryAfterMs: 3000,
    });
    await receiver.close();
    expect(await (await hook('down')).send(sampleNotification())).toMatchObject({ ok: false, retryable: true });
  });

  it('connection refused and timeouts are retryable, and errors never contain the webhook URL', async () => {
    const port = await freePort();
    const refused = await createSlackSender({ webhookUrl: `http://127.0.0.1:${port}/services/T0/B0/SECRET` }, {}).send(
      sampleNotification(),
    );
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(refused)).not.toContain('SECRET');
    const slow = await (await hook('slow', 200)).send(sampleNotification());
    expect(slow).toEqual({ ok: false, retryable: true, error: 'timed out after 200 ms' });
  });
});

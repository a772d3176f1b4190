// The sender against a real HTTP server whose answers the test chooses.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchBuffer } from './buffer.js';
import { createLog } from './log.js';
import { INGEST_HEADER } from '../shared/protocol/wire.js';
import { Sender } from './sender.js';

let server: Server | null = null;
afterEach(() => server?.close());

async function serve(answer: (req: IncomingMessage, body: string, n: number) => [number, Record<string, string>?]) {
  const seen: { body: string; auth: string | undefined; at: number }[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = gunzipSync(Buffer.concat(chunks)).toString();
      seen.push({ body, auth: req.headers.authorization, at: Date.now() });
      const [status, headers] = answer(req, body, seen.length);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(
        JSON.stringify(status === 200 ? { batchId: JSON.parse(body).id, duplicate: false, accepted: 1, dropped: {} } : { error: {} }),
      );
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, seen };
}

function setup(url: string, batches: number) {
  const buffer = new BatchBuffer(mkdtempSync(join(tmpdir(), 'wt-send-')), 1e6);
  for (let i = 1; i <= batches; i++) buffer.append(gzipSync(JSON.stringify({ id: `b${i}` })), 1);
  const lines: string[] = [];
  const sender = new Sender({
    server: url,
    token: 'wt_t',
    buffer,
    log: createLog('debug', (l) => lines.push(l)),
    backoff: { baseMs: 20, maxMs: 50 },
  });
  return { buffer, sender, lines };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('sender', () => {
  it('delivers in order with the token and removes each batch only after its ack', async () => {
    const { url, seen } = await serve(() => [200]);
    const { buffer, sender, lines } = setup(url, 3);
    sender.start();
    await until(() => buffer.stats.batches === 0);
    await sender.stop();
    expect(seen.map((s) => JSON.parse(s.body).id)).toEqual(['b1', 'b2', 'b3']);
    expect(seen[0]!.auth).toBe('Bearer wt_t');
    // One line at info for a person watching it start, not one per batch.
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'info')).toMatchObject([{ msg: 'delivering', to: url }]);
  });

  it('retries server errors and outages, keeping the batch until it is acknowledged', async () => {
    const { url, seen } = await serve((_r, _b, n) => (n <= 2 ? [503] : n === 3 ? [500] : [200]));
    const { buffer, sender } = setup(url, 2);
    sender.start();
    await until(() => buffer.stats.batches === 0);
    await sender.stop();
    expect(seen.map((s) => JSON.parse(s.body).id)).toEqual(['b1', 'b1', 'b1', 'b1', 'b2']);
  });

  it('honours Retry-After on 429', async () => {
    const { url, seen } = await serve((_r, _b, n) => (n === 1 ? [429, { 'retry-after': '1' }] : [200]));
    const { buffer, sender } = setup(url, 1);
    sender.start();
    await until(() => buffer.stats.batches === 0);
    await sender.stop();
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("drops a batch Watchtower's ingest refuses for good (400) and goes on with the next", async () => {
    const { url, seen } = await serve((_r, body) => (JSON.parse(body).id === 'b1' ? [400, { [INGEST_HEADER]: 'v1' }] : [200]));
    const { buffer, sender, lines } = setup(url, 2);
    sender.start();
    await until(() => buffer.stats.batches === 0);
    await sender.stop();
    expect(seen.map((s) => JSON.parse(s.body).id)).toEqual(['b1', 'b2']);
    expect(lines.some((l) => l.includes('server rejected a batch; dropping it'))).toBe(true);
  });

  it('keeps its batches when a 4xx comes from something else than the ingest endpoint (a wrong --server)', async () => {
    const { url, seen } = await serve((_r, _b, n) => (n <= 3 ? [400] : n === 4 ? [404] : [200]));
    const { buffer, sender, lines } = setup(url, 2);
    sender.start();
    await until(() => buffer.stats.batches === 0);
    await sender.stop();
    expect(seen.map((s) => JSON.parse(s.body).id)).toEqual(['b1', 'b1', 'b1', 'b1', 'b1', 'b2']);
    expect(lines.some((l) => l.includes('dropping'))).toBe(false);
    const warned = lines.map((l) => JSON.parse(l)).find((l) => l.level === 'warn');
    expect(warned.reason).toMatch(/is not a Watchtower ingest endpoint \(400: .*\); is --server the ingest listener \(port 7801/);
  });

  it('keeps batches while the token is refused (401)', async () => {
    const { url, seen } = await serve(() => [401]);
    const { buffer, sender } = setup(url, 1);
    sender.start();
    await until(() => seen.length >= 3);
    await sender.stop();
    expect(buffer.stats.batches).toBe(1);
  });
});

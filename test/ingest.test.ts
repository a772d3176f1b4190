// Ingest over real HTTP on both stores: every bad input gets its status and stores nothing; the
// policy cases are acknowledged with what was dropped and why.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_HEADER, INGEST_PATH, type Batch } from '../shared/protocol/index.js';
import { gz, json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const DAY = 86_400_000;
type Case = {
  name: string;
  body: () => Buffer | string;
  token?: 'none' | 'unknown' | 'revoked';
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
};

const mutate = (f: (b: Record<string, any>) => void) => () => {
  const b = makeBatch() as Record<string, any>;
  f(b);
  return json(b);
};

const badInputs: Case[] = [
  { name: 'no token', token: 'none', body: () => json(makeBatch()), status: 401, message: /Authorization: Bearer/ },
  { name: 'unknown token', token: 'unknown', body: () => json(makeBatch()), status: 401, message: /unknown or revoked agent token/ },
  { name: 'revoked token', token: 'revoked', body: () => json(makeBatch()), status: 401, message: /unknown or revoked agent token/ },
  { name: 'malformed JSON', body: () => '{"v":1,', status: 400, message: /not valid JSON/ },
  { name: 'NaN literal', body: () => json(makeBatch()).replace('[0]', '[NaN]'), status: 400, message: /not valid JSON/ },
  { name: 'empty body', body: () => '', status: 400, message: /not valid JSON/ },
  { name: 'wrong type', body: mutate((b) => (b.series[1].values = ['high'])), status: 400, message: /series\[1\]\.values\[0\]: .*number/ },
  {
    name: 'null value (NaN from JSON.stringify)',
    body: mutate((b) => (b.series[0].values = [null])),
    status: 400,
    message: /series\[0\]\.values\[0\]/,
  },
  {
    name: 'Infinity',
    body: () => json(makeBatch()).replace('"values":[0]', '"values":[1e999]'),
    status: 400,
    message: /series\[0\]\.values\[0\]/,
  },
  { name: 'missing batch id', body: mutate((b) => delete b.batchId), status: 400, message: /batchId/ },
  { name: 'unknown protocol version', body: mutate((b) => (b.v = 2)), status: 400, message: /invalid batch: v:/ },
  {
    name: 'ts/values mismatch',
    body: mutate((b) => (b.series[0].ts = [1, 2])),
    status: 400,
    message: /series\[0\]\.values: ts and values/,
  },
  { name: 'fractional timestamp', body: mutate((b) => (b.series[0].ts = [1.5])), status: 400, message: /series\[0\]\.ts\[0\]/ },
  { name: 'bad metric name', body: mutate((b) => (b.series[2].name = 'CPU Usage')), status: 400, message: /series\[2\]\.name/ },
  {
    name: 'huge label set',
    body: mutate((b) => (b.series[0].labels = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])))),
    status: 400,
    message: /series\[0\]\.labels: at most 16 labels/,
  },
  {
    name: 'huge label value',
    body: mutate((b) => (b.series[0].labels = { cpu: 'x'.repeat(300) })),
    status: 400,
    message: /series\[0\]\.labels\.cpu/,
  },
  {
    name: 'NUL in a string',
    body: mutate((b) => (b.events = [{ ts: Date.now(), kind: 'log', source: '/var/log/x', message: 'a\u0000b' }])),
    status: 400,
    message: /NUL/,
  },
  {
    name: 'body too large',
    body: () => json({ ...makeBatch(), pad: 'x'.repeat(300_000) }),
    status: 413,
    message: /larger than 262144 bytes/,
  },
  {
    name: 'gzip bomb',
    body: () => gzipSync(Buffer.alloc(5_000_000, 32)),
    headers: { 'content-encoding': 'gzip' },
    status: 413,
    message: /after gunzip/,
  },
  { name: 'not gzip', body: () => json(makeBatch()), headers: { 'content-encoding': 'gzip' }, status: 400, message: /not valid gzip/ },
  { name: 'unknown encoding', body: () => json(makeBatch()), headers: { 'content-encoding': 'br' }, status: 415, message: /not supported/ },
];

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('ingest on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let app: TestApp;
  let host: { id: string; token: string };
  let revoked: string;
  beforeAll(async () => {
    target = makeTarget();
    app = await startTestApp(target, { ingest: { maxBodyBytes: 262_144, maxDecodedBytes: 1_048_576, maxSeriesPerHost: 8 } });
    host = await app.addHost('web-1');
    revoked = (await app.addHost('old-1')).token;
    const old = (await app.api('GET', '/api/v1/hosts')).body.hosts.find((h: { name: string }) => h.name === 'old-1');
    await app.api('POST', `/api/v1/hosts/${old.id}/token`);
  });
  afterAll(async () => {
    await app?.stop();
    await target?.cleanup();
  });

  it.each(badInputs)('refuses $name with $status and stores nothing', async (c) => {
    const token = c.token === 'none' ? null : c.token === 'unknown' ? 'wt_nope' : c.token === 'revoked' ? revoked : host.token;
    const res = await app.post(token, c.body(), c.headers);
    expect(res.status).toBe(c.status);
    expect(res.body.error.message).toMatch(c.message);
    if (c.status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get(INGEST_HEADER)).toBe('v1'); // the agent drops a batch only on this listener's own verdict
    expect(await app.store.countSamples()).toBe(0);
    expect(await app.store.listEvents({ hostId: host.id, limit: 10 })).toEqual([]);
  });

  it("answers an agent posting to the API's port with 421 and where to send, without the ingest header", async () => {
    const res = await fetch(app.url + INGEST_PATH, {
      method: 'POST',
      body: gz(makeBatch()),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${host.token}` },
    });
    expect(res.status).toBe(421);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'wrong_listener',
      message: expect.stringMatching(/agents send batches to the ingest listener .*7801/),
    });
    expect(res.headers.get(INGEST_HEADER)).toBeNull();
    expect(await app.store.countSamples()).toBe(0);
  });

  it('accepts plain and gzip batches, acknowledges a replay without storing it twice', async () => {
    const b = makeBatch({ series: 3 });
    const first = await app.post(host.token, gz(b), { 'content-encoding': 'gzip' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      batchId: b.batchId,
      duplicate: false,
      accepted: 3,
      dropped: { tooOld: 0, tooNew: 0, unknownMetric: 0, seriesLimit: 0 },
    });
    const replay = await app.post(host.token, json(b));
    expect(replay.body).toMatchObject({ batchId: b.batchId, duplicate: true, accepted: 0 });
    expect(await app.store.countSamples(host.id)).toBe(3);
    const { body } = await app.api('GET', `/api/v1/hosts/${host.id}`);
    expect(body.host).toMatchObject({ status: 'up', agentVersion: '0.1.0', intervalMs: 10_000 });
    expect(body.host.lastSeenAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('drops samples outside the time window and unknown metrics, and says so', async () => {
    const now = Date.now();
    const b: Batch = {
      ...makeBatch({ series: 0 }),
      series: [
        { name: 'load.1', ts: [now - 8 * DAY, now - 1000, now + 3_600_000], values: [1, 2, 3] },
        { name: 'made.up_metric', ts: [now], values: [1] },
        { name: 'custom.queue_depth', labels: { queue: 'mail' }, ts: [now], values: [12] },
      ],
      events: [
        { ts: now, kind: 'log', source: '/var/log/app.log', message: 'ERROR disk full', level: 'error' },
        { ts: now - 30 * DAY, kind: 'log', source: '/var/log/app.log', message: 'ancient' },
      ],
    };
    const before = await app.store.countSamples(host.id);
    const res = await app.post(host.token, json(b));
    expect(res.body).toMatchObject({ accepted: 2, dropped: { tooOld: 2, tooNew: 1, unknownMetric: 1, seriesLimit: 0 } });
    expect(await app.store.countSamples(host.id)).toBe(before + 2);
    expect((await app.store.listEvents({ hostId: host.id, limit: 10 })).map((e) => e.message)).toEqual(['ERROR disk full']);
  });

  it('caps the series a host may create and counts what it refused', async () => {
    const h = await app.addHost('noisy-1');
    const res = await app.post(h.token, json(makeBatch({ series: 10 })));
    expect(res.body).toMatchObject({ accepted: 8, dropped: { seriesLimit: 2 } });
    expect(await app.store.countSamples(h.id)).toBe(8);
  });
});

// Backpressure: when more samples wait for a commit than the limit allows, new batches get 429
// with Retry-After and nothing of theirs is stored, while every acknowledged batch is. Runs on
// PostgreSQL, where commits are asynchronous and a queue can form; SQLite commits synchronously
// inside the request, so its queue never holds more than the batch being written.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { postgresTarget, type StoreTarget } from './helpers/stores.js';

let target: StoreTarget;
let app: TestApp;
beforeAll(async () => {
  target = postgresTarget();
  app = await startTestApp(target, { ingest: { maxPendingSamples: 200 } });
});
afterAll(async () => {
  await app?.stop();
  await target?.cleanup();
});

it('answers 429 with Retry-After when the write queue is full, and stores exactly what it acknowledged', async () => {
  const host = await app.addHost('busy-1');
  const results = await Promise.all(Array.from({ length: 60 }, () => app.post(host.token, json(makeBatch({ series: 100 })))));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  const refused = results.find((r) => r.status === 429)!;
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.body.error.code).toBe('overloaded');
  const accepted = results.filter((r) => r.status === 200).reduce((n, r) => n + r.body.accepted, 0);
  expect(await app.store.countSamples(host.id)).toBe(accepted);
});

// The database goes away under a running Watchtower (PostgreSQL reached through a proxy the test
// cuts): ingest answers 503 with Retry-After and acknowledges nothing it did not store; when the
// database is back, the same batches are accepted and stored once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { PG_URL, postgresTarget, type StoreTarget } from './helpers/stores.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

let target: StoreTarget;
let proxy: TcpProxy;
let app: TestApp;

beforeAll(async () => {
  const pg = new URL(PG_URL);
  proxy = new TcpProxy(pg.hostname, Number(pg.port || 5432));
  const port = await proxy.start();
  const viaProxy = new URL(PG_URL);
  viaProxy.port = String(port);
  target = { ...postgresTarget(), url: viaProxy.toString() };
  app = await startTestApp(target);
});
afterAll(async () => {
  await app?.stop();
  await target?.cleanup();
});

it('answers 503 while the database is away and stores the retried batches once it is back', async () => {
  const host = await app.addHost('web-1');
  expect((await app.post(host.token, json(makeBatch({ series: 5 })))).status).toBe(200);

  await proxy.cut();
  const during = [makeBatch({ series: 5, ts: Date.now() - 2000 }), makeBatch({ series: 5, ts: Date.now() - 1000 })];
  for (const b of during) {
    const res = await app.post(host.token, json(b));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.error.code).toBe('store_unavailable');
  }
  expect((await app.api('GET', '/api/v1/hosts')).status).toBe(500); // the API says so too, without internals

  await proxy.restore();
  for (const b of during) expect((await app.post(host.token, json(b))).status).toBe(200);
  expect((await app.post(host.token, json(during[0]))).body.duplicate).toBe(true);
  expect(await app.store.countSamples(host.id)).toBe(15);
});

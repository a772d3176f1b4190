// The Settings page's read-only view: which backend this instance uses and its retention, with
// credentials never shown.
import { afterEach, describe, expect, it } from 'vitest';
import { withoutPassword } from '../core/api/settings.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { deleteKeys, randomPrefix } from './helpers/redis.js';
import { postgresTarget, REDIS_URL, sqliteTarget, type StoreTarget } from './helpers/stores.js';

describe('settings API', () => {
  let app: TestApp | undefined;
  let target: StoreTarget | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    await app?.stop();
    await target?.cleanup();
    if (prefix) await deleteKeys(prefix);
    app = target = prefix = undefined;
  });

  it('local mode: the SQLite file, in-process coordination and the retention in force', async () => {
    target = sqliteTarget();
    app = await startTestApp(target, { retention: { rawDays: 3, rollupDays: 30, eventDays: 10, pruneEveryMinutes: 15 } });
    const res = await app.api('GET', '/api/v1/settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'local',
      store: { kind: 'sqlite', location: target.url, schema: null },
      coordination: { kind: 'memory', location: null },
      retention: { rawDays: 3, rollupDays: 30, eventDays: 10, pruneEveryMinutes: 15 },
      http: { host: '127.0.0.1' },
      ingest: { url: app.ingestUrl, host: '127.0.0.1' }, // the listener's own URL: what agents get as --server
    });
    expect(res.body.ingest.url).not.toBe(app.url);
  });

  it('ingest URL: deploy.ingestUrl when set, as servers reach this instance', async () => {
    target = sqliteTarget();
    app = await startTestApp(target, { deploy: { ingestUrl: 'https://wt.example.net:7801' } });
    expect((await app.api('GET', '/api/v1/settings')).body.ingest.url).toBe('https://wt.example.net:7801');
  });

  it('team mode: PostgreSQL with its schema and Redis', async () => {
    target = postgresTarget();
    prefix = randomPrefix();
    app = await startTestApp(target, { redis: { url: REDIS_URL, prefix } });
    const res = await app.api('GET', '/api/v1/settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'team',
      store: { kind: 'postgres', schema: target.schema },
      coordination: { kind: 'redis' },
    });
    expect(res.body.store.location).toMatch(/^postgres:\/\/.*127\.0\.0\.1/);
    expect(res.body.coordination.location).toMatch(/^redis:\/\/127\.0\.0\.1/);
  });

  it('never shows a password from a connection URL', () => {
    expect(withoutPassword('postgres://wt:s3cret@db:5432/wt')).toBe('postgres://wt:***@db:5432/wt');
    expect(withoutPassword('redis://:hunter2@cache:6379')).not.toContain('hunter2');
    expect(withoutPassword('postgres://db/wt')).toBe('postgres://db/wt');
    expect(withoutPassword('not a url with password=x')).not.toContain('password');
  });
});

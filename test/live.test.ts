// The live WebSocket with a real client (ws), on SQLite with the in-process bus and on PostgreSQL
// with Redis: events from ingest and the engine arrive; an unsigned or cross-site upgrade is
// refused; a client that reconnects with its last seq catches up, or is told to resync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeBatch, startTestApp, type TestApp } from './helpers/app.js';
import { LiveClient } from './helpers/live.js';
import { randomPrefix, deleteKeys } from './helpers/redis.js';
import { postgresTarget, REDIS_URL, sqliteTarget, type StoreTarget } from './helpers/stores.js';

const modes = [
  { name: 'SQLite, in-process bus', target: sqliteTarget, team: false },
  { name: 'PostgreSQL + Redis', target: postgresTarget, team: true },
];

describe.each(modes)('live stream on $name', ({ target: makeTarget, team }) => {
  let target: StoreTarget;
  let app: TestApp;
  let host: { id: string; token: string };
  const prefix = randomPrefix();
  const clients: LiveClient[] = [];
  const bearer = () => ({ authorization: `Bearer ${app.owner.apiToken}` });
  const connect = async (headers: Record<string, string> = bearer(), resume?: { since: number; instance: string }) => {
    const c = await LiveClient.connect(app.url, headers, resume);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    target = makeTarget();
    app = await startTestApp(target, team ? { redis: { url: REDIS_URL, prefix } } : {});
    host = await app.addHost('live-1');
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.stop();
    await target?.cleanup();
    if (team) await deleteKeys(prefix);
  });

  it('streams samples, host status and incidents as they happen', async () => {
    const c = await connect();
    const hello = await c.waitFor('hello');
    expect(hello.payload.resumed).toBe(false);
    expect(hello.instance).toBe(app.live.instance);

    const batch = makeBatch({ series: 2 });
    expect((await app.post(host.token, json(batch))).status).toBe(200);
    const samples = await c.waitFor('samples', (m) => m.payload.hostId === host.id);
    expect(samples.payload.values).toEqual(
      batch.series.map((s) => ({ metric: s.name, labels: s.labels, ts: s.ts[0], value: s.values[0] })),
    );
    const status = await c.waitFor('host', (m) => m.payload.hostId === host.id);
    expect(status.payload).toMatchObject({ name: 'live-1', status: 'up', agentVersion: '0.1.0' });

    const opened = await app.api('POST', '/api/v1/incidents/test', { title: 'live check' });
    const inc = await c.waitFor('incident', (m) => m.payload.incident.id === opened.body.incident.id);
    expect(inc.payload.incident.title).toBe('live check');
    await app.api('POST', `/api/v1/incidents/${opened.body.incident.id}/acknowledge`, {});
    const acked = await c.waitFor(
      'incident',
      (m) => m.payload.incident.id === opened.body.incident.id && m.payload.incident.status === 'acknowledged',
    );
    expect(acked.payload.incident.acknowledgedBy).toBe('owner');

    // Envelopes count up without gaps.
    const seqs = c.messages.filter((m) => m.event !== 'hello').map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('refuses an upgrade without credentials, with an agent token, or from another site', async () => {
    const none = await connect({}).catch((e: { status: number; body: string }) => e);
    expect(none).toMatchObject({ status: 401 });
    expect((none as { body: string }).body).toMatch(/sign in first/);
    const agent = await connect({ authorization: `Bearer ${host.token}` }).catch((e: { status: number }) => e);
    expect(agent).toMatchObject({ status: 401 });
    const foreign = await connect({ cookie: app.owner.cookie, origin: 'https://evil.example' }).catch((e: { status: number }) => e);
    expect(foreign).toMatchObject({ status: 403 });
    // The dashboard's way: the session cookie from its own origin.
    const ok = await connect({ cookie: app.owner.cookie, origin: app.url });
    expect((await ok.waitFor('hello')).instance).toBe(app.live.instance);
  });

  it('ends a stream whose token is revoked or whose session signed out', async () => {
    const made = (await app.api('POST', '/api/v1/tokens', { name: 'live-revoke' })).body;
    const viaToken = await connect({ authorization: `Bearer ${made.secret}` });
    const signedIn = await app.call('POST', '/api/v1/auth/sign-in', { username: 'owner', password: app.owner.password });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const viaSession = await connect({ cookie });
    const bystander = await connect();
    await app.api('DELETE', `/api/v1/tokens/${made.token.id}`);
    await app.call('POST', '/api/v1/auth/sign-out', {}, { cookie, 'x-csrf-token': signedIn.body.csrfToken });
    await app.live.recheck(); // what its timer does every 30 s
    expect(await viaToken.closed).toMatchObject({ code: 4401 });
    expect(await viaSession.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/sign in again/) });
    expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
  });

  it('catches a reconnecting client up on what it missed, in order', async () => {
    const c = await connect();
    await c.waitFor('hello');
    await app.post(host.token, json(makeBatch()));
    await c.waitFor('samples');
    const resumeFrom = { since: c.lastSeq, instance: c.messages[0]!.instance };
    await c.close();

    const missed: string[] = [];
    for (let i = 0; i < 3; i++) {
      missed.push((await app.api('POST', '/api/v1/incidents/test', { title: `while away ${i}` })).body.incident.id);
    }
    await app.post(host.token, json(makeBatch()));
    // Wait until the hub has seen them all (the bus is asynchronous, Redis especially).
    const probe = await connect();
    await probe.waitFor('hello');
    const until = app.live.lastSeq;

    const back = await connect(bearer(), resumeFrom);
    const hello = await back.waitFor('hello');
    expect(hello.payload.resumed).toBe(true);
    await back.waitFor('samples');
    const replayed = back.messages.filter((m) => m.event !== 'hello');
    expect(replayed[0]!.seq).toBe(resumeFrom.since + 1);
    expect(replayed.map((m) => m.seq)).toEqual(replayed.map((_, i) => resumeFrom.since + 1 + i));
    expect(replayed.at(-1)!.seq).toBeGreaterThanOrEqual(until);
    const incidents = replayed.flatMap((m) => (m.event === 'incident' ? [m.payload.incident.id] : []));
    expect(incidents).toEqual(expect.arrayContaining(missed));
    expect(back.events('resync')).toEqual([]);
  });

  it('tells a client to resync when it resumes from another instance or from the future', async () => {
    const other = await connect(bearer(), { since: 3, instance: 'some-old-instance:1234' });
    expect((await other.waitFor('resync')).payload.reason).toBe('instance_changed');
    expect(other.events('hello')[0]!.payload.resumed).toBe(false);
    const ahead = await connect(bearer(), { since: app.live.lastSeq + 100, instance: app.live.instance });
    expect((await ahead.waitFor('resync')).payload.reason).toBe('ahead');
    // After the resync it streams on.
    await app.post(host.token, json(makeBatch()));
    await ahead.waitFor('samples');
  });
});

describe('live stream in team mode: two instances on one PostgreSQL + Redis', () => {
  let target: StoreTarget;
  let one: TestApp;
  let two: TestApp;
  const prefix = randomPrefix();
  let client: LiveClient | undefined;

  beforeAll(async () => {
    target = postgresTarget();
    one = await startTestApp(target, { redis: { url: REDIS_URL, prefix } });
    two = await startTestApp(target, { redis: { url: REDIS_URL, prefix } });
  });
  afterAll(async () => {
    await client?.close();
    await two?.stop();
    await one?.stop();
    await target?.cleanup();
    await deleteKeys(prefix);
  });

  it("delivers an event on instance 1's bus to a client of instance 2", async () => {
    // The second instance signed in with the owner the first one created.
    client = await LiveClient.connect(two.url, { authorization: `Bearer ${two.owner.apiToken}` });
    await client.waitFor('hello');
    const host = await one.addHost('team-live-1');
    expect((await one.post(host.token, json(makeBatch({ series: 1 })))).status).toBe(200);
    const samples = await client.waitFor('samples', (m) => m.payload.hostId === host.id);
    expect(samples.instance).toBe(two.live.instance);
    const opened = await one.api('POST', '/api/v1/incidents/test', { title: 'from instance one' });
    await client.waitFor('incident', (m) => m.payload.incident.id === opened.body.incident.id);
    expect(one.live.instance).not.toBe(two.live.instance);
  });
});

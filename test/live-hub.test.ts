// The live hub's resume rule at its edges, with a small buffer: a gap older than the buffer means
// 'resync', a gap inside it is replayed exactly; a payload off its schema is dropped, not stamped.
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHub, liveRoutes, liveTopic } from '../core/api/live.js';
import type { Principal } from '../core/auth/service.js';
import { MemoryCoordination } from '../core/bus/memory/coordination.js';
import { LiveClient } from './helpers/live.js';
import { waitFor } from './helpers/processes.js';

describe('live hub with a buffer of 3', () => {
  const coordination = new MemoryCoordination({});
  const hub = new LiveHub({ coordination, log: pino({ level: 'silent' }), instanceId: 'test', bufferSize: 3 });
  let server: FastifyInstance;
  let url: string;
  let watcher: LiveClient;
  const principal = {
    user: { id: 'u', name: 'u', role: 'owner', createdAt: 0 },
    via: 'token',
    csrfToken: null,
    expiresAt: null,
  } as Principal;

  beforeAll(async () => {
    await hub.start();
    server = Fastify();
    await server.register(liveRoutes(hub, async () => principal));
    url = await server.listen({ host: '127.0.0.1', port: 0 });
    // Samples are only listened to while some client is attached: this one stays for the whole suite.
    watcher = await LiveClient.connect(url, {});
    await watcher.waitFor('hello');
    await waitFor('samples listened to', async () => (await coordination.publish(liveTopic('samples'), { probe: true })) > 0); // off its schema: not stamped
    for (let i = 1; i <= 6; i++) await coordination.publish(liveTopic('samples'), { hostId: `h${i}`, values: [] });
    await coordination.publish(liveTopic('samples'), { hostId: 42 }); // off its schema
    await waitFor('six events stamped', () => hub.lastSeq === 6);
  });
  afterAll(async () => {
    await watcher.close();
    await hub.stop();
    await server.close();
    await coordination.close();
  });

  it('replays a gap the buffer still holds, exactly', async () => {
    const c = await LiveClient.connect(url, {}, { since: 3, instance: hub.instance });
    await waitFor('three replayed', () => c.events('samples').length === 3);
    expect(c.events('samples').map((m) => [m.seq, m.payload.hostId])).toEqual([
      [4, 'h4'],
      [5, 'h5'],
      [6, 'h6'],
    ]);
    expect(c.events('hello')[0]!.payload).toEqual({ resumed: true, bufferFrom: 4 });
    await c.close();
  });

  it("streams the deployer's progress from its own topic", async () => {
    const c = await LiveClient.connect(url, {});
    await c.waitFor('hello');
    const progress = { runId: 'run_1', serverId: 'srv_1', host: 'db-1', step: 'upload', percent: 40, at: 1 };
    await coordination.publish(liveTopic('deploy.progress'), progress);
    expect((await c.waitFor('deploy.progress')).payload).toEqual(progress);
    await c.close();
  });

  it('asks for a resync when the gap is older than the buffer', async () => {
    const c = await LiveClient.connect(url, {}, { since: 2, instance: hub.instance });
    expect((await c.waitFor('resync')).payload.reason).toBe('too_old');
    expect(c.events('samples')).toEqual([]);
    await coordination.publish(liveTopic('samples'), { hostId: 'h7', values: [] });
    // 8 (after the deploy event), not 9: the payload off its schema was dropped, not stamped.
    expect((await c.waitFor('samples')).seq).toBe(8);
    await c.close();
  });

  it('asks a client to resync when it resumes from before a time nobody listened to samples', async () => {
    const lone = new MemoryCoordination({});
    const solo = new LiveHub({ coordination: lone, log: pino({ level: 'silent' }), instanceId: 'solo' });
    await solo.start();
    const app = Fastify();
    await app.register(liveRoutes(solo, async () => principal));
    const at = await app.listen({ host: '127.0.0.1', port: 0 });
    const first = await LiveClient.connect(at, {});
    await first.waitFor('hello');
    await waitFor('samples listened to', async () => (await lone.publish(liveTopic('samples'), { hostId: 'h1', values: [] })) > 0);
    const seq = (await first.waitFor('samples')).seq;
    await first.close();
    await waitFor(
      'samples no longer listened to',
      async () => (await lone.publish(liveTopic('samples'), { hostId: 'h2', values: [] })) === 0,
    );
    const back = await LiveClient.connect(at, {}, { since: seq, instance: solo.instance });
    expect((await back.waitFor('resync')).payload.reason).toBe('too_old');
    await back.close();
    await solo.stop();
    await app.close();
    await lone.close();
  });
});

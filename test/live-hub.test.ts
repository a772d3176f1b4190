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
    for (let i = 1; i <= 6; i++) await coordination.publish(liveTopic('samples'), { hostId: `h${i}`, values: [] });
    await coordination.publish(liveTopic('samples'), { hostId: 42 }); // off its schema
    await waitFor('six events stamped', () => hub.lastSeq === 6);
  });
  afterAll(async () => {
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
});

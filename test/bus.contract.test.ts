// One suite, every backend: the same coordination scenarios in-process and against Redis. Redis tests
// use a random key prefix and delete their keys afterwards; they never FLUSHALL the shared server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCoordination } from '../core/bus/index.js';
import type { BusLog, Coordination, ScheduledItem } from '../core/bus/types.js';
import { REDIS_URL } from './helpers/stores.js';
import { deleteKeys, randomPrefix, withAdmin } from './helpers/redis.js';

interface BusTarget {
  name: 'memory' | 'redis';
  /** Redis: another instance on the same prefix (they coordinate). Memory: an independent instance. */
  open(opts?: { log?: BusLog }): Promise<Coordination>;
  /** Simulates a Redis restart with empty data: every key of this run's prefix disappears. Returns how many. */
  wipe(): Promise<number>;
  /** Ids of this target's Redis connections, to cut them. */
  clientIds(): Promise<string[]>;
  cleanup(): Promise<void>;
}

function memoryTarget(): BusTarget {
  const opened: Coordination[] = [];
  return {
    name: 'memory',
    open: async (opts) => track(opened, await openCoordination({ log: opts?.log })),
    wipe: async () => 0,
    clientIds: async () => [],
    cleanup: async () => void (await Promise.all(opened.map((c) => c.close()))),
  };
}

function redisTarget(): BusTarget {
  const prefix = randomPrefix();
  const opened: Coordination[] = [];
  return {
    name: 'redis',
    open: async (opts) => track(opened, await openCoordination({ redisUrl: REDIS_URL, prefix, log: opts?.log })),
    wipe: () => deleteKeys(prefix),
    clientIds: () => clientIdsNamed(prefix),
    cleanup: async () => {
      await Promise.all(opened.map((c) => c.close()));
      await deleteKeys(prefix);
    },
  };
}

function track(opened: Coordination[], c: Coordination): Coordination {
  opened.push(c);
  return c;
}

async function clientIdsNamed(prefix: string): Promise<string[]> {
  const list = await withAdmin((admin) => admin.client('LIST') as Promise<string>);
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${prefix}`))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

function inbox() {
  const got: unknown[] = [];
  return {
    got,
    handler: (payload: unknown) => void got.push(payload),
    until: (n: number) => vi.waitFor(() => expect(got).toHaveLength(n), { timeout: 5_000, interval: 5 }),
  };
}

function recordingLog() {
  const entries: { level: string; obj: object; msg: string }[] = [];
  const log: BusLog = {
    warn: (obj, msg) => void entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void entries.push({ level: 'error', obj, msg }),
  };
  return { log, entries };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

describe.each([memoryTarget, redisTarget].map((t) => [t().name, t] as const))('coordination contract: %s', (name, makeTarget) => {
  let target: BusTarget;
  let a: Coordination;
  /** Redis: a second instance sharing a's backend. Memory: a itself, since instances share nothing. */
  let peer: Coordination;
  beforeEach(async () => {
    target = makeTarget();
    a = await target.open();
    peer = name === 'redis' ? await target.open() : a;
  });
  afterEach(async () => {
    await target.cleanup();
  });

  describe('pub/sub', () => {
    it('delivers a payload to every subscriber of its topic, never inside publish', async () => {
      expect(a.kind).toBe(name);
      const one = inbox();
      const two = inbox();
      const elsewhere = inbox();
      await a.subscribe('incidents', one.handler);
      await a.subscribe('incidents', two.handler);
      await a.subscribe('hosts', elsewhere.handler);
      const sent = a.publish('incidents', { id: 'i-1' });
      expect(one.got).toEqual([]); // delivery is asynchronous: publish never runs handlers re-entrantly
      await sent;
      await a.publish('incidents', { id: 'i-2' });
      await Promise.all([one.until(2), two.until(2)]);
      expect(one.got).toEqual([{ id: 'i-1' }, { id: 'i-2' }]);
      expect(two.got).toEqual(one.got);
      expect(elsewhere.got).toEqual([]);
    });

    it.runIf(name === 'redis')('delivers across instances sharing a backend', async () => {
      const atA = inbox();
      const atPeer = inbox();
      await a.subscribe('incidents', atA.handler);
      await peer.subscribe('incidents', atPeer.handler);
      await peer.publish('incidents', { from: 'peer' });
      await a.publish('incidents', { from: 'a' });
      await Promise.all([atA.until(2), atPeer.until(2)]);
      expect(atA.got).toEqual([{ from: 'peer' }, { from: 'a' }]);
      expect(atPeer.got).toEqual(atA.got);
    });

    it.runIf(name === 'memory')('keeps separate instances separate', async () => {
      const other = await target.open();
      const got = inbox();
      await other.subscribe('incidents', got.handler);
      await other.schedule.add([{ id: 't', dueAt: T0 }]);
      expect(await other.tryAcquire('fp', 10_000)).toBe(true);
      await a.publish('incidents', 'not for other');
      await other.publish('incidents', 'for other');
      await got.until(1);
      expect(got.got).toEqual(['for other']);
      expect(await a.schedule.size()).toBe(0);
      expect(await a.tryAcquire('fp', 10_000)).toBe(true);
    });

    it('stops delivering after unsubscribe, and subscribes again', async () => {
      const gone = inbox();
      const stays = inbox();
      const unsubscribeGone = await a.subscribe('t', gone.handler);
      const unsubscribeStays = await a.subscribe('t', stays.handler);
      await unsubscribeGone();
      await unsubscribeGone(); // idempotent
      await peer.publish('t', 1);
      await stays.until(1); // one connection delivers in order: had `gone` been called, it would be by now
      expect(gone.got).toEqual([]);

      await unsubscribeStays();
      const later = inbox();
      await a.subscribe('t', later.handler);
      await peer.publish('t', 2);
      await later.until(1);
      expect(later.got).toEqual([2]);
      expect(stays.got).toEqual([1]);
    });

    it('hands each handler its own copy, taken when publish is called', async () => {
      const payload = { list: [1], at: new Date(0) };
      const mutates = (p: unknown) => void (p as { list: number[] }).list.push(99);
      const reads = inbox();
      await a.subscribe('t', mutates);
      await a.subscribe('t', reads.handler);
      const sent = peer.publish('t', payload);
      payload.list.push(2); // after publish: subscribers must not see it
      await sent;
      await reads.until(1);
      expect(reads.got).toEqual([{ list: [1], at: '1970-01-01T00:00:00.000Z' }]); // JSON semantics in both modes
      expect(payload.list).toEqual([1, 2]);
    });

    it('rejects payloads JSON cannot carry', async () => {
      await expect(a.publish('t', undefined)).rejects.toThrow(TypeError);
      await expect(a.publish('t', { n: 1n })).rejects.toThrow(TypeError);
    });

    it('keeps delivering to the others when a handler throws, and logs it', async () => {
      const { log, entries } = recordingLog();
      const c = await target.open({ log });
      const got = inbox();
      await c.subscribe('t', () => {
        throw new Error('handler bug');
      });
      await c.subscribe('t', got.handler);
      await c.publish('t', 'x');
      await got.until(1);
      expect(entries).toMatchObject([{ level: 'error', obj: { err: { message: 'handler bug' } } }]);
    });
  });

  describe('takeOver', () => {
    it('says when a key was last handled by someone else or by nobody known', async () => {
      expect(await a.takeOver('host-1', 10_000)).toBe(true); // never handled
      expect(await a.takeOver('host-1', 10_000)).toBe(false); // handled here last
      expect(await a.takeOver('host-2', 10_000)).toBe(true); // keys are independent
      if (peer !== a) {
        expect(await peer.takeOver('host-1', 10_000)).toBe(true);
        expect(await a.takeOver('host-1', 10_000)).toBe(true);
        expect(await a.takeOver('host-1', 10_000)).toBe(false);
      }
      await expect(a.takeOver('host-1', 0)).rejects.toThrow(/positive/);
    });
  });

  describe('guards', () => {
    it('grants a key to one caller until it is released', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : peer).tryAcquire('fp-1', 10_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await peer.tryAcquire('fp-1', 10_000)).toBe(false);
      expect(await a.tryAcquire('fp-2', 10_000)).toBe(true); // other keys are independent

      const holder = results.indexOf(true) % 2 ? a : peer;
      await holder.release('fp-1');
      expect(await peer.tryAcquire('fp-1', 10_000)).toBe(true);
      await a.release('never-held'); // harmless
    });

    it('frees a key when its ttl passes', async () => {
      // A ttl long enough that a loaded CI machine cannot let it lapse between the first two calls.
      expect(await a.tryAcquire('fp', 600)).toBe(true);
      expect(await peer.tryAcquire('fp', 600)).toBe(false);
      await sleep(800);
      expect(await peer.tryAcquire('fp', 600)).toBe(true);
    });

    it.runIf(name === 'redis')('never frees a guard that another instance took after ours expired', async () => {
      expect(await a.tryAcquire('fp', 50)).toBe(true);
      await sleep(120);
      expect(await peer.tryAcquire('fp', 10_000)).toBe(true);
      await a.release('fp'); // a late release from the first holder
      expect(await a.tryAcquire('fp', 10_000)).toBe(false);
    });

    it('rejects a ttl that is not positive', async () => {
      await expect(a.tryAcquire('fp', 0)).rejects.toThrow(RangeError);
      await expect(a.tryAcquire('fp', Number.NaN)).rejects.toThrow(RangeError);
    });
  });

  describe('schedule', () => {
    it('adds, updates and removes timers', async () => {
      const s = a.schedule;
      expect(await s.nextDue()).toBeNull();
      await s.add([]);
      await s.add([
        { id: 'a', dueAt: T0 + 300 },
        { id: 'b', dueAt: T0 + 100 },
        { id: 'c', dueAt: T0 + 200 },
      ]);
      expect(await s.size()).toBe(3);
      expect(await peer.schedule.nextDue()).toBe(T0 + 100);
      await peer.schedule.add([
        { id: 'b', dueAt: T0 + 400 }, // re-adding moves the timer
        { id: 'a', dueAt: T0 + 300 }, // and the same twice is a no-op
      ]);
      expect(await s.size()).toBe(3);
      expect(await s.nextDue()).toBe(T0 + 200);
      await s.remove(['c', 'missing']);
      await s.remove([]);
      expect(await s.size()).toBe(2);
      expect(await s.takeDue(T0 + 1_000, 10)).toEqual([
        { id: 'a', dueAt: T0 + 300 },
        { id: 'b', dueAt: T0 + 400 },
      ]);
      expect(await s.size()).toBe(0);
      expect(await s.nextDue()).toBeNull();
    });

    it('takes due timers in (dueAt, id) order, up to the limit, and only once', async () => {
      const s = a.schedule;
      await s.add([
        { id: 'late', dueAt: T0 + 5_000 },
        { id: 'tie-b', dueAt: T0 + 1_000 },
        { id: 'first', dueAt: T0 },
        { id: 'tie-a', dueAt: T0 + 1_000 },
        { id: 'fraction', dueAt: T0 + 2_000.5 },
      ]);
      expect(await s.takeDue(T0 - 1, 10)).toEqual([]);
      expect(await s.takeDue(T0 + 1_000, 2)).toEqual([
        { id: 'first', dueAt: T0 },
        { id: 'tie-a', dueAt: T0 + 1_000 },
      ]);
      expect(await peer.schedule.takeDue(T0 + 2_000.5, 10)).toEqual([
        { id: 'tie-b', dueAt: T0 + 1_000 },
        { id: 'fraction', dueAt: T0 + 2_000.5 }, // due exactly at `now` counts
      ]);
      expect(await s.takeDue(T0 + 3_000, 10)).toEqual([]);
      expect(await s.takeDue(Infinity, 0)).toEqual([]);
      expect(await s.nextDue()).toBe(T0 + 5_000);
      expect(await s.takeDue(Infinity, 10)).toEqual([{ id: 'late', dueAt: T0 + 5_000 }]);
    });

    it('hands each due id to exactly one of many concurrent takers', async () => {
      const ids = Array.from({ length: 2_000 }, (_, i) => `timer-${i}`);
      await a.schedule.add(ids.map((id, i) => ({ id, dueAt: T0 + (i % 97) })));
      await a.schedule.add([{ id: 'future', dueAt: T0 + 60_000 }]);
      const taker = async (c: Coordination): Promise<string[]> => {
        const mine: string[] = [];
        for (;;) {
          const batch = await c.schedule.takeDue(T0 + 1_000, 37);
          if (batch.length === 0) return mine;
          mine.push(...batch.map((t) => t.id));
        }
      };
      const taken = (await Promise.all(Array.from({ length: 20 }, (_, i) => taker(i % 2 ? a : peer)))).flat();
      expect(taken).toHaveLength(ids.length);
      expect(new Set(taken).size).toBe(ids.length);
      expect([...taken].sort()).toEqual([...ids].sort());
      expect(await a.schedule.size()).toBe(1);
    });

    it('keeps ten thousand timers in order', async () => {
      const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `t-${i}`, dueAt: T0 + Math.floor(Math.random() * 3_600_000) }));
      await a.schedule.add(items);
      await a.schedule.remove(items.slice(0, 1_000).map((t) => t.id));
      expect(await a.schedule.size()).toBe(9_000);
      const taken: ScheduledItem[] = [];
      for (let batch; (batch = await a.schedule.takeDue(T0 + 3_600_000, 500)).length > 0;) taken.push(...batch);
      expect(taken).toHaveLength(9_000);
      expect(taken.every((t, i) => i === 0 || taken[i - 1]!.dueAt <= t.dueAt)).toBe(true);
    });

    it('rejects malformed timers and takes', async () => {
      await expect(a.schedule.add([{ id: 'x', dueAt: Number.NaN }])).rejects.toThrow(RangeError);
      await expect(a.schedule.takeDue(T0, -1)).rejects.toThrow(RangeError);
      expect(await a.schedule.size()).toBe(0);
    });
  });

  it('rejects calls after close, and closes twice without harm', async () => {
    const c = await target.open();
    await c.close();
    await c.close();
    await expect(c.publish('t', 1)).rejects.toThrow(/closed/);
    await expect(c.schedule.size()).rejects.toThrow(/closed/);
  });

  describe.runIf(name === 'redis')('when Redis loses its data or its connections', () => {
    it('keeps working after a restart with empty data', async () => {
      const got = inbox();
      await a.subscribe('t', got.handler);
      await a.schedule.add([{ id: 'x', dueAt: T0 }]);
      expect(await a.tryAcquire('fp', 60_000)).toBe(true);

      expect(await target.wipe()).toBe(2); // the schedule and the guard
      expect(await a.schedule.size()).toBe(0);
      expect(await a.schedule.nextDue()).toBeNull();
      expect(await peer.tryAcquire('fp', 60_000)).toBe(true); // guards are simply gone
      await peer.publish('t', 'still here');
      await got.until(1);
      await a.schedule.add([{ id: 'x', dueAt: T0 }]); // the engine re-adds from the database
      expect(await peer.schedule.takeDue(T0, 10)).toEqual([{ id: 'x', dueAt: T0 }]);
    });

    it('reconnects and resubscribes after its connections are cut', async () => {
      const got = inbox();
      await a.subscribe('t', got.handler);
      const ids = await target.clientIds();
      expect(ids.length).toBeGreaterThanOrEqual(4); // a and peer: a command and a subscriber connection each
      await withAdmin(async (admin) => {
        for (const id of ids) await admin.client('KILL', 'ID', id);
      });
      // Messages published while the subscriber is away are lost (at-most-once); keep sending until one lands.
      await vi.waitFor(
        async () => {
          await peer.publish('t', 'after');
          expect(got.got).toContain('after');
        },
        { timeout: 10_000, interval: 50 },
      );
      await a.schedule.add([{ id: 'y', dueAt: T0 }]);
      expect(await peer.schedule.size()).toBe(1);
    });

    it('never meets an instance on another prefix', async () => {
      const prefix = randomPrefix();
      const other = await openCoordination({ redisUrl: REDIS_URL, prefix });
      try {
        const got = inbox();
        await a.subscribe('t', got.handler);
        await other.publish('t', 'other prefix');
        await other.schedule.add([{ id: 'x', dueAt: T0 }]);
        expect(await other.tryAcquire('fp', 10_000)).toBe(true);
        expect(await a.tryAcquire('fp', 10_000)).toBe(true);
        expect(await a.schedule.size()).toBe(0);
        await peer.publish('t', 'same prefix');
        await got.until(1);
        expect(got.got).toEqual(['same prefix']);
      } finally {
        await other.close();
        await deleteKeys(prefix);
      }
    });
  });
});

// The live client's logic with a fake socket and a manual clock: reconnect with backoff, resume from
// the last seq, and ask for a refetch whenever events may have been missed.
import { describe, expect, it } from 'vitest';
import { backoffDelay, LiveConnection, type LiveEvent, type SocketLike } from './connection.js';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  send(seq: number, instance: string, event: string, payload: unknown) {
    this.onmessage?.({ data: JSON.stringify({ seq, instance, event, payload }) });
  }
  drop(code = 1006) {
    this.onerror?.({});
    this.onclose?.({ code });
  }
  close() {
    this.closed = true;
  }
}

const host = (id: string) => ({ hostId: id, name: id, status: 'up', lastSeenAt: 1, agentVersion: '0.1.0' });

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: LiveEvent[] = [];
  const resyncs: string[] = [];
  const states: string[] = [];
  const errors: string[] = [];
  const unauthorized: number[] = [];
  const conn = new LiveConnection({
    baseUrl: 'ws://wt:7800',
    open: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    onEvent: (e) => events.push(e),
    onResync: (r) => resyncs.push(r),
    onState: (s) => states.push(s),
    onError: (e) => errors.push(e.message),
    onUnauthorized: () => unauthorized.push(1),
    random: () => 0.5,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  const fire = () => timers.shift()!.fn();
  return { conn, sockets, timers, events, resyncs, states, errors, unauthorized, fire, last: () => sockets[sockets.length - 1]! };
}

describe('LiveConnection', () => {
  it('connects without a resume point, then resumes from the last seq it saw', () => {
    const t = setup();
    t.conn.start();
    expect(t.last().url).toBe('ws://wt:7800/api/v1/live');
    t.last().send(7, 'i1', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().send(8, 'i1', 'host', host('a'));
    t.last().send(9, 'i1', 'host', host('b'));
    expect(t.events.map((e) => e.seq)).toEqual([8, 9]);
    expect(t.states).toEqual(['connecting', 'open']);
    t.last().drop();
    expect(t.states.at(-1)).toBe('reconnecting');
    t.fire();
    expect(t.last().url).toBe('ws://wt:7800/api/v1/live?since=9&instance=i1');
    t.last().send(11, 'i1', 'hello', { resumed: true, bufferFrom: 1 });
    t.last().send(10, 'i1', 'host', host('c')); // the replay of what was missed
    expect(t.events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(t.resyncs).toEqual([]);
    t.last().send(12, 'i1', 'host', host('d')); // 11 never came: shown, but the page must refetch
    expect(t.events.map((e) => e.seq)).toEqual([8, 9, 10, 12]);
    expect(t.resyncs).toEqual(['gap']);
  });

  it('backs off exponentially while the server is away, and starts over once connected', () => {
    const t = setup();
    t.conn.start();
    for (let i = 0; i < 7; i++) {
      t.last().drop();
      t.fire();
    }
    t.last().drop();
    expect(t.timers.map((x) => x.ms)).toEqual([15_000]);
    const delays = [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 500, 15_000, () => 0.5));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    t.fire();
    t.last().send(1, 'i1', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().drop();
    expect(t.timers.map((x) => x.ms)).toEqual([500]);
  });

  it('asks for a refetch on resync and continues from its seq', () => {
    const t = setup();
    t.conn.start();
    t.last().send(3, 'i1', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().drop();
    t.fire();
    t.last().send(0, 'i2', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().send(0, 'i2', 'resync', { reason: 'instance_changed' });
    t.last().send(1, 'i2', 'host', host('a'));
    expect(t.resyncs).toEqual(['reconnected', 'instance_changed']);
    expect(t.events.map((e) => [e.seq, e.event])).toEqual([[1, 'host']]);
    expect(t.conn.url()).toBe('ws://wt:7800/api/v1/live?since=1&instance=i2');
  });

  it('skips a message off the contract without losing the stream, and drops duplicates', () => {
    const t = setup();
    t.conn.start();
    t.last().send(1, 'i1', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().send(2, 'i1', 'host', { hostId: 'a' });
    t.last().send(2, 'i1', 'no.such.event', {});
    t.last().send(2, 'i1', 'host', host('a'));
    t.last().send(2, 'i1', 'host', host('a'));
    expect(t.events).toHaveLength(1);
    expect(t.errors).toHaveLength(2);
    expect(t.errors[1]).toMatch(/unknown live event "no.such.event"/);
  });

  it('reports a close for an ended session, and keeps trying (a new sign-in brings it back)', () => {
    const t = setup();
    t.conn.start();
    t.last().send(1, 'i1', 'hello', { resumed: false, bufferFrom: 1 });
    t.last().drop();
    expect(t.unauthorized).toHaveLength(0);
    t.fire();
    t.last().drop(4401);
    expect(t.unauthorized).toHaveLength(1);
    expect(t.timers).toHaveLength(1);
  });

  it('stops for good: no reconnect after stop()', () => {
    const t = setup();
    t.conn.start();
    const s = t.last();
    t.conn.stop();
    expect(s.closed).toBe(true);
    s.drop();
    expect(t.timers).toHaveLength(0);
    expect(t.states.at(-1)).toBe('closed');
  });
});

import { describe, expect, it } from 'vitest';
import { createBatcher, type BatcherClock } from './batcher.js';

function manualClock() {
  let t = 0;
  const timers = new Map<number, { fn: () => void; at: number }>();
  const frames = new Map<number, () => void>();
  let id = 0;
  const clock: BatcherClock = {
    now: () => t,
    setTimer: (fn, ms) => (timers.set(++id, { fn, at: t + ms }), id),
    clearTimer: (x) => void timers.delete(x as number),
    frame: (fn) => (frames.set(++id, fn), id),
    cancelFrame: (x) => void frames.delete(x as number),
  };
  const advance = (ms: number) => {
    t += ms;
    for (const [k, v] of [...timers].sort((a, b) => a[1].at - b[1].at))
      if (v.at <= t && timers.has(k)) {
        timers.delete(k);
        v.fn();
      }
  };
  const paint = () => {
    const fs = [...frames.values()];
    frames.clear();
    fs.forEach((f) => f());
  };
  return { clock, advance, paint };
}

describe('live event batching', () => {
  it('applies a lone event on the next tick', () => {
    const c = manualClock();
    const batches: number[][] = [];
    const b = createBatcher<number>((x) => batches.push(x), c.clock);
    b.push(1);
    expect(batches).toEqual([]);
    c.advance(0);
    expect(batches).toEqual([[1]]);
  });

  it('groups a burst per frame, and falls back to a timer without frames', () => {
    const c = manualClock();
    const batches: number[][] = [];
    const b = createBatcher<number>((x) => batches.push(x), c.clock);
    b.push(0);
    c.advance(0);
    for (let i = 1; i <= 500; i++) b.push(i); // right after a flush: a burst
    c.paint();
    expect(batches.map((x) => x.length)).toEqual([1, 500]);
    b.push(501);
    b.push(502);
    c.advance(99);
    expect(batches).toHaveLength(2); // no frame (hidden tab): waits for the timer…
    c.advance(1);
    expect(batches[2]).toEqual([501, 502]); // …which comes within 100 ms
    c.advance(1000);
    b.push(503); // quiet again: at once
    c.advance(0);
    expect(batches[3]).toEqual([503]);
  });

  it('drops what is queued when stopped', () => {
    const c = manualClock();
    const batches: number[][] = [];
    const b = createBatcher<number>((x) => batches.push(x), c.clock);
    b.push(1);
    b.stop();
    c.advance(200);
    c.paint();
    expect(batches).toEqual([]);
  });
});

// When to apply queued live events. A lone event is applied right away; in a burst (a fleet going
// down, a deploy to many servers) events are applied once per frame, so the burst costs a few
// renders, not one per message. A hidden tab has no frames, so a timer backs the frame up.
export interface BatcherClock {
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (t: unknown) => void;
  frame: (fn: () => void) => unknown;
  cancelFrame: (f: unknown) => void;
}

export const browserClock: BatcherClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  frame: (fn) => requestAnimationFrame(fn),
  cancelFrame: (f) => cancelAnimationFrame(f as number),
};

/** Within this long after a flush, the next events wait for a frame. */
export const BURST_MS = 50;
/** The longest a queued event waits when no frame comes (hidden tab). */
export const MAX_WAIT_MS = 100;

export function createBatcher<T>(apply: (batch: T[]) => void, clock: BatcherClock = browserClock) {
  let queue: T[] = [];
  let frame: unknown = null;
  let timer: unknown = null;
  let lastFlush = -Infinity;
  const flush = () => {
    if (frame !== null) clock.cancelFrame(frame);
    if (timer !== null) clock.clearTimer(timer);
    frame = timer = null;
    lastFlush = clock.now();
    const batch = queue;
    queue = [];
    if (batch.length) apply(batch);
  };
  return {
    push(item: T): void {
      queue.push(item);
      if (timer !== null) return;
      if (clock.now() - lastFlush > BURST_MS) {
        timer = clock.setTimer(flush, 0);
      } else {
        frame = clock.frame(flush);
        timer = clock.setTimer(flush, MAX_WAIT_MS);
      }
    },
    stop(): void {
      if (frame !== null) clock.cancelFrame(frame);
      if (timer !== null) clock.clearTimer(timer);
      frame = timer = null;
      queue = [];
    },
  };
}

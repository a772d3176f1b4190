import { closeSync, openSync, readSync } from 'node:fs';

// procfs files report size 0, so readFileSync reads them through fresh 64 KiB buffers (two per call);
// one shared buffer keeps a cycle's garbage down to the resulting strings.
let buf = Buffer.allocUnsafe(64 * 1024);

/** Reads a whole file (procfs or regular) as UTF-8. */
export function readText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      // seq_file hands out large files a page per read, so only a zero-byte read means the end.
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.toString('utf8', 0, len);
  } finally {
    closeSync(fd);
  }
}

/**
 * One read(2): for single-record procfs files (/proc/PID/stat) the kernel returns everything at once,
 * which saves the end-of-file read on the hottest path (one call per process per cycle).
 */
export function readSmallText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readTextAt0(fd);
  } finally {
    closeSync(fd);
  }
}

/** One read(2) from offset 0 of an open single-record file (also a kept /proc/PID/stat, again). */
export function readTextAt0(fd: number): string {
  return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
}

/** True for errors that mean "it is not there (any more)": a file absent, a process gone. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR';
}

/** readText, or undefined when the file does not exist. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readText(path);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Counters seen in the previous cycle per key, turned into per-second rates. */
export class CounterRates {
  private prev = new Map<string, readonly number[]>();
  private next = new Map<string, readonly number[]>();
  private dtSec = 0;
  private prevNow: number | undefined;

  /** Starts a cycle at `now` (ms). Rates come out only when time moved forward since the last cycle. */
  begin(now: number): void {
    this.dtSec = this.prevNow !== undefined && now > this.prevNow ? (now - this.prevNow) / 1000 : 0;
    this.prevNow = now;
    this.next.clear();
  }

  /**
   * Remembers `counters` for `key` and returns their per-second rates, or undefined on first sight,
   * on the first cycle, or when any counter went backwards (reboot, wrap, device replaced).
   */
  update(key: string, counters: readonly number[]): number[] | undefined {
    this.next.set(key, counters);
    const before = this.prev.get(key);
    if (before === undefined || this.dtSec === 0) return undefined;
    const out = new Array<number>(counters.length);
    for (let i = 0; i < counters.length; i++) {
      const d = (counters[i] ?? NaN) - (before[i] ?? NaN);
      const r = d / this.dtSec;
      if (!(d >= 0) || !Number.isFinite(r)) return undefined;
      out[i] = r;
    }
    return out;
  }

  /** Ends the cycle; keys not updated in it (vanished devices) are forgotten. */
  end(): void {
    const t = this.prev;
    this.prev = this.next;
    this.next = t;
  }
}

/** Appends a point unless its value is NaN or infinite, which the wire format rejects. */
export function pushFinite<T extends { value: number }>(out: T[], point: T): void {
  if (Number.isFinite(point.value)) out.push(point);
}

/** One labels object per series, reused across cycles and forgotten once the series disappears. */
export class LabelCache {
  private prev = new Map<string, Record<string, string>>();
  private next = new Map<string, Record<string, string>>();

  get(key: string, make: (key: string) => Record<string, string>): Record<string, string> {
    let l = this.next.get(key) ?? this.prev.get(key);
    if (!l) l = make(key);
    this.next.set(key, l);
    return l;
  }

  /** Ends a cycle: keys not asked for since the previous sweep are dropped. */
  sweep(): void {
    const t = this.prev;
    this.prev = this.next;
    this.next = t;
    this.next.clear();
  }
}

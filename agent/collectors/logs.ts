import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { AgentEvent } from '../../shared/protocol/v1.js';
import { LIMITS } from '../../shared/protocol/wire.js';

export interface LogTailerOptions {
  files: string[];
  /** Lines emitted per cycle over all files; the rest waits for the next cycle. Default 500. */
  maxLinesPerCycle?: number;
  /** Longer lines are cut (in bytes). Default 4096. */
  maxLineLength?: number;
  /** A file further behind than this skips to its end, so a log storm cannot leave us lagging forever. */
  maxBacklogBytes?: number;
  /** A file that exists but cannot be read; called when the error changes, not every cycle. */
  onError?: (file: string, err: unknown) => void;
}

/** Where reading stopped in one file, for the agent to persist across restarts. */
export interface LogPosition {
  file: string;
  ino: number;
  offset: number;
}

export interface LogTailer {
  collect(now: number): AgentEvent[];
  positions(): LogPosition[];
  /** Resumes from saved offsets where the file is still the same inode and not shorter. */
  restore(positions: readonly LogPosition[]): void;
  close(): void;
}

interface FileState {
  path: string;
  /** Kept open so lines written just before a rotation can still be read from the old inode. */
  fd: number | undefined;
  ino: number;
  dev: number;
  offset: number;
  /** Inside a line that was already emitted cut short: drop bytes up to its newline. */
  skipping: boolean;
  errorCode: string | undefined;
}

const CRITICAL = /\b(?:crit(?:ical)?|fatal|panic|emerg(?:ency)?)\b/i;
const ERROR = /\berr(?:or)?\b/i;
const WARNING = /\bwarn(?:ing)?\b/i;

export function guessLevel(line: string): AgentEvent['level'] {
  if (CRITICAL.test(line)) return 'critical';
  if (ERROR.test(line)) return 'error';
  if (WARNING.test(line)) return 'warning';
  return undefined;
}

const CHUNK = 64 * 1024;

export function createLogTailer(opts: LogTailerOptions): LogTailer {
  const maxLines = opts.maxLinesPerCycle ?? 500;
  const maxLen = Math.min(opts.maxLineLength ?? 4096, LIMITS.eventMessageLength, CHUNK);
  const maxBacklog = opts.maxBacklogBytes ?? 16 * 1024 * 1024;
  const buf = Buffer.allocUnsafe(CHUNK);
  const states: FileState[] = opts.files.map((path) => ({
    path,
    fd: undefined,
    ino: 0,
    dev: 0,
    offset: 0,
    skipping: false,
    errorCode: undefined,
  }));
  let first = 0; // rotates so one busy file cannot starve the others of the line budget

  function open(s: FileState, atEnd: boolean): void {
    const fd = openSync(s.path, 'r');
    const st = fstatSync(fd);
    // Reopening the inode we were reading (after a read error) resumes; any other file is new.
    const same = st.ino === s.ino && st.dev === s.dev && st.size >= s.offset;
    Object.assign(s, { fd, ino: st.ino, dev: st.dev, offset: atEnd ? st.size : same ? s.offset : 0 });
    if (!same) s.skipping = false;
  }

  function closeFd(s: FileState): void {
    if (s.fd !== undefined) closeSync(s.fd);
    s.fd = undefined;
  }

  /** Emits complete lines from s.offset on; `final` also emits a last line without newline. */
  function read(s: FileState, fd: number, now: number, out: AgentEvent[], budget: number, final: boolean): number {
    const emit = (start: number, end: number): void => {
      if (end > start && buf[end - 1] === 13) end--; // CRLF
      if (end === start) return;
      const message = buf.toString('utf8', start, Math.min(end, start + maxLen));
      const level = guessLevel(message);
      out.push(level ? { ts: now, kind: 'log', source: s.path, level, message } : { ts: now, kind: 'log', source: s.path, message });
      budget--;
    };
    while (budget > 0) {
      const n = readSync(fd, buf, 0, CHUNK, s.offset);
      if (n === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < n && budget > 0; nl = buf.indexOf(10, start)) {
        if (s.skipping) s.skipping = false;
        else emit(start, nl);
        start = nl + 1;
      }
      s.offset += start;
      if (budget === 0 || (start > 0 && n === CHUNK)) continue; // the loop test ends it, or read on
      const tail = n - start; // bytes of a line with no newline yet
      if (s.skipping) s.offset += tail;
      else if (final || tail >= maxLen) {
        // Cut now rather than re-reading an ever-growing line; `final` because the old file is done.
        emit(start, n);
        s.offset += tail;
        s.skipping = !final;
      }
      if (n < CHUNK) break; // else: a line longer than the buffer, keep skipping through it
    }
    return budget;
  }

  function pump(s: FileState, now: number, out: AgentEvent[], budget: number): number {
    let st;
    try {
      st = statSync(s.path, { throwIfNoEntry: false });
      if (s.fd !== undefined && (!st || st.ino !== s.ino || st.dev !== s.dev)) {
        // Rotated or removed: finish the old inode first (as far as the line budget allows).
        budget = read(s, s.fd, now, out, budget, true);
        closeFd(s);
        Object.assign(s, { ino: 0, offset: 0, skipping: false }); // a recreated file may reuse the inode number
      }
      if (!st) return budget;
      if (s.fd === undefined) open(s, false); // appeared since we last looked: all of it is new
      if (st.size < s.offset) Object.assign(s, { offset: 0, skipping: false }); // truncated in place
      if (st.size - s.offset > maxBacklog) {
        out.push({
          ts: now,
          kind: 'event',
          source: s.path,
          level: 'warning',
          message: `log tailer skipped ${st.size - s.offset} bytes to keep up`,
        });
        s.offset = st.size;
        // Landing mid-line, drop its rest; landing right after a newline, drop nothing.
        s.skipping = readSync(s.fd!, buf, 0, 1, st.size - 1) === 1 && buf[0] !== 10;
      }
      budget = read(s, s.fd!, now, out, budget, false);
      s.errorCode = undefined;
      return budget;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      if (code !== s.errorCode) opts.onError?.(s.path, err);
      s.errorCode = code;
      closeFd(s);
      return budget;
    }
  }

  for (const s of states) {
    try {
      open(s, true); // start at the end: no backlog flood on the first start
    } catch {
      // missing or unreadable now; collect() picks it up when it appears
    }
  }

  return {
    collect(now) {
      const out: AgentEvent[] = [];
      let budget = maxLines;
      for (let k = 0; k < states.length && budget > 0; k++) budget = pump(states[(first + k) % states.length]!, now, out, budget);
      first = states.length ? (first + 1) % states.length : 0;
      return out;
    },
    positions: () => states.filter((s) => s.fd !== undefined).map((s) => ({ file: s.path, ino: s.ino, offset: s.offset })),
    restore(positions) {
      for (const p of positions) {
        const s = states.find((x) => x.path === p.file);
        if (!s) continue;
        if (s.fd !== undefined && s.ino === p.ino) {
          if (p.offset <= fstatSync(s.fd).size) Object.assign(s, { offset: p.offset, skipping: false });
        } else if (s.fd !== undefined) s.offset = 0; // rotated while we were away: the new file is all new
      }
    },
    close: () => states.forEach(closeFd),
  };
}

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '../../shared/protocol/v1.js';
import { LIMITS } from '../../shared/protocol/wire.js';
import type { CollectorContext } from './types.js';
import { isGone, readSmallText, readTextIfExists } from './util.js';

export interface PidStat {
  pid: number;
  comm: string;
  /** utime + stime, in clock ticks, all threads included. */
  ticks: number;
  rssPages: number;
  /** Clock ticks after boot; tells a reused pid from the process that had it before. */
  startTime: number;
}

/** Digits of text[from, to) as a number, NaN if anything else is there; avoids a substring per field. */
function digits(text: string, from: number, to: number): number {
  if (to <= from) return NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** /proc/PID/stat. comm may hold spaces and parentheses, so it ends at the last ')'. */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  let utime = NaN,
    stime = NaN,
    startTime = NaN,
    rssPages = NaN;
  // Field 3 (state) starts two characters after ')'; we need 14 utime, 15 stime, 22 starttime, 24 rss.
  for (let field = 3, i = close + 2; field <= 24 && i < text.length; field++) {
    let j = text.indexOf(' ', i);
    if (j < 0) j = text.length;
    if (field === 14) utime = digits(text, i, j);
    else if (field === 15) stime = digits(text, i, j);
    else if (field === 22) startTime = digits(text, i, j);
    else if (field === 24) rssPages = digits(text, i, j);
    i = j + 1;
  }
  const pid = digits(text, 0, open - 1);
  const ticks = utime + stime;
  if (!Number.isFinite(pid) || !Number.isFinite(ticks) || !Number.isFinite(rssPages)) return undefined;
  return { pid, comm: text.slice(open + 1, close), ticks, rssPages, startTime };
}

export interface ProcessCollectorOptions {
  /** How many processes by CPU and how many by memory (the union is sent). Default 10. */
  top?: number;
  /** USER_HZ; 100 on every mainstream architecture. */
  clockTicks?: number;
  pageSize?: number;
  /** Resolve user names (one stat per reported process plus /etc/passwd). Default true. */
  users?: boolean;
}

export interface ProcessCollector {
  /** The top processes; empty on the first call, which only records the CPU counters. */
  collect(ctx: CollectorContext): ProcessInfo[];
}

interface Seen {
  ticks: number;
  startTime: number;
}

export function createProcessCollector(opts: ProcessCollectorOptions = {}): ProcessCollector {
  // Both lists together must fit in one batch.
  const top = Math.max(1, Math.min(opts.top ?? 10, Math.floor(LIMITS.processesPerBatch / 2)));
  const hz = opts.clockTicks ?? 100;
  const pageSize = opts.pageSize ?? 4096;
  const users = opts.users ?? true;
  let prev = new Map<number, Seen>();
  let next = new Map<number, Seen>();
  let prevNow: number | undefined;
  let passwd: Map<number, string> | undefined;
  let passwdFresh = false; // reloaded this cycle: an unknown uid then stays numeric until the next

  function userOf(ctx: CollectorContext, pid: number): string | undefined {
    try {
      // /proc/PID is owned by the process's effective uid: cheaper than parsing /proc/PID/status.
      const uid = statSync(join(ctx.procRoot, String(pid))).uid;
      if (!passwd || (!passwd.has(uid) && !passwdFresh)) {
        passwd = parsePasswd(readTextIfExists(join(ctx.rootfs || '/', 'etc', 'passwd')) ?? '');
        passwdFresh = true;
      }
      return passwd.get(uid) ?? String(uid);
    } catch {
      return undefined; // exited meanwhile
    }
  }

  return {
    collect(ctx) {
      const dtSec = prevNow !== undefined && ctx.now > prevNow ? (ctx.now - prevNow) / 1000 : 0;
      const firstScan = prevNow === undefined;
      prevNow = ctx.now;
      next.clear();
      const rows: ProcessInfo[] = [];
      for (const name of readdirSync(ctx.procRoot)) {
        const c = name.charCodeAt(0);
        if (c < 48 || c > 57) continue;
        let s: PidStat | undefined;
        try {
          s = parsePidStat(readSmallText(`${ctx.procRoot}/${name}/stat`)); // join() costs more than the parse
        } catch (err) {
          // Exited between readdir and read, or hidden from us (hidepid=1 lists but denies).
          const code = (err as NodeJS.ErrnoException).code;
          if (isGone(err) || code === 'EACCES' || code === 'EPERM') continue;
          throw err;
        }
        if (!s) continue;
        const before = prev.get(s.pid);
        // A pid absent from the previous scan started after it, so all its ticks fall in this interval.
        const delta = before && before.startTime === s.startTime ? s.ticks - before.ticks : s.ticks;
        if (before) {
          before.ticks = s.ticks;
          before.startTime = s.startTime;
          next.set(s.pid, before);
        } else next.set(s.pid, { ticks: s.ticks, startTime: s.startTime });
        if (firstScan || dtSec === 0) continue;
        const cpu = delta > 0 ? (delta / hz / dtSec) * 100 : 0; // 100 = one core, as top shows it
        rows.push({ pid: s.pid, name: s.comm, cpuPercent: Math.round(cpu * 100) / 100, memBytes: s.rssPages * pageSize });
      }
      [prev, next] = [next, prev];
      const picked = topUnion(rows, top);
      passwdFresh = false;
      if (users)
        for (const p of picked) {
          const user = userOf(ctx, p.pid);
          if (user !== undefined) p.user = user;
        }
      return picked;
    },
  };
}

/** The top `n` by CPU, then the top `n` by memory not already among them. */
export function topUnion(rows: readonly ProcessInfo[], n: number): ProcessInfo[] {
  const byCpu = [...rows].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memBytes - a.memBytes).slice(0, n);
  const byMem = [...rows].sort((a, b) => b.memBytes - a.memBytes).slice(0, n);
  const taken = new Set(byCpu.map((p) => p.pid));
  return byCpu.concat(byMem.filter((p) => !taken.has(p.pid)));
}

/** uid → name from /etc/passwd lines "name:x:uid:gid:…". */
export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':', 3);
    if (name && uid && /^\d+$/.test(uid)) out.set(Number(uid), name.slice(0, 64));
  }
  return out;
}

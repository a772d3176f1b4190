import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../shared/protocol/v1.js';
import { createProcessCollector, parsePasswd, parsePidStat, StatFiles, topUnion } from './processes.js';
import { fixtureContext, T0, T1 } from './testing.js';

describe('parsePidStat', () => {
  it('reads a real line', () => {
    const line = '6123 (cat) R 6110 6110 5755 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0 45658 3133440 379 18446744073709551615 0 0 0\n';
    expect(parsePidStat(line)).toEqual({ pid: 6123, comm: 'cat', ticks: 10, rssPages: 379, startTime: 45658 });
  });

  it('copes with spaces and parentheses inside comm', () => {
    const s = parsePidStat('42 (a) b (c)) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99 0 5 0\n');
    expect(s).toMatchObject({ pid: 42, comm: 'a) b (c)', ticks: 3, rssPages: 5, startTime: 99 });
  });

  it('rejects truncated input', () => {
    expect(parsePidStat('42 (x) S 1 2')).toBeUndefined();
    expect(parsePidStat('')).toBeUndefined();
  });
});

describe('topUnion', () => {
  it('takes the top n by CPU, then the top n by memory not already in', () => {
    const p = (pid: number, cpuPercent: number, memBytes: number): ProcessInfo => ({ pid, name: `p${pid}`, cpuPercent, memBytes });
    const rows = [p(1, 50, 1), p(2, 40, 2), p(3, 0, 900), p(4, 1, 800), p(5, 45, 1000)];
    expect(topUnion(rows, 2).map((x) => x.pid)).toEqual([1, 5, 3]);
  });
});

describe('parsePasswd', () => {
  it('maps uids to names', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\nwww-data:x:33:33::/:/bin/false\n')).toEqual(
      new Map([
        [0, 'root'],
        [33, 'www-data'],
      ]),
    );
  });
});

describe('process collector on the fixture host', () => {
  it('returns nothing on the first scan, then CPU from tick deltas and RSS in bytes', () => {
    const c = createProcessCollector({ users: false });
    expect(c.collect(fixtureContext('t0', T0))).toEqual([]);
    const got = c.collect(fixtureContext('t1', T1));
    expect(got).toEqual([
      { pid: 2001, name: 'weird) name', cpuPercent: 50, memBytes: 200 * 4096 },
      { pid: 4000, name: 'gzip', cpuPercent: 25, memBytes: 20_000 * 4096 }, // new: all its ticks are in the interval
      { pid: 812, name: 'postgres', cpuPercent: 20, memBytes: 50_000 * 4096 },
      { pid: 5000, name: 'cron', cpuPercent: 3, memBytes: 500 * 4096 }, // pid reused: starttime differs
      { pid: 1, name: 'systemd', cpuPercent: 1, memBytes: 3000 * 4096 },
      { pid: 1234, name: 'tmux: server', cpuPercent: 0, memBytes: 1000 * 4096 },
      { pid: 2, name: 'kthreadd', cpuPercent: 0, memBytes: 0 },
    ]);
  });

  it('limits to the top n by CPU plus the top n by memory, with injectable tick rate and page size', () => {
    const c = createProcessCollector({ top: 2, clockTicks: 1000, pageSize: 16384, users: false });
    c.collect(fixtureContext('t0', T0));
    expect(c.collect(fixtureContext('t1', T1)).map((p) => [p.pid, p.cpuPercent, p.memBytes])).toEqual([
      [2001, 5, 200 * 16384],
      [4000, 2.5, 20_000 * 16384],
      [812, 2, 50_000 * 16384],
    ]);
  });

  it('resolves user names through /proc/PID ownership and <rootfs>/etc/passwd', () => {
    const c = createProcessCollector({ top: 1 });
    c.collect(fixtureContext('t0', T0));
    const user = c.collect(fixtureContext('t1', T1))[0]!.user;
    const uid = process.getuid?.();
    expect(user).toBe(uid === 0 ? 'root' : String(uid));
  });

  it('skips processes that vanish mid-scan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-proc-'));
    mkdirSync(join(dir, '10'));
    mkdirSync(join(dir, '11')); // no stat: exited between readdir and read
    writeFileSync(join(dir, '10', 'stat'), '10 (sh) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 7 0\n');
    const ctx = { procRoot: dir, sysRoot: dir, rootfs: dir, now: T0 };
    const c = createProcessCollector({ users: false });
    c.collect(ctx);
    expect(c.collect({ ...ctx, now: T1 })).toEqual([{ pid: 10, name: 'sh', cpuPercent: 0, memBytes: 7 * 4096 }]);
    rmSync(dir, { recursive: true });
  });
});

describe('StatFiles', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;

  it('re-reads a kept file from the start, closes those not listed in a scan, and keeps at most max', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-statfiles-'));
    const paths = ['a', 'b', 'c'].map((n) => join(dir, n));
    for (const p of paths) writeFileSync(p, `${p} v1`);
    const before = openFds();
    const files = new StatFiles(2);
    expect(paths.map((p) => files.read(p))).toEqual(paths.map((p) => `${p} v1`));
    expect(files.size).toBe(2); // the third was read without being kept
    expect(openFds()).toBe(before + 2);
    writeFileSync(paths[0]!, `${paths[0]} v2, longer`);
    files.sweep();
    expect(files.read(paths[0]!)).toBe(`${paths[0]} v2, longer`); // the same descriptor, read afresh
    files.sweep(); // b was not listed this time
    expect(files.size).toBe(1);
    expect(openFds()).toBe(before + 1);
    rmSync(dir, { recursive: true });
  });

  it('lets go of a process that exited: its kept file fails and its pid is looked up again', async () => {
    const child = spawn('sleep', ['30']);
    const path = `/proc/${child.pid}/stat`;
    const files = new StatFiles();
    expect(parsePidStat(files.read(path))).toMatchObject({ pid: child.pid, comm: 'sleep' });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50)); // reaped: /proc/PID goes away
    expect(() => files.read(path)).toThrow(/ENOENT|ESRCH/);
    files.sweep();
    expect(files.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { cpuPercents, createCpuCollector, parseProcStat } from './cpu.js';
import { byKey, fixtureContext, T0, T1 } from './testing.js';

describe('parseProcStat', () => {
  it('reads the aggregate and per-core lines and procs_running', () => {
    const s = parseProcStat('cpu  10 1 5 100 2 0 1 3 4 0\ncpu0 10 1 5 100 2 0 1 3 4 0\nintr 5 0\nprocs_running 7\n');
    expect(s.cpus).toEqual([
      { cpu: 'total', times: [10, 1, 5, 100, 2, 0, 1, 3] },
      { cpu: '0', times: [10, 1, 5, 100, 2, 0, 1, 3] },
    ]);
    expect(s.procsRunning).toBe(7);
  });

  it('treats missing columns of old kernels as zero', () => {
    expect(parseProcStat('cpu 1 2 3 4\n').cpus[0]!.times).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
  });
});

describe('cpuPercents', () => {
  it('splits the delta by state; iowait is not busy', () => {
    const p = cpuPercents([0, 0, 0, 0, 0, 0, 0, 0], [30, 10, 10, 40, 5, 2, 3, 0]);
    expect(p).toEqual({ usage: 55, user: 40, system: 15, iowait: 5, steal: 0 });
  });

  it('gives nothing when counters went backwards (reboot) or did not move', () => {
    expect(cpuPercents([100, 0, 0, 0, 0, 0, 0, 0], [50, 0, 0, 10, 0, 0, 0, 0])).toBeUndefined();
    expect(cpuPercents([1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1])).toBeUndefined();
  });

  it('tolerates idle/iowait stepping back slightly (NO_HZ)', () => {
    expect(cpuPercents([0, 0, 0, 100, 10, 0, 0, 0], [50, 0, 0, 150, 9, 0, 0, 0])?.usage).toBe(50);
  });
});

describe('cpu collector on the fixture host', () => {
  it('emits only procs_running on the first cycle, then exact percents', () => {
    const c = createCpuCollector();
    expect(c.collect(fixtureContext('t0', T0))).toEqual([{ name: 'system.procs_running', value: 3 }]);
    expect(byKey(c.collect(fixtureContext('t1', T1)))).toEqual({
      'system.procs_running': 2,
      'cpu.usage{cpu=total}': 55,
      'cpu.user{cpu=total}': 35,
      'cpu.system{cpu=total}': 15,
      'cpu.iowait{cpu=total}': 5,
      'cpu.steal{cpu=total}': 5,
      'cpu.usage{cpu=0}': 55,
      'cpu.user{cpu=0}': 40,
      'cpu.system{cpu=0}': 15,
      'cpu.iowait{cpu=0}': 5,
      'cpu.steal{cpu=0}': 0,
      'cpu.usage{cpu=1}': 55,
      'cpu.user{cpu=1}': 30,
      'cpu.system{cpu=1}': 15,
      'cpu.iowait{cpu=1}': 5,
      'cpu.steal{cpu=1}': 10,
    });
  });

  it('emits no percents across a reboot (t1 then t0)', () => {
    const c = createCpuCollector();
    c.collect(fixtureContext('t1', T0));
    expect(c.collect(fixtureContext('t0', T1)).map((p) => p.name)).toEqual(['system.procs_running']);
  });
});

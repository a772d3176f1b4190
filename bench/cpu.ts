// CPU accounting for the benchmarks on a shared machine: the process under test, its PostgreSQL
// backends, the load generator, and what everyone else (neighbours' test runs) used meanwhile.
import type pg from 'pg';
import { fmt, machineCpu, PG_URL, procCpuMs, tcpClientPorts } from './lib.js';

/** CPU ms of each PostgreSQL backend serving `pid`'s connections (found by their client ports; `pid` may be this process). */
export async function backendCpu(admin: pg.Client | undefined, pid: number, pgUrl = PG_URL): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!admin) return out;
  const ports = tcpClientPorts(pid, Number(new URL(pgUrl).port || 5432));
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
  for (const { pid: backend } of rows) {
    try {
      out.set(backend, procCpuMs(backend));
    } catch {
      // the backend exited meanwhile
    }
  }
  return out;
}

/** Backends alive at both ends count their delta; ones opened meanwhile count their whole life. */
export const cpuDelta = (a: Map<number, number>, b: Map<number, number>): number =>
  [...b].reduce((sum, [pid, ms]) => sum + ms - (a.get(pid) ?? 0), 0);

/**
 * Starts a CPU window over the machine, this process, optionally a server process and the PostgreSQL
 * backends serving it (or this process); the function returned ends it and describes the split.
 */
export async function cpuWindow(o: { serverPid?: number; admin?: pg.Client }): Promise<() => Promise<string>> {
  const t0 = performance.now();
  const [mach0, own0, srv0] = [machineCpu(), process.cpuUsage(), o.serverPid ? procCpuMs(o.serverPid) : 0];
  const db0 = await backendCpu(o.admin, o.serverPid ?? process.pid);
  return async () => {
    const wall = performance.now() - t0;
    const [mach1, own, srv] = [machineCpu(), process.cpuUsage(own0), o.serverPid ? procCpuMs(o.serverPid) - srv0 : 0];
    const db = cpuDelta(db0, await backendCpu(o.admin, o.serverPid ?? process.pid));
    const ownMs = (own.user + own.system) / 1000;
    const others = Math.max(0, mach1.busyMs - mach0.busyMs - srv - ownMs - db);
    const pct = (ms: number) => `${fmt((ms / wall) * 100, 0)}%`;
    return (
      `CPU over the window (100% = one core, ${fmt((mach1.totalMs - mach0.totalMs) / wall, 1)} cores): ` +
      `${o.serverPid ? `server ${pct(srv)}, ` : ''}this process ${pct(ownMs)}, ` +
      `${o.admin ? `${o.serverPid ? "the server's" : 'its'} PostgreSQL backends ${pct(db)}, ` : ''}` +
      `everything else (neighbours' tests, Redis) ${pct(others)}${others > 0.3 * wall ? ' (busy neighbours: figures are pessimistic)' : ''}`
    );
  };
}

import os from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../shared/protocol/v1.js';
import { parseMeminfo } from './memory.js';
import type { CollectorContext } from './types.js';
import { readTextIfExists } from './util.js';

/** KEY=value lines, values optionally quoted (os-release(5) allows shell-style quoting). */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(m[1]!, v);
  }
  return out;
}

export function osName(fields: Map<string, string>): string {
  const name = fields.get('NAME');
  const version = fields.get('VERSION') ?? fields.get('VERSION_ID');
  return fields.get('PRETTY_NAME') || (name ? (version ? `${name} ${version}` : name) : 'Linux');
}

/** CPU model and logical CPU count ("processor" entries). */
export function parseCpuinfo(text: string): { model: string; cores: number } {
  let cores = 0;
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (key === 'processor') cores++;
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  // x86 has "model name"; arm64 often only "Hardware" or the CPU part; ppc says "cpu".
  const model = ['model name', 'Hardware', 'Model', 'cpu model', 'cpu', 'Processor']
    .map((k) => fields.get(k))
    .find((v) => v && !/^\d+$/.test(v));
  return { model: model ?? 'unknown', cores };
}

/**
 * uname -m ("x86_64", "aarch64") is what admins read. Node's os.machine() is uname's; Bun's is fixed
 * at its build and says "arm64" on aarch64 hosts.
 */
export function unameMachine(machine = os.machine()): string {
  return machine === 'arm64' ? 'aarch64' : machine;
}

const cut = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);

/** The host's static description; read once at start and when the agent reconnects. */
export function readInventory(ctx: Pick<CollectorContext, 'procRoot' | 'rootfs'>): Inventory {
  const proc = (...p: string[]): string | undefined => readTextIfExists(join(ctx.procRoot, ...p))?.trim();
  const etc = (f: string): string | undefined => readTextIfExists(join(ctx.rootfs || '/', f));
  const osRelease = etc('etc/os-release') ?? etc('usr/lib/os-release');
  const cpu = parseCpuinfo(proc('cpuinfo') ?? '');
  const meminfo = proc('meminfo');
  return {
    hostname: cut(proc('sys', 'kernel', 'hostname') || os.hostname(), 255),
    os: cut(osName(parseOsRelease(osRelease ?? '')), 255),
    kernel: cut(proc('sys', 'kernel', 'osrelease') || os.release(), 255),
    arch: cut(unameMachine(), 32),
    cpuModel: cut(cpu.model, 255),
    cpuCores: cpu.cores > 0 ? cpu.cores : Math.max(1, os.availableParallelism()),
    memoryBytes: meminfo ? parseMeminfo(meminfo).total : os.totalmem(),
  };
}

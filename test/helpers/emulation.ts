// Running another architecture's agent artifact here: the linux-arm64 runtime under qemu-user with an
// aarch64 glibc (Debian's libc6-arm64-cross in /usr/aarch64-linux-gnu, or multiarch libc6:arm64 in /).
// The emulator goes just before the runtime binary in the deployer's own command line, where an arm64
// kernel would simply exec it.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AgentTarget } from '../../core/deploy/artifacts.js';
import { packageAgent, RegistryUnreachableError, type ArtifactBuildStatus } from '../../scripts/package-agent.js';

export type Emulation = { ok: true; prefix: string[]; how: string } | { ok: false; reason: string };

const onPath = (name: string) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));

/** How to run the linux-arm64 runtime on this machine, or why it cannot be run. */
export function arm64Emulation(): Emulation {
  if (process.platform === 'linux' && process.arch === 'arm64') return { ok: true, prefix: [], how: 'natively' };
  const qemu = onPath('qemu-aarch64') ?? onPath('qemu-aarch64-static');
  const sysroot = ['/usr/aarch64-linux-gnu', '/'].find((dir) => existsSync(join(dir, 'lib/ld-linux-aarch64.so.1')));
  if (!qemu) return { ok: false, reason: 'no qemu-aarch64 on PATH (apt-get install qemu-user)' };
  if (!sysroot) return { ok: false, reason: 'no aarch64 glibc (apt-get install libc6-arm64-cross)' };
  return { ok: true, prefix: [qemu, '-L', sysroot], how: `${qemu} -L ${sysroot}` };
}

/** argv with the emulator inserted before the runtime binary (argv as artifact.command gives it). */
export function emulated(argv: string[], runtimeFile: string, prefix: string[]): string[] {
  const at = argv.indexOf(runtimeFile);
  if (at < 0) throw new Error(`the runtime ${runtimeFile} is not in the command ${argv.join(' ')}`);
  return [...argv.slice(0, at), ...prefix, ...argv.slice(at)];
}

/** For test/global-setup.ts: builds a target's artifact (cached in dist/), or says why not (never throws). */
export async function packageTarget(target: AgentTarget): Promise<ArtifactBuildStatus> {
  try {
    await packageAgent({ targets: [target], skipBuild: true, quiet: true });
    return { status: 'ok', target };
  } catch (err) {
    return { status: err instanceof RegistryUnreachableError ? 'skip' : 'error', message: (err as Error).message };
  }
}

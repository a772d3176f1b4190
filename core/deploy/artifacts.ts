// The agent artifacts the deployer uploads: per target, a runtime binary (from the npm registry,
// integrity-checked by `npm run package:agent`) plus the one-file agent bundle, described by a
// manifest.json that the packaging script writes. This module only reads and checks them.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AgentTarget = 'linux-x64' | 'linux-x64-baseline' | 'linux-arm64' | 'linux-x64-musl' | 'linux-arm64-musl';
export const AGENT_TARGETS: readonly AgentTarget[] = [
  'linux-x64',
  'linux-x64-baseline',
  'linux-arm64',
  'linux-x64-musl',
  'linux-arm64-musl',
];

export interface HostPlatform {
  arch: 'x64' | 'arm64';
  libc: 'glibc' | 'musl';
  avx2: boolean;
}

export interface AgentArtifact {
  target: AgentTarget;
  runtime: {
    name: 'bun' | 'node';
    version: string;
    /** local binary */
    file: string;
    sha256: string;
    bytes: number;
    upload: { file: string; sha256: string; bytes: number; encoding: 'gzip' | 'identity' };
  };
  /** the one-file agent */
  bundle: { file: string; sha256: string; bytes: number; version: string };
  /** argv to start the agent on the host, given where runtime and bundle were installed */
  command(runtimePath: string, bundlePath: string, configPath: string): string[];
}

/** What manifest.json holds: file names are relative to the target's folder. */
export interface ArtifactManifest {
  format: 1;
  target: AgentTarget;
  runtime: {
    name: 'bun' | 'node';
    version: string;
    package: string;
    integrity: string;
    file: string;
    sha256: string;
    bytes: number;
    upload: { file: string; sha256: string; bytes: number; encoding: 'gzip' | 'identity' };
  };
  bundle: { file: string; sha256: string; bytes: number; version: string };
  /** Runtime flags placed between the runtime and the bundle (e.g. Node's --lite-mode). */
  runtimeArgs: string[];
  /** Environment the runtime needs (e.g. BUN_JSC_useJIT=0), set through /usr/bin/env in the command. */
  runtimeEnv: Record<string, string>;
}

export const PACKAGE_SCRIPT = 'npm run package:agent';

/**
 * The build that runs on a host: by architecture and C library (musl: Alpine), and x64 CPUs without
 * AVX2 get the baseline target. With Bun 1.4.5 that is the same binary (@oven/bun-linux-x64-baseline
 * is an alias: one x64 build for Nehalem/SSE4.2 that picks AVX2 code at run time), so x64 musl
 * without AVX2 is served too; the separate target keeps the door open for a runtime that differs.
 */
export function targetFor(p: HostPlatform): AgentTarget {
  if (p.arch !== 'x64' && p.arch !== 'arm64')
    throw new Error(`unsupported architecture "${String(p.arch)}": the agent ships for x64 and arm64`);
  if (p.libc !== 'glibc' && p.libc !== 'musl')
    throw new Error(`unsupported C library "${String(p.libc)}": the agent ships for glibc and musl`);
  if (p.arch === 'arm64') return p.libc === 'musl' ? 'linux-arm64-musl' : 'linux-arm64';
  if (p.libc === 'musl') return 'linux-x64-musl';
  return p.avx2 ? 'linux-x64' : 'linux-x64-baseline';
}

/** This machine's platform (for building and testing the artifact that runs here). */
export function localPlatform(): HostPlatform {
  if (process.platform !== 'linux') throw new Error(`the agent runs on Linux only, this is ${process.platform}`);
  const arch = process.arch;
  if (arch !== 'x64' && arch !== 'arm64') throw new Error(`unsupported architecture "${arch}": the agent ships for x64 and arm64`);
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  let avx2 = arch === 'x64';
  if (arch === 'x64') {
    try {
      avx2 = /^flags\s*:.*\bavx2\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      avx2 = false; // unknown: the baseline build runs everywhere
    }
  }
  return { arch, libc, avx2 };
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const defaultArtifactsDir = (): string => join(repoRoot(), 'dist', 'agent-artifacts');

const hashed = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** sha256 of a file, remembered while its size and mtime stay (the runtime is ~100 MB). */
export function sha256File(file: string): string {
  const { size, mtimeMs } = statSync(file);
  const known = hashed.get(file);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  hashed.set(file, { size, mtimeMs, sha256 });
  return sha256;
}

/** The argv; a runtime environment goes through /usr/bin/env so it works in any service manager. */
export function commandFor(m: Pick<ArtifactManifest, 'runtimeArgs' | 'runtimeEnv'>) {
  const env = Object.entries(m.runtimeEnv ?? {}).map(([k, v]) => `${k}=${v}`);
  return (runtimePath: string, bundlePath: string, configPath: string): string[] => [
    ...(env.length ? ['/usr/bin/env', ...env] : []),
    runtimePath,
    ...m.runtimeArgs,
    bundlePath,
    '--config',
    configPath,
  ];
}

/**
 * Reads a built artifact and checks every file against its manifest (size and sha256), so a
 * half-written or edited build is refused here rather than on fifty hosts.
 */
export async function loadArtifact(target: AgentTarget, dir: string = defaultArtifactsDir()): Promise<AgentArtifact> {
  if (!AGENT_TARGETS.includes(target)) throw new Error(`unknown agent target "${String(target)}" (known: ${AGENT_TARGETS.join(', ')})`);
  const folder = join(dir, target);
  const manifestFile = join(folder, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(
      `no agent artifact for ${target} in ${dir}: build it with \`${PACKAGE_SCRIPT}\`` +
        (target === localTargetOrNull() ? '' : ` -- --target ${target} (or --all)`),
    );
  }
  let m: ArtifactManifest;
  try {
    m = JSON.parse(readFileSync(manifestFile, 'utf8')) as ArtifactManifest;
  } catch (err) {
    throw new Error(`${manifestFile} is not valid JSON (${(err as Error).message}): rebuild with \`${PACKAGE_SCRIPT}\``, {
      cause: err,
    });
  }
  if (m.format !== 1 || m.target !== target) {
    throw new Error(
      `${manifestFile} is for ${String(m.target)} (format ${String(m.format)}), expected ${target} format 1: rebuild with \`${PACKAGE_SCRIPT}\``,
    );
  }
  const check = (rel: string, sha256: string, bytes: number): string => {
    const file = join(folder, rel);
    if (!existsSync(file)) throw new Error(`agent artifact ${target}: ${file} is missing: rebuild with \`${PACKAGE_SCRIPT}\``);
    const size = statSync(file).size;
    if (size !== bytes || sha256File(file) !== sha256) {
      throw new Error(`agent artifact ${target}: ${file} does not match its manifest (size or sha256): rebuild with \`${PACKAGE_SCRIPT}\``);
    }
    return file;
  };
  return {
    target,
    runtime: {
      name: m.runtime.name,
      version: m.runtime.version,
      file: check(m.runtime.file, m.runtime.sha256, m.runtime.bytes),
      sha256: m.runtime.sha256,
      bytes: m.runtime.bytes,
      upload: { ...m.runtime.upload, file: check(m.runtime.upload.file, m.runtime.upload.sha256, m.runtime.upload.bytes) },
    },
    bundle: { ...m.bundle, file: check(m.bundle.file, m.bundle.sha256, m.bundle.bytes) },
    command: commandFor(m),
  };
}

function localTargetOrNull(): AgentTarget | null {
  try {
    return targetFor(localPlatform());
  } catch {
    return null;
  }
}

// Builds the self-contained agent artifact per target into dist/agent-artifacts/<target>/:
// the runtime binary from its npm package (`npm pack`, sha512 integrity pinned in
// resources/runtimes.json and checked before anything is extracted), a gzip copy of it for upload,
// the one-file bundle dist/agent.mjs, manifest.json (hashes, sizes, versions) that
// core/deploy/artifacts.ts reads, and `watchtower-agent`, a launcher for running the folder by hand
// with the runtime settings the deployer uses (the deployer writes its own). Tarballs are cached; an unchanged runtime is not re-extracted or
// re-compressed, so a rebuild costs the bundle only.
//
//   npm run package:agent                    this host's target
//   npm run package:agent -- --all           every target
//   npm run package:agent -- --target linux-arm64 [--runtime node] [--out DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import {
  AGENT_TARGETS,
  commandFor,
  localPlatform,
  sha256File,
  targetFor,
  type AgentTarget,
  type ArtifactManifest,
} from '../core/deploy/artifacts.js';
import { VERSION } from '../shared/version.js';
import { build } from './build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The launcher's name in an artifact folder. */
export const LAUNCHER = 'watchtower-agent';

/** `./watchtower-agent --server URL --token T`: the runtime with its env and args, then the bundle. */
function launcher(m: ArtifactManifest): string {
  const argv = commandFor(m)(`"$d/${m.runtime.file}"`, '"$d/agent.mjs"', '').slice(0, -2);
  return `#!/bin/sh\n# The Watchtower agent from this folder, with the runtime settings it was measured with.\nd=$(dirname "$0")\nexec ${argv.join(' ')} "$@"\n`;
}

export type RuntimeName = 'bun' | 'node';

interface RuntimeSpec {
  version: string;
  binary: string;
  args: string[];
  env: Record<string, string>;
  targets: Partial<Record<AgentTarget, { package: string; integrity: string }>>;
}
export interface RuntimesFile {
  ship: RuntimeName;
  runtimes: Record<RuntimeName, RuntimeSpec>;
}

export function readRuntimes(file = join(root, 'resources/runtimes.json')): RuntimesFile {
  return JSON.parse(readFileSync(file, 'utf8')) as RuntimesFile;
}

export class IntegrityError extends Error {}
/** npm could not reach the registry at all (tests skip on this one only, with the reason printed). */
export class RegistryUnreachableError extends Error {}

const sriSha512 = (file: string) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/** The package tarball, from the cache or `npm pack`, verified against the pinned integrity. */
function fetchTarball(pkg: string, version: string, integrity: string, cacheDir: string, log: (s: string) => void): string {
  mkdirSync(cacheDir, { recursive: true });
  const cached = join(cacheDir, `${pkg.replace('@', '').replace('/', '-')}-${version}.tgz`);
  if (existsSync(cached) && sriSha512(cached) === integrity) return cached;
  log(`npm pack ${pkg}@${version}`);
  const tmp = join(cacheDir, `tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--json', '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    const detail = e.stderr?.trim() || e.message;
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|network/i.test(detail)) {
      throw new RegistryUnreachableError(`npm pack ${pkg}@${version}: the npm registry is unreachable: ${detail.slice(0, 300)}`, {
        cause: err,
      });
    }
    throw new Error(`npm pack ${pkg}@${version} failed: ${detail}`, { cause: err });
  }
  const packed = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  if (packed.length !== 1) throw new Error(`npm pack ${pkg}@${version} left ${packed.length} tarballs in ${tmp}`);
  const got = join(tmp, packed[0]!);
  const actual = sriSha512(got);
  if (actual !== integrity) {
    rmSync(tmp, { recursive: true, force: true });
    throw new IntegrityError(
      `INTEGRITY MISMATCH for ${pkg}@${version}: resources/runtimes.json pins ${integrity} but the registry served ${actual}. ` +
        'Refusing to use it. If the version was deliberately changed, pin the new integrity (npm view <pkg>@<version> dist.integrity).',
    );
  }
  renameSync(got, cached);
  rmSync(tmp, { recursive: true, force: true });
  return cached;
}

async function gzipFile(src: string, dest: string): Promise<void> {
  await pipeline(createReadStream(src), createGzip({ level: 9 }), createWriteStream(`${dest}.${process.pid}.tmp`));
  renameSync(`${dest}.${process.pid}.tmp`, dest);
}

function readManifest(file: string): ArtifactManifest | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ArtifactManifest;
  } catch {
    return null;
  }
}

export interface PackageOptions {
  targets: AgentTarget[];
  runtime?: RuntimeName;
  outDir?: string;
  /** Skip rebuilding dist/agent.mjs (the caller just built it). */
  skipBuild?: boolean;
  /** Instead of resources/runtimes.json (tests). */
  runtimes?: RuntimesFile;
  quiet?: boolean;
}

export async function packageAgent(o: PackageOptions): Promise<ArtifactManifest[]> {
  const log = o.quiet ? () => {} : (s: string) => console.log(`package:agent: ${s}`);
  const runtimes = o.runtimes ?? readRuntimes();
  const name = o.runtime ?? runtimes.ship;
  const spec = runtimes.runtimes[name];
  if (!spec) throw new Error(`unknown runtime "${name}" (resources/runtimes.json has ${Object.keys(runtimes.runtimes).join(', ')})`);
  const outDir = o.outDir ?? join(root, 'dist/agent-artifacts');
  if (!o.skipBuild) await build({ quiet: true });
  const bundleSrc = join(root, 'dist/agent.mjs');
  const manifests: ArtifactManifest[] = [];
  for (const target of o.targets) {
    const pin = spec.targets[target];
    if (!pin) throw new Error(`${name} has no build for ${target} (resources/runtimes.json); use --runtime bun`);
    const folder = join(outDir, target);
    mkdirSync(folder, { recursive: true });
    const manifestFile = join(folder, 'manifest.json');
    const previous = readManifest(manifestFile);
    const binFile = join(folder, name);
    const gzFile = join(folder, `${name}.gz`);
    let runtime: ArtifactManifest['runtime'];
    const unchanged =
      previous?.runtime.name === name &&
      previous.runtime.version === spec.version &&
      previous.runtime.integrity === pin.integrity &&
      existsSync(binFile) &&
      existsSync(gzFile) &&
      statSync(binFile).size === previous.runtime.bytes &&
      statSync(gzFile).size === previous.runtime.upload.bytes;
    if (unchanged) {
      runtime = previous.runtime;
    } else {
      rmSync(manifestFile, { force: true }); // a build cut short leaves no manifest, so loadArtifact refuses it
      const tgz = fetchTarball(pin.package, spec.version, pin.integrity, join(outDir, '.cache'), log);
      const x = join(folder, `.extract-${process.pid}`);
      rmSync(x, { recursive: true, force: true });
      mkdirSync(x);
      execFileSync('tar', ['-xzf', tgz, '-C', x, spec.binary]);
      renameSync(join(x, spec.binary), binFile);
      rmSync(x, { recursive: true, force: true });
      chmodSync(binFile, 0o755);
      log(`${target}: gzip ${name} (${(statSync(binFile).size / 1e6).toFixed(1)} MB)`);
      await gzipFile(binFile, gzFile);
      runtime = {
        name,
        version: spec.version,
        package: pin.package,
        integrity: pin.integrity,
        file: name,
        sha256: sha256File(binFile),
        bytes: statSync(binFile).size,
        upload: { file: `${name}.gz`, sha256: sha256File(gzFile), bytes: statSync(gzFile).size, encoding: 'gzip' },
      };
    }
    // Copied then renamed: a deploy reading this folder meanwhile sees the old bundle or the new one.
    const bundleFile = join(folder, 'agent.mjs');
    copyFileSync(bundleSrc, `${bundleFile}.${process.pid}.tmp`);
    renameSync(`${bundleFile}.${process.pid}.tmp`, bundleFile);
    const manifest: ArtifactManifest = {
      format: 1,
      target,
      runtime,
      bundle: { file: 'agent.mjs', sha256: sha256File(bundleFile), bytes: statSync(bundleFile).size, version: VERSION },
      runtimeArgs: spec.args,
      runtimeEnv: spec.env ?? {},
    };
    writeFileSync(join(folder, LAUNCHER), launcher(manifest), { mode: 0o755 });
    writeFileSync(`${manifestFile}.${process.pid}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(`${manifestFile}.${process.pid}.tmp`, manifestFile);
    log(
      `${target}: ${name} ${spec.version} ${(runtime.bytes / 1e6).toFixed(1)} MB (gzip ${(runtime.upload.bytes / 1e6).toFixed(1)} MB), ` +
        `agent.mjs ${(manifest.bundle.bytes / 1e3).toFixed(1)} kB${unchanged ? ' (runtime cached)' : ''} → ${folder}`,
    );
    manifests.push(manifest);
  }
  return manifests;
}

export type ArtifactBuildStatus = { status: 'ok'; target: AgentTarget } | { status: 'skip' | 'error'; message: string };

/** For test/global-setup.ts: this host's artifact, or why there is none (never throws). */
export async function packageForTests(): Promise<ArtifactBuildStatus> {
  let target: AgentTarget;
  try {
    target = targetFor(localPlatform());
    await packageAgent({ targets: [target], skipBuild: true, quiet: true });
  } catch (err) {
    if (err instanceof RegistryUnreachableError) return { status: 'skip', message: err.message };
    return { status: 'error', message: (err as Error).message };
  }
  return { status: 'ok', target };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      all: { type: 'boolean' },
      target: { type: 'string', multiple: true },
      runtime: { type: 'string' },
      out: { type: 'string' },
    },
  });
  for (const t of values.target ?? []) {
    if (!AGENT_TARGETS.includes(t as AgentTarget)) throw new Error(`unknown --target "${t}" (known: ${AGENT_TARGETS.join(', ')})`);
  }
  const targets = values.all ? [...AGENT_TARGETS] : ((values.target as AgentTarget[] | undefined) ?? [targetFor(localPlatform())]);
  try {
    await packageAgent({ targets, runtime: values.runtime as RuntimeName | undefined, outDir: values.out });
  } catch (err) {
    console.error(`package:agent: ${(err as Error).message}`);
    process.exit(1);
  }
}

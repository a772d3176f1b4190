// core/deploy/artifacts.ts without the network: which build fits a host, and a built folder is
// refused unless every file matches its manifest.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArtifact, targetFor, type ArtifactManifest } from '../core/deploy/artifacts.js';

describe('targetFor', () => {
  it('picks the build that runs on the host', () => {
    expect(targetFor({ arch: 'x64', libc: 'glibc', avx2: true })).toBe('linux-x64');
    expect(targetFor({ arch: 'x64', libc: 'glibc', avx2: false })).toBe('linux-x64-baseline');
    expect(targetFor({ arch: 'arm64', libc: 'glibc', avx2: false })).toBe('linux-arm64');
    expect(targetFor({ arch: 'x64', libc: 'musl', avx2: true })).toBe('linux-x64-musl');
    expect(targetFor({ arch: 'arm64', libc: 'musl', avx2: false })).toBe('linux-arm64-musl');
    expect(targetFor({ arch: 'x64', libc: 'musl', avx2: false })).toBe('linux-x64-musl'); // one x64 build dispatches AVX2 at run time
  });
  it('names what it cannot serve', () => {
    expect(() => targetFor({ arch: 'riscv64' as 'x64', libc: 'glibc', avx2: false })).toThrow(/unsupported architecture "riscv64"/);
    expect(() => targetFor({ arch: 'x64', libc: 'uclibc' as 'glibc', avx2: true })).toThrow(/unsupported C library "uclibc"/);
  });
});

describe('loadArtifact', () => {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  function fakeBuild(): { dir: string; folder: string } {
    const dir = mkdtempSync(join(tmpdir(), 'wt-artifacts-'));
    const folder = join(dir, 'linux-arm64');
    mkdirSync(folder);
    const runtime = Buffer.from('runtime binary '.repeat(100));
    const gz = Buffer.from('compressed');
    const bundle = Buffer.from('console.log("agent")');
    writeFileSync(join(folder, 'bun'), runtime);
    writeFileSync(join(folder, 'bun.gz'), gz);
    writeFileSync(join(folder, 'agent.mjs'), bundle);
    const m: ArtifactManifest = {
      format: 1,
      target: 'linux-arm64',
      runtime: {
        name: 'bun',
        version: '1.4.5',
        package: '@oven/bun-linux-aarch64',
        integrity: 'sha512-x',
        file: 'bun',
        sha256: sha(runtime),
        bytes: runtime.length,
        upload: { file: 'bun.gz', sha256: sha(gz), bytes: gz.length, encoding: 'gzip' },
      },
      bundle: { file: 'agent.mjs', sha256: sha(bundle), bytes: bundle.length, version: '0.1.0' },
      runtimeArgs: [],
      runtimeEnv: { BUN_JSC_useJIT: '0' },
    };
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(m));
    return { dir, folder };
  }

  it('returns absolute files and the service command line', async () => {
    const { dir, folder } = fakeBuild();
    const a = await loadArtifact('linux-arm64', dir);
    expect(a.runtime.file).toBe(join(folder, 'bun'));
    expect(a.runtime.upload).toMatchObject({ file: join(folder, 'bun.gz'), encoding: 'gzip' });
    expect(a.bundle).toMatchObject({ file: join(folder, 'agent.mjs'), version: '0.1.0' });
    expect(a.command('/opt/wt/bun', '/opt/wt/agent.mjs', '/etc/wt.json')).toEqual([
      '/usr/bin/env',
      'BUN_JSC_useJIT=0',
      '/opt/wt/bun',
      '/opt/wt/agent.mjs',
      '--config',
      '/etc/wt.json',
    ]);
  });

  it('names the npm script when nothing is built', async () => {
    await expect(loadArtifact('linux-x64-musl', mkdtempSync(join(tmpdir(), 'wt-artifacts-')))).rejects.toThrow(/npm run package:agent/);
  });

  it('refuses a file that no longer matches its manifest, or one that is missing', async () => {
    const { dir, folder } = fakeBuild();
    writeFileSync(join(folder, 'agent.mjs'), 'console.log("edited")');
    await expect(loadArtifact('linux-arm64', dir)).rejects.toThrow(/agent\.mjs does not match its manifest/);
    const other = fakeBuild();
    rmSync(join(other.folder, 'bun.gz'));
    await expect(loadArtifact('linux-arm64', other.dir)).rejects.toThrow(/bun\.gz is missing/);
  });

  it('refuses a manifest for another target or a broken one', async () => {
    const { dir, folder } = fakeBuild();
    mkdirSync(join(dir, 'linux-x64'));
    writeFileSync(join(dir, 'linux-x64', 'manifest.json'), JSON.stringify({ format: 1, target: 'linux-arm64' }));
    await expect(loadArtifact('linux-x64', dir)).rejects.toThrow(/is for linux-arm64/);
    writeFileSync(join(folder, 'manifest.json'), '{');
    await expect(loadArtifact('linux-arm64', dir)).rejects.toThrow(/not valid JSON/);
  });
});

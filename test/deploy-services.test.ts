// The service definitions for systemd and OpenRC, generated and checked (systemd-analyze verify,
// sh -n). They also run for real: systemd as PID 1 in deploy-systemd.test.ts, the supervised path in
// deploy.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openrcScript, supervisorScript, systemdUnit, SERVICE_USER } from '../core/deploy/services.js';
import { installScript, uninstallScript } from '../core/deploy/scripts.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'wt-unit-'));
  const runtime = join(dir, 'runtimes', 'abc', 'bun');
  mkdirSync(join(dir, 'runtimes', 'abc'), { recursive: true });
  writeFileSync(runtime, '#!/bin/sh\n');
  chmodSync(runtime, 0o755);
  return {
    dir,
    f: {
      argv: [runtime, join(dir, 'agent.mjs'), '--config', join(dir, 'agent.json')],
      installDir: dir,
      dataDir: join(dir, 'data'),
      user: SERVICE_USER,
    },
  };
}

describe('systemd unit', () => {
  test('is hardened: own user, no new privileges, read-only system but its data dir', () => {
    const unit = systemdUnit(files().f);
    for (const line of [
      `User=${SERVICE_USER}`,
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
      'Restart=always',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).toMatch(/^ReadWritePaths=\/.*\/data$/m);
    expect(unit).not.toContain('@');
  });

  test.skipIf(!hasAnalyze)('passes systemd-analyze verify', () => {
    const { dir, f } = files();
    const path = join(dir, 'watchtower-agent.service');
    // systemd-analyze resolves User= against this machine; root exists everywhere.
    writeFileSync(path, systemdUnit({ ...f, user: 'root' }));
    const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => l.includes('watchtower-agent.service'))).toEqual([]);
    expect(r.status).toBe(0);
  });

  test('refuses an ExecStart argument it cannot quote', () => {
    expect(() => systemdUnit({ ...files().f, argv: ['/opt/with space/bun'] })).toThrow(/cannot put/);
  });
});

describe('OpenRC script', () => {
  test('is a supervise-daemon service for the agent user, valid sh', () => {
    const { dir, f } = files();
    const script = openrcScript(f);
    expect(script.startsWith('#!/sbin/openrc-run\n')).toBe(true);
    expect(script).toContain('supervisor=supervise-daemon');
    expect(script).toContain(`command_user="${SERVICE_USER}:${SERVICE_USER}"`);
    expect(script).toContain(`command="${f.argv[0]}"`);
    expect(script).toMatch(/^\tuse net$/m); // not "need": nothing may provide net (deploy-openrc.test.ts)
    writeFileSync(join(dir, 'openrc'), script);
    execFileSync('sh', ['-n', join(dir, 'openrc')]);
  });
});

describe('remote scripts', () => {
  test('install (each service kind), uninstall and the supervisor are valid POSIX sh', () => {
    const { dir, f } = files();
    for (const service of ['systemd', 'openrc', 'user'] as const) {
      const script = installScript({
        layout: { dir, system: service !== 'user', service },
        loginUser: 'deploy',
        argv: f.argv,
        bundle: { base64: Buffer.from('console.log(1)').toString('base64'), sha256: 'x', version: '1' },
        runtimeSha256: 'abc',
        config: '{"token":"secret"}',
        configSha256: 'y',
        target: 'linux-x64',
        musl: false,
      });
      writeFileSync(join(dir, `install-${service}.sh`), script);
      execFileSync('sh', ['-n', join(dir, `install-${service}.sh`)]);
    }
    writeFileSync(join(dir, 'uninstall.sh'), uninstallScript({ dir, system: true, service: 'systemd' }));
    execFileSync('sh', ['-n', join(dir, 'uninstall.sh')]);
    writeFileSync(join(dir, 'supervise.sh'), supervisorScript());
    execFileSync('sh', ['-n', join(dir, 'supervise.sh')]);
  });
});

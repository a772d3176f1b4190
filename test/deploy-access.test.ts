// Reaching servers: key and password logins, host keys (trust on first use, pinned, changed →
// refused naming both fingerprints), wrong password, unreachable host, sudo with its password on
// stdin, a jump server. Real sshd processes on loopback; one failing server never stops the others.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployService, progressRecorder, serverFor } from './helpers/deploy.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { sqliteTarget, type StoreTarget } from './helpers/stores.js';
import { freePort, sshdAvailable, startSshd, startSshdHosts, type SshdHost } from './helpers/sshd.js';
import type { DeployService } from '../core/deploy/service.js';

const existsSyncSafe = (p: string) => {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
};

describe.skipIf(!sshdAvailable())('deployer: logins and host keys', () => {
  let hosts: SshdHost[];
  let target: StoreTarget;
  let app: TestApp;
  let svc: DeployService;

  beforeAll(async () => {
    [hosts, target] = [await startSshdHosts(3), sqliteTarget()];
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl, connectTimeoutMs: 5000 });
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await app?.stop();
    await Promise.all((hosts ?? []).map((h) => h.cleanup()));
    await target?.cleanup();
  });

  test('key login and password login both probe the host; the first key seen is recorded', async () => {
    const byKey = await svc.servers.create(serverFor(hosts[0]!, { name: 'by-key' }));
    const byPassword = await svc.servers.create(serverFor(hosts[0]!, { name: 'by-password', password: true }));
    for (const s of [byKey, byPassword]) {
      const probe = await svc.probe(s.id);
      expect(probe).toMatchObject({ arch: 'x64', libc: 'glibc', init: 'none', root: false });
      expect(probe.agent.installed).toBe(false);
      expect((await svc.servers.get(s.id))!.hostKey).toMatchObject({ fingerprint: hosts[0]!.fingerprint, source: 'tofu' });
    }
  }, 30_000);

  test('a key file with a passphrase is read once and sealed; the view shows neither', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, appendFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = mkdtempSync('/tmp/wt-key-');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'open sesame', '-f', join(dir, 'id')]);
    appendFileSync(join(hosts[1]!.dir, 'authorized', hosts[1]!.user), readFileSync(join(dir, 'id.pub')));
    const s = await svc.servers.create(
      serverFor(hosts[1]!, { name: 'key-file', auth: { kind: 'key', keyFile: join(dir, 'id'), passphrase: 'open sesame' } }),
    );
    const view = svc.servers.view(s);
    expect(view.auth).toEqual({ kind: 'key', keyFile: join(dir, 'id'), hasPassphrase: true, socket: null });
    expect(JSON.stringify(view)).not.toMatch(/open sesame|PRIVATE KEY/);
    expect(s.sealedSecrets).not.toMatch(/open sesame|PRIVATE KEY/);
    expect((await svc.probe(s.id)).os).not.toBe('');
  }, 30_000);

  test("login through the user's ssh-agent (its socket), the key never stored", async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const sock = join(mkdtempSync('/tmp/wt-agent-'), 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      await expect.poll(() => (existsSyncSafe(sock) ? 'up' : 'down'), { timeout: 5000 }).toBe('up');
      execFileSync('ssh-add', [hosts[1]!.privateKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const s = await svc.servers.create(serverFor(hosts[1]!, { name: 'by-agent', auth: { kind: 'agent', socket: sock } }));
      expect(svc.servers.secretsOf(s)).toEqual({});
      await expect(svc.probe(s.id)).resolves.toMatchObject({ init: 'none' });
    } finally {
      agent.kill();
    }
  }, 30_000);

  test('a wrong password fails with a clear message and records no key trust beyond the scan', async () => {
    const s = await svc.servers.create({ ...serverFor(hosts[1]!, { name: 'wrong-pw' }), auth: { kind: 'password', password: 'not-it' } });
    await expect(svc.probe(s.id)).rejects.toThrow(/authentication failed for .*\(password\)/);
  }, 30_000);

  test('an unreachable host fails fast and does not stop the others in the same run', async () => {
    const closed = await freePort();
    const gone = await svc.servers.create({ ...serverFor(hosts[2]!, { name: 'gone' }), port: closed });
    const badPw = await svc.servers.create({ ...serverFor(hosts[2]!, { name: 'bad-pw' }), auth: { kind: 'password', password: 'nope' } });
    const good = await svc.servers.create(serverFor(hosts[2]!, { name: 'good' }));
    const run = await svc.deployer.wait((await svc.deployer.start('install', [gone.id, badPw.id, good.id], 3)).id);
    expect(run!.status).toBe('partial');
    const [t0, t1, t2] = run!.targets;
    expect(t0!.error).toMatch(/cannot reach .*connection refused/);
    expect(t1!.error).toMatch(/authentication failed/);
    expect(t2!.status).toBe('ok');
    await svc.deployer.wait((await svc.deployer.start('uninstall', [good.id], 1)).id);
  }, 90_000);

  test('a pinned fingerprint is required; a changed host key is refused naming both', async () => {
    const h = await startSshd();
    try {
      const wrongPin = 'SHA256:' + 'A'.repeat(43);
      const pinned = await svc.servers.create(serverFor(h, { name: 'pinned', hostKeyFingerprint: h.fingerprint }));
      const mispinned = await svc.servers.create(serverFor(h, { name: 'mispinned', hostKeyFingerprint: wrongPin }));
      await svc.probe(pinned.id);
      expect((await svc.servers.get(pinned.id))!.hostKey).toMatchObject({ fingerprint: h.fingerprint, source: 'pinned' });
      await expect(svc.probe(mispinned.id)).rejects.toThrow(`recorded ${wrongPin}, the server presented ${h.fingerprint}`);

      const old = h.fingerprint;
      await h.rotateHostKey();
      const err = await svc.probe(pinned.id).catch((e: Error) => e);
      expect((err as Error).message).toContain(`host key of pinned`);
      expect((err as Error).message).toContain(`recorded ${old}, the server presented ${h.fingerprint}`);
      // A scan shows both without trusting; pinning the new key (a person's decision) lets it through.
      expect(await svc.scanHostKey(pinned.id)).toMatchObject({ fingerprint: h.fingerprint, recorded: old, matches: false });
      await svc.servers.pinHostKey(pinned.id, h.fingerprint);
      await expect(svc.probe(pinned.id)).resolves.toMatchObject({ init: 'none' });
    } finally {
      await h.cleanup();
    }
  }, 60_000);

  test('an upload whose bytes do not match the checksum is refused and not marked present', async () => {
    const { SshConnection } = await import('../core/deploy/ssh.js');
    const { uploadRuntimeCommand } = await import('../core/deploy/scripts.js');
    const { shq } = await import('../core/deploy/shell.js');
    const { gzipSync } = await import('node:zlib');
    const { Readable } = await import('node:stream');
    const { createHash } = await import('node:crypto');
    const { existsSync } = await import('node:fs');
    const h = hosts[1]!;
    const conn = await SshConnection.open({
      label: 'h',
      host: h.host,
      port: h.port,
      user: h.user,
      auth: { kind: 'key', privateKey: h.privateKey },
      hostKey: { expected: h.fingerprint },
    });
    try {
      const body = gzipSync('#!/bin/sh\necho runtime\n');
      const dir = `${h.home}/upload-check`;
      const upload = (uploadSha256: string) =>
        conn.exec(`sh -c ${shq(uploadRuntimeCommand({ dir, sha256: 'r1', uploadSha256, name: 'rt', gzip: true }))}`, {
          stream: Readable.from([body]),
        });
      const bad = await upload('0'.repeat(64));
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/checksum mismatch/);
      expect(existsSync(`${dir}/runtimes/r1/.ok`)).toBe(false);
      expect(existsSync(`${dir}/runtimes/r1/rt`)).toBe(false);
      const good = await upload(createHash('sha256').update(body).digest('hex'));
      expect(good.stdout).toContain('uploaded');
      expect(existsSync(`${dir}/runtimes/r1/.ok`)).toBe(true);
    } finally {
      conn.close();
    }
  }, 30_000);

  test('secrets reach neither the log nor the progress events', async () => {
    const { Writable } = await import('node:stream');
    const pino = (await import('pino')).default;
    let logged = '';
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((logged += c.toString()), cb()) });
    const progress = progressRecorder();
    const svcLogged = deployService({ store: app.store, ingestUrl: app.ingestUrl, progress, log: pino({ level: 'trace' }, sink) });
    const ok = await svcLogged.servers.create(serverFor(hosts[2]!, { name: 'logged-ok', password: true }));
    const bad = await svcLogged.servers.create({
      ...serverFor(hosts[2]!, { name: 'logged-bad' }),
      auth: { kind: 'password', password: 'wrong-secret-pw' },
    });
    const run = await svcLogged.deployer.wait((await svcLogged.deployer.start('install', [ok.id, bad.id], 2)).id);
    expect(run!.targets.map((t) => t.status)).toEqual(['ok', 'failed']);
    const token = svcLogged.servers.secretsOf((await svcLogged.servers.get(ok.id))!).agentToken!;
    expect(logged).toContain('deploy run finished');
    const published = JSON.stringify(progress.events) + JSON.stringify(run);
    for (const secret of [hosts[2]!.password, 'wrong-secret-pw', token, hosts[2]!.privateKey.split('\n')[1]!]) {
      expect(logged).not.toContain(secret);
      expect(published).not.toContain(secret);
    }
    await svcLogged.deployer.wait((await svcLogged.deployer.start('uninstall', [ok.id], 1)).id);
  }, 90_000);

  test('two runs never work on one server at once', async () => {
    const s = await svc.servers.create(serverFor(hosts[0]!, { name: 'contended' }));
    const [a, b] = await Promise.all([svc.deployer.start('uninstall', [s.id], 1), svc.deployer.start('uninstall', [s.id], 1)]);
    const runs = await Promise.all([svc.deployer.wait(a.id), svc.deployer.wait(b.id)]);
    const errors = runs.map((r) => r!.targets[0]!.error);
    expect(errors.filter((e) => e === null)).toHaveLength(1);
    expect(errors.find((e) => e !== null)).toMatch(/another deploy run is working on this server/);
  }, 30_000);

  test('through a jump server', async () => {
    const jump = await svc.servers.create(serverFor(hosts[0]!, { name: 'jump' }));
    await svc.probe(jump.id); // records the jump server's key
    const behind = await svc.servers.create(serverFor(hosts[2]!, { name: 'behind', jumpServerId: jump.id }));
    const viaJump = hosts[0]!.connections();
    await expect(svc.probe(behind.id)).resolves.toMatchObject({ arch: 'x64' });
    expect((await svc.servers.get(behind.id))!.hostKey!.fingerprint).toBe(hosts[2]!.fingerprint);
    expect(await svc.scanHostKey(behind.id)).toMatchObject({ fingerprint: hosts[2]!.fingerprint, matches: true });
    expect(hosts[0]!.connections() - viaJump).toBe(2); // the probe and the scan both went through the jump server
  }, 30_000);
});

describe.skipIf(!sshdAvailable())('deployer: sudo', () => {
  let h: SshdHost;
  let target: StoreTarget;
  let app: TestApp;
  let svc: DeployService;

  beforeAll(async () => {
    [h, target] = [await startSshd({ sudo: true }), sqliteTarget()];
    app = await startTestApp(target);
    svc = deployService({ store: app.store, ingestUrl: app.ingestUrl });
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await app?.stop();
    await h?.cleanup();
    await target?.cleanup();
  });

  test('a wrong sudo password is reported as such', async () => {
    const s = await svc.servers.create(
      serverFor(h, { name: 'sudo-wrong', become: { method: 'sudo', password: 'wrong' }, installDir: `${h.dir}/sys-wrong` }),
    );
    const run = await svc.deployer.wait((await svc.deployer.start('install', [s.id], 1)).id);
    expect(run!.targets[0]!.error).toMatch(/sudo refused the stored password/);
  }, 60_000);

  test('install as root through sudo (password on stdin): a service user owns the data, the agent reports', async () => {
    const dir = `${h.dir}/sys`;
    const s = await svc.servers.create(
      serverFor(h, { name: 'sudo-ok', become: { method: 'sudo', password: h.password }, installDir: dir }),
    );
    const run = await svc.deployer.wait((await svc.deployer.start('install', [s.id], 1)).id);
    expect(run!.targets[0]).toMatchObject({ status: 'ok', error: null });
    const { statSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    const uid = Number(execFileSync('id', ['-u', 'watchtower-agent']).toString());
    expect(statSync(`${dir}/data`).uid).toBe(uid);
    expect(statSync(`${dir}/agent.json`).mode & 0o007).toBe(0);
    const un = await svc.deployer.wait((await svc.deployer.start('uninstall', [s.id], 1)).id);
    expect(un!.targets[0]!.status).toBe('ok');
    expect(() => execFileSync('id', ['-u', 'watchtower-agent'], { stdio: 'ignore' })).toThrow();
  }, 90_000);
});

// Real OpenSSH daemons for deployer tests and benches: each host is `/usr/sbin/sshd -D -f <config>` on
// a loopback port with its own host key, its own user (created with useradd, home under the host's
// folder, so installs never collide on this shared filesystem) and its own authorized_keys. Needs root
// (useradd, sshd), as in CI. `SetEnv HOME` keeps sessions from reading root's slow ~/.bashrc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';

export interface SshdHost {
  name: string;
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** Private key (OpenSSH format) authorized for `user`. */
  privateKey: string;
  privateKeyFile: string;
  home: string;
  /** "SHA256:…" of the host key, as ssh-keygen -l prints it. */
  fingerprint: string;
  dir: string;
  /** SSH sessions (exec, shell, subsystem) sshd started since it started, from its own log. */
  sessions(): number;
  /** TCP connections sshd accepted (each SSH login, whether or not it opens sessions). */
  connections(): number;
  /** Replaces the host key (a "changed" host) and restarts sshd. */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

export const sshdAvailable = (): boolean => {
  try {
    execFileSync('/usr/sbin/sshd', ['-V'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const run = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

let counter = 0;
/** Starts one sshd host with a fresh user `wt<pid><n>` (passwords and keys random per host). */
export async function startSshd(opts: { sudo?: boolean; name?: string } = {}): Promise<SshdHost> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  const dir = mkdtempSync(join(tmpdir(), 'wt-sshd-'));
  chmodSync(dir, 0o755);
  const user = `wt${process.pid % 100000}x${++counter}${Math.random().toString(36).slice(2, 5)}`;
  const home = join(dir, 'home');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  run('useradd', ['-m', '-d', home, '-s', '/bin/sh', user]);
  run('chpasswd', [], `${user}:${password}\n`);
  if (opts.sudo) writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) ALL\n`, { mode: 0o440 });

  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  const clientKey = join(dir, 'client_key');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  mkdirSync(join(dir, 'authorized'), { mode: 0o755 });
  writeFileSync(join(dir, 'authorized', user), readFileSync(`${clientKey}.pub`), { mode: 0o644 });

  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized')}/%u`,
      `AllowUsers ${user}`,
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PrintMotd no',
      'MaxSessions 20',
      'MaxStartups 100',
      'LogLevel VERBOSE',
      `SetEnv HOME=${home}`,
      'AllowTcpForwarding yes',
      '',
    ].join('\n'),
  );
  const fp = () => run('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')]).split(' ')[1]!;

  let proc: ChildProcess | null = null;
  let sessions = 0;
  let connections = 0;
  const host: SshdHost = {
    name: opts.name ?? user,
    host: '127.0.0.1',
    port,
    user,
    password,
    privateKey: readFileSync(clientKey, 'utf8'),
    privateKeyFile: clientKey,
    home,
    fingerprint: fp(),
    dir,
    sessions: () => sessions,
    connections: () => connections,
    async start() {
      proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => {
        const text = d.toString();
        sessions += text.match(/Starting session: /g)?.length ?? 0;
        connections += text.match(/Connection from /g)?.length ?? 0;
        if (err.length < 10_000) err += text;
      });
      await waitForPort(port, () => (proc!.exitCode !== null ? `sshd exited: ${err}` : null));
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
    async rotateHostKey() {
      await host.stop();
      rmSync(join(dir, 'host_key'));
      rmSync(join(dir, 'host_key.pub'));
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
      host.fingerprint = fp();
      await host.start();
    },
    async cleanup() {
      await host.stop();
      // Anything the deployer left running as this user (a supervised agent) goes with it.
      try {
        execFileSync('pkill', ['-KILL', '-u', user], { stdio: 'ignore' });
      } catch {
        /* nothing running */
      }
      try {
        run('userdel', [user]);
      } catch {
        /* processes still exiting: the user is removed with its next cleanup */
      }
      rmSync(`/etc/sudoers.d/${user}`, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await host.start();
  return host;
}

export async function waitForPort(port: number, failed: () => string | null, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd on port ${port} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts n hosts in parallel. */
export async function startSshdHosts(n: number, opts: { sudo?: boolean } = {}): Promise<SshdHost[]> {
  return Promise.all(Array.from({ length: n }, () => startSshd(opts)));
}

// A test host where systemd really is PID 1 (systemd-host.sh: its own PID, mount, UTS and cgroup
// namespaces, an overlay over this machine's / as its root, the machine's network), running only an
// sshd that lets root in with a key. The deployer logs in like on any server; tests look inside with
// nsenter (systemctl, /proc of the agent). Needs root, util-linux (unshare, nsenter) and systemd.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './sshd.js';

const SYSTEMD = '/lib/systemd/systemd';
const SCRIPT = fileURLToPath(new URL('./systemd-host.sh', import.meta.url));

/** Why a systemd host cannot start here, or null when it can. */
export function systemdHostUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (namespaces, mounts and cgroups need it)';
  if (!existsSync(SYSTEMD)) return `no ${SYSTEMD} (apt-get install systemd)`;
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (apt-get install openssh-server)';
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'findmnt'])
    if (spawnSync(tool, ['--version']).status !== 0) return `no ${tool} (util-linux)`;
  if (!readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')) return 'the kernel has no overlayfs';
  // Root in an unprivileged container may still be refused namespaces or mounts.
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount', '--uts', '--cgroup', '--', 'mount', '-t', 'tmpfs', 'probe', '/mnt'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return `cannot make namespaces or mount here: ${probe.stderr.trim()}`;
  return null;
}

export interface SystemdHost {
  name: string;
  host: '127.0.0.1';
  port: number;
  user: 'root';
  password: string;
  privateKey: string;
  fingerprint: string;
  dir: string;
  /** PID of the host's systemd (PID 1 inside), as this machine sees it. */
  pid: number;
  /** Runs a shell script inside the host (all its namespaces but the network): stdout, exit code. */
  sh(script: string): { stdout: string; stderr: string; code: number };
  /** What the host's systemd logged (journal) and printed (console), for failure messages. */
  logs(): string;
  cleanup(): Promise<void>;
}

const SSHD_UNIT = `[Unit]
Description=sshd for the Watchtower deployer
[Service]
ExecStartPre=/bin/mkdir -p /run/sshd
ExecStart=/usr/sbin/sshd -D -e -f /etc/wt-sshd/sshd_config
`;
// The boot target: sshd and the journal only, none of the machine's enabled units.
const TARGET = `[Unit]
Description=Watchtower test host
Wants=wt-sshd.service systemd-journald.socket
`;

export async function startSystemdHost(opts: { name?: string } = {}): Promise<SystemdHost> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-systemd-'));
  const files = join(dir, 'files');
  for (const d of ['rw', 'root', 'files/etc/wt-sshd', 'files/etc/systemd/system', 'files/var/lib/wt-root'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'console.log'), '');
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  keygen(join(files, 'etc/wt-sshd/host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(files, 'etc/wt-sshd/authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const port = await freePort();
  writeFileSync(
    join(files, 'etc/wt-sshd/sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      'HostKey /etc/wt-sshd/host_key',
      'PidFile /run/wt-sshd.pid',
      'AuthorizedKeysFile /etc/wt-sshd/authorized_keys',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PrintMotd no',
      'MaxStartups 100',
      // root's ~/.bashrc on this machine (pyenv init) costs seconds per session.
      'SetEnv HOME=/var/lib/wt-root',
      '',
    ].join('\n'),
  );
  writeFileSync(join(files, 'etc/systemd/system/wt-sshd.service'), SSHD_UNIT);
  writeFileSync(join(files, 'etc/systemd/system/wt-host.target'), TARGET);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(files, 'etc/wt-sshd/host_key.pub')])
    .toString()
    .split(' ')[1]!;

  const proc: ChildProcess = spawn('/bin/sh', [SCRIPT, 'boot', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    if (err.length < 10_000) err += d.toString();
  });
  const pidOf = () => Number(existsSync(join(dir, 'pid')) ? readFileSync(join(dir, 'pid'), 'utf8') : 0);
  const inside = (args: string[], input?: string) =>
    spawnSync('nsenter', ['-t', String(pidOf()), '-m', '-u', '-p', '-C', '--', ...args], { input, encoding: 'utf8' });

  const host: SystemdHost = {
    name: opts.name ?? `systemd-${port}`,
    host: '127.0.0.1',
    port,
    user: 'root',
    password: '',
    privateKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    fingerprint,
    dir,
    pid: 0,
    sh(script) {
      const r = inside(['/bin/sh', '-s'], script);
      return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status ?? -1 };
    },
    logs() {
      const journal = pidOf() ? inside(['journalctl', '--no-pager', '-n', '200']).stdout : '';
      return `${err}\n--- console\n${readFileSync(join(dir, 'console.log'), 'utf8').slice(-5000)}\n--- journal\n${journal}`;
    },
    async cleanup() {
      const pid = pidOf();
      if (proc.exitCode === null) {
        // SIGRTMIN+4 asks systemd to power off; as a container's PID 1 it then exits.
        if (pid) spawnSync('kill', ['-s', 'RTMIN+4', String(pid)]);
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        const late = setTimeout(() => proc.kill('SIGKILL'), 10_000); // unshare --kill-child ends the namespace
        await exited;
        clearTimeout(late);
      }
      // Remove the cgroups made for it, deepest first (systemd's own slices inside them are empty now).
      const cgroups = existsSync(join(dir, 'cgroups')) ? readFileSync(join(dir, 'cgroups'), 'utf8').trim().split('\n') : [];
      for (const line of cgroups.filter(Boolean)) {
        const d = line.split(' ')[3]!;
        spawnSync('find', [d, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPort(port, () => (proc.exitCode !== null ? `the systemd host exited (${proc.exitCode}): ${host.logs()}` : null), 20_000);
    host.pid = pidOf();
    const state = inside(['systemctl', 'is-system-running', '--wait']).stdout.trim();
    if (state !== 'running') throw new Error(`the systemd host is ${state}, not running:\n${host.logs()}`);
  } catch (e) {
    await host.cleanup();
    throw e;
  }
  return host;
}

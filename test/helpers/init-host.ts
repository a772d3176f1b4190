// Test hosts with a real init system as PID 1 (init-host.sh: own PID, mount, UTS and cgroup
// namespaces, an overlay over this machine's / as root, the machine's network), running only an sshd
// that lets root in with a key. systemd: the machine's systemd 252, booted into a target of our own.
// OpenRC: openrc-init from Debian's packages, unpacked into the overlay only (installing them here
// would fight systemd-sysv). The deployer logs in like on any server; tests look inside with nsenter.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './sshd.js';

export type InitKind = 'systemd' | 'openrc';

const SCRIPT = fileURLToPath(new URL('./init-host.sh', import.meta.url));
const SYSTEMD = '/lib/systemd/systemd';
/** Where .ci/run puts `apt-get download openrc libeinfo1 librc1`. */
export const OPENRC_DEBS = process.env.WATCHTOWER_TEST_OPENRC_DEBS ?? '/var/cache/watchtower-test/openrc';
const OPENRC_PACKAGES = ['openrc', 'libeinfo1', 'librc1'];

const debsOf = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.deb')) : []);

/** Why a host of this kind cannot start here, or null when it can. */
export function initHostUnavailable(kind: InitKind): string | null {
  if (process.getuid?.() !== 0) return 'not root (namespaces, mounts and cgroups need it)';
  if (kind === 'systemd' && !existsSync(SYSTEMD)) return `no ${SYSTEMD} (apt-get install systemd)`;
  if (kind === 'openrc') {
    const missing = OPENRC_PACKAGES.filter((p) => !debsOf(OPENRC_DEBS).some((f) => f.startsWith(`${p}_`)));
    if (missing.length)
      return `no ${missing.join(', ')} package in ${OPENRC_DEBS} (mkdir -p ${OPENRC_DEBS} && cd ${OPENRC_DEBS} && apt-get download ${OPENRC_PACKAGES.join(' ')}; .ci/run does)`;
    if (spawnSync('dpkg-deb', ['--version']).status !== 0) return 'no dpkg-deb to unpack the OpenRC packages';
  }
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

export interface InitHost {
  kind: InitKind;
  name: string;
  host: '127.0.0.1';
  port: number;
  user: 'root';
  password: string;
  privateKey: string;
  fingerprint: string;
  dir: string;
  /** PID of the host's init (PID 1 inside), as this machine sees it. */
  pid: number;
  /** Runs a shell script inside the host (all its namespaces but the network): stdout, exit code. */
  sh(script: string): { stdout: string; stderr: string; code: number };
  /** sh, where a non-zero exit fails with the host's logs; answers stdout, trimmed. */
  run(script: string): string;
  /** run, reading the `key=value` lines it prints. */
  facts(script: string): Record<string, string>;
  /** What the host's init printed (console) and logged, for failure messages. */
  logs(): string;
  cleanup(): Promise<void>;
}

const SSHD_ARGS = '-D -e -f /etc/wt-sshd/sshd_config';

/** systemd: sshd and the journal only, none of the machine's enabled units. */
function systemdFiles(files: string): string {
  const units = join(files, 'etc/systemd/system');
  mkdirSync(units, { recursive: true });
  writeFileSync(
    join(units, 'wt-sshd.service'),
    `[Unit]\nDescription=sshd for the Watchtower deployer\n[Service]\nExecStartPre=/bin/mkdir -p /run/sshd\nExecStart=/usr/sbin/sshd ${SSHD_ARGS}\n`,
  );
  writeFileSync(join(units, 'wt-host.target'), '[Unit]\nDescription=Watchtower test host\nWants=wt-sshd.service systemd-journald.socket\n');
  return `${SYSTEMD} --system --unit=wt-host.target --log-target=console`;
}

/** OpenRC: the packages unpacked, sshd alone in the default runlevel under supervise-daemon. */
function openrcFiles(files: string): string {
  for (const deb of debsOf(OPENRC_DEBS)) execFileSync('dpkg-deb', ['-x', join(OPENRC_DEBS, deb), files]);
  rmSync(join(files, 'usr/share'), { recursive: true, force: true });
  // Packages name /sbin and /lib; here those are links into /usr (merged /usr), which cp cannot replace.
  for (const d of ['bin', 'sbin', 'lib']) {
    if (!existsSync(join(files, d))) continue;
    mkdirSync(join(files, 'usr', d), { recursive: true });
    execFileSync('cp', ['-a', `${join(files, d)}/.`, join(files, 'usr', d)]);
    rmSync(join(files, d), { recursive: true });
  }
  const conf = join(files, 'etc/rc.conf');
  // lxc: what OpenRC calls a container (it would not recognise container=other). Nothing here
  // provides "net", which the agent's script needs: OpenRC then starts it anyway, as on such hosts.
  writeFileSync(conf, `${readFileSync(conf, 'utf8')}\nrc_sys="lxc"\n`);
  writeFileSync(join(files, 'etc/insserv.conf'), ''); // Debian's OpenRC reads it (and the .d) for LSB scripts
  mkdirSync(join(files, 'etc/insserv.conf.d'));
  const script = join(files, 'etc/init.d/wt-sshd');
  writeFileSync(
    script,
    [
      '#!/sbin/openrc-run',
      'supervisor=supervise-daemon',
      'command=/usr/sbin/sshd',
      `command_args="${SSHD_ARGS}"`,
      'output_log=/var/log/wt-sshd.log',
      'error_log=/var/log/wt-sshd.log',
      'start_pre() { mkdir -p /run/sshd; }',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  symlinkSync('/etc/init.d/wt-sshd', join(files, 'etc/runlevels/default/wt-sshd'));
  return '/sbin/openrc-init';
}

export async function startInitHost(kind: InitKind, opts: { name?: string } = {}): Promise<InitHost> {
  const dir = mkdtempSync(join(tmpdir(), `wt-${kind}-`));
  const files = join(dir, 'files');
  for (const d of ['rw', 'root', 'files/etc/wt-sshd', 'files/var/lib/wt-root']) mkdirSync(join(dir, d), { recursive: true });
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
  writeFileSync(join(dir, 'init'), (kind === 'systemd' ? systemdFiles(files) : openrcFiles(files)) + '\n');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(files, 'etc/wt-sshd/host_key.pub')])
    .toString()
    .split(' ')[1]!;

  // What the boot script and PID 1 print (openrc-init's progress, errors) goes to boot.log.
  const out = openSync(join(dir, 'boot.log'), 'a');
  const proc: ChildProcess = spawn('/bin/sh', [SCRIPT, 'boot', dir], { stdio: ['ignore', out, out] });
  closeSync(out);
  const tail = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').slice(-5000) : '');
  const pidOf = () => Number(existsSync(join(dir, 'pid')) ? readFileSync(join(dir, 'pid'), 'utf8') : 0);
  const inside = (args: string[], input?: string) =>
    spawnSync('nsenter', ['-t', String(pidOf()), '-m', '-u', '-p', '-C', '--', ...args], { input, encoding: 'utf8' });

  const host: InitHost = {
    kind,
    name: opts.name ?? `${kind}-${port}`,
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
    run(script) {
      const r = host.sh(script);
      if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}\n${r.stdout}\n${host.logs()}`);
      return r.stdout.trim();
    },
    facts(script) {
      return Object.fromEntries(
        host
          .run(script)
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    },
    logs() {
      const log =
        kind === 'systemd'
          ? 'journalctl --no-pager -n 200'
          : 'tail -n 50 /var/log/wt-sshd.log /opt/watchtower-agent/data/agent.log 2>/dev/null; rc-status -a';
      const more = pidOf() ? inside(['/bin/sh', '-c', log]).stdout : '';
      return `--- boot\n${tail('boot.log')}\n--- console\n${tail('console.log')}\n--- log\n${more}`;
    },
    async cleanup() {
      const pid = pidOf();
      if (proc.exitCode === null) {
        // SIGRTMIN+4 asks systemd to power off, and as a container's PID 1 it then exits; openrc-init
        // would take seconds, and nothing inside needs a clean stop: killing PID 1 ends the namespace.
        if (pid && kind === 'systemd') spawnSync('kill', ['-s', 'RTMIN+4', String(pid)]);
        else proc.kill('SIGKILL'); // unshare --kill-child takes PID 1 with it
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        const late = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(late);
      }
      // Remove the cgroups made for it, deepest first. The namespace's processes may still be exiting
      // when unshare has (a cgroup with tasks cannot be removed): retry for a while.
      const cgroups = existsSync(join(dir, 'cgroups')) ? readFileSync(join(dir, 'cgroups'), 'utf8').trim().split('\n') : [];
      const made = cgroups.filter(Boolean).map((line) => line.split(' ')[3]!);
      for (let i = 0; i < 50 && made.some((d) => existsSync(d)); i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        for (const d of made) if (existsSync(d)) spawnSync('find', [d, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPort(port, () => (proc.exitCode !== null ? `the ${kind} host exited (${proc.exitCode}): ${host.logs()}` : null), 20_000);
    host.pid = pidOf();
    if (kind === 'systemd') {
      const state = inside(['systemctl', 'is-system-running', '--wait']).stdout.trim();
      if (state !== 'running') throw new Error(`the systemd host is ${state}, not running:\n${host.logs()}`);
    }
  } catch (e) {
    await host.cleanup();
    throw e;
  }
  return host;
}

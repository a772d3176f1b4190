// The probe: one shell script, one SSH session, printing key=value lines about the host and the agent
// installed there. It runs as the login user (never through sudo), so it works before we know
// whether sudo needs a password.
import type { ProbeResult } from '../../shared/contract/deploy.js';
import { DeployError } from './errors.js';
import { shq } from './shell.js';

export function probeScript(installDir: string): string {
  return `D=${shq(installDir)}
case "$D" in "~/"*) D="$HOME/\${D#\\~/}";; esac
echo "os=$( (. /etc/os-release 2>/dev/null && echo "\${PRETTY_NAME:-}") || uname -s)"
echo "kernel=$(uname -r)"
echo "arch=$(uname -m)"
if ls /lib/ld-musl-* >/dev/null 2>&1; then echo libc=musl
elif getconf GNU_LIBC_VERSION >/dev/null 2>&1 || ls /lib*/ld-linux* /lib/*/ld-linux* >/dev/null 2>&1; then echo libc=glibc
else echo libc=unknown; fi
grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo avx2=1 || echo avx2=0
if [ -d /run/systemd/system ]; then echo init=systemd
elif [ -x /sbin/openrc-run ] && [ -d /run/openrc ]; then echo init=openrc
else echo init=none; fi
echo "uid=$(id -u)"
if command -v sudo >/dev/null 2>&1; then echo sudo=1; sudo -n true 2>/dev/null && echo sudo_nopasswd=1; fi
P="$D"; while [ ! -d "$P" ]; do P=$(dirname "$P"); done
echo "free_kb=$(df -Pk "$P" 2>/dev/null | awk 'NR==2 {print $4}')"
echo "dir=$D"
if [ -f "$D/state" ]; then sed 's/^/state_/' "$D/state"; fi
for r in "$D"/runtimes/*/.ok; do [ -f "$r" ] && echo "runtime_ok=$(basename "$(dirname "$r")")"; done
running=0
if [ -f "$D/data/supervisor.pid" ] && [ -d "/proc/$(cat "$D/data/supervisor.pid")" ]; then running=1
elif [ -d /run/systemd/system ] && systemctl is-active --quiet watchtower-agent 2>/dev/null; then running=1
elif command -v rc-service >/dev/null 2>&1 && rc-service watchtower-agent status >/dev/null 2>&1; then running=1; fi
echo "running=$running"
echo probe=done
`;
}

export interface ProbeFacts {
  result: ProbeResult;
  dir: string;
  sudoNoPassword: boolean;
  /** Runtime hashes verified present on the host. */
  runtimes: string[];
  state: Record<string, string>;
}

export function parseProbe(stdout: string, at: number): ProbeFacts {
  const kv = new Map<string, string>();
  const runtimes: string[] = [];
  const state: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1).trim();
    if (k === 'runtime_ok') runtimes.push(v);
    else if (k.startsWith('state_')) state[k.slice(6)] = v;
    else kv.set(k, v);
  }
  if (kv.get('probe') !== 'done') throw new DeployError('probe', `the probe did not finish: ${stdout.slice(-300) || '(no output)'}`);
  const machine = kv.get('arch') ?? '';
  const arch = machine === 'x86_64' || machine === 'amd64' ? 'x64' : machine === 'aarch64' || machine === 'arm64' ? 'arm64' : machine;
  const freeKb = Number(kv.get('free_kb'));
  const root = kv.get('uid') === '0';
  const installed = Boolean(state.version && state.bundle_sha256);
  return {
    dir: kv.get('dir') ?? '',
    sudoNoPassword: kv.get('sudo_nopasswd') === '1',
    runtimes,
    state,
    result: {
      os: kv.get('os') || 'unknown',
      kernel: kv.get('kernel') ?? '',
      arch,
      libc: (['glibc', 'musl'].includes(kv.get('libc') ?? '') ? kv.get('libc') : 'unknown') as ProbeResult['libc'],
      avx2: kv.get('avx2') === '1',
      init: (['systemd', 'openrc'].includes(kv.get('init') ?? '') ? kv.get('init') : 'none') as ProbeResult['init'],
      root,
      sudo: kv.get('sudo') === '1',
      freeDiskBytes: Number.isFinite(freeKb) && kv.get('free_kb') !== '' ? freeKb * 1024 : null,
      agent: {
        installed,
        version: state.version ?? null,
        runtimeSha256: state.runtime_sha256 ?? null,
        bundleSha256: state.bundle_sha256 ?? null,
        running: kv.get('running') === '1',
      },
      at,
    },
  };
}

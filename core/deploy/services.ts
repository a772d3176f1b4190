// Service definitions from the templates in resources/: a hardened systemd unit, an OpenRC script,
// and the supervisor for hosts where neither can be used. Placeholders are @NAME@.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServiceKind = 'systemd' | 'openrc' | 'user';
export const SERVICE_USER = 'watchtower-agent';

function resourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'resources', 'user', 'supervise.sh'))) return join(dir, 'resources');
    const up = dirname(dir);
    if (up === dir) throw new Error('resources/ (service templates) not found next to the Watchtower install');
    dir = up;
  }
}

const template = (rel: string) => readFileSync(join(resourcesDir(), rel), 'utf8');
const fill = (t: string, vars: Record<string, string>) => t.replace(/@([A-Z_]+)@/g, (m, k: string) => vars[k] ?? m);

/** systemd needs each argument quoted when it has spaces; ours never do, but refuse rather than break. */
const systemdArgs = (argv: string[]) => {
  for (const a of argv) if (!/^[A-Za-z0-9_./=:@%+-]+$/.test(a)) throw new Error(`cannot put "${a}" in a unit's ExecStart`);
  return argv.join(' ');
};

export interface ServiceFiles {
  argv: string[];
  installDir: string;
  dataDir: string;
  user: string;
}

export function systemdUnit(f: ServiceFiles): string {
  return fill(template('systemd/watchtower-agent.service'), {
    USER: f.user,
    COMMAND: systemdArgs(f.argv),
    INSTALL_DIR: f.installDir,
    DATA_DIR: f.dataDir,
  });
}

export function openrcScript(f: ServiceFiles): string {
  const [runtime, ...args] = f.argv;
  return fill(template('openrc/watchtower-agent'), {
    USER: f.user,
    RUNTIME: runtime!,
    ARGS: systemdArgs(args),
    DATA_DIR: f.dataDir,
  });
}

export const supervisorScript = (): string => template('user/supervise.sh');

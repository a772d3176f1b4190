// Agent settings from flags, WATCHTOWER_AGENT_* variables and an optional JSON file (the deployer
// writes one), in that order of precedence.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface AgentConfig {
  server: string;
  token: string;
  intervalMs: number;
  dataDir: string;
  bufferBytes: number;
  logFiles: string[];
  procRoot: string;
  sysRoot: string;
  rootfs: string;
  topProcesses: number;
  /** How often the process list is scanned (the costliest collector: ~50 µs per process). */
  processIntervalMs: number;
  /** Longest wait between delivery attempts. */
  backoffMaxMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const AGENT_HELP = `Usage: watchtower-agent --server URL --token TOKEN [options]

  --server URL        the Watchtower instance's ingest listener (e.g. http://10.0.0.5:7801)
  --token TOKEN       this host's agent token (from "add host")
  --interval SEC      seconds between samples (default 10)
  --data-dir DIR      buffer and state (default /var/lib/watchtower-agent)
  --buffer-mb MB      on-disk buffer bound; oldest batches go first when full (default 64)
  --log-file PATH     a log file to follow (repeatable)
  --proc-root DIR     procfs mount (default /proc)   --sys-root DIR  sysfs mount (default /sys)
  --rootfs DIR        host root prefix for statfs and /etc (default "", for containers: /host)
  --top N             top processes by CPU and by memory (default 10)
  --process-interval SEC  seconds between process-list scans (default 30; at least the interval)
  --backoff-max SEC   longest wait between delivery attempts while the server is away (default 60)
  --log-level LEVEL   debug|info|warn|error (default info)
  --config FILE       JSON file with the same settings (server, token, intervalSec, …)

Each flag can also be set as WATCHTOWER_AGENT_<FLAG> (e.g. WATCHTOWER_AGENT_TOKEN).`;

export class AgentConfigError extends Error {}

export function loadAgentConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      interval: { type: 'string' },
      'data-dir': { type: 'string' },
      'buffer-mb': { type: 'string' },
      'log-file': { type: 'string', multiple: true },
      'proc-root': { type: 'string' },
      'sys-root': { type: 'string' },
      rootfs: { type: 'string' },
      top: { type: 'string' },
      'process-interval': { type: 'string' },
      'backoff-max': { type: 'string' },
      'log-level': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const file = values.config ?? env.WATCHTOWER_AGENT_CONFIG;
  const fromFile: Record<string, unknown> = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const pick = (flag: string, key: string): string | undefined => {
    const v = (values as Record<string, unknown>)[flag];
    if (typeof v === 'string') return v;
    const e = env[`WATCHTOWER_AGENT_${flag.replace(/-/g, '_').toUpperCase()}`];
    if (e !== undefined) return e;
    return fromFile[key] === undefined ? undefined : String(fromFile[key]);
  };
  const num = (flag: string, key: string, dflt: number, min: number): number => {
    const raw = pick(flag, key);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new AgentConfigError(`--${flag} must be a number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const server = pick('server', 'server');
  const token = pick('token', 'token');
  if (!server) throw new AgentConfigError('--server is required (the Watchtower URL)');
  if (!token) throw new AgentConfigError("--token is required (the host's agent token)");
  try {
    new URL(server);
  } catch {
    throw new AgentConfigError(`--server must be a URL like http://host:7801, got "${server}"`);
  }
  const level = pick('log-level', 'logLevel') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new AgentConfigError(`--log-level must be debug, info, warn or error`);
  const logFiles = values['log-file'] ?? env.WATCHTOWER_AGENT_LOG_FILE?.split(',') ?? (fromFile.logFiles as string[] | undefined) ?? [];
  return {
    server,
    token,
    intervalMs: Math.round(num('interval', 'intervalSec', 10, 1) * 1000),
    dataDir: pick('data-dir', 'dataDir') ?? '/var/lib/watchtower-agent',
    bufferBytes: Math.round(num('buffer-mb', 'bufferMb', 64, 0.01) * 1024 * 1024),
    logFiles,
    procRoot: pick('proc-root', 'procRoot') ?? '/proc',
    sysRoot: pick('sys-root', 'sysRoot') ?? '/sys',
    rootfs: pick('rootfs', 'rootfs') ?? '',
    topProcesses: num('top', 'topProcesses', 10, 1),
    processIntervalMs: Math.round(num('process-interval', 'processIntervalSec', 30, 1) * 1000),
    backoffMaxMs: Math.round(num('backoff-max', 'backoffMaxSec', 60, 0.1) * 1000),
    logLevel: level as AgentConfig['logLevel'],
  };
}

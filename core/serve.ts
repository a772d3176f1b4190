// `watchtower serve`: loads configuration, starts the core headless, and shuts down gracefully on
// SIGTERM/SIGINT (stop accepting, finish in-flight batches, close the store). A second signal exits
// at once.
import { parseArgs } from 'node:util';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { closest } from './config/env.js';

export const SERVE_HELP = `Usage: watchtower serve [options]

Starts Watchtower without a window: API, agent ingest, storage and background jobs.

Options:
  -c, --config FILE     YAML configuration file (default: $WATCHTOWER_CONFIG or <data dir>/watchtower.yaml)
  --data-dir DIR        where local state lives (default: ~/.watchtower)
  --database URL        postgres://… for team mode, or a SQLite file path (default: <data dir>/watchtower.db)
  --host HOST           address to listen on (default: 127.0.0.1)
  --port PORT           port to listen on (default: 7800; 0 picks a free one)
  --ingest-host HOST    address the agents' listener binds (default: 127.0.0.1)
  --ingest-port PORT    port of the agents' listener (default: 7801; 0 picks a free one)
  -h, --help            show this help

Every setting can also come from the environment: WATCHTOWER_HTTP_PORT, WATCHTOWER_DATABASE_URL, …`;

const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'ingest-host': { type: 'string' },
  'ingest-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The setting each flag sets, so a bad value is reported as coming from the flag. */
const FLAG_KEYS = {
  'data-dir': 'dataDir',
  database: 'database.url',
  host: 'http.host',
  port: 'http.port',
  'ingest-host': 'ingest.host',
  'ingest-port': 'ingest.port',
} as const;

export async function serve(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true }));
  } catch (err) {
    // A usage error (unknown flag, missing value, stray argument): say so, show the usage, exit 2.
    if (!(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw err;
    const unknown = /^Unknown option '(--?[^']+)'/.exec((err as Error).message)?.[1];
    const near = unknown?.startsWith('--') ? closest(unknown.slice(2), Object.keys(SERVE_OPTIONS)) : [];
    const hint = near.length ? ` (did you mean ${near.map((n) => `--${n}`).join(' or ')}?)` : '';
    console.error(`watchtower serve: ${(err as Error).message.split('. ')[0]}${hint}\n\n${SERVE_HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const overrides: Record<string, unknown> = {};
  const overrideSources: Record<string, string> = {};
  for (const [flag, key] of Object.entries(FLAG_KEYS)) {
    const value = values[flag as keyof typeof FLAG_KEYS];
    if (!value) continue;
    const [section, leaf] = key.split('.') as [string, string | undefined];
    if (leaf) overrides[section] = { ...(overrides[section] as object | undefined), [leaf]: value };
    else overrides[section] = value;
    overrideSources[key] = `--${flag}`;
  }

  let cfg;
  try {
    cfg = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides, overrideSources });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`watchtower: ${err.message}`);
      return 2;
    }
    throw err;
  }

  const app = await startApp(cfg);
  console.log(`Watchtower ${cfg.mode} mode (${app.store.kind}) listening on ${app.url}`);
  console.log(`Agents send to ${app.ingestUrl}`);
  // Printed once, never logged: whoever opens it first sets the owner's password.
  if (app.setupUrl) console.log(`First run: create the owner account at ${app.setupUrl} (the link works once, for 24 h)`);
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      app.log.info({ signal: sig }, 'shutting down');
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      app.stop().then(resolve, (err) => {
        app.log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return 0;
}

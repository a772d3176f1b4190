// What `watchtower serve` says when the environment stops a start that the configuration allowed:
// the database cannot be reached, a port is taken. Each message names what failed, the setting
// behind it and where that value came from, and what to check; Node's own error ("connect
// ECONNREFUSED 127.0.0.1:5999") stays at the end of the first line for searching.
import type { LoadedConfig } from './config/load.js';

export class StartupError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'StartupError';
  }
}

interface NodeError {
  code?: string;
  message?: string;
  errors?: { message?: string; code?: string }[];
}

/** The error's own text; Node's AggregateError (every address of a name refused) has none. */
function reason(err: unknown): string {
  const e = err as NodeError;
  return e.message || e.errors?.map((x) => x.message).join('; ') || e.code || String(err);
}

function codeOf(err: unknown): string | undefined {
  const e = err as NodeError;
  return e.code ?? e.errors?.find((x) => x.code)?.code;
}

/** The URL with its password (and a password= parameter) replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

const from = (cfg: LoadedConfig, key: string) => cfg.source.keys[key] ?? 'defaults';

export function databaseError(cfg: LoadedConfig, err: unknown): StartupError {
  const code = codeOf(err);
  if (!/^postgres(ql)?:\/\//.test(cfg.databaseUrl)) {
    const setting = cfg.source.keys['database.url']
      ? `database.url, from ${from(cfg, 'database.url')}`
      : `<dataDir>/watchtower.db; dataDir from ${from(cfg, 'dataDir')}`;
    return new StartupError(
      `cannot open the SQLite database ${cfg.databaseUrl} (${setting}): ${reason(err)}\n` +
        `  Check that its directory exists or can be created and that this user may write there, ` +
        `or choose another place with --data-dir or --database.`,
      err,
    );
  }
  const url = redactUrl(cfg.databaseUrl);
  let where = '';
  let database = '';
  try {
    const u = new URL(cfg.databaseUrl);
    where = `${u.hostname || 'localhost'}:${u.port || '5432'}`;
    database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username);
  } catch {
    // not a URL Node can parse: pg's own message says what is wrong with it
  }
  const hints: Record<string, string> = {
    ECONNREFUSED: `Nothing accepts connections at ${where}: check that PostgreSQL is running and listens there (listen_addresses and port in postgresql.conf), and the URL's host and port.`,
    ENOTFOUND: `The host name in the URL does not resolve: check its spelling and this machine's DNS.`,
    EAI_AGAIN: `The host name in the URL could not be resolved now: check this machine's DNS.`,
    ETIMEDOUT: `No answer from ${where}: check the URL's host and port and any firewall on the way.`,
    EHOSTUNREACH: `No route to ${where}: check the URL's host and the network.`,
    '28P01': `PostgreSQL refused the user name or password: check the user and password in the URL.`,
    '28000': `PostgreSQL does not accept this user from here: check that the role in the URL exists and that pg_hba.conf lets it connect from this machine.`,
    '3D000': `The database "${database}" does not exist: create it (createdb ${database}) or fix the name in the URL.`,
    '42501': `The user may not create or use schema "${cfg.database.schema}": grant it (GRANT CREATE ON DATABASE …) or set database.schema.`,
  };
  const timedOut = /timeout/i.test(reason(err));
  const hint =
    (code && hints[code]) ??
    (timedOut ? hints.ETIMEDOUT! : `Check the URL (host, port, user, password, database name) and that PostgreSQL is reachable from here.`);
  return new StartupError(
    `cannot connect to the database at ${url} (database.url, from ${from(cfg, 'database.url')}): ${reason(err)}\n  ${hint}`,
    err,
  );
}

export function listenError(cfg: LoadedConfig, which: 'api' | 'ingest', err: unknown): StartupError {
  const s =
    which === 'api'
      ? { name: 'API and dashboard', section: 'http', flag: '--port', hostFlag: '--host', env: 'WATCHTOWER_HTTP', ...cfg.http }
      : {
          name: "agents' ingest",
          section: 'ingest',
          flag: '--ingest-port',
          hostFlag: '--ingest-host',
          env: 'WATCHTOWER_INGEST',
          ...cfg.ingest,
        };
  const address = `${s.host}:${s.port}`;
  const portSetting = `${s.section}.port ${s.port}, from ${from(cfg, `${s.section}.port`)}`;
  const change = `choose another port with ${s.flag}, ${s.env}_PORT or ${s.section}.port in the config file (0 picks a free one)`;
  const code = codeOf(err);
  let what: string;
  let hint: string;
  if (code === 'EADDRINUSE' && which === 'api' && cfg.http.port === cfg.ingest.port) {
    what = `the agents' ingest listener of this Watchtower already uses port ${s.port} (http.port and ingest.port are both ${s.port})`;
    hint = `Give the two listeners different ports: --port and --ingest-port (defaults 7800 and 7801).`;
  } else if (code === 'EADDRINUSE') {
    what = `another process already listens on port ${s.port} (${portSetting})`;
    hint = `Stop it (\`ss -ltnp 'sport = :${s.port}'\` shows which one; another \`watchtower serve\`?), or ${change}.`;
  } else if (code === 'EACCES') {
    what = `this user may not listen on port ${s.port} (${portSetting})`;
    hint = `Ports below 1024 need root or CAP_NET_BIND_SERVICE: ${change}, and put a reverse proxy in front if it must be 80 or 443.`;
  } else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    what = `${s.host} is not an address of this machine (${s.section}.host, from ${from(cfg, `${s.section}.host`)})`;
    hint = `Use one of its addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (every interface): ${s.hostFlag} or ${s.section}.host.`;
  } else {
    what = `it failed (${portSetting})`;
    hint = `Check ${s.section}.host and ${s.section}.port (${s.hostFlag}, ${s.flag}).`;
  }
  return new StartupError(`the ${s.name} listener cannot listen on ${address}: ${what}: ${reason(err)}\n  ${hint}`, err);
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/load.js';
import { databaseError, listenError, redactUrl } from './startup-errors.js';

const cfg = (env: Record<string, string> = {}) => loadConfig({ env: { HOME: mkdtempSync(join(tmpdir(), 'wt-se-')), ...env } });
const err = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('start-up errors', () => {
  it('hides passwords in database URLs', () => {
    expect(redactUrl('postgres://wt:hunter2@db:5432/wt')).toBe('postgres://wt:***@db:5432/wt');
    expect(redactUrl('postgres://wt@db/wt?password=hunter2&sslmode=require')).toBe('postgres://wt@db/wt?password=***&sslmode=require');
    expect(redactUrl('postgres://wt@db/wt')).toBe('postgres://wt@db/wt');
  });

  it.each([
    ['28P01', 'password authentication failed for user "wt"', 'refused the user name or password'],
    ['3D000', 'database "wt" does not exist', 'The database "wt" does not exist: create it (createdb wt)'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND db', 'The host name in the URL does not resolve'],
  ])('says what to check for a PostgreSQL %s', (code, message, hint) => {
    const e = databaseError(cfg({ WATCHTOWER_DATABASE_URL: 'postgres://wt:hunter2@db/wt' }), err(code, message));
    const [first, second] = e.message.split('\n');
    expect(first).toBe(
      `cannot connect to the database at postgres://wt:***@db/wt (database.url, from WATCHTOWER_DATABASE_URL): ${message}`,
    );
    expect(second).toContain(hint);
  });

  it("gives Node's AggregateError (every address refused) a message", () => {
    const agg = Object.assign(
      new AggregateError([
        err('ECONNREFUSED', 'connect ECONNREFUSED ::1:5999'),
        err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5999'),
      ]),
      {
        code: 'ECONNREFUSED',
      },
    );
    const e = databaseError(cfg({ WATCHTOWER_DATABASE_URL: 'postgres://wt@localhost:5999/wt' }), agg);
    expect(e.message).toContain(
      '): connect ECONNREFUSED ::1:5999; connect ECONNREFUSED 127.0.0.1:5999\n  Nothing accepts connections at localhost:5999',
    );
  });

  it('names the SQLite file and the data dir it is in', () => {
    const c = cfg({ WATCHTOWER_DATA_DIR: '/nonexistent/wt' });
    expect(databaseError(c, err('EACCES', "EACCES: permission denied, mkdir '/nonexistent'")).message).toBe(
      "cannot open the SQLite database /nonexistent/wt/watchtower.db (<dataDir>/watchtower.db; dataDir from WATCHTOWER_DATA_DIR): EACCES: permission denied, mkdir '/nonexistent'\n" +
        '  Check that its directory exists or can be created and that this user may write there, or choose another place with --data-dir or --database.',
    );
  });

  it('a privileged port and a foreign address name the listener and the setting', () => {
    const c = cfg({ WATCHTOWER_INGEST_PORT: '443', WATCHTOWER_HTTP_HOST: '10.9.9.9' });
    expect(listenError(c, 'ingest', err('EACCES', 'listen EACCES: permission denied 127.0.0.1:443')).message).toBe(
      "the agents' ingest listener cannot listen on 127.0.0.1:443: this user may not listen on port 443 (ingest.port 443, from WATCHTOWER_INGEST_PORT): listen EACCES: permission denied 127.0.0.1:443\n" +
        '  Ports below 1024 need root or CAP_NET_BIND_SERVICE: choose another port with --ingest-port, WATCHTOWER_INGEST_PORT or ingest.port in the config file (0 picks a free one), and put a reverse proxy in front if it must be 80 or 443.',
    );
    expect(listenError(c, 'api', err('EADDRNOTAVAIL', 'listen EADDRNOTAVAIL: address not available 10.9.9.9:7800')).message).toBe(
      'the API and dashboard listener cannot listen on 10.9.9.9:7800: 10.9.9.9 is not an address of this machine (http.host, from WATCHTOWER_HTTP_HOST): listen EADDRNOTAVAIL: address not available 10.9.9.9:7800\n' +
        '  Use one of its addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (every interface): --host or http.host.',
    );
  });
});

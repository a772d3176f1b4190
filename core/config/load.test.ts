import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';
import { configKeys, envName } from './env.js';

const home = () => mkdtempSync(join(tmpdir(), 'wt-cfg-'));

describe('configuration', () => {
  it('defaults to local mode with SQLite in ~/.watchtower', () => {
    const HOME = home();
    const cfg = loadConfig({ env: { HOME } });
    expect(cfg).toMatchObject({
      mode: 'local',
      dataDir: join(HOME, '.watchtower'),
      databaseUrl: join(HOME, '.watchtower', 'watchtower.db'),
    });
    expect(cfg.http).toEqual({ host: '127.0.0.1', port: 7800, publicUrl: '', trustProxy: false });
    expect(cfg.retention).toMatchObject({ rawDays: 7, rollupDays: 90 });
  });

  it('selects PostgreSQL (team mode) from a postgres:// URL', () => {
    const cfg = loadConfig({ env: { HOME: home(), WATCHTOWER_DATABASE_URL: 'postgres://u@db/wt', WATCHTOWER_DATABASE_SCHEMA: 'ops' } });
    expect(cfg).toMatchObject({ mode: 'team', databaseUrl: 'postgres://u@db/wt', database: { schema: 'ops' } });
  });

  it('layers defaults, file, environment and flags in that order', () => {
    const dir = home();
    const file = join(dir, 'wt.yaml');
    writeFileSync(file, 'http:\n  port: 9000\n  host: 0.0.0.0\nretention:\n  rawDays: 3\n');
    const cfg = loadConfig({ file, env: { HOME: dir, WATCHTOWER_HTTP_PORT: '9100' }, overrides: { retention: { rollupDays: 30 } } });
    expect(cfg.http).toEqual({ host: '0.0.0.0', port: 9100, publicUrl: '', trustProxy: false });
    expect(cfg.retention).toMatchObject({ rawDays: 3, rollupDays: 30 });
    expect(cfg.source.file).toBe(file);
  });

  it("keeps the agents' listener apart from the API, on loopback by default", () => {
    const dir = home();
    expect(loadConfig({ env: { HOME: dir } }).ingest).toMatchObject({ host: '127.0.0.1', port: 7801 });
    const cfg = loadConfig({ env: { HOME: dir, WATCHTOWER_INGEST_HOST: '0.0.0.0', WATCHTOWER_HTTP_TRUST_PROXY: 'true' } });
    expect(cfg.ingest.host).toBe('0.0.0.0');
    expect(cfg.http.trustProxy).toBe(true);
  });

  it('reads <dataDir>/watchtower.yaml when no file is named', () => {
    const dir = home();
    writeFileSync(join(dir, 'watchtower.yaml'), 'http: { port: 7900 }\n');
    expect(loadConfig({ env: { HOME: dir, WATCHTOWER_DATA_DIR: dir } }).http.port).toBe(7900);
  });

  it.each([
    [{ WATCHTOWER_HTTP_PORT: 'abc' }, /http\.port \(from WATCHTOWER_HTTP_PORT\): .*number/],
    [{ WATCHTOWER_HTTP_PORT: '70000' }, /http\.port \(from WATCHTOWER_HTTP_PORT\): .*65535/],
    [{ WATCHTOWER_RETENTION_RAW_DAYS: '-1' }, /retention\.rawDays \(from WATCHTOWER_RETENTION_RAW_DAYS\)/],
    [{ WATCHTOWER_HTTP_PROT: '1' }, /WATCHTOWER_HTTP_PROT: not a Watchtower setting/],
    [{ WATCHTOWER_DATABASE_SCHEMA: 'a;drop' }, /database\.schema .*plain SQL identifier/],
  ])('names the key and the problem: %o', (env, message) => {
    expect(() => loadConfig({ env: { HOME: home(), ...env } })).toThrow(message);
  });

  it('rejects unknown keys and bad YAML in the file, naming the file', () => {
    const dir = home();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'htp:\n  port: 1\n');
    expect(() => loadConfig({ file, env: { HOME: dir } })).toThrow(/unknown key\(s\) "htp"/);
    writeFileSync(file, 'http: [unclosed\n');
    expect(() => loadConfig({ file, env: { HOME: dir } })).toThrow(ConfigError);
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: { HOME: dir } })).toThrow(/does not exist/);
  });

  it('has an environment variable for every key', () => {
    const names = configKeys().map(envName);
    expect(names).toContain('WATCHTOWER_RETENTION_RAW_DAYS');
    expect(names).toContain('WATCHTOWER_INGEST_MAX_BODY_BYTES');
    expect(new Set(names).size).toBe(names.length);
  });
});

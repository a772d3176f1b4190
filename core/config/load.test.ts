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
    expect(() => loadConfig({ file, env: { HOME: dir } })).toThrow(`htp (from ${file}:1): unknown key; did you mean http?`);
    writeFileSync(file, 'http: [unclosed\n');
    expect(() => loadConfig({ file, env: { HOME: dir } })).toThrow(ConfigError);
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: { HOME: dir } })).toThrow(/does not exist/);
  });

  // What a new user met following the README: each message names the key, where the value came
  // from, what is accepted and the value given.
  describe('messages', () => {
    const problems = (f: () => unknown): string[] => {
      try {
        f();
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      throw new Error('expected a ConfigError');
    };
    const withFile = (yaml: string) => {
      const dir = home();
      const file = join(dir, 'a.yaml');
      writeFileSync(file, yaml);
      return { file, load: () => loadConfig({ file, env: { HOME: dir } }) };
    };
    const flags = { 'http.port': '--port', 'ingest.port': '--ingest-port' };

    it.each([
      ['abc', '"abc"'],
      ['99999', '"99999"'],
      ['7800.5', '"7800.5"'],
    ])('a bad --port %s is reported as coming from --port, with the value', (port, shown) => {
      const p = problems(() => loadConfig({ env: { HOME: home() }, overrides: { http: { port } }, overrideSources: flags }));
      expect(p).toEqual([`http.port (from --port): expected a whole number 0–65535 (0 picks a free port), got ${shown}`]);
    });

    it('says "command line" for an override without a named source, never "defaults"', () => {
      const p = problems(() => loadConfig({ env: { HOME: home() }, overrides: { ingest: { port: '-1' } } }));
      expect(p).toEqual(['ingest.port (from command line): expected a whole number 0–65535 (0 picks a free port), got "-1"']);
    });

    it('a wrong type in the file names the file, the line and the value, not NaN', () => {
      const { file, load } = withFile('# ports\nhttp:\n  port: seventy\n');
      const p = problems(load);
      expect(p).toEqual([`http.port (from ${file}:3): expected a whole number 0–65535 (0 picks a free port), got "seventy"`]);
      expect(p.join()).not.toMatch(/NaN/);
    });

    it.each([
      ['http:\n  port:\n', 'http.port (from FILE:2): expected a whole number 0–65535 (0 picks a free port), got an empty value'],
      ['http:\n  trustProxy: yes\n', 'http.trustProxy (from FILE:2): expected true or false, got "yes"'],
      ['log:\n  level: loud\n', 'log.level (from FILE:2): expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
      ['ingest: 5\n', 'ingest (from FILE:1): expected a mapping of keys, got 5'],
      ['retention:\n  rawDays: 0\n', 'retention.rawDays (from FILE:2): expected a number above 0, got 0'],
    ])('other bad values in the file: %j', (yaml, message) => {
      const { file, load } = withFile(yaml);
      expect(problems(load)).toEqual([message.replace('FILE', file)]);
    });

    it('does not read a blank variable as port 0 (a random port)', () => {
      expect(problems(() => loadConfig({ env: { HOME: home(), WATCHTOWER_HTTP_PORT: '' } }))).toEqual([
        'http.port (from WATCHTOWER_HTTP_PORT): expected a whole number 0–65535 (0 picks a free port), got ""',
      ]);
    });

    it('an unknown key is named by its full path, with the closest known key', () => {
      const { file, load } = withFile('http:\n  prot: 7800\n  publicurl: x\nretension:\n  rawDays: 1\nport: 1\nlog:\n  colour: red\n');
      expect(problems(load)).toEqual([
        `http.prot (from ${file}:2): unknown key; did you mean http.port?`,
        `http.publicurl (from ${file}:3): unknown key; did you mean http.publicUrl?`,
        `log.colour (from ${file}:8): unknown key`,
        `retension (from ${file}:4): unknown key; did you mean retention?`,
        `port (from ${file}:6): unknown key; did you mean http.port or ingest.port?`,
      ]);
    });

    it('a key written flat is told how YAML nests it', () => {
      const { file, load } = withFile('http.port: 7900\n');
      expect(problems(load)).toEqual([
        `http.port (from ${file}:1): unknown key; YAML nests the parts of a key: write "http:", then "port:" indented under it`,
      ]);
    });

    it('a misspelt variable gets the closest one', () => {
      expect(problems(() => loadConfig({ env: { HOME: home(), WATCHTOWER_HTTP_PROT: '1' } }))[0]).toMatch(
        /^WATCHTOWER_HTTP_PROT: not a Watchtower setting; did you mean WATCHTOWER_HTTP_PORT\? \(known: WATCHTOWER_DATA_DIR, /,
      );
    });

    it('a YAML syntax error is a whole sentence with the line it points at', () => {
      const { file, load } = withFile('http:\n  port: 7800\nhttp:\n  host: 0.0.0.0\n');
      expect(problems(load)).toEqual([
        `${file}:3:1: not valid YAML: Map keys must be unique (DUPLICATE_KEY)\n      3 | http:\n        | ^`,
      ]);
      const tab = withFile('http:\n\tport: 1\n');
      expect(problems(tab.load)).toEqual([
        `${tab.file}:2:1: not valid YAML: Tabs are not allowed as indentation (TAB_AS_INDENT)\n      2 | →port: 1\n        | ^`,
      ]);
      // At the end of the file the parser points past the last line: show the last line instead.
      const unclosed = withFile('http: [unclosed\n');
      const [message] = problems(unclosed.load);
      expect(message).toMatch(
        new RegExp(
          `^${unclosed.file}:2:1: not valid YAML: Flow sequence .* end with a \\] \\(BAD_INDENT\\)\n      1 \\| http: \\[unclosed$`,
        ),
      );
      expect(message).not.toMatch(/:\s*$/);
    });

    it('records where each key that is not a default came from', () => {
      const { file } = withFile('retention:\n  rawDays: 3\n');
      const cfg = loadConfig({
        file,
        env: { HOME: home(), WATCHTOWER_HTTP_HOST: '0.0.0.0' },
        overrides: { http: { port: '8000' } },
        overrideSources: flags,
      });
      expect(cfg.source.keys).toEqual({ 'retention.rawDays': `${file}:2`, 'http.host': 'WATCHTOWER_HTTP_HOST', 'http.port': '--port' });
    });
  });

  it('has an environment variable for every key', () => {
    const names = configKeys().map(envName);
    expect(names).toContain('WATCHTOWER_RETENTION_RAW_DAYS');
    expect(names).toContain('WATCHTOWER_INGEST_MAX_BODY_BYTES');
    expect(new Set(names).size).toBe(names.length);
  });
});

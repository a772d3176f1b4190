// `watchtower serve` (the built bundle) started the ways a new user gets wrong: each start must
// stop with an exit code and a message that names the setting, where its value came from, and
// what to check.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/processes.js';

const bundle = fileURLToPath(new URL('../dist/watchtower.mjs', import.meta.url));

async function serve(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'wt-start-'));
  // Only what the start needs: no WATCHTOWER_* from the test run's environment.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WATCHTOWER_')));
  const proc = spawn(process.execPath, [bundle, 'serve', '--data-dir', join(home, 'data'), ...args], {
    env: { ...base, HOME: home, WATCHTOWER_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A port some other process (this test) holds. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('watchtower serve start-up errors', () => {
  it('an unknown flag prints the usage and exits 2', async () => {
    const r = await serve(['--prot', '7800']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^watchtower serve: Unknown option '--prot' \(did you mean --port\?\)\n\nUsage: watchtower serve \[options\]/);
    expect(r.stderr).toContain('--ingest-port PORT');
  });

  it('a flag without its value prints the usage and exits 2', async () => {
    const r = await serve(['--port']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^watchtower serve: Option '--port <value>' argument missing\n\nUsage: watchtower serve/);
  });

  it.each([
    ['abc', '"abc"'],
    ['99999', '"99999"'],
  ])('--port %s names the flag and the value, not "defaults" or NaN', async (port, shown) => {
    const r = await serve(['--port', port]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `watchtower: invalid configuration:\n  http.port (from --port): expected a whole number 0–65535 (0 picks a free port), got ${shown}\n`,
    );
  });

  it('an unreachable database says it is the database, which URL (password hidden), and what to check', async () => {
    const port = await freePort(); // nothing listens there
    const url = `postgres://watchtower:s3cret-pw@127.0.0.1:${port}/watchtower`;
    const r = await serve(['--database', url, '--port', '0', '--ingest-port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `watchtower: cannot connect to the database at postgres://watchtower:***@127.0.0.1:${port}/watchtower (database.url, from --database): connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    expect(r.stderr).toContain(`Nothing accepts connections at 127.0.0.1:${port}: check that PostgreSQL is running and listens there`);
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  describe('a port another process holds', () => {
    let held: { port: number; server: Server };
    beforeAll(async () => {
      held = await holdPort();
    });
    afterAll(() => new Promise<void>((resolve) => held.server.close(() => resolve())));

    it('names the API listener, http.port and --port', async () => {
      const r = await serve(['--port', String(held.port), '--ingest-port', '0']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `watchtower: the API and dashboard listener cannot listen on 127.0.0.1:${held.port}: another process already listens on port ${held.port} (http.port ${held.port}, from --port): listen EADDRINUSE`,
      );
      expect(r.stderr).toContain('or choose another port with --port, WATCHTOWER_HTTP_PORT or http.port in the config file');
    });

    it('names the ingest listener, ingest.port and --ingest-port (here set by its variable)', async () => {
      const r = await serve(['--port', '0'], { WATCHTOWER_INGEST_PORT: String(held.port) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `watchtower: the agents' ingest listener cannot listen on 127.0.0.1:${held.port}: another process already listens on port ${held.port} (ingest.port ${held.port}, from WATCHTOWER_INGEST_PORT): listen EADDRINUSE`,
      );
      expect(r.stderr).toContain('or choose another port with --ingest-port, WATCHTOWER_INGEST_PORT or ingest.port in the config file');
    });
  });

  it('the same port for both listeners is not blamed on another process', async () => {
    const port = await freePort();
    const r = await serve(['--port', String(port), '--ingest-port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `the API and dashboard listener cannot listen on 127.0.0.1:${port}: the agents' ingest listener of this Watchtower already uses port ${port} (http.port and ingest.port are both ${port})`,
    );
    expect(r.stderr).toContain('Give the two listeners different ports: --port and --ingest-port');
  });
});

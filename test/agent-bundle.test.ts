// The agent ships to servers as one file; its footprint budget leaves no room for the server's
// dependencies (zod, fastify, pino…), which an import through shared/ could pull in unnoticed.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('bundles the agent without the server-side libraries', () => {
  const bundle = readFileSync(new URL('../dist/agent.mjs', import.meta.url), 'utf8');
  expect(bundle.length).toBeLessThan(200_000);
  for (const lib of ['node_modules/zod', 'node_modules/fastify', 'node_modules/pino', 'node_modules/better-sqlite3'])
    expect(bundle).not.toContain(lib);
});

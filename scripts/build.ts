// Bundles with esbuild: the agent to one self-contained file (it ships to servers), the server with
// its npm dependencies left external (native better-sqlite3, pg). tsc only type-checks; esbuild is
// ~100x faster at emitting and makes the single-file agent the deployer uploads.
import { build as esbuild } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildRenderer } from './build-renderer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function build(opts: { quiet?: boolean } = {}): Promise<void> {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: opts.quiet ? 'error' : 'info',
  } as const;
  // ESM bundles of CommonJS deps need a require() in scope.
  const banner = {
    js: "import { createRequire as __wtCreateRequire } from 'node:module'; const require = __wtCreateRequire(import.meta.url);",
  };
  await Promise.all([
    buildRenderer(root, opts),
    esbuild({ ...common, banner, entryPoints: [join(root, 'agent/main.ts')], outfile: join(root, 'dist/agent.mjs') }),
    esbuild({
      ...common,
      banner,
      packages: 'external',
      entryPoints: [join(root, 'cli/main.ts')],
      outfile: join(root, 'dist/watchtower.mjs'),
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();

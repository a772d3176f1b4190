// Builds the dashboard (renderer/ → dist/renderer) with Vite. Skipped when the output is newer than
// every source it depends on: the test setup calls the build once per run, and several checkouts'
// runs may share this tree, so rebuilding (and emptying dist/renderer under a running test) only
// happens when something changed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export async function buildRenderer(root: string, opts: { quiet?: boolean; force?: boolean } = {}): Promise<void> {
  const index = join(root, 'dist/renderer/index.html');
  const config = join(root, 'vite.renderer.config.ts');
  if (!opts.force && existsSync(index)) {
    const built = statSync(index).mtimeMs;
    const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'shared')), statSync(config).mtimeMs);
    if (built > sources) return;
  }
  const { build } = await import('vite');
  await build({ configFile: config, logLevel: opts.quiet ? 'error' : 'info' });
}

// The import boundaries are enforced by lint; this proves the rule bites (a rule that cannot fail
// would let the layers blur silently).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['shared/x.ts', "import { readFileSync } from 'node:fs'; readFileSync('x');"],
    ['shared/x.ts', "import fs from 'fs'; fs.readFileSync('x');"],
    ['shared/x.ts', "import { startApp } from '../core/app.js'; startApp;"],
    ['core/x.ts', "import { app } from 'electron'; app;"],
    ['core/x.ts', "import { x } from '../renderer/main.js'; x;"],
    ['core/x.ts', "import { x } from '../cli/main.js'; x;"],
    ['agent/x.ts', "import { startApp } from '../core/app.js'; startApp;"],
    ['renderer/x.ts', "import { startApp } from '../core/app.js'; startApp;"],
    ['renderer/x.tsx', "import { startApp } from '../core/app.js'; startApp;"],
    ['renderer/x.tsx', "import { readFileSync } from 'node:fs'; readFileSync('x');"],
    ['cli/x.ts', "import { startApp } from '../core/app.js'; startApp;"],
  ])('%s may not: %s', async (file, code) => {
    expect(await errorsFor(file, code)).toHaveLength(1);
  });

  it.each([
    ['shared/x.ts', "import { z } from 'zod'; z;"],
    ['core/x.ts', "import { readFileSync } from 'node:fs'; import { VERSION } from '../shared/version.js'; readFileSync(VERSION);"],
    ['agent/x.ts', "import { VERSION } from '../shared/version.js'; VERSION;"],
    ['cli/x.ts', "import { serve } from '../core/serve.js'; serve;"],
    ['renderer/x.tsx', "import { procedures } from '../shared/contract/index.js'; procedures;"],
  ])('%s may: %s', async (file, code) => {
    expect(await errorsFor(file, code)).toEqual([]);
  });
});

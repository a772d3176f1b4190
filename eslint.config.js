// Lint, plus the import boundaries of the architecture as errors (not warnings):
// core ↛ electron, renderer, cli · shared ↛ node:* and DOM · agent ↛ core · renderer ↛ core.
// The per-environment tsconfigs (tsconfig.shared.json has no Node types and no DOM) prove the rest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // Tests poke at JSON answers; typing every one would add noise, not safety.
  { files: ['test/**/*.ts', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'shared/ runs everywhere (agent, core, browser): no Node modules.' })),
          patterns: [
            {
              group: ['**/core/**', '**/agent/**', '**/renderer/**', '**/cli/**', '**/electron/**'],
              message: 'shared/ imports nothing of the other layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: restrict(['electron', '**/electron/**', '**/renderer/**', '**/cli/**'], 'core/ never imports electron, renderer or cli.'),
  },
  {
    files: ['agent/**/*.ts'],
    rules: restrict(['**/core/**', '**/renderer/**', '**/cli/**', '**/electron/**'], 'agent/ runs on servers: it may import shared/ only.'),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(
      ['**/core/**', '**/agent/**', '**/cli/**', '**/electron/**', 'node:*'],
      'renderer/ talks to core through the API contract only.',
    ),
  },
  {
    files: ['cli/**/*.ts'],
    rules: restrict(
      ['**/agent/**', '**/renderer/**', '**/electron/**', '**/core/**', '!**/core/serve.js'],
      'cli/ is an API client; core/serve.js is its one door into core.',
    ),
  },
);

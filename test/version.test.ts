import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VERSION } from '../shared/version.js';

it('reports the version in package.json', () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
});

// The README's API and configuration tables are what users read instead of the code: they must list
// exactly what the contract and the config schema define, so a new route or key without docs fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys, envName } from '../core/config/env.js';
import { procedures } from '../shared/contract/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the first Markdown table after `heading`, as arrays of cell texts. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  expect(start, `README has ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('README', () => {
  it('lists every API procedure with its method and path, and nothing else', () => {
    const rows = tableAfter('## API');
    const documented = new Map(rows.map(([name, request]) => [name!, request!]));
    expect([...documented.keys()].sort()).toEqual(Object.keys(procedures).sort());
    for (const [name, p] of Object.entries(procedures)) {
      expect(documented.get(name), name).toMatch(new RegExp(`^\`${p.method} ${p.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
    }
  });

  it('lists every configuration key with its environment variable, and nothing else', () => {
    const rows = tableAfter('## Configuration');
    const keys = configKeys().map((p) => p.join('.'));
    expect(rows.map((r) => r[0]!.replace(/`/g, '')).sort()).toEqual([...keys].sort());
    for (const row of rows) {
      const key = row[0]!.replace(/`/g, '');
      expect(row[1], key).toContain(`\`${envName(key.split('.'))}\``);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { describeChanges, diffLines, toHunks } from './yamlDiff.js';

const before = ['version: 1', 'rules:', '  - name: High CPU', '    kind: threshold', '    value: 90', '    for: 2m', 'channels: []'].join(
  '\n',
);

describe('YAML diff', () => {
  it('marks changed lines with their line numbers on each side', () => {
    const after = before.replace('value: 90', 'value: 95').replace('    for: 2m\n', '');
    const lines = diffLines(before, after);
    expect(lines.filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'del', text: '    value: 90', oldNo: 5 },
      { kind: 'del', text: '    for: 2m', oldNo: 6 },
      { kind: 'add', text: '    value: 95', newNo: 5 },
    ]);
    expect(lines.find((l) => l.text === 'channels: []')).toEqual({ kind: 'same', text: 'channels: []', oldNo: 7, newNo: 6 });
  });

  it('no edits: no changed lines and no hunks', () => {
    expect(diffLines(before, before).every((l) => l.kind === 'same')).toBe(true);
    expect(toHunks(diffLines(before, before))).toEqual([]);
  });

  it('aligns an insertion in the middle instead of rewriting everything after it', () => {
    const after = before.replace('    kind: threshold\n', '    kind: threshold\n    severity: critical\n');
    const changed = diffLines(before, after).filter((l) => l.kind !== 'same');
    expect(changed).toEqual([{ kind: 'add', text: '    severity: critical', newNo: 5 }]);
  });

  it('shows hunks with context and leaves distant unchanged lines out', () => {
    const long = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const edited = [...long];
    edited[2] = 'line three';
    edited[25] = 'line twenty-six';
    const hunks = toHunks(diffLines(long.join('\n'), edited.join('\n')), 1);
    expect(hunks.map((h) => h.lines.map((l) => `${l.kind}:${l.text}`))).toEqual([
      ['same:line 2', 'del:line 3', 'add:line three', 'same:line 4'],
      ['same:line 25', 'del:line 26', 'add:line twenty-six', 'same:line 27'],
    ]);
  });

  it("describes the server's dry run, creates first, unchanged only counted", () => {
    const out = describeChanges([
      { kind: 'rule', name: 'High CPU', action: 'update', fields: ['value', 'for'] },
      { kind: 'channel', name: 'ops', action: 'unchanged' },
      { kind: 'silence', name: 'old', action: 'delete' },
      { kind: 'policy', name: 'oncall', action: 'create' },
    ]);
    expect(out).toEqual({
      lines: [
        { action: 'create', text: 'Create policy "oncall"' },
        { action: 'update', text: 'Update rule "High CPU" (value, for)' },
        { action: 'delete', text: 'Delete silence "old"' },
      ],
      unchanged: 1,
    });
  });
});

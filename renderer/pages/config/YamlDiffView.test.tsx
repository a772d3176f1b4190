// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { YamlDiffView } from './YamlDiffView.js';

afterEach(cleanup);

const before = [
  'version: 1',
  'rules:',
  '  - name: High CPU',
  '    kind: threshold',
  '    metric: cpu.usage',
  '    op: ">"',
  '    value: 90',
  'channels: []',
].join('\n');

describe('YAML view: the diff shown before applying', () => {
  it("lists the server's changes and the edited lines with their numbers", () => {
    const after = before.replace('value: 90', 'value: 95');
    render(
      <YamlDiffView
        before={before}
        after={after}
        changes={[
          { kind: 'rule', name: 'High CPU', action: 'update', fields: ['value'] },
          { kind: 'channel', name: 'ops', action: 'unchanged' },
        ]}
      />,
    );
    const changes = screen.getByRole('list', { name: 'Changes' });
    expect(
      within(changes)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Update rule "High CPU" (value)', '1 unchanged']);
    const rows = [...screen.getByLabelText('Edit 1').querySelectorAll('[data-kind]')];
    expect(rows.map((r) => [r.getAttribute('data-kind'), r.querySelector('.diff-text')!.textContent])).toEqual([
      ['same', '    metric: cpu.usage'],
      ['same', '    op: ">"'],
      ['del', '    value: 90'],
      ['add', '    value: 95'],
      ['same', 'channels: []'],
    ]);
    const removed = rows[2]!.querySelectorAll('.diff-no');
    expect([removed[0]!.textContent, removed[1]!.textContent]).toEqual(['7', '']);
    const added = rows[3]!.querySelectorAll('.diff-no');
    expect([added[0]!.textContent, added[1]!.textContent]).toEqual(['', '7']);
    expect(within(rows[3] as HTMLElement).getByLabelText('added').textContent).toBe('+');
  });

  it('says so when applying would change nothing and the text is as exported', () => {
    render(<YamlDiffView before={before} after={before} changes={[{ kind: 'rule', name: 'High CPU', action: 'unchanged' }]} />);
    expect(screen.getByText(/No changes: the configuration already matches this document \(1 unchanged\)/)).toBeTruthy();
    expect(screen.getByText('The text is as exported.')).toBeTruthy();
  });

  it('a document pasted in whole shows creates and one hunk of added lines', () => {
    const after = `${before}\npolicies:\n  - name: oncall`;
    render(<YamlDiffView before={before} after={after} changes={[{ kind: 'policy', name: 'oncall', action: 'create' }]} />);
    expect(screen.getByText('Create policy "oncall"').className).toBe('change-create');
    const kinds = [...screen.getByLabelText('Edit 1').querySelectorAll('[data-kind]')].map((r) => r.getAttribute('data-kind'));
    expect(kinds.filter((k) => k === 'add')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'del')).toHaveLength(0);
  });
});

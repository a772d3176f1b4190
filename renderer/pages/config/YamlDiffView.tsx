// The preview before applying a YAML document: the server's dry run (what records change) and the
// edited lines in hunks, each line marked + or − with its line number.
import { describeChanges, diffLines, toHunks, type Change } from './yamlDiff.js';

const SIGN = { add: '+', del: '−', same: ' ' } as const;

export function YamlDiffView({ before, after, changes }: { before: string; after: string; changes: readonly Change[] }) {
  const summary = describeChanges(changes);
  const hunks = toHunks(diffLines(before, after));
  return (
    <div className="yaml-diff" data-testid="yaml-diff">
      <h3>What applying does</h3>
      {summary.lines.length === 0 ? (
        <p>No changes: the configuration already matches this document ({summary.unchanged} unchanged).</p>
      ) : (
        <ul className="change-list" aria-label="Changes">
          {summary.lines.map((l) => (
            <li key={l.text} className={`change-${l.action}`}>
              {l.text}
            </li>
          ))}
          {summary.unchanged > 0 && <li className="muted">{summary.unchanged} unchanged</li>}
        </ul>
      )}
      <h3>Edited lines</h3>
      {hunks.length === 0 ? (
        <p className="muted">The text is as exported.</p>
      ) : (
        hunks.map((h, k) => (
          <pre key={k} className="diff-hunk" aria-label={`Edit ${k + 1}`}>
            {h.lines.map((l, j) => (
              <div key={j} className={`diff-${l.kind}`} data-kind={l.kind}>
                <span className="diff-no">{l.kind === 'add' ? '' : l.oldNo}</span>
                <span className="diff-no">{l.kind === 'del' ? '' : l.newNo}</span>
                <span className="diff-sign" aria-label={l.kind === 'same' ? undefined : l.kind === 'add' ? 'added' : 'removed'}>
                  {SIGN[l.kind]}
                </span>
                <span className="diff-text">{l.text}</span>
              </div>
            ))}
          </pre>
        ))
      )}
    </div>
  );
}

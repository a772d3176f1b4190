// Alert rules: the list with a one-line condition each, create, edit and delete.
import { useState } from 'react';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { DeleteButton } from './common.js';
import { RuleForm } from './RuleForm.js';
import type { RuleRecord } from './ruleForm.js';

/** "cpu.usage{cpu=total} avg 5m > 90 for 2m" and the like. */
export function ruleCondition(spec: RuleRecord['spec']): string {
  const s = spec as Record<string, unknown>;
  const match = Object.entries((s.match ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const series = `${String(s.metric)}${match ? `{${match}}` : ''}`;
  const forPart = s.for && s.for !== '0s' ? ` for ${String(s.for)}` : '';
  switch (spec.kind) {
    case 'threshold': {
      const agg = s.aggregate && s.aggregate !== 'last' ? ` ${String(s.aggregate)} ${String(s.window)}` : '';
      return `${series}${agg} ${String(s.op)} ${String(s.value)}${forPart}`;
    }
    case 'rate':
      return `rate of ${series} over ${String(s.window)} ${String(s.op)} ${String(s.value)}/s${forPart}`;
    case 'heartbeat':
      return `no data for ${String(s.after)}`;
    case 'event':
      return `${s.eventKind ? String(s.eventKind) : 'log or event'} matching /${String(s.pattern)}/`;
  }
}

export function RulesPage() {
  const rules = useApiQuery('listRules', {});
  const [editing, setEditing] = useState<RuleRecord | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const remove = useApiMutation('deleteRule', { invalidates: ['listRules'] });
  const items = rules.data?.items ?? [];

  return (
    <>
      <div className="toolbar">
        <h2>Rules</h2>
        <button type="button" onClick={() => (setSaved(null), setEditing('new'))} disabled={editing === 'new'}>
          New rule
        </button>
        <p role="status" className="muted">
          {saved}
        </p>
      </div>
      {editing && (
        <RuleForm
          key={editing === 'new' ? 'new' : editing.id}
          record={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={(name) => (setEditing(null), setSaved(`Saved rule “${name}”.`))}
        />
      )}
      <ErrorBanner title="Cannot load rules" error={rules.error} onRetry={() => void rules.refetch()} />
      {rules.isPending ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 && !rules.error ? (
        !editing && (
          <EmptyState title="No rules yet" action={<button onClick={() => setEditing('new')}>Create the first rule</button>}>
            Rules turn your hosts' metrics and logs into incidents: for example CPU above 90% for 5 minutes, or a host silent for 2 minutes.
          </EmptyState>
        )
      ) : (
        <table className="table" aria-label="Rules">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Condition</th>
              <th scope="col">Severity</th>
              <th scope="col">Notifies</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-rule={r.name}>
                <td>
                  {r.name} {r.spec.enabled === false && <span className="badge muted">disabled</span>}
                </td>
                <td>
                  <code>{ruleCondition(r.spec)}</code>
                </td>
                <td className={`sev-${r.spec.severity ?? 'warning'}`}>{r.spec.severity}</td>
                <td>{r.spec.policy ?? <span className="muted">nobody</span>}</td>
                <td className="row-actions">
                  <button type="button" className="ghost" onClick={() => (setSaved(null), setEditing(r))} aria-label={`Edit ${r.name}`}>
                    Edit
                  </button>
                  <DeleteButton
                    what={`rule ${r.name}`}
                    pending={remove.isPending && remove.variables?.id === r.id}
                    error={remove.variables?.id === r.id ? remove.error : null}
                    onDelete={() => remove.mutate({ id: r.id })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

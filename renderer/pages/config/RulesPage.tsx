// Alert rules: the list with a one-line condition each, create, edit and delete.
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { ConfigSection } from './ConfigSection.js';
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
  return (
    <ConfigSection<RuleRecord>
      title="Rules"
      noun="rule"
      list={useApiQuery('listRules', {})}
      listName="rules"
      remove={useApiMutation('deleteRule', { invalidates: ['listRules'] })}
      columns={['Name', 'Condition', 'Severity', 'Notifies']}
      rowAttrs={(r) => ({ 'data-rule': r.name })}
      cells={(r) => (
        <>
          <td>
            {r.name} {r.spec.enabled === false && <span className="badge muted">disabled</span>}
          </td>
          <td>
            <code>{ruleCondition(r.spec)}</code>
          </td>
          <td className={`sev-${r.spec.severity ?? 'warning'}`}>{r.spec.severity}</td>
          <td>{r.spec.policy ?? <span className="muted">nobody</span>}</td>
        </>
      )}
      form={(props) => <RuleForm {...props} />}
      empty={{
        title: 'No rules yet',
        action: 'Create the first rule',
        text: "Rules turn your hosts' metrics and logs into incidents: for example CPU above 90% for 5 minutes, or a host silent for 2 minutes.",
      }}
    />
  );
}

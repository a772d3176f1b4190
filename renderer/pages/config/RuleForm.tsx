// Create or edit a rule. The fields follow the kind; the API validates and its issues appear at
// the field they concern (an unknown metric under Metric, a bad duration under For, …).
import { useState } from 'react';
import { METRICS } from '../../../shared/metrics.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { SelectField, TextAreaField, TextField } from '../../components/form.js';
import { CheckboxField, onlyShown, saveErrors } from './common.js';
import {
  AGGREGATES,
  COMPARATORS,
  EMPTY_RULE,
  KIND_FIELDS,
  LEVELS,
  RULE_KINDS,
  formToSpec,
  placeRuleIssues,
  specToForm,
  type RuleField,
  type RuleForm as Form,
  type RuleRecord,
} from './ruleForm.js';
import { ConfigForm, submitConfig } from './ConfigForm.js';

const COMMON_FIELDS: RuleField[] = [
  'name',
  'kind',
  'severity',
  'scopeHosts',
  'scopeLabels',
  'policy',
  'description',
  'labels',
  'enabled',
  'autoResolve',
];
const KIND_LABEL = {
  threshold: 'Threshold on a metric',
  rate: 'Rate of change',
  heartbeat: 'Missing heartbeat (host down)',
  event: 'Log line or event',
};

export function RuleForm({
  record,
  onDone,
  onCancel,
}: {
  record: RuleRecord | null;
  onDone: (name: string) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<Form>(() => (record ? specToForm(record.spec) : EMPTY_RULE));
  const [local, setLocal] = useState<Record<string, string>>({});
  const policies = useApiQuery('listPolicies', {});
  const done = { invalidates: ['listRules' as const], onSuccess: (out: { item: { name: string } }) => onDone(out.item.name) };
  const create = useApiMutation('createRule', done);
  const update = useApiMutation('updateRule', done);
  const save = record ? update : create;
  const errors = onlyShown(saveErrors(save.error, local, placeRuleIssues), [...COMMON_FIELDS, ...KIND_FIELDS[form.kind]]);
  const shows = (f: RuleField) => KIND_FIELDS[form.kind].includes(f);

  const set = <K extends RuleField>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const text = (k: RuleField, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      value={form[k] as string}
      onChange={(e) => set(k, e.target.value)}
      error={errors.fields[k]}
      hint={hint}
      name={k}
      {...extra}
    />
  );

  const submit = () => {
    const out = formToSpec(form);
    submitConfig(out.ok ? out : { ok: false, errors: out.errors as Record<string, string> }, {
      recordId: record?.id ?? null,
      save,
      setLocal,
      create: (spec) => create.mutate(spec),
      update: (input) => update.mutate(input),
    });
  };

  return (
    <ConfigForm
      noun="rule"
      editing={record?.name ?? null}
      banner={errors.banner}
      pending={save.isPending}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="form-row">
        {text('name', 'Name', undefined, { required: true, autoFocus: true })}
        <SelectField
          label="Kind"
          name="kind"
          value={form.kind}
          onChange={(e) => set('kind', e.target.value as Form['kind'])}
          options={RULE_KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
          error={errors.fields.kind}
        />
        <SelectField
          label="Severity"
          name="severity"
          value={form.severity}
          onChange={(e) => set('severity', e.target.value as Form['severity'])}
          options={['critical', 'warning', 'info']}
          error={errors.fields.severity}
        />
      </div>
      {shows('metric') && (
        <div className="form-row">
          {text('metric', 'Metric', 'from the catalog, or custom.*', { list: 'wt-metrics' })}
          <datalist id="wt-metrics">
            {Object.keys(METRICS).map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          {text('match', 'Series labels', 'e.g. cpu=total, mount=/')}
          {shows('aggregate') && (
            <SelectField
              label="Aggregate"
              name="aggregate"
              value={form.aggregate}
              onChange={(e) => set('aggregate', e.target.value as Form['aggregate'])}
              options={AGGREGATES}
              error={errors.fields.aggregate}
            />
          )}
          {text('window', form.kind === 'rate' ? 'Over' : 'Window', form.kind === 'rate' ? 'e.g. 10m' : 'for avg/min/max, e.g. 5m')}
        </div>
      )}
      {shows('op') && (
        <div className="form-row">
          <SelectField
            label="Comparator"
            name="op"
            value={form.op}
            onChange={(e) => set('op', e.target.value as Form['op'])}
            options={COMPARATORS}
            error={errors.fields.op}
          />
          {text('value', form.kind === 'rate' ? 'Change per second' : 'Threshold', undefined, { inputMode: 'decimal' })}
          {text('for', 'For', 'how long it must hold, e.g. 2m')}
          {shows('clear') && text('clear', 'Clears at', 'hysteresis; empty: the threshold', { inputMode: 'decimal' })}
        </div>
      )}
      {shows('after') && <div className="form-row">{text('after', 'Down after', 'silence before the host counts as down, e.g. 2m')}</div>}
      {shows('pattern') && (
        <div className="form-row">
          {text('pattern', 'Message pattern', 'a regular expression')}
          {text('source', 'Source pattern', 'optional, e.g. /var/log/syslog')}
          <SelectField
            label="Kind of entry"
            name="eventKind"
            value={form.eventKind}
            onChange={(e) => set('eventKind', e.target.value as Form['eventKind'])}
            options={[{ value: '', label: 'Logs and events' }, 'log', 'event']}
            error={errors.fields.eventKind}
          />
          <SelectField
            label="At least level"
            name="minLevel"
            value={form.minLevel}
            onChange={(e) => set('minLevel', e.target.value as Form['minLevel'])}
            options={[{ value: '', label: 'Any' }, ...LEVELS]}
            error={errors.fields.minLevel}
          />
        </div>
      )}
      <div className="form-row">
        {text('scopeHosts', 'Only hosts', 'names, comma separated; empty: all hosts')}
        {text('scopeLabels', 'Only hosts labelled', 'e.g. role=db')}
        <SelectField
          label="Escalation policy"
          name="policy"
          value={form.policy}
          onChange={(e) => set('policy', e.target.value)}
          error={errors.fields.policy}
          options={[
            { value: '', label: 'None (record only)' },
            ...(policies.data?.items ?? []).map((p) => ({ value: p.name, label: p.name })),
          ]}
        />
      </div>
      <TextAreaField
        label="Description"
        name="description"
        rows={2}
        value={form.description}
        onChange={(e) => set('description', e.target.value)}
        error={errors.fields.description}
        hint="{{host}}, {{value}}, {{threshold}}, {{metric}} and {{labels.x}} are filled in"
      />
      <div className="form-row">
        {text('labels', 'Labels', 'added to incidents, e.g. team=ops')}
        <CheckboxField
          label="Enabled"
          checked={form.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
          error={errors.fields.enabled}
        />
        <CheckboxField
          label="Resolve when the condition clears"
          checked={form.autoResolve}
          onChange={(e) => set('autoResolve', e.target.checked)}
          error={errors.fields.autoResolve}
        />
      </div>
    </ConfigForm>
  );
}

// Escalation policies: ordered levels, each notifying channels after a delay; repeat; a minimum
// interval between notifications. Channels are picked from those that exist.
import { useState } from 'react';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { Link } from '../../app/router.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { TextField } from '../../components/form.js';
import { onlyShown, saveErrors } from './common.js';
import { ConfigSection } from './ConfigSection.js';
import { ConfigForm, submitConfig } from './ConfigForm.js';
import { EMPTY_POLICY, formToPolicy, placePolicyIssues, policyToForm, type PolicyForm as Form } from './policyForm.js';
import type { Output } from '../../../shared/contract/index.js';

type PolicyRecord = Output<'listPolicies'>['items'][number];

function PolicyForm({ record, onDone, onCancel }: { record: PolicyRecord | null; onDone: (name: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<Form>(() => (record ? policyToForm(record.spec) : EMPTY_POLICY));
  const [local, setLocal] = useState<Record<string, string>>({});
  const channels = useApiQuery('listChannels', {});
  const done = { invalidates: ['listPolicies' as const], onSuccess: (out: { item: { name: string } }) => onDone(out.item.name) };
  const create = useApiMutation('createPolicy', done);
  const update = useApiMutation('updatePolicy', done);
  const save = record ? update : create;
  const shown = [
    'name',
    'repeat',
    'minInterval',
    'levels',
    ...form.levels.flatMap((_, i) => [`levels[${i}].delay`, `levels[${i}].channels`]),
  ];
  const errors = onlyShown(saveErrors(save.error, local, placePolicyIssues), shown);
  const names = (channels.data?.items ?? []).map((c) => c.name);
  const setLevel = (i: number, patch: Partial<Form['levels'][number]>) =>
    setForm((f) => ({ ...f, levels: f.levels.map((l, j) => (j === i ? { ...l, ...patch } : l)) }));

  return (
    <ConfigForm
      noun="policy"
      newTitle="New escalation policy"
      editing={record?.name ?? null}
      banner={errors.banner}
      pending={save.isPending}
      onSubmit={() =>
        submitConfig(formToPolicy(form), {
          recordId: record?.id ?? null,
          save,
          setLocal,
          create: (spec) => create.mutate(spec),
          update: (input) => update.mutate(input),
        })
      }
      onCancel={onCancel}
    >
      <ErrorBanner title="Cannot load channels" error={channels.error} />
      <div className="form-row">
        <TextField
          label="Name"
          name="name"
          autoFocus
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={errors.fields.name}
        />
        <TextField
          label="Repeat"
          name="repeat"
          inputMode="numeric"
          value={form.repeat}
          onChange={(e) => setForm({ ...form, repeat: e.target.value })}
          error={errors.fields.repeat}
          hint="times the levels run again after the first pass"
        />
        <TextField
          label="At most one notification per"
          name="minInterval"
          value={form.minInterval}
          onChange={(e) => setForm({ ...form, minInterval: e.target.value })}
          error={errors.fields.minInterval}
          hint="flapping guard, e.g. 5m; empty: no limit"
        />
      </div>
      <fieldset className="levels">
        <legend>Levels</legend>
        {errors.fields.levels && (
          <p className="field-error" role="alert">
            {errors.fields.levels}
          </p>
        )}
        {form.levels.map((level, i) => (
          <div className="level form-row" key={i}>
            <TextField
              label={`Level ${i + 1}: wait`}
              value={level.delay}
              onChange={(e) => setLevel(i, { delay: e.target.value })}
              error={errors.fields[`levels[${i}].delay`]}
              hint={i === 0 ? 'after the incident opens' : 'after the previous level'}
            />
            <fieldset className={`channel-picks${errors.fields[`levels[${i}].channels`] ? ' field-invalid' : ''}`}>
              <legend>Level {i + 1}: notify</legend>
              {names.length === 0 && (
                <span className="muted">
                  No channels yet: <Link to="/config/channels">add one</Link>.
                </span>
              )}
              {names.map((n) => (
                <label key={n}>
                  <input
                    type="checkbox"
                    checked={level.channels.includes(n)}
                    onChange={(e) =>
                      setLevel(i, { channels: e.target.checked ? [...level.channels, n] : level.channels.filter((c) => c !== n) })
                    }
                  />{' '}
                  {n}
                </label>
              ))}
              {errors.fields[`levels[${i}].channels`] && (
                <small className="field-error" role="alert">
                  {errors.fields[`levels[${i}].channels`]}
                </small>
              )}
            </fieldset>
            {form.levels.length > 1 && (
              <button type="button" className="ghost" onClick={() => setForm({ ...form, levels: form.levels.filter((_, j) => j !== i) })}>
                Remove level {i + 1}
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          className="ghost"
          onClick={() => setForm({ ...form, levels: [...form.levels, { delay: '10m', channels: [] }] })}
        >
          Add a level
        </button>
      </fieldset>
    </ConfigForm>
  );
}

export function PoliciesPage() {
  return (
    <ConfigSection<PolicyRecord>
      title="Escalation policies"
      noun="policy"
      list={useApiQuery('listPolicies', {})}
      listName="policies"
      remove={useApiMutation('deletePolicy', { invalidates: ['listPolicies'] })}
      columns={['Name', 'Levels', 'Repeat']}
      cells={(p) => (
        <>
          <td>{p.name}</td>
          <td>{p.spec.levels.map((l) => `+${String(l.delay ?? '0s')}: ${l.channels.join(', ')}`).join(' → ')}</td>
          <td>{p.spec.repeat ?? 0}</td>
        </>
      )}
      form={(props) => <PolicyForm {...props} />}
      empty={{
        title: 'No escalation policies yet',
        action: 'Create a policy',
        text: 'A policy says who hears about an incident and when: for example Slack at once, then email after 10 minutes if nobody acknowledges. Add a channel first.',
      }}
    />
  );
}

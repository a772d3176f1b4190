// Silences and maintenance windows: matching alerts are still recorded, just not notified.
import { useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { TextField } from '../../components/form.js';
import { formatTime } from '../../components/format.js';
import { CheckboxField, onlyShown, saveErrors } from './common.js';
import { ConfigSection } from './ConfigSection.js';
import { ConfigForm, submitConfig } from './ConfigForm.js';
import { emptySilence, formToSilence, placeSilenceIssues, silenceToForm, type SilenceForm as Form } from './silenceForm.js';

type SilenceRecord = Output<'listSilences'>['items'][number];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function SilenceForm({ record, onDone, onCancel }: { record: SilenceRecord | null; onDone: (name: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<Form>(() => (record ? silenceToForm(record.spec) : emptySilence(Date.now())));
  const [local, setLocal] = useState<Record<string, string>>({});
  const done = { invalidates: ['listSilences' as const], onSuccess: (out: { item: { name: string } }) => onDone(out.item.name) };
  const create = useApiMutation('createSilence', done);
  const update = useApiMutation('updateSilence', done);
  const save = record ? update : create;
  const shown = [
    'name',
    'hosts',
    'rules',
    'labels',
    'startsAt',
    'endsAt',
    'comment',
    ...(form.recurring ? ['recurring', 'days', 'from', 'to'] : []),
  ];
  const errors = onlyShown(saveErrors(save.error, local, placeSilenceIssues), shown);
  const field = (k: keyof Form, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      name={k}
      value={form[k] as string}
      onChange={(e) => setForm({ ...form, [k]: e.target.value })}
      error={errors.fields[k]}
      hint={hint}
      {...extra}
    />
  );

  return (
    <ConfigForm
      noun="silence"
      editing={record?.name ?? null}
      banner={errors.banner}
      pending={save.isPending}
      onSubmit={() =>
        submitConfig(formToSilence(form), {
          recordId: record?.id ?? null,
          save,
          setLocal,
          create: (spec) => create.mutate(spec),
          update: (input) => update.mutate(input),
        })
      }
      onCancel={onCancel}
    >
      <div className="form-row">
        {field('name', 'Name', undefined, { autoFocus: true })}
        {field('startsAt', 'From', 'your local time', { type: 'datetime-local' })}
        {field('endsAt', 'Until', 'your local time', { type: 'datetime-local' })}
      </div>
      <div className="form-row">
        {field('hosts', 'Hosts', 'names, comma separated')}
        {field('rules', 'Rules', 'names, comma separated')}
        {field('labels', 'Labels', 'e.g. role=db')}
      </div>
      <p className="muted">Empty matchers silence every alert.</p>
      <CheckboxField
        label="Recurring window (between From and Until)"
        checked={form.recurring}
        onChange={(e) => setForm({ ...form, recurring: e.target.checked })}
      />
      {form.recurring && (
        <div className="form-row">
          <fieldset className="days">
            <legend>Days (UTC; none: every day)</legend>
            {DAYS.map((d, i) => (
              <label key={d}>
                <input
                  type="checkbox"
                  checked={form.days.includes(i)}
                  onChange={(e) => setForm({ ...form, days: e.target.checked ? [...form.days, i] : form.days.filter((x) => x !== i) })}
                />{' '}
                {d}
              </label>
            ))}
            {errors.fields.days && (
              <small className="field-error" role="alert">
                {errors.fields.days}
              </small>
            )}
          </fieldset>
          {field('from', 'Daily from (UTC)', 'HH:MM')}
          {field('to', 'Daily to (UTC)', 'HH:MM')}
        </div>
      )}
      {errors.fields.recurring && (
        <p className="field-error" role="alert">
          {errors.fields.recurring}
        </p>
      )}
      {field('comment', 'Comment', 'why, and who to ask')}
    </ConfigForm>
  );
}

const matchers = (s: SilenceRecord['spec']) => {
  const m = s.matchers ?? {};
  const parts = [
    m.hosts?.length ? `hosts ${m.hosts.join(', ')}` : '',
    m.rules?.length ? `rules ${m.rules.join(', ')}` : '',
    m.labels && Object.keys(m.labels).length
      ? Object.entries(m.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
      : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'everything';
};

export function SilencesPage() {
  const now = Date.now();
  return (
    <ConfigSection<SilenceRecord>
      title="Silences"
      noun="silence"
      list={useApiQuery('listSilences', {})}
      listName="silences"
      remove={useApiMutation('deleteSilence', { invalidates: ['listSilences'] })}
      columns={['Name', 'Silences', 'Window']}
      cells={(s) => (
        <>
          <td>
            {s.name} {s.spec.endsAt <= now && <span className="badge muted">ended</span>}
          </td>
          <td>{matchers(s.spec)}</td>
          <td>
            {formatTime(s.spec.startsAt)} – {formatTime(s.spec.endsAt)}
            {s.spec.recurring && ` · daily ${s.spec.recurring.from}–${s.spec.recurring.to} UTC`}
          </td>
        </>
      )}
      form={(props) => <SilenceForm {...props} />}
      empty={{
        title: 'No silences',
        action: 'Plan a maintenance window',
        text: 'Silence alerts during maintenance: they are still recorded, just not notified.',
      }}
    />
  );
}

// Notification channels: webhook, Slack, email, desktop; create, edit, delete, and "send test",
// whose outcome (or the receiver's error) is shown beside the channel.
import { useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { errorMessage } from '../../components/ErrorBanner.js';
import { SelectField, TextField } from '../../components/form.js';
import {
  channelToForm,
  CHANNEL_TYPES,
  EMPTY_CHANNEL,
  formToChannel,
  placeChannelIssues,
  TYPE_FIELDS,
  type ChannelForm as Form,
} from './channelForm.js';
import { CheckboxField, onlyShown, saveErrors } from './common.js';
import { ConfigSection } from './ConfigSection.js';
import { ConfigForm, submitConfig } from './ConfigForm.js';

type ChannelRecord = Output<'listChannels'>['items'][number];
const TYPE_LABEL = {
  webhook: 'Webhook (JSON)',
  slack: 'Slack incoming webhook',
  email: 'Email (SMTP)',
  desktop: 'Desktop notification',
};

function ChannelForm({ record, onDone, onCancel }: { record: ChannelRecord | null; onDone: (name: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<Form>(() => (record ? channelToForm(record.spec) : EMPTY_CHANNEL));
  const [local, setLocal] = useState<Record<string, string>>({});
  const done = { invalidates: ['listChannels' as const], onSuccess: (out: { item: { name: string } }) => onDone(out.item.name) };
  const create = useApiMutation('createChannel', done);
  const update = useApiMutation('updateChannel', done);
  const save = record ? update : create;
  const errors = onlyShown(saveErrors(save.error, local, placeChannelIssues), ['name', 'type', ...TYPE_FIELDS[form.type]]);
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
  const secretHint = record ? 'shown as dots: leave them to keep the stored secret' : undefined;

  return (
    <ConfigForm
      noun="channel"
      editing={record?.name ?? null}
      banner={errors.banner}
      pending={save.isPending}
      onSubmit={() =>
        submitConfig(formToChannel(form), {
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
        <SelectField
          label="Type"
          name="type"
          value={form.type}
          onChange={(e) => setForm({ ...form, type: e.target.value as Form['type'] })}
          options={CHANNEL_TYPES.map((t) => ({ value: t, label: TYPE_LABEL[t] }))}
          error={errors.fields.type}
        />
      </div>
      {form.type === 'webhook' && (
        <div className="form-row">
          {field('url', 'URL', 'receives a JSON POST per notification', { type: 'url' })}
          {field('secret', 'Signing secret', secretHint ?? 'optional; signs each body (X-Watchtower-Signature)', {
            type: 'password',
            autoComplete: 'off',
          })}
          {field('headers', 'Extra headers', 'e.g. Authorization=Bearer abc')}
        </div>
      )}
      {form.type === 'slack' && <div className="form-row">{field('webhookUrl', 'Slack webhook URL', undefined, { type: 'url' })}</div>}
      {form.type === 'email' && (
        <>
          <div className="form-row">
            {field('host', 'SMTP host')}
            {field('port', 'Port', undefined, { inputMode: 'numeric' })}
            <CheckboxField
              label="TLS from the start (port 465)"
              checked={form.secure}
              onChange={(e) => setForm({ ...form, secure: e.target.checked })}
              error={errors.fields.secure}
            />
          </div>
          <div className="form-row">
            {field('user', 'User', 'optional')}
            {field('password', 'Password', secretHint ?? 'optional', { type: 'password', autoComplete: 'off' })}
          </div>
          <div className="form-row">
            {field('from', 'From')}
            {field('to', 'To', 'addresses, comma separated')}
          </div>
        </>
      )}
      {form.type === 'desktop' && <p className="muted">Shown by the desktop app's tray while it runs. No settings.</p>}
    </ConfigForm>
  );
}

function SendTest({ channel }: { channel: ChannelRecord }) {
  const test = useApiMutation('testChannel');
  const out = test.data;
  return (
    <span className="send-test">
      <button
        type="button"
        className="ghost"
        onClick={() => test.mutate({ id: channel.id })}
        disabled={test.isPending}
        aria-label={`Send a test through ${channel.name}`}
      >
        {test.isPending ? 'Sending…' : 'Send test'}
      </button>
      <span role="status" className={out ? (out.ok ? 'status-up' : 'sev-critical') : ''}>
        {test.error
          ? `Failed: ${errorMessage(test.error)}`
          : out
            ? out.ok
              ? `Sent${out.detail ? `: ${out.detail}` : ''}`
              : `Failed: ${out.error ?? 'unknown error'}${out.retryable ? ' (temporary: try again)' : ''}`
            : ''}
      </span>
    </span>
  );
}

export function ChannelsPage() {
  return (
    <ConfigSection<ChannelRecord>
      title="Notification channels"
      noun="channel"
      list={useApiQuery('listChannels', {})}
      listName="channels"
      remove={useApiMutation('deleteChannel', { invalidates: ['listChannels'] })}
      tableLabel="Channels"
      columns={['Name', 'Type', 'Test']}
      cells={(c) => (
        <>
          <td>{c.name}</td>
          <td>{TYPE_LABEL[c.spec.type]}</td>
          <td>
            <SendTest channel={c} />
          </td>
        </>
      )}
      form={(props) => <ChannelForm {...props} />}
      empty={{
        title: 'No channels yet',
        action: 'Add a channel',
        text: 'Channels are where notifications go: a Slack channel, an email list, a webhook. Add one, send a test, then use it in an escalation policy.',
      }}
    />
  );
}

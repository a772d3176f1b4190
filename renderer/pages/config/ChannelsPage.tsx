// Notification channels: webhook, Slack, email, desktop; create, edit, delete, and "send test",
// whose outcome (or the receiver's error) is shown beside the channel.
import { useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner, errorMessage } from '../../components/ErrorBanner.js';
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
import { CheckboxField, DeleteButton, onlyShown, saveErrors } from './common.js';

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
    <form
      className="card config-form"
      aria-label={record ? `Edit channel ${record.name}` : 'New channel'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const out = formToChannel(form);
        if (!out.ok) return (save.reset(), setLocal(out.errors));
        setLocal({});
        if (record) update.mutate({ ...out.spec, id: record.id });
        else create.mutate(out.spec);
      }}
    >
      <h2>{record ? `Edit channel “${record.name}”` : 'New channel'}</h2>
      {errors.banner && <ErrorBanner title="Cannot save the channel" error={errors.banner} />}
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
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : record ? 'Save channel' : 'Create channel'}
        </button>
        <button type="button" className="ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
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
  const channels = useApiQuery('listChannels', {});
  const [editing, setEditing] = useState<ChannelRecord | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const remove = useApiMutation('deleteChannel', { invalidates: ['listChannels'] });
  const items = channels.data?.items ?? [];
  return (
    <>
      <div className="toolbar">
        <h2>Notification channels</h2>
        <button type="button" onClick={() => (setSaved(null), setEditing('new'))} disabled={editing === 'new'}>
          New channel
        </button>
        <p role="status" className="muted">
          {saved}
        </p>
      </div>
      {editing && (
        <ChannelForm
          key={editing === 'new' ? 'new' : editing.id}
          record={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={(name) => (setEditing(null), setSaved(`Saved channel “${name}”.`))}
        />
      )}
      <ErrorBanner title="Cannot load channels" error={channels.error} onRetry={() => void channels.refetch()} />
      {channels.isPending ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 && !channels.error ? (
        !editing && (
          <EmptyState title="No channels yet" action={<button onClick={() => setEditing('new')}>Add a channel</button>}>
            Channels are where notifications go: a Slack channel, an email list, a webhook. Add one, send a test, then use it in an
            escalation policy.
          </EmptyState>
        )
      ) : (
        <table className="table" aria-label="Channels">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Test</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{TYPE_LABEL[c.spec.type]}</td>
                <td>
                  <SendTest channel={c} />
                </td>
                <td className="row-actions">
                  <button type="button" className="ghost" onClick={() => (setSaved(null), setEditing(c))} aria-label={`Edit ${c.name}`}>
                    Edit
                  </button>
                  <DeleteButton
                    what={`channel ${c.name}`}
                    pending={remove.isPending && remove.variables?.id === c.id}
                    error={remove.variables?.id === c.id ? remove.error : null}
                    onDelete={() => remove.mutate({ id: c.id })}
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

// Add a host whose agent you run yourself (no SSH): its name and labels, then its agent token (shown
// once, here) and the command lines that run the agent against this instance's ingest listener,
// which is not the dashboard's address. The host is in the list at once ("never seen") and goes up
// with its agent's first batch; the status here follows it live.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formErrors, TextField } from '../../components/form.js';
import { parseMap } from '../config/formText.js';
import { AgentRunInstructions } from './AgentRunInstructions.js';
import { HostStatusBadge } from './HostStatus.js';

type Created = Output<'createHost'>;
const FIELDS = ['name', 'labels'] as const;

export function AddHostForm({ onClose }: { onClose: () => void }) {
  const [created, setCreated] = useState<Created | null>(null);
  return created ? (
    <AgentSetup created={created} onDone={onClose} onAnother={() => setCreated(null)} />
  ) : (
    <NewHostForm onCreated={setCreated} onCancel={onClose} />
  );
}

function NewHostForm({ onCreated, onCancel }: { onCreated: (c: Created) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useApiMutation('createHost', { invalidates: ['listHosts'], onSuccess: onCreated });
  const api = formErrors(create.error, FIELDS);
  const fields = { ...api.fields, ...local };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseMap(labels);
    if (!parsed.ok) {
      create.reset();
      setLocal({ labels: parsed.error });
      return;
    }
    setLocal({});
    create.mutate({ name, ...(Object.keys(parsed.value).length ? { labels: parsed.value } : {}) });
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-host-h" className="card" noValidate>
      <h2 id="add-host-h">Add a host (run the agent yourself)</h2>
      <p className="muted">
        For a server Watchtower does not log in to: you get the host&apos;s agent token and the command that runs the agent there.
      </p>
      {api.general && <ErrorBanner title="Cannot add the host" error={api.general} />}
      <div className="form-row">
        <TextField
          label="Name"
          required
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
          hint="how it is listed, e.g. web-1"
        />
        <TextField
          label="Labels (optional)"
          value={labels}
          onChange={(e) => setLabels(e.target.value)}
          error={fields.labels}
          hint="name=value, comma-separated, e.g. role=web, env=prod"
        />
      </div>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add host'}
        </button>
        <button type="button" className="ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AgentSetup({ created, onDone, onAnother }: { created: Created; onDone: () => void; onAnother: () => void }) {
  const hosts = useApiQuery('listHosts', {});
  // The list follows the live stream: the status here moves from "never seen" to up without a reload.
  const host = hosts.data?.hosts.find((h) => h.id === created.host.id) ?? created.host;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card" aria-labelledby="agent-setup-h" data-testid="agent-setup">
      <h2 id="agent-setup-h" tabIndex={-1} ref={heading}>
        Run the agent on {host.name}
      </h2>
      <p>
        Status: <HostStatusBadge status={host.status} testId="new-host-status" />{' '}
        <span className="muted">
          {host.status === 'new'
            ? '— until the first batch from its agent arrives.'
            : host.status === 'up'
              ? '— its agent is reporting.'
              : '— its agent has stopped reporting.'}
        </span>
      </p>
      <AgentRunInstructions token={created.agentToken} />
      <div className="actions">
        <button type="button" onClick={onDone}>
          Done
        </button>
        <button type="button" className="ghost" onClick={onAnother}>
          Add another host
        </button>
      </div>
    </section>
  );
}

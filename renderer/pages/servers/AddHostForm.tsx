// Add a host whose agent you run yourself (no SSH): its name and labels, then its agent token (shown
// once, here) and the command lines that run the agent against this instance's ingest listener,
// which is not the dashboard's address. The host is in the list at once ("never seen") and goes up
// with its agent's first batch; the status here follows it live.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { InstanceSettings, Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { Copyable } from '../../components/Copyable.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formErrors, TextField } from '../../components/form.js';
import { parseMap } from '../config/formText.js';
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

const LOOPBACK = /^(127\.|localhost$|\[?::1\]?$)/;
const isLoopback = (host: string) => LOOPBACK.test(host);
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** What a person must know before running the agent elsewhere: who can reach the ingest URL shown. */
export function ingestNote(ingest: InstanceSettings['ingest']): string | null {
  if (!isLoopback(hostOf(ingest.url))) return null;
  if (isLoopback(ingest.host))
    return (
      `The ingest listener is on loopback (ingest.host ${ingest.host}): only an agent on this machine reaches it. ` +
      'For an agent on another machine, start Watchtower with --ingest-host 0.0.0.0 (agents authenticate with their token), ' +
      'or reach it through an SSH tunnel and keep it on loopback.'
    );
  return (
    `This URL names this machine's loopback, but the listener accepts other machines (ingest.host ${ingest.host}): ` +
    'on another machine use an address of this one that it reaches (the deploy.ingestUrl setting makes the dashboard show it).'
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

/** A new agent token (shown once) and the command lines that run an agent with it against this instance. */
export function AgentRunInstructions({ token }: { token: string }) {
  const settings = useApiQuery('getSettings', {});
  const ingest = settings.data?.ingest;
  const args = `--server ${ingest?.url ?? '<ingest URL>'} --token ${token} --data-dir ./agent-data`;
  const note = ingest ? ingestNote(ingest) : null;
  return (
    <>
      <div className="banner banner-info" role="note">
        <strong>Copy the agent token now: it is not shown again.</strong>
        <span>Only its hash is stored. If it is lost, replace it from the server&apos;s page.</span>
      </div>
      <p>
        Agent token: <Copyable value={token} what="agent token" testId="agent-token" />
      </p>
      <ErrorBanner title="Cannot load the ingest address" error={settings.error} onRetry={() => void settings.refetch()} />
      <p>
        Agents send to the ingest listener, not to this dashboard&apos;s address:{' '}
        {ingest ? <code data-testid="ingest-url">{ingest.url}</code> : <span className="muted">loading…</span>}
      </p>
      {note && (
        <p className="muted" data-testid="ingest-note">
          {note}
        </p>
      )}
      <h3>From a checkout of Watchtower</h3>
      <Copyable block value={`npm run agent -- ${args}`} what="command for a checkout" testId="agent-command-checkout" />
      <h3>From the agent artifact</h3>
      <p className="muted">
        <code>npm run package:agent</code> builds <code>dist/agent-artifacts/&lt;target&gt;/</code> (the runtime, <code>agent.mjs</code> and
        its launcher); copy that directory to the server and, in it, run:
      </p>
      <Copyable block value={`./watchtower-agent ${args}`} what="command for the artifact" testId="agent-command-artifact" />
      <p className="muted">
        <code>--help</code> lists the other options (interval, log files, buffer size). On a machine others log in to, pass the token as{' '}
        <code>WATCHTOWER_AGENT_TOKEN</code> or in a <code>--config</code> file instead, so <code>ps</code> does not show it.
      </p>
    </>
  );
}

// A new agent token (shown once) and the command lines that run an agent with it against this
// instance's ingest listener, which is not the dashboard's address: for a host just added, and for
// one whose token was replaced.
import type { InstanceSettings } from '../../../shared/contract/index.js';
import { useApiQuery } from '../../api/hooks.js';
import { Copyable } from '../../components/Copyable.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';

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

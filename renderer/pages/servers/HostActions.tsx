// What can be done to a host from its page: replace its agent token (the old one is revoked at
// once, e.g. after a leak; the new one is shown once, with the commands that use it), and remove it
// with its data. Both ask first: each locks the running agent out.
import { useState } from 'react';
import type { HostView } from '../../../shared/contract/index.js';
import { useApiMutation } from '../../api/hooks.js';
import { navigate } from '../../app/router.js';
import { DeleteButton } from '../../components/DeleteButton.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { AgentRunInstructions } from './AgentRunInstructions.js';

export function HostActions({ host }: { host: HostView }) {
  const [asking, setAsking] = useState(false);
  const rotate = useApiMutation('rotateAgentToken', { onSuccess: () => setAsking(false) });
  const remove = useApiMutation('deleteHost', { invalidates: ['listHosts'], onSuccess: () => navigate('/servers') });

  return (
    <section className="card" aria-labelledby="host-actions-h">
      <h2 id="host-actions-h">Agent token and removal</h2>
      {rotate.data ? (
        <div data-testid="replaced-token">
          <p>
            The old token of {host.name} no longer works. Give its agent this one (a server deployed over SSH gets it at its next deploy
            run).
          </p>
          <AgentRunInstructions token={rotate.data.agentToken} />
          <button type="button" className="ghost" onClick={() => rotate.reset()}>
            Done
          </button>
        </div>
      ) : asking ? (
        <div role="group" aria-label="Replace the agent token">
          <p>
            The current token stops working at once: the agent on {host.name} is refused until it runs with the new one. Do this when the
            token leaked or was lost.
          </p>
          <div className="actions">
            <button type="button" className="danger" autoFocus disabled={rotate.isPending} onClick={() => rotate.mutate({ id: host.id })}>
              {rotate.isPending ? 'Replacing…' : 'Replace the token'}
            </button>
            <button type="button" className="ghost" onClick={() => setAsking(false)}>
              Keep the current one
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="ghost" onClick={() => setAsking(true)}>
            Replace agent token…
          </button>
          <DeleteButton
            what={`host ${host.name}`}
            verb="Remove"
            pending={remove.isPending}
            error={remove.error}
            onDelete={() => remove.mutate({ id: host.id })}
          />
        </div>
      )}
      <ErrorBanner title="Cannot replace the agent token" error={rotate.error} />
      <p className="muted">Removing a host deletes its metrics, log lines and agent tokens; its incidents stay in the history.</p>
    </section>
  );
}

// The servers the deployer reaches over SSH: add one (confirming its host key), deploy, upgrade or
// remove the agent on one or many, with live per-server progress.
import { useMemo, useState } from 'react';
import type { DeployAction } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { Link, setQuery, useLocation } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { AddServerForm } from './AddServerForm.js';
import { DeployRun } from './DeployRun.js';
import { HostKeyCheck } from './HostKeyCheck.js';
import { HostStatusBadge } from './HostStatus.js';

export function SshServers() {
  const { query } = useLocation();
  const adding = query.get('add') === '1';
  const servers = useApiQuery('listServers', {});
  const hosts = useApiQuery('listHosts', {});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [runs, setRuns] = useState<string[]>([]);
  const deploy = useApiMutation('startDeploy', {
    invalidates: ['listDeploys'],
    onSuccess: (out) => setRuns((r) => [out.run.id, ...r]),
  });
  const forget = useApiMutation('deleteServer', { invalidates: ['listServers'] });
  const hostStatus = useMemo(() => new Map((hosts.data?.hosts ?? []).map((h) => [h.id, h.status])), [hosts.data]);

  const start = (action: DeployAction, ids: string[]) => {
    if (action === 'uninstall' && !confirm(`Remove the agent from ${ids.length} server(s)? Monitoring stops there.`)) return;
    deploy.mutate({ action, serverIds: ids });
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const list = servers.data?.servers ?? [];
  const chosen = list.filter((s) => selected.has(s.id)).map((s) => s.id);

  return (
    <section aria-labelledby="ssh-h">
      <div className="toolbar">
        <h2 id="ssh-h" style={{ margin: 0 }}>
          Deploy over SSH
        </h2>
        {!adding && <button onClick={() => setQuery({ add: '1' })}>Add server</button>}
        <button type="button" className="ghost" disabled={chosen.length === 0 || deploy.isPending} onClick={() => start('install', chosen)}>
          Deploy to selected ({chosen.length})
        </button>
        <button type="button" className="ghost" disabled={chosen.length === 0 || deploy.isPending} onClick={() => start('upgrade', chosen)}>
          Upgrade selected
        </button>
      </div>
      {adding && <AddServerForm onAdded={() => setQuery({ add: null })} onCancel={() => setQuery({ add: null })} />}
      <ErrorBanner title="Cannot start the deploy" error={deploy.error} />
      <ErrorBanner title="Cannot forget the server" error={forget.error} />
      {runs.map((id) => (
        <DeployRun key={id} runId={id} onClose={() => setRuns((r) => r.filter((x) => x !== id))} />
      ))}
      <ErrorBanner title="Cannot load servers" error={servers.error} onRetry={() => void servers.refetch()} />
      {servers.data && list.length === 0 && !adding ? (
        <EmptyState title="No SSH servers yet" action={<button onClick={() => setQuery({ add: '1' })}>Add server</button>}>
          Add a server with its SSH login; Watchtower confirms its host key with you, installs the agent and starts it as a service.
        </EmptyState>
      ) : (
        list.length > 0 && (
          <table className="table" data-testid="ssh-servers">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all servers"
                    checked={chosen.length === list.length}
                    onChange={(e) => setSelected(new Set(e.target.checked ? list.map((s) => s.id) : []))}
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col">SSH</th>
                <th scope="col">Host key</th>
                <th scope="col">Agent</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-testid={`ssh-server-${s.name}`}>
                  <td>
                    <input type="checkbox" aria-label={`Select ${s.name}`} checked={selected.has(s.id)} onChange={() => toggle(s.id)} />
                  </td>
                  <td>{s.hostId ? <Link to={`/servers/${s.hostId}`}>{s.name}</Link> : s.name}</td>
                  <td>
                    <code>
                      {s.user}@{s.host}:{s.port}
                    </code>
                    {s.reach === 'tunnel' && <span className="muted"> · tunnel {s.tunnel.state}</span>}
                  </td>
                  <td>
                    <HostKeyCheck server={s} />
                  </td>
                  <td>
                    {s.installed ? `${s.installed.version} (${s.installed.serviceKind})` : <span className="muted">not installed</span>}
                    {s.hostId && hostStatus.get(s.hostId) && (
                      <>
                        {' '}
                        <HostStatusBadge status={hostStatus.get(s.hostId)!} />
                      </>
                    )}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      disabled={deploy.isPending || !s.hostKey}
                      title={s.hostKey ? '' : 'Confirm its host key first'}
                      onClick={() => start(s.installed ? 'upgrade' : 'install', [s.id])}
                    >
                      {s.installed ? 'Upgrade' : 'Deploy'}
                    </button>
                    {s.installed && (
                      <button type="button" className="ghost" disabled={deploy.isPending} onClick={() => start('uninstall', [s.id])}>
                        Remove agent
                      </button>
                    )}
                    <button
                      type="button"
                      className="ghost"
                      disabled={forget.isPending}
                      onClick={() => confirm(`Forget ${s.name}? Its agent keeps running until removed.`) && forget.mutate({ id: s.id })}
                    >
                      Forget
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
    </section>
  );
}

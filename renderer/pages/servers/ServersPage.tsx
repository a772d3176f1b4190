// The fleet: every monitored host with status, agent version and live CPU / memory / disk, in a
// virtualized table that stays smooth with thousands of rows. Hosts come in two ways: a host whose
// agent you run yourself (its token and command shown once, here), or an SSH server the deployer
// installs (below).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HostView } from '../../../shared/contract/index.js';
import { useApiQuery } from '../../api/hooks.js';
import { Link, navigate, setQuery, useLocation } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatAgo } from '../../components/format.js';
import { VirtualTable, type Column } from '../../components/VirtualTable.js';
import { AddHostForm } from './AddHostForm.js';
import { HostMeter } from './HostMeter.js';
import { HostStatusBadge } from './HostStatus.js';
import { SshServers } from './SshServers.js';
import { SUMMARY_METRICS, summariesByHost, type HostSummary } from './summary.js';

const NONE: HostSummary = { cpu: null, mem: null, disk: null };

export function ServersPage() {
  const hosts = useApiQuery('listHosts', {});
  const latest = useApiQuery('latest', { metrics: SUMMARY_METRICS }, { staleTime: 30_000 });
  const [filter, setFilter] = useState('');
  const { query } = useLocation();
  const addingHost = query.get('addHost') === '1';
  // Back to the button that opened the form once it closes, so the keyboard stays where it was.
  const addHostButton = useRef<HTMLButtonElement>(null);
  const wasAdding = useRef(addingHost);
  useEffect(() => {
    if (wasAdding.current && !addingHost) addHostButton.current?.focus();
    wasAdding.current = addingHost;
  }, [addingHost]);
  const summaries = useMemo(() => summariesByHost(latest.data?.values ?? []), [latest.data]);

  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = hosts.data?.hosts ?? [];
    const list = f
      ? all.filter((h) => h.name.toLowerCase().includes(f) || Object.values(h.labels).some((v) => v.toLowerCase().includes(f)))
      : all;
    return [...list].sort((a, b) => a.name.localeCompare(b.name));
  }, [hosts.data, filter]);

  const columns: Column<HostView>[] = useMemo(
    () => [
      { key: 'name', header: 'Name', width: '2fr', render: (h) => <Link to={`/servers/${h.id}`}>{h.name}</Link> },
      { key: 'status', header: 'Status', width: '100px', render: (h) => <HostStatusBadge status={h.status} /> },
      { key: 'agent', header: 'Agent', width: '90px', render: (h) => h.agentVersion ?? <span className="muted">–</span> },
      { key: 'seen', header: 'Last seen', width: '110px', render: (h) => formatAgo(h.lastSeenAt) },
      {
        key: 'cpu',
        header: 'CPU',
        width: '1fr',
        render: (h) => <HostMeter hostId={h.id} field="cpu" initial={(summaries.get(h.id) ?? NONE).cpu} />,
      },
      {
        key: 'mem',
        header: 'Memory',
        width: '1fr',
        render: (h) => <HostMeter hostId={h.id} field="mem" initial={(summaries.get(h.id) ?? NONE).mem} />,
      },
      {
        key: 'disk',
        header: 'Disk',
        width: '1fr',
        render: (h) => <HostMeter hostId={h.id} field="disk" initial={(summaries.get(h.id) ?? NONE).disk} />,
      },
    ],
    [summaries],
  );

  return (
    <section className="page">
      <h1>Servers</h1>
      <ErrorBanner title="Cannot load hosts" error={hosts.error} onRetry={() => void hosts.refetch()} />
      <ErrorBanner title="Cannot load live values" error={latest.error} onRetry={() => void latest.refetch()} />
      <div className="toolbar">
        <label>
          <span className="muted">Filter </span>
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="name or label"
            aria-label="Filter servers"
          />
        </label>
        <span className="muted" data-testid="host-count">
          {hosts.data ? `${rows.length} of ${hosts.data.hosts.length} hosts` : ''}
        </span>
        {!addingHost && (
          <button type="button" ref={addHostButton} onClick={() => setQuery({ addHost: '1' })}>
            Add a host (run the agent yourself)
          </button>
        )}
      </div>
      {addingHost && <AddHostForm onClose={() => setQuery({ addHost: null })} />}
      {hosts.data && hosts.data.hosts.length === 0 ? (
        !addingHost && (
          <EmptyState title="No servers yet">
            Add a host and run its agent yourself (above), or add a server below: Watchtower connects over SSH, installs the agent and shows
            its metrics here.
          </EmptyState>
        )
      ) : (
        <VirtualTable label="Hosts" rows={rows} columns={columns} rowKey={(h) => h.id} onActivate={(h) => navigate(`/servers/${h.id}`)} />
      )}
      <SshServers />
    </section>
  );
}

// Fleet health at a glance: hosts up/down, open incidents by severity, the busiest hosts.
import { useMemo } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiQuery } from '../../api/hooks.js';
import { Link } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatPercent } from '../../components/format.js';
import { SUMMARY_METRICS, summariesByHost } from '../servers/summary.js';

type Severity = Output<'listIncidents'>['incidents'][number]['severity'];
const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
export const OPEN_INCIDENTS = { status: ['triggered', 'acknowledged'], limit: 1000 } as const;

export function OverviewPage() {
  const hosts = useApiQuery('listHosts', {});
  const incidents = useApiQuery('listIncidents', { ...OPEN_INCIDENTS, status: [...OPEN_INCIDENTS.status] });
  const latest = useApiQuery('latest', { metrics: SUMMARY_METRICS }, { staleTime: 10_000, refetchInterval: 15_000 });

  const counts = useMemo(() => {
    const c = { up: 0, down: 0, new: 0 };
    for (const h of hosts.data?.hosts ?? []) c[h.status]++;
    return c;
  }, [hosts.data]);

  const bySeverity = useMemo(() => {
    const c: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
    for (const i of incidents.data?.incidents ?? []) c[i.severity]++;
    return c;
  }, [incidents.data]);

  const busiest = useMemo(() => {
    if (!latest.data || !hosts.data) return [];
    const names = new Map(hosts.data.hosts.map((h) => [h.id, h.name]));
    return [...summariesByHost(latest.data.values)]
      .filter(([id, s]) => names.has(id) && s.cpu !== null)
      .sort((a, b) => b[1].cpu! - a[1].cpu!)
      .slice(0, 8)
      .map(([id, s]) => ({ id, name: names.get(id)!, ...s }));
  }, [latest.data, hosts.data]);

  return (
    <section className="page">
      <h1>Overview</h1>
      <ErrorBanner title="Cannot load hosts" error={hosts.error} onRetry={() => void hosts.refetch()} />
      <ErrorBanner title="Cannot load incidents" error={incidents.error} onRetry={() => void incidents.refetch()} />
      <div className="cards">
        <article className="card" aria-labelledby="hosts-h" data-testid="hosts-card">
          <h2 id="hosts-h">Hosts</h2>
          {hosts.isPending ? (
            <p className="muted">Loading…</p>
          ) : (
            <dl className="stats">
              <div className="stat ok">
                <dt>Up</dt>
                <dd data-testid="hosts-up">{counts.up}</dd>
              </div>
              <div className="stat bad">
                <dt>Down</dt>
                <dd data-testid="hosts-down">{counts.down}</dd>
              </div>
              <div className="stat">
                <dt>Never reported</dt>
                <dd>{counts.new}</dd>
              </div>
            </dl>
          )}
        </article>
        <article className="card" aria-labelledby="inc-h" data-testid="incidents-card">
          <h2 id="inc-h">Open incidents</h2>
          {incidents.isPending ? (
            <p className="muted">Loading…</p>
          ) : (
            <dl className="stats">
              {SEVERITIES.map((s) => (
                <div key={s} className={`stat sev-${s}`}>
                  <dt>{s}</dt>
                  <dd data-testid={`open-${s}`}>{bySeverity[s]}</dd>
                </div>
              ))}
            </dl>
          )}
          <Link to="/incidents">All incidents →</Link>
        </article>
      </div>
      <article className="card" aria-labelledby="busy-h">
        <h2 id="busy-h">Busiest hosts</h2>
        <ErrorBanner title="Cannot load metrics" error={latest.error} onRetry={() => void latest.refetch()} />
        {hosts.data && hosts.data.hosts.length === 0 ? (
          <EmptyState title="No servers yet" action={<Link to="/servers?add=1">Add a server</Link>}>
            Add a server and deploy its agent; its metrics show up here within seconds.
          </EmptyState>
        ) : latest.isPending ? (
          <p className="muted">Loading…</p>
        ) : busiest.length === 0 ? (
          <p className="muted">No host has reported CPU usage yet.</p>
        ) : (
          <table className="table" data-testid="busiest">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
                <th scope="col">Fullest disk</th>
              </tr>
            </thead>
            <tbody>
              {busiest.map((h) => (
                <tr key={h.id}>
                  <td>
                    <Link to={`/servers/${h.id}`}>{h.name}</Link>
                  </td>
                  <td>{formatPercent(h.cpu!)}</td>
                  <td>{h.mem === null ? '–' : formatPercent(h.mem)}</td>
                  <td>{h.disk === null ? '–' : formatPercent(h.disk)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </article>
    </section>
  );
}

// One server: what it is, live charts of every metric it reports over a chosen range, its top
// processes, its recent log lines, its incidents, and replacing its agent token or removing it.
import { useEffect, useMemo, useState } from 'react';
import { METRICS } from '../../../shared/metrics.js';
import { useApiQuery } from '../../api/hooks.js';
import { Link, setQuery, useLocation } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatAgo, formatBytes, formatTime } from '../../components/format.js';
import { HostActions } from './HostActions.js';
import { HostStatusBadge } from './HostStatus.js';
import { MetricChart } from './MetricChart.js';
import { isRangeKey, RANGES, rangeQuery, type RangeKey } from './ranges.js';

const CATALOG_ORDER = Object.keys(METRICS);
const order = (m: string) => (CATALOG_ORDER.includes(m) ? CATALOG_ORDER.indexOf(m) : CATALOG_ORDER.length);

export function ServerDetailPage({ id }: { id: string }) {
  const { query } = useLocation();
  const rangeKey: RangeKey = isRangeKey(query.get('range')) ? (query.get('range') as RangeKey) : '15m';
  const host = useApiQuery('getHost', { id });
  const latest = useApiQuery('latest', { hostId: id });

  // A rollup range does not follow the live stream: move its window once a minute instead.
  const [tick, setTick] = useState(0);
  const range = useMemo(() => rangeQuery(rangeKey, Date.now()), [rangeKey, tick]);
  useEffect(() => {
    if (range.live) return;
    const t = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(t);
  }, [range.live]);

  const metrics = useMemo(
    () => [...new Set((latest.data?.values ?? []).map((v) => v.metric))].sort((a, b) => order(a) - order(b) || a.localeCompare(b)),
    [latest.data],
  );

  if (host.error) return <ErrorBanner title="Cannot load this server" error={host.error} onRetry={() => void host.refetch()} />;
  const h = host.data?.host;
  return (
    <section className="page">
      <p>
        <Link to="/servers">← Servers</Link>
      </p>
      <h1>
        {h?.name ?? 'Server'} {h && <HostStatusBadge status={h.status} />}
      </h1>
      {h && (
        <p className="muted">
          Agent {h.agentVersion ?? '–'} · last seen {formatAgo(h.lastSeenAt)}
          {h.inventory &&
            ` · ${h.inventory.os} · kernel ${h.inventory.kernel} · ${h.inventory.arch} · ${h.inventory.cpuCores} cores · ${formatBytes(h.inventory.memoryBytes)}`}
        </p>
      )}

      <div className="toolbar" role="group" aria-label="Time range">
        <div className="tabs">
          {RANGES.map((r) => (
            <button key={r.key} type="button" aria-pressed={r.key === rangeKey} onClick={() => setQuery({ range: r.key })}>
              {r.label}
            </button>
          ))}
        </div>
        <span className="muted">
          {range.source === 'raw' ? 'raw samples, live' : 'one-minute rollups'} · step {range.step / 1000}s
        </span>
      </div>

      <ErrorBanner title="Cannot load metrics" error={latest.error} onRetry={() => void latest.refetch()} />
      {latest.data && metrics.length === 0 ? (
        <EmptyState title="No metrics yet">
          This server has not reported. Deploy its agent from the Servers page, or check that it can reach the ingest address.
        </EmptyState>
      ) : (
        <div className="charts" data-testid="charts">
          {metrics.map((m) => (
            <MetricChart key={m} hostId={id} metric={m} range={range} />
          ))}
        </div>
      )}

      <div className="cards">
        <TopProcesses processes={h?.processes ?? null} />
        <HostIncidents hostId={id} />
      </div>
      <RecentLogs hostId={id} />
      {h && <HostActions host={h} />}
    </section>
  );
}

function TopProcesses({
  processes,
}: {
  processes: { pid: number; name: string; user?: string | undefined; cpuPercent: number; memBytes: number }[] | null;
}) {
  const top = useMemo(() => [...(processes ?? [])].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, 15), [processes]);
  return (
    <article className="card" aria-labelledby="procs-h">
      <h2 id="procs-h">Top processes</h2>
      {top.length === 0 ? (
        <p className="muted">The agent has not sent a process list yet (it scans every 30 s).</p>
      ) : (
        <table className="table" data-testid="processes">
          <thead>
            <tr>
              <th scope="col">PID</th>
              <th scope="col">Name</th>
              <th scope="col">User</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
            </tr>
          </thead>
          <tbody>
            {top.map((p) => (
              <tr key={p.pid}>
                <td>{p.pid}</td>
                <td>{p.name}</td>
                <td>{p.user ?? '–'}</td>
                <td>{p.cpuPercent.toFixed(1)}%</td>
                <td>{formatBytes(p.memBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function HostIncidents({ hostId }: { hostId: string }) {
  const q = useApiQuery('listIncidents', { hostId, limit: 20 });
  return (
    <article className="card" aria-labelledby="host-inc-h">
      <h2 id="host-inc-h">Incidents</h2>
      <ErrorBanner title="Cannot load incidents" error={q.error} onRetry={() => void q.refetch()} />
      {q.data && q.data.incidents.length === 0 && <p className="muted">No incidents on this server.</p>}
      {q.data && q.data.incidents.length > 0 && (
        <ul>
          {q.data.incidents.map((i) => (
            <li key={i.id}>
              <span className={`badge sev-${i.severity}`}>{i.severity}</span> <Link to={`/incidents/${i.id}`}>{i.title}</Link>{' '}
              <span className="muted">
                {i.status} · {formatAgo(i.triggeredAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function RecentLogs({ hostId }: { hostId: string }) {
  const q = useApiQuery('hostEvents', { id: hostId, limit: 100 }, { refetchInterval: 10_000 });
  return (
    <article className="card" aria-labelledby="logs-h">
      <h2 id="logs-h">Recent log lines</h2>
      <ErrorBanner title="Cannot load log lines" error={q.error} onRetry={() => void q.refetch()} />
      {q.data && q.data.events.length === 0 && (
        <p className="muted">No log lines yet. The agent follows the files given with --log-file (logFiles in its config).</p>
      )}
      {q.data && q.data.events.length > 0 && (
        <ul className="log-lines" data-testid="logs">
          {q.data.events.map((e) => (
            <li key={e.id}>
              <span className="muted">{formatTime(e.ts)}</span> {e.level && <span className={`badge sev-${e.level}`}>{e.level}</span>}{' '}
              <span className="muted">{e.source}</span> {e.message}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

// The incident list: filtered by status, severity, host, rule and time (kept in the URL), updated
// live (the live hook patches the cached list when an incident opens or changes).
import { useMemo, useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiQuery } from '../../api/hooks.js';
import { Link, setQuery, useLocation } from '../../app/router.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatAgo } from '../../components/format.js';
import { DEFAULT_FILTERS, filtersFromQuery, filtersToQuery, toListInput } from './filters.js';
import { IncidentFilterBar } from './IncidentFilterBar.js';
import { TestIncidentForm } from './TestIncidentForm.js';
import './incidents.css';

type Incident = Output<'listIncidents'>['incidents'][number];

export function IncidentsPage() {
  const { query } = useLocation();
  const filters = filtersFromQuery(query);
  const input = toListInput(filters, Date.now());
  const incidents = useApiQuery('listIncidents', input);
  const hosts = useApiQuery('listHosts', {});
  const rules = useApiQuery('listRules', {});
  const [testing, setTesting] = useState(false);

  const hostName = useMemo(() => new Map((hosts.data?.hosts ?? []).map((h) => [h.id, h.name])), [hosts.data]);
  const ruleName = useMemo(() => new Map((rules.data?.items ?? []).map((r) => [r.id, r.name])), [rules.data]);
  const isDefault = JSON.stringify(filters) === JSON.stringify(DEFAULT_FILTERS);
  const list = incidents.data?.incidents ?? [];

  return (
    <section className="page">
      <div className="toolbar">
        <h1>Incidents</h1>
        <button type="button" className="ghost" onClick={() => setTesting(true)} disabled={testing}>
          Trigger a test incident
        </button>
      </div>
      {testing && <TestIncidentForm onClose={() => setTesting(false)} />}
      <IncidentFilterBar
        filters={filters}
        onChange={(f) => setQuery(filtersToQuery(f))}
        hosts={hosts.data?.hosts ?? []}
        rules={rules.data?.items ?? []}
      />
      <ErrorBanner title="Cannot load incidents" error={incidents.error} onRetry={() => void incidents.refetch()} />
      <ErrorBanner title="Cannot load hosts for the filter" error={hosts.error} />
      <ErrorBanner title="Cannot load rules for the filter" error={rules.error} />
      {incidents.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 && !incidents.error ? (
        <EmptyState
          title={isDefault ? 'No open incidents' : 'No incidents match these filters'}
          action={
            isDefault ? (
              <p>
                Incidents open when a host breaches a rule. <Link to="/config/rules">Add a rule</Link>, or trigger a test incident to check
                your notifications.
              </p>
            ) : (
              <button
                type="button"
                className="ghost"
                onClick={() => setQuery(filtersToQuery({ ...DEFAULT_FILTERS, status: [], range: 'all' }))}
              >
                Show every incident
              </button>
            )
          }
        />
      ) : (
        <table className="table" aria-label="Incidents" data-testid="incident-list">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Severity</th>
              <th scope="col">Incident</th>
              <th scope="col">Host</th>
              <th scope="col">Rule</th>
              <th scope="col">Opened</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <IncidentRow key={i.id} i={i} host={i.hostId ? (hostName.get(i.hostId) ?? i.hostId) : '—'} rule={rule(i, ruleName)} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const rule = (i: Incident, names: Map<string, string>) =>
  i.ruleId ? (names.get(i.ruleId) ?? i.ruleId) : i.source === 'test' ? 'test' : 'external event';

function IncidentRow({ i, host, rule }: { i: Incident; host: string; rule: string }) {
  return (
    <tr data-incident={i.id} data-status={i.status}>
      <td>
        <span className={`badge status-${i.status}`}>{i.status}</span>
        {i.silenced && <span className="badge muted"> silenced</span>}
      </td>
      <td className={`sev-${i.severity}`}>{i.severity}</td>
      <td>
        <Link to={`/incidents/${i.id}`}>{i.title}</Link>
      </td>
      <td>{host}</td>
      <td>{rule}</td>
      <td>
        <time dateTime={new Date(i.triggeredAt).toISOString()} title={new Date(i.triggeredAt).toLocaleString()}>
          {formatAgo(i.triggeredAt)}
        </time>
      </td>
      <td>{i.count}</td>
    </tr>
  );
}

// One incident: what it is, acknowledge / resolve, notes, the timeline and the delivery log.
// Live changes (ack elsewhere, a repeat, auto-resolve) arrive through the live hook's cache patch.
// Who acted is the signed-in user: the server takes it from the session.
import { useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { Link } from '../../app/router.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { TextAreaField, formErrors } from '../../components/form.js';
import { formatAgo, formatDuration, formatTime, formatValue } from '../../components/format.js';
import { isKnownMetric, METRICS, type KnownMetric } from '../../../shared/metrics.js';
import { Timeline } from './Timeline.js';
import './incidents.css';

type Detail = Output<'getIncident'>;

export function IncidentDetailPage({ id }: { id: string }) {
  const detail = useApiQuery('getIncident', { id });
  const hosts = useApiQuery('listHosts', {});
  const rules = useApiQuery('listRules', {});

  if (detail.isPending) return <p className="muted">Loading…</p>;
  if (detail.error)
    return (
      <section className="page">
        <h1>Incident</h1>
        <ErrorBanner
          title={detail.error.status === 404 ? 'No such incident' : 'Cannot load the incident'}
          error={detail.error}
          onRetry={() => void detail.refetch()}
        />
        <Link to="/incidents">Back to incidents</Link>
      </section>
    );
  const { incident: i, timeline, deliveries } = detail.data;
  const host = i.hostId ? (hosts.data?.hosts.find((h) => h.id === i.hostId)?.name ?? i.hostId) : null;
  const ruleItem = i.ruleId ? rules.data?.items.find((r) => r.id === i.ruleId) : undefined;
  const rule = i.ruleId ? (ruleItem?.name ?? i.ruleId) : null;
  // A threshold rule's value in its metric's unit ("93%", "1.2 GiB"); others as plain numbers.
  const spec = ruleItem?.spec;
  const unit = spec?.kind === 'threshold' && isKnownMetric(spec.metric) ? METRICS[spec.metric as KnownMetric].unit : undefined;

  return (
    <section className="page" data-testid="incident-detail" data-status={i.status}>
      <p>
        <Link to="/incidents">← Incidents</Link>
      </p>
      <h1>
        <span className={`sev-${i.severity}`}>●</span> {i.title}
      </h1>
      <p>
        <span className={`badge status-${i.status}`} data-testid="incident-status">
          {i.status}
        </span>{' '}
        {i.silenced && <span className="badge muted">silenced</span>}
      </p>
      {i.description && <p>{i.description}</p>}
      <Actions incident={i} />
      <dl className="facts">
        <dt>Severity</dt>
        <dd className={`sev-${i.severity}`}>{i.severity}</dd>
        <dt>Host</dt>
        <dd>{host && i.hostId ? <Link to={`/servers/${i.hostId}`}>{host}</Link> : '—'}</dd>
        <dt>Rule</dt>
        <dd>{rule ?? (i.source === 'test' ? 'test incident' : 'external event')}</dd>
        <dt>Opened</dt>
        <dd>
          {formatTime(i.triggeredAt)} ({formatAgo(i.triggeredAt)})
        </dd>
        <dt>Last seen</dt>
        <dd>
          {formatTime(i.lastSeenAt)} · {i.count} time{i.count === 1 ? '' : 's'}
          {i.value !== null && ` · value ${formatValue(unit, i.value)}`}
        </dd>
        {i.acknowledgedAt !== null && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {i.acknowledgedBy ?? '?'} after {formatDuration(i.acknowledgedAt - i.triggeredAt)}
            </dd>
          </>
        )}
        {i.resolvedAt !== null && (
          <>
            <dt>Resolved</dt>
            <dd>
              {i.resolution === 'auto' ? 'by itself (condition cleared)' : (i.resolvedBy ?? '?')} after{' '}
              {formatDuration(i.resolvedAt - i.triggeredAt)}
            </dd>
          </>
        )}
        <dt>Escalation policy</dt>
        <dd>{i.policy ?? 'none'}</dd>
        {Object.keys(i.labels).length > 0 && (
          <>
            <dt>Labels</dt>
            <dd>
              {Object.entries(i.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}
            </dd>
          </>
        )}
      </dl>
      <div className="cards">
        <article className="card" aria-labelledby="tl-h">
          <h2 id="tl-h">Timeline</h2>
          <Timeline entries={timeline} resolution={i.resolution} />
          <NoteForm id={i.id} />
        </article>
        <article className="card" aria-labelledby="dl-h">
          <h2 id="dl-h">Notifications</h2>
          <Deliveries deliveries={deliveries} />
        </article>
      </div>
    </section>
  );
}

function Actions({ incident: i }: { incident: Detail['incident'] }) {
  const opts = { invalidates: ['getIncident', 'listIncidents', 'incidentStats'] as const };
  const ack = useApiMutation('acknowledgeIncident', { invalidates: [...opts.invalidates] });
  const resolve = useApiMutation('resolveIncident', { invalidates: [...opts.invalidates] });
  if (i.status === 'resolved') return null;
  return (
    <>
      <ErrorBanner title="Cannot acknowledge" error={ack.error} />
      <ErrorBanner title="Cannot resolve" error={resolve.error} />
      <div className="actions">
        {i.status === 'triggered' && (
          <button type="button" onClick={() => ack.mutate({ id: i.id })} disabled={ack.isPending}>
            {ack.isPending ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        )}
        <button type="button" className="ghost" onClick={() => resolve.mutate({ id: i.id })} disabled={resolve.isPending}>
          {resolve.isPending ? 'Resolving…' : 'Resolve'}
        </button>
      </div>
    </>
  );
}

function NoteForm({ id }: { id: string }) {
  const [text, setText] = useState('');
  const note = useApiMutation('addIncidentNote', { invalidates: ['getIncident'], onSuccess: () => setText('') });
  const errors = formErrors(note.error, ['text']);
  return (
    <form
      aria-label="Notes"
      onSubmit={(e) => {
        e.preventDefault();
        note.mutate({ id, text });
      }}
    >
      {errors.general && <ErrorBanner title="Cannot add the note" error={errors.general} />}
      <TextAreaField label="Add a note" rows={2} value={text} onChange={(e) => setText(e.target.value)} error={errors.fields.text} />
      <button type="submit" disabled={note.isPending}>
        {note.isPending ? 'Adding…' : 'Add note'}
      </button>
    </form>
  );
}

function Deliveries({ deliveries }: { deliveries: Detail['deliveries'] }) {
  if (!deliveries.length)
    return (
      <p className="muted">
        Nothing sent. Incidents notify through the escalation policy of their rule: <Link to="/config/policies">set one up</Link>.
      </p>
    );
  return (
    <table className="table" aria-label="Notifications">
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col">Event</th>
          <th scope="col">Outcome</th>
          <th scope="col">Attempts</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id}>
            <td>{d.channelName}</td>
            <td>{d.event}</td>
            <td className={d.status === 'failed' ? 'sev-critical' : d.status === 'sent' ? 'status-up' : ''}>
              {d.status}
              {d.lastError && ` — ${d.lastError}`}
              {d.status === 'pending' && d.nextAttemptAt && ` (retry ${formatAgo(d.nextAttemptAt).replace(' ago', '')})`}
            </td>
            <td>{d.attempts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

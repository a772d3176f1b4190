// Settings: which backend this instance runs on, where agents send, and how long it keeps data
// (read-only: they come from the config file or environment), and the signed-in user's API tokens.
import { useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { ApiTokens } from './ApiTokens.js';

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export function SettingsPage() {
  const settings = useApiQuery('getSettings', {});
  const s = settings.data;
  return (
    <section className="page">
      <h1>Settings</h1>
      <div className="cards">
        <article className="card" aria-labelledby="backend-h" data-testid="backend-card">
          <h2 id="backend-h">This instance</h2>
          <ErrorBanner title="Cannot load the settings" error={settings.error} onRetry={() => void settings.refetch()} />
          {settings.isPending ? (
            <p className="muted">Loading…</p>
          ) : s ? (
            <dl className="facts">
              <dt>Mode</dt>
              <dd>{s.mode === 'team' ? 'Team (shared backend: several instances can run on it)' : 'Local (this machine only)'}</dd>
              <dt>Database</dt>
              <dd>
                {s.store.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} — <code>{s.store.location}</code>
                {s.store.schema && (
                  <>
                    {' '}
                    (schema <code>{s.store.schema}</code>)
                  </>
                )}
              </dd>
              <dt>Coordination</dt>
              <dd>
                {s.coordination.kind === 'redis' ? (
                  <>
                    Redis — <code>{s.coordination.location}</code>
                  </>
                ) : (
                  'In-process'
                )}
              </dd>
              <dt>Listening on</dt>
              <dd>
                <code>{s.http.host}</code>
                {s.http.publicUrl && (
                  <>
                    {' '}
                    · reached at <code>{s.http.publicUrl}</code>
                  </>
                )}
              </dd>
              <dt>Agents send to</dt>
              <dd>
                <code data-testid="settings-ingest-url">{s.ingest.url}</code>{' '}
                <span className="muted">(the ingest listener, on {s.ingest.host})</span>
              </dd>
              <dt>Version</dt>
              <dd>{s.version}</dd>
            </dl>
          ) : null}
        </article>
        <article className="card" aria-labelledby="retention-h" data-testid="retention-card">
          <h2 id="retention-h">Data retention</h2>
          {s && (
            <>
              <dl className="facts">
                <dt>Raw samples</dt>
                <dd>{days(s.retention.rawDays)}</dd>
                <dt>1-minute rollups</dt>
                <dd>{days(s.retention.rollupDays)}</dd>
                <dt>Logs and events</dt>
                <dd>{days(s.retention.eventDays)}</dd>
                <dt>Pruned every</dt>
                <dd>{s.retention.pruneEveryMinutes} minutes</dd>
              </dl>
              <p className="muted">
                Set in the config file (<code>retention.rawDays</code>, …) or the environment (<code>WATCHTOWER_RETENTION_RAW_DAYS</code>);
                a restart applies them.
              </p>
            </>
          )}
        </article>
      </div>
      <ApiTokens />
    </section>
  );
}

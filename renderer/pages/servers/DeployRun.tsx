// One deploy run with a progress bar per server, moved by the live 'deploy.progress' events (see
// live/cache.ts); the run's final state comes from the API when each server finishes.
import { useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { deployPercent } from '../../live/cache.js';

export function DeployRun({ runId, onClose }: { runId: string; onClose?: () => void }) {
  const q = useApiQuery(
    'getDeploy',
    { id: runId },
    { staleTime: Infinity, refetchInterval: (query) => (query.state.data?.run.status === 'running' ? 5_000 : false) },
  );
  if (q.error) return <ErrorBanner title="Cannot load the deploy" error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <p className="muted">Loading deploy…</p>;
  const run = q.data.run;
  return (
    <article className="card" aria-labelledby={`run-${run.id}`} data-testid="deploy-run">
      <h2 id={`run-${run.id}`}>
        {run.action[0]!.toUpperCase() + run.action.slice(1)} on {run.summary.total} server{run.summary.total === 1 ? '' : 's'}{' '}
        <span className={`badge ${run.status === 'ok' ? 'ok' : run.status === 'running' ? 'muted' : 'bad'}`} data-testid="deploy-status">
          {run.status}
        </span>
      </h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Step</th>
            <th scope="col" style={{ width: '40%' }}>
              Progress
            </th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {run.targets.map((t) => {
            const pct = t.status === 'ok' ? 100 : t.step ? deployPercent(t.step, t.percent) : 0;
            const cls = t.status === 'failed' ? 'failed' : t.status === 'ok' ? 'done' : '';
            return (
              <tr key={t.serverId} data-testid={`deploy-target-${t.name}`}>
                <td>{t.name}</td>
                <td>{t.step ?? t.status}</td>
                <td>
                  <div
                    className={`bar ${cls}`}
                    role="progressbar"
                    aria-label={`${t.name} progress`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={pct}
                  >
                    <span style={{ width: `${pct}%` }} />
                  </div>
                </td>
                <td className={t.error ? 'field-error' : 'muted'}>
                  {t.error ?? t.message ?? (t.changed === false ? 'already up to date' : '')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {onClose && run.status !== 'running' && (
        <button type="button" className="ghost" onClick={onClose}>
          Dismiss
        </button>
      )}
    </article>
  );
}

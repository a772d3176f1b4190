// One server: live charts, top processes, recent log lines, its incidents.
import { useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';

export function ServerDetailPage({ id }: { id: string }) {
  const host = useApiQuery('getHost', { id });
  return (
    <section className="page">
      <h1>{host.data?.host.name ?? 'Server'}</h1>
      <ErrorBanner title="Cannot load this server" error={host.error} onRetry={() => void host.refetch()} />
    </section>
  );
}

// Trust on first sight, by a person: connect, show the server's host key fingerprint, and pin it
// only when someone confirms it matches the one on the server.
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';

type Server = Output<'getServer'>['server'];

export function HostKeyCheck({ server }: { server: Server }) {
  const scan = useApiMutation('scanHostKey');
  const pin = useApiMutation('pinHostKey', { invalidates: ['listServers', 'getServer'], onSuccess: () => scan.reset() });
  const recorded = server.hostKey;
  return (
    <div className="hostkey" data-testid={`hostkey-${server.name}`}>
      {recorded ? (
        <span>
          <code>{recorded.fingerprint}</code>{' '}
          <span className="badge ok">{recorded.source === 'pinned' ? 'confirmed' : 'recorded on first use'}</span>
        </span>
      ) : (
        <span className="muted">Host key not confirmed yet.</span>
      )}{' '}
      <button type="button" className="ghost" onClick={() => scan.mutate({ id: server.id })} disabled={scan.isPending}>
        {scan.isPending ? 'Connecting…' : recorded ? 'Check host key' : 'Show host key'}
      </button>
      <ErrorBanner title="Cannot read the host key" error={scan.error} />
      {scan.data && (
        <div className={`banner ${scan.data.matches === false ? 'banner-error' : 'banner-info'}`} role="status">
          <span>
            {server.host} presents {scan.data.algorithm} <code data-testid="scanned-fingerprint">{scan.data.fingerprint}</code>.{' '}
            {scan.data.matches === false
              ? `It differs from the recorded ${scan.data.recorded}: the key changed, or someone is in between. Confirm only if you know why.`
              : scan.data.matches
                ? 'It matches the recorded key.'
                : 'Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on the server.'}
          </span>
          {!scan.data.matches && (
            <button
              type="button"
              onClick={() => pin.mutate({ id: server.id, fingerprint: scan.data!.fingerprint })}
              disabled={pin.isPending}
            >
              It matches — confirm
            </button>
          )}
          <ErrorBanner title="Cannot pin the key" error={pin.error} />
        </div>
      )}
    </div>
  );
}

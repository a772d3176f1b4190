// Signed out → the sign-in page (or first-run setup); signed in → the live app shell.
import { useQueryClient } from '@tanstack/react-query';
import { useApiMutation, useApiQuery } from '../api/hooks.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { LiveProvider } from '../live/LiveProvider.js';
import { SignedOut } from '../pages/auth/SignedOut.js';
import { SESSION_KEY } from './session.js';
import { Shell } from './Shell.js';

export function App({ apiBase = '' }: { apiBase?: string }) {
  const session = useApiQuery('currentSession', {}, { retry: false, staleTime: Infinity });
  if (session.isPending) return <p className="splash">Loading…</p>;
  if (session.error?.status === 401) return <SignedOut />;
  if (session.error)
    return (
      <div className="splash">
        <ErrorBanner title="Cannot reach Watchtower" error={session.error} onRetry={() => void session.refetch()} />
      </div>
    );
  return (
    <LiveProvider apiBase={apiBase}>
      <Shell account={<Account name={session.data.user.name} />} />
    </LiveProvider>
  );
}

function Account({ name }: { name: string }) {
  const qc = useQueryClient();
  const signOut = useApiMutation('signOut', {
    // Forget everything the signed-in user saw, then ask again who is signed in (nobody: sign-in page).
    onSettled: () => {
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      return qc.resetQueries({ queryKey: SESSION_KEY });
    },
  });
  return (
    <span className="account">
      <span className="muted">{name}</span>
      <button type="button" className="ghost" onClick={() => signOut.mutate({})} disabled={signOut.isPending}>
        Sign out
      </button>
    </span>
  );
}

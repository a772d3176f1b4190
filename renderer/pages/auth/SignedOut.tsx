// Before sign-in: first run (no owner yet) shows setup, otherwise the sign-in form.
import { useApiQuery } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { SetupPage } from './SetupPage.js';
import { SignInPage } from './SignInPage.js';

export function SignedOut() {
  const setup = useApiQuery('setupStatus', {}, { retry: false });
  if (setup.isPending) return <p className="splash">Loading…</p>;
  if (setup.error)
    return (
      <div className="splash">
        <ErrorBanner title="Cannot reach Watchtower" error={setup.error} onRetry={() => void setup.refetch()} />
      </div>
    );
  return setup.data.needed ? <SetupPage /> : <SignInPage />;
}

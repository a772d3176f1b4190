// First run: create the owner account with the one-time setup token `watchtower serve` printed
// (its setup link carries the token, so the field is filled in when you follow it).
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/hooks.js';
import { SESSION_KEY } from '../../app/session.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formErrors, TextField } from '../../components/form.js';

/** The token from the setup link (`/setup#token=…`), or from `?token=…` in the URL or its hash route. */
export function tokenFromUrl(loc: { search: string; hash: string }): string {
  const hash = loc.hash.replace(/^#/, '');
  const hashParams = new URLSearchParams(hash.startsWith('/') ? (hash.split('?')[1] ?? '') : hash);
  return new URLSearchParams(loc.search).get('token') ?? hashParams.get('token') ?? '';
}

export function SetupPage() {
  const qc = useQueryClient();
  const [setupToken, setSetupToken] = useState(() => tokenFromUrl(location));
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const setup = useApiMutation('completeSetup', {
    onSuccess: (session) => {
      // Leave the one-time link behind (it is spent) and land on the overview.
      history.replaceState(null, '', `${location.pathname.replace(/setup$/, '')}#/`);
      qc.setQueryData(SESSION_KEY, session);
    },
  });
  const errors = formErrors(setup.error, ['setupToken', 'username', 'password']);
  const mismatch = confirm !== '' && confirm !== password ? 'the two passwords differ' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setup.mutate({ setupToken, username, password });
  };
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="setup-h">
        <h1 id="setup-h">Set up Watchtower</h1>
        <p className="muted">
          Create the owner account. The setup token was printed by <code>watchtower serve</code> when it first started.
        </p>
        {errors.general && <ErrorBanner title="Cannot finish setup" error={errors.general} />}
        <TextField
          label="Setup token"
          name="setupToken"
          required
          value={setupToken}
          onChange={(e) => setSetupToken(e.target.value)}
          error={errors.fields.setupToken}
        />
        <TextField
          label="Owner name"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.fields.username}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
          hint="At least 10 characters; a passphrase is best."
        />
        <TextField
          label="Password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={mismatch}
        />
        <button type="submit" disabled={setup.isPending || Boolean(mismatch)}>
          {setup.isPending ? 'Creating…' : 'Create owner and sign in'}
        </button>
      </form>
    </main>
  );
}

// Sign in with name and password; the server sets the session cookie and answers with the session.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/hooks.js';
import { SESSION_KEY } from '../../app/session.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formErrors, TextField } from '../../components/form.js';

export function SignInPage() {
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useApiMutation('signIn', { onSuccess: (session) => qc.setQueryData(SESSION_KEY, session) });
  const errors = formErrors(signIn.error, ['username', 'password']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ username, password });
  };
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="signin-h">
        <h1 id="signin-h">Sign in to Watchtower</h1>
        {errors.general && <ErrorBanner title="Cannot sign in" error={errors.general} />}
        <TextField
          label="Name"
          name="username"
          autoComplete="username"
          required
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.fields.username}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
        />
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

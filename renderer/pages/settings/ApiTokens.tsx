// API tokens for scripts and the CLI: create (the secret is shown once, here, with a copy button),
// list (prefix, last use, expiry) and revoke.
import { useState } from 'react';
import type { Output } from '../../../shared/contract/index.js';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { Copyable } from '../../components/Copyable.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { TextField, formErrors } from '../../components/form.js';
import { formatAgo, formatTime } from '../../components/format.js';
import { ListTableHead, RowDeleteButton } from '../config/ConfigSection.js';

type Created = Output<'createApiToken'>;

export function ApiTokens() {
  const tokens = useApiQuery('listApiTokens', {});
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const create = useApiMutation('createApiToken', {
    invalidates: ['listApiTokens'],
    onSuccess: (out) => (setCreated(out), setName(''), setExpires('')),
  });
  const revoke = useApiMutation('revokeApiToken', { invalidates: ['listApiTokens'] });
  const errors = formErrors(create.error, ['name', 'expiresInDays']);
  const list = tokens.data?.tokens ?? [];

  return (
    <article className="card" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <p className="muted">
        For scripts and the CLI: send <code>authorization: Bearer &lt;token&gt;</code>. A token acts as you; revoke it when it is no longer
        needed.
      </p>
      <form
        aria-label="Create an API token"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const days = expires.trim() ? Number(expires) : undefined;
          create.mutate({ name, ...(days !== undefined ? { expiresInDays: days } : {}) });
        }}
      >
        {errors.general && <ErrorBanner title="Cannot create the token" error={errors.general} />}
        <div className="form-row">
          <TextField
            label="Token name"
            name="tokenName"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.fields.name}
            hint="what uses it, e.g. backup script"
          />
          <TextField
            label="Expires after (days)"
            name="expiresInDays"
            inputMode="numeric"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            error={errors.fields.expiresInDays}
            hint="empty: never"
          />
          <div className="field">
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create token'}
            </button>
          </div>
        </div>
      </form>
      {created && (
        <div className="banner banner-info" role="status" data-testid="new-token">
          <span>Token “{created.token.name}” created. Copy it now: it is not shown again.</span>
          <Copyable key={created.secret} value={created.secret} what="API token" testId="token-secret" />
          <button type="button" className="ghost" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <ErrorBanner title="Cannot load tokens" error={tokens.error} onRetry={() => void tokens.refetch()} />
      {tokens.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 && !tokens.error ? (
        <EmptyState title="No API tokens">Create one above for a script or the CLI.</EmptyState>
      ) : (
        <table className="table" aria-label="API tokens">
          <ListTableHead columns={['Name', 'Starts with', 'Created', 'Last used', 'Expires']} />
          <tbody>
            {list.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{formatAgo(t.lastUsedAt)}</td>
                <td>{t.expiresAt === null ? 'never' : formatTime(t.expiresAt)}</td>
                <td className="row-actions">
                  <RowDeleteButton id={t.id} what={`token ${t.name}`} verb="Revoke" remove={revoke} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

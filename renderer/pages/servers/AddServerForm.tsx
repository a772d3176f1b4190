// Add a server the deployer reaches over SSH. Credentials go in once and are stored sealed; the API
// never shows them again. Validation errors come back per field and are shown at the field.
import { useState, type FormEvent } from 'react';
import type { Input, Output } from '../../../shared/contract/index.js';
import { useApiMutation } from '../../api/hooks.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formErrors, SelectField, TextAreaField, TextField } from '../../components/form.js';

type AuthKind = 'key' | 'password' | 'agent';
const FIELDS = ['name', 'host', 'port', 'user', 'auth', 'become', 'reach', 'hostKeyFingerprint', 'labels'] as const;

export interface AddServerDraft {
  name: string;
  host: string;
  port: string;
  user: string;
  authKind: AuthKind;
  privateKey: string;
  keyFile: string;
  passphrase: string;
  password: string;
  sudo: boolean;
  sudoPassword: string;
  reach: 'direct' | 'tunnel';
  fingerprint: string;
}

export const emptyDraft: AddServerDraft = {
  name: '',
  host: '',
  port: '22',
  user: 'root',
  authKind: 'key',
  privateKey: '',
  keyFile: '',
  passphrase: '',
  password: '',
  sudo: false,
  sudoPassword: '',
  reach: 'direct',
  fingerprint: '',
};

/** The form's fields as the contract's input (empty optional fields left out, so the API explains what is missing). */
export function toServerInput(d: AddServerDraft): Input<'createServer'> {
  const auth =
    d.authKind === 'key'
      ? {
          kind: 'key' as const,
          ...(d.privateKey.trim() ? { privateKey: d.privateKey } : {}),
          ...(d.keyFile.trim() ? { keyFile: d.keyFile.trim() } : {}),
          ...(d.passphrase ? { passphrase: d.passphrase } : {}),
        }
      : d.authKind === 'password'
        ? { kind: 'password' as const, password: d.password }
        : { kind: 'agent' as const };
  return {
    name: d.name,
    host: d.host,
    port: d.port,
    user: d.user,
    auth,
    become: d.sudo ? { method: 'sudo', ...(d.sudoPassword ? { password: d.sudoPassword } : {}) } : { method: 'none' },
    reach: d.reach,
    ...(d.fingerprint.trim() ? { hostKeyFingerprint: d.fingerprint.trim() } : {}),
  };
}

export function AddServerForm({ onAdded, onCancel }: { onAdded: (s: Output<'createServer'>['server']) => void; onCancel: () => void }) {
  const [d, setD] = useState(emptyDraft);
  const set = <K extends keyof AddServerDraft>(k: K, v: AddServerDraft[K]) => setD((old) => ({ ...old, [k]: v }));
  const create = useApiMutation('createServer', { invalidates: ['listServers'], onSuccess: (out) => onAdded(out.server) });
  const errors = formErrors(create.error, FIELDS);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(toServerInput(d));
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-server-h" className="card">
      <h2 id="add-server-h">Add a server</h2>
      {errors.general && <ErrorBanner title="Cannot add the server" error={errors.general} />}
      <div className="form-row">
        <TextField label="Name" required value={d.name} onChange={(e) => set('name', e.target.value)} error={errors.fields.name} />
        <TextField
          label="SSH host"
          required
          value={d.host}
          onChange={(e) => set('host', e.target.value)}
          error={errors.fields.host}
          placeholder="10.0.0.5 or web-1.example.com"
        />
        <TextField
          label="Port"
          inputMode="numeric"
          value={d.port}
          onChange={(e) => set('port', e.target.value)}
          error={errors.fields.port}
        />
        <TextField label="User" required value={d.user} onChange={(e) => set('user', e.target.value)} error={errors.fields.user} />
      </div>
      <div className="form-row">
        <SelectField
          label="Log in with"
          value={d.authKind}
          onChange={(e) => set('authKind', e.target.value as AuthKind)}
          options={[
            { value: 'key', label: 'a private key' },
            { value: 'password', label: 'a password' },
            { value: 'agent', label: "this machine's ssh-agent" },
          ]}
          error={errors.fields.auth}
        />
        <SelectField
          label="Agent reaches Watchtower"
          value={d.reach}
          onChange={(e) => set('reach', e.target.value as 'direct' | 'tunnel')}
          options={[
            { value: 'direct', label: 'directly (ingest address)' },
            { value: 'tunnel', label: 'through the SSH tunnel' },
          ]}
          error={errors.fields.reach}
        />
      </div>
      {d.authKind === 'key' && (
        <>
          <TextAreaField
            label="Private key"
            rows={4}
            value={d.privateKey}
            onChange={(e) => set('privateKey', e.target.value)}
            hint="Paste the key, or give a key file path below."
            placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
          />
          <div className="form-row">
            <TextField
              label="…or key file on this machine"
              value={d.keyFile}
              onChange={(e) => set('keyFile', e.target.value)}
              placeholder="~/.ssh/id_ed25519"
            />
            <TextField
              label="Key passphrase"
              type="password"
              autoComplete="off"
              value={d.passphrase}
              onChange={(e) => set('passphrase', e.target.value)}
            />
          </div>
        </>
      )}
      {d.authKind === 'password' && (
        <TextField
          label="SSH password"
          type="password"
          autoComplete="off"
          value={d.password}
          onChange={(e) => set('password', e.target.value)}
          error={errors.fields.auth}
        />
      )}
      <div className="form-row">
        <label className="field">
          <span>
            <input type="checkbox" checked={d.sudo} onChange={(e) => set('sudo', e.target.checked)} /> Install system-wide through sudo
          </span>
        </label>
        {d.sudo && (
          <TextField
            label="sudo password (if it asks)"
            type="password"
            autoComplete="off"
            value={d.sudoPassword}
            onChange={(e) => set('sudoPassword', e.target.value)}
            error={errors.fields.become}
          />
        )}
      </div>
      <TextField
        label="Host key fingerprint (optional)"
        value={d.fingerprint}
        onChange={(e) => set('fingerprint', e.target.value)}
        error={errors.fields.hostKeyFingerprint}
        placeholder="SHA256:…"
        hint="Pin it now if you know it (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server); otherwise you confirm it after adding."
      />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add server'}
        </button>
        <button type="button" className="ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

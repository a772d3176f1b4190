// "Trigger a test incident": checks that an escalation policy's notifications reach people.
import { useState } from 'react';
import { useApiMutation, useApiQuery } from '../../api/hooks.js';
import { navigate } from '../../app/router.js';
import { SelectField, TextField, formErrors } from '../../components/form.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { SEVERITIES, type Severity } from './filters.js';

export function TestIncidentForm({ onClose }: { onClose: () => void }) {
  const policies = useApiQuery('listPolicies', {});
  const [title, setTitle] = useState('Test incident');
  const [severity, setSeverity] = useState<Severity>('info');
  const [policy, setPolicy] = useState('');
  const trigger = useApiMutation('triggerTestIncident', {
    invalidates: ['listIncidents'],
    onSuccess: (out) => navigate(`/incidents/${out.incident.id}`),
  });
  const errors = formErrors(trigger.error, ['title', 'severity', 'policy']);

  return (
    <form
      className="card"
      aria-label="Trigger a test incident"
      onSubmit={(e) => {
        e.preventDefault();
        trigger.mutate({ title, severity, ...(policy ? { policy } : {}) });
      }}
    >
      <h2>Trigger a test incident</h2>
      <ErrorBanner title="Cannot load escalation policies" error={policies.error} />
      {errors.general && <ErrorBanner title="Cannot trigger" error={errors.general} />}
      <div className="form-row">
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.fields.title} />
        <SelectField
          label="Severity"
          value={severity}
          onChange={(e) => setSeverity(e.target.value as Severity)}
          options={SEVERITIES}
          error={errors.fields.severity}
        />
        <SelectField
          label="Notify through"
          value={policy}
          onChange={(e) => setPolicy(e.target.value)}
          error={errors.fields.policy}
          options={[
            { value: '', label: 'No policy (record only)' },
            ...(policies.data?.items ?? []).map((p) => ({ value: p.name, label: p.name })),
          ]}
        />
      </div>
      <div className="actions">
        <button type="submit" disabled={trigger.isPending}>
          {trigger.isPending ? 'Triggering…' : 'Trigger'}
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

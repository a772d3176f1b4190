// The filter bar of the incident list: status and severity as checkboxes, host, rule and time
// window as selects. Every change goes to the URL, which the list reads back.
import type { Output } from '../../../shared/contract/index.js';
import { SelectField } from '../../components/form.js';
import { RANGES, SEVERITIES, STATUSES, type IncidentFilters, type Range } from './filters.js';

const RANGE_LABEL: Record<Range, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
};

interface Props {
  filters: IncidentFilters;
  onChange: (f: IncidentFilters) => void;
  hosts: Output<'listHosts'>['hosts'];
  rules: Output<'listRules'>['items'];
}

function toggle<T>(list: readonly T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

export function IncidentFilterBar({ filters, onChange, hosts, rules }: Props) {
  return (
    <form className="filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
      <fieldset>
        <legend>Status</legend>
        {STATUSES.map((s) => (
          <label key={s}>
            <input
              type="checkbox"
              checked={filters.status.includes(s)}
              onChange={() => onChange({ ...filters, status: toggle(filters.status, s) })}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Severity</legend>
        {SEVERITIES.map((s) => (
          <label key={s}>
            <input
              type="checkbox"
              checked={filters.severity.includes(s)}
              onChange={() => onChange({ ...filters, severity: toggle(filters.severity, s) })}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <SelectField
        label="Host"
        value={filters.hostId ?? ''}
        onChange={(e) => onChange({ ...filters, hostId: e.target.value || null })}
        options={[{ value: '', label: 'Any host' }, ...hosts.map((h) => ({ value: h.id, label: h.name }))]}
      />
      <SelectField
        label="Rule"
        value={filters.ruleId ?? ''}
        onChange={(e) => onChange({ ...filters, ruleId: e.target.value || null })}
        options={[{ value: '', label: 'Any rule' }, ...rules.map((r) => ({ value: r.id, label: r.name }))]}
      />
      <SelectField
        label="Time"
        value={filters.range}
        onChange={(e) => onChange({ ...filters, range: e.target.value as Range })}
        options={([...Object.keys(RANGES), 'all'] as Range[]).map((r) => ({ value: r, label: RANGE_LABEL[r] }))}
      />
    </form>
  );
}

// Pieces every config page uses: the section tabs, a checkbox field, and the split of a save error
// into field messages and a banner (nothing dropped).
import { useId, type InputHTMLAttributes } from 'react';
import { ApiError } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { errorMessage } from '../../components/ErrorBanner.js';
import type { PlacedIssues } from './formText.js';
import './config.css';

export const CONFIG_TABS = [
  { tab: 'rules', label: 'Rules' },
  { tab: 'policies', label: 'Escalation policies' },
  { tab: 'channels', label: 'Channels' },
  { tab: 'silences', label: 'Silences' },
  { tab: 'yaml', label: 'YAML' },
] as const;
export type ConfigTab = (typeof CONFIG_TABS)[number]['tab'];

export function ConfigNav({ current }: { current: ConfigTab }) {
  return (
    <nav aria-label="Alerting configuration" className="tabs config-tabs">
      {CONFIG_TABS.map((t) => (
        <Link
          key={t.tab}
          to={`/config/${t.tab}`}
          className={`button ${t.tab === current ? '' : 'ghost'}`}
          aria-current={t.tab === current ? 'page' : undefined}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function CheckboxField({
  label,
  error,
  ...input
}: { label: string; error?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={`field field-check${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          {...input}
        />{' '}
        {label}
      </label>
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export interface SaveErrors {
  fields: Record<string, string>;
  /** What no field shows: the message of an error without issues, or the issues left over. */
  banner: string | null;
}

/** `local`: errors found before sending (they win); `place`: the form's issue placement. */
export function saveErrors(err: unknown, local: Record<string, string>, place: (issues: ApiError['issues']) => PlacedIssues): SaveErrors {
  if (!err) return { fields: local, banner: null };
  if (!(err instanceof ApiError) || err.issues.length === 0) return { fields: local, banner: errorMessage(err) };
  const placed = place(err.issues);
  const rest = placed.rest.map((i) => `${i.path}: ${i.message}`).join('; ');
  return { fields: { ...placed.fields, ...local }, banner: rest || null };
}

/** Messages for fields the form does not show right now go to the banner, so none is lost. */
export function onlyShown(e: SaveErrors, shown: readonly string[]): SaveErrors {
  const hidden = Object.entries(e.fields).filter(([f]) => !shown.includes(f));
  if (!hidden.length) return e;
  const fields = Object.fromEntries(Object.entries(e.fields).filter(([f]) => shown.includes(f)));
  const extra = hidden.map(([f, m]) => `${f}: ${m}`).join('; ');
  return { fields, banner: e.banner ? `${e.banner}; ${extra}` : extra };
}

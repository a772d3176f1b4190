// Forms show the API's validation errors at the field they belong to. `formErrors` splits an error
// into per-field messages and the rest (shown in a banner above the form), so nothing is dropped.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ApiError } from '../api/client.js';
import { errorMessage } from './ErrorBanner.js';

export interface FormErrors {
  fields: Record<string, string>;
  /** A message not tied to any field the form shows (or null). */
  general: string | null;
}

/** `fieldNames`: the fields this form shows; issues on other paths go to `general`. */
export function formErrors(err: unknown, fieldNames: readonly string[]): FormErrors {
  if (!err) return { fields: {}, general: null };
  if (!(err instanceof ApiError) || err.issues.length === 0) return { fields: {}, general: errorMessage(err) };
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const issue of err.issues) {
    const name = fieldNames.find((f) => issue.path === f || issue.path.startsWith(`${f}.`) || issue.path.startsWith(`${f}[`));
    if (name) fields[name] ??= issue.message;
    else other.push(`${issue.path}: ${issue.message}`);
  }
  return { fields, general: other.length ? other.join('; ') : null };
}

type FieldProps = { label: string; error?: string | undefined; hint?: ReactNode };

function FieldFrame({ id, label, error, hint, children }: FieldProps & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

const described = (id: string, error?: string, hint?: ReactNode) =>
  [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;

export function TextField({ label, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...input} />
    </FieldFrame>
  );
}

export function TextAreaField({ label, error, hint, ...input }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...input} />
    </FieldFrame>
  );
}

export function SelectField({
  label,
  error,
  hint,
  options,
  ...input
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly (string | { value: string; label: string })[] }) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...input}>
        {options.map((o) => {
          const opt = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={opt.value} value={opt.value}>
              {opt.label}
            </option>
          );
        })}
      </select>
    </FieldFrame>
  );
}

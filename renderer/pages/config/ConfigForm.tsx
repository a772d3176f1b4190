// The frame every config form shares: a card form named for the record it creates or edits, the save
// error no field can show, the caller's fields, and Save/Create + Cancel. submitConfig is the shared
// submit: the form's own checks first (errors at the fields), then create or update.
import type { ReactNode } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.js';

export type Converted<S> = { ok: true; spec: S } | { ok: false; errors: Record<string, string> };

export function submitConfig<S>(
  out: Converted<S>,
  o: {
    recordId: string | null;
    save: { reset(): void };
    setLocal(errors: Record<string, string>): void;
    create(spec: S): void;
    update(input: S & { id: string }): void;
  },
): void {
  if (!out.ok) {
    o.save.reset();
    return o.setLocal(out.errors);
  }
  o.setLocal({});
  if (o.recordId) o.update({ ...out.spec, id: o.recordId });
  else o.create(out.spec);
}

export function ConfigForm(p: {
  noun: string;
  /** Heading of a new record's form; default "New <noun>". */
  newTitle?: string;
  /** The name of the record being edited, or null for a new one. */
  editing: string | null;
  banner: unknown;
  pending: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const newTitle = p.newTitle ?? `New ${p.noun}`;
  const editing = p.editing !== null;
  return (
    <form
      className="card config-form"
      aria-label={editing ? `Edit ${p.noun} ${p.editing}` : newTitle}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
    >
      <h2>{editing ? `Edit ${p.noun} “${p.editing}”` : newTitle}</h2>
      {p.banner ? <ErrorBanner title={`Cannot save the ${p.noun}`} error={p.banner} /> : null}
      {p.children}
      <div className="actions">
        <button type="submit" disabled={p.pending}>
          {p.pending ? 'Saving…' : editing ? `Save ${p.noun}` : `Create ${p.noun}`}
        </button>
        <button type="button" className="ghost" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

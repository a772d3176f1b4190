// The frame the rules, policies, channels and silences pages share: toolbar with "New …" and the
// saved-status line, the form above the list (new or editing one record), the list's error banner,
// loading and empty states, and the table whose last column edits or deletes (with confirmation).
import { Fragment, useState, type ReactNode } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { DeleteButton } from '../../components/DeleteButton.js';

/** What a delete-by-id mutation (useApiMutation) offers the button. */
export interface DeleteMutation {
  isPending: boolean;
  variables: { id: string } | undefined;
  error: unknown;
  mutate: (input: { id: string }) => void;
}

/** DeleteButton for one row: pending and the API's refusal only for the row being deleted. */
export function RowDeleteButton({ id, what, verb, remove }: { id: string; what: string; verb?: string; remove: DeleteMutation }) {
  return (
    <DeleteButton
      what={what}
      {...(verb ? { verb } : {})}
      pending={remove.isPending && remove.variables?.id === id}
      error={remove.variables?.id === id ? remove.error : null}
      onDelete={() => remove.mutate({ id })}
    />
  );
}

/** The header row of a list table: the named columns, then the (visually hidden) actions column. */
export function ListTableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
        <th scope="col">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

interface ConfigRecord {
  id: string;
  name: string;
}

export interface ConfigFormProps<T> {
  record: T | null;
  onDone: (name: string) => void;
  onCancel: () => void;
}

export function ConfigSection<T extends ConfigRecord>({
  title,
  noun,
  list,
  listName,
  remove,
  columns,
  tableLabel = title,
  cells,
  rowAttrs,
  form,
  empty,
}: {
  /** Heading, e.g. "Escalation policies"; also the table's label unless `tableLabel` is given. */
  title: string;
  /** Singular, e.g. "policy": "New policy", "Saved policy “x”.", "Delete policy x". */
  noun: string;
  list: { data: { items: readonly T[] } | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  /** Plural in "Cannot load …". */
  listName: string;
  remove: DeleteMutation;
  /** Header cells before the actions column. */
  columns: readonly string[];
  tableLabel?: string;
  /** The row's cells before the actions cell. */
  cells: (item: T) => ReactNode;
  rowAttrs?: (item: T) => Record<string, string>;
  form: (props: ConfigFormProps<T>) => ReactNode;
  empty: { title: string; action: string; text: ReactNode };
}) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  return (
    <>
      <div className="toolbar">
        <h2>{title}</h2>
        <button type="button" onClick={() => (setSaved(null), setEditing('new'))} disabled={editing === 'new'}>
          New {noun}
        </button>
        <p role="status" className="muted">
          {saved}
        </p>
      </div>
      {editing && (
        // Keyed by the record, so switching records remounts the form with fresh state.
        <Fragment key={editing === 'new' ? 'new' : editing.id}>
          {form({
            record: editing === 'new' ? null : editing,
            onCancel: () => setEditing(null),
            onDone: (name) => (setEditing(null), setSaved(`Saved ${noun} “${name}”.`)),
          })}
        </Fragment>
      )}
      <ErrorBanner title={`Cannot load ${listName}`} error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 && !list.error ? (
        !editing && (
          <EmptyState title={empty.title} action={<button onClick={() => setEditing('new')}>{empty.action}</button>}>
            {empty.text}
          </EmptyState>
        )
      ) : (
        <table className="table" aria-label={tableLabel}>
          <ListTableHead columns={columns} />
          <tbody>
            {items.map((item) => (
              <tr key={item.id} {...rowAttrs?.(item)}>
                {cells(item)}
                <td className="row-actions">
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => (setSaved(null), setEditing(item))}
                    aria-label={`Edit ${item.name}`}
                  >
                    Edit
                  </button>
                  <RowDeleteButton id={item.id} what={`${noun} ${item.name}`} remove={remove} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

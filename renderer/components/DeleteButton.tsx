// A delete (or remove) button that asks first, with the API's refusal shown beside it.
import { useState } from 'react';
import { errorMessage } from './ErrorBanner.js';

/** Delete with one confirming click; the API's refusal (e.g. still used by a policy) is shown beside it. */
export function DeleteButton({
  what,
  onDelete,
  pending,
  error,
  verb = 'Delete',
}: {
  what: string;
  onDelete: () => void;
  pending: boolean;
  error: unknown;
  verb?: string;
}) {
  const [asking, setAsking] = useState(false);
  return (
    <span className="delete-button">
      {asking ? (
        <>
          {/* Focus follows the question, so a keyboard user confirms with Enter or tabs to Keep. */}
          <button type="button" className="danger" autoFocus onClick={() => (setAsking(false), onDelete())} disabled={pending}>
            {verb} {what}?
          </button>
          <button type="button" className="ghost" onClick={() => setAsking(false)}>
            Keep
          </button>
        </>
      ) : (
        <button type="button" className="ghost" onClick={() => setAsking(true)} disabled={pending} aria-label={`${verb} ${what}`}>
          {pending ? `${verb}…` : verb}
        </button>
      )}
      {error ? (
        <span role="alert" className="field-error">
          {errorMessage(error)}
        </span>
      ) : null}
    </span>
  );
}

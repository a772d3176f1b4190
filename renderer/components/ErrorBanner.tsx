// An error the user should see where it happened: the API's message (never swallowed), and a retry
// when the action can be repeated.
import { ApiError } from '../api/client.js';

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorBanner({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{title ?? 'Something went wrong'}:</strong> <span>{errorMessage(error)}</span>
      {onRetry && (
        <button type="button" className="ghost" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

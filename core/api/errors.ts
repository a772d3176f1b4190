// Errors as the API shows them: a stable code, a message a person can act on, and for invalid
// input the path of each bad field. Internal causes stay in the log (never sent to clients).
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/** `series[3].values[2]`-style path for a zod issue. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

export function invalidInput(error: z.ZodError, what = 'request'): HttpError {
  const issues = error.issues.slice(0, 20).map((i) => ({ path: issuePath(i.path), message: i.message }));
  const first = issues[0]!;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return new HttpError(400, 'invalid_input', `invalid ${what}: ${first.path}: ${first.message}${more}`, issues);
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

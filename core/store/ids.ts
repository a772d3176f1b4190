import { randomBytes } from 'node:crypto';

/** Short, URL-safe, sortable-enough ids for hosts and other user-facing records. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

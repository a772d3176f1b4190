import { randomBytes } from 'node:crypto';

/** Short, URL-safe ids for hosts and other user-facing records. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

let lastMs = 0;
let counter = 0;
/**
 * Ids that sort by creation time within this process (timeline entries): milliseconds, a counter
 * for the same millisecond, and randomness so two instances never collide.
 */
export function newSortableId(prefix: string, now = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${prefix}_${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(3, '0')}${randomBytes(4).toString('hex')}`;
}

// Rules both implementations share, so the modes cannot drift: JSON payloads (what Redis carries, so the
// in-process bus hands out the same copies) and the same argument checks.
import type { ScheduledItem } from './types.js';

export function encodePayload(payload: unknown): string {
  const text = JSON.stringify(payload);
  // undefined, functions and symbols have no JSON form; failing here beats delivering nothing.
  if (text === undefined) throw new TypeError('bus payload must be JSON-serialisable');
  return text;
}

export function decodePayload(text: string): unknown {
  return JSON.parse(text);
}

/** Redis PX takes whole positive milliseconds; round up so a guard never lasts shorter than asked. */
export function guardTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`guard ttl must be a positive number of ms, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

export function checkItems(items: ScheduledItem[]): void {
  for (const it of items) {
    if (typeof it.id !== 'string') throw new TypeError('schedule id must be a string');
    if (!Number.isFinite(it.dueAt)) throw new RangeError(`schedule dueAt must be a finite number, got ${it.dueAt}`);
  }
}

export function checkTake(now: number, limit: number): void {
  if (Number.isNaN(now)) throw new RangeError('takeDue now must be a number');
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`takeDue limit must be a non-negative integer, got ${limit}`);
}

export class ClosedError extends Error {
  constructor() {
    super('coordination is closed');
    this.name = 'ClosedError';
  }
}

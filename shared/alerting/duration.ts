// Durations as people write them in rules and YAML: "90s", "5m", "1h30m", "2d", or a number of
// seconds. Stored and computed as milliseconds.
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function parseDuration(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : null;
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** A duration field: accepts "5m" or seconds, yields milliseconds; negative or malformed is an error. */
export const duration = (opts: { min?: number; max?: number } = {}) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use e.g. 30s, 5m, 1h, or seconds ≥ 0)` });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) ctx.addIssue({ code: 'custom', message: `must be at least ${formatDuration(opts.min)}` });
    if (opts.max !== undefined && ms > opts.max) ctx.addIssue({ code: 'custom', message: `must be at most ${formatDuration(opts.max)}` });
    return ms;
  });

// Silences and maintenance windows: matching alerts are still recorded, just not notified.
import { z } from 'zod';
import { name } from './rules.js';

export const silenceSchema = z
  .object({
    name,
    /** Empty matchers silence everything. */
    matchers: z
      .object({
        hosts: z.array(z.string().min(1).max(255)).optional(),
        rules: z.array(z.string().min(1).max(128)).optional(),
        labels: z.record(z.string().max(64), z.string().max(256)).optional(),
      })
      .strict()
      .default({}),
    /** One-off window (ms since epoch). */
    startsAt: z.number().int().nonnegative(),
    endsAt: z.number().int().positive(),
    /** Recurring: the window repeats every day (or on these weekdays, 0 = Sunday, UTC) between these times. */
    recurring: z
      .object({
        days: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional(),
        from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (UTC)'),
        to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (UTC)'),
      })
      .strict()
      .optional(),
    comment: z.string().max(1000).default(''),
  })
  .strict()
  .refine((s) => s.endsAt > s.startsAt, { message: 'must be after startsAt', path: ['endsAt'] });

export type SilenceInput = z.input<typeof silenceSchema>;
export type SilenceSpec = z.output<typeof silenceSchema>;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether the silence is in force at `t` (its matchers are checked elsewhere). */
export function silenceActive(s: SilenceSpec, t: number): boolean {
  if (t < s.startsAt || t >= s.endsAt) return false;
  if (!s.recurring) return true;
  const d = new Date(t);
  if (s.recurring.days && !s.recurring.days.includes(d.getUTCDay())) return false;
  const now = d.getUTCHours() * 60 + d.getUTCMinutes();
  const from = minutes(s.recurring.from);
  const to = minutes(s.recurring.to);
  return from <= to ? now >= from && now < to : now >= from || now < to; // a window may wrap midnight
}

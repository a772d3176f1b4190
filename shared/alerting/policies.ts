// Escalation policies: ordered levels, each notifying channels after a delay from the incident's
// start (or the previous level); the whole policy repeats N times; acknowledging stops it.
import { z } from 'zod';
import { duration } from './duration.js';
import { name } from './rules.js';

export const escalationPolicySchema = z
  .object({
    name,
    levels: z
      .array(
        z
          .object({
            /** Wait after the previous level (or the trigger, for the first) before notifying. */
            delay: duration({ max: 7 * 86_400_000 }).default(0),
            channels: z.array(z.string().min(1).max(128)).min(1, 'a level needs at least one channel'),
          })
          .strict(),
      )
      .min(1, 'a policy needs at least one level')
      .max(20),
    /** How many more times the levels run after the first pass (0: once). */
    repeat: z.number().int().min(0).max(10).default(0),
    /** At most one notification per incident per this interval (flapping guard). */
    minInterval: duration({ max: 86_400_000 }).default(0),
  })
  .strict();

export type EscalationPolicyInput = z.input<typeof escalationPolicySchema>;
export type EscalationPolicy = z.output<typeof escalationPolicySchema>;

// The live stream as data: each event's name and payload schema, and the WebSocket envelope.
//
// Connect to LIVE_PATH (authenticated like the API: session cookie or `authorization: Bearer`).
// Every server message is an envelope { seq, instance, event, payload }. `seq` counts this
// instance's events (1, 2, 3, … without gaps); `instance` names the instance and changes when it
// restarts. To resume after a disconnect, reconnect with `?since=<last seq seen>&instance=<its
// instance>`: the server first replays what you missed from its bounded buffer, then streams on.
// If it cannot (the instance changed, or the gap is older than its buffer) it sends one 'resync'
// instead: refetch what you show over the API, then keep going from the envelopes that follow.
// The first message of every connection is 'hello' (its seq is the last one sent before it).
import { z } from 'zod';
import { incidentSchema } from './alerting.js';
import { deployProgressSchema } from './deploy.js';
import { hostSchema } from './procedures.js';

export const LIVE_PATH = '/api/v1/live';

export const liveEvents = {
  /** An incident opened, changed (ack, resolve, note, count) — `change` says which. */
  incident: z.object({ change: z.string(), incident: incidentSchema }),
  /** A host's status or last-seen moved (a batch arrived, or it went quiet and is now down). */
  host: z.object({
    hostId: z.string(),
    name: z.string(),
    status: hostSchema.shape.status,
    lastSeenAt: z.number().nullable(),
    agentVersion: z.string().nullable(),
  }),
  /** Per committed batch: the newest value of each of the host's series in it, for live charts. */
  samples: z.object({
    hostId: z.string(),
    values: z.array(z.object({ metric: z.string(), labels: z.record(z.string(), z.string()), ts: z.number(), value: z.number() })),
  }),
  /** A deploy run's step on one server (connect, probe, upload %, install, start, heartbeat, done/failed). */
  'deploy.progress': deployProgressSchema,
} as const satisfies Record<string, z.ZodType>;

/** Messages about the stream itself, in the same envelope. */
export const liveControl = {
  hello: z.object({ resumed: z.boolean(), bufferFrom: z.number() }),
  /** What you asked to resume from is gone: refetch, then continue from the next envelopes. */
  resync: z.object({ reason: z.enum(['instance_changed', 'too_old', 'ahead']) }),
} as const satisfies Record<string, z.ZodType>;

export type LiveEventName = keyof typeof liveEvents;
export type LivePayload<E extends LiveEventName> = z.output<(typeof liveEvents)[E]>;
export type LiveControlName = keyof typeof liveControl;

export const liveEnvelopeSchema = z.object({
  seq: z.number().int().nonnegative(),
  instance: z.string(),
  event: z.string(),
  payload: z.unknown(),
});

export type LiveMessage =
  | { [E in LiveEventName]: { seq: number; instance: string; event: E; payload: LivePayload<E> } }[LiveEventName]
  | { [C in LiveControlName]: { seq: number; instance: string; event: C; payload: z.output<(typeof liveControl)[C]> } }[LiveControlName];

/** Parses one server message; an unknown event name or a payload off its schema is an error, not a cast. */
export function parseLiveMessage(text: string): LiveMessage {
  const env = liveEnvelopeSchema.parse(JSON.parse(text));
  const schema: z.ZodType | undefined =
    (liveEvents as Record<string, z.ZodType>)[env.event] ?? (liveControl as Record<string, z.ZodType>)[env.event];
  if (!schema) throw new Error(`unknown live event "${env.event}"`);
  return { ...env, payload: schema.parse(env.payload) } as LiveMessage;
}

/** Query of the live URL: resume point (both or neither). */
export const liveQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  instance: z.string().max(128).optional(),
});

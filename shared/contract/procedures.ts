// The HTTP API as data: each procedure's method, path, input and output schema. The server
// registers its routes from this map and validates requests and responses against it; clients
// (dashboard, CLI) are typed from it. Input is one object: path params, query and body merged.
import { z } from 'zod';
import { inventorySchema, processSchema, eventSchema } from '../protocol/v1.js';

const labels = z.record(
  z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
    .max(64),
  z.string().max(256),
);
const hostName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, and _ . - (not first)');
const id = z.string().min(1).max(64);
const ms = z.coerce.number().int().nonnegative();

export const hostSchema = z.object({
  id,
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  /** up: a batch arrived within its down-after window; down: it did not; new: never reported. */
  status: z.enum(['new', 'up', 'down']),
  agentVersion: z.string().nullable(),
  intervalMs: z.number().nullable(),
  inventory: inventorySchema.nullable(),
  processes: z.array(processSchema).nullable(),
});

export const latestValueSchema = z.object({
  hostId: z.string(),
  metric: z.string(),
  labels: z.record(z.string(), z.string()),
  ts: z.number(),
  value: z.number(),
});

export const seriesPointsSchema = z.object({
  metric: z.string(),
  labels: z.record(z.string(), z.string()),
  points: z.array(z.object({ ts: z.number(), avg: z.number(), min: z.number(), max: z.number() })),
});

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export interface Procedure {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  /** HTTP status of a success; 200 when absent. */
  status?: number;
  /** Path params, validated on their own when present (else merged into input). */
  params?: z.ZodType;
  /** Validates query and body merged into one object (and the path params, when `params` is absent). */
  input: z.ZodType;
  output: z.ZodType;
}

export const hostProcedures = {
  health: {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness and which backend this instance uses',
    input: z.object({}),
    output: z.object({
      status: z.literal('ok'),
      version: z.string(),
      mode: z.enum(['local', 'team']),
      store: z.enum(['sqlite', 'postgres']),
      uptimeMs: z.number(),
    }),
  },
  listHosts: {
    method: 'GET',
    path: '/api/v1/hosts',
    summary: 'Every host with its status',
    input: z.object({}),
    output: z.object({ hosts: z.array(hostSchema) }),
  },
  createHost: {
    method: 'POST',
    path: '/api/v1/hosts',
    status: 201,
    summary: 'Add a host and get the token its agent authenticates with (shown once)',
    input: z.object({ name: hostName, labels: labels.optional() }).strict(),
    output: z.object({ host: hostSchema, agentToken: z.string() }),
  },
  getHost: {
    method: 'GET',
    path: '/api/v1/hosts/:id',
    summary: 'One host',
    input: z.object({ id }),
    output: z.object({ host: hostSchema }),
  },
  deleteHost: {
    method: 'DELETE',
    path: '/api/v1/hosts/:id',
    summary: 'Remove a host with its data and tokens',
    input: z.object({ id }),
    output: z.object({ deleted: z.literal(true) }),
  },
  rotateAgentToken: {
    method: 'POST',
    path: '/api/v1/hosts/:id/token',
    summary: "Revoke the host's agent tokens and issue a new one (shown once)",
    input: z.object({ id }).strict(),
    output: z.object({ agentToken: z.string() }),
  },
  latest: {
    method: 'GET',
    path: '/api/v1/latest',
    summary: 'The latest value of every series, of every host or of one (optionally only some metrics)',
    input: z.object({
      hostId: id.optional(),
      /** Comma-separated metric names: a fleet view needs a few per host, not all ~40. */
      metrics: z
        .preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.string().min(1).max(128)).max(50))
        .optional(),
    }),
    output: z.object({ values: z.array(latestValueSchema) }),
  },
  hostSeries: {
    method: 'GET',
    path: '/api/v1/hosts/:id/series',
    summary: "A host's metric over a time range at a step; long ranges read 1-minute rollups",
    input: z
      .object({
        id,
        metric: z.string().min(1).max(128),
        from: ms,
        to: ms,
        /** Bucket width in ms; chosen for ~300 points when absent. */
        step: z.coerce.number().int().min(1000).optional(),
        /** Label filter as JSON, e.g. {"cpu":"total"}. */
        labels: z
          .string()
          .transform((s, ctx) => {
            try {
              return labels.parse(JSON.parse(s));
            } catch {
              ctx.addIssue({ code: 'custom', message: 'must be a JSON object of label names to values' });
              return z.NEVER;
            }
          })
          .optional(),
      })
      .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
      .refine((q) => q.step === undefined || (q.to - q.from) / q.step <= 11_000, {
        message: 'too many points: at most 11,000 per series (widen the step)',
        path: ['step'],
      }),
    output: z.object({ source: z.enum(['raw', 'rollup']), stepMs: z.number(), series: z.array(seriesPointsSchema) }),
  },
  hostEvents: {
    method: 'GET',
    path: '/api/v1/hosts/:id/events',
    summary: "A host's log lines and events, newest first",
    input: z.object({ id, from: ms.optional(), to: ms.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    output: z.object({ events: z.array(eventSchema.extend({ id: z.number(), hostId: z.string() })) }),
  },
} as const satisfies Record<string, Procedure>;

export type HostView = z.output<typeof hostSchema>;
export type ApiError = z.output<typeof errorSchema>;

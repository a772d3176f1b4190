// Agent → control plane wire format, version 1. Columnar: each series (metric + labels) once per
// batch with its timestamps and values as parallel arrays, so validation and storage cost is per
// series, not per sample. The agent builds batches with these types; ingest validates with these
// schemas. Changes that older agents cannot send must go into a new version, never into this one.
import { z } from 'zod';

import { LIMITS, PROTOCOL_VERSION } from './wire.js';

export { INGEST_HEADER, INGEST_PATH, LIMITS, PROTOCOL_VERSION } from './wire.js';

const metricName = z
  .string()
  .max(LIMITS.metricNameLength)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must look like "group.name" (lowercase letters, digits, _ and .)');

const labels = z
  .record(
    z
      .string()
      .max(LIMITS.labelKeyLength)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label keys are letters, digits and _'),
    z.string().max(LIMITS.labelValueLength),
  )
  .refine((l) => Object.keys(l).length <= LIMITS.labelsPerSeries, `at most ${LIMITS.labelsPerSeries} labels`);

/** Milliseconds since the Unix epoch. Range-checked against the clock at ingest, not here. */
const timestamp = z.number().int().nonnegative();

export const seriesSchema = z
  .object({
    name: metricName,
    labels: labels.optional(),
    ts: z.array(timestamp).min(1).max(LIMITS.samplesPerSeries),
    values: z.array(z.number()).min(1).max(LIMITS.samplesPerSeries), // zod 4 numbers are finite
  })
  .refine((s) => s.ts.length === s.values.length, { message: 'ts and values must have the same length', path: ['values'] });

export const eventSchema = z.object({
  ts: timestamp,
  /** `log` for lines from a watched log file, `event` for anything else the agent noticed. */
  kind: z.enum(['log', 'event']),
  source: z.string().max(512),
  level: z.enum(['debug', 'info', 'warning', 'error', 'critical']).optional(),
  message: z.string().max(LIMITS.eventMessageLength),
  fields: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
});

export const processSchema = z.object({
  pid: z.number().int().positive(),
  name: z.string().max(256),
  user: z.string().max(64).optional(),
  cpuPercent: z.number().nonnegative(),
  memBytes: z.number().int().nonnegative(),
});

export const inventorySchema = z.object({
  hostname: z.string().max(255),
  os: z.string().max(255),
  kernel: z.string().max(255),
  arch: z.string().max(32),
  cpuModel: z.string().max(255),
  cpuCores: z.number().int().positive(),
  memoryBytes: z.number().int().nonnegative(),
});

export const batchSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  batchId: z
    .string()
    .min(8)
    .max(LIMITS.batchIdLength)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _.:-'),
  agent: z.object({
    version: z.string().max(64),
    intervalMs: z.number().int().min(1000).max(3_600_000),
  }),
  series: z.array(seriesSchema).max(LIMITS.seriesPerBatch),
  events: z.array(eventSchema).max(LIMITS.eventsPerBatch).default([]),
  processes: z.array(processSchema).max(LIMITS.processesPerBatch).optional(),
  inventory: inventorySchema.optional(),
});

export type Series = z.infer<typeof seriesSchema>;
export type AgentEvent = z.infer<typeof eventSchema>;
export type ProcessInfo = z.infer<typeof processSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
export type Batch = z.input<typeof batchSchema>;
export type ValidBatch = z.output<typeof batchSchema>;

/** What ingest answers to an accepted batch (200). */
export const ackSchema = z.object({
  batchId: z.string(),
  /** true when this batch id had been stored before: acknowledged again, stored once. */
  duplicate: z.boolean(),
  accepted: z.number().int(),
  dropped: z.object({
    tooOld: z.number().int(),
    tooNew: z.number().int(),
    unknownMetric: z.number().int(),
    seriesLimit: z.number().int(),
  }),
});
export type Ack = z.infer<typeof ackSchema>;

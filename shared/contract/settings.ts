// What this instance runs on and how long it keeps data, read-only: the Settings page shows it so
// people can tell a local (SQLite) instance from a team one (PostgreSQL + Redis) without a shell.
// Credentials never appear: database and Redis locations come back with any password removed.
import { z } from 'zod';
import type { Procedure } from './procedures.js';

export const instanceSettingsSchema = z.object({
  version: z.string(),
  mode: z.enum(['local', 'team']),
  store: z.object({
    kind: z.enum(['sqlite', 'postgres']),
    /** SQLite file path, or the PostgreSQL URL without its password. */
    location: z.string(),
    /** PostgreSQL schema (null for SQLite). */
    schema: z.string().nullable(),
  }),
  coordination: z.object({
    kind: z.enum(['memory', 'redis']),
    /** Redis URL without its password (null in-process). */
    location: z.string().nullable(),
  }),
  retention: z.object({ rawDays: z.number(), rollupDays: z.number(), eventDays: z.number(), pruneEveryMinutes: z.number() }),
  http: z.object({ host: z.string(), publicUrl: z.string() }),
  /** The agents' listener (its own address and port, apart from the API's): what an agent runs with as --server. */
  ingest: z.object({
    /** Where agents post: deploy.ingestUrl when set (as servers reach this instance), else the listener's own URL. */
    url: z.string(),
    /** The address the listener binds (ingest.host): on loopback only agents on this machine, or through a tunnel, reach it. */
    host: z.string(),
  }),
});

export const settingsProcedures = {
  getSettings: {
    method: 'GET',
    path: '/api/v1/settings',
    summary: 'Which backend this instance uses and its data retention (read-only, no credentials)',
    input: z.object({}),
    output: instanceSettingsSchema,
  },
} as const satisfies Record<string, Procedure>;

export type InstanceSettings = z.output<typeof instanceSettingsSchema>;

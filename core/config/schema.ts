// The whole configuration, with defaults. Every key can come from the YAML file or from an
// environment variable named after its path (see env.ts): http.port → WATCHTOWER_HTTP_PORT.
import { z } from 'zod';

// Numbers come as text from the environment and flags, and as numbers from YAML. A blank string or
// a boolean is not a number (z.coerce would read them as 0 and 1). Every check of a number carries
// one message saying what is accepted; load.ts appends the value that was given.
const toNumber = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
const number = (error: string, check: (n: z.ZodNumber, e: { error: string }) => z.ZodNumber) =>
  z.preprocess(toNumber, check(z.number({ error }), { error }));
const port = number('expected a whole number 0–65535 (0 picks a free port)', (n, e) => n.int(e).min(0, e).max(65535, e));
const positive = number('expected a number above 0', (n, e) => n.positive(e));
const notEmpty = { error: 'must not be empty' };

export const configSchema = z
  .object({
    /** Where local state lives (SQLite file, keys). */
    dataDir: z.string().min(1, notEmpty).default('~/.watchtower'),
    database: z
      .object({
        /** postgres://… selects PostgreSQL (team mode); empty means SQLite in dataDir; a path is a SQLite file. */
        url: z.string().default(''),
        /** PostgreSQL schema, so several Watchtowers can share one database. */
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/i, 'must be a plain SQL identifier')
          .default('public'),
      })
      .strict()
      .default({ url: '', schema: 'public' }),
    redis: z
      .object({
        /** redis://… makes coordination (timers, dedup guards, pub/sub) shared between instances; empty means in-process. */
        url: z.string().default(''),
        /** Key and channel namespace, so several installations can share one Redis. */
        prefix: z.string().min(1, notEmpty).max(64, { error: 'must be at most 64 characters' }).default('watchtower:'),
      })
      .strict()
      .default({ url: '', prefix: 'watchtower:' }),
    http: z
      .object({
        host: z.string().min(1, notEmpty).default('127.0.0.1'),
        port: port.default(7800),
        /** How people reach this instance (links in notifications), e.g. https://watchtower.example.com. */
        publicUrl: z.string().default(''),
        /** Behind a TLS proxy on this machine: take the client address and https from X-Forwarded-* (sign-in throttle, Secure cookie). */
        trustProxy: z
          .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'expected true or false' })
          .default(false),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 7800, publicUrl: '', trustProxy: false }),
    ingest: z
      .object({
        /** The agents' listener, apart from the API: 0.0.0.0 lets agents reach it directly; loopback suits the SSH tunnel. */
        host: z.string().min(1, notEmpty).default('127.0.0.1'),
        /** 0 picks a free port. */
        port: port.default(7801),
        /** Largest request body, compressed or not (413 above it). */
        maxBodyBytes: positive.default(8 * 1024 * 1024),
        /** Largest body after gunzip (413 above it: a zip bomb stops here). */
        maxDecodedBytes: positive.default(32 * 1024 * 1024),
        /** Samples waiting for a commit before new batches get 429. */
        maxPendingSamples: positive.default(400_000),
        /** Series a host may have; new ones beyond it are dropped and counted. */
        maxSeriesPerHost: positive.default(10_000),
        /** Samples further in the future than this are dropped (clock skew guard). */
        maxFutureSkewMs: positive.default(5 * 60_000),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 7801,
        maxBodyBytes: 8 * 1024 * 1024,
        maxDecodedBytes: 32 * 1024 * 1024,
        maxPendingSamples: 400_000,
        maxSeriesPerHost: 10_000,
        maxFutureSkewMs: 300_000,
      }),
    retention: z
      .object({
        rawDays: positive.default(7),
        rollupDays: positive.default(90),
        eventDays: positive.default(30),
        /** How often the retention job runs. */
        pruneEveryMinutes: positive.default(60),
      })
      .strict()
      .default({ rawDays: 7, rollupDays: 90, eventDays: 30, pruneEveryMinutes: 60 }),
    hosts: z
      .object({
        /** A host is down after this many of its own intervals without a batch (at least 30 s). */
        downAfterIntervals: positive.default(3),
      })
      .strict()
      .default({ downAfterIntervals: 3 }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    deploy: z
      .object({
        /** The ingest URL deployed agents post to in direct mode, as servers reach this instance. Empty: the ingest listener's own URL. */
        ingestUrl: z.string().default(''),
        /** Sample interval written into deployed agents' config. */
        agentIntervalSec: positive.default(10),
        /** Team mode: a deploy run whose instance has not renewed it for this long is marked interrupted by another. */
        instanceTimeoutSec: number('expected a number of seconds, at least 15', (n, e) => n.min(15, e)).default(45),
      })
      .strict()
      .default({ ingestUrl: '', agentIntervalSec: 10, instanceTimeoutSec: 45 }),
    secrets: z
      .object({
        /** Key sealing SSH keys and passwords at rest: 32 bytes as base64 or 64 hex digits. Empty: keyFile. */
        key: z.string().default(''),
        /** File holding that key. Empty: <dataDir>/secret.key, created with mode 0600 on first use. */
        keyFile: z.string().default(''),
      })
      .strict()
      .default({ key: '', keyFile: '' }),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

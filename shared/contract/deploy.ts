// The SSH deployer's API: servers (how to reach them over SSH), their host keys (trust on first use,
// or pinned in advance), probes, and deploy runs (install / upgrade / uninstall on one or many servers)
// with per-server step progress. Secrets (private keys, passphrases, passwords) go in and never come
// back out: a server as shown says only which kind of credential it holds.
import { z } from 'zod';
import { choiceError } from './issue-messages.js';
import type { Procedure } from './procedures.js';

const id = z.string().min(1).max(64);
const idParams = z.object({ id });
const secret = z.string().min(1).max(16_384);
const hostAddress = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_.:[\]-]+$/, 'a host name or IP address');
const userName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'a Unix user name');
/** OpenSSH's form: "SHA256:" and the unpadded base64 of the key's SHA-256. */
export const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'an OpenSSH SHA256 fingerprint (SHA256:…)');

/** How the deployer logs in. keyFile is read by the control plane once and stored sealed. */
export const sshAuthInputSchema = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('key'),
        /** PEM/OpenSSH private key text, or… */
        privateKey: secret.optional(),
        /** …a path on the control plane's machine to read it from. */
        keyFile: z.string().min(1).max(4096).optional(),
        passphrase: secret.optional(),
      })
      .strict()
      .refine((a) => Boolean(a.privateKey) !== Boolean(a.keyFile), { message: 'give privateKey or keyFile (one of them)' }),
    z.object({ kind: z.literal('password'), password: secret }).strict(),
    /** The ssh-agent of the process running the control plane (SSH_AUTH_SOCK), or this socket. */
    z.object({ kind: z.literal('agent'), socket: z.string().min(1).max(4096).optional() }).strict(),
  ],
  choiceError('kind'),
);

/** Root needs nothing; another user installs system-wide through sudo, or per-user without it. */
export const becomeInputSchema = z.discriminatedUnion(
  'method',
  [
    z.object({ method: z.literal('none') }).strict(),
    /** The password goes to sudo on stdin (sudo -S), never on a command line. */
    z.object({ method: z.literal('sudo'), password: secret.optional() }).strict(),
  ],
  choiceError('method'),
);

const serverFields = {
  name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, and _ . - (not first)'),
  host: hostAddress,
  port: z.coerce.number().int().min(1).max(65535),
  user: userName,
  auth: sshAuthInputSchema,
  become: becomeInputSchema,
  /** Another server to hop through (its own auth and host key apply). */
  jumpServerId: id.optional(),
  /** Pin the host key in advance instead of trusting it on first use. */
  hostKeyFingerprint: fingerprintSchema.optional(),
  /** direct: the agent posts to ingestUrl; tunnel: to 127.0.0.1:tunnelPort on its host, forwarded over SSH. */
  reach: z.enum(['direct', 'tunnel']),
  tunnelPort: z.coerce.number().int().min(1024).max(65535).optional(),
  /** Where the agent lives; defaults to /opt/watchtower-agent (system) or ~/.watchtower-agent (user). */
  installDir: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]*$/, 'an absolute path of letters, digits and _ . - /')
    .max(512)
    .optional(),
  /** auto picks systemd, OpenRC, or a supervised user process from the probe. */
  service: z.enum(['auto', 'systemd', 'openrc', 'user']),
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().max(256)),
};

export const serverInputSchema = z
  .object({
    ...serverFields,
    port: serverFields.port.default(22),
    become: serverFields.become.default({ method: 'none' }),
    reach: serverFields.reach.default('direct'),
    service: serverFields.service.default('auto'),
    labels: serverFields.labels.optional(),
  })
  .strict();

/** An update: every field optional, no defaults; a credential left out keeps the stored one. */
export const serverPatchSchema = z.object(serverFields).partial().strict();

export const probeSchema = z.object({
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  libc: z.enum(['glibc', 'musl', 'unknown']),
  avx2: z.boolean(),
  init: z.enum(['systemd', 'openrc', 'none']),
  root: z.boolean(),
  sudo: z.boolean(),
  freeDiskBytes: z.number().nullable(),
  agent: z.object({
    installed: z.boolean(),
    version: z.string().nullable(),
    runtimeSha256: z.string().nullable(),
    bundleSha256: z.string().nullable(),
    running: z.boolean(),
  }),
  at: z.number(),
});

export const serverSchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number(),
  user: z.string(),
  /** Which credential is stored; never the credential itself. */
  auth: z.object({
    kind: z.enum(['key', 'password', 'agent']),
    keyFile: z.string().nullable(),
    hasPassphrase: z.boolean(),
    socket: z.string().nullable(),
  }),
  become: z.object({ method: z.enum(['none', 'sudo']), hasPassword: z.boolean() }),
  jumpServerId: z.string().nullable(),
  hostKey: z
    .object({
      fingerprint: z.string(),
      algorithm: z.string().nullable(),
      /** pinned: given in advance or confirmed by a person; tofu: recorded on first connect. */
      source: z.enum(['pinned', 'tofu']),
      recordedAt: z.number(),
    })
    .nullable(),
  reach: z.enum(['direct', 'tunnel']),
  tunnelPort: z.number().nullable(),
  tunnel: z.object({ state: z.enum(['off', 'connecting', 'up', 'down']), since: z.number().nullable(), error: z.string().nullable() }),
  installDir: z.string().nullable(),
  service: z.enum(['auto', 'systemd', 'openrc', 'user']),
  labels: z.record(z.string(), z.string()),
  /** The monitored host the agent reports as, once installed. */
  hostId: z.string().nullable(),
  probe: probeSchema.nullable(),
  /** What is installed, as of the last deploy or probe. */
  installed: z
    .object({
      version: z.string(),
      target: z.string(),
      serviceKind: z.enum(['systemd', 'openrc', 'user']),
      installDir: z.string(),
      runtimeSha256: z.string(),
      bundleSha256: z.string(),
      at: z.number(),
    })
    .nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const deployStepSchema = z.enum(['connect', 'probe', 'upload', 'install', 'start', 'heartbeat', 'done', 'failed']);
export const deployActionSchema = z.enum(['install', 'upgrade', 'uninstall']);

export const deployProgressSchema = z.object({
  runId: z.string(),
  serverId: z.string(),
  host: z.string(),
  step: deployStepSchema,
  percent: z.number().min(0).max(100).optional(),
  message: z.string().optional(),
  at: z.number(),
});

export const deployTargetSchema = z.object({
  serverId: z.string(),
  name: z.string(),
  host: z.string(),
  status: z.enum(['pending', 'running', 'ok', 'failed']),
  step: deployStepSchema.nullable(),
  percent: z.number().nullable(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  /** false when the server already had exactly this agent and nothing was touched. */
  changed: z.boolean().nullable(),
  bytesUploaded: z.number(),
  sshSessions: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

export const deployRunSchema = z.object({
  id: z.string(),
  action: deployActionSchema,
  status: z.enum(['running', 'ok', 'partial', 'failed']),
  concurrency: z.number(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  summary: z.object({ total: z.number(), ok: z.number(), failed: z.number(), changed: z.number() }),
  targets: z.array(deployTargetSchema),
});

const serverOut = z.object({ server: serverSchema });

export const deployProcedures = {
  listServers: {
    method: 'GET',
    path: '/api/v1/servers',
    summary: 'Every server the deployer can reach over SSH',
    input: z.object({}),
    output: z.object({ servers: z.array(serverSchema) }),
  },
  getServer: {
    method: 'GET',
    path: '/api/v1/servers/:id',
    summary: 'One server',
    params: idParams,
    input: z.object({}),
    output: serverOut,
  },
  createServer: {
    method: 'POST',
    path: '/api/v1/servers',
    status: 201,
    summary: 'Add a server (credentials are stored sealed and never shown again)',
    input: serverInputSchema,
    output: serverOut,
  },
  updateServer: {
    method: 'PUT',
    path: '/api/v1/servers/:id',
    summary: 'Change a server; credentials left out are kept',
    params: idParams,
    input: serverPatchSchema,
    output: serverOut,
  },
  deleteServer: {
    method: 'DELETE',
    path: '/api/v1/servers/:id',
    summary: 'Forget a server (does not uninstall its agent)',
    params: idParams,
    input: z.object({}),
    output: z.object({ deleted: z.literal(true) }),
  },
  scanHostKey: {
    method: 'POST',
    path: '/api/v1/servers/:id/host-key/scan',
    summary: "Connect and show the server's host key fingerprint next to the recorded one (trusts nothing)",
    params: idParams,
    input: z.object({}),
    output: z.object({
      fingerprint: z.string(),
      algorithm: z.string(),
      recorded: z.string().nullable(),
      matches: z.boolean().nullable(),
    }),
  },
  pinHostKey: {
    method: 'PUT',
    path: '/api/v1/servers/:id/host-key',
    summary: 'Pin (or confirm) the host key fingerprint; replaces a recorded one, e.g. after a legitimate key change',
    params: idParams,
    input: z.object({ fingerprint: fingerprintSchema }).strict(),
    output: serverOut,
  },
  forgetHostKey: {
    method: 'DELETE',
    path: '/api/v1/servers/:id/host-key',
    summary: 'Forget the recorded host key; the next connect trusts on first use again',
    params: idParams,
    input: z.object({}),
    output: serverOut,
  },
  probeServer: {
    method: 'POST',
    path: '/api/v1/servers/:id/probe',
    summary: 'Connect and read OS, architecture, libc, init system, free disk and the installed agent',
    params: idParams,
    input: z.object({}),
    output: z.object({ probe: probeSchema }),
  },
  startDeploy: {
    method: 'POST',
    path: '/api/v1/deploys',
    status: 202,
    summary: 'Install, upgrade or uninstall the agent on one or many servers; progress streams as deploy.progress',
    input: z
      .object({
        action: deployActionSchema.default('install'),
        serverIds: z.array(id).min(1).max(1000),
        /** Servers worked on at once. */
        concurrency: z.coerce.number().int().min(1).max(64).default(8),
      })
      .strict(),
    output: z.object({ run: deployRunSchema }),
  },
  listDeploys: {
    method: 'GET',
    path: '/api/v1/deploys',
    summary: 'Deploy runs, newest first',
    input: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    output: z.object({ runs: z.array(deployRunSchema) }),
  },
  getDeploy: {
    method: 'GET',
    path: '/api/v1/deploys/:id',
    summary: 'One deploy run with each server’s step, progress and error',
    params: idParams,
    input: z.object({}),
    output: z.object({ run: deployRunSchema }),
  },
} as const satisfies Record<string, Procedure>;

export type ServerInput = z.output<typeof serverInputSchema>;
export type ServerPatch = z.output<typeof serverPatchSchema>;
export type ServerView = z.output<typeof serverSchema>;
export type ProbeResult = z.output<typeof probeSchema>;
export type DeployProgress = z.output<typeof deployProgressSchema>;
export type DeployStep = z.output<typeof deployStepSchema>;
export type DeployAction = z.output<typeof deployActionSchema>;
export type DeployRunView = z.output<typeof deployRunSchema>;
export type DeployTargetView = z.output<typeof deployTargetSchema>;

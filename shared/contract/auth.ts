// Access: the first-run setup of the owner account, sign-in to a cookie session, and API tokens for
// scripts and the CLI. Every procedure in the contract needs a session or a token except those named
// in `openProcedures` (the server enforces it in one place; a test walks the whole contract).
// Browsers send the session cookie and, on every non-GET request, the session's CSRF token in the
// `x-csrf-token` header; scripts send `authorization: Bearer <api token>`.
import { z } from 'zod';
import type { Procedure } from './procedures.js';

/** Header that carries the session's CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';
/** Name of the session cookie (HttpOnly, SameSite=Strict; Secure over HTTPS). */
export const SESSION_COOKIE = 'wt_session';
/** API tokens start with this, agent tokens with another: a mix-up is recognised and explained. */
export const API_TOKEN_PREFIX = 'wtapi_';

const id = z.string().min(1).max(64);
const username = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'letters, digits, and _ . @ - (not first)');
/** Long passphrases welcome; the upper bound only caps hashing work per request. */
const password = z.string().min(10, 'at least 10 characters').max(256);

export const userSchema = z.object({
  id,
  name: z.string(),
  role: z.enum(['owner', 'member']),
  createdAt: z.number(),
});

export const sessionViewSchema = z.object({
  user: userSchema,
  /** How this request was authenticated. */
  via: z.enum(['session', 'token']),
  /** Send in `x-csrf-token` on non-GET requests; null for tokens (they are not sent by browsers on their own). */
  csrfToken: z.string().nullable(),
  expiresAt: z.number().nullable(),
});

export const apiTokenSchema = z.object({
  id,
  name: z.string(),
  userId: z.string(),
  /** The first characters of the secret, so a person can tell tokens apart. */
  prefix: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
});

export const authProcedures = {
  setupStatus: {
    method: 'GET',
    path: '/api/v1/auth/setup',
    summary: 'Whether the owner account still has to be created (first run)',
    input: z.object({}),
    output: z.object({ needed: z.boolean() }),
  },
  completeSetup: {
    method: 'POST',
    path: '/api/v1/auth/setup',
    status: 201,
    summary: 'Create the owner account with the one-time setup token that `watchtower serve` printed; signs in',
    input: z.object({ setupToken: z.string().min(1).max(256), username, password }).strict(),
    output: sessionViewSchema,
  },
  signIn: {
    method: 'POST',
    path: '/api/v1/auth/sign-in',
    summary: 'Sign in with name and password; sets the session cookie',
    input: z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
    output: sessionViewSchema,
  },
  signOut: {
    method: 'POST',
    path: '/api/v1/auth/sign-out',
    summary: 'End this session on the server and clear the cookie',
    input: z.object({}),
    output: z.object({ ok: z.literal(true) }),
  },
  currentSession: {
    method: 'GET',
    path: '/api/v1/auth/session',
    summary: 'Who is signed in, and the CSRF token to send with changes',
    input: z.object({}),
    output: sessionViewSchema,
  },
  listApiTokens: {
    method: 'GET',
    path: '/api/v1/tokens',
    summary: "The signed-in user's API tokens (never their secrets)",
    input: z.object({}),
    output: z.object({ tokens: z.array(apiTokenSchema) }),
  },
  createApiToken: {
    method: 'POST',
    path: '/api/v1/tokens',
    status: 201,
    summary: 'Create an API token for scripts and the CLI; its secret is shown once',
    input: z.object({ name: z.string().trim().min(1).max(128), expiresInDays: z.number().int().min(1).max(3650).optional() }).strict(),
    output: z.object({ token: apiTokenSchema, secret: z.string() }),
  },
  revokeApiToken: {
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    summary: 'Revoke an API token at once',
    params: z.object({ id }),
    input: z.object({}),
    output: z.object({ revoked: z.literal(true) }),
  },
} as const satisfies Record<string, Procedure>;

/** The only procedures reachable without a session or token. Everything else answers 401. */
export const openProcedures = ['health', 'setupStatus', 'completeSetup', 'signIn'] as const;

export type UserView = z.output<typeof userSchema>;
export type SessionView = z.output<typeof sessionViewSchema>;
export type ApiTokenView = z.output<typeof apiTokenSchema>;

// Access procedures: first-run setup, sign-in and sign-out (the session cookie), the current
// session, and API tokens. The cookie is HttpOnly and SameSite=Strict, and Secure whenever the
// dashboard is reached over HTTPS (the request's own protocol, or an https public URL).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../../shared/contract/auth.js';
import type { Auth, Principal } from '../auth/service.js';
import type { CallContext, Handlers } from './contract-routes.js';
import { HttpError, notFound } from './errors.js';

export interface AuthHandlerDeps {
  auth: Auth;
  publicUrl?: string;
}

type AuthHandlers = Pick<
  Handlers,
  'setupStatus' | 'completeSetup' | 'signIn' | 'signOut' | 'currentSession' | 'listApiTokens' | 'createApiToken' | 'revokeApiToken'
>;

/** The caller of a procedure that is not open (the guard has already refused anyone else). */
export function caller(ctx: CallContext): Principal {
  if (!ctx.principal) throw new HttpError(401, 'unauthorized', 'sign in first');
  return ctx.principal;
}

export function authHandlers(d: AuthHandlerDeps): AuthHandlers {
  const secure = (req: FastifyRequest) => req.protocol === 'https' || (d.publicUrl ?? '').startsWith('https://');
  const setCookie = (req: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number) => {
    const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeS}`];
    if (secure(req)) attrs.push('Secure');
    reply.header('set-cookie', attrs.join('; '));
  };
  const signedIn = (ctx: CallContext, s: { principal: Principal; sessionSecret: string }) => {
    setCookie(ctx.req, ctx.reply, s.sessionSecret, Math.floor((s.principal.expiresAt! - Date.now()) / 1000));
    return d.auth.view(s.principal);
  };

  return {
    setupStatus: async () => ({ needed: await d.auth.setupNeeded() }),
    completeSetup: async (input, _, ctx) => signedIn(ctx, await d.auth.completeSetup(input, ctx.req.ip)),
    signIn: async ({ username, password }, _, ctx) => signedIn(ctx, await d.auth.signIn(username, password, ctx.req.ip)),
    signOut: async (_, __, ctx) => {
      await d.auth.signOut(caller(ctx));
      setCookie(ctx.req, ctx.reply, '', 0);
      return { ok: true as const };
    },
    currentSession: async (_, __, ctx) => d.auth.view(caller(ctx)),
    listApiTokens: async (_, __, ctx) => ({ tokens: await d.auth.listTokens(caller(ctx).user.id) }),
    createApiToken: async ({ name, expiresInDays }, _, ctx) => d.auth.createToken(caller(ctx).user.id, name, expiresInDays),
    revokeApiToken: async (_, { id }, ctx) => {
      if (!(await d.auth.revokeToken(caller(ctx).user.id, id))) throw notFound(`API token ${id}`);
      return { revoked: true as const };
    },
  };
}

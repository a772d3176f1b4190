// Who is calling: the one check every API request and the live WebSocket pass through. A session
// cookie or an API token; agent tokens are recognised and refused with a message that says where
// they belong. Cookie requests that change state need the session's CSRF token, and any request
// with an Origin header must come from this instance's own origin (or its public URL).
import type { FastifyRequest } from 'fastify';
import { API_TOKEN_PREFIX, CSRF_HEADER, SESSION_COOKIE } from '../../shared/contract/auth.js';
import { HttpError } from '../api/errors.js';
import { sameSecret, type Auth, type Principal } from './service.js';

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer' });
const AGENT_TOKEN_PREFIX = 'wt_';

export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return ''; // malformed escapes: no session, not a server error
      }
    }
  }
  return null;
}

export interface GuardOptions {
  /** e.g. https://watchtower.example.com: its origin is accepted besides the request's own. */
  publicUrl?: string;
}

export class Guard {
  private publicOrigin: string | null;

  constructor(
    private auth: Auth,
    o: GuardOptions = {},
  ) {
    this.publicOrigin = o.publicUrl ? safeOrigin(o.publicUrl) : null;
  }

  /** Cross-site requests are refused outright (CSRF on sign-in, cross-site WebSocket hijacking). */
  checkOrigin(req: FastifyRequest): void {
    const origin = req.headers.origin;
    if (origin === undefined) return; // not a browser (curl, scripts, the CLI)
    const own = `${req.protocol}://${req.host}`;
    if (origin === own || origin === this.publicOrigin) return;
    throw new HttpError(403, 'bad_origin', `requests from ${origin} are refused; open the dashboard at ${this.publicOrigin ?? own}`);
  }

  /**
   * The caller, or a 401/403 explaining what is missing. `changes` marks a state-changing request
   * (every method but GET), which with a cookie session needs the CSRF header.
   */
  async authenticate(req: FastifyRequest, changes: boolean): Promise<Principal> {
    this.checkOrigin(req);
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized('the Authorization header must be "Bearer <API token>"');
      const token = m[1]!;
      if (token.startsWith(AGENT_TOKEN_PREFIX)) {
        throw unauthorized(
          'this is an agent token: it can only post metrics to the ingest listener; the API takes an API token (Settings → API tokens)',
        );
      }
      if (!token.startsWith(API_TOKEN_PREFIX)) throw unauthorized(`not an API token (they start with "${API_TOKEN_PREFIX}")`);
      const p = await this.auth.fromApiToken(token);
      if (!p) throw unauthorized('unknown, expired or revoked API token');
      return p;
    }
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie === null) throw unauthorized('sign in first, or send "Authorization: Bearer <API token>"');
    const p = await this.auth.fromSession(cookie);
    if (!p) throw unauthorized('your session has ended (signed out or expired); sign in again');
    if (changes) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, p.csrfToken!)) {
        throw new HttpError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header (GET /api/v1/auth/session gives the token)`);
      }
    }
    return p;
  }
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

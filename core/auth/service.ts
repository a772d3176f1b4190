// Accounts, sessions and API tokens: first-run setup through a one-time token, sign-in to a
// server-side session (the cookie holds a random secret; the database only its SHA-256, so a
// leaked database opens no session), sign-out, and API tokens shown once and stored hashed.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { API_TOKEN_PREFIX, type ApiTokenView, type SessionView, type UserView } from '../../shared/contract/auth.js';
import { HttpError } from '../api/errors.js';
import { newId } from '../store/ids.js';
import type { SqlDb } from '../store/sql-db.js';
import type { Store } from '../store/types.js';
import { decoyHash, hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import { AuthStore, type ApiTokenRow, type UserRow } from './store.js';
import { DEFAULT_THROTTLE, SignInThrottle, type ThrottleLimits } from './throttle.js';

const DAY = 24 * 60 * 60_000;
export const SESSION_IDLE_MS = 7 * DAY;
export const SESSION_MAX_MS = 30 * DAY;
const SETUP_TOKEN_MS = DAY;
/** Where versions before per-start setup tokens kept their single one (cleared when setup completes). */
const LEGACY_SETUP_META = 'auth.setupToken';
/** Writes of last-used times at most this often per session or token. */
const TOUCH_EVERY_MS = 60_000;

export interface Principal {
  user: UserView;
  via: 'session' | 'token';
  /** The session's CSRF token (sessions only). */
  csrfToken: string | null;
  expiresAt: number | null;
  /** SHA-256 of the session secret, to end it. */
  sessionHash?: string;
}

export interface SignedIn {
  principal: Principal;
  /** The cookie's value. */
  sessionSecret: string;
}

export interface AuthDeps {
  sql: SqlDb;
  meta: Pick<Store, 'getMeta' | 'setMeta'>;
  now: () => number;
  log: Logger;
  scrypt?: ScryptParams;
  throttle?: ThrottleLimits;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
/** Bound to the session secret, so it needs no storage and means nothing without the cookie. */
const csrfFor = (sessionSecret: string) => createHash('sha256').update(`csrf\0${sessionSecret}`).digest('base64url');
const userView = (u: UserRow): UserView => ({ id: u.id, name: u.name, role: u.role, createdAt: u.createdAt });
const tokenView = (t: ApiTokenRow): ApiTokenView => ({
  id: t.id,
  name: t.name,
  userId: t.userId,
  prefix: t.prefix,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  expiresAt: t.expiresAt,
});

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Auth {
  readonly store: AuthStore;
  private throttle: SignInThrottle;
  private touched = new Map<string, number>();

  constructor(private d: AuthDeps) {
    this.store = new AuthStore(d.sql);
    this.throttle = new SignInThrottle(this.store, d.now, d.throttle);
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.store.countUsers()) === 0;
  }

  /**
   * On a start without an owner: a new setup token, valid a day, to print once. Earlier ones stay
   * valid (each instance of a team prints its own link at each start); all of them end when the
   * owner is created. Null when an owner exists.
   */
  async prepareSetup(): Promise<string | null> {
    if (!(await this.setupNeeded())) return null;
    const token = secret();
    const hash = sha256(token);
    const now = this.d.now();
    await this.store.addSetupToken(hash, now + SETUP_TOKEN_MS);
    await this.store.pruneSetupTokens(now);
    // Another instance may have completed setup (and dropped the tokens) since the check above.
    if (!(await this.setupNeeded())) {
      await this.store.deleteSetupToken(hash);
      return null;
    }
    return token;
  }

  async completeSetup(i: { setupToken: string; username: string; password: string }, address: string): Promise<SignedIn> {
    await this.throttle.check(null, address);
    if (!(await this.setupNeeded())) throw new HttpError(409, 'already_set_up', 'the owner account exists already; sign in instead');
    // Looked up by hash: the token's 256 random bits make timing of the lookup tell nothing.
    const until = await this.store.setupTokenExpiry(sha256(i.setupToken));
    if (until === null || until <= this.d.now()) {
      await this.throttle.failed(null, address);
      throw new HttpError(
        401,
        'bad_setup_token',
        'unknown or expired setup token; use a setup link printed in the last 24 h (each start of `watchtower serve` prints one, ' +
          'and earlier ones stay valid), or restart `watchtower serve` to print a new setup link',
      );
    }
    const user = {
      id: newId('usr'),
      name: i.username,
      passwordHash: await hashPassword(i.password, this.d.scrypt),
      createdAt: this.d.now(),
    };
    if (!(await this.store.createOwner(user)))
      throw new HttpError(409, 'already_set_up', 'the owner account exists already; sign in instead');
    await this.store.pruneSetupTokens();
    await this.d.meta.setMeta(LEGACY_SETUP_META, '');
    this.d.log.info({ user: user.name }, 'owner account created');
    return this.startSession({ ...user, role: 'owner' });
  }

  async signIn(username: string, password: string, address: string): Promise<SignedIn> {
    await this.throttle.check(username, address);
    const user = await this.store.userByName(username);
    // An unknown name costs a hash too, so timing does not tell which names exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok) {
      await this.throttle.failed(username, address);
      this.d.log.warn({ user: username, address }, 'sign-in failed');
      throw new HttpError(401, 'bad_credentials', 'wrong user name or password');
    }
    await this.throttle.succeeded(username);
    return this.startSession(user);
  }

  private async startSession(user: UserRow): Promise<SignedIn> {
    const sessionSecret = secret();
    const now = this.d.now();
    const row = { userId: user.id, createdAt: now, lastUsedAt: now, expiresAt: now + SESSION_MAX_MS };
    const sessionHash = sha256(sessionSecret);
    await this.store.addSession(sessionHash, row);
    return {
      sessionSecret,
      principal: { user: userView(user), via: 'session', csrfToken: csrfFor(sessionSecret), expiresAt: row.expiresAt, sessionHash },
    };
  }

  async signOut(p: Principal): Promise<void> {
    if (p.sessionHash) await this.store.deleteSession(p.sessionHash);
  }

  /** The principal of a session cookie's value, or null if it is unknown, idle too long or expired. */
  async fromSession(sessionSecret: string): Promise<Principal | null> {
    const sessionHash = sha256(sessionSecret);
    const s = await this.store.session(sessionHash);
    const now = this.d.now();
    if (!s || s.expiresAt <= now || s.lastUsedAt < now - SESSION_IDLE_MS) return null;
    const user = s.user;
    if (now - Math.max(s.lastUsedAt, this.touched.get(sessionHash) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(sessionHash, now);
      await this.store.touchSession(sessionHash, now);
    }
    return { user: userView(user), via: 'session', csrfToken: csrfFor(sessionSecret), expiresAt: s.expiresAt, sessionHash };
  }

  /** The principal of an API token, or null if it is unknown, revoked or expired. */
  async fromApiToken(token: string): Promise<Principal | null> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return null;
    const t = await this.store.apiTokenByHash(sha256(token));
    const now = this.d.now();
    if (!t || t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now)) return null;
    const user = t.user;
    if (now - Math.max(t.lastUsedAt ?? 0, this.touched.get(t.id) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(t.id, now);
      await this.store.touchApiToken(t.id, now);
    }
    return { user: userView(user), via: 'token', csrfToken: null, expiresAt: t.expiresAt };
  }

  view(p: Principal): SessionView {
    return { user: p.user, via: p.via, csrfToken: p.csrfToken, expiresAt: p.expiresAt };
  }

  async listTokens(userId: string): Promise<ApiTokenView[]> {
    return (await this.store.listApiTokens(userId)).map(tokenView);
  }

  async createToken(userId: string, name: string, expiresInDays?: number): Promise<{ token: ApiTokenView; secret: string }> {
    const value = API_TOKEN_PREFIX + secret();
    const now = this.d.now();
    const row: ApiTokenRow = {
      id: newId('tok'),
      userId,
      name,
      prefix: value.slice(0, API_TOKEN_PREFIX.length + 6),
      createdAt: now,
      lastUsedAt: null,
      expiresAt: expiresInDays ? now + expiresInDays * DAY : null,
      revokedAt: null,
    };
    await this.store.addApiToken(row, sha256(value));
    return { token: tokenView(row), secret: value };
  }

  async revokeToken(userId: string, id: string): Promise<boolean> {
    return this.store.revokeApiToken(userId, id, this.d.now());
  }

  /** Ended sessions, stale sign-in counters and expired (or, once an owner exists, all) setup tokens (an hourly job). */
  async prune(): Promise<{ sessions: number; counters: number; setupTokens: number }> {
    const now = this.d.now();
    this.touched.clear();
    return {
      sessions: await this.store.pruneSessions(now - SESSION_IDLE_MS, now),
      counters: await this.store.pruneFailures(now - (this.d.throttle?.windowMs ?? DEFAULT_THROTTLE.windowMs)),
      setupTokens: await this.store.pruneSetupTokens((await this.setupNeeded()) ? now : undefined),
    };
  }
}

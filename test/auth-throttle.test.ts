// The sign-in throttle through the Auth service on both stores, with a cheap scrypt so that many
// failures cost little: per client address across account names, per account across addresses,
// windows that end, and — two instances on one database, as in team mode — counts they share.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Auth } from '../core/auth/service.js';
import { HttpError } from '../core/api/errors.js';
import type { Store } from '../core/store/types.js';
import { STORE_TARGETS, type StoreTarget } from './helpers/stores.js';

const LIMITS = { windowMs: 60_000, perAccount: 3, perAddress: 5 };
const CHEAP = { logN: 10, r: 8, p: 1 };

describe.each(STORE_TARGETS.map((t) => [t().name, t] as const))('sign-in throttle on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let stores: Store[] = [];
  let t = 1_000_000;

  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
    await target.cleanup();
  });

  async function instance(): Promise<Auth> {
    const store = await target.open();
    stores.push(store);
    return new Auth({ sql: store.sql, meta: store, now: () => t, log: pino({ level: 'silent' }), scrypt: CHEAP, throttle: LIMITS });
  }
  async function withOwner(): Promise<Auth> {
    const auth = await instance();
    const token = (await auth.prepareSetup())!;
    await auth.completeSetup({ setupToken: token, username: 'ada', password: 'right password' }, '10.0.0.1');
    return auth;
  }
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (err: unknown) => (err instanceof HttpError ? err.statusCode : Promise.reject(err)),
    );

  it('limits one address trying many account names, and forgets after the window', async () => {
    target = makeTarget();
    const auth = await withOwner();
    for (let i = 0; i < LIMITS.perAddress; i++) expect(await status(auth.signIn(`user${i}`, 'guess', '10.0.0.9'))).toBe(401);
    expect(await status(auth.signIn('someone-else', 'guess', '10.0.0.9'))).toBe(429);
    // The right password from that address is refused too; from another address it works.
    expect(await status(auth.signIn('ada', 'right password', '10.0.0.9'))).toBe(429);
    expect(await status(auth.signIn('ada', 'right password', '10.0.0.10'))).toBe(200);
    t += LIMITS.windowMs + 1;
    expect(await status(auth.signIn('ada', 'right password', '10.0.0.9'))).toBe(200);
  });

  it('limits one account tried from many addresses; a success clears the account count', async () => {
    target = makeTarget();
    const auth = await withOwner();
    for (let i = 0; i < LIMITS.perAccount - 1; i++) expect(await status(auth.signIn('ada', 'guess', `10.1.0.${i}`))).toBe(401);
    expect(await status(auth.signIn('ada', 'right password', '10.1.1.1'))).toBe(200);
    for (let i = 0; i < LIMITS.perAccount; i++) expect(await status(auth.signIn('ADA', 'guess', `10.2.0.${i}`))).toBe(401);
    expect(await status(auth.signIn('ada', 'right password', '10.3.0.1'))).toBe(429);
  });

  it('shares the counts between two instances on one database (team mode)', async () => {
    target = makeTarget();
    const a = await withOwner();
    const b = await instance();
    for (let i = 0; i < LIMITS.perAccount; i++) expect(await status((i % 2 ? a : b).signIn('ada', 'guess', `10.4.0.${i}`))).toBe(401);
    expect(await status(a.signIn('ada', 'right password', '10.5.0.1'))).toBe(429);
    expect(await status(b.signIn('ada', 'right password', '10.5.0.2'))).toBe(429);
    // A session made on one instance is valid on the other; signing out on one ends it on both.
    t += LIMITS.windowMs + 1;
    const s = await a.signIn('ada', 'right password', '10.5.0.3');
    const onB = await b.fromSession(s.sessionSecret);
    expect(onB?.user.name).toBe('ada');
    await b.signOut(onB!);
    expect(await a.fromSession(s.sessionSecret)).toBeNull();
  });

  it('ends idle and expired sessions, and an owner cannot be set up twice by racing instances', async () => {
    target = makeTarget();
    const a = await instance();
    const b = await instance();
    const token = (await a.prepareSetup())!;
    const results = await Promise.all([
      status(a.completeSetup({ setupToken: token, username: 'one', password: 'right password' }, '10.6.0.1')),
      status(b.completeSetup({ setupToken: token, username: 'two', password: 'right password' }, '10.6.0.2')),
    ]);
    expect(results.sort()).toEqual([200, 409]);
    expect(await a.store.countUsers()).toBe(1);
    const owner = (await a.store.userByName('one')) ?? (await a.store.userByName('two'));
    const s = await a.signIn(owner!.name, 'right password', '10.6.0.3');
    t += 8 * 24 * 60 * 60_000; // past the 7-day idle limit
    expect(await a.fromSession(s.sessionSecret)).toBeNull();
    await a.signIn('nobody', 'guess', '10.6.0.4').catch(() => {});
    expect(await a.store.failures(['acct:nobody'])).toHaveLength(1);
    t += LIMITS.windowMs + 1;
    const pruned = await a.prune();
    expect(pruned.sessions).toBeGreaterThanOrEqual(1);
    expect(pruned.counters).toBeGreaterThanOrEqual(2); // the account's and the address's
    expect(await a.store.failures(['acct:nobody'])).toEqual([]);
  });
});

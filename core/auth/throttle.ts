// Failed sign-ins, counted per account and per client address in fixed windows. The counters live
// in the database, so in team mode every instance sees the same ones (a guesser cannot spread its
// tries over instances), and a restart does not reset them.
import { HttpError } from '../api/errors.js';
import type { AuthStore } from './store.js';

export interface ThrottleLimits {
  windowMs: number;
  /** Failures per account name per window (known or not: unknown names are throttled alike). */
  perAccount: number;
  /** Failures per client address per window. */
  perAddress: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 20 };

export class SignInThrottle {
  constructor(
    private store: AuthStore,
    private now: () => number,
    private limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  private keys(account: string | null, address: string) {
    return { account: account === null ? null : `acct:${account.toLowerCase()}`, address: `addr:${address}` };
  }

  /** Refuses (429 with Retry-After) while either counter is at its limit. */
  async check(account: string | null, address: string): Promise<void> {
    const k = this.keys(account, address);
    const now = this.now();
    for (const f of await this.store.failures([k.address, ...(k.account ? [k.account] : [])])) {
      const limit = f.key === k.address ? this.limits.perAddress : this.limits.perAccount;
      const endsAt = f.windowStart + this.limits.windowMs;
      if (f.failures >= limit && endsAt > now) {
        const seconds = Math.ceil((endsAt - now) / 1000);
        const who = f.key === k.address ? 'from this address' : 'for this account';
        throw new HttpError(429, 'too_many_attempts', `too many failed sign-ins ${who}; try again in ${seconds} s`, undefined, {
          'retry-after': String(seconds),
        });
      }
    }
  }

  async failed(account: string | null, address: string): Promise<void> {
    const k = this.keys(account, address);
    const now = this.now();
    const staleBefore = now - this.limits.windowMs;
    await this.store.countFailure(k.address, now, staleBefore);
    if (k.account) await this.store.countFailure(k.account, now, staleBefore);
  }

  /** A right password clears the account's count (not the address's: one success must not reset a guesser). */
  async succeeded(account: string): Promise<void> {
    await this.store.clearFailures(this.keys(account, '').account!);
  }
}

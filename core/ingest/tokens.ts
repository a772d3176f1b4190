// Agent tokens: random, shown once, stored as SHA-256 (they carry 256 bits of entropy, so a slow
// password hash would add nothing). Lookups are cached briefly, misses too, so a flood of bad
// tokens does not become a flood of queries; revoking on this instance clears the cache.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';

export function newAgentToken(): string {
  return `wt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenCache {
  private entries = new Map<string, { hostId: string | null; expires: number }>();

  constructor(
    private store: Pick<Store, 'hostIdForToken'>,
    private ttlMs = 10_000,
    private maxEntries = 50_000,
  ) {}

  async hostFor(token: string, now = Date.now()): Promise<string | null> {
    const hash = hashToken(token);
    const hit = this.entries.get(hash);
    if (hit && hit.expires > now) return hit.hostId;
    const hostId = await this.store.hostIdForToken(hash);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(hash, { hostId, expires: now + this.ttlMs });
    return hostId;
  }

  clear(): void {
    this.entries.clear();
  }
}

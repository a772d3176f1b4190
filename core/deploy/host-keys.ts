// Host key checks. ssh2 has no known_hosts handling: this is our trust store's policy. A recorded
// key (pinned in advance, confirmed, or trusted on first use) must match exactly; with none
// recorded the key is accepted and the caller records it (trust on first use). Never "accept any".
import { createHash } from 'node:crypto';
import { DeployError } from './errors.js';

export interface HostKeyPolicy {
  /** The fingerprint on record, or null for trust on first use. */
  expected: string | null;
  /** Told the key that was seen (and accepted), so the caller can record it. */
  seen?: (fingerprint: string, algorithm: string) => void;
}

/** OpenSSH's SHA256 fingerprint: unpadded base64 of the SHA-256 of the key blob. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key blob starts with its algorithm name as an SSH string. */
export function keyAlgorithm(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return len > 0 && len < 64 && key.length >= 4 + len ? key.subarray(4, 4 + len).toString('ascii') : 'unknown';
}

/** null when the key is acceptable; else the error to fail with. */
export function checkHostKey(policy: HostKeyPolicy, fingerprint: string, algorithm: string, label: string): DeployError | null {
  if (policy.expected !== null && policy.expected !== fingerprint) {
    return new DeployError(
      'connect',
      `host key of ${label} changed: recorded ${policy.expected}, the server presented ${fingerprint} (${algorithm}). ` +
        'Refusing to connect. If the change is expected (reinstalled server), pin the new fingerprint.',
    );
  }
  policy.seen?.(fingerprint, algorithm);
  return null;
}

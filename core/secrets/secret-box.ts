// Encryption at rest for what the deployer must keep (SSH private keys, passwords, agent tokens):
// AES-256-GCM, a fresh random 96-bit nonce per seal, the format version bound in as associated
// data. Sealed text: "wts1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>"; the key id (8 hex of
// the key's SHA-256) tells "sealed under another key" apart from "damaged", so each gets its own
// error. Errors never carry plaintext or key material.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export class SecretError extends Error {
  override name = 'SecretError';
}

const VERSION = 'wts1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from(VERSION);

export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new SecretError(`the secrets key must be ${KEY_BYTES} bytes, got ${key.length}`);
  const id = keyId(key);
  const own = Buffer.from(key); // a copy: the caller's buffer may be reused
  return {
    seal(plain) {
      if (typeof plain !== 'string') throw new SecretError('only strings can be sealed');
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', own, nonce).setAAD(AAD);
      const body = Buffer.concat([nonce, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${id}.${body.toString('base64url')}`;
    },
    open(sealed) {
      if (typeof sealed !== 'string') throw new SecretError('sealed secret is not a string');
      const parts = sealed.split('.');
      if (parts.length !== 3 || !parts[0]!.startsWith('wts'))
        throw new SecretError('not a sealed secret (expected "wts1.<key id>.<data>")');
      const [version, sealedId, data] = parts as [string, string, string];
      if (version !== VERSION) throw new SecretError(`sealed secret format "${version}" is not supported (this version reads ${VERSION})`);
      if (sealedId !== id) {
        throw new SecretError(
          `secret was sealed with another key (key id ${sealedId}; this instance's key is ${id}): ` +
            'configure the key it was sealed with (secrets.key / secrets.keyFile)',
        );
      }
      const body = Buffer.from(data, 'base64url');
      if (body.length < NONCE_BYTES + TAG_BYTES || body.toString('base64url') !== data) {
        throw new SecretError('sealed secret is damaged (truncated or not base64url)');
      }
      const decipher = createDecipheriv('aes-256-gcm', own, body.subarray(0, NONCE_BYTES)).setAAD(AAD);
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new SecretError('sealed secret failed authentication: it was altered or damaged', { cause: err });
      }
    },
  };
}

/** A key as configured: 64 hex digits or base64 of 32 bytes. */
export function parseKey(text: string, source: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : null;
  if (!key || key.length !== KEY_BYTES) {
    throw new SecretError(`${source} must hold a ${KEY_BYTES}-byte key as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

function readKeyFile(file: string): Buffer {
  const mode = statSync(file).mode;
  // Like ssh with a private key: a key others can read or change protects nothing.
  if (mode & 0o027) {
    throw new SecretError(`secrets key file ${file} is accessible to other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
  }
  return parseKey(readFileSync(file, 'utf8'), `secrets key file ${file}`);
}

/** Creates <dataDir>/secret.key once; O_EXCL so two instances starting together agree on one key. */
function createDefaultKey(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600); // the umask may have narrowed it already, never widened; make it exact
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SecretError(`cannot create the secrets key file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return readKeyFile(file);
}

/**
 * The key comes from `key` (WATCHTOWER_SECRETS_KEY; the desktop passes one from the OS keychain),
 * else `keyFile` (which must exist: a fresh key there would orphan every secret sealed before),
 * else <dataDir>/secret.key, created with mode 0600 on first use.
 */
export function loadSecretBox(cfg: { keyFile?: string; key?: string; dataDir: string }): SecretBox {
  if (cfg.key) return createSecretBox(parseKey(cfg.key, 'secrets.key (WATCHTOWER_SECRETS_KEY)'));
  if (cfg.keyFile) {
    try {
      statSync(cfg.keyFile);
    } catch (err) {
      throw new SecretError(`secrets key file ${cfg.keyFile} (secrets.keyFile) cannot be read: ${(err as Error).message}`, { cause: err });
    }
    return createSecretBox(readKeyFile(cfg.keyFile));
  }
  const file = join(cfg.dataDir, 'secret.key');
  let exists = true;
  try {
    statSync(file);
  } catch {
    exists = false;
  }
  return createSecretBox(exists ? readKeyFile(file) : createDefaultKey(file));
}

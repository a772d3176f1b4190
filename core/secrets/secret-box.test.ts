import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createSecretBox, loadSecretBox, SecretError } from './index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wt-secrets-'));
const PLAIN = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA…\n-----END OPENSSH PRIVATE KEY-----\nпароль ✓';

describe('SecretBox', () => {
  it('round-trips text, including multi-line keys and non-ASCII, and the empty string', () => {
    const box = createSecretBox(randomBytes(32));
    expect(box.open(box.seal(PLAIN))).toBe(PLAIN);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('uses a fresh nonce per seal and never shows the plaintext', () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal('hunter2-password');
    const b = box.seal('hunter2-password');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^wts1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('hunter2');
    expect(Buffer.from(a.split('.')[2]!, 'base64url').toString('latin1')).not.toContain('hunter2');
  });

  it('refuses another key with an error naming both key ids, not the plaintext', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('s3cret-value');
    const other = createSecretBox(randomBytes(32));
    expect(() => other.open(sealed)).toThrow(SecretError);
    expect(() => other.open(sealed)).toThrow(/sealed with another key \(key id [0-9a-f]{8}; this instance's key is [0-9a-f]{8}\)/);
  });

  it('detects tampering in the ciphertext, the tag, the nonce or the length', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('s3cret-value');
    const [v, id, data] = sealed.split('.') as [string, string, string];
    const body = Buffer.from(data, 'base64url');
    for (const at of [0, 12, body.length - 1]) {
      const bad = Buffer.from(body);
      bad[at]! ^= 1;
      const attempt = () => box.open(`${v}.${id}.${bad.toString('base64url')}`);
      expect(attempt).toThrow(/failed authentication: it was altered or damaged/);
    }
    expect(() => box.open(`${v}.${id}.${body.subarray(0, 20).toString('base64url')}`)).toThrow(/damaged|authentication/);
    expect(() => box.open(`${v}.${id}.${data}!`)).toThrow(/damaged/);
  });

  it('names unknown formats and non-sealed input', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('x');
    expect(() => box.open(sealed.replace('wts1', 'wts9'))).toThrow(/format "wts9" is not supported/);
    expect(() => box.open('plain text password')).toThrow(/not a sealed secret/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes, got 16/);
  });
});

describe('loadSecretBox', () => {
  it('creates <dataDir>/secret.key with mode 0600 on first use and reuses it after', () => {
    const d = join(dir(), 'data');
    const sealed = loadSecretBox({ dataDir: d }).seal('token-1');
    const file = join(d, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadSecretBox({ dataDir: d }).open(sealed)).toBe('token-1');
  });

  it('takes the key from config (base64 or hex), which opens what the same key sealed', () => {
    const key = randomBytes(32);
    const d = dir();
    const sealed = loadSecretBox({ dataDir: d, key: key.toString('base64') }).seal('pw');
    expect(loadSecretBox({ dataDir: d, key: key.toString('hex') }).open(sealed)).toBe('pw');
    expect(existsSync(join(d, 'secret.key'))).toBe(false); // a configured key creates no file
  });

  it('reads a configured key file, and refuses one that is missing or readable by others', () => {
    const d = dir();
    const file = join(d, 'wt.key');
    expect(() => loadSecretBox({ dataDir: d, keyFile: file })).toThrow(/wt\.key \(secrets\.keyFile\) cannot be read/);
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    expect(loadSecretBox({ dataDir: d, keyFile: file }).open(loadSecretBox({ dataDir: d, keyFile: file }).seal('a'))).toBe('a');
    chmodSync(file, 0o644);
    expect(() => loadSecretBox({ dataDir: d, keyFile: file })).toThrow(/accessible to other users \(mode 644\): chmod 600/);
  });

  it('refuses a malformed key without echoing it', () => {
    const bad = 'not-a-key-but-a-secretish-string';
    let message = '';
    try {
      loadSecretBox({ dataDir: dir(), key: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/secrets\.key \(WATCHTOWER_SECRETS_KEY\) must hold a 32-byte key/);
    expect(message).not.toContain(bad);
  });

  it('is configured through WATCHTOWER_SECRETS_KEY_FILE / WATCHTOWER_SECRETS_KEY', () => {
    const d = dir();
    const file = join(d, 'k');
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    const cfg = loadConfig({ env: { HOME: d, WATCHTOWER_DATA_DIR: d, WATCHTOWER_SECRETS_KEY_FILE: file } });
    expect(cfg.secrets).toEqual({ key: '', keyFile: file });
    const sealed = loadSecretBox({ ...cfg.secrets, dataDir: cfg.dataDir }).seal('v');
    const key = readFileSync(file, 'utf8');
    const viaKey = loadConfig({ env: { HOME: d, WATCHTOWER_DATA_DIR: d, WATCHTOWER_SECRETS_KEY: key } });
    expect(loadSecretBox({ ...viaKey.secrets, dataDir: viaKey.dataDir }).open(sealed)).toBe('v');
  });
});

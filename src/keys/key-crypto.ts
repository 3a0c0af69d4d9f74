import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const VERSION = 'v1';
const SALT_BYTES = 16;
const IV_BYTES = 12;

/** The stored private key could not be decrypted: wrong KEYS_SECRET, or the row was altered. */
export class KeyDecryptionError extends Error {
  constructor() {
    super('the stored private key cannot be decrypted with the configured KEYS_SECRET');
    this.name = 'KeyDecryptionError';
  }
}

/**
 * Encrypts a private key for storage: AES-256-GCM under a key derived from the operator's
 * secret with scrypt and a fresh salt, with the key's name as associated data, so a
 * ciphertext copied onto another key's row does not decrypt.
 * Stored as `v1.<salt>.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export function encryptPrivateKey(secret: string, name: string, plaintext: string): string {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, salt), iv);
  cipher.setAAD(aad(name));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [salt, iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** The private key back; throws {@link KeyDecryptionError} on a wrong secret or altered data. */
export function decryptPrivateKey(secret: string, name: string, stored: string): string {
  const [version, ...parts] = stored.split('.');
  const [salt, iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64url'));
  if (version !== VERSION || !salt || !iv || !tag || !body || parts.length !== 4) {
    throw new KeyDecryptionError();
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, salt), iv);
    decipher.setAAD(aad(name));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyDecryptionError();
  }
}

function deriveKey(secret: string, salt: Buffer): Buffer {
  return scryptSync(secret, salt, 32);
}

function aad(name: string): Buffer {
  return Buffer.from(`starbridge ssh key ${name}`, 'utf8');
}

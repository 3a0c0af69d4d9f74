import { describe, expect, it } from 'vitest';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  KeyDecryptionError,
} from '../../../src/keys/key-crypto.js';

const SECRET = 'a-secret-of-at-least-32-characters-0123';
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

describe('private key encryption', () => {
  it('round-trips, and the stored form holds nothing of the key', () => {
    const stored = encryptPrivateKey(SECRET, 'deploy', KEY);
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain('OPENSSH');
    expect(stored).not.toContain('b3BlbnNzaC1rZXktdjE');
    expect(decryptPrivateKey(SECRET, 'deploy', stored)).toBe(KEY);
  });

  it('uses a fresh salt and nonce each time', () => {
    expect(encryptPrivateKey(SECRET, 'deploy', KEY)).not.toBe(
      encryptPrivateKey(SECRET, 'deploy', KEY),
    );
  });

  it('refuses a wrong secret, another key name and an altered ciphertext', () => {
    const stored = encryptPrivateKey(SECRET, 'deploy', KEY);
    expect(() => decryptPrivateKey(`${SECRET}x`, 'deploy', stored)).toThrow(KeyDecryptionError);
    expect(() => decryptPrivateKey(SECRET, 'other', stored)).toThrow(KeyDecryptionError);
    const parts = stored.split('.');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => decryptPrivateKey(SECRET, 'deploy', parts.join('.'))).toThrow(KeyDecryptionError);
    expect(() => decryptPrivateKey(SECRET, 'deploy', 'v1.only.three')).toThrow(KeyDecryptionError);
  });
});

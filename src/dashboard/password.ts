import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Longer passwords are refused before any hashing, so a 1 MB "password" costs nothing
 * (docs/reference/bad-inputs.md#a11). 1 KiB is far beyond any passphrase.
 */
export const MAX_PASSWORD_BYTES = 1024;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor (N=2^17, r=8, p=1): ~0.6 s and 128 MiB per hash here. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const KEY_BYTES = 32;
/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/;

export function passwordTooLong(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is below what N=2^17, r=8 needs (128 MiB).
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A hash for DASHBOARD_PASSWORD_HASH. Async: the sync variant would block the event loop. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  if (passwordTooLong(password)) {
    throw new Error(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  }
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * The parameters and salt of a stored hash, or a reason it is unusable. Bounds keep a
 * mistyped hash from asking for gigabytes of memory at every login.
 */
export function parsePasswordHash(
  encoded: string,
): { params: ScryptParams; salt: Buffer; key: Buffer } | { problem: string } {
  const match = FORMAT.exec(encoded);
  if (!match) return { problem: 'is not a hash printed by `starbridge hash-password`' };
  const [, n, r, p, salt = '', key = ''] = match;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > 2 ** 20 || params.r < 1 || params.r > 32) {
    return { problem: 'has scrypt parameters out of range (N a power of two up to 2^20, r 1-32)' };
  }
  if (params.p < 1 || params.p > 16) return { problem: 'has scrypt p out of range (1-16)' };
  return { params, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

/** How a login checks a password: the configured plain password or scrypt hash. */
export type PasswordVerifier = (candidate: string) => Promise<boolean>;

/**
 * Undefined when no password is configured (dashboard off). Throws at start when the hash
 * is unusable, so a typo is reported once instead of refusing every login.
 */
export function createPasswordVerifier(config: {
  password?: string;
  passwordHash?: string;
}): PasswordVerifier | undefined {
  if (config.passwordHash) {
    const parsed = parsePasswordHash(config.passwordHash);
    if ('problem' in parsed) throw new Error(`DASHBOARD_PASSWORD_HASH ${parsed.problem}`);
    return async (candidate) => {
      if (passwordTooLong(candidate)) return false;
      const key = await derive(candidate, parsed.salt, parsed.params);
      return timingSafeEqual(key, parsed.key);
    };
  }
  const password = config.password;
  if (!password) return undefined;
  // Fixed-length digests compare in constant time whatever the lengths
  // (docs/reference/bad-inputs.md#a02).
  const expected = createHash('sha256').update(password).digest();
  return async (candidate) => {
    if (passwordTooLong(candidate)) return false;
    return timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
  };
}

import { describe, expect, it } from 'vitest';
import {
  createPasswordVerifier,
  hashPassword,
  MAX_PASSWORD_BYTES,
  parsePasswordHash,
} from '../../../src/dashboard/password.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

describe('dashboard passwords', () => {
  it('hashes with scrypt in the documented format and verifies only the right password', async () => {
    const hash = await hashPassword('s3cret', CHEAP);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hashPassword('s3cret', CHEAP)).not.toBe(hash);
    const verify = createPasswordVerifier({ passwordHash: hash });
    expect(await verify?.('s3cret')).toBe(true);
    expect(await verify?.('s3cret ')).toBe(false);
  });

  it('uses OWASP scrypt parameters by default', async () => {
    const hash = await hashPassword('default cost');
    expect(hash.startsWith(`scrypt$${2 ** 17}$8$1$`)).toBe(true);
  });

  it('compares a plain DASHBOARD_PASSWORD by fixed-length digest', async () => {
    const verify = createPasswordVerifier({ password: 'plain' });
    expect(await verify?.('plain')).toBe(true);
    expect(await verify?.('plai')).toBe(false);
    expect(createPasswordVerifier({})).toBeUndefined();
  });

  it('refuses over-long passwords without hashing them', async () => {
    const verify = createPasswordVerifier({ password: 'x'.repeat(MAX_PASSWORD_BYTES + 1) });
    expect(await verify?.('x'.repeat(MAX_PASSWORD_BYTES + 1))).toBe(false);
    await expect(hashPassword('y'.repeat(MAX_PASSWORD_BYTES + 1), CHEAP)).rejects.toThrow(
      /longer than/,
    );
  });

  it.each([
    ['scrypt$x', /not a hash/],
    [`scrypt$1000$8$1$${'a'.repeat(22)}$${'b'.repeat(43)}`, /out of range/],
    [`scrypt$${2 ** 24}$8$1$${'a'.repeat(22)}$${'b'.repeat(43)}`, /out of range/],
    [`scrypt$1024$8$99$${'a'.repeat(22)}$${'b'.repeat(43)}`, /p out of range/],
  ])('refuses the unusable hash %s at start', (hash, problem) => {
    const parsed = parsePasswordHash(hash);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
    expect(() => createPasswordVerifier({ passwordHash: hash })).toThrow(/DASHBOARD_PASSWORD_HASH/);
  });
});

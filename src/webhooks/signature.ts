import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/**
 * Checks `X-Hub-Signature-256` against the raw body in constant time. The format is
 * checked first (exact `sha256=` + 64 lowercase hex), so malformed or huge headers are
 * refused without reaching `timingSafeEqual`, which throws on unequal lengths.
 */
export function verifyGithubSignature(
  secret: string,
  rawBody: Uint8Array,
  header: string | undefined,
): boolean {
  if (header?.length !== 71) return false;
  const match = SIGNATURE.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1] as string, 'hex'));
}

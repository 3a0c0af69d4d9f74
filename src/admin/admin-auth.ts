import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { NotConfiguredError, UnauthorizedError } from '../shared/errors.js';

/** Query parameters that would carry a token in a URL (and so into logs and history). */
const URL_TOKEN_PARAMS = ['token', 'access_token'];

/**
 * Compares two tokens in constant time (docs/reference/bad-inputs.md#a02): both sides are hashed to
 * fixed 32-byte digests first, so neither the length nor a matching prefix changes the timing, and
 * `timingSafeEqual` never throws on different lengths.
 */
export function tokensEqual(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export interface AdminAuthOptions {
  /** ADMIN_TOKEN; undefined turns the admin API off (503). */
  token: string | undefined;
  /** Paths served without a token (the OpenAPI document). */
  publicPaths: string[];
  /** The comparison; tests pass a spy around `tokensEqual`. */
  equals?: (expected: string, presented: string) => boolean;
}

/**
 * Bearer authentication for `/api/v1`: the token only in the Authorization header, never in the URL
 * (docs/reference/bad-inputs.md#a03); its own credential, so the webhook secret or a dashboard
 * session gets nothing (docs/reference/bad-inputs.md#a09). Nothing here logs the request, and no
 * answer echoes what was sent.
 */
export function adminAuth(options: AdminAuthOptions): MiddlewareHandler {
  const equals = options.equals ?? tokensEqual;
  return async (c, next) => {
    if (options.publicPaths.includes(c.req.path)) return next();
    if (!options.token) {
      throw new NotConfiguredError('set ADMIN_TOKEN to enable the admin API');
    }
    const deny = (message: string): never => {
      throw new UnauthorizedError(message, 'Bearer realm="starbridge"');
    };
    const query = c.req.queries();
    if (URL_TOKEN_PARAMS.some((name) => name in query)) {
      return deny(
        'tokens in the URL are refused (they end up in logs and browser history); send Authorization: Bearer <token>',
      );
    }
    const header = c.req.header('authorization');
    if (!header) return deny('missing bearer token: send Authorization: Bearer <ADMIN_TOKEN>');
    const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
    if (!presented || !equals(options.token, presented)) return deny('invalid bearer token');
    return next();
  };
}

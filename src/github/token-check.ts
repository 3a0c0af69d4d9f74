import { coerceError } from '../shared/errors.js';
import { type GitHubOctokit, statusOf, tokenExpiryOf } from './github-api.js';
import { userBody } from './rest-shapes.js';
import { transportFailureOf } from './transport.js';

/** What GitHub says about a token, as facts; the dashboard puts them in words. */
export type GitHubTokenCheck =
  | {
      kind: 'accepted';
      login: string;
      /** `x-oauth-scopes`; null for a fine-grained token, which does not send the header. */
      scopes: string[] | null;
      /** Whether `GET /user/starred` answered: the token may read its user's stars. */
      canReadStars: boolean;
      rateLimit: { limit: number; remaining: number | null } | null;
      /** `github-authentication-token-expiration`, when the token has an expiry. */
      expiresAt: Date | null;
    }
  /** GitHub answered the token's `GET /user` with an error status (401: wrong, expired, revoked). */
  | { kind: 'rejected'; status: number }
  /** No answer: the message says why (it names no credential). */
  | { kind: 'unreachable'; message: string };

type HeaderValues = Record<string, string | number | undefined>;

/** `GET /user` then `GET /user/starred?per_page=1`, with the octokit's token. */
export async function checkGitHubToken(octokit: GitHubOctokit): Promise<GitHubTokenCheck> {
  let user: { data: unknown; headers: HeaderValues };
  try {
    user = await octokit.request('GET /user');
  } catch (error) {
    return failed(error);
  }
  let canReadStars: boolean;
  try {
    await octokit.request('GET /user/starred', { per_page: 1 });
    canReadStars = true;
  } catch (error) {
    if (statusOf(error) === undefined || transportFailureOf(error)) return failed(error);
    canReadStars = false;
  }
  const parsed = userBody.safeParse(jsonOf(user.data));
  return {
    kind: 'accepted',
    login: parsed.success ? parsed.data.login : 'unknown',
    scopes: scopesOf(user.headers['x-oauth-scopes']),
    canReadStars,
    rateLimit: rateLimitOf(user.headers),
    expiresAt: tokenExpiryOf(user.headers['github-authentication-token-expiration']),
  };
}

function failed(error: unknown): GitHubTokenCheck {
  const failure = transportFailureOf(error);
  if (failure) {
    const cause = failure.cause === undefined ? failure : coerceError(failure.cause);
    return {
      kind: 'unreachable',
      message: failure.kind === 'redirect' ? failure.message : cause.message,
    };
  }
  const status = statusOf(error);
  if (status !== undefined) return { kind: 'rejected', status };
  return { kind: 'unreachable', message: coerceError(error).message };
}

/** An answer without a JSON content type reaches us as text. */
function jsonOf(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function scopesOf(header: string | number | undefined): string[] | null {
  if (header === undefined) return null;
  return String(header)
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
}

function rateLimitOf(headers: HeaderValues): { limit: number; remaining: number | null } | null {
  const limit = Number(headers['x-ratelimit-limit']);
  if (headers['x-ratelimit-limit'] === undefined || !Number.isFinite(limit)) return null;
  const remaining = Number(headers['x-ratelimit-remaining']);
  const known = headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining);
  return { limit, remaining: known ? remaining : null };
}

import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http-util.js';
import type { AuthForm, Caller, TokenSpec, UserSpec } from './types.js';

/**
 * The Shiro filters `authcBasic` then `authcBearer` (docs/reference/onedev.md#authentication).
 * Errors here are AuthenticationExceptions: 401 without a challenge, always the same text.
 */

export const AUTH_FAILED = 'Invalid account or incorrect credentials';

export interface AuthDirectory {
  users: Map<string, UserSpec>;
  tokens: Map<string, TokenSpec>;
  /**
   * docs/reference/onedev.md#authentication: token as user name and empty user name arrived in
   * v11.6.0.
   */
  tokenAsUserName: boolean;
}

export interface AuthOutcome {
  caller: Caller;
  form: AuthForm;
  header?: 'Authorization' | 'OneDevAuthorization';
  /** Set when the credentials were rejected; the request must end with it. */
  error?: HttpError;
}

const ANONYMOUS: Caller = { kind: 'anonymous' };

export function authenticate(headers: IncomingHttpHeaders, dir: AuthDirectory): AuthOutcome {
  // docs/reference/onedev.md#authentication: `OneDevAuthorization` is read first, `Authorization`
  // is the fallback.
  const custom = headers.onedevauthorization;
  const header = custom !== undefined ? 'OneDevAuthorization' : 'Authorization';
  const raw = custom ?? headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return { caller: ANONYMOUS, form: 'none' };
  if (value.slice(0, 6).toLowerCase() === 'basic ')
    return { ...basic(value.slice(6), dir), header };
  // docs/reference/onedev.md#authentication: the bearer prefixes are case-sensitive.
  for (const [prefix, form] of [
    ['Bearer ', 'bearer'],
    ['token ', 'token'],
  ] as const) {
    if (value.startsWith(prefix)) {
      const caller = tokenCaller(value.slice(prefix.length).trim(), dir);
      if (caller) return { caller, form, header };
      return rejected(header);
    }
  }
  // Neither filter recognises the scheme, so the request stays anonymous.
  return { caller: ANONYMOUS, form: 'none', header };
}

function basic(encoded: string, dir: AuthDirectory): Omit<AuthOutcome, 'header'> {
  const decoded = Buffer.from(encoded.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  // Rule 1 (v11.6+): the user name itself is a token.
  if (dir.tokenAsUserName && user !== '') {
    const caller = tokenCaller(user, dir);
    if (caller) return { caller, form: 'basic-token-as-user' };
  }
  // Rule 2: the password is a token and the user name is ignored (before v11.6 it had to be non-empty).
  if (password !== '' && (user !== '' || dir.tokenAsUserName)) {
    const caller = tokenCaller(password, dir);
    if (caller) return { caller, form: user === '' ? 'basic-empty-user' : 'basic-token' };
  }
  // Rule 3: an ordinary password login; failure is an AuthenticationException.
  if (user !== '' && password !== '') {
    const found = dir.users.get(user);
    if (found?.password !== undefined && found.password === password) {
      return { caller: { kind: 'user', user: found }, form: 'basic-password' };
    }
    return { caller: ANONYMOUS, form: 'rejected', error: new HttpError(401, AUTH_FAILED) };
  }
  // Rule 4: nothing usable, the request goes on as anonymous.
  return { caller: ANONYMOUS, form: 'basic-anonymous' };
}

function tokenCaller(value: string, dir: AuthDirectory): Caller | undefined {
  const token = dir.tokens.get(value);
  // docs/reference/onedev.md#token-permissions: an expired token is simply not found.
  if (!token || token.expired) return undefined;
  const user = dir.users.get(token.owner);
  if (!user) return undefined;
  return { kind: 'user', user, token };
}

function rejected(header: AuthOutcome['header']): AuthOutcome {
  return { caller: ANONYMOUS, form: 'rejected', header, error: new HttpError(401, AUTH_FAILED) };
}

export function principalOf(caller: Caller): string | undefined {
  return caller.kind === 'user' ? caller.user.name : undefined;
}

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppRegistry, answerApps } from './apps.js';
import { matchGitPath, serveGit } from './git.js';
import { answerGraphql } from './graphql.js';
import { matchLfsPath, serveLfs } from './lfs.js';
import { type Fault, type Faults, RateLimiter } from './limits.js';
import { type RestResult, routeRest } from './rest.js';
import type { GitHubState } from './state.js';

/**
 * One request handler for both faces of the double: git smart HTTP for `/<owner>/<repo>.git/...`
 * and the REST API for everything else. It authenticates, applies injected faults, and wraps REST
 * answers in what GitHub's edge adds (rate-limit headers, ETags, 304s), recording every request.
 */

export interface RecordedRequest {
  kind: 'rest' | 'graphql' | 'git' | 'lfs';
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path with the query string. */
  url: string;
  /** 0 when the connection was dropped on purpose (`faults.networkError`). */
  status: number;
  authenticated: boolean;
  login?: string;
  ifNoneMatch?: string;
  accept?: string;
  /** `X-GitHub-Api-Version` as sent; any is accepted, as GitHub accepts each supported one. */
  apiVersion?: string;
  /** Git requests: bytes of the answer's body sent so far (packs, ref advertisements). */
  bytesSent?: number;
  /** GraphQL requests: the points the query cost. */
  cost?: number;
  /** Set when an injected fault produced the answer. */
  fault?: Fault['kind'];
}

export interface HandlerDeps {
  state: GitHubState;
  rate: RateLimiter;
  /** GraphQL's own pool, counted in points rather than requests. */
  points: RateLimiter;
  faults: Faults;
  tokens: Map<string, string>;
  requests: RecordedRequest[];
  base: () => string;
  apps: AppRegistry;
  /** token → `github-authentication-token-expiration` value sent with its REST answers. */
  expirations: Map<string, string>;
}

interface Auth {
  login?: string;
  badToken: boolean;
}

/** `token X`, `Bearer X`, or Basic with the token as password (`x-access-token:X`) or user. */
export function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(token|bearer|basic)\s+(.+)$/i.exec(header.trim());
  if (!m) return header.trim();
  const [, scheme = '', value = ''] = m;
  if (scheme.toLowerCase() !== 'basic') return value.trim();
  const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return decoded;
  return decoded.slice(colon + 1) || decoded.slice(0, colon);
}

const DOCS_RATE = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

export function createHandler(deps: HandlerDeps) {
  const { state, rate, faults, tokens, requests } = deps;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const base = deps.base();
    const url = new URL(req.url ?? '/', base);
    const token = tokenOf(req.headers.authorization);
    const login = token === undefined ? undefined : tokens.get(token);
    const auth: Auth = { login, badToken: token !== undefined && login === undefined };
    const lfs = matchLfsPath(url.pathname);
    const git = lfs ? undefined : matchGitPath(url.pathname);
    const graphql = url.pathname === '/graphql' && req.method === 'POST';
    const ifNoneMatch = req.headers['if-none-match'];
    const apiVersion = headerOf(req, 'x-github-api-version');
    const rec: RecordedRequest = {
      kind: lfs ? 'lfs' : git ? 'git' : graphql ? 'graphql' : 'rest',
      method: req.method ?? 'GET',
      path: url.pathname,
      url: url.pathname + url.search,
      status: 0,
      authenticated: login !== undefined,
      ...(login ? { login } : {}),
      ...(ifNoneMatch ? { ifNoneMatch } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      ...(apiVersion ? { apiVersion } : {}),
    };
    requests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });

    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const fault = faults.take(
      rec.kind === 'lfs' ? 'git' : rec.kind === 'graphql' ? 'rest' : rec.kind,
      rec.url,
    );
    if (fault) rec.fault = fault.kind;
    if (fault?.kind === 'network') {
      req.socket.destroy();
      return;
    }
    if (lfs) {
      await serveLfs(req, res, state, lfs, auth, base);
      return;
    }
    if (git) {
      if (fault?.kind === 'server') {
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end('Internal Server Error\n');
        return;
      }
      await serveGit(req, res, state, git, auth, (bytes) => {
        rec.bytesSent = (rec.bytesSent ?? 0) + bytes;
      });
      return;
    }
    if (graphql && !fault && !auth.badToken) {
      const body = await readBody(req);
      const answer = answerGraphql({ state, points: deps.points, base, login: auth.login }, body);
      rec.cost = answer.cost;
      send(res, answer, auth, false, apiVersion);
      return;
    }
    const answer = answerRest(req, url, auth, fault, base, token);
    const expiry = token === undefined ? undefined : deps.expirations.get(token);
    if (expiry)
      answer.headers = { ...answer.headers, 'github-authentication-token-expiration': expiry };
    send(res, answer, auth, req.method === 'HEAD', apiVersion);
  };

  function answerRest(
    req: IncomingMessage,
    url: URL,
    auth: Auth,
    fault: Fault | undefined,
    base: string,
    token: string | undefined,
  ): RestResult {
    const ctx = { state, rate, base, url, headers: req.headers, login: auth.login };
    // GitHub's edge fails before any route (the App routes included) is reached.
    if (fault?.kind === 'server') {
      return json(fault.status, 'Server Error', RateLimiter.headers(rate.bucket(auth.login)));
    }
    const app = answerApps(req.method ?? 'GET', ctx, token, deps.apps, (t, login) => {
      tokens.set(t, login);
      state.user(login);
    });
    if (app) return fault?.kind === 'alter' ? { ...app, ...fault.change(app) } : app;
    // A bad token is rejected before anything else and costs the anonymous pool, like GitHub.
    if (auth.badToken) {
      rate.consume(undefined);
      return json(401, 'Bad credentials', RateLimiter.headers(rate.bucket(undefined)));
    }
    const bucket = rate.bucket(auth.login);
    const exhausted = { remaining: 0, used: bucket.limit };
    // GET /rate_limit stays answerable when exhausted: clients use it to learn the reset time.
    const exhaustedNow = bucket.remaining <= 0 && url.pathname !== '/rate_limit';
    if (fault?.kind === 'primary' || (!fault && exhaustedNow)) {
      const who = auth.login ? `user ID ${state.user(auth.login).id}` : '127.0.0.1';
      const msg = `API rate limit exceeded for ${who}.`;
      return json(fault?.status ?? 403, msg, RateLimiter.headers(bucket, exhausted));
    }
    if (fault?.kind === 'secondary') {
      const headers = RateLimiter.headers(bucket);
      if (fault.retryAfter !== null) headers['retry-after'] = String(fault.retryAfter);
      const msg =
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
      return json(fault.status, msg, headers);
    }

    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const routed = routeRest(method, {
      state,
      rate,
      base,
      url,
      headers: req.headers,
      login: auth.login,
    });
    const result = fault?.kind === 'alter' ? { ...routed, ...fault.change(routed) } : routed;
    const headers = { ...result.headers };
    if (result.status === 200 && method === 'GET') {
      // ETags are token-specific on GitHub, so the caller's identity is part of the hash.
      const etag = `W/"${createHash('sha256')
        .update(`${auth.login ?? ''}\n${headers.link ?? ''}\n${JSON.stringify(result.body)}`)
        .digest('hex')}"`;
      headers.etag = etag;
      if (etagMatches(req.headers['if-none-match'], etag)) {
        // "Making a conditional request does not count against your primary rate limit if a
        // 304 is returned" — so no consume() here.
        return { status: 304, headers: { etag, ...RateLimiter.headers(bucket) } };
      }
    }
    if (!result.free) rate.consume(auth.login);
    return { ...result, headers: { ...headers, ...RateLimiter.headers(bucket) } };
  }
}

function json(status: number, message: string, headers: Record<string, string>): RestResult {
  const documentation_url = message.includes('rate limit')
    ? DOCS_RATE
    : 'https://docs.github.com/rest';
  return { status, headers, body: { message, documentation_url, status: String(status) } };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** GitHub answers with the version asked for, or its default when none was. */
const DEFAULT_API_VERSION = '2022-11-28';

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(
  res: ServerResponse,
  r: RestResult,
  auth: Auth,
  head: boolean,
  apiVersion: string | undefined,
): void {
  const hasBody = r.body !== undefined && r.status !== 304 && r.status !== 204;
  const body = hasBody ? JSON.stringify(r.body) : '';
  res.writeHead(r.status, {
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-github-api-version-selected': apiVersion ?? DEFAULT_API_VERSION,
    'cache-control': `${auth.login ? 'private' : 'public'}, max-age=60, s-maxage=60`,
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    ...(hasBody ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...(hasBody ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...r.headers,
  });
  res.end(head ? undefined : body);
}

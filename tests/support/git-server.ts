import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { runGitHttpBackend } from './git-http-backend.js';

/** Credentials the server demands; either kind is accepted when both are set. */
export interface GitServerAuth {
  basic?: { username: string; password: string };
  /** Accepted as `Authorization: Bearer <token>` (git: `-c http.extraHeader=...`). */
  bearer?: string;
}

export interface GitServerOptions {
  /** Folder of bare repositories; `root/a/b.git` is served at `/a/b.git`. */
  root: string;
  /** Without it every request is allowed, pushes included. */
  auth?: GitServerAuth;
  /** Answers are sent no faster than this (a server on the far side of a slower link). */
  bytesPerSecond?: number;
}

/** One request the server saw, in arrival order. */
export interface GitRequestLogEntry {
  method: string;
  /** URL path without the query string, e.g. `/octocat/hello.git/info/refs`. */
  path: string;
  /** `git-upload-pack` (fetch) or `git-receive-pack` (push) when the request is smart HTTP. */
  service?: 'git-upload-pack' | 'git-receive-pack';
  /** False when the request was turned away with 401. */
  authorized: boolean;
  /** Bytes of the answer's body sent so far (packs, ref advertisements). */
  bytesSent: number;
}

export interface GitServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Every request so far; tests may clear it with `requests.length = 0`. */
  requests: GitRequestLogEntry[];
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

/**
 * Starts a smart-HTTP git server on 127.0.0.1 (random port) backed by the real
 * `git http-backend`, serving fetch and push for every bare repository under `root`.
 */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const root = resolve(options.root);
  const requests: GitRequestLogEntry[] = [];
  const server = createServer((req, res) => {
    handle(req, res, root, options, requests).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  options: GitServerOptions,
  requests: GitRequestLogEntry[],
): Promise<void> {
  const target = req.url ?? '/';
  const rawPath = target.split('?')[0] ?? '/';
  const user = authenticate(req, options.auth);
  const entry: GitRequestLogEntry = {
    method: req.method ?? 'GET',
    path: rawPath,
    service: serviceOf(target),
    authorized: user !== undefined,
    bytesSent: 0,
  };
  requests.push(entry);
  if (user === undefined) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
    res.end('authentication required\n');
    return;
  }
  const pathInfo = safePathInfo(rawPath);
  if (pathInfo === undefined) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('bad repository path\n');
    return;
  }
  await runGitHttpBackend(req, res, {
    projectRoot: root,
    pathInfo,
    remoteUser: user,
    ...(options.bytesPerSecond ? { bytesPerSecond: options.bytesPerSecond } : {}),
    onBodyBytes: (bytes) => {
      entry.bytesSent += bytes;
    },
  });
}

function serviceOf(target: string): GitRequestLogEntry['service'] {
  const match = /git-(upload|receive)-pack/.exec(target);
  return match ? (`git-${match[1]}-pack` as GitRequestLogEntry['service']) : undefined;
}

/**
 * The user name to hand git as REMOTE_USER, or undefined when the request must be
 * refused. git only allows receive-pack for a named user, so anonymous access on an
 * open server still gets one.
 */
function authenticate(req: IncomingMessage, auth: GitServerAuth | undefined): string | undefined {
  if (!auth || (!auth.basic && auth.bearer === undefined)) return 'anonymous';
  const header = req.headers.authorization ?? '';
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && auth.bearer !== undefined && sameText(value, auth.bearer)) {
    return 'token';
  }
  if (scheme === 'basic' && auth.basic) return checkBasic(value, auth.basic);
  return undefined;
}

function checkBasic(
  encoded: string,
  expected: { username: string; password: string },
): string | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const userOk = sameText(decoded.slice(0, colon), expected.username);
  const passwordOk = sameText(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk ? expected.username : undefined;
}

/** Constant-time comparison, so the harness does not model a timing leak. */
function sameText(actual: string, expected: string): boolean {
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decodes the URL path into the PATH_INFO git sees, or undefined when any segment could
 * climb out of the root. Checked on the raw request target: WHATWG URL parsing would
 * silently collapse `/../`, and `%2e%2e` only shows up after decoding.
 */
function safePathInfo(rawPath: string): string | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments.length > 0 ? `/${segments.join('/')}` : undefined;
}

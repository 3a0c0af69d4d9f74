import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What one smart-HTTP request hands to `git http-backend`. */
export interface GitCgiRequest {
  /** Folder holding the bare repositories (GIT_PROJECT_ROOT). */
  projectRoot: string;
  /** Path inside the project root, starting with `/`, e.g. `/octocat/hello.git/info/refs`. */
  pathInfo: string;
  /** Set when the caller authenticated; git only allows receive-pack for a named user. */
  remoteUser?: string;
  /** Extra environment for the backend and the hooks it runs. */
  env?: Record<string, string>;
  /** Told of each chunk of the answer's body as it is sent (to count what a fetch cost). */
  onBodyBytes?: (bytes: number) => void;
  /** Sends answers no faster than this, as a remote server behind a slower link would. */
  bytesPerSecond?: number;
}

/**
 * Serves one request through `git http-backend` (CGI), streaming the body both ways.
 * This is the real git server code, so clients exercise real pack negotiation.
 */
export function runGitHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  cgi: GitCgiRequest,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_PROJECT_ROOT: cgi.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    PATH_INFO: cgi.pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding']
      ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }
      : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    ...(cgi.remoteUser ? { REMOTE_USER: cgi.remoteUser } : {}),
    ...cgi.env,
  };
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {});
    let head = Buffer.alloc(0);
    let headersDone = false;
    // Without this a slow client makes node buffer the whole pack in memory.
    const forward = (chunk: Buffer): void => {
      cgi.onBodyBytes?.(chunk.length);
      const flushed = res.write(chunk);
      const delayMs = cgi.bytesPerSecond ? (chunk.length / cgi.bytesPerSecond) * 1000 : 0;
      if (flushed && delayMs === 0) return;
      child.stdout.pause();
      const waits: Promise<unknown>[] = [];
      if (!flushed) waits.push(new Promise((r) => res.once('drain', r)));
      if (delayMs > 0) waits.push(new Promise((r) => setTimeout(r, delayMs)));
      void Promise.all(waits).then(() => child.stdout.resume());
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        forward(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const split = findHeaderEnd(head);
      if (split === undefined) return;
      headersDone = true;
      writeCgiHeaders(res, head.subarray(0, split.at).toString('latin1'));
      forward(head.subarray(split.at + split.length));
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // An unhandled spawn error (git missing from PATH) would crash the whole test process;
    // 'close' still follows and turns it into a 500.
    child.on('error', (error) => {
      stderr += String(error);
    });
    child.on('close', (code) => {
      if (!headersDone && !res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.write(`git http-backend failed (${code}): ${stderr}`);
      }
      res.end();
      resolve();
    });
    res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      // A paused stdout would never end, so 'close' (and this promise) would never come.
      child.stdout.resume();
    });
  });
}

function findHeaderEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

function writeCgiHeaders(res: ServerResponse, block: string): void {
  let status = 200;
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else res.setHeader(name, value);
  }
  res.statusCode = status;
}

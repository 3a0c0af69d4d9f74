import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate } from './auth.js';
import { type FrontFault, NGINX_502, SSO_LOGIN_PAGE } from './faults.js';
import { handleGit, parseGitRequest } from './git-route.js';
import { HttpError, sendError, sendText } from './http-util.js';
import { handleLfs, isLfsRequest } from './lfs-route.js';
import { handleRest } from './rest-router.js';
import type { DoubleState } from './state.js';
import type { RequestKind, RequestRecord } from './types.js';

/**
 * Top-level request handling: record the request, apply front faults, run the Shiro filters
 * (docs/reference/onedev.md#authentication), then hand over to the git filter or the REST servlet.
 */

function applyFrontFault(
  fault: FrontFault,
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
): void {
  record.fault = fault.kind;
  switch (fault.kind) {
    case 'serviceUnavailable':
      // ServerNotReadyException → 503 with its message (docs/reference/onedev.md#error-statuses).
      sendText(res, 503, 'Server not ready', retryAfterHeader(fault.retryAfter));
      return;
    case 'status':
      sendText(res, fault.status, fault.body, retryAfterHeader(fault.retryAfter));
      return;
    case 'redirect':
      res.writeHead(fault.status, { Location: fault.location, 'Content-Type': 'text/html' });
      res.end(`<html><body>Moved to <a href="${fault.location}">here</a></body></html>`);
      return;
    case 'serverError':
      // JerseyExceptionMapper: anything unexpected → 500 with the reason phrase.
      sendText(res, 500, 'Server Error');
      return;
    case 'badGateway':
      res.writeHead(502, { 'Content-Type': 'text/html', Server: 'nginx' });
      res.end(NGINX_502);
      return;
    case 'loginPage':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(SSO_LOGIN_PAGE);
      return;
    case 'drop':
      record.status = 0;
      req.socket.destroy();
      return;
    case 'hang':
      // Never answer; close() of the double tears the socket down.
      return;
    case 'latency':
      return;
  }
}

/**
 * Anything outside `/~api` and the git endpoints belongs to the Wicket web UI
 * (docs/reference/onedev.md#rest-conventions, #authentication), which has no REST resources: an old
 * `/api/...` or `/rest/...` prefix, or a base URL with an extra path, ends on its HTML "page not
 * found" page, never on a text/plain REST error.
 */
function sendWebPageNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/html;charset=utf-8' });
  res.end(WEB_PAGE_NOT_FOUND);
}

const WEB_PAGE_NOT_FOUND =
  '<!DOCTYPE html>\n<html><head><title>Page Not Found | OneDev</title></head>\n' +
  '<body><div class="error-page"><h1>404</h1><p>Page Not Found</p></div></body></html>\n';

function retryAfterHeader(value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'Retry-After': value };
}

function kindOf(path: string, isGit: boolean, isLfs: boolean): RequestKind {
  if (isLfs) return 'lfs';
  if (isGit) return 'git';
  return path === '/~api' || path.startsWith('/~api/') ? 'rest' : 'other';
}

export function createRequestHandler(state: DoubleState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://double');
    // GitLfsFilter runs before the git filter (docs/reference/onedev.md#lfs).
    const lfs = isLfsRequest(req, url);
    const git = lfs ? undefined : parseGitRequest(req);
    const method = req.method ?? 'GET';
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query: url.search,
      kind: kindOf(url.pathname, git !== undefined, lfs),
      auth: 'none',
    };
    state.requests.push(record);
    res.on('finish', () => {
      if (record.status === undefined) record.status = res.statusCode;
    });

    const { delayMs, terminal } = state.faults.takeFront({
      method,
      path: url.pathname,
      query: url.search,
      kind: record.kind,
    });
    if (delayMs > 0) await sleep(delayMs);
    if (terminal) {
      applyFrontFault(terminal, req, res, record);
      return;
    }

    const auth = authenticate(req.headers, state);
    record.auth = auth.form;
    if (auth.header) record.authHeader = auth.header;
    if (auth.caller.kind === 'user') record.principal = auth.caller.user.name;
    try {
      if (auth.error) throw auth.error;
      if (lfs) await handleLfs(state, req, res, auth.caller, url);
      else if (git) await handleGit(state, req, res, auth.caller, git);
      else if (record.kind === 'rest') await handleRest(state, req, res, auth.caller, record);
      else sendWebPageNotFound(res);
    } catch (error) {
      if (res.headersSent || req.socket.destroyed) {
        record.error = String(error);
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, error);
      else {
        // JerseyExceptionMapper: anything unexpected is a 500 with Jetty's reason phrase.
        record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
        sendText(res, 500, 'Server Error');
      }
    }
  };
}

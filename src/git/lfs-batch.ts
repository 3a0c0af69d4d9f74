import { redactCredentialPatterns } from '../shared/redact.js';
import { UpstreamError } from '../shared/upstream-error.js';
import type { GitRemote } from './git.port.js';
import { checkAuthorization, checkRemoteUrl, describeUrl } from './git-remote.js';
import type { LfsServerHolding } from './lfs.port.js';

/**
 * The LFS batch API, asked directly which objects a server holds (docs/reference/onedev.md#lfs):
 * a `download` request answers each object with a download action when the server has it and a
 * per-object error when not. OneDev offers no verify action, so this is how a push is verified.
 */

export const LFS_MEDIA_TYPE = 'application/vnd.git-lfs+json';
/** Objects per request: git-lfs sends 100; the servers accept more, the answers stay small. */
const CHUNK = 500;
const TIMEOUT_MS = 60_000;

export interface LfsBatchOptions {
  allowHttp: boolean;
  fetch?: typeof fetch;
}

/** git-lfs's rule: `<url>/info/lfs` when the URL ends in `.git`, else `<url>.git/info/lfs`. */
export function lfsEndpoint(gitUrl: string): string {
  const base = gitUrl.replace(/\/+$/, '');
  return base.endsWith('.git') ? `${base}/info/lfs` : `${base}.git/info/lfs`;
}

export async function queryHolding(
  remote: GitRemote,
  objects: ReadonlyArray<{ oid: string; size: number }>,
  options: LfsBatchOptions,
  signal?: AbortSignal,
): Promise<LfsServerHolding> {
  checkAuthorization(remote.authorization);
  const url = `${lfsEndpoint(checkRemoteUrl(remote.url, options.allowHttp))}/objects/batch`;
  const result: LfsServerHolding = { held: [], missing: [] };
  for (let i = 0; i < objects.length; i += CHUNK) {
    const chunk = objects.slice(i, i + CHUNK).map(({ oid, size }) => ({ oid, size }));
    const answer = await post(url, remote, chunk, options, signal);
    for (const entry of answer) {
      if (entry.actions?.download) result.held.push(entry.oid);
      else {
        const { code, message } = entry.error ?? {};
        result.missing.push({
          oid: entry.oid,
          message: typeof message === 'string' ? message.slice(0, 200) : 'no download offered',
          ...(typeof code === 'number' ? { code } : {}),
        });
      }
    }
  }
  return result;
}

interface BatchEntry {
  oid: string;
  actions?: { download?: unknown };
  error?: { code?: number; message?: string };
}

async function post(
  url: string,
  remote: GitRemote,
  objects: Array<{ oid: string; size: number }>,
  options: LfsBatchOptions,
  signal: AbortSignal | undefined,
): Promise<BatchEntry[]> {
  const where = describeUrl(url);
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: {
        accept: LFS_MEDIA_TYPE,
        'content-type': LFS_MEDIA_TYPE,
        ...(remote.authorization ? { authorization: remote.authorization } : {}),
      },
      body: JSON.stringify({ operation: 'download', transfers: ['basic'], objects }),
    });
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${TIMEOUT_MS / 1000}s` : String(error);
    throw new UpstreamError('lfs_network', `LFS batch request to ${where} failed: ${why}`, {
      retryable: true,
      cause: error,
    });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw statusError(response.status, where, serverMessage(text));
  const body = parse(text);
  if (!body) {
    throw new UpstreamError(
      'lfs_bad_response',
      `LFS batch answer from ${where} is not a batch response (${response.headers.get('content-type') ?? 'no content type'}): is the URL an LFS server?`,
      { retryable: false },
    );
  }
  return body;
}

function parse(text: string): BatchEntry[] | undefined {
  try {
    const body = JSON.parse(text) as { objects?: unknown };
    if (!Array.isArray(body.objects)) return undefined;
    return body.objects.filter(
      (o): o is BatchEntry => typeof o === 'object' && o !== null && typeof o.oid === 'string',
    );
  } catch {
    return undefined;
  }
}

/** What the server said, short and scrubbed of anything shaped like a credential. */
function serverMessage(text: string): string {
  let said = text.trim();
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') said = message;
  } catch {
    // not JSON: use the text itself
  }
  return redactCredentialPatterns(said.slice(0, 200));
}

function statusError(status: number, where: string, said: string): UpstreamError {
  const detail = `LFS batch request to ${where} answered ${status}${said ? ` (${said})` : ''}`;
  if (status === 401 || status === 403) {
    return new UpstreamError(
      'lfs_auth',
      `${detail}: the token may not read this repository's LFS objects`,
      { retryable: false, status: 502 },
    );
  }
  if (status === 404) {
    return new UpstreamError('lfs_not_found', `${detail}: no such repository or no LFS there`, {
      retryable: false,
    });
  }
  const passing = status >= 500 || status === 429 || status === 408;
  return new UpstreamError(passing ? 'lfs_network' : 'lfs_bad_response', detail, {
    retryable: passing,
  });
}

import type { GitFailureKind } from './git.port.js';

/** What was being done, for the message: `fetch`, and the remote's host and URL if any. */
export interface GitFailureContext {
  op: string;
  host?: string;
  url?: string;
  timeoutMs: number;
  lowSpeedLimitBytes: number;
  lowSpeedTimeSeconds: number;
}

export interface Verdict {
  kind: GitFailureKind;
  retryable: boolean;
  message: string;
}

type Rule = {
  test: RegExp;
  verdict: (output: string, ctx: GitFailureContext) => Omit<Verdict, 'message'> & { what: string };
};

const where = (ctx: GitFailureContext): string => ctx.host ?? 'the remote';
const httpStatus = (output: string): string | undefined =>
  /returned error: (\d{3})/.exec(output)?.[1] ?? /\bHTTP (\d{3})\b/.exec(output)?.[1];

/**
 * First match wins, so the specific come before the generic: `RPC failed; HTTP 401` is
 * an auth failure, not a network one, and an fsck failure ends in `index-pack failed`.
 */
const RULES: Rule[] = [
  {
    test: /No space left on device|ENOSPC|Disk quota exceeded/i,
    verdict: () => ({
      kind: 'disk_full',
      retryable: false,
      what: 'no space left on device; free disk space before retrying',
    }),
  },
  {
    // ssh refuses a host whose key is not in the list it was given
    // (docs/reference/github.md#ssh-host-keys): never accepted on first use, never retried.
    test: /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known for|Host key for \S+ has changed/i,
    verdict: (_o, ctx) => ({
      kind: 'host_key',
      retryable: false,
      what: `the SSH host key of ${where(ctx)} is not one of the accepted host keys, so the connection was refused (it may be intercepted). Check GITHUB_SSH_HOST and GITHUB_SSH_PORT; if GitHub has published new host keys, put them in the file GITHUB_SSH_KNOWN_HOSTS_FILE names`,
    }),
  },
  {
    test: /ssh: not found|cannot run ssh|ssh: command not found/i,
    verdict: () => ({
      kind: 'unknown',
      retryable: false,
      what: 'ssh is not installed, so a mirror set to a deploy key cannot be fetched: install openssh-client',
    }),
  },
  {
    test: /Permission denied \(publickey/i,
    verdict: (_o, ctx) => ({
      kind: 'auth',
      retryable: false,
      what: `${where(ctx)} refused the mirror's SSH key (Permission denied (publickey)). Check that the key's public key is added as a deploy key of this repository on GitHub (Settings → Deploy keys), with the fingerprint Starbridge shows, and that the mirror is set to that key`,
    }),
  },
  {
    test: /fsck error|error: object [0-9a-f]{4,}: \w+:|error in (?:commit|tag|tree)|object file .* is empty|is corrupt|loose object .* is corrupt|packfile .* cannot be accessed/i,
    verdict: (output) => ({ kind: 'corrupt', retryable: false, what: fsckMessage(output) }),
  },
  {
    test: /SSL certificate problem|server certificate verification failed|certificate verify failed|unable to get local issuer certificate|certificate has expired|no alternative certificate subject name/i,
    verdict: (_o, ctx) => ({
      kind: 'tls',
      retryable: false,
      what: `TLS certificate verification of ${where(ctx)} failed`,
    }),
  },
  {
    // Git asks for a user name only after an HTTP 401, so a failed prompt means 401.
    test: /Authentication failed|could not read (?:Username|Password)|terminal prompts disabled|returned error: 40[13]\b|HTTP 40[13]\b|Invalid username or password|Access denied/i,
    verdict: (output, ctx) => {
      const status = httpStatus(output);
      return {
        kind: 'auth',
        retryable: false,
        what: `authentication to ${where(ctx)} failed (HTTP ${status ?? '401'}: credentials missing or refused)`,
      };
    },
  },
  {
    test: /Repository not found|repository '.*' not found|returned error: 404\b|HTTP 404\b|does not appear to be a git repository|404 Not Found/i,
    verdict: (_o, ctx) => ({
      kind: 'not_found',
      retryable: false,
      what: `repository not found on ${where(ctx)} (or not visible with these credentials)`,
    }),
  },
  {
    test: /returned error: 413\b|HTTP 413\b|exceeds maximum allowed size|exceeds .*file size limit|pack exceeds|too large/i,
    verdict: (_o, ctx) => ({
      kind: 'too_large',
      retryable: false,
      what: `${where(ctx)} refused the transfer as too large`,
    }),
  },
  {
    test: /pre-receive hook declined|\[remote rejected\]|protected branch|\[rejected\]|atomic push fail|deny updating a hidden ref|failed to push some refs/i,
    verdict: (output, ctx) => ({
      kind: 'rejected',
      retryable: false,
      what: `${where(ctx)} rejected the push (${rejectionReason(output)}); no ref was changed. If a branch or tag protection rule caused it, exempt the mirror projects from it`,
    }),
  },
  {
    test: /Operation timed out|Operation too slow|Connection timed out|timed out after/i,
    verdict: (_o, ctx) => ({
      kind: 'timeout',
      retryable: true,
      what: `transfer with ${where(ctx)} stalled (slower than ${ctx.lowSpeedLimitBytes} bytes/s for ${ctx.lowSpeedTimeSeconds}s or timed out)`,
    }),
  },
  {
    test: /returned error: (?:5\d\d|429)\b|HTTP (?:5\d\d|429)\b|Could not resolve host|Could(?:n't| not) connect|Failed to connect|Connection refused|connection reset|Recv failure|Send failure|early EOF|RPC failed|remote end hung up|transfer closed|Empty reply from server|unexpected disconnect|Network is unreachable|No route to host|HTTP\/2 stream|gnutls_handshake|SSL_ERROR_SYSCALL|SSL_read|SSL_write|Temporary failure in name resolution/i,
    verdict: (output, ctx) => ({
      kind: 'network',
      retryable: true,
      what: `network error talking to ${where(ctx)} (${networkCause(output)}); retry later`,
    }),
  },
];

/** The first rule whose pattern is in git's output, or undefined. */
export function matchRule(output: string, ctx: GitFailureContext): Verdict | undefined {
  for (const rule of RULES) {
    if (rule.test.test(output)) {
      const { what, ...rest } = rule.verdict(output, ctx);
      return { ...rest, message: what };
    }
  }
  return undefined;
}

/**
 * Names the failed fsck check and the per-repository escape hatch
 * (docs/reference/bad-inputs.md#g19).
 */
function fsckMessage(output: string): string {
  const match = /object ([0-9a-f]{4,}): (\w+): ([^\n]*)/.exec(output);
  if (!match) {
    return `the repository is corrupt (${lastLines(output, 1)}); delete the cache and fetch again`;
  }
  const [, sha, msgId, detail] = match;
  // Unsafe submodule settings are how hostile repositories attack clients that clone them
  // (docs/reference/bad-inputs.md#g11): refused for good, with no escape hatch offered.
  if (msgId?.startsWith('gitmodules')) {
    return `repository refused by the security check ${msgId} (object ${sha}: ${detail}): its .gitmodules could make a client cloning it with submodules run a command or write outside its directory, so it is not mirrored`;
  }
  return `repository fails fsck check ${msgId} (object ${sha}: ${detail}); if this history is known to be good, allow it for this repository by setting fetch.fsck.${msgId}=ignore in its cache's git config`;
}

function rejectionReason(output: string): string {
  const porcelain = /^!\t[^\t]*\t(.*)$/m.exec(output)?.[1];
  const remote = remoteMessage(output);
  const reason = porcelain ?? /\[(?:remote )?rejected\][^\n]*/.exec(output)?.[0] ?? 'rejected';
  return remote ? `${reason.trim()}; remote said: ${remote}` : reason.trim();
}

/**
 * What the server said, without the decoration: OneDev frames its messages in rows of `*`
 * and leads with `ERROR PUSHING REF: <ref>`, so those are skipped or kept as context.
 */
function remoteMessage(output: string): string | undefined {
  const lines = [...output.matchAll(/^remote: ?(.*?)\s*$/gm)].map((m) => m[1] ?? '');
  const meaningful = lines
    .filter((line) => line !== '' && !/^\*+$/.test(line))
    .map((line) => line.replace(/^\*+\s*|\s*\*+$/g, ''));
  const text = meaningful.filter(Boolean).slice(0, 3).join(' ');
  return text || undefined;
}

function networkCause(output: string): string {
  const status = /returned error: (\d{3})|HTTP (\d{3})/.exec(output);
  if (status) return `HTTP ${status[1] ?? status[2]}`;
  const known =
    /Could not resolve host|Connection refused|Couldn't connect to server|Failed to connect|connection reset|early EOF|remote end hung up|transfer closed|Empty reply from server|No route to host|Network is unreachable/i.exec(
      output,
    );
  return known ? known[0].toLowerCase() : 'connection failed';
}

/** The last `count` non-blank lines of `text`. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

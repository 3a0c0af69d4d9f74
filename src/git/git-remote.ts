import { Redactor, redactCredentialPatterns } from '../shared/redact.js';
import type { GitRemote, TextRedactor } from './git.port.js';
import { GitCommandError } from './git-errors.js';

/**
 * Checks a remote URL before git sees it (docs/reference/bad-inputs.md#git-invocation-rules): only
 * `https://` (plus `http://` when allowed), never a local path, `file://`, `ext::` or anything that
 * could be read as an option, and never credentials in the URL itself. Returns the URL unchanged.
 */
export function checkRemoteUrl(url: string, allowHttp: boolean): string {
  const refuse = (why: string): never => {
    throw new GitCommandError('unknown', `refusing git remote ${describeUrl(url)}: ${why}`, {
      retryable: false,
    });
  };
  const schemeOk = url.startsWith('https://') || (allowHttp && url.startsWith('http://'));
  if (!schemeOk)
    refuse(allowHttp ? 'only https:// and http:// are allowed' : 'only https:// is allowed');
  // Control characters and spaces never belong in a URL Starbridge builds.
  if (hasControlOrSpace(url)) refuse('it contains whitespace or control characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('it is not a valid URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    refuse('credentials belong in the authorization, not in the URL');
  }
  if (parsed.hostname === '' || parsed.hostname.startsWith('-')) refuse('bad host name');
  return url;
}

/**
 * Checks an SSH remote in git's scp-like form, `user@host:owner/name.git`, the only form
 * Starbridge builds: a plain user and host (neither may start with `-`, so ssh never reads
 * one as an option) and a relative `owner/name.git` path. Returns the URL unchanged.
 */
export function checkSshUrl(url: string): string {
  const match = SCP_LIKE.exec(url);
  if (!match) {
    throw new GitCommandError(
      'unknown',
      `refusing SSH remote ${JSON.stringify(url.slice(0, 200))}: only user@host:owner/name.git is allowed`,
      { retryable: false },
    );
  }
  return url;
}

const SCP_LIKE =
  /^([a-z_][a-z0-9_.-]{0,31})@([A-Za-z0-9][A-Za-z0-9.-]{0,252}):([A-Za-z0-9][\w.-]{0,99})\/([\w.-]{1,100})\.git$/;

function hasControlOrSpace(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || /\s/.test(char)) return true;
  }
  return false;
}

/** Refuses an Authorization value that could smuggle another header. */
export function checkAuthorization(authorization: string | undefined): void {
  if (authorization !== undefined && /[\r\n\0]/.test(authorization)) {
    throw new GitCommandError('auth', 'refusing an authorization value with line breaks', {
      retryable: false,
    });
  }
}

/** The URL for messages: credentials and query removed whatever happens. */
export function describeUrl(url: string): string {
  if (SCP_LIKE.test(url)) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return redactCredentialPatterns(url.slice(0, 200));
  }
}

/** The host for messages, e.g. `github.com`. */
export function describeHost(url: string): string {
  const scp = SCP_LIKE.exec(url);
  if (scp?.[2]) return scp[2];
  try {
    return new URL(url).host;
  } catch {
    return 'the remote';
  }
}

/**
 * A redactor for one call: the configured secrets plus the remote's own credential in
 * every form git could echo (the header value, the token after the scheme, and a basic
 * credential's decoded password).
 */
export function redactorFor(
  remote: GitRemote | undefined,
  base: TextRedactor | undefined,
): TextRedactor {
  const local = new Redactor([
    ...credentialForms(remote?.authorization),
    ...privateKeyForms(remote?.ssh?.privateKey),
  ]);
  return { redact: (text: string) => local.redact(base ? base.redact(text) : text) };
}

/** The key and each of its base64 lines, should any of it ever be echoed. */
function privateKeyForms(privateKey: string | undefined): string[] {
  if (!privateKey) return [];
  const lines = privateKey.split('\n').filter((line) => /^[A-Za-z0-9+/=]{16,}$/.test(line));
  return [privateKey.trim(), ...lines];
}

function credentialForms(authorization: string | undefined): string[] {
  if (!authorization) return [];
  const forms = [authorization];
  const space = authorization.indexOf(' ');
  const credential = space >= 0 ? authorization.slice(space + 1).trim() : authorization;
  forms.push(credential);
  if (/^basic\s/i.test(authorization)) {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) forms.push(decoded.slice(colon + 1), decoded);
  }
  return forms;
}

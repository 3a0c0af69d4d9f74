import { UpstreamError } from '../shared/upstream-error.js';

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** OneDev answers errors as text/plain; proxies in front of it answer HTML. Either way, a short clean excerpt. */
export function bodyExcerpt(contentType: string, text: string): string {
  if (looksLikeHtml(contentType, text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `non-JSON HTML page${title ? ` "${title.slice(0, 80)}"` : ''} (content-type ${contentType || 'none'})`;
  }
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean || '(empty body)';
}

/**
 * Maps a OneDev HTTP answer to an error that says what went wrong and what to do
 * (docs/reference/bad-inputs.md#o-onedevs-answers).
 */
export function onedevHttpError(
  status: number,
  contentType: string,
  text: string,
  what: string,
  retryAfter: string | null,
): UpstreamError {
  const excerpt = bodyExcerpt(contentType, text);
  const retryAfterMs = parseRetryAfter(retryAfter);
  if (status === 401) {
    return new UpstreamError(
      'onedev_auth',
      `OneDev rejected the access token while ${what} (401 ${excerpt}); check ONEDEV_TOKEN`,
      {
        retryable: false,
        status: 502,
      },
    );
  }
  if (status === 403) {
    return new UpstreamError(
      'onedev_forbidden',
      `OneDev refused ${what} (403 ${excerpt}); the token needs owner permissions and its user the right to create projects there`,
      { retryable: false },
    );
  }
  if (status >= 300 && status < 400) {
    return new UpstreamError(
      'onedev_redirect',
      `OneDev redirected ${what} (HTTP ${status}); ONEDEV_URL is probably misconfigured (http instead of https, or a login page)`,
      { retryable: false },
    );
  }
  if (status === 429 || status === 503 || status >= 500 || status === 408) {
    return new UpstreamError(
      'onedev_unavailable',
      `OneDev failed while ${what} (HTTP ${status}: ${excerpt}); will retry`,
      {
        retryable: true,
        retryAfterMs,
      },
    );
  }
  // OneDev's REST answers are text/plain; a web page means the URL led to something else.
  const hint =
    status === 404 && looksLikeHtml(contentType, text)
      ? "; ONEDEV_URL probably is not OneDev's root address (its REST API lives at <ONEDEV_URL>/~api)"
      : '';
  return new UpstreamError(
    'onedev_rejected',
    `OneDev rejected ${what} (HTTP ${status}: ${excerpt})${hint}`,
    { retryable: false },
  );
}

/**
 * A success status with a body that is not what OneDev sends (docs/reference/bad-inputs.md#o07):
 * typically an HTML login page from a proxy or single sign-on in front of OneDev, which answers 200
 * to anything.
 */
export function onedevNotJsonError(
  status: number,
  contentType: string,
  text: string,
  what: string,
): UpstreamError {
  return new UpstreamError(
    'onedev_not_json',
    `Unexpected non-JSON response from OneDev while ${what} (HTTP ${status}: ${bodyExcerpt(contentType, text)}); ` +
      'probably a proxy or single-sign-on login page in front of OneDev: check that ONEDEV_URL is the address of OneDev itself and that /~api is reachable without a browser login',
    { retryable: false },
  );
}

/** A body that looks like a web page rather than a REST answer. */
export function looksLikeHtml(contentType: string, text: string): boolean {
  return /html/i.test(contentType) || /^\s*</.test(text);
}

export function onedevNetworkError(error: unknown, what: string, timedOut: boolean): UpstreamError {
  if (timedOut) {
    return new UpstreamError(
      'onedev_timeout',
      `OneDev did not answer in time while ${what}; will retry`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  const code = networkCode(error);
  if (code && TLS_CODES.has(code)) {
    return new UpstreamError(
      'onedev_tls',
      `OneDev's TLS certificate was not accepted (${code}) while ${what}; install the CA (NODE_EXTRA_CA_CERTS) or fix the certificate`,
      { retryable: false, cause: error },
    );
  }
  return new UpstreamError(
    'onedev_network',
    `cannot reach OneDev while ${what} (${code ?? 'network error'}); will retry`,
    {
      retryable: true,
      cause: error,
    },
  );
}

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error as { code?: string })?.code;
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

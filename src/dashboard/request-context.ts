import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** How the dashboard learns what the browser sees: its public URL, or the request itself. */
export interface WebSettings {
  /** PUBLIC_URL: the address operators open; wins over anything a request says. */
  publicUrl?: string;
  /** TRUST_PROXY: believe X-Forwarded-Proto/-Host/-For (only behind a proxy that sets them). */
  trustProxy?: boolean;
}

/** The origin a browser on our pages sends in `Origin`. */
export function expectedOrigin(c: Context, settings: WebSettings): string {
  if (settings.publicUrl) return new URL(settings.publicUrl).origin;
  const url = new URL(c.req.url);
  if (settings.trustProxy) {
    const proto = firstValue(c.req.header('x-forwarded-proto')) ?? url.protocol.slice(0, -1);
    const host = firstValue(c.req.header('x-forwarded-host')) ?? url.host;
    return `${proto}://${host}`;
  }
  return url.origin;
}

/** Whether the browser reached us over https: decides `Secure` and the `__Host-` prefix. */
export function servedOverHttps(c: Context, settings: WebSettings): boolean {
  return expectedOrigin(c, settings).startsWith('https:');
}

/** The address the login limiter counts by; a header only when a trusted proxy sets it. */
export function clientAddress(c: Context, settings: WebSettings): string {
  if (settings.trustProxy) {
    // The proxy appends the address it saw; earlier entries are the client's own claims.
    const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}

function firstValue(header: string | undefined): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value ? value : undefined;
}

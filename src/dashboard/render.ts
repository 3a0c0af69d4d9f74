import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A full HTML document from a page component; hono/jsx escapes every interpolated value. */
export async function renderDocument(page: JSX.Element): Promise<string> {
  return `<!doctype html>${await page.toString()}`;
}

export async function render(
  c: Context,
  page: JSX.Element,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  return c.html(await renderDocument(page), status);
}

/** Whether htmx (a live region's poll) made the request, rather than a navigation. */
export function isHtmx(c: Context): boolean {
  return c.req.header('hx-request') === 'true';
}

/**
 * A dashboard path to go back to after a form: only our own pages, so a crafted form
 * cannot turn the redirect into a jump to another site.
 */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string') return fallback;
  if (!/^\/dashboard(?:[/?#]|$)/.test(value) || value.includes('\\')) return fallback;
  return value;
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { STYLE } from './assets/style.js';

const require = createRequire(import.meta.url);

// Read once at start: every asset is served by Starbridge itself (no CDN, works offline).
const HTMX = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f4e79"/><path d="M6 22 16 8l10 14H6z" fill="#fff"/></svg>';

const CACHE = 'public, max-age=3600';

/** The dashboard's static files: htmx from node_modules, our stylesheet and icon. */
export function assetRoutes(): Hono {
  const app = new Hono();
  const serve = (body: string, type: string) => () =>
    new Response(body, { headers: { 'content-type': type, 'cache-control': CACHE } });
  app.get('/dashboard/assets/htmx.min.js', serve(HTMX, 'text/javascript; charset=utf-8'));
  app.get('/dashboard/assets/style.css', serve(STYLE, 'text/css; charset=utf-8'));
  app.get('/dashboard/assets/icon.svg', serve(ICON, 'image/svg+xml'));
  return app;
}

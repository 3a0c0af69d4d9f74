/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Logger } from '../shared/logger.js';
import type { LoginLimiter } from './login-limiter.js';
import { LoginPage } from './pages/simple.js';
import { type PasswordVerifier, passwordTooLong } from './password.js';
import { isHtmx, render, safeReturnPath } from './render.js';
import { clientAddress, type WebSettings } from './request-context.js';
import {
  clearDashboardCookie,
  crossSiteProblem,
  type DashboardEnv,
  LOGIN_COOKIE,
  readDashboardCookie,
  SESSION_COOKIE,
  setDashboardCookie,
  tokensMatch,
} from './session-auth.js';
import { randomToken, type SessionStore } from './sessions.service.js';

export interface LoginDeps {
  store: SessionStore;
  limiter: LoginLimiter;
  verify: PasswordVerifier;
  settings: WebSettings;
  log: Logger;
}

/** One message for every wrong password, so nothing is learned from it. */
const WRONG = 'That password is not right.';

/**
 * The sign-in page with a fresh login CSRF token in a short-lived cookie (double submit):
 * there is no session yet, but a forged login form must still be refused.
 */
export function loginPage(
  deps: LoginDeps,
  options: { status?: 401 | 403 | 429 | 200; error?: string } = {},
) {
  return async (c: Context): Promise<Response> => {
    if (isHtmx(c)) {
      // A live region polling after the session ended: send the whole page to sign-in.
      c.header('HX-Redirect', '/dashboard/login');
      return c.body(null, 204);
    }
    const csrf = randomToken();
    setDashboardCookie(c, deps.settings, LOGIN_COOKIE, csrf, 3600);
    const next =
      c.req.method === 'GET'
        ? safeReturnPath(c.req.path + new URL(c.req.url).search, '/dashboard')
        : '/dashboard';
    const page = (
      <LoginPage
        csrf={csrf}
        next={next === '/dashboard/login' ? '/dashboard' : next}
        error={options.error}
      />
    );
    return render(c, page, options.status ?? 200);
  };
}

export function loginRoutes(deps: LoginDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { settings, store } = deps;

  app.get('/dashboard/login', loginPage(deps));

  app.post('/dashboard/login', async (c) => {
    const form = await c.req.parseBody();
    const expected = readDashboardCookie(c, settings, LOGIN_COOKIE);
    if (crossSiteProblem(c, settings) || !expected || !tokensMatch(expected, form._csrf)) {
      return loginPage(deps, { status: 403, error: 'The sign-in form expired. Please try again.' })(
        c,
      );
    }
    const client = clientAddress(c, settings);
    // Throttle before hashing: a flood of guesses never reaches scrypt
    // (docs/reference/bad-inputs.md#a01).
    const gate = deps.limiter.take(client);
    if (!gate.allowed) {
      c.header('Retry-After', String(Math.ceil(gate.retryAfterMs / 1000)));
      const wait = Math.ceil(gate.retryAfterMs / 1000);
      return loginPage(deps, { status: 429, error: `Too many attempts. Try again in ${wait} s.` })(
        c,
      );
    }
    const password = typeof form.password === 'string' ? form.password : '';
    if (passwordTooLong(password) || !(await deps.verify(password))) {
      deps.limiter.fail(client);
      deps.log.warn({ client }, 'dashboard login failed');
      return loginPage(deps, { status: 401, error: WRONG })(c);
    }
    deps.limiter.succeed(client);
    const { token } = await store.start();
    setDashboardCookie(c, settings, SESSION_COOKIE, token, Math.floor(store.ttlMs / 1000));
    clearDashboardCookie(c, settings, LOGIN_COOKIE);
    deps.log.info({ client }, 'dashboard login');
    return c.redirect(safeReturnPath(form.next, '/dashboard'), 303);
  });

  return app;
}

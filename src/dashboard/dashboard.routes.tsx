/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createAdminService } from '../admin/admin.service.js';
import { systemClock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { actionRoutes } from './actions.routes.js';
import { assetRoutes } from './assets.js';
import type { DashboardDeps } from './deps.js';
import { type LoginDeps, loginPage, loginRoutes } from './login.routes.js';
import { createLoginLimiter } from './login-limiter.js';
import { MessagePage } from './pages/simple.js';
import { pageRoutes } from './pages.routes.js';
import { createPasswordVerifier } from './password.js';
import { render } from './render.js';
import {
  crossSiteProblem,
  type DashboardEnv,
  presentedCsrf,
  requireSession,
  tokensMatch,
} from './session-auth.js';
import { createSessionStore } from './sessions.service.js';

export type { DashboardDeps } from './deps.js';

// No inline script or style anywhere, so the policy needs no 'unsafe-inline'
// (docs/reference/bad-inputs.md#a08).
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'same-origin');
  if (!c.req.path.startsWith('/dashboard/assets/')) c.header('Cache-Control', 'no-store');
};

const message = (c: Context, status: 403 | 404 | 413 | 500 | 503, title: string, text: string) =>
  render(
    c,
    <MessagePage title={title} message={text} link={['Back to the dashboard', '/dashboard']} />,
    status,
  );

/** Without a password the dashboard is off, and says how to turn it on. */
function offRoutes(app: Hono<DashboardEnv>): Hono<DashboardEnv> {
  const off = (c: Context) =>
    message(
      c,
      404,
      'Dashboard off',
      'Set DASHBOARD_PASSWORD or DASHBOARD_PASSWORD_HASH (see `starbridge hash-password`) and restart Starbridge to use the dashboard.',
    );
  app.all('/dashboard', off);
  app.all('/dashboard/*', off);
  return app;
}

/** The dashboard at `/dashboard`: sign-in, pages, actions, its assets. */
export function dashboardRoutes(deps: DashboardDeps): Hono {
  const app = new Hono<DashboardEnv>();
  app.use('/dashboard', securityHeaders);
  app.use('/dashboard/*', securityHeaders);
  app.route('/', assetRoutes());
  const verify = createPasswordVerifier(deps.config.dashboard);
  if (!verify) return offRoutes(app) as unknown as Hono;

  const clock = deps.clock ?? systemClock;
  const settings = {
    publicUrl: deps.config.http.publicUrl,
    trustProxy: deps.config.http.trustProxy,
  };
  const login: LoginDeps = {
    store: createSessionStore({ handle: deps.handle, clock }),
    settings,
    verify,
    limiter: createLoginLimiter(clock, deps.loginLimits),
    log: deps.log.child({ component: 'dashboard' }),
  };
  app.onError(errorPage(login.log));
  app.get('/', (c) => c.redirect('/dashboard', 302));
  // Forms are small; a 1 MB "password" is refused before it is even parsed
  // (docs/reference/bad-inputs.md#a11).
  app.post(
    '/dashboard/*',
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => message(c, 413, 'Too large', 'That form was too large.'),
    }),
  );
  app.route('/', loginRoutes(login));
  app.route('/', guardedRoutes(deps, login));
  return app as unknown as Hono;
}

/** Expected refusals as a readable page; anything else logged and kept vague. */
function errorPage(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof AppError && error.status < 500) {
      const title = error.status === 404 ? 'Not found' : 'Refused';
      return message(c, error.status as 404, title, error.message);
    }
    log.error({ err: error, path: c.req.path }, 'dashboard error');
    return message(c, 500, 'Something went wrong', 'The error is in the server log.');
  };
}

/** Everything behind the session: pages, and forms behind the CSRF check. */
function guardedRoutes(deps: DashboardDeps, login: LoginDeps): Hono<DashboardEnv> {
  const { store, settings } = login;
  const guarded = new Hono<DashboardEnv>();
  const session = requireSession(store, settings, loginPage(login, { status: 401 }));
  guarded.use('/dashboard', session);
  guarded.use('/dashboard/*', async (c, next) =>
    c.req.path.startsWith('/dashboard/assets/') ? next() : session(c, next),
  );
  guarded.post('/dashboard/*', async (c, next) => {
    const problem = crossSiteProblem(c, settings);
    if (problem || !tokensMatch(c.get('session').csrfToken, await presentedCsrf(c))) {
      const why = problem ?? 'csrf token missing or wrong';
      login.log.warn({ path: c.req.path, problem: why }, 'dashboard form refused');
      const text =
        'This form came from another site or has expired. Go back, reload the page and try again.';
      return message(c, 403, 'Form refused', text);
    }
    await next();
  });
  const admin = createAdminService({ ...deps, githubWebUrl: deps.config.github.gitUrl });
  guarded.route('/', pageRoutes(deps, admin, store, settings));
  guarded.route('/', actionRoutes(deps, admin, store, settings));
  guarded.all('/dashboard/*', (c) =>
    message(c, 404, 'Not found', 'There is no such dashboard page.'),
  );
  return guarded;
}

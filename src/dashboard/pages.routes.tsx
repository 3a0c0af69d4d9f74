/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { AdminService } from '../admin/admin.service.js';
import { systemClock } from '../shared/clock.js';
import type { DashboardDeps } from './deps.js';
import { APP_WEBHOOK_EVENTS, effectiveSettings, WEBHOOK_EVENTS } from './effective-settings.js';
import { ContainerPlanPage } from './pages/container-plan.js';
import { ContainersPage } from './pages/containers.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { MirrorDetailPage } from './pages/mirror-detail.js';
import { FreshnessView } from './pages/mirror-parts.js';
import { MirrorsPage } from './pages/mirrors.js';
import { OverviewPage } from './pages/overview.js';
import { SettingsPage } from './pages/settings.js';
import { isHtmx, render } from './render.js';
import { expectedOrigin, type WebSettings } from './request-context.js';
import type { DashboardEnv } from './session-auth.js';
import type { SessionStore } from './sessions.service.js';
import type { TokenReport } from './token-checks.js';

type SettingsChecks = { github?: TokenReport; onedev?: TokenReport };

const PAGE_SIZE = 25;
const STATUSES = new Set(['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused']);

const pageNumber = (value: string | undefined) =>
  Math.max(1, Math.min(10_000, Number.parseInt(value ?? '1', 10) || 1));
const pagesOf = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** What every page handler shares. */
interface PageKit {
  app: Hono<DashboardEnv>;
  deps: DashboardDeps;
  admin: AdminService;
  settings: WebSettings;
  githubUrl: string;
  onedevUrl?: string;
  /** The CSRF token for the page's forms, the time, the one-shot notice. */
  common(c: Context<DashboardEnv>): { now: Date; csrf: string; flash: string | null };
}

/** The read-only pages. Each gathers its data from the services, then renders a pure view. */
export function pageRoutes(
  deps: DashboardDeps,
  admin: AdminService,
  store: SessionStore,
  settings: WebSettings,
): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const clock = deps.clock ?? systemClock;
  // The notice is consumed by a navigation, not by a live region's poll. Scoped to
  // /dashboard: this group is mounted at the root, next to the API and health routes.
  const consumeFlash: MiddlewareHandler<DashboardEnv> = async (c, next) => {
    const session = c.get('session');
    if (session.flash && !isHtmx(c)) await store.flash(session, null);
    else if (session.flash) c.set('session', { ...session, flash: null });
    await next();
  };
  app.use('/dashboard', consumeFlash);
  app.use('/dashboard/*', consumeFlash);
  const kit: PageKit = {
    app,
    deps,
    admin,
    settings,
    githubUrl: deps.config.github.gitUrl,
    onedevUrl: deps.config.onedev?.url,
    common: (c) => ({
      now: clock.now(),
      csrf: c.get('session').csrfToken,
      flash: c.get('session').flash,
    }),
  };
  overviewPage(kit);
  mirrorPages(kit);
  containerAndDeliveryPages(kit);
  settingsPages(kit);
  return app;
}

function overviewPage({ app, deps, common }: PageKit): void {
  app.get('/dashboard', async (c) => {
    const [summary, health, sources] = await Promise.all([
      deps.mirrors.summary(8),
      deps.health.report(),
      deps.sources?.status(),
    ]);
    const data = { ...common(c), counts: summary.counts, failures: summary.failures };
    return render(c, <OverviewPage {...data} health={health} sources={sources} />);
  });
}

function mirrorPages({ app, deps, admin, common, githubUrl, onedevUrl }: PageKit): void {
  app.get('/dashboard/mirrors', async (c) => {
    const status = STATUSES.has(c.req.query('status') ?? '') ? c.req.query('status') : undefined;
    const q = c.req.query('q')?.trim().slice(0, 200) || undefined;
    const page = pageNumber(c.req.query('page'));
    const [list, summary] = await Promise.all([
      admin.listMirrors({ status, q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
      deps.mirrors.summary(0),
    ]);
    const filter = { status, q, page, pages: pagesOf(list.total, PAGE_SIZE) };
    const data = { ...common(c), mirrors: list.mirrors, total: list.total, filter };
    const failedCount = summary.counts.failed ?? 0;
    const links = { githubUrl, onedevUrl };
    return render(c, <MirrorsPage {...data} {...links} failedCount={failedCount} />);
  });
  app.get('/dashboard/mirrors/:owner/:name', async (c) => {
    const mirror = await admin.getMirror(c.req.param('owner'), c.req.param('name'));
    const runs = await deps.mirrors.runsOf(mirror.githubId, 30);
    const data = { ...common(c), mirror, runs, githubUrl, onedevUrl };
    return render(c, <MirrorDetailPage {...data} canCheckFreshness={Boolean(deps.freshness)} />);
  });
  app.get('/dashboard/mirrors/:owner/:name/freshness', async (c) => {
    const mirror = await admin.getMirror(c.req.param('owner'), c.req.param('name'));
    if (!deps.freshness) return c.html('<p class="empty">OneDev is not configured.</p>');
    const freshness = await deps.freshness(mirror);
    return c.html(await (<FreshnessView freshness={freshness} />).toString());
  });
}

function containerAndDeliveryPages({ app, deps, admin, common }: PageKit): void {
  app.get('/dashboard/containers', async (c) => {
    const engine = await deps.containers?.status();
    const containers = engine?.available && deps.containers ? await deps.containers.list() : [];
    const restartLabel = deps.config.containers.restartLabel;
    const data = { ...common(c), engine, containers, restartLabel };
    return render(c, <ContainersPage {...data} />);
  });
  app.get('/dashboard/containers/plan', async (c) => {
    const query = {
      repo: c.req.query('repo')?.trim() ?? '',
      branch: c.req.query('branch')?.trim() ?? '',
      paths: c.req.query('paths')?.trim() ?? '',
    };
    const paths = query.paths
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const plan =
      query.repo && deps.containers?.plan
        ? await deps.containers.plan({
            repository: query.repo,
            ...(query.branch ? { branch: query.branch } : {}),
            ...(paths.length > 0 ? { paths } : {}),
          })
        : undefined;
    return render(c, <ContainerPlanPage {...common(c)} query={query} plan={plan} />);
  });
  app.get('/dashboard/deliveries', async (c) => {
    const page = pageNumber(c.req.query('page'));
    const size = 50;
    const list = await admin.listDeliveries({ limit: size, offset: (page - 1) * size });
    const paging = { total: list.total, page, pages: pagesOf(list.total, size) };
    return render(c, <DeliveriesPage {...common(c)} deliveries={list.deliveries} {...paging} />);
  });
}

function settingsPages({ app, deps, settings, common }: PageKit): void {
  const settingsPage = async (c: Context<DashboardEnv>, checks: SettingsChecks = {}) => {
    const webhook = {
      url: `${expectedOrigin(c, settings)}/webhooks/github`,
      secretSet: Boolean(deps.config.github.webhookSecret),
      events: WEBHOOK_EVENTS,
      appEvents: APP_WEBHOOK_EVENTS,
    };
    const data = { ...common(c), settings: effectiveSettings(deps.config), webhook, checks };
    return render(c, <SettingsPage {...data} />);
  };
  app.get('/dashboard/settings', (c) => settingsPage(c));
  // POST only because the button sends a credential-bearing request upstream; nothing changes.
  app.post('/dashboard/settings/check-github', async (c) =>
    settingsPage(c, { github: await deps.tokenChecks?.github() }),
  );
  app.post('/dashboard/settings/check-onedev', async (c) =>
    settingsPage(c, { onedev: await deps.tokenChecks?.onedev() }),
  );
}

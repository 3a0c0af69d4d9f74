/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { ACTIVITY_KINDS, type ActivityKind, parseCursor } from '../activity/activity.js';
import { readActivity } from '../activity/activity.repo.js';
import type { AdminService } from '../admin/admin.service.js';
import { formatDuration } from '../config/duration.js';
import { MIRROR_SORTS, type MirrorSort } from '../mirrors/mirror-queries.repo.js';
import { systemClock } from '../shared/clock.js';
import { runsPerBucket } from '../sync/run-stats.repo.js';
import type { DashboardDeps } from './deps.js';
import { APP_WEBHOOK_EVENTS, effectiveSettings, WEBHOOK_EVENTS } from './effective-settings.js';
import { ActivityPage, type ActivityQuery } from './pages/activity.js';
import { ContainerPlanPage } from './pages/container-plan.js';
import { ContainersPage } from './pages/containers.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { MirrorDetailPage } from './pages/mirror-detail.js';
import { FreshnessView } from './pages/mirror-parts.js';
import { MirrorsPage } from './pages/mirrors.js';
import { OverviewPage } from './pages/overview.js';
import { chartWindows, type RunCharts } from './pages/run-charts.js';
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
const sortOf = (value: string | undefined): MirrorSort =>
  value && Object.hasOwn(MIRROR_SORTS, value) ? (value as MirrorSort) : 'name';

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
  activityPage(kit);
  settingsPages(kit);
  return app;
}

/** The overview's charts: indexed range scans of the run ledger, and the oldest success. */
async function runCharts(deps: DashboardDeps, now: Date): Promise<RunCharts> {
  const { hoursFrom, daysFrom } = chartWindows(now);
  const db = deps.handle.db;
  const [hourly, daily, oldest] = await Promise.all([
    runsPerBucket(db, hoursFrom, 'hour'),
    runsPerBucket(db, daysFrom, 'day'),
    deps.mirrors.oldestSuccess(),
  ]);
  return { hourly, daily, oldest };
}

function overviewPage({ app, deps, common }: PageKit): void {
  app.get('/dashboard', async (c) => {
    const base = common(c);
    const [summary, health, sources, charts] = await Promise.all([
      deps.mirrors.summary(8),
      deps.health.report(),
      deps.sources?.status(),
      // A live region's poll swaps only its own part: the charts are not redrawn for it.
      isHtmx(c) ? undefined : runCharts(deps, base.now),
    ]);
    const data = { ...base, counts: summary.counts, failures: summary.failures, charts };
    const budget = deps.sources?.changes?.stats();
    return render(c, <OverviewPage {...data} health={health} sources={sources} budget={budget} />);
  });
}

function mirrorPages({ app, deps, admin, common, githubUrl, onedevUrl }: PageKit): void {
  app.get('/dashboard/mirrors', async (c) => {
    const status = STATUSES.has(c.req.query('status') ?? '') ? c.req.query('status') : undefined;
    const q = c.req.query('q')?.trim().slice(0, 200) || undefined;
    const page = pageNumber(c.req.query('page'));
    const sort = sortOf(c.req.query('sort'));
    const direction = c.req.query('dir') === 'desc' ? ('desc' as const) : ('asc' as const);
    const order = { sort, direction };
    const window = { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
    const [list, summary] = await Promise.all([
      admin.listMirrors({ status, q, ...order, ...window }),
      deps.mirrors.summary(0),
    ]);
    const filter = { status, q, ...order, page, pages: pagesOf(list.total, PAGE_SIZE) };
    const data = { ...common(c), mirrors: list.mirrors, total: list.total, filter };
    const failedCount = summary.counts.failed ?? 0;
    const links = { githubUrl, onedevUrl };
    return render(c, <MirrorsPage {...data} {...links} failedCount={failedCount} />);
  });
  app.get('/dashboard/mirrors/:owner/:name', async (c) => {
    const mirror = await admin.getMirror(c.req.param('owner'), c.req.param('name'));
    const [runs, history, sshKey, options, changes] = await Promise.all([
      deps.mirrors.runsOf(mirror.githubId, 30),
      keptHistory(deps, mirror.githubId),
      mirrorKeyChoice(deps, mirror.githubId),
      deps.mirrors.optionsOf(mirror.githubId),
      deps.mirrors.changesOf(mirror.githubId, 10),
    ]);
    const globalRefreshMs = deps.config.github.refreshIntervalMs;
    const globalLfs = deps.config.lfs.enabled;
    const globalWikis = deps.config.wikis.enabled;
    const control = { options, changes, globalRefreshMs, globalLfs, globalWikis };
    const data = { ...common(c), mirror, runs, githubUrl, onedevUrl, history, sshKey, control };
    return render(c, <MirrorDetailPage {...data} canCheckFreshness={Boolean(deps.freshness)} />);
  });
  app.get('/dashboard/mirrors/:owner/:name/freshness', async (c) => {
    const mirror = await admin.getMirror(c.req.param('owner'), c.req.param('name'));
    if (!deps.freshness) return c.html('<p class="empty">OneDev is not configured.</p>');
    const freshness = await deps.freshness(mirror);
    return c.html(await (<FreshnessView freshness={freshness} />).toString());
  });
}

/** The key a mirror fetches with and the keys there are; undefined without the keys feature. */
async function mirrorKeyChoice(deps: DashboardDeps, githubId: number) {
  if (!deps.keys) return undefined;
  const [current, keys] = await Promise.all([deps.keys.keyOfMirror(githubId), deps.keys.list()]);
  return { current, keys: keys.map((key) => key.name) };
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

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dayAfter = (day: string) => new Date(Date.parse(day) + 86_400_000).toISOString();

/** The activity filter from the query string: anything unknown is dropped, not guessed. */
function activityQuery(c: Context<DashboardEnv>): ActivityQuery {
  const kind = c.req.query('kind');
  const result = c.req.query('result');
  const date = (v: string | undefined) =>
    v && DATE.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined;
  return {
    kind: ACTIVITY_KINDS.includes(kind as ActivityKind) ? (kind as ActivityKind) : undefined,
    result: result === 'succeeded' || result === 'failed' ? result : undefined,
    repo: c.req.query('repo')?.trim().slice(0, 200) || undefined,
    from: date(c.req.query('from')),
    to: date(c.req.query('to')),
    before: parseCursor(c.req.query('before')) ? c.req.query('before') : undefined,
  };
}

function activityPage({ app, deps, common }: PageKit): void {
  app.get('/dashboard/activity', async (c) => {
    const query = activityQuery(c);
    const data = { ...common(c), query, entries: [], more: false };
    let githubId: number | undefined;
    if (query.repo) {
      const mirror = await deps.mirrors.findByName(query.repo);
      githubId = mirror?.githubId;
      if (!mirror) {
        const problem = `No mirror of ${query.repo}: give a mirrored repository as owner/name.`;
        return render(c, <ActivityPage {...data} problem={problem} />);
      }
    }
    const page = await readActivity(deps.handle.db, {
      kinds: query.kind ? [query.kind] : undefined,
      outcome: query.result,
      githubId,
      repositoryKey: query.repo?.toLowerCase(),
      from: query.from ? new Date(Date.parse(query.from)).toISOString() : undefined,
      to: query.to ? dayAfter(query.to) : undefined,
      before: parseCursor(query.before),
      limit: 50,
    });
    return render(c, <ActivityPage {...data} entries={page.entries} more={page.more} />);
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
    const sshKeys = deps.keys && { enabled: deps.keys.enabled, keys: await deps.keys.list() };
    const data = {
      ...common(c),
      settings: effectiveSettings(deps.config),
      webhook,
      checks,
      sshKeys,
    };
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

/** The mirror's kept tips and HISTORY_KEEP, for its page. */
async function keptHistory(deps: PageKit['deps'], githubId: number) {
  if (!deps.history) return undefined;
  const keep = deps.history.keepMs === null ? 'forever' : formatDuration(deps.history.keepMs);
  return { entries: await deps.history.list(githubId), keep };
}

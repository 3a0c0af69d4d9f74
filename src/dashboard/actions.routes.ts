import { type Context, Hono } from 'hono';
import type { AdminService } from '../admin/admin.service.js';
import { AppError } from '../shared/errors.js';
import type { DashboardDeps } from './deps.js';
import { safeReturnPath } from './render.js';
import { clientAddress, type WebSettings } from './request-context.js';
import { clearDashboardCookie, type DashboardEnv, SESSION_COOKIE } from './session-auth.js';
import type { SessionStore } from './sessions.service.js';

type Form = Record<string, unknown>;

const OUTCOME_TEXT: Record<string, string> = {
  queued: 'is queued to sync',
  coalesced: 'will sync again right after the running sync',
  ignored_failed: 'has failed; use Retry to try again',
  ignored_paused: 'is paused',
  not_found: 'is no longer mirrored',
};

/**
 * Runs one operator action, stores what happened as the next page's notice, and goes back
 * (POST → redirect → GET, so a reload never repeats it). Expected refusals (conflict,
 * not found, upstream down) become the notice; anything else is a real error.
 */
async function act(
  c: Context<DashboardEnv>,
  store: SessionStore,
  fallback: string,
  work: (form: Form) => Promise<string>,
): Promise<Response> {
  // `all`: the bulk form sends one `ids` field per ticked mirror.
  const form = await c.req.parseBody({ all: true });
  let message: string;
  try {
    message = await work(form);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    message = error.message;
  }
  await store.flash(c.get('session'), message);
  return c.redirect(safeReturnPath(form.return_to, fallback), 303);
}

const said = (outcome: string) => OUTCOME_TEXT[outcome] ?? `answered ${outcome}`;

/** Every state-changing form of the dashboard; the CSRF guard runs before these. */
export function actionRoutes(
  deps: DashboardDeps,
  admin: AdminService,
  store: SessionStore,
  settings: WebSettings,
): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.post('/dashboard/logout', async (c) => {
    // Deleted on the server: the old cookie is worthless even if it was copied
    // (docs/reference/bad-inputs.md#a07).
    await store.end(c.get('session'));
    clearDashboardCookie(c, settings, SESSION_COOKIE);
    return c.redirect('/dashboard/login', 303);
  });

  mirrorActions(app, admin, store);
  controlActions(app, deps, admin, store, settings);
  containerActions(app, deps, store);
  keyActions(app, deps, store);
  return app;
}

/** Deploy keys: generate and delete on Settings, choose on a mirror's page. */
function keyActions(app: Hono<DashboardEnv>, deps: DashboardDeps, store: SessionStore) {
  const keys = deps.keys;
  if (!keys) return;
  const back = '/dashboard/settings#ssh-keys';
  app.post('/dashboard/settings/keys', (c) =>
    act(c, store, back, async (form) => {
      const key = await keys.create(typeof form.name === 'string' ? form.name.trim() : '');
      return `Generated key ${key.name} (${key.fingerprint}). Add its public key to the repository on GitHub: Settings → Deploy keys.`;
    }),
  );
  app.post('/dashboard/settings/keys/:name/delete', (c) =>
    act(c, store, back, async () => {
      const name = c.req.param('name') ?? '';
      await keys.remove(name);
      return `Deleted key ${name}. Remove it from GitHub's deploy keys too.`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/ssh-key', (c) =>
    act(c, store, '/dashboard/mirrors', async (form) => {
      const [owner, name] = [c.req.param('owner') ?? '', c.req.param('name') ?? ''];
      const chosen = typeof form.key === 'string' && form.key !== '' ? form.key : null;
      const key = await keys.setForMirror(owner, name, chosen);
      return key
        ? `${owner}/${name} fetches over SSH with key ${key} from its next sync.`
        : `${owner}/${name} fetches over HTTPS from its next sync.`;
    }),
  );
}

/** Ids ticked in the list: each a GitHub id, at most one page's worth. */
function tickedIds(form: Form): number[] {
  const raw = form['ids[]'] ?? form.ids;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(values.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0))].slice(
    0,
    200,
  );
}

/** Add, pause, resume (one or many) and options: who did it is stored with each. */
function controlActions(
  app: Hono<DashboardEnv>,
  deps: DashboardDeps,
  admin: AdminService,
  store: SessionStore,
  settings: WebSettings,
) {
  // One shared password: the session has no name, so the address says which operator.
  const actor = (c: Context) => `dashboard (${clientAddress(c, settings)})`;
  const repo = (c: Context) => [c.req.param('owner') ?? '', c.req.param('name') ?? ''] as const;
  app.post('/dashboard/mirrors/add', (c) =>
    act(c, store, '/dashboard/mirrors', async (form) => {
      const input = typeof form.repo === 'string' ? form.repo : '';
      const { created, mirror } = await admin.addMirror(input);
      return created
        ? `Added ${mirror.fullName}; it is queued to sync.`
        : `${mirror.fullName} is already mirrored; a sync was requested.`;
    }),
  );
  app.post('/dashboard/mirrors/bulk', (c) =>
    act(c, store, '/dashboard/mirrors', async (form) => {
      const ids = tickedIds(form);
      if (ids.length === 0) return 'Tick at least one mirror first.';
      const pause = form.action !== 'resume';
      const outcomes = pause
        ? await deps.mirrors.pauseByOperator(ids, actor(c))
        : await deps.mirrors.resumeByOperator(ids, actor(c));
      const done = outcomes.filter((o) => o === 'done').length;
      const left = ids.length - done;
      const verb = pause ? 'Paused' : 'Resumed';
      const why = pause ? 'already paused' : 'not paused by an operator';
      return `${verb} ${done} mirror(s)${left > 0 ? `; ${left} left as they were (${why} or gone)` : ''}.`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/pause', (c) =>
    act(c, store, '/dashboard/mirrors', async () => {
      const m = await admin.pauseMirror(...repo(c), actor(c));
      return `Paused ${m.fullName}: no syncs until it is resumed.`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/resume', (c) =>
    act(c, store, '/dashboard/mirrors', async () => {
      const m = await admin.resumeMirror(...repo(c), actor(c));
      return `Resumed ${m.fullName}; it is queued to sync.`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/options', (c) =>
    act(c, store, '/dashboard/mirrors', async (form) => {
      // An empty select (Default) returns the option to its global setting.
      const input = {
        refreshIntervalMs: form.refresh_interval_minutes ?? '',
        lfs: form.lfs ?? '',
        wiki: form.wiki ?? '',
      };
      await admin.setMirrorOptions(...repo(c), input, actor(c));
      return 'Options saved.';
    }),
  );
}

function mirrorActions(app: Hono<DashboardEnv>, admin: AdminService, store: SessionStore) {
  const repo = (c: Context) => [c.req.param('owner') ?? '', c.req.param('name') ?? ''] as const;
  app.post('/dashboard/mirrors/retry-failed', (c) =>
    act(c, store, '/dashboard/mirrors', async () => {
      const count = await admin.retryFailed();
      return count === 0 ? 'No failed mirror to retry.' : `Retrying ${count} failed mirror(s).`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/sync', (c) =>
    act(c, store, '/dashboard/mirrors', async () => {
      const [owner, name] = repo(c);
      return `${owner}/${name} ${said(await admin.syncMirror(owner, name))}.`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/retry', (c) =>
    act(c, store, '/dashboard/mirrors', async () => {
      const [owner, name] = repo(c);
      return `${owner}/${name} ${said(await admin.retryMirror(owner, name))} (attempts reset).`;
    }),
  );
  app.post('/dashboard/mirrors/:owner/:name/delete', (c) =>
    act(c, store, '/dashboard/mirrors', async (form) => {
      const [owner, name] = repo(c);
      if (form.confirm !== 'yes') return 'Tick the box to confirm, then stop mirroring.';
      const result = await admin.deleteMirror(owner, name, form.delete_project === 'yes');
      return `Stopped mirroring ${owner}/${name}${result.projectDeleted ? ' and deleted its OneDev project' : ''}.`;
    }),
  );
}

function containerActions(app: Hono<DashboardEnv>, deps: DashboardDeps, store: SessionStore) {
  const back = '/dashboard/containers';
  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post(`/dashboard/containers/:id/${action}`, (c) =>
      act(c, store, back, async () => {
        if (!deps.containers) return 'Container restarts are not configured.';
        const id = c.req.param('id') ?? '';
        await deps.containers[action](id);
        return `${action[0]?.toUpperCase()}${action.slice(1)} of ${id} done.`;
      }),
    );
  }
  app.post('/dashboard/containers/:id/retry', (c) =>
    act(c, store, back, async () => {
      if (!deps.containers?.retry) return 'Container restarts are not configured.';
      const id = c.req.param('id') ?? '';
      const done = await deps.containers.retry(id);
      const results = done.results.map((r) => `${r.container}: ${r.result}`).join(', ');
      return `Retry of ${id}: ${done.repositories.join(', ')} moved forward (${results}).`;
    }),
  );
  app.post('/dashboard/containers/rebuild', (c) =>
    act(c, store, back, async (form) => {
      if (!deps.containers) return 'Container restarts are not configured.';
      const service =
        typeof form.service === 'string' && form.service.trim() ? form.service.trim() : undefined;
      const result = await deps.containers.rebuild(service);
      const tail = result.output.trim().split('\n').slice(-3).join(' / ');
      return `Rebuild ${result.exitCode === 0 ? 'finished' : `failed (exit ${result.exitCode})`}: ${tail}`;
    }),
  );
}

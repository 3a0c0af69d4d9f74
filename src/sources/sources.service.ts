import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import type { GitEngine, GitRemote } from '../git/git.port.js';
import type { GitHubCredentials } from '../github/credentials.js';
import { createOctokit } from '../github/github-api.js';
import type { SourcesStatus } from '../github/sources.types.js';
import type { HealthProbe } from '../health/health.service.js';
import { createScheduler, type PeriodicTask } from '../jobs/scheduler.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { OneDevApi, OneDevProjectEditor } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import { NotConfiguredError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { WebhookPayload } from '../webhooks/payloads.js';
import { type ChangeDetector, createChangeDetection } from './change-hints/change-detection.js';
import { createGitHubWatch } from './github-watch.js';
import { createInstallationsSync, type InstallationsSync } from './installations.js';
import { describePlan, type PlanSummary } from './reconcile.plan.js';
import { createRefresh, type Refresh } from './refresh.js';
import { createRenames, type Renames } from './renames.js';
import { writeState } from './source-state.repo.js';
import { createSourceWebhooks, type SourceEventOutcome } from './source-webhooks.js';
import { createSourcesEvents, type SourcesEvents } from './sources.events.js';
import { createSourcesStatus, recordRefreshRuns, TOKEN_STATE } from './sources.status.js';
import { createStarListsReader } from './star-lists.js';
import { createStarsPoller, type StarsPoller } from './stars.poller.js';
import { createUnstarPolicy, type UnstarPolicy } from './unstar.policy.js';

export interface GitHubSourcesDeps {
  /** The GitHub settings (URLs, token, stars user, intervals). */
  github: Config['github'];
  unstar: Config['unstar'];
  /** Where mirrors go in OneDev (`github`), '' for top level, when OneDev is configured. */
  onedevRoot: string;
  syncConcurrency: number;
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  mirrors: MirrorService;
  credentials: GitHubCredentials;
  git?: Pick<GitEngine, 'lsRemote'>;
  onedev?: OneDevApi & OneDevProjectEditor;
  fetch?: typeof fetch;
  /** This replica's name in the leases table. */
  owner?: string;
  checkEveryMs?: number;
  /** The refresh's jitter source, in [0, 1) (Math.random unless given). */
  random?: () => number;
}

/**
 * How deep the sync queue may get, per worker slot, before the refresh holds back: deep
 * enough that a tick of checks rarely waits, shallow enough that a burst of changes found
 * after an outage does not pile thousands of syncs ahead of webhooks.
 */
const QUEUE_PER_SLOT = 25;

const HOUR = 3_600_000;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** What `reconcile` did: the plan only (dry run), or the run's summary and its plan. */
export type ReconcileOutcome =
  | { dryRun: true; plan: PlanSummary; result?: undefined }
  | { dryRun: false; result: string; plan: PlanSummary | null };

/** What the webhook service asks of the GitHub sources. */
export interface SourcesForWebhooks {
  /** Acts on a source event inside the delivery's transaction; undefined when not a source's. */
  handle(
    event: string,
    payload: WebhookPayload,
    db: Executor,
  ): Promise<SourceEventOutcome | undefined>;
  /** OneDev work (project moves) that must not run inside the request's transaction. */
  afterCommit(): void;
  /** Lifts an unstar (and its pending deletion) when the stars user stars it again. */
  restore(githubId: number, db?: Executor): Promise<boolean>;
  /** The login whose stars are mirrored, once known. */
  starsLogin(): string | undefined;
}

/** The GitHub sources: stars poller, App installations, refresh, unstar policy, renames. */
export interface GitHubSources {
  /** Polls finished, alerts raised. */
  events: SourcesEvents;
  /** Starts the periodic tasks (polls, refresh, renames, deletions). */
  start(): void;
  /** Stops starting tasks; waits up to `graceMs` for those running. */
  stop(graceMs: number): Promise<void>;
  /** Runs every periodic task that is due now. */
  runDue(): Promise<void>;
  /** The sources' status for the dashboard, API and CLI. */
  status(): Promise<SourcesStatus>;
  /** A full listing now, or only its plan; NotConfigured when the stars poller is off. */
  reconcile(options: { dryRun: boolean }): Promise<ReconcileOutcome>;
  /** The `/health` probe for GitHub. */
  healthProbe: HealthProbe;
  /** The sources' share of webhook deliveries. */
  webhooks: SourcesForWebhooks;
  /** The login whose stars are mirrored, once known. */
  starsLogin(): string | undefined;
  /** What to do when git says a mirrored repository is gone (an API check). */
  onMissing(handler: (githubId: number) => Promise<void>): void;
  /** How the unstar policy asks whether a repository vanished (and marks it `source gone`). */
  onGoneCheck(check: (githubId: number) => Promise<boolean>): void;
  /** The stars poller. */
  poller: StarsPoller;
  /** The ls-remote refresh; undefined when it is off. */
  refresh: Refresh | undefined;
  /** Change detection (star walk, GraphQL batches); undefined without a token or budget. */
  changes: ChangeDetector | undefined;
  /** Renames and transfers. */
  renames: Renames;
  /** The unstar policy. */
  policy: UnstarPolicy;
  /** The App installations' listing; undefined without a GitHub App. */
  installations: InstallationsSync | undefined;
}

/** The GitHub sources feature, wired: stars poller, App installations, refresh, unstar policy, renames. */
export function createGitHubSources(deps: GitHubSourcesDeps): GitHubSources {
  const { handle, clock, mirrors } = deps;
  const gh = deps.github;
  const log = deps.log.child({ component: 'github-sources' });
  const events = createSourcesEvents();
  const watch = createGitHubWatch({
    clock,
    log,
    events,
    onExpiry: (at) => {
      const now = clock.now().toISOString();
      void writeState(handle.db, TOKEN_STATE, { expiresAt: at.toISOString() }, now).catch(() => {});
    },
  });
  const base = { handle, clock, log, events, mirrors };
  let goneCheck: ((githubId: number) => Promise<boolean>) | undefined;
  const policy = createUnstarPolicy({
    ...base,
    policy: deps.unstar,
    onedev: deps.onedev,
    isGone: (githubId) => goneCheck?.(githubId) ?? Promise.resolve(false),
  });
  const renames = createRenames({
    ...base,
    onedevRoot: deps.onedevRoot,
    onedev: deps.onedev,
    onReleased: () => mirrors.notify('queued'),
  });
  const applyDeps = { ...base, policy, renames };
  const starsEnabled = Boolean(gh.token || gh.starsUser);
  const octokit = createOctokit({
    apiUrl: gh.apiUrl,
    auth: gh.token,
    fetch: deps.fetch,
    log,
    observer: watch.observer,
  });
  const poller = createStarsPoller({
    ...applyDeps,
    octokit,
    apiUrl: gh.apiUrl,
    starsUser: gh.starsUser,
    hasToken: Boolean(gh.token),
    tokenFingerprint: createHash('sha256')
      .update(gh.token ?? '')
      .digest('hex')
      .slice(0, 12),
    maxNewPerRun: gh.starsMaxNewPerRun,
    pat: deps.credentials.pat,
    lists:
      gh.starLists.length > 0
        ? createStarListsReader({ octokit, choices: gh.starLists })
        : undefined,
  });
  const app = deps.credentials.app;
  const installations = app ? createInstallationsSync({ ...applyDeps, app }) : undefined;
  let onMissing: ((githubId: number) => Promise<void>) | undefined;
  const refresh = deps.git
    ? createRefresh({
        onMissing: (githubId) => onMissing?.(githubId) ?? Promise.resolve(),
        ...base,
        git: deps.git,
        githubGitUrl: gh.gitUrl,
        authorizationFor: deps.credentials.authorizationFor,
        blocked: deps.credentials.blocked,
        onAuthFailed: poller.confirmToken,
        policy: {
          baseMs: gh.refreshIntervalMs,
          minMs: gh.refreshMinIntervalMs,
          maxMs: gh.refreshMaxIntervalMs,
        },
        random: deps.random,
        room: async () => deps.syncConcurrency * QUEUE_PER_SLOT - (await mirrors.syncBacklog()),
        concurrency: deps.syncConcurrency,
        onedevRemote: onedevRemote(deps.onedev),
      })
    : undefined;
  // Change detection needs the token (GraphQL answers to nothing else); without it the
  // refresh sweep alone finds changes.
  const changes =
    gh.token && gh.budgetPerHour > 0
      ? createChangeDetection({
          ...base,
          apiUrl: gh.apiUrl,
          token: gh.token,
          fetch: deps.fetch,
          observer: watch.observer,
          budgetPerHour: gh.budgetPerHour,
          intervalMs: gh.changePollIntervalMs,
          restRateLimit: watch.rateLimit,
          onMissing: (githubId) => onMissing?.(githubId) ?? Promise.resolve(),
          blocked: deps.credentials.pat.isRejected,
          onAuthFailed: poller.confirmToken,
          ownStars: async () => {
            const login = gh.starsUser ? (await poller.state()).login : undefined;
            return !gh.starsUser || login?.toLowerCase() === gh.starsUser.toLowerCase();
          },
        })
      : undefined;
  let starsLogin: string | undefined = gh.starsUser;
  const webhooks = createSourceWebhooks({ ...applyDeps, starsLogin: () => starsLogin });

  const tasks: PeriodicTask[] = [];
  if (starsEnabled) {
    tasks.push({
      name: 'stars-full',
      group: 'github',
      intervalMs: gh.starsFullIntervalMs,
      run: poller.full,
    });
    tasks.push({
      name: 'stars-quick',
      group: 'github',
      intervalMs: gh.starsPollIntervalMs,
      run: poller.quick,
    });
  }
  if (installations) {
    tasks.push({
      name: 'installations',
      group: 'github',
      intervalMs: HOUR,
      run: installations.syncAll,
    });
  }
  if (changes) tasks.push(changes.task);
  if (refresh) {
    const tick = clamp(gh.refreshIntervalMs / 60, 1_000, 60_000);
    tasks.push({ name: 'refresh', group: 'git', intervalMs: tick, run: refresh.tick });
  }
  const maintenance = clamp(deps.unstar.graceMs / 10, 1_000, 60_000);
  tasks.push({
    name: 'maintenance',
    group: 'maintenance',
    intervalMs: maintenance,
    run: async () => {
      await renames.processPending();
      await policy.expireDeletions();
    },
  });
  const scheduler = createScheduler({
    handle,
    clock,
    log,
    owner: deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    tasks,
    checkEveryMs:
      deps.checkEveryMs ?? clamp(Math.min(...tasks.map((t) => t.intervalMs)) / 4, 250, 5_000),
  });
  events.on('poll:finished', () => {
    void poller.state().then((s) => {
      starsLogin = gh.starsUser ?? s.login ?? starsLogin;
    });
  });

  const { status, healthProbe } = createSourcesStatus({
    handle,
    github: gh,
    watch,
    starsEnabled,
    appEnabled: Boolean(app),
    refreshEnabled: Boolean(refresh),
    nextAt: scheduler.nextAt,
  });

  /** `POST /api/v1/reconcile`, `starbridge reconcile`: a full listing now (or only its plan). */
  async function reconcile(options: { dryRun: boolean }): Promise<ReconcileOutcome> {
    if (!starsEnabled) {
      throw new NotConfiguredError(
        'the stars poller is off: set GITHUB_TOKEN or GITHUB_STARS_USER',
      );
    }
    if (options.dryRun) return { dryRun: true, plan: describePlan(await poller.dryRun()) };
    await poller.resume();
    const result = await poller.full();
    return {
      dryRun: false,
      result,
      plan: poller.lastPlan() ? describePlan(poller.lastPlan()!) : null,
    };
  }

  if (refresh) recordRefreshRuns(events, handle, clock);
  return {
    events,
    start: () => scheduler.start(),
    stop: (graceMs: number) => scheduler.stop(graceMs),
    runDue: () => scheduler.runDue(),
    status,
    reconcile,
    healthProbe,
    webhooks: {
      handle: webhooks.handle,
      afterCommit: () => void renames.processPending().catch(() => {}),
      restore: policy.restore,
      starsLogin: () => starsLogin,
    },
    starsLogin: () => starsLogin,
    /** What to do when git says a mirrored repository is gone (an API check). */
    onMissing: (handler: (githubId: number) => Promise<void>) => {
      onMissing = handler;
    },
    onGoneCheck: (check: (githubId: number) => Promise<boolean>) => {
      goneCheck = check;
    },
    poller,
    refresh,
    changes: changes?.detector,
    renames,
    policy,
    installations,
  };
}

/** The refresh's view of a mirror in OneDev: its git URL and credential. */
function onedevRemote(
  onedev: OneDevApi | undefined,
): ((mirror: { onedev_path: string | null }) => GitRemote | undefined) | undefined {
  if (!onedev) return undefined;
  return (mirror) =>
    mirror.onedev_path === null
      ? undefined
      : { url: onedev.gitUrl(mirror.onedev_path), authorization: onedev.gitAuthorization() };
}

import type { DbHandle } from '../../db/database.js';
import { type GitHubOctokit, type RateLimitSnapshot, statusOf } from '../../github/github-api.js';
import { GraphqlRateLimited, graphqlQuery } from '../../github/graphql.api.js';
import { fetchPushedPage } from '../../github/pushes.api.js';
import type { MirrorService } from '../../mirrors/mirror.service.js';
import type { WatchedMirror } from '../../mirrors/mirror-sources.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { patchState, readState } from '../source-state.repo.js';
import type { Budget } from './budget.js';
import { type BatchTarget, buildQueries, readAnswer } from './graphql-batch.js';
import { type ChangeHint, readHints, saveHint } from './hints.repo.js';
import { stopPoint, type WalkState, walkPushedStars } from './stars-walk.js';

export interface ChangeDetectorDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  octokit: GitHubOctokit;
  apiUrl: string;
  mirrors: Pick<MirrorService, 'syncById' | 'watched'>;
  budget: Budget;
  /** Whether the mirrored stars are the token's own (then the walk covers starred mirrors). */
  ownStars: () => Promise<boolean>;
  /** GitHub's latest REST rate-limit numbers (from every REST answer). */
  restRateLimit: () => RateLimitSnapshot | null;
  /** A repository GitHub says does not exist: check it on the REST API (renamed, deleted). */
  onMissing: (githubId: number) => Promise<void>;
  /** The token is known to be rejected: send nothing. */
  blocked?: () => boolean;
  /** GitHub answered 401: the stars poller confirms and pauses everything that sends the token. */
  onAuthFailed?: () => Promise<void>;
  /** How far behind the high-water mark the walk still looks (same-second pushes). */
  overlapMs?: number;
  /** `nodes`/name slots of 100 per GraphQL query. */
  fieldsPerQuery?: number;
}

/** What the detector's state row keeps (shared by replicas; the lease holder writes it). */
interface DetectorState extends WalkState {
  graphql?: { remaining: number; resetAt: string };
  /** GitHub refused a query for an exhausted pool: no GraphQL before this time. */
  graphqlPausedUntil?: string;
  lastAt?: string;
  lastResult?: string;
}

export interface ChangeDetectionStats {
  budgetPerHour: number;
  spentLastHour: number;
  spentTotal: { rest: number; graphql: number };
  hints: { stars: number; graphql: number };
  graphqlRemaining: number | null;
  restRemaining: number | null;
}

/** Finds pushes to mirrored repositories with few GitHub requests, within a budget. */
export interface ChangeDetector {
  /** One round: the star walk, then GraphQL batches for the other mirrors; what it did. */
  tick(): Promise<string>;
  stats(): ChangeDetectionStats;
}

const STATE = 'change-hints';
/** REST answers left under which the detector stops (the stars poller and syncs need them). */
const REST_RESERVE = 0.1;
/** GraphQL points left under which the detector stops until GitHub's reset. */
const GRAPHQL_RESERVE = 250;

/**
 * Change detection: a conditional walk of the token user's stars, most recently pushed
 * first, and GraphQL batches asking `pushedAt` of every other mirror; a mirror whose
 * repository was pushed since it was last seen is asked to sync. Every request is paid
 * from the budget; the slow refresh sweep catches what this cannot see.
 */
export function createChangeDetector(deps: ChangeDetectorDeps): ChangeDetector {
  const log = deps.log.child({ component: 'change-detection' });
  const db = deps.handle.db;
  const now = () => deps.clock.now().toISOString();
  const hinted = { stars: 0, graphql: 0 };
  let graphqlRemaining: number | null = null;
  const save = (patch: Partial<DetectorState>) => patchState(db, STATE, patch, now());

  /** Asks a sync when GitHub's `pushed_at` is newer than what was last seen. */
  async function note(
    mirror: WatchedMirror,
    hint: ChangeHint | undefined,
    seen: { nodeId: string | null; pushedAt: string | null },
    source: 'stars' | 'graphql',
  ): Promise<boolean> {
    const changed = pushedSince(seen.pushedAt, hint?.pushedAt ?? mirror.last_synced_at);
    if (changed) {
      await deps.mirrors.syncById(mirror.github_id);
      hinted[source]++;
    }
    if (changed || hint?.pushedAt !== seen.pushedAt || (seen.nodeId && !hint?.nodeId)) {
      await saveHint(db, mirror.github_id, seen, now());
    }
    return changed;
  }

  async function walk(
    state: DetectorState,
    covered: WatchedMirror[],
    hints: Map<number, ChangeHint>,
  ) {
    const snapshot = deps.restRateLimit();
    if (
      snapshot &&
      snapshot.remaining < snapshot.limit * REST_RESERVE &&
      Date.parse(snapshot.resetAt) > deps.clock.now().getTime()
    ) {
      return 'stars: skipped (REST quota low)';
    }
    const floor = covered.map((m) => m.last_synced_at as string).sort()[0];
    const fetchPage = (o: { url?: string; etag?: string }) =>
      fetchPushedPage(deps.octokit, { ...o, apiUrl: deps.apiUrl });
    const result = await walkPushedStars(
      fetchPage,
      deps.budget,
      state,
      stopPoint(state, floor, deps.overlapMs ?? 10 * 60_000),
    );
    if (result.notModified) return 'stars: not modified';
    const byId = new Map(covered.map((m) => [m.github_id, m]));
    let changed = 0;
    for (const item of result.items) {
      const mirror = byId.get(item.githubId);
      if (mirror && (await note(mirror, hints.get(item.githubId), item, 'stars'))) changed++;
    }
    if (result.complete) await save({ etag: result.next.etag, mark: result.next.mark });
    const pages = result.complete ? '' : ', budget spent before the end';
    return `stars: ${result.items.length} walked, ${changed} changed${pages}`;
  }

  async function batches(
    state: DetectorState,
    others: WatchedMirror[],
    hints: Map<number, ChangeHint>,
  ) {
    const nowMs = deps.clock.now().getTime();
    if (state.graphqlPausedUntil && Date.parse(state.graphqlPausedUntil) > nowMs) {
      return 'graphql: waiting for GitHub’s reset';
    }
    // The longest unseen first, so a budget too small for all still covers all in turn.
    const order = (m: WatchedMirror) => hints.get(m.github_id)?.seenAt ?? '';
    const targets: BatchTarget[] = [...others]
      .sort((a, b) => order(a).localeCompare(order(b)))
      .map((m) => ({
        ...m,
        githubId: m.github_id,
        nodeId: hints.get(m.github_id)?.nodeId ?? null,
      }));
    const byId = new Map(others.map((m) => [m.github_id, m]));
    let queries = 0;
    let changed = 0;
    for (const query of buildQueries(targets, deps.fieldsPerQuery ?? 5)) {
      const graphql = state.graphql;
      if (graphql && graphql.remaining < GRAPHQL_RESERVE && Date.parse(graphql.resetAt) > nowMs)
        break;
      if (!deps.budget.take(1, 'graphql')) break;
      let answer: Awaited<ReturnType<typeof graphqlQuery>>;
      try {
        answer = await graphqlQuery(deps.octokit, query.query, query.variables);
      } catch (error) {
        deps.budget.settle(1, 1, 'graphql');
        if (!(error instanceof GraphqlRateLimited)) throw error;
        log.warn(
          { resetAt: error.resetAt },
          'GitHub’s GraphQL points are spent; waiting for the reset',
        );
        await save({
          graphqlPausedUntil: error.resetAt,
          graphql: { remaining: 0, resetAt: error.resetAt },
        });
        return `graphql: ${queries} queries, ${changed} changed, then rate limited`;
      }
      queries++;
      const cost = answer.rateLimit?.cost ?? 1;
      deps.budget.settle(1, cost, 'graphql');
      if (answer.rateLimit) {
        state.graphql = {
          remaining: answer.rateLimit.remaining,
          resetAt: answer.rateLimit.resetAt,
        };
        graphqlRemaining = answer.rateLimit.remaining;
      }
      for (const outcome of readAnswer(query, answer)) {
        const mirror = byId.get(outcome.githubId);
        if (!mirror) continue;
        if (!outcome.found) {
          await deps.onMissing(outcome.githubId).catch(() => {});
          continue;
        }
        if (await note(mirror, hints.get(mirror.github_id), outcome, 'graphql')) changed++;
      }
    }
    await save({ graphql: state.graphql, graphqlPausedUntil: undefined });
    return `graphql: ${queries} queries, ${changed} changed`;
  }

  async function tick(): Promise<string> {
    if (deps.blocked?.()) return 'paused: token rejected';
    const state = (await readState<DetectorState>(db, STATE)) ?? {};
    const [watched, hints, own] = await Promise.all([
      deps.mirrors.watched(),
      readHints(db),
      deps.ownStars(),
    ]);
    const covered = own ? watched.filter((m) => m.starred === 1) : [];
    const others = own ? watched.filter((m) => m.starred !== 1) : watched;
    const parts: string[] = [];
    for (const [name, part] of [
      ['stars', () => (covered.length > 0 ? walk(state, covered, hints) : Promise.resolve(''))],
      ['graphql', () => (others.length > 0 ? batches(state, others, hints) : Promise.resolve(''))],
    ] as const) {
      try {
        const done = await part();
        if (done) parts.push(done);
      } catch (error) {
        log.warn({ err: error }, `change detection (${name}) failed`);
        if (statusOf(error) === 401) await deps.onAuthFailed?.().catch(() => {});
        parts.push(`${name}: failed: ${(error as Error).message}`);
      }
    }
    const result = parts.join('; ') || 'nothing to watch';
    await save({ lastAt: now(), lastResult: result });
    return result;
  }

  return {
    tick,
    stats: () => ({
      budgetPerHour: deps.budget.perHour,
      spentLastHour: deps.budget.spentLastHour(),
      spentTotal: deps.budget.spentTotal(),
      hints: { ...hinted },
      graphqlRemaining,
      restRemaining: deps.restRateLimit()?.remaining ?? null,
    }),
  };
}

/** Whether GitHub's `pushed_at` is later than the last one seen (or the last sync). */
export function pushedSince(pushedAt: string | null, since: string | null): boolean {
  if (pushedAt === null) return false;
  return since === null || Date.parse(pushedAt) > Date.parse(since);
}

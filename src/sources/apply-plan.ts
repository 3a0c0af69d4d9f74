import type { DbHandle } from '../db/database.js';
import type { ListedRepo } from '../github/stars.api.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { Holder } from '../mirrors/mirror-sources.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ReconcilePlan } from './reconcile.plan.js';
import type { Renames } from './renames.js';
import type { UnstarPolicy } from './unstar.policy.js';

export interface ApplyDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  mirrors: MirrorService;
  policy: UnstarPolicy;
  renames: Renames;
}

export interface ApplyResult {
  added: number;
  /** Moved to another chosen Star List. */
  regrouped: number;
  resumed: number;
  released: number;
  renamed: number;
  deferred: number;
}

/**
 * Carries out a reconcile plan. Renames go first, so the mirror row already carries the
 * new name (and a pending OneDev move) before anything else touches it.
 */
export async function applyPlan(
  plan: ReconcilePlan,
  holder: Holder,
  deps: ApplyDeps,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    added: 0,
    regrouped: 0,
    resumed: 0,
    released: 0,
    renamed: 0,
    deferred: 0,
  };
  for (const { repo } of plan.renamed) {
    if (await deps.renames.rename(repo.githubId, repo.owner, repo.name)) result.renamed++;
  }
  for (const { repo, group } of plan.regrouped) {
    if (await deps.mirrors.regroup(repo.githubId, group)) result.regrouped++;
  }
  for (const repo of plan.archivedChanged) {
    await deps.mirrors.setArchived(repo.githubId, repo.archived);
  }
  for (const repo of plan.toAdd) {
    if (await deps.policy.restore(repo.githubId)) result.resumed++;
    // One transaction: no worker may claim a new mirror before it carries its flags; an
    // installation's repository must be fetched with that installation's token.
    const ensured = await deps.handle.db.transaction().execute(async (trx) => {
      const made = await deps.mirrors.ensureMirror(
        sourceOf(repo),
        holder.kind === 'stars' ? 'star' : 'installation',
        { starred: holder.kind === 'stars', db: trx },
      );
      await deps.mirrors.setHolders(repo.githubId, flagsOf(repo, holder), trx);
      if (repo.archived) await deps.mirrors.setArchived(repo.githubId, true, trx);
      // A new mirror starts under its Star List's parent (an existing one was regrouped above).
      if (repo.group) await deps.mirrors.regroup(repo.githubId, repo.group, trx);
      return made;
    });
    deps.mirrors.notify(ensured.outcome);
    if (ensured.created) result.added++;
  }
  for (const mirror of plan.toUnstar) {
    const flags = holder.kind === 'stars' ? { starred: false } : { installationId: null };
    await deps.mirrors.setHolders(mirror.githubId, flags);
    const cause = holder.kind === 'stars' ? 'unstarred' : 'uninstalled';
    if ((await deps.policy.release(mirror.githubId, cause)) === 'released') result.released++;
  }
  result.deferred = plan.deferred.length;
  if (result.deferred > 0) {
    deps.log.info(
      { deferred: result.deferred },
      'new mirrors over STARS_MAX_NEW_PER_RUN left for the next run',
    );
  }
  if (result.resumed > 0) deps.mirrors.notify('queued');
  return result;
}

function sourceOf(repo: ListedRepo) {
  return {
    githubId: repo.githubId,
    owner: repo.owner,
    name: repo.name,
    private: repo.private,
    defaultBranch: repo.defaultBranch,
  };
}

function flagsOf(repo: ListedRepo, holder: Holder) {
  return holder.kind === 'stars'
    ? { starred: true, starredAt: repo.starredAt }
    : { installationId: holder.id };
}

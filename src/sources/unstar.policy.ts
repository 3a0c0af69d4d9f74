import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { SourcesEvents } from './sources.events.js';

export type ReleaseCause = 'unstarred' | 'uninstalled';

export interface UnstarPolicyDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  events: SourcesEvents;
  mirrors: MirrorService;
  policy: Config['unstar'];
  onedev?: Pick<OneDevApi, 'deleteProject'>;
  /** Asked before a project is deleted: is the repository held again (a re-star we missed)? */
  heldAgain?: (row: MirrorRow) => Promise<boolean>;
  /**
   * Asks GitHub whether the repository still exists, marking it `source gone` if not: a
   * repository deleted on GitHub also leaves the stars list, and that is not an unstar.
   */
  isGone?: (githubId: number) => Promise<boolean>;
}

const CAUSE = {
  unstarred: 'unstarred on GitHub',
  uninstalled: 'removed from the GitHub App installation',
};

/** What happens to a mirror nothing holds any more (UNSTAR_POLICY `keep` or `delete`). */
export interface UnstarPolicy {
  /** Applies the policy unless something still holds the mirror (manual, a star, an installation). */
  release(
    githubId: number,
    cause: ReleaseCause,
    db?: Executor,
  ): Promise<'unchanged' | 'kept' | 'released' | 'gone'>;
  /** A re-star or re-install: lifts a release (and with it a pending deletion); true if lifted. */
  restore(githubId: number, db?: Executor): Promise<boolean>;
  /** Deletes the OneDev projects whose grace period ended; returns how many were deleted. */
  expireDeletions(): Promise<number>;
}

/**
 * UNSTAR_POLICY. `keep`: the mirror pauses (no more updates) and stays in OneDev.
 * `delete`: it pauses too, and its OneDev project is deleted once UNSTAR_GRACE is over;
 * a re-star (or re-install) before then resumes it and cancels the deletion.
 */
export function createUnstarPolicy(deps: UnstarPolicyDeps): UnstarPolicy {
  const log = deps.log.child({ component: 'unstar-policy' });
  const iso = (offsetMs = 0) => new Date(deps.clock.now().getTime() + offsetMs).toISOString();

  /** Applies the policy unless something still holds the mirror (manual, a star, an installation). */
  async function release(githubId: number, cause: ReleaseCause, db: Executor = deps.handle.db) {
    // Outside a caller's transaction only (a webhook's unstar is the user's own act): no
    // request to GitHub is made while a transaction holds the database.
    if (db === deps.handle.db && (await goneUpstream(githubId))) return 'gone';
    const deleteAfter = deps.policy.policy === 'delete' ? iso(deps.policy.graceMs) : null;
    const reason = deleteAfter
      ? `${CAUSE[cause]}; the OneDev project will be deleted after ${deleteAfter} unless it is starred again (UNSTAR_POLICY=delete)`
      : `${CAUSE[cause]}; kept in OneDev, no longer updated (UNSTAR_POLICY=keep)`;
    const letGo = await deps.mirrors.letGo(githubId, reason, deleteAfter, db);
    if (!letGo || (!letGo.ok && letGo.refusal === 'already_released')) return 'unchanged';
    if (!letGo.ok) return 'kept';
    const row = letGo.row;
    log.info({ repo: row.full_name, cause, deleteAfter }, 'mirror released');
    deps.events.emit('notice', {
      kind: 'mirror:released',
      message: `${row.full_name}: ${reason}`,
      githubId,
      fullName: row.full_name,
    });
    return 'released';
  }

  /** Whether GitHub no longer has the repository (then it is marked `source gone`). */
  async function goneUpstream(githubId: number): Promise<boolean> {
    try {
      return (await deps.isGone?.(githubId)) ?? false;
    } catch (error) {
      log.warn(
        { err: error, githubId },
        'could not ask GitHub whether the repository still exists',
      );
      return false;
    }
  }

  /** A re-star or re-install: lift a release (and with it a pending deletion). */
  async function restore(githubId: number, db: Executor = deps.handle.db): Promise<boolean> {
    const row = await deps.mirrors.resume(githubId, db);
    if (!row) return false;
    log.info({ repo: row.full_name, cancelledDeletion: row.delete_after }, 'mirror held again');
    return true;
  }

  /** Deletes the OneDev projects whose grace period ended. Returns how many were deleted. */
  async function expireDeletions(): Promise<number> {
    let deleted = 0;
    for (const row of await deps.mirrors.dueDeletions(iso())) {
      if (await deps.heldAgain?.(row).catch(() => true)) {
        await restore(row.github_id);
        continue;
      }
      // Gone since the unstar: a vanished source is never deleted (marking it cancels this).
      if (await goneUpstream(row.github_id)) continue;
      try {
        const onedev = deps.onedev;
        await deps.mirrors.remove(row.github_id, {
          deleteProject: onedev ? (id) => onedev.deleteProject(id) : undefined,
        });
      } catch (error) {
        log.warn(
          { err: error, repo: row.full_name },
          'deleting an unstarred mirror failed; will retry',
        );
        continue;
      }
      deleted++;
      const message = `${row.full_name}: OneDev project ${row.onedev_path ?? '(never created)'} deleted, ${CAUSE.unstarred} and the grace period is over`;
      log.warn(
        { repo: row.full_name, project: row.onedev_path },
        'mirror deleted after unstar grace',
      );
      deps.events.emit('notice', {
        kind: 'mirror:deleted',
        message,
        githubId: row.github_id,
        fullName: row.full_name,
      });
    }
    return deleted;
  }

  return { release, restore, expireDeletions };
}

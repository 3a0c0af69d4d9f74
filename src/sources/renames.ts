import type { DbHandle } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import type { MirrorRow } from '../db/schema/index.js';
import { holdMirror, unholdMirror } from '../mirrors/mirror-hold.repo.js';
import type { OneDevApi, OneDevProjectEditor } from '../onedev/onedev.port.js';
import { toOneDevName } from '../onedev/project-name.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface RenamesDeps {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  /** Parent path of all mirrors in OneDev (`ONEDEV_ROOT_PROJECT`). */
  onedevRoot: string;
  onedev?: Pick<OneDevApi, 'findProject' | 'ensureProject'> & OneDevProjectEditor;
  /** Called when a mirror held for a move goes back to the queue. */
  onReleased?: () => void;
}

const HOLDER = 'starbridge-rename';

/** GitHub renames and transfers: the mirror's name at once, the OneDev project afterwards. */
export interface Renames {
  /** Records GitHub's new name for a mirror (in `db` when given); true when it changed. */
  rename(githubId: number, owner: string, name: string, db?: Executor): Promise<boolean>;
  /** Moves every OneDev project whose mirror was renamed; returns how many moved. */
  processPending(): Promise<number>;
}

/**
 * GitHub renames and transfers. The mirror's name follows at once (webhook, listing or a
 * 301); the OneDev project follows afterwards, outside any request, with the
 * full-replacement update — unless the new path is taken, in which case the project
 * stays where it is and the conflict is shown on the mirror.
 */
export function createRenames(deps: RenamesDeps): Renames {
  const log = deps.log.child({ component: 'renames' });
  const iso = (offsetMs = 0) => new Date(deps.clock.now().getTime() + offsetMs).toISOString();

  /** Records GitHub's new name; true when it changed. */
  async function rename(
    githubId: number,
    owner: string,
    name: string,
    db: Executor = deps.handle.db,
  ): Promise<boolean> {
    const fullName = `${owner}/${name}`;
    const row = await db
      .selectFrom('mirrors')
      .select(['full_name', 'onedev_project_id'])
      .where('github_id', '=', githubId)
      .executeTakeFirst();
    if (!row || row.full_name === fullName) return false;
    const hasProject = row.onedev_project_id !== null;
    await db
      .updateTable('mirrors')
      .set({
        owner,
        name,
        full_name: fullName,
        full_name_key: fullName.toLowerCase(),
        onedev_move_pending: hasProject ? 1 : 0,
        // Without a project yet, the first sync simply creates it under the new name.
        ...(hasProject ? {} : { onedev_path: null, onedev_name: null }),
        updated_at: iso(),
      })
      .where('github_id', '=', githubId)
      .execute();
    log.info({ from: row.full_name, to: fullName }, 'repository renamed on GitHub');
    return true;
  }

  /** Moves every OneDev project whose mirror was renamed; returns how many moved. */
  async function processPending(): Promise<number> {
    if (!deps.onedev) return 0;
    const pending = await deps.handle.db
      .selectFrom('mirrors')
      .select('github_id')
      .where('onedev_move_pending', '=', 1)
      .execute();
    let moved = 0;
    for (const { github_id } of pending) {
      const held = await holdMirror(deps.handle.db, github_id, HOLDER, iso(120_000));
      if (!held) continue; // syncing right now: the next round moves it
      try {
        if (await move(held)) moved++;
      } catch (error) {
        log.warn(
          { err: error, repo: held.full_name },
          'moving the OneDev project failed; will retry',
        );
      } finally {
        await unholdMirror(deps.handle.db, held, HOLDER, iso());
        deps.onReleased?.();
      }
    }
    return moved;
  }

  async function move(row: MirrorRow): Promise<boolean> {
    const onedev = deps.onedev as NonNullable<RenamesDeps['onedev']>;
    const leaf = toOneDevName(row.name);
    const parentPath = [deps.onedevRoot, row.owner].filter(Boolean).join('/');
    const target = parentPath ? `${parentPath}/${leaf}` : leaf;
    const projectId = row.onedev_project_id as number;
    const occupant = await onedev.findProject(target);
    if (occupant !== undefined && occupant !== projectId) {
      const conflict = `GitHub renamed the repository to ${row.full_name}, but OneDev path ${target} is taken by another project; the mirror stays at ${row.onedev_path}`;
      log.warn({ repo: row.full_name, target, current: row.onedev_path }, 'rename conflict');
      await finish(row.github_id, { onedev_conflict: conflict });
      return false;
    }
    if (occupant === undefined) {
      const parentId = parentPath
        ? (await onedev.ensureProject(parentPath, { description: '', codeManagement: false })).id
        : null;
      const data = await onedev.getProject(projectId);
      await onedev.updateProject(projectId, { ...data, name: leaf, parentId });
    }
    await finish(row.github_id, { onedev_path: target, onedev_name: leaf, onedev_conflict: null });
    log.info({ repo: row.full_name, from: row.onedev_path, to: target }, 'OneDev project moved');
    return true;
  }

  async function finish(
    githubId: number,
    patch: { onedev_path?: string; onedev_name?: string; onedev_conflict: string | null },
  ) {
    await deps.handle.db
      .updateTable('mirrors')
      .set({ ...patch, onedev_move_pending: 0, updated_at: iso() })
      .where('github_id', '=', githubId)
      .execute();
  }

  return { rename, processPending };
}

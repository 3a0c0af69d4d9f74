import type { Executor } from '../db/executor.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { MirrorRowLean } from '../mirrors/mirror-apply.repo.js';
import type { OneDevApi, OneDevProjectEditor } from '../onedev/onedev.port.js';
import { toOneDevName } from '../onedev/project-name.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface RenamesDeps {
  clock: Clock;
  log: Logger;
  mirrors: Pick<MirrorService, 'rename' | 'hold' | 'unhold' | 'pendingMoves' | 'finishMove'>;
  /** Parent path of all mirrors in OneDev (`ONEDEV_ROOT_PROJECT`). */
  onedevRoot: string;
  onedev?: Pick<OneDevApi, 'findProject' | 'ensureProject'> & OneDevProjectEditor;
  /** Called when a mirror held for a move goes back to the queue. */
  onReleased?: () => void;
}

const HOLDER = 'starbridge-rename';

/** GitHub renames and transfers (and Star List moves): the mirror's name at once, the OneDev project afterwards. */
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

  /** Records GitHub's new name (the state machine's `rename`); true when it changed. */
  async function rename(
    githubId: number,
    owner: string,
    name: string,
    db?: Executor,
  ): Promise<boolean> {
    const renamed = await deps.mirrors.rename(githubId, { owner, name }, db);
    if (!renamed.renamed) return false;
    log.info({ from: renamed.from, to: `${owner}/${name}` }, 'repository renamed on GitHub');
    return true;
  }

  /** Moves every OneDev project whose mirror was renamed; returns how many moved. */
  async function processPending(): Promise<number> {
    if (!deps.onedev) return 0;
    let moved = 0;
    for (const github_id of await deps.mirrors.pendingMoves()) {
      const held = await deps.mirrors.hold(github_id, HOLDER, iso(120_000));
      if (!held) continue; // syncing right now: the next round moves it
      try {
        if (await move(held)) moved++;
      } catch (error) {
        log.warn(
          { err: error, repo: held.full_name },
          'moving the OneDev project failed; will retry',
        );
      } finally {
        await deps.mirrors.unhold(held, HOLDER);
        deps.onReleased?.();
      }
    }
    return moved;
  }

  async function move(row: MirrorRowLean): Promise<boolean> {
    const onedev = deps.onedev as NonNullable<RenamesDeps['onedev']>;
    const leaf = toOneDevName(row.name);
    // A Star List's parent (GITHUB_STAR_LISTS) sits between the root and the owner.
    const parentPath = [deps.onedevRoot, row.onedev_parent, row.owner].filter(Boolean).join('/');
    const target = parentPath ? `${parentPath}/${leaf}` : leaf;
    const projectId = row.onedev_project_id as number;
    const occupant = await onedev.findProject(target);
    if (occupant !== undefined && occupant !== projectId) {
      const conflict = `${row.full_name} should move (renamed on GitHub or moved to another Star List), but OneDev path ${target} is taken by another project; the mirror stays at ${row.onedev_path}`;
      log.warn({ repo: row.full_name, target, current: row.onedev_path }, 'rename conflict');
      await deps.mirrors.finishMove(row.github_id, { conflict });
      return false;
    }
    if (occupant === undefined) {
      const parentId = parentPath
        ? (await onedev.ensureProject(parentPath, { description: '', codeManagement: false })).id
        : null;
      const data = await onedev.getProject(projectId);
      await onedev.updateProject(projectId, { ...data, name: leaf, parentId });
    }
    await deps.mirrors.finishMove(row.github_id, { path: target, name: leaf });
    log.info({ repo: row.full_name, from: row.onedev_path, to: target }, 'OneDev project moved');
    return true;
  }

  return { rename, processPending };
}

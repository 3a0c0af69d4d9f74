import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import { parseFullName } from '../github/repo-name.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { UpstreamError } from '../shared/upstream-error.js';
import type { SyncRun } from '../sync/run.js';
import { listRuns } from '../sync/runs.repo.js';
import { type Mirror, type MirrorSource, mirrorFromRow } from './mirror.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';
import {
  type ControlOutcome,
  listChanges,
  pauseByOperator,
  readOptionOf,
  readOptions,
  resumeByOperator,
  writeOption,
} from './mirror-control.repo.js';
import { isOptionKey, MIRROR_OPTIONS, type MirrorOptions } from './mirror-options.js';
import {
  countMirrorsByStatus,
  deleteMirror,
  listFailedMirrorIds,
  listMirrors,
  listRecentFailures,
  type MirrorFilter,
  oldestLastSuccess,
} from './mirror-queries.repo.js';
import { createMirrorSourceOps } from './mirror-sources.js';
import type {
  EnsureResult,
  MirrorChange,
  MirrorService,
  SourceRepository,
} from './mirrors.port.js';
import {
  type Executor,
  findMirror,
  findMirrorByName,
  insertMirrorIfAbsent,
  renameMirror,
  requestSync,
  type SyncRequestOutcome,
} from './mirrors.repo.js';

export type { EnsureResult, MirrorService, SourceRepository } from './mirrors.port.js';

/**
 * The use-cases on mirrors shared by webhooks, the admin API, the dashboard and the CLI.
 * Methods take an optional executor so a caller can run them inside its own transaction.
 */
export function createMirrorService(deps: {
  handle: DbHandle;
  clock: Clock;
  onSyncRequested?: () => void;
}): MirrorService {
  const now = () => deps.clock.now().toISOString();
  const notify = (outcome: SyncRequestOutcome) => {
    if (outcome === 'queued' || outcome === 'coalesced') deps.onSyncRequested?.();
  };

  /** Creates the mirror if it does not exist (due now), otherwise asks it to sync. */
  async function ensureMirror(
    repo: SourceRepository,
    source: MirrorSource,
    options: { starred?: boolean; db?: Executor } = {},
  ): Promise<EnsureResult> {
    const db = options.db ?? deps.handle.db;
    const created = await insertMirrorIfAbsent(
      db,
      { ...repo, source, starred: options.starred ?? false, defaultBranch: repo.defaultBranch },
      now(),
    );
    let outcome: SyncRequestOutcome = 'queued';
    if (!created) {
      await followRename(db, repo, options.starred);
      outcome = await requestSync(db, repo.githubId, now());
    }
    const row = await findMirror(db, repo.githubId);
    if (!row) throw new Error(`mirror ${repo.githubId} vanished while being ensured`);
    if (!options.db) notify(outcome);
    return { created, outcome, mirror: mirrorFromRow(row) };
  }

  /**
   * GitHub's name and flags are the truth; the numeric id is the identity. A name that
   * changed is the state machine's `rename`, as for a `repository` webhook: the OneDev
   * project is marked to follow.
   */
  async function followRename(
    db: Executor,
    repo: SourceRepository,
    starred?: boolean,
  ): Promise<void> {
    await renameMirror(db, repo.githubId, repo, now());
    const observed = {
      kind: 'observe',
      private: repo.private,
      defaultBranch: repo.defaultBranch,
      starred,
    } as const;
    await applyMirrorEvent(db, repo.githubId, observed, now());
  }

  async function syncById(
    githubId: number,
    options: { force?: boolean; resetAttempts?: boolean; db?: Executor } = {},
  ): Promise<SyncRequestOutcome> {
    const outcome = await requestSync(options.db ?? deps.handle.db, githubId, now(), options);
    if (!options.db) notify(outcome);
    return outcome;
  }

  /** Mirrors with their LFS option (which lives in mirror_options), in one query for all. */
  async function withLfs(rows: MirrorRow[], db: Executor = deps.handle.db): Promise<Mirror[]> {
    const lfs = await readOptionOf(
      db,
      rows.map((row) => row.github_id),
      'lfs',
    );
    return rows.map((row) => {
      const value = lfs.get(row.github_id);
      return {
        ...mirrorFromRow(row),
        lfs: typeof value === 'boolean' ? (value ? 'on' : 'off') : null,
      };
    });
  }

  async function findByName(fullName: string): Promise<Mirror | undefined> {
    const row = await findMirrorByName(deps.handle.db, fullName.toLowerCase());
    return row ? (await withLfs([row]))[0] : undefined;
  }

  async function findById(
    githubId: number,
    db: Executor = deps.handle.db,
  ): Promise<Mirror | undefined> {
    const row = await findMirror(db, githubId);
    return row ? (await withLfs([row], db))[0] : undefined;
  }

  /**
   * An operator adds a repository by name (admin API, CLI). It is looked up on GitHub for
   * its id, privacy and default branch, and mirrored with source `manual`. Only owner/name
   * is accepted: clone URLs are built from the configured GitHub base, never taken from
   * input (docs/reference/bad-inputs.md#r05, #r06), so a URL is refused with a hint.
   */
  async function addManual(
    repo: string,
    lookUp: (owner: string, name: string) => Promise<SourceRepository>,
  ): Promise<EnsureResult> {
    if (
      /^[A-Za-z][A-Za-z0-9+.-]*:/.test(repo.trim()) ||
      /^(www\.)?github\.com\//i.test(repo.trim()) ||
      /^git@/i.test(repo.trim())
    ) {
      throw new ValidationError(
        'give the repository as owner/name (for example octocat/hello-world), not a URL',
      );
    }
    const { owner, name } = parseFullName(repo);
    let source: SourceRepository;
    try {
      source = await lookUp(owner, name);
    } catch (error) {
      if (error instanceof UpstreamError && error.reason === 'github_not_found')
        throw new NotFoundError(error.message);
      throw error;
    }
    return ensureMirror(source, 'manual');
  }

  async function list(filter: MirrorFilter): Promise<{ mirrors: Mirror[]; total: number }> {
    const { rows, total } = await listMirrors(deps.handle.db, filter);
    return { mirrors: await withLfs(rows), total };
  }

  /**
   * An operator's retry of a mirror that failed or is waiting to retry: attempts and the
   * last error are reset and it is due now. Anything else is a conflict (use a sync).
   */
  async function retry(githubId: number): Promise<SyncRequestOutcome> {
    const mirror = await mustFind(githubId);
    if (mirror.status !== 'failed' && mirror.status !== 'retrying') {
      throw new ConflictError(
        `mirror ${mirror.fullName} is ${mirror.status}, not failed or retrying; to sync it now, ask for a sync instead`,
      );
    }
    return syncById(githubId, { force: true, resetAttempts: true });
  }

  /** Retries every failed mirror; returns how many were asked to sync. */
  async function retryFailed(): Promise<number> {
    let retried = 0;
    for (const githubId of await listFailedMirrorIds(deps.handle.db)) {
      const outcome = await syncById(githubId, { force: true, resetAttempts: true });
      if (outcome === 'queued' || outcome === 'coalesced') retried++;
    }
    return retried;
  }

  /**
   * Stops mirroring: deletes the row and its run ledger. With `deleteProject`, the OneDev
   * project goes first; if that fails the row is kept, so the operator can try again.
   */
  async function remove(
    githubId: number,
    options: { deleteProject?: (projectId: number) => Promise<void> } = {},
  ): Promise<{ projectDeleted: boolean }> {
    const mirror = await mustFind(githubId);
    let projectDeleted = false;
    if (options.deleteProject && mirror.onedevProjectId !== null) {
      if (mirror.status === 'syncing') {
        // The running sync would create the project again right after we delete it.
        throw new ConflictError(
          `mirror ${mirror.fullName} is syncing right now; delete it once the sync finished`,
        );
      }
      await options.deleteProject(mirror.onedevProjectId);
      projectDeleted = true;
    }
    await deleteMirror(deps.handle.db, githubId);
    return { projectDeleted };
  }

  async function runsOf(githubId: number, limit = 50): Promise<SyncRun[]> {
    return listRuns(deps.handle.db, githubId, limit);
  }

  /** Counts per status and the latest failures, for `starbridge status` and overviews. */
  async function summary(
    failureLimit = 10,
  ): Promise<{ counts: Record<string, number>; failures: Mirror[] }> {
    const counts = await countMirrorsByStatus(deps.handle.db);
    const failures = await listRecentFailures(deps.handle.db, failureLimit);
    return { counts, failures: failures.map(mirrorFromRow) };
  }

  async function pauseMany(githubIds: number[], actor: string): Promise<ControlOutcome[]> {
    const outcomes: ControlOutcome[] = [];
    for (const id of githubIds)
      outcomes.push(await pauseByOperator(deps.handle.db, id, actor, now()));
    return outcomes;
  }

  async function resumeMany(githubIds: number[], actor: string): Promise<ControlOutcome[]> {
    const outcomes: ControlOutcome[] = [];
    for (const id of githubIds) {
      outcomes.push(await resumeByOperator(deps.handle.db, id, actor, now()));
    }
    if (outcomes.includes('done')) notify('queued');
    return outcomes;
  }

  /** Every value is checked before any is written, so a bad field changes nothing. */
  async function setOptions(
    githubId: number,
    input: Record<string, unknown>,
    actor: string,
  ): Promise<MirrorOptions> {
    await mustFind(githubId);
    const parsed: Array<[keyof typeof MIRROR_OPTIONS, unknown]> = [];
    for (const [key, raw] of Object.entries(input)) {
      if (!isOptionKey(key)) {
        const known = Object.keys(MIRROR_OPTIONS).join(', ');
        throw new ValidationError(`unknown mirror option "${key}"; the options are: ${known}`);
      }
      const empty = raw === null || raw === undefined || (typeof raw === 'string' && !raw.trim());
      parsed.push([key, empty ? null : MIRROR_OPTIONS[key].parse(raw)]);
    }
    const current = await readOptions(deps.handle.db, githubId);
    await deps.handle.db.transaction().execute(async (trx) => {
      for (const [key, value] of parsed) {
        const before = current[key]?.value ?? null;
        if (JSON.stringify(before) === JSON.stringify(value)) continue;
        await writeOption(trx, githubId, key, value, actor, now());
      }
    });
    return readOptions(deps.handle.db, githubId);
  }

  async function changesOf(githubId: number, limit = 20): Promise<MirrorChange[]> {
    const rows = await listChanges(deps.handle.db, githubId, limit);
    return rows.map(({ change, detail, actor, at }) => ({ change, detail, actor, at }));
  }

  async function mustFind(githubId: number): Promise<Mirror> {
    const mirror = await findById(githubId);
    if (!mirror) throw new NotFoundError(`no mirror with GitHub id ${githubId}`);
    return mirror;
  }

  return {
    ...createMirrorSourceOps(deps),
    ensureMirror,
    addManual,
    syncById,
    findByName,
    findById,
    notify,
    list,
    retry,
    retryFailed,
    remove,
    runsOf,
    summary,
    pauseByOperator: pauseMany,
    resumeByOperator: resumeMany,
    optionsOf: (githubId) => readOptions(deps.handle.db, githubId),
    setOptions,
    changesOf,
    async oldestSuccess() {
      const { oldest, neverSynced } = await oldestLastSuccess(deps.handle.db);
      return { oldest: oldest ? mirrorFromRow(oldest) : undefined, neverSynced };
    },
  };
}

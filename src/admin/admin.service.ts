import type { DbHandle } from '../db/database.js';
import type { GitHubClient } from '../github/github.client.js';
import { parseFullName, repositoryFromInput } from '../github/repo-name.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { EnsureResult, MirrorService } from '../mirrors/mirror.service.js';
import type { MirrorOptions } from '../mirrors/mirror-options.js';
import type { MirrorFilter } from '../mirrors/mirror-queries.repo.js';
import type { SyncRequestOutcome } from '../mirrors/mirrors.repo.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import { ConflictError, NotConfiguredError, NotFoundError } from '../shared/errors.js';
import type { SyncRun } from '../sync/run.js';
import { wikiView } from '../sync/wikis.repo.js';
import { type DeliveryRecord, listDeliveries } from '../webhooks/deliveries.repo.js';

export interface AdminServiceDeps {
  handle: DbHandle;
  mirrors: MirrorService;
  github: GitHubClient;
  /** Undefined when OneDev is not configured: deleting projects is then refused. */
  onedev?: Pick<OneDevApi, 'deleteProject'>;
  /** GitHub's web address (GITHUB_URL): a repository's page there is taken as owner/name. */
  githubWebUrl?: string;
}

export interface DeliveryFilter {
  event?: string;
  outcome?: string;
  limit: number;
  offset: number;
}

/** One stored webhook delivery, as the admin API lists it. */
export type DeliveryView = DeliveryRecord;

/** One page of a list, with the window that was asked for. */
export interface Page {
  total: number;
  limit: number;
  offset: number;
}

/** What the admin API does, by repository name. */
export interface AdminService {
  /** The mirror of `owner/name`; NotFound when there is none. */
  getMirror(owner: string, name: string): Promise<Mirror>;
  /** One page of mirrors matching the filter. */
  listMirrors(filter: MirrorFilter): Promise<Page & { mirrors: Mirror[] }>;
  /** Mirrors a repository by name (checked on GitHub first); says whether it was new. */
  addMirror(repo: string): Promise<EnsureResult>;
  /** An explicit request: forced, so a failed or paused mirror syncs too. */
  syncMirror(owner: string, name: string): Promise<SyncRequestOutcome>;
  /** Retries a failed or retrying mirror from its first attempt; Conflict otherwise. */
  retryMirror(owner: string, name: string): Promise<SyncRequestOutcome>;
  /** Retries every failed mirror; returns how many. */
  retryFailed(): Promise<number>;
  /** Stops mirroring `owner/name`, and deletes its OneDev project when asked. */
  deleteMirror(
    owner: string,
    name: string,
    deleteProject: boolean,
  ): Promise<{ deleted: true; projectDeleted: boolean }>;
  /** Sets a mirror's LFS setting (`default`: follow MIRROR_LFS); returns the mirror. */
  setMirrorLfs(
    owner: string,
    name: string,
    mode: 'on' | 'off' | 'default',
    actor: string,
  ): Promise<Mirror>;
  /** The latest sync runs of a mirror, newest first. */
  listRuns(owner: string, name: string, limit: number): Promise<SyncRun[]>;
  /** One page of stored webhook deliveries matching the filter, newest first. */
  listDeliveries(filter: DeliveryFilter): Promise<Page & { deliveries: DeliveryView[] }>;
  /** Pauses `owner/name` for `actor` (a paused mirror stays as it is). */
  pauseMirror(owner: string, name: string, actor: string): Promise<Mirror>;
  /** Lifts an operator's pause; Conflict when no operator paused it. */
  resumeMirror(owner: string, name: string, actor: string): Promise<Mirror>;
  mirrorOptions(owner: string, name: string): Promise<MirrorOptions>;
  setMirrorOptions(
    owner: string,
    name: string,
    input: Record<string, unknown>,
    actor: string,
  ): Promise<MirrorOptions>;
}

/**
 * What the admin API does, by repository name: resolves `owner/name` to a mirror and
 * hands over to the mirror service, GitHub and OneDev. Routes only validate and shape.
 */
export function createAdminService(deps: AdminServiceDeps): AdminService {
  const { mirrors } = deps;

  async function mirrorNamed(owner: string, name: string): Promise<Mirror> {
    const repo = parseFullName(`${owner}/${name}`);
    const mirror = await mirrors.findByName(`${repo.owner}/${repo.name}`);
    if (!mirror) throw new NotFoundError(`no mirror of ${repo.owner}/${repo.name}`);
    return mirror;
  }

  return {
    async getMirror(owner: string, name: string) {
      const mirror = await mirrorNamed(owner, name);
      return { ...mirror, wiki: await wikiView(deps.handle.db, mirror.githubId) };
    },

    async listMirrors(filter: MirrorFilter) {
      const page = await mirrors.list(filter);
      return { ...page, limit: filter.limit, offset: filter.offset };
    },

    addMirror(repo: string) {
      const input = repositoryFromInput(repo, deps.githubWebUrl);
      return mirrors.addManual(input, (owner, name) => deps.github.getRepository(owner, name));
    },

    /** An explicit request: forced, so a failed or paused mirror syncs too. */
    async syncMirror(owner: string, name: string) {
      const mirror = await mirrorNamed(owner, name);
      return mirrors.syncById(mirror.githubId, { force: true });
    },

    async retryMirror(owner: string, name: string) {
      const mirror = await mirrorNamed(owner, name);
      return mirrors.retry(mirror.githubId);
    },

    retryFailed: () => mirrors.retryFailed(),

    async deleteMirror(owner: string, name: string, deleteProject: boolean) {
      const mirror = await mirrorNamed(owner, name);
      const onedev = deps.onedev;
      if (deleteProject && !onedev) {
        throw new NotConfiguredError(
          'deleting the OneDev project needs ONEDEV_URL and ONEDEV_TOKEN; nothing was deleted (leave out deleteProject to only stop mirroring)',
        );
      }
      const result = await mirrors.remove(mirror.githubId, {
        deleteProject:
          deleteProject && onedev ? (projectId) => onedev.deleteProject(projectId) : undefined,
      });
      return { deleted: true as const, projectDeleted: result.projectDeleted };
    },

    async setMirrorLfs(owner: string, name: string, mode: 'on' | 'off' | 'default', actor) {
      const mirror = await mirrorNamed(owner, name);
      // The same per-mirror option the dashboard sets, so there is one place it lives.
      await mirrors.setOptions(mirror.githubId, { lfs: mode === 'default' ? null : mode }, actor);
      return mirrorNamed(owner, name);
    },

    async listRuns(owner: string, name: string, limit: number) {
      const mirror = await mirrorNamed(owner, name);
      return mirrors.runsOf(mirror.githubId, limit);
    },

    async pauseMirror(owner: string, name: string, actor: string) {
      const mirror = await mirrorNamed(owner, name);
      await mirrors.pauseByOperator([mirror.githubId], actor);
      return mirrorNamed(owner, name);
    },

    async resumeMirror(owner: string, name: string, actor: string) {
      const mirror = await mirrorNamed(owner, name);
      const [outcome] = await mirrors.resumeByOperator([mirror.githubId], actor);
      if (outcome === 'unchanged') {
        throw new ConflictError(
          `mirror ${mirror.fullName} was not paused by an operator (it is ${mirror.status}); an unstarred mirror resumes when starred again, and Sync now syncs any other`,
        );
      }
      return mirrorNamed(owner, name);
    },

    async mirrorOptions(owner: string, name: string) {
      return mirrors.optionsOf((await mirrorNamed(owner, name)).githubId);
    },

    async setMirrorOptions(owner, name, input, actor) {
      const mirror = await mirrorNamed(owner, name);
      return mirrors.setOptions(mirror.githubId, input, actor);
    },

    async listDeliveries(filter: DeliveryFilter) {
      const { rows, total } = await listDeliveries(deps.handle.db, filter);
      const deliveries = rows.map((row) => ({
        id: row.id,
        hookId: row.hook_id,
        deliveryId: row.delivery_id,
        event: row.event,
        action: row.action,
        githubId: row.github_id,
        repository: row.repository,
        outcome: row.outcome,
        detail: row.detail,
        receivedAt: row.received_at,
      }));
      return { deliveries, total, limit: filter.limit, offset: filter.offset };
    },
  };
}

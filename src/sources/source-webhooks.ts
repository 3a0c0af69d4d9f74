import type { Executor } from '../db/executor.js';
import { repoNameProblem } from '../github/repo-name.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { Clock } from '../shared/clock.js';
import type { InstallationRepository, WebhookPayload } from '../webhooks/payloads.js';
import type { Renames } from './renames.js';
import { deleteInstallation, upsertInstallation } from './source-state.repo.js';
import type { UnstarPolicy } from './unstar.policy.js';

export interface SourceEventOutcome {
  outcome: string;
  detail?: string;
  syncRequested?: boolean;
}

export interface SourceWebhookDeps {
  clock: Clock;
  mirrors: MirrorService;
  policy: UnstarPolicy;
  renames: Renames;
  /** The login whose stars are mirrored, once known. */
  starsLogin: () => string | undefined;
}

/** The GitHub sources' share of webhook deliveries (stars, repositories, installations). */
export interface SourceWebhooks {
  /** Acts on one delivery inside its transaction `db`; undefined when the event is not a source's. */
  handle(
    event: string,
    payload: WebhookPayload,
    db: Executor,
  ): Promise<SourceEventOutcome | undefined>;
}

/**
 * What the `star`/`deleted`, `repository` and `installation*` webhooks do. Everything runs
 * on the delivery's transaction (`db`); OneDev work (project moves) happens after commit.
 */
export function createSourceWebhooks(deps: SourceWebhookDeps): SourceWebhooks {
  const now = () => deps.clock.now().toISOString();

  async function handle(
    event: string,
    payload: WebhookPayload,
    db: Executor,
  ): Promise<SourceEventOutcome | undefined> {
    const action = payload.action;
    const repo = payload.repository;
    if (event === 'star' && action === 'deleted' && repo) {
      const me = deps.starsLogin();
      if (!me || payload.sender?.login.toLowerCase() !== me.toLowerCase()) {
        return { outcome: 'ignored', detail: 'unstarred by someone else' };
      }
      await deps.mirrors.setHolders(repo.id, { starred: false }, db);
      return { outcome: await deps.policy.release(repo.id, 'unstarred', db) };
    }
    if (event === 'repository' && repo) return repositoryEvent(action, repo, db);
    if (event === 'installation' || event === 'installation_repositories') {
      return installationEvent(event, payload, db);
    }
    return undefined;
  }

  async function repositoryEvent(
    action: string | undefined,
    repo: NonNullable<WebhookPayload['repository']>,
    db: Executor,
  ): Promise<SourceEventOutcome> {
    if (!(await deps.mirrors.findById(repo.id, db))) {
      return { outcome: 'ignored', detail: 'repository is not mirrored' };
    }
    if (action === 'renamed' || action === 'transferred') {
      const changed = await deps.renames.rename(repo.id, repo.owner.login, repo.name, db);
      return { outcome: changed ? 'renamed' : 'unchanged', detail: repo.full_name };
    }
    if (action === 'deleted') {
      const reason = 'deleted on GitHub; the OneDev project is kept as the last copy';
      await deps.mirrors.markSourceGone(repo.id, reason, db);
      return { outcome: 'paused', detail: reason };
    }
    if (action === 'archived' || action === 'unarchived') {
      await deps.mirrors.setArchived(repo.id, action === 'archived', db);
      return { outcome: action };
    }
    return { outcome: 'recorded' };
  }

  async function installationEvent(event: string, payload: WebhookPayload, db: Executor) {
    const installation = payload.installation;
    if (!installation) return { outcome: 'ignored', detail: 'no installation in payload' };
    const id = installation.id;
    if (event === 'installation' && payload.action === 'deleted') {
      for (const row of await deps.mirrors.ofInstallation(id, db)) await remove(row.github_id, db);
      await deleteInstallation(db, id);
      return { outcome: 'uninstalled' };
    }
    const account = installation.account?.login ?? String(id);
    await upsertInstallation(db, { id, account }, now());
    const added = event === 'installation' ? payload.repositories : payload.repositories_added;
    const removed = event === 'installation' ? [] : (payload.repositories_removed ?? []);
    let queued = 0;
    for (const repo of added ?? []) if (await add(repo, id, db)) queued++;
    for (const repo of removed) await remove(repo.id, db);
    return { outcome: queued > 0 ? 'queued' : 'recorded', syncRequested: queued > 0 };
  }

  async function add(repo: InstallationRepository, installationId: number, db: Executor) {
    const [owner = '', name = ''] = repo.full_name.split('/');
    if (repoNameProblem(owner, name) || name !== repo.name) return false;
    await deps.policy.restore(repo.id, db);
    const source = {
      githubId: repo.id,
      owner,
      name,
      private: repo.private ?? false,
      defaultBranch: null,
    };
    await deps.mirrors.ensureMirror(source, 'installation', { db });
    await deps.mirrors.setHolders(repo.id, { installationId }, db);
    return true;
  }

  async function remove(githubId: number, db: Executor) {
    await deps.mirrors.setHolders(githubId, { installationId: null }, db);
    await deps.policy.release(githubId, 'uninstalled', db);
  }

  return { handle };
}

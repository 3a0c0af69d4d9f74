import type { AppApi } from '../github/app.api.js';
import { type ApplyDeps, applyPlan } from './apply-plan.js';
import { planReconcile } from './reconcile.plan.js';
import {
  deleteInstallation,
  listInstallationIds,
  upsertInstallation,
} from './source-state.repo.js';
import type { SourcesEvents } from './sources.events.js';

export interface InstallationsDeps extends ApplyDeps {
  app: AppApi;
  events: SourcesEvents;
}

/** The periodic listing of the GitHub App's installations and their repositories. */
export interface InstallationsSync {
  /** Lists every installation and reconciles each; returns a summary (never throws). */
  syncAll(): Promise<string>;
  /** Reconciles one installation's repositories; returns how many mirrors it added. */
  syncOne(installationId: number): Promise<number>;
}

/**
 * The periodic listing of every installation's repositories (App mode). Webhooks make
 * new installations and added repositories fast; this catches every event we missed.
 * The same planner and safety rules as the stars apply: a failed or empty listing of an
 * installation releases nothing, and neither does a partial one (pages that do not add up,
 * fewer repositories than `total_count`).
 */
export function createInstallationsSync(deps: InstallationsDeps): InstallationsSync {
  const log = deps.log.child({ component: 'installations' });
  const now = () => deps.clock.now().toISOString();

  async function syncAll(): Promise<string> {
    let result: string;
    try {
      const { items: installations, complete } = await deps.app.listInstallations();
      for (const installation of installations) {
        await upsertInstallation(deps.handle.db, installation, now());
      }
      const listed = new Set(installations.map((i) => i.id));
      // Only a whole, non-empty list says an installation is gone.
      if (complete && installations.length > 0) {
        for (const id of await listInstallationIds(deps.handle.db)) {
          if (!listed.has(id)) await uninstall(id);
        }
      }
      let added = 0;
      for (const installation of installations) added += await syncOne(installation.id);
      result = `${installations.length} installation(s), ${added} new mirror(s)`;
    } catch (error) {
      log.warn({ err: error }, 'listing App installations failed; nothing was released');
      result = `failed: ${(error as Error).message}`;
    }
    deps.events.emit('poll:finished', { kind: 'installations', result });
    return result;
  }

  async function syncOne(installationId: number): Promise<number> {
    const listing = await deps.app.listRepositories(installationId);
    const holder = { kind: 'installation' as const, id: installationId };
    const known = await deps.mirrors.known(holder);
    const plan = planReconcile(listing.items, known, { complete: listing.complete });
    return (await applyPlan(plan, holder, deps)).added;
  }

  /** An installation that is gone: its mirrors follow the unstar policy. */
  async function uninstall(installationId: number): Promise<void> {
    const known = await deps.mirrors.known({ kind: 'installation', id: installationId });
    const plan = planReconcile([], known, { complete: true });
    // An empty listing never releases anything, so list the held mirrors explicitly.
    plan.toUnstar = [...known.values()].filter((m) => m.held && !m.released);
    await applyPlan(plan, { kind: 'installation', id: installationId }, deps);
    await deleteInstallation(deps.handle.db, installationId);
  }

  return { syncAll, syncOne };
}

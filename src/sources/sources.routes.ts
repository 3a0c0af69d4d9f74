import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import { register } from '../admin/admin-route.js';
import type { SourcesStatus } from '../github/sources.types.js';
import { NotConfiguredError } from '../shared/errors.js';
import type { PlanSummary } from './reconcile.plan.js';
import type { reconcileSchema } from './sources.schemas.js';

/** What the admin API needs of the GitHub sources. */
export interface SourcesAdmin {
  reconcile(options: {
    dryRun: boolean;
  }): Promise<{ dryRun: boolean; result?: string; plan: PlanSummary | null }>;
  status(): Promise<SourcesStatus>;
}

/** `POST /api/v1/reconcile` and `GET /api/v1/sources`. */
export function sourcesRoutes(sources: SourcesAdmin | undefined): Hono {
  const app = new Hono();
  const need = () => {
    if (!sources)
      throw new NotConfiguredError('the GitHub sources are not running in this process');
    return sources;
  };
  register(app, ops.reconcile, async ({ query }, c) => {
    const outcome = await need().reconcile({ dryRun: query.dryRun });
    return c.json(outcome satisfies z.infer<typeof reconcileSchema>, query.dryRun ? 200 : 202);
  });
  register(app, ops.sourcesStatus, async (_input, c) => c.json(await need().status()));
  return app;
}

import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import { register } from '../admin/admin-route.js';
import { formatDuration } from '../config/duration.js';
import { parseFullName } from '../github/repo-name.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import { NotConfiguredError, NotFoundError } from '../shared/errors.js';
import type { historyListSchema } from './history.schemas.js';
import type { HistoryService } from './history.service.js';

/** `GET /api/v1/mirrors/{owner}/{name}/history`. */
export function historyRoutes(deps: {
  history: Pick<HistoryService, 'list' | 'keepMs'> | undefined;
  mirrors: Pick<MirrorService, 'findByName'>;
}): Hono {
  const app = new Hono();
  register(app, ops.listHistory, async ({ params }, c) => {
    const history = deps.history;
    if (!history) throw new NotConfiguredError('kept history is not available in this process');
    const repo = parseFullName(`${params.owner}/${params.name}`);
    const mirror = await deps.mirrors.findByName(`${repo.owner}/${repo.name}`);
    if (!mirror) throw new NotFoundError(`no mirror of ${repo.owner}/${repo.name}`);
    const keep = history.keepMs === null ? 'forever' : formatDuration(history.keepMs);
    const entries = await history.list(mirror.githubId);
    return c.json({ keep, history: entries } satisfies z.infer<typeof historyListSchema>);
  });
  return app;
}

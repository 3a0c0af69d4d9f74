import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import { register } from '../admin/admin-route.js';
import { formatDuration } from '../config/duration.js';
import { parseFullName } from '../github/repo-name.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import { NotFoundError } from '../shared/errors.js';
import type { historyListSchema } from './history.schemas.js';
import type { HistoryService } from './history.service.js';

/** `GET /api/v1/mirrors/{owner}/{name}/history`. */
export function historyRoutes(deps: {
  history: Pick<HistoryService, 'list' | 'keepMs'>;
  mirrors: Pick<MirrorService, 'findByName'>;
}): Hono {
  const app = new Hono();
  register(app, ops.listHistory, async ({ params }, c) => {
    const repo = parseFullName(`${params.owner}/${params.name}`);
    const mirror = await deps.mirrors.findByName(`${repo.owner}/${repo.name}`);
    if (!mirror) throw new NotFoundError(`no mirror of ${repo.owner}/${repo.name}`);
    const keep = deps.history.keepMs === null ? 'forever' : formatDuration(deps.history.keepMs);
    const history = await deps.history.list(mirror.githubId);
    return c.json({ keep, history } satisfies z.infer<typeof historyListSchema>);
  });
  return app;
}

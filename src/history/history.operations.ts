import { repoParams } from '../admin/admin.schemas.js';
import type { Operation } from '../admin/operation.js';
import { historyListSchema } from './history.schemas.js';

/** The kept-history admin operation, spread into `operations`. */
export function historyOperations() {
  const listHistory: Operation<typeof repoParams, undefined, undefined> = {
    operationId: 'listHistory',
    method: 'get',
    path: '/api/v1/mirrors/{owner}/{name}/history',
    summary:
      'Tips of branches and tags the source overwrote or deleted, kept in OneDev, newest first',
    description:
      'Before a sync force-pushes or deletes a branch, or moves or deletes a tag, in OneDev, the old tip is kept under refs/starbridge/history/ in the same atomic push (or, if OneDev refuses that namespace, as a git bundle in DATA_DIR). Each entry gives the git fetch command that gets it back. Entries older than HISTORY_KEEP are deleted.',
    params: repoParams,
    responses: {
      200: { description: 'the kept tips', schema: historyListSchema },
      404: { description: 'no mirror of that repository' },
      503: { description: 'kept history is not available in this process' },
    },
  };
  return { listHistory };
}

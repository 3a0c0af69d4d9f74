import type { Operation } from '../admin/operation.js';
import { reconcileQuery, reconcileSchema, sourcesStatusSchema } from './sources.schemas.js';

/** The GitHub sources' admin operations, spread into `operations`. */
export function sourceOperations() {
  const reconcile: Operation<undefined, typeof reconcileQuery, undefined> = {
    operationId: 'reconcile',
    method: 'post',
    path: '/api/v1/reconcile',
    summary: 'Poll the stars now: a full listing and set difference (dryRun=true: the plan only)',
    description:
      'A dry run lists what would be added, unstarred and left unchanged without changing anything. Otherwise the poller also resumes if it was paused (e.g. after a token was rejected). A listing that fails, is empty or partial never unstars anything.',
    query: reconcileQuery,
    responses: {
      200: { description: 'the plan (dry run)', schema: reconcileSchema },
      202: { description: 'the reconcile ran; what it did', schema: reconcileSchema },
      503: { description: 'the stars poller is off (no GITHUB_TOKEN or GITHUB_STARS_USER)' },
    },
  };
  const sourcesStatus: Operation<undefined, undefined, undefined> = {
    operationId: 'getSourcesStatus',
    method: 'get',
    path: '/api/v1/sources',
    summary: 'GitHub sources: stars poller, refresh schedule, rate limit, App installations',
    responses: { 200: { description: 'status', schema: sourcesStatusSchema } },
  };
  return { reconcile, sourcesStatus };
}

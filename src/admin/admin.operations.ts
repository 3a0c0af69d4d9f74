import type { z } from 'zod';
import {
  containerActionListSchema,
  containerActionSchema,
  containerActionsQuery,
  containerListSchema,
  containerParams,
  containerRepoParams,
  planQuery,
  rebuildQuery,
  rebuildSchema,
  repositoryRestartSchema,
  restartPlanSchema,
  retrySchema,
} from '../containers/containers.schemas.js';
import { historyOperations } from '../history/history.operations.js';
import { keyOperations } from '../keys/keys.operations.js';
import { sourceOperations } from '../sources/sources.operations.js';
import {
  addMirrorBody,
  deletedSchema,
  deleteMirrorQuery,
  deliveryListSchema,
  listDeliveriesQuery,
  listMirrorsQuery,
  mirrorLfsBody,
  mirrorListSchema,
  mirrorOptionsSchema,
  mirrorSchema,
  repoParams,
  retriedSchema,
  runListSchema,
  runsQuery,
  setMirrorOptionsBody,
  syncOutcomeSchema,
} from './admin.schemas.js';
import type { Operation, ResponseSpec } from './operation.js';

type AnyObject = z.ZodObject;

const op = <
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  operation: Operation<P, Q, B>,
) => operation;

const notFound: ResponseSpec = { description: 'no mirror of that repository' };
const MIRROR = '/api/v1/mirrors/{owner}/{name}';

export const operations = {
  openapi: op({
    operationId: 'getOpenApi',
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This OpenAPI document (no authentication)',
    auth: false,
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  }),
  listMirrors: op({
    operationId: 'listMirrors',
    method: 'get',
    path: '/api/v1/mirrors',
    summary: 'List mirrors, filtered by status and name, one page at a time',
    query: listMirrorsQuery,
    responses: {
      200: { description: 'one page of mirrors, ordered by name', schema: mirrorListSchema },
    },
  }),
  addMirror: op({
    operationId: 'addMirror',
    method: 'post',
    path: '/api/v1/mirrors',
    summary: 'Mirror a GitHub repository (looked up on GitHub; source manual)',
    description:
      'The repository is given as owner/name, never as a URL: clone URLs are built from the configured GitHub base only. A new mirror is due for sync at once.',
    body: addMirrorBody,
    responses: {
      200: {
        description: 'the repository was already mirrored (a sync was requested)',
        schema: mirrorSchema,
      },
      201: { description: 'mirror created and queued', schema: mirrorSchema },
      404: { description: 'not found on GitHub, or private and GITHUB_TOKEN cannot see it' },
      413: { description: 'request body too large' },
      502: { description: 'GitHub failed or rejected GITHUB_TOKEN' },
    },
  }),
  retryFailed: op({
    operationId: 'retryFailed',
    method: 'post',
    path: '/api/v1/mirrors/retry-failed',
    summary: 'Retry every failed mirror (attempts reset, due now)',
    responses: {
      202: { description: 'how many mirrors were asked to sync', schema: retriedSchema },
    },
  }),
  getMirror: op({
    operationId: 'getMirror',
    method: 'get',
    path: MIRROR,
    summary: 'One mirror',
    params: repoParams,
    responses: { 200: { description: 'the mirror', schema: mirrorSchema }, 404: notFound },
  }),
  syncMirror: op({
    operationId: 'syncMirror',
    method: 'post',
    path: `${MIRROR}/sync`,
    summary: 'Sync now, whatever the status (also a failed or paused mirror)',
    params: repoParams,
    responses: { 202: { description: 'sync requested', schema: syncOutcomeSchema }, 404: notFound },
  }),
  retryMirror: op({
    operationId: 'retryMirror',
    method: 'post',
    path: `${MIRROR}/retry`,
    summary: 'Reset the attempts and last error of a failed or retrying mirror, and sync it',
    params: repoParams,
    responses: {
      202: { description: 'sync requested', schema: syncOutcomeSchema },
      404: notFound,
      409: { description: 'the mirror is neither failed nor retrying' },
    },
  }),
  deleteMirror: op({
    operationId: 'deleteMirror',
    method: 'delete',
    path: MIRROR,
    summary: 'Stop mirroring; with deleteProject=true also delete the OneDev project',
    description:
      'Without deleteProject the OneDev project is left as it is. With it, the project is deleted first; if OneDev fails, the mirror is kept and the error answered.',
    params: repoParams,
    query: deleteMirrorQuery,
    responses: {
      200: { description: 'deleted', schema: deletedSchema },
      404: notFound,
      409: { description: 'deleteProject while the mirror is syncing' },
      502: { description: 'OneDev failed to delete the project; the mirror was kept' },
    },
  }),
  setMirrorLfs: op({
    operationId: 'setMirrorLfs',
    method: 'post',
    path: `${MIRROR}/lfs`,
    summary: "Turn LFS mirroring on or off for one mirror, or back to MIRROR_LFS's default",
    description:
      'Applied by the next sync whose refs changed (a sync of unchanged refs ends before the LFS step). Turning it on brings every LFS object across; turning it off leaves the objects already in OneDev.',
    params: repoParams,
    body: mirrorLfsBody,
    responses: {
      200: { description: 'the mirror with its new setting', schema: mirrorSchema },
      404: notFound,
    },
  }),
  listRuns: op({
    operationId: 'listRuns',
    method: 'get',
    path: `${MIRROR}/runs`,
    summary: 'The sync run ledger of a mirror, newest first',
    params: repoParams,
    query: runsQuery,
    responses: {
      200: { description: 'runs with result, duration and refs moved', schema: runListSchema },
      404: notFound,
    },
  }),
  ...controlOperations(),
  listDeliveries: op({
    operationId: 'listDeliveries',
    method: 'get',
    path: '/api/v1/deliveries',
    summary: 'Webhook deliveries received and what became of them, newest first',
    query: listDeliveriesQuery,
    responses: { 200: { description: 'one page of deliveries', schema: deliveryListSchema } },
  }),
  ...containerOperations(),
  ...sourceOperations(),
  ...historyOperations(),
  ...keyOperations(),
};

/** Pause, resume and per-mirror options: an operator's control of one mirror. */
function controlOperations() {
  return {
    pauseMirror: op({
      operationId: 'pauseMirror',
      method: 'post',
      path: `${MIRROR}/pause`,
      summary: 'Pause a mirror: no syncs (and so no container restarts) until it is resumed',
      description:
        'Stored with who paused it (admin API) and when. A running sync loses its lease and is not recorded as the mirror state. Pausing a paused mirror changes nothing.',
      params: repoParams,
      responses: { 200: { description: 'the paused mirror', schema: mirrorSchema }, 404: notFound },
    }),
    resumeMirror: op({
      operationId: 'resumeMirror',
      method: 'post',
      path: `${MIRROR}/resume`,
      summary: 'Resume a mirror an operator paused: due for a sync at once',
      params: repoParams,
      responses: {
        200: { description: 'the resumed mirror', schema: mirrorSchema },
        404: notFound,
        409: { description: 'no operator paused it (an unstarred mirror resumes when starred)' },
      },
    }),
    getMirrorOptions: op({
      operationId: 'getMirrorOptions',
      method: 'get',
      path: `${MIRROR}/options`,
      summary: "The mirror's own options, overriding the global settings, with who set them",
      params: repoParams,
      responses: {
        200: { description: 'options set', schema: mirrorOptionsSchema },
        404: notFound,
      },
    }),
    setMirrorOptions: op({
      operationId: 'setMirrorOptions',
      method: 'post',
      path: `${MIRROR}/options`,
      summary: 'Set or clear (null) options of one mirror; options left out are kept',
      params: repoParams,
      body: setMirrorOptionsBody,
      responses: {
        200: { description: 'options now set', schema: mirrorOptionsSchema },
        400: { description: 'a value out of range; nothing was changed' },
        404: notFound,
      },
    }),
  };
}

/** `/api/v1/containers…`: only containers carrying the restart label exist here. */
function containerOperations() {
  const engineDown: ResponseSpec = {
    description: 'no container engine, or it failed; the message says what to do',
  };
  const action = (verb: 'start' | 'stop' | 'restart', summary: string) =>
    op({
      operationId: `${verb}Container`,
      method: 'post',
      path: `/api/v1/containers/{id}/${verb}`,
      summary,
      params: containerParams,
      responses: {
        200: { description: 'done', schema: containerActionSchema },
        404: { description: 'no labelled container with that id or name' },
        409: { description: "Starbridge's own container (never stopped or restarted)" },
        502: { description: 'the engine or a socket proxy refused (403) or failed' },
        503: engineDown,
      },
    });
  return {
    listContainers: op({
      operationId: 'listContainers',
      method: 'get',
      path: '/api/v1/containers',
      summary: 'Labelled containers: state, health, repositories followed, last restart',
      responses: {
        200: { description: 'engine status and containers', schema: containerListSchema },
      },
    }),
    listContainerActions: op({
      operationId: 'listContainerActions',
      method: 'get',
      path: '/api/v1/containers/actions',
      summary: 'Recorded restarts, starts, stops and rebuilds (with output), newest first',
      query: containerActionsQuery,
      responses: {
        200: { description: 'the latest actions', schema: containerActionListSchema },
        503: { description: 'the container feature is not running' },
      },
    }),
    planContainerRestarts: op({
      operationId: 'planContainerRestarts',
      method: 'get',
      path: '/api/v1/containers/plan',
      summary:
        'Which containers a change of a repository would restart, in which order, and why each is or is not included',
      query: planQuery,
      responses: {
        200: { description: 'the plan; nothing is restarted', schema: restartPlanSchema },
        400: { description: 'repo, branch or commits malformed; paths and from/to mixed' },
        404: { description: 'a commit range for a repository that is not mirrored' },
        503: engineDown,
      },
    }),
    startContainer: action('start', 'Start a labelled container'),
    stopContainer: action('stop', 'Stop a labelled container'),
    restartContainer: action('restart', 'Restart a labelled container and wait until it runs'),
    restartRepositoryContainers: op({
      operationId: 'restartRepositoryContainers',
      method: 'post',
      path: '/api/v1/containers/repository/{owner}/{name}/restart',
      summary: 'Update the working copy and restart every container following a repository',
      params: containerRepoParams,
      responses: {
        200: { description: 'one result per container', schema: repositoryRestartSchema },
        503: engineDown,
      },
    }),
    retryContainer: op({
      operationId: 'retryContainer',
      method: 'post',
      path: '/api/v1/containers/{id}/retry',
      summary:
        'After a rollback: move the held working copies this container follows to the head and restart their followers',
      params: containerParams,
      responses: {
        200: { description: 'the repositories released and each restart', schema: retrySchema },
        404: { description: 'no labelled container with that id or name' },
        409: { description: 'no working copy it follows is held after a rollback' },
        503: engineDown,
      },
    }),
    rebuildContainers: op({
      operationId: 'rebuildContainers',
      method: 'post',
      path: '/api/v1/containers/rebuild',
      summary: 'Run COMPOSE_COMMAND up -d --build, for one labelled service or all',
      query: rebuildQuery,
      responses: {
        200: { description: 'exit code and output of the compose command', schema: rebuildSchema },
        404: { description: 'no labelled container belongs to that compose service' },
        503: { description: 'COMPOSE_COMMAND is not set' },
      },
    }),
  };
}

/** Hono's form of an OpenAPI path: `{owner}` → `:owner`. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

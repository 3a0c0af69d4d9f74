import { z } from 'zod';
import type { Mirror } from '../mirrors/mirror.js';
import { ERROR_CODES } from '../shared/errors.js';
import type { SyncRun } from '../sync/run.js';

/**
 * Every request and response of the admin API, defined once: the routes validate with
 * them and the OpenAPI document is generated from them. Named models are registered
 * in `models` and appear under `components.schemas`.
 */
export const models = z.registry<{ id: string }>();

const timestamp = z.string().describe('ISO-8601 UTC');
const count = z.number().int().min(0);

export const mirrorStatus = z.enum(['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused']);

export const errorSchema = z
  .object({
    error: z.object({
      code: z
        .enum(ERROR_CODES)
        .describe(
          'what kind of error (docs/admin-api.md explains each); match on it, not on the message',
        ),
      message: z.string().describe('what went wrong and what to do'),
    }),
  })
  .describe('Every error answer has this shape.');
models.add(errorSchema, { id: 'Error' });

export const mirrorSchema = z.object({
  githubId: z.number().int().describe("GitHub's numeric repository id (survives renames)"),
  fullName: z.string().describe('owner/name as on GitHub'),
  owner: z.string(),
  name: z.string(),
  status: mirrorStatus,
  source: z.enum(['star', 'webhook', 'manual', 'installation']),
  starred: z.boolean(),
  private: z.boolean(),
  onedevPath: z.string().nullable(),
  onedevProjectId: z.number().int().nullable(),
  onedevName: z
    .string()
    .nullable()
    .describe('set when the GitHub name had to change to be a valid OneDev name'),
  defaultBranch: z.string().nullable(),
  attempts: count.describe('failed attempts since the last success'),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  lastSyncedAt: timestamp.nullable(),
  lastAttemptAt: timestamp.nullable(),
  nextAttemptAt: timestamp.nullable().describe('when the mirror is due (queued or retrying)'),
  pausedReason: z.string().nullable().optional().describe('why a paused mirror is paused'),
  archived: z
    .boolean()
    .optional()
    .describe('archived on GitHub: no longer refreshed on a schedule'),
  nextRefreshAt: timestamp.nullable().optional().describe('next comparison with git ls-remote'),
  refreshEveryMs: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe(
      'current refresh interval in milliseconds: shorter after changes, longer when quiet or failing; null before the first check',
    ),
  refreshOutcome: z
    .string()
    .nullable()
    .optional()
    .describe(
      'what the last refresh check or sync found: changed, synced, quiet, failed, gone, auth',
    ),
  onedevConflict: z
    .string()
    .nullable()
    .optional()
    .describe('a GitHub rename the OneDev project could not follow (the new path is taken)'),
  pausedBy: z
    .string()
    .nullable()
    .optional()
    .describe('who paused the mirror by hand (dashboard or admin API); null when nobody did'),
  pausedAt: timestamp.nullable().optional().describe('when it was paused by hand'),
  wiki: z
    .object({
      status: z.enum(['synced', 'absent', 'failed']),
      onedevPath: z.string().nullable().describe('the child project, <project>/wiki'),
      lastSyncedAt: timestamp.nullable().describe("the wiki's own freshness"),
      lastError: z.string().nullable(),
    })
    .nullable()
    .optional()
    .describe(
      "the repository's GitHub wiki (MIRROR_WIKIS): synced, absent (GitHub serves no wiki git repository) or failed; null before a sync looked; only on the single-mirror answer",
    ),
  sourceGone: z
    .object({ at: timestamp, reason: z.string() })
    .nullable()
    .optional()
    .describe(
      'source gone: GitHub answers 404 or 451 for the repository (deleted, blocked, or private to the token); the mirror and its OneDev project are kept and no longer synced',
    ),
  lfs: z
    .enum(['on', 'off'])
    .nullable()
    .optional()
    .describe("this mirror's LFS setting; null follows MIRROR_LFS"),
  createdAt: timestamp,
  updatedAt: timestamp,
});
models.add(mirrorSchema, { id: 'Mirror' });

const refChangeSchema = z.object({
  ref: z.string(),
  kind: z.enum(['created', 'updated', 'forced', 'deleted']),
  old: z.string().nullable(),
  new: z.string().nullable(),
});

const driftSchema = z.object({
  refs: z
    .array(
      z.object({
        ref: z.string(),
        kind: z.enum(['added', 'moved', 'deleted']),
        expected: z.string().nullable().describe('what Starbridge last pushed (null: no such ref)'),
        found: z.string().nullable().describe('what OneDev had instead (null: deleted)'),
      }),
    )
    .describe('the refs that differed, old (expected) → new (found)'),
  restored: z.boolean().describe('whether the run put the source refs back'),
});

export const syncRunSchema = z.object({
  id: z.string(),
  githubId: z.number().int(),
  trigger: z.string(),
  attempt: z.number().int(),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  durationMs: z.number().nullable(),
  result: z.enum(['running', 'synced', 'unchanged', 'empty', 'retrying', 'failed', 'aborted']),
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  refs: z.array(refChangeSchema).describe('refs moved on OneDev, old → new'),
  containers: z.array(z.unknown()),
  phase: z
    .enum(['comparing', 'fetching', 'pushing', 'verifying'])
    .nullable()
    .describe('the step a running sync is in; for a finished run, the last step it reached'),
  quickRetries: z
    .number()
    .int()
    .describe(
      'how many calls of the run failed in a way that passes and were retried within seconds (0 while running)',
    ),
  drift: driftSchema
    .nullable()
    .describe(
      "OneDev's heads and tags differed from what Starbridge last pushed (someone changed the mirror); null when they did not",
    ),
  lfs: z
    .object({
      objects: z.number().int().describe('LFS objects uploaded to OneDev by this run'),
      bytes: z.number().int().describe('their size in bytes'),
      totalObjects: z
        .number()
        .int()
        .describe("LFS objects the mirror's branches and tags point at"),
      totalBytes: z.number().int().describe('their size in bytes'),
    })
    .nullable()
    .describe(
      'what the LFS step did; null when the run had none (LFS mirroring off, or nothing changed)',
    ),
  bytes: z
    .object({
      fetched: z.number().int().describe('pack bytes git fetched from GitHub'),
      pushed: z.number().int().describe('pack bytes git pushed to OneDev'),
    })
    .nullable()
    .describe(
      "what the run's git transfers moved: the packs added to the cache, and the pack pushed as git's progress reported it (LFS objects not included); null for failed runs",
    ),
});
models.add(syncRunSchema, { id: 'SyncRun' });

export const deliverySchema = z.object({
  id: z.string(),
  hookId: z.string(),
  deliveryId: z.string().describe('X-GitHub-Delivery'),
  event: z.string(),
  action: z.string().nullable(),
  githubId: z.number().int().nullable(),
  repository: z.string().nullable(),
  outcome: z.string(),
  detail: z.string().nullable(),
  receivedAt: timestamp,
});
models.add(deliverySchema, { id: 'Delivery' });

// Compile-time checks that the schemas describe what the services return.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _mirrorMatches: Same<z.infer<typeof mirrorSchema>, Mirror> = true;
const _runMatches: Same<z.infer<typeof syncRunSchema>, SyncRun> = true;
void _mirrorMatches;
void _runMatches;

// --- requests ---------------------------------------------------------------------------

const page = (max: number, fallback: number) => ({
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback),
  offset: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .default(0),
});

export const repoParams = z.object({
  owner: z.string().describe('GitHub owner (case-insensitive)'),
  name: z.string().describe('GitHub repository name (case-insensitive)'),
});

export const listMirrorsQuery = z.object({
  status: mirrorStatus.optional(),
  q: z
    .string()
    .max(200, 'must be at most 200 characters')
    .optional()
    .describe('matches anywhere in owner/name, case-insensitive'),
  sort: z
    .enum(['name', 'onedev', 'status', 'source', 'last_sync', 'next_attempt'], {
      error: 'must be one of name, onedev, status, source, last_sync, next_attempt',
    })
    .default('name')
    .describe('the column to order by; ties by name'),
  direction: z
    .enum(['asc', 'desc'], { error: 'must be asc or desc' })
    .default('asc')
    .describe('ascending or descending'),
  ...page(200, 50),
});

export const addMirrorBody = z.strictObject({
  repo: z
    .string({ error: 'is required: the GitHub repository as owner/name' })
    .min(1, 'must not be empty')
    .max(300, 'is too long')
    .describe('owner/name, for example octocat/hello-world (not a URL)'),
});
models.add(addMirrorBody, { id: 'AddMirror' });

export const mirrorLfsBody = z.strictObject({
  lfs: z
    .enum(['on', 'off', 'default'], { error: 'must be on, off or default' })
    .describe('on or off for this mirror; default follows MIRROR_LFS'),
});
models.add(mirrorLfsBody, { id: 'MirrorLfs' });

export const deleteMirrorQuery = z.object({
  deleteProject: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true')
    .describe('also delete the OneDev project (its repository and everything in it)'),
});

export const runsQuery = z.object({ limit: page(200, 50).limit });

export const listDeliveriesQuery = z.object({
  event: z.string().max(100).optional().describe('X-GitHub-Event, e.g. push'),
  outcome: z
    .string()
    .max(100)
    .optional()
    .describe('what became of the delivery, e.g. queued, ignored'),
  ...page(200, 50),
});

// --- responses --------------------------------------------------------------------------

export const mirrorListSchema = z.object({
  mirrors: z.array(mirrorSchema),
  total: count.describe('mirrors matching the filter, on all pages'),
  limit: count,
  offset: count,
});
models.add(mirrorListSchema, { id: 'MirrorList' });

export const syncOutcomeSchema = z.object({
  outcome: z
    .enum(['queued', 'coalesced', 'ignored_failed', 'ignored_paused', 'not_found'])
    .describe('queued: due now; coalesced: joined a sync already due or running'),
});
models.add(syncOutcomeSchema, { id: 'SyncOutcome' });

export const retriedSchema = z.object({ retried: count.describe('failed mirrors asked to sync') });
models.add(retriedSchema, { id: 'RetryFailedResult' });

export const deletedSchema = z.object({
  deleted: z.literal(true),
  projectDeleted: z.boolean().describe('whether the OneDev project was deleted too'),
});
models.add(deletedSchema, { id: 'DeleteResult' });

export const runListSchema = z.object({ runs: z.array(syncRunSchema) });
models.add(runListSchema, { id: 'RunList' });

export const deliveryListSchema = z.object({
  deliveries: z.array(deliverySchema),
  total: count,
  limit: count,
  offset: count,
});
models.add(deliveryListSchema, { id: 'DeliveryList' });

// --- an operator's control of a mirror ----------------------------------------------------

const optionValueSchema = z.object({
  value: z.unknown(),
  updatedBy: z.string().describe('who set it'),
  updatedAt: timestamp,
});

export const mirrorOptionsSchema = z
  .object({
    refreshIntervalMs: optionValueSchema
      .optional()
      .describe('milliseconds between checks with git ls-remote; absent: REFRESH_INTERVAL'),
    lfs: optionValueSchema
      .optional()
      .describe('true: mirror LFS objects, false: refs only; absent: MIRROR_LFS'),
    wiki: optionValueSchema
      .optional()
      .describe("true: follow the repository's wiki, false: not; absent: MIRROR_WIKIS"),
  })
  .describe('options set on this mirror; an absent option means the global setting applies');
models.add(mirrorOptionsSchema, { id: 'MirrorOptions' });

export const setMirrorOptionsBody = z.strictObject({
  refreshIntervalMs: z
    .number({ error: 'must be a number of milliseconds, or null for the global setting' })
    .int('must be a whole number of milliseconds')
    .nullable()
    .optional()
    .describe('60000 (1 minute) to 604800000 (7 days); null returns to REFRESH_INTERVAL'),
  lfs: z
    .boolean({ error: 'must be true or false, or null for the global setting' })
    .nullable()
    .optional()
    .describe('mirror LFS objects (true) or refs only (false); null returns to MIRROR_LFS'),
  wiki: z
    .boolean({ error: 'must be true or false, or null for the global setting' })
    .nullable()
    .optional()
    .describe(
      "follow the repository's GitHub wiki (true) or not (false); null returns to MIRROR_WIKIS",
    ),
});
models.add(setMirrorOptionsBody, { id: 'SetMirrorOptions' });

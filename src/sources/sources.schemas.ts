import { z } from 'zod';
import { models } from '../admin/admin.schemas.js';
import type { SourcesStatus } from '../github/sources.types.js';

/** Requests and answers of the GitHub sources in the admin API (`/api/v1/reconcile`, `/api/v1/sources`). */

const timestamp = z.string().describe('ISO-8601 UTC');
const repoRef = z.object({ githubId: z.number().int(), fullName: z.string() });

export const reconcileQuery = z.object({
  dryRun: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true')
    .describe('only list what would change (to add, to unstar, unchanged); change nothing'),
});

export const reconcilePlanSchema = z.object({
  toAdd: z.array(repoRef).describe('starred but not mirrored yet (or starred again)'),
  deferred: z.array(repoRef).describe('over STARS_MAX_NEW_PER_RUN: left for the next run'),
  toUnstar: z.array(repoRef).describe('mirrored as starred, no longer starred'),
  renamed: z.array(repoRef.extend({ from: z.string() })),
  regrouped: z
    .array(repoRef.extend({ list: z.string().nullable(), parent: z.string().nullable() }))
    .optional()
    .describe('GITHUB_STAR_LISTS: mirrors now in another list; a new parent moves the project'),
  unchanged: z.number().int().min(0),
  removalsConsidered: z
    .boolean()
    .describe('false when the listing was partial or empty: nothing is unstarred from it'),
});
models.add(reconcilePlanSchema, { id: 'ReconcilePlan' });

export const reconcileSchema = z.object({
  dryRun: z.boolean(),
  result: z.string().optional().describe('what the run did (absent for a dry run)'),
  plan: reconcilePlanSchema.nullable(),
});
models.add(reconcileSchema, { id: 'ReconcileResult' });

export const sourcesStatusSchema = z.object({
  starsPoll: z.object({
    enabled: z.boolean(),
    user: z.string().optional(),
    lastAt: timestamp.nullable(),
    lastResult: z.string().nullable(),
    nextAt: timestamp.nullable(),
    pausedReason: z
      .string()
      .optional()
      .describe('set while the poller is stopped (e.g. token rejected)'),
    lists: z
      .array(
        z.object({
          list: z.string().describe('as written in GITHUB_STAR_LISTS'),
          slug: z.string().optional(),
          parent: z.string().optional().describe('OneDev parent below the root project'),
          stars: z.number().describe('stars this list selected at the last walk'),
          missing: z.boolean().optional().describe('GitHub shows no such list for the user'),
        }),
      )
      .optional()
      .describe('GITHUB_STAR_LISTS: the lists followed'),
  }),
  refresh: z.object({ lastAt: timestamp.nullable(), nextAt: timestamp.nullable() }),
  rateLimit: z.object({ limit: z.number(), remaining: z.number(), resetAt: timestamp }).nullable(),
  tokenExpiresAt: timestamp
    .nullable()
    .optional()
    .describe('when GitHub says GITHUB_TOKEN expires (null when it never said)'),
  app: z.object({ enabled: z.boolean(), installations: z.number().int().min(0) }),
});
models.add(sourcesStatusSchema, { id: 'SourcesStatus' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _statusMatches: Same<z.infer<typeof sourcesStatusSchema>, SourcesStatus> = true;
void _statusMatches;

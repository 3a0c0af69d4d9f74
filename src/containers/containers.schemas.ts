import { z } from 'zod';
import { models } from '../admin/admin.schemas.js';

/** Requests and answers of `/api/v1/containers…`, registered with the admin models. */
export const containerParams = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .describe('container id (or a unique prefix of at least 4) or name'),
});

export const containerRepoParams = z.object({
  owner: z.string().min(1).max(100).describe('GitHub owner'),
  name: z.string().min(1).max(100).describe('GitHub repository name'),
});

export const planQuery = z
  .object({
    repo: z.string().min(3).max(201).describe('owner/name of the repository that would change'),
    branch: z
      .string()
      .max(255)
      .optional()
      .describe("the branch that moves (default: the mirror's default branch)"),
    paths: z
      .string()
      .max(8000)
      .optional()
      .describe('comma-separated files the change touches, to evaluate entries scoped to paths'),
    from: z
      .string()
      .max(64)
      .optional()
      .describe('with `to`: a commit range of the mirror, diffed in its cache'),
    to: z.string().max(64).optional(),
  })
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: 'from and to go together',
    path: ['to'],
  })
  .refine((q) => !(q.paths !== undefined && q.from !== undefined), {
    message: 'give either paths or from/to, not both',
    path: ['paths'],
  });

export const rebuildQuery = z.object({
  service: z
    .string()
    .max(100)
    .optional()
    .describe('compose service to rebuild; all services of COMPOSE_FILE when absent'),
});

export const containerActionsQuery = z.object({
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(200, 'must be at most 200')
    .default(50),
  kind: z
    .enum(['restart', 'start', 'stop', 'rebuild', 'rollback'])
    .optional()
    .describe('only actions of this kind'),
});

const lastRestart = z
  .object({ at: z.string(), result: z.string(), message: z.string().optional() })
  .nullable();

export const labelledContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string().describe('running, exited, restarting, paused, created…'),
  health: z.string().nullable().describe('healthy, unhealthy, starting; null without a check'),
  follows: z.array(z.object({ repo: z.string(), branch: z.string().optional() })),
  lastRestart: lastRestart.describe('the latest recorded restart of a container of this name'),
  heldBack: z
    .array(z.object({ repository: z.string(), badCommit: z.string(), goodCommit: z.string() }))
    .optional()
    .describe(
      'working copies it follows that were rolled back: held on goodCommit while the branch is on badCommit',
    ),
});
models.add(labelledContainerSchema, { id: 'LabelledContainer' });

export const containerListSchema = z.object({
  engine: z.object({
    available: z.boolean(),
    message: z.string().optional(),
    engine: z.string().optional(),
    apiVersion: z.string().optional(),
  }),
  containers: z.array(labelledContainerSchema),
});
models.add(containerListSchema, { id: 'ContainerList' });

export const containerActionSchema = z.object({
  container: z.string(),
  action: z.enum(['start', 'stop', 'restart']),
});
models.add(containerActionSchema, { id: 'ContainerAction' });

export const repositoryRestartSchema = z.object({
  repository: z.string(),
  results: z.array(
    z.object({
      container: z.string(),
      result: z
        .string()
        .describe(
          'restarted, unhealthy, not_running, crash_looping, gone, failed, timeout, skipped',
        ),
      health: z
        .enum(['healthy', 'running', 'crash-looping', 'unhealthy', 'timeout'])
        .optional()
        .describe('what the health wait saw'),
      message: z.string().optional(),
    }),
  ),
});
models.add(repositoryRestartSchema, { id: 'RepositoryRestart' });

export const restartPlanSchema = z.object({
  repository: z.string(),
  branch: z.string().nullable().describe('the branch whose move is evaluated'),
  files: z
    .enum(['given', 'range', 'unknown'])
    .describe('changed files: given as paths, from the commit range, or unknown (any change)'),
  containers: z.array(
    z.object({
      name: z.string(),
      id: z.string(),
      included: z.boolean(),
      reason: z.string().describe('why it is or is not included'),
      wave: z.number().int().nullable().describe('1 restarts first; null: not included'),
      after: z.array(z.string()).describe('included containers whose health wait it waits for'),
    }),
  ),
  heldBack: z
    .object({ badCommit: z.string(), goodCommit: z.string() })
    .optional()
    .describe('the working copy is held on goodCommit after a rollback'),
});
models.add(restartPlanSchema, { id: 'RestartPlan' });

export const retrySchema = z.object({
  repositories: z.array(z.string()).describe('the repositories whose rollback hold was lifted'),
  results: repositoryRestartSchema.shape.results,
});
models.add(retrySchema, { id: 'ContainerRetry' });

export const rebuildSchema = z.object({
  exitCode: z.number().int(),
  output: z.string().describe('the tail (64 KiB) of the compose command output'),
});
models.add(rebuildSchema, { id: 'RebuildResult' });

export const containerActionRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(['restart', 'start', 'stop', 'rebuild', 'rollback']),
  container: z
    .string()
    .nullable()
    .describe('container name; for a rebuild the compose service (null: all services)'),
  containerId: z.string().nullable(),
  repository: z
    .string()
    .nullable()
    .describe('owner/name when a sync or a repository restart caused it'),
  result: z
    .string()
    .describe(
      'restart: restarted, unhealthy, not_running, crash_looping, gone, failed, timeout, skipped; start/stop: done, failed; rebuild: succeeded, failed; rollback: the health wait of the restart after it',
    ),
  health: z
    .string()
    .nullable()
    .describe('a restart: healthy, running, crash-looping, unhealthy or timeout'),
  fromCommit: z.string().nullable().describe('a rollback: the commit the working copy left'),
  toCommit: z.string().nullable().describe('a rollback: the commit it was put back to'),
  message: z.string().nullable(),
  output: z
    .string()
    .nullable()
    .describe('a rebuild: the tail (64 KiB) of the compose output, secrets redacted'),
  exitCode: z.number().int().nullable().describe('a rebuild: the compose exit code'),
  startedAt: z.string(),
  finishedAt: z.string(),
});
models.add(containerActionRecordSchema, { id: 'ContainerActionRecord' });

export const containerActionListSchema = z.object({
  actions: z.array(containerActionRecordSchema),
});
models.add(containerActionListSchema, { id: 'ContainerActionList' });

import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import { register } from '../admin/admin-route.js';
import { NotConfiguredError } from '../shared/errors.js';
import type { ContainerService, PlanRequest } from './container.service.types.js';
import type {
  containerActionListSchema,
  containerActionSchema,
  containerListSchema,
  planQuery,
  rebuildSchema,
  repositoryRestartSchema,
  restartPlanSchema,
  retrySchema,
} from './containers.schemas.js';

/** `/api/v1/containers…`: labelled containers only; anything else is 404. */
export function containersRoutes(service: ContainerService | undefined): Hono {
  const app = new Hono();
  const use = (): ContainerService => {
    if (!service) throw new NotConfiguredError('the container feature is not running');
    return service;
  };

  register(app, ops.listContainers, async (_input, c) => {
    const containers = use();
    const engine = await containers.status();
    const list = engine.available ? await containers.list() : [];
    return c.json({ engine, containers: list } satisfies z.infer<typeof containerListSchema>);
  });

  register(app, ops.listContainerActions, async ({ query }, c) => {
    const containers = use();
    if (!containers.actions) throw new NotConfiguredError('container actions are not recorded');
    const actions = await containers.actions({
      limit: query.limit,
      ...(query.kind ? { kind: query.kind } : {}),
    });
    return c.json({ actions } satisfies z.infer<typeof containerActionListSchema>);
  });

  register(app, ops.rebuildContainers, async ({ query }, c) =>
    c.json((await use().rebuild(query.service)) satisfies z.infer<typeof rebuildSchema>),
  );

  register(app, ops.planContainerRestarts, async ({ query }, c) => {
    const containers = use();
    if (!containers.plan) throw new NotConfiguredError('restart plans are not available here');
    const plan = await containers.plan(planRequest(query));
    return c.json(plan satisfies z.infer<typeof restartPlanSchema>);
  });

  register(app, ops.retryContainer, async ({ params }, c) => {
    const containers = use();
    if (!containers.retry) throw new NotConfiguredError('rollbacks are not available here');
    return c.json((await containers.retry(params.id)) satisfies z.infer<typeof retrySchema>);
  });

  register(app, ops.restartRepositoryContainers, async ({ params }, c) => {
    const repository = `${params.owner}/${params.name}`;
    const results = await use().restartRepository(repository);
    return c.json({ repository, results } satisfies z.infer<typeof repositoryRestartSchema>);
  });

  for (const action of ['start', 'stop', 'restart'] as const) {
    const operation = {
      start: ops.startContainer,
      stop: ops.stopContainer,
      restart: ops.restartContainer,
    }[action];
    register(app, operation, async ({ params }, c) => {
      await use()[action](params.id);
      return c.json({ container: params.id, action } satisfies z.infer<
        typeof containerActionSchema
      >);
    });
  }
  return app;
}

/** The plan asked for by query (API) or flags (CLI): paths are comma-separated. */
export function planRequest(query: z.infer<typeof planQuery>): PlanRequest {
  const paths = query.paths
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    repository: query.repo,
    ...(query.branch ? { branch: query.branch } : {}),
    ...(paths ? { paths } : {}),
    ...(query.from && query.to ? { range: { from: query.from, to: query.to } } : {}),
  };
}

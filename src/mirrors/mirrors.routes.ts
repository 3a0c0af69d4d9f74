import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import type {
  deletedSchema,
  mirrorListSchema,
  mirrorOptionsSchema,
  mirrorSchema,
  retriedSchema,
  runListSchema,
  syncOutcomeSchema,
} from '../admin/admin.schemas.js';
import type { AdminService } from '../admin/admin.service.js';
import { register } from '../admin/admin-route.js';
import { PayloadTooLargeError } from '../shared/errors.js';

/** An admin request body is a few hundred bytes at most. */
const MAX_BODY_BYTES = 16 * 1024;

/** `/api/v1/mirrors…`: validate (in `register`), call the admin service, shape the answer. */
export function mirrorsRoutes(service: AdminService): Hono {
  const app = new Hono();
  app.use(
    '/api/v1/mirrors/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  register(app, ops.listMirrors, async ({ query }, c) =>
    c.json((await service.listMirrors(query)) satisfies z.infer<typeof mirrorListSchema>),
  );

  register(app, ops.addMirror, async ({ body }, c) => {
    const { created, mirror } = await service.addMirror(body.repo);
    return c.json(mirror satisfies z.infer<typeof mirrorSchema>, created ? 201 : 200);
  });

  // Before the `{owner}/{name}` routes only for readability: it has one segment, they have two.
  register(app, ops.retryFailed, async (_input, c) =>
    c.json({ retried: await service.retryFailed() } satisfies z.infer<typeof retriedSchema>, 202),
  );

  register(app, ops.getMirror, async ({ params }, c) =>
    c.json(
      (await service.getMirror(params.owner, params.name)) satisfies z.infer<typeof mirrorSchema>,
    ),
  );

  register(app, ops.syncMirror, async ({ params }, c) => {
    const outcome = await service.syncMirror(params.owner, params.name);
    return c.json({ outcome } satisfies z.infer<typeof syncOutcomeSchema>, 202);
  });

  register(app, ops.retryMirror, async ({ params }, c) => {
    const outcome = await service.retryMirror(params.owner, params.name);
    return c.json({ outcome } satisfies z.infer<typeof syncOutcomeSchema>, 202);
  });

  register(app, ops.deleteMirror, async ({ params, query }, c) => {
    const result = await service.deleteMirror(params.owner, params.name, query.deleteProject);
    return c.json(result satisfies z.infer<typeof deletedSchema>);
  });

  // The admin token is one shared secret: the API is the actor, not a person.
  const actor = 'admin API';
  register(app, ops.pauseMirror, async ({ params }, c) =>
    c.json(
      (await service.pauseMirror(params.owner, params.name, actor)) satisfies z.infer<
        typeof mirrorSchema
      >,
    ),
  );
  register(app, ops.resumeMirror, async ({ params }, c) =>
    c.json(
      (await service.resumeMirror(params.owner, params.name, actor)) satisfies z.infer<
        typeof mirrorSchema
      >,
    ),
  );
  register(app, ops.getMirrorOptions, async ({ params }, c) =>
    c.json(
      (await service.mirrorOptions(params.owner, params.name)) satisfies z.infer<
        typeof mirrorOptionsSchema
      >,
    ),
  );
  register(app, ops.setMirrorOptions, async ({ params, body }, c) =>
    c.json(
      (await service.setMirrorOptions(params.owner, params.name, body, actor)) satisfies z.infer<
        typeof mirrorOptionsSchema
      >,
    ),
  );
  register(app, ops.setMirrorLfs, async ({ params, body }, c) =>
    c.json(
      (await service.setMirrorLfs(params.owner, params.name, body.lfs, actor)) satisfies z.infer<
        typeof mirrorSchema
      >,
    ),
  );

  register(app, ops.listRuns, async ({ params, query }, c) => {
    const runs = await service.listRuns(params.owner, params.name, query.limit);
    return c.json({ runs } satisfies z.infer<typeof runListSchema>);
  });

  return app;
}

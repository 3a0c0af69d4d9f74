import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import { register } from '../admin/admin-route.js';
import { NotConfiguredError, NotFoundError } from '../shared/errors.js';
import type {
  keyDeletedSchema,
  mirrorKeySchema,
  sshKeyListSchema,
  sshKeySchema,
} from './keys.schemas.js';
import type { KeysService } from './keys.service.js';

/** `/api/v1/keys…` and a mirror's `…/ssh-key`: public keys only, never a private one. */
export function keysRoutes(
  service: KeysService | undefined,
  findMirror: (
    owner: string,
    name: string,
  ) => Promise<{ githubId: number; fullName: string } | undefined>,
): Hono {
  const app = new Hono();
  const keys = lazyKeys(service);

  register(app, ops.listKeys, async (_input, c) =>
    c.json({ keys: await keys.list() } satisfies z.infer<typeof sshKeyListSchema>),
  );

  register(app, ops.createKey, async ({ body }, c) =>
    c.json((await keys.create(body.name)) satisfies z.infer<typeof sshKeySchema>, 201),
  );

  register(app, ops.deleteKey, async ({ params }, c) => {
    await keys.remove(params.name);
    return c.json({ deleted: params.name } satisfies z.infer<typeof keyDeletedSchema>);
  });

  register(app, ops.getMirrorKey, async ({ params }, c) => {
    const mirror = await findMirror(params.owner, params.name);
    if (!mirror) throw new NotFoundError(`no mirror of ${params.owner}/${params.name}`);
    const key = await keys.keyOfMirror(mirror.githubId);
    return c.json({ repository: mirror.fullName, key } satisfies z.infer<typeof mirrorKeySchema>);
  });

  register(app, ops.setMirrorKey, async ({ params, body }, c) => {
    const key = await keys.setForMirror(params.owner, params.name, body.key);
    const repository = `${params.owner}/${params.name}`;
    return c.json({ repository, key } satisfies z.infer<typeof mirrorKeySchema>);
  });
  return app;
}

/** Without the keys feature every operation answers 503, as other absent features do. */
function lazyKeys(service: KeysService | undefined): KeysService {
  const off = (): never => {
    throw new NotConfiguredError('the SSH keys feature is not running');
  };
  return (
    service ?? {
      enabled: false,
      list: off,
      create: off,
      remove: off,
      setForMirror: off,
      keyOfMirror: off,
      privateKeyFor: off,
    }
  );
}

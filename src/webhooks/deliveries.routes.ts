import { Hono } from 'hono';
import type { z } from 'zod';
import { operations as ops } from '../admin/admin.operations.js';
import type { deliveryListSchema } from '../admin/admin.schemas.js';
import type { AdminService } from '../admin/admin.service.js';
import { register } from '../admin/admin-route.js';

/** `GET /api/v1/deliveries`: webhook deliveries and what became of them. */
export function deliveriesRoutes(service: AdminService): Hono {
  const app = new Hono();
  register(app, ops.listDeliveries, async ({ query }, c) =>
    c.json((await service.listDeliveries(query)) satisfies z.infer<typeof deliveryListSchema>),
  );
  return app;
}

import { Hono } from 'hono';
import type { HealthService } from './health.service.js';

export function healthRoutes(health: HealthService): Hono {
  const app = new Hono();
  // Liveness does no I/O: a slow database must not get a healthy process killed.
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/health/ready', async (c) => {
    const readiness = await health.ready();
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  app.get('/health', async (c) => {
    const report = await health.report();
    return c.json(report, report.status === 'down' ? 503 : 200);
  });
  return app;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Metrics } from './metrics.js';

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `GET /metrics` in Prometheus' text format; behind a bearer token when METRICS_TOKEN is set. */
export function metricsRoutes(metrics: Metrics, token?: string): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (token) {
      const header = c.req.header('authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!sameSecret(given, token)) {
        return c.json(
          {
            error: { code: 'Unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' },
          },
          401,
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType });
  });
  return app;
}

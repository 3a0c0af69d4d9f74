import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { UnauthorizedError } from '../shared/errors.js';
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
        throw new UnauthorizedError('send Authorization: Bearer <METRICS_TOKEN>', 'Bearer');
      }
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType });
  });
  return app;
}

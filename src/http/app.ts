import { Hono } from 'hono';
import { healthRoutes } from '../health/health.routes.js';
import type { HealthService } from '../health/health.service.js';
import type { Logger } from '../shared/logger.js';
import { githubWebhookRoutes } from '../webhooks/github-webhook.routes.js';
import type { WebhookService } from '../webhooks/webhook.service.js';
import { errorHandler, notFoundHandler } from './error-handler.js';

export interface AppDeps {
  log: Logger;
  health: HealthService;
  webhooks?: {
    secret: string | undefined;
    service: WebhookService;
    maxBytes?: number;
    onDelivery?: (event: string, outcome: string) => void;
  };
  /** Extra route groups (admin API, dashboard…), mounted at the root. */
  routes?: Hono[];
}

/** Builds the HTTP application from its dependencies; it neither listens nor reads the environment. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.log.child({ component: 'http' })));
  app.notFound(notFoundHandler);
  app.route('/', healthRoutes(deps.health));
  if (deps.webhooks) {
    app.route('/', githubWebhookRoutes({ ...deps.webhooks, log: deps.log }));
  }
  for (const routes of deps.routes ?? []) app.route('/', routes);
  return app;
}

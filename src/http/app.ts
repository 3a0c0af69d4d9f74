import { Hono } from 'hono';
import { healthRoutes } from '../health/health.routes.js';
import type { HealthService } from '../health/health.service.js';
import type { SetupReport } from '../health/setup.js';
import { setupRoutes } from '../health/setup.routes.js';
import type { Logger } from '../shared/logger.js';
import { githubWebhookRoutes } from '../webhooks/github-webhook.routes.js';
import type { WebhookService } from '../webhooks/webhook.service.js';
import { errorHandler, notFoundHandler } from './error-handler.js';

/** What the HTTP edge serves: health, GitHub's webhooks and every feature's routes. */
export interface AppServices {
  log: Logger;
  health: HealthService;
  webhooks?: {
    secret: string | undefined;
    service: WebhookService;
    maxBytes?: number;
    onDelivery?: (event: string, outcome: string) => void;
  };
  /** The first-run page at `/` (or the redirect to the dashboard). */
  setup?: SetupReport;
  /** Extra route groups (admin API, dashboard…), mounted at the root. */
  routes?: Hono[];
}

/** Builds the HTTP application from the services; it neither listens nor reads the environment. */
export function createApp(deps: AppServices): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.log.child({ component: 'http' })));
  app.notFound(notFoundHandler);
  app.route('/', healthRoutes(deps.health));
  if (deps.setup) app.route('/', setupRoutes(deps.setup));
  if (deps.webhooks) {
    app.route('/', githubWebhookRoutes({ ...deps.webhooks, log: deps.log }));
  }
  for (const routes of deps.routes ?? []) app.route('/', routes);
  return app;
}

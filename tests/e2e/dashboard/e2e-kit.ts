import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright-core';
import type {
  ContainerService,
  LabelledContainer,
} from '../../../src/containers/container.service.types.js';
import { dashboardRoutes } from '../../../src/dashboard/dashboard.routes.js';
import type { Dialect } from '../../../src/db/database.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import type { SourcesStatus } from '../../../src/github/sources.types.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { integrationProbes } from '../../../src/health/integrations.js';
import { createApp } from '../../../src/http/app.js';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { Redactor } from '../../../src/shared/redact.js';
import { createWebhookService } from '../../../src/webhooks/webhook.service.js';
import { LogCapture } from '../../integration/admin/admin-kit.js';
import {
  GITHUB_TOKEN,
  type Pipeline,
  startPipeline,
  WEBHOOK_SECRET,
} from '../../support/pipeline.js';
import { tokenChecksFor } from '../../support/token-checks.js';

export const PASSWORD = 'e2e dashboard password';

/** Outside text that would run if a page did not escape it; it sets `window.xss`. */
export const HOSTILE = {
  script: '<script>window.xss=1</script>',
  img: '<img src=x onerror="window.xss=2">',
};

/** A container whose image, branch and last error would run if a page did not escape them. */
export const HOSTILE_CONTAINER: LabelledContainer = {
  id: 'c3d4e5f6a7b8c9d0',
  name: 'hostile-app',
  image: HOSTILE.img,
  state: 'running',
  health: null,
  follows: [{ repo: 'octocat/hello', branch: HOSTILE.script }],
  lastRestart: {
    at: new Date(Date.now() - 60_000).toISOString(),
    result: 'failed',
    message: `engine said ${HOSTILE.script}`,
  },
};

/** An in-memory container engine: the dashboard only sees the ContainerService port. */
export function fakeContainers(
  extra: LabelledContainer[] = [],
): ContainerService & { calls: string[] } {
  const calls: string[] = [];
  const containers: LabelledContainer[] = [
    {
      id: 'a1b2c3d4e5f6a7b8',
      name: 'blog-web',
      image: 'localhost/blog:latest',
      state: 'running',
      health: 'healthy',
      follows: [{ repo: 'octocat/blog' }],
      lastRestart: { at: new Date(Date.now() - 3_600_000).toISOString(), result: 'restarted' },
    },
    {
      id: 'b2c3d4e5f6a7b8c9',
      name: 'docs-worker',
      image: 'localhost/docs:2',
      state: 'exited',
      health: null,
      follows: [{ repo: 'octocat/docs', branch: 'main' }, { repo: 'octocat/hello' }],
      lastRestart: null,
    },
    ...extra,
  ];
  const act = (what: string) => async (id: string) => void calls.push(`${what} ${id}`);
  return {
    calls,
    status: async () => ({ available: true, engine: 'podman', apiVersion: '5.4.2' }),
    list: async () => containers,
    start: act('start'),
    stop: act('stop'),
    restart: act('restart'),
    restartRepository: async () => [],
    rebuild: async (service) => {
      calls.push(`rebuild ${service ?? 'all'}`);
      return { exitCode: 0, output: `rebuilt ${service ?? 'all'}` };
    },
  };
}

const sources = (): { status(): Promise<SourcesStatus> } => ({
  status: async () => ({
    starsPoll: {
      enabled: true,
      user: 'octocat',
      lastAt: new Date(Date.now() - 120_000).toISOString(),
      lastResult: '3 new stars',
      nextAt: new Date(Date.now() + 180_000).toISOString(),
    },
    refresh: { lastAt: null, nextAt: new Date(Date.now() + 1_800_000).toISOString() },
    rateLimit: {
      limit: 5000,
      remaining: 4987,
      resetAt: new Date(Date.now() + 2_400_000).toISOString(),
    },
    app: { enabled: false, installations: 0 },
  }),
});

export interface DashboardServer {
  pipeline: Pipeline;
  url: string;
  containers: ReturnType<typeof fakeContainers>;
  /** Everything the service logged, at debug level. */
  logs: LogCapture;
  close(): Promise<void>;
}

/** The mirror pipeline (GitHub and OneDev doubles, real git and database) with the dashboard, listening on loopback. */
export async function startDashboardServer(
  dialect: Dialect,
  options: {
    signIn?: { password?: string; passwordHash?: string };
    extraContainers?: LabelledContainer[];
    /** More environment for the pipeline's configuration (e.g. KEYS_SECRET). */
    env?: Record<string, string>;
  } = {},
): Promise<DashboardServer> {
  const pipeline = await startPipeline({ dialect, env: options.env });
  const config = { ...pipeline.config, dashboard: options.signIn ?? { password: PASSWORD } };
  const logs = new LogCapture();
  const log = createLogger({ level: 'debug', destination: logs });
  const _redactor = new Redactor([GITHUB_TOKEN, WEBHOOK_SECRET, config.onedev?.token]);
  const containers = fakeContainers(options.extraContainers);
  const onedev = config.onedev;
  const health = createHealthService({
    db: pipeline.handle,
    dataDir: pipeline.dataDir,
    probes: integrationProbes(config, {
      onedevVersion:
        onedev && createOneDevClient({ baseUrl: onedev.url, token: onedev.token }).version,
      containersStatus: containers.status,
    }),
  });
  const dashboard = dashboardRoutes({
    config,
    log,
    handle: pipeline.handle,
    mirrors: pipeline.mirrors,
    health,
    github: createGitHubClient({ apiUrl: config.github.apiUrl, token: config.github.token }),
    containers,
    onedev: onedev && createOneDevClient({ baseUrl: onedev.url, token: onedev.token }),
    sources: sources(),
    freshness: pipeline.services.freshness,
    tokenChecks: tokenChecksFor({ github: config.github, onedev: config.onedev }),
    keys: pipeline.services.keys.service,
  });
  const webhooks = createWebhookService({
    handle: pipeline.handle,
    clock: systemClock,
    mirrors: pipeline.mirrors,
  });
  const app = createApp({
    log,
    health,
    webhooks: { secret: WEBHOOK_SECRET, service: webhooks },
    routes: [dashboard],
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    pipeline,
    url: `http://127.0.0.1:${port}`,
    containers,
    logs,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as import('node:http').Server).closeAllConnections();
      await closed;
      await pipeline.close();
    },
  };
}

/** Signs in through the form, the way an operator does, and waits for the overview. */
export async function signInPage(page: Page, url: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/dashboard/login`);
  await page.getByLabel('Dashboard password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}/dashboard`);
}

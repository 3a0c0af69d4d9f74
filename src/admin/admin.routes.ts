import { Hono } from 'hono';
import type { ContainerService } from '../containers/container.service.types.js';
import { containersRoutes } from '../containers/containers.routes.js';
import type { DbHandle } from '../db/database.js';
import type { GitHubClient } from '../github/github.client.js';
import { historyRoutes } from '../history/history.routes.js';
import type { HistoryService } from '../history/history.service.js';
import { keysRoutes } from '../keys/keys.routes.js';
import type { KeysService } from '../keys/keys.service.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import { mirrorsRoutes } from '../mirrors/mirrors.routes.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import { type SourcesAdmin, sourcesRoutes } from '../sources/sources.routes.js';
import { deliveriesRoutes } from '../webhooks/deliveries.routes.js';
import { operations } from './admin.operations.js';
import { createAdminService } from './admin.service.js';
import { adminAuth } from './admin-auth.js';
import { buildOpenApiDocument } from './admin-openapi.js';
import { refuseOtherMethods } from './admin-route.js';

export interface AdminRoutesDeps {
  /** ADMIN_TOKEN; undefined turns the admin API off (503), except the OpenAPI document. */
  token: string | undefined;
  handle: DbHandle;
  mirrors: MirrorService;
  github: GitHubClient;
  /** Only for `DELETE …?deleteProject=true`; undefined when OneDev is not configured. */
  onedev?: Pick<OneDevApi, 'deleteProject'>;
  /** Labelled containers; undefined answers 503 on `/api/v1/containers…`. */
  containers?: ContainerService;
  /** The GitHub sources (reconcile, status); undefined where they do not run. */
  sources?: SourcesAdmin;
  /** Kept tips of overwritten refs; undefined answers 503 on `…/history`. */
  history?: Pick<HistoryService, 'list' | 'keepMs'>;
  /** SSH deploy keys; undefined: `/api/v1/keys…` answers 503. */
  keys?: KeysService;
  /** GitHub's web address: a repository's page there is accepted as owner/name. */
  githubWebUrl?: string;
  /** Shown in the OpenAPI document. */
  version?: string;
  /** The token comparison (tests spy on it); constant-time `tokensEqual` by default. */
  tokenEquals?: (expected: string, presented: string) => boolean;
}

/** The admin JSON API under `/api/v1`, mounted through `createApp({ routes })`. */
export function adminRoutes(deps: AdminRoutesDeps): Hono {
  const app = new Hono();
  const openapiPath = operations.openapi.path;
  app.use(
    '/api/v1/*',
    adminAuth({ token: deps.token, publicPaths: [openapiPath], equals: deps.tokenEquals }),
  );

  const document = buildOpenApiDocument(deps.version ?? '1.0.0');
  app.get(openapiPath, (c) => c.json(document));

  const service = createAdminService(deps);
  app.route('/', mirrorsRoutes(service));
  app.route('/', deliveriesRoutes(service));
  app.route('/', sourcesRoutes(deps.sources));
  app.route('/', containersRoutes(deps.containers));
  app.route('/', historyRoutes({ history: deps.history, mirrors: deps.mirrors }));
  const findMirror = (owner: string, name: string) => deps.mirrors.findByName(`${owner}/${name}`);
  app.route('/', keysRoutes(deps.keys, findMirror));
  refuseOtherMethods(app, Object.values(operations));
  return app;
}

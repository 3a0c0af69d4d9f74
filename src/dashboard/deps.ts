import type { Config } from '../config/config.js';
import type { ContainerService } from '../containers/container.service.types.js';
import type { DbHandle } from '../db/database.js';
import type { GitHubClient } from '../github/github.client.js';
import type { SourcesStatus } from '../github/sources.types.js';
import type { HealthService } from '../health/health.service.js';
import type { HistoryService } from '../history/history.service.js';
import type { KeysService } from '../keys/keys.service.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { OneDevApi } from '../onedev/onedev.port.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { FreshnessCheck } from './freshness.js';
import type { LoginLimits } from './login-limiter.js';
import type { GitHubBudgetLine } from './pages/overview.js';
import type { TokenChecks } from './token-checks.js';

/** What the dashboard needs: the same services the admin API uses, plus optional features. */
export interface DashboardDeps {
  config: Config;
  log: Logger;
  handle: DbHandle;
  mirrors: MirrorService;
  health: HealthService;
  github: GitHubClient;
  /** For "also delete the OneDev project"; undefined when OneDev is not configured. */
  onedev?: Pick<OneDevApi, 'deleteProject'>;
  /** Undefined: the Containers page says restarts are not configured. */
  containers?: ContainerService;
  /** Undefined: the Overview says the stars poller and refresh are not configured. */
  sources?: {
    status(): Promise<SourcesStatus>;
    /** Change detection's GitHub spending; absent when it is off. */
    changes?: { stats(): GitHubBudgetLine } | undefined;
  };
  freshness?: FreshnessCheck;
  tokenChecks?: TokenChecks;
  /** Kept tips of overwritten refs, listed on each mirror's page. */
  history?: Pick<HistoryService, 'list' | 'keepMs'>;
  clock?: Clock;
  loginLimits?: LoginLimits;
  /** SSH deploy keys; undefined: Settings and the mirror pages do not show them. */
  keys?: KeysService;
}

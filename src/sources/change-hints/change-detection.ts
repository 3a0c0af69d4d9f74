import type { DbHandle } from '../../db/database.js';
import {
  createOctokit,
  type GitHubApiObserver,
  type RateLimitSnapshot,
} from '../../github/github-api.js';
import type { PeriodicTask } from '../../jobs/scheduler.js';
import type { MirrorService } from '../../mirrors/mirror.service.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { createBudget } from './budget.js';
import { type ChangeDetector, createChangeDetector } from './detector.js';

export type { ChangeDetectionStats, ChangeDetector } from './detector.js';

export interface ChangeDetectionOptions {
  handle: DbHandle;
  clock: Clock;
  log: Logger;
  apiUrl: string;
  token: string;
  fetch?: typeof fetch;
  observer: GitHubApiObserver;
  mirrors: Pick<MirrorService, 'syncById' | 'watched'>;
  budgetPerHour: number;
  intervalMs: number;
  ownStars: () => Promise<boolean>;
  restRateLimit: () => RateLimitSnapshot | null;
  onMissing: (githubId: number) => Promise<void>;
  blocked: () => boolean;
  onAuthFailed: () => Promise<void>;
}

/**
 * Change detection with its own budget and its periodic task. It has an Octokit of its
 * own that never sits out a rate limit (the detector stops and tries at its next round,
 * leaving the quota to the stars poller and syncs), reporting to the same watch.
 */
export function createChangeDetection(options: ChangeDetectionOptions): {
  detector: ChangeDetector;
  task: PeriodicTask;
} {
  const octokit = createOctokit({
    apiUrl: options.apiUrl,
    auth: options.token,
    fetch: options.fetch,
    log: options.log,
    observer: options.observer,
    maxWaitSeconds: 0,
  });
  const detector = createChangeDetector({
    ...options,
    octokit,
    budget: createBudget(options.budgetPerHour, options.clock),
  });
  return {
    detector,
    task: {
      name: 'change-detection',
      group: 'github',
      intervalMs: options.intervalMs,
      run: detector.tick,
    },
  };
}

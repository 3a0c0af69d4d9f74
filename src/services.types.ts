import type { Hono } from 'hono';
import type { FreshnessCheck } from './dashboard/freshness.js';
import type { TokenChecks } from './dashboard/token-checks.js';
import type { DbHandle } from './db/database.js';
import type { EngineAccess } from './engine/engine-socket.js';
import type { GitEngine } from './git/git.port.js';
import type { LfsEngine } from './git/lfs.port.js';
import type { GitHubCredentials } from './github/credentials.js';
import type { GitHubClient } from './github/github.client.js';
import type { AppServices } from './http/app.js';
import type { Metrics } from './metrics/metrics.js';
import type { MirrorService } from './mirrors/mirror.service.js';
import type { OneDevClient } from './onedev/onedev.client.js';
import type { OneDevProtectionApi } from './onedev/protection.js';
import type { Clock } from './shared/clock.js';
import type { Redactor } from './shared/redact.js';
import type { BackoffOptions } from './sync/retry-policy.js';
import type { SyncExecutor, SyncWorker } from './sync/sync.worker.js';
import type { UpstreamCircuits } from './upstreams/upstream-circuits.js';
import type { WebhookService } from './webhooks/webhook.service.js';
import type { ContainerOverrides, ContainersFeature } from './wiring/containers.js';
import type { HistoryFeature } from './wiring/history.js';
import type { KeysFeature } from './wiring/keys.js';
import type { ReplicaSettings, ReplicasFeature } from './wiring/replicas.js';
import type { SourcesFeature } from './wiring/sources.js';

// What the composition root (`src/services.ts`) takes and gives.

/** The adapters to the outside world, each built once; tests may substitute any of them. */
export interface Adapters {
  /** GitHub's REST API with GITHUB_TOKEN (repository lookups, the admin API's adds). */
  github: GitHubClient;
  /** How each mirror authenticates to GitHub: the PAT, or its App installation's token. */
  credentials: GitHubCredentials;
  /** Undefined when ONEDEV_URL and ONEDEV_TOKEN are not set: nothing is synced. */
  onedev: OneDevClient | undefined;
  /** The mirror projects' protection settings (the mirror guard); undefined without OneDev. */
  onedevProtection: OneDevProtectionApi | undefined;
  git: GitEngine;
  /** git-lfs for the LFS objects of mirrors, and the LFS batch API. */
  lfs: LfsEngine;
  /** The container engine behind CONTAINER_SOCKET (or a detected socket), found lazily. */
  engine: EngineAccess;
}

/** What tests, the demo and the benchmarks change in the composition. */
export interface ServiceOverrides {
  clock?: Clock;
  /** Scrubs secrets from git output, errors and recorded messages. */
  redactor?: Redactor;
  /** The HTTP client the GitHub and OneDev adapters use. */
  fetch?: typeof fetch;
  /** PATH the git health probe searches; the git engine's default when unset. */
  gitPath?: string;
  adapters?: Partial<Adapters>;
  containers?: ContainerOverrides;
  worker?: { leaseMs?: number; pollMs?: number; backoff?: BackoffOptions };
  /** The GitHub sources' scheduler: this replica's lease name and how often it looks. */
  scheduler?: { owner?: string; checkEveryMs?: number; random?: () => number };
  /** Replica heartbeat, claim grace and cache-expiry cadence. */
  replicas?: Partial<ReplicaSettings>;
}

/** Every feature of Starbridge, wired to the adapters; nothing runs until `start`. */
export interface Services extends AppServices {
  routes: Hono[];
  clock: Clock;
  handle: DbHandle;
  redactor: Redactor;
  adapters: Adapters;
  mirrors: MirrorService;
  /** The real sync; undefined when OneDev is not configured. */
  execute: SyncExecutor | undefined;
  /** The sync workers; undefined when OneDev is not configured (mirrors wait in the queue). */
  worker: SyncWorker | undefined;
  /** Lease and attempts the workers and the foreground sync share. */
  sync: { leaseMs: number; maxAttempts: number };
  sources: SourcesFeature;
  webhookService: WebhookService;
  containers: ContainersFeature;
  metrics: Metrics;
  /** The OneDev and GitHub circuits of this process. */
  circuits: UpstreamCircuits;
  freshness: FreshnessCheck | undefined;
  tokenChecks: TokenChecks;
  /** Kept tips of overwritten refs and their retention. */
  history: HistoryFeature;
  /** SSH deploy keys, and which mirror fetches with which. */
  keys: KeysFeature;
  /** The replica registry and this replica's git cache expiry. */
  replicas: ReplicasFeature;
  /** Starts the workers, the GitHub sources' scheduler and the notifications. */
  start(): Promise<void>;
  /** Lets in-flight work finish within `graceMs`; the database stays open. */
  stop(graceMs: number): Promise<void>;
}

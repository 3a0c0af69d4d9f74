import type { StarListChoice } from './star-lists.js';

/** `password`: DATABASE_PASSWORD, kept apart from the URL so it needs no encoding and can be a secret file. */
export type DbConfig =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string; password?: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The whole configuration of a Starbridge process, domain-shaped and frozen. */
export interface Config {
  /** `publicUrl`: where operators reach us (PUBLIC_URL); `trustProxy`: believe X-Forwarded-*. */
  http: {
    host: string;
    port: number;
    shutdownGraceMs: number;
    publicUrl?: string;
    trustProxy?: boolean;
  };
  db: DbConfig;
  dataDir: string;
  logLevel: LogLevel;
  github: {
    apiUrl: string;
    gitUrl: string;
    token?: string;
    app?: { appId: string; privateKey: string };
    webhookSecret?: string;
    starsUser?: string;
    starsPollIntervalMs: number;
    /** Full listing of the stars (the only way to see unstars): at start and this often. */
    starsFullIntervalMs: number;
    /** Most new mirrors the stars poller creates per run; undefined = no cap. */
    starsMaxNewPerRun?: number;
    /** GITHUB_STAR_LISTS: only stars in these lists are mirrored; empty = every star. */
    starLists: StarListChoice[];
    refreshIntervalMs: number;
    /** The adaptive refresh's bounds; they always include `refreshIntervalMs`. */
    refreshMinIntervalMs: number;
    refreshMaxIntervalMs: number;
    /** Change detection (star walk, GraphQL batches): how often it looks. */
    changePollIntervalMs: number;
    /** REST requests and GraphQL points change detection may spend an hour; 0 turns it off. */
    budgetPerHour: number;
  };
  onedev?: { url: string; token: string; rootProject: string };
  /** The mirror guard: protection rules so only Starbridge's OneDev account changes mirrors. */
  guard: { enabled: boolean };
  unstar: { policy: 'keep' | 'delete'; graceMs: number };
  /** `leaseMs`: how long a crashed worker's mirror stays claimed before another worker takes it. */
  sync: {
    concurrency: number;
    maxAttempts: number;
    leaseMs: number;
    /** Quick retries of one call inside a sync (0: none). */
    quickRetries: number;
  };
  /** LFS mirroring: on unless MIRROR_LFS=false; `maxBytes` caps one mirror's LFS objects. */
  lfs: { enabled: boolean; maxBytes?: number };
  admin: { token?: string };
  dashboard: { password?: string; passwordHash?: string };
  /** `socket: undefined` means detect the Podman or Docker socket; `null` means restarts are off. */
  containers: {
    socket: string | null | undefined;
    /** Sockets tried in order when `socket` is undefined. */
    socketCandidates: string[];
    restartLabel: string;
    checkoutDir?: string;
    /** Syncs of one repository within this window give one restart. */
    debounceMs: number;
    /** How long a restart may take to be running (and healthy) again. */
    waitMs: number;
    /** Consecutive good samples after a restart, `intervalMs` apart, that make it a success. */
    health: { samples: number; intervalMs: number };
    /** Put a working copy back when its followers fail the health wait on the new commit. */
    rollback: boolean;
    /** How many independent followers of one repository restart at the same time. */
    parallel: number;
    /** `COMPOSE_COMMAND` split into argv (no shell), and `COMPOSE_FILE`. */
    compose?: { command: string[]; file?: string };
  };
  notify: { url?: string; secret?: string; format: 'json' | 'ntfy' };
  /** Bearer token required on /metrics when set. */
  metrics: { token?: string };
  /** The upstream circuits: faults that open one, and how often an open one is probed. */
  upstreams: { circuitThreshold: number; probeIntervalMs: number };
  /** How long overwritten tips are kept (HISTORY_KEEP); null: forever. */
  history: { keepMs: number | null };
  /** Mirror GitHub wikis as child projects (MIRROR_WIKIS). */
  wikis: { enabled: boolean };
  /** CACHE_EXPIRE_AFTER: a git cache untouched this long is removed; null: never. */
  caches: { expireAfterMs: number | null };
  /** SSH deploy keys: `secret` (KEYS_SECRET) encrypts them at rest; none stored without it. */
  keys: { secret?: string };
  /** Where mirrors set to a deploy key fetch over SSH; `knownHosts` undefined: GitHub's own. */
  githubSsh: { user: string; host: string; port: number; knownHosts?: string };
}

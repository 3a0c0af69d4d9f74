import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  boundedCount,
  byteSize,
  databaseUrl,
  duration,
  durationOrOff,
  httpUrl,
  onOff,
  optionalText,
  portNumber,
  positiveInt,
  retention,
} from './fields.js';
import { resolveSecretFiles, SECRET_VARIABLES } from './secret-files.js';
import { parseStarLists, type StarListChoice } from './star-lists.js';

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

/** Every problem found in the environment, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ONEDEV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const schema = z.object({
  PORT: portNumber.default(3000),
  HOST: optionalText.transform((v) => v ?? '0.0.0.0'),
  SHUTDOWN_GRACE: duration.default(30_000),
  PUBLIC_URL: httpUrl.optional(),
  TRUST_PROXY: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  DATABASE_URL: databaseUrl.default('sqlite:./data/starbridge.db'),
  DATABASE_PASSWORD: optionalText,
  DATA_DIR: optionalText.transform((v) => v ?? './data'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  GITHUB_API_URL: httpUrl.default('https://api.github.com'),
  GITHUB_GIT_URL: httpUrl.default('https://github.com'),
  GITHUB_TOKEN: optionalText,
  GITHUB_APP_ID: optionalText,
  GITHUB_APP_PRIVATE_KEY: optionalText,
  GITHUB_WEBHOOK_SECRET: optionalText,
  GITHUB_STARS_USER: optionalText,
  GITHUB_STAR_LISTS: optionalText,
  STARS_POLL_INTERVAL: duration.default(5 * 60_000),
  REFRESH_INTERVAL: duration.default(60 * 60_000),
  // A busy mirror is not checked more than four times an hour (webhooks and change hints
  // are the fast path); a quiet one at least daily (the sweep that catches what they miss).
  REFRESH_MIN_INTERVAL: duration.default(15 * 60_000),
  REFRESH_MAX_INTERVAL: duration.default(24 * 60 * 60_000),
  CHANGE_POLL_INTERVAL: duration.default(5 * 60_000),
  GITHUB_BUDGET_PER_HOUR: boundedCount(5_000).default(200),
  STARS_FULL_INTERVAL: duration.default(60 * 60_000),
  STARS_MAX_NEW_PER_RUN: positiveInt.optional(),
  ONEDEV_URL: httpUrl.optional(),
  ONEDEV_TOKEN: optionalText,
  ONEDEV_ROOT_PROJECT: z.string().optional(),
  ONEDEV_GUARD: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  UNSTAR_POLICY: z.enum(['keep', 'delete'], { error: 'must be keep or delete' }).default('keep'),
  UNSTAR_GRACE: duration.default(7 * 86_400_000),
  SYNC_CONCURRENCY: positiveInt.default(4),
  MAX_ATTEMPTS: positiveInt.default(10),
  SYNC_LEASE: duration.default(60_000),
  SYNC_QUICK_RETRIES: boundedCount(10).default(5),
  MIRROR_LFS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  LFS_MAX_BYTES: byteSize.optional(),
  ADMIN_TOKEN: optionalText,
  DASHBOARD_PASSWORD: optionalText,
  DASHBOARD_PASSWORD_HASH: optionalText,
  CONTAINER_SOCKET: z.string().optional(),
  RESTART_LABEL: optionalText.transform((v) => v ?? 'restart-after'),
  CHECKOUT_DIR: optionalText,
  RESTART_DEBOUNCE: duration.default(10_000),
  RESTART_WAIT: duration.default(60_000),
  RESTART_HEALTH_SAMPLES: boundedCount(100).default(3),
  RESTART_HEALTH_INTERVAL: duration.default(5_000),
  RESTART_ROLLBACK: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  RESTART_PARALLEL: positiveInt.default(4),
  COMPOSE_COMMAND: optionalText,
  COMPOSE_FILE: optionalText,
  XDG_RUNTIME_DIR: optionalText,
  NOTIFY_URL: httpUrl.optional(),
  NOTIFY_SECRET: optionalText,
  NOTIFY_FORMAT: z.enum(['json', 'ntfy'], { error: 'must be json or ntfy' }).default('json'),
  METRICS_TOKEN: optionalText,
  UPSTREAM_CIRCUIT_THRESHOLD: positiveInt
    .pipe(
      z.number().min(2, { error: 'must be at least 2 (the faults must come from two mirrors)' }),
    )
    .default(3),
  UPSTREAM_PROBE_INTERVAL: duration.default(5_000),
  // History protection and wikis.
  HISTORY_KEEP: retention.default(90 * 86_400_000),
  MIRROR_WIKIS: onOff.default(true),
  CACHE_EXPIRE_AFTER: durationOrOff.default(30 * 86_400_000),
  // SSH deploy keys
  KEYS_SECRET: optionalText,
  GITHUB_SSH_HOST: optionalText.transform((v) => v ?? 'github.com'),
  GITHUB_SSH_PORT: portNumber.default(22),
  GITHUB_SSH_USER: optionalText.transform((v) => v ?? 'git'),
  GITHUB_SSH_KNOWN_HOSTS_FILE: optionalText,
});

type Raw = z.infer<typeof schema>;

/** Every environment variable the configuration reads, in the schema's order. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * Reads the configuration from an environment map. Pure apart from reading `NAME_FILE`
 * secrets through `readFile`; never touches `process.env`. Throws a ConfigError listing
 * every problem at once.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  readFile?: (path: string) => string,
): Config {
  const { values, problems } = resolveSecretFiles(env, SECRET_VARIABLES, readFile);
  const present = emptyToUndefined(values);
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
    }
  }
  problems.push(...crossFieldProblems(present), ...sshProblems(present));
  const knownHosts = readKnownHosts(present.GITHUB_SSH_KNOWN_HOSTS_FILE, problems, readFile);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({ ...toConfig(parsed.data), ...sshConfig(parsed.data, knownHosts) });
}

/** SSH deploy keys: the secret's strength and the SSH endpoint's names. */
function sshProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.KEYS_SECRET !== undefined && raw.KEYS_SECRET.length < 32) {
    problems.push(
      'KEYS_SECRET: must be at least 32 characters of random text (for example `openssl rand -base64 32`)',
    );
  }
  if (raw.GITHUB_SSH_HOST && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(raw.GITHUB_SSH_HOST)) {
    problems.push(
      'GITHUB_SSH_HOST: must be a host name such as github.com (no user, port or path)',
    );
  }
  if (raw.GITHUB_SSH_USER && !/^[a-z_][a-z0-9_.-]{0,31}$/.test(raw.GITHUB_SSH_USER)) {
    problems.push('GITHUB_SSH_USER: must be a user name such as git');
  }
  return problems;
}

function readKnownHosts(
  path: string | undefined,
  problems: string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  if (!path) return undefined;
  try {
    const text = readFile(path);
    if (!/^\S+\s+(ssh-|ecdsa-)\S+\s+\S+/m.test(text)) {
      problems.push(
        `GITHUB_SSH_KNOWN_HOSTS_FILE: ${path} has no known_hosts line (host key-type key)`,
      );
    }
    return text;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`GITHUB_SSH_KNOWN_HOSTS_FILE: cannot read ${path} (${reason})`);
    return undefined;
  }
}

function sshConfig(raw: Raw, knownHosts: string | undefined): Pick<Config, 'keys' | 'githubSsh'> {
  return {
    keys: { secret: raw.KEYS_SECRET },
    githubSsh: {
      user: raw.GITHUB_SSH_USER,
      host: raw.GITHUB_SSH_HOST,
      port: raw.GITHUB_SSH_PORT,
      knownHosts,
    },
  };
}

/** Empty values mean "not set", except where emptiness has its own meaning. */
function emptyToUndefined(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const keepEmpty = new Set(['CONTAINER_SOCKET', 'ONEDEV_ROOT_PROJECT']);
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] = value === '' && !keepEmpty.has(key) ? undefined : value;
  }
  return out;
}

/** Rules that span variables; they read the raw strings so they report even when a field failed. */
function crossFieldProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.ONEDEV_URL && !raw.ONEDEV_TOKEN) {
    problems.push('ONEDEV_TOKEN: required when ONEDEV_URL is set (a OneDev access token)');
  }
  if (raw.ONEDEV_TOKEN && !raw.ONEDEV_URL) {
    problems.push(
      'ONEDEV_URL: required when ONEDEV_TOKEN is set (for example https://onedev.example.com)',
    );
  }
  if (raw.ONEDEV_URL && /\/\/[^/]*@/.test(raw.ONEDEV_URL)) {
    problems.push('ONEDEV_URL: must not contain credentials; put the access token in ONEDEV_TOKEN');
  }
  for (const segment of (raw.ONEDEV_ROOT_PROJECT ?? '').split('/').filter(Boolean)) {
    if (!ONEDEV_NAME.test(segment)) {
      problems.push(
        `ONEDEV_ROOT_PROJECT: "${segment}" is not a valid OneDev project name (letters, digits, _ . -; not starting with . or -)`,
      );
    }
  }
  problems.push(...parseStarLists(raw.GITHUB_STAR_LISTS).problems);
  if (raw.GITHUB_STAR_LISTS?.trim() && !raw.GITHUB_TOKEN) {
    problems.push(
      'GITHUB_STAR_LISTS: needs GITHUB_TOKEN (GitHub shows Star Lists only through its GraphQL API, which answers only to a token)',
    );
  }
  if (Boolean(raw.GITHUB_APP_ID) !== Boolean(raw.GITHUB_APP_PRIVATE_KEY)) {
    problems.push(
      'GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY: GitHub App mode needs both the app id and its private key',
    );
  }
  if (raw.DASHBOARD_PASSWORD && raw.DASHBOARD_PASSWORD_HASH) {
    problems.push('DASHBOARD_PASSWORD, DASHBOARD_PASSWORD_HASH: set only one of them');
  }
  if (
    raw.DASHBOARD_PASSWORD_HASH &&
    !/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(raw.DASHBOARD_PASSWORD_HASH)
  ) {
    problems.push('DASHBOARD_PASSWORD_HASH: must be a hash printed by `starbridge hash-password`');
  }
  problems.push(...databasePasswordProblems(raw));
  if (raw.COMPOSE_FILE && !raw.COMPOSE_COMMAND) {
    problems.push('COMPOSE_FILE: only used with COMPOSE_COMMAND (e.g. podman-compose)');
  }
  if (/^\s*0+\s*$/.test(raw.RESTART_HEALTH_SAMPLES ?? '')) {
    problems.push('RESTART_HEALTH_SAMPLES: must be at least 1 (one look right after the restart)');
  }
  if (raw.RESTART_LABEL && !/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(raw.RESTART_LABEL)) {
    problems.push('RESTART_LABEL: must be a container label key such as restart-after');
  }
  return problems;
}

/** DATABASE_PASSWORD goes with a PostgreSQL URL that carries no password of its own. */
function databasePasswordProblems(raw: Record<string, string | undefined>): string[] {
  if (!raw.DATABASE_PASSWORD) return [];
  // Unset, DATABASE_URL is the SQLite default.
  if (!raw.DATABASE_URL || raw.DATABASE_URL.startsWith('sqlite:')) {
    return ['DATABASE_PASSWORD: only used with a postgres:// DATABASE_URL'];
  }
  return /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(raw.DATABASE_URL)
    ? ['DATABASE_URL, DATABASE_PASSWORD: the URL has a password too; keep it in one place']
    : [];
}

function toConfig(raw: Raw): Omit<Config, 'keys' | 'githubSsh'> {
  const sqlite = raw.DATABASE_URL.startsWith('sqlite:');
  return {
    http: {
      host: raw.HOST,
      port: raw.PORT,
      shutdownGraceMs: raw.SHUTDOWN_GRACE,
      publicUrl: raw.PUBLIC_URL ? stripSlash(raw.PUBLIC_URL) : undefined,
      trustProxy: raw.TRUST_PROXY === 'true',
    },
    db: sqlite
      ? { dialect: 'sqlite', path: raw.DATABASE_URL.slice('sqlite:'.length) }
      : { dialect: 'postgres', url: raw.DATABASE_URL, password: raw.DATABASE_PASSWORD },
    dataDir: raw.DATA_DIR,
    logLevel: raw.LOG_LEVEL,
    github: {
      apiUrl: stripSlash(raw.GITHUB_API_URL),
      gitUrl: stripSlash(raw.GITHUB_GIT_URL),
      token: raw.GITHUB_TOKEN,
      app:
        raw.GITHUB_APP_ID && raw.GITHUB_APP_PRIVATE_KEY
          ? { appId: raw.GITHUB_APP_ID, privateKey: raw.GITHUB_APP_PRIVATE_KEY }
          : undefined,
      webhookSecret: raw.GITHUB_WEBHOOK_SECRET,
      starsUser: raw.GITHUB_STARS_USER,
      starsPollIntervalMs: raw.STARS_POLL_INTERVAL,
      starsFullIntervalMs: raw.STARS_FULL_INTERVAL,
      starsMaxNewPerRun: raw.STARS_MAX_NEW_PER_RUN,
      starLists: parseStarLists(raw.GITHUB_STAR_LISTS).choices,
      refreshIntervalMs: raw.REFRESH_INTERVAL,
      refreshMinIntervalMs: Math.min(raw.REFRESH_MIN_INTERVAL, raw.REFRESH_INTERVAL),
      refreshMaxIntervalMs: Math.max(raw.REFRESH_MAX_INTERVAL, raw.REFRESH_INTERVAL),
      changePollIntervalMs: raw.CHANGE_POLL_INTERVAL,
      budgetPerHour: raw.GITHUB_BUDGET_PER_HOUR,
    },
    onedev:
      raw.ONEDEV_URL && raw.ONEDEV_TOKEN
        ? {
            url: stripSlash(raw.ONEDEV_URL),
            token: raw.ONEDEV_TOKEN,
            rootProject: (raw.ONEDEV_ROOT_PROJECT ?? 'github').split('/').filter(Boolean).join('/'),
          }
        : undefined,
    guard: { enabled: raw.ONEDEV_GUARD === 'on' },
    unstar: { policy: raw.UNSTAR_POLICY, graceMs: raw.UNSTAR_GRACE },
    sync: {
      concurrency: raw.SYNC_CONCURRENCY,
      maxAttempts: raw.MAX_ATTEMPTS,
      leaseMs: raw.SYNC_LEASE,
      quickRetries: raw.SYNC_QUICK_RETRIES,
    },
    lfs: { enabled: raw.MIRROR_LFS === 'true', maxBytes: raw.LFS_MAX_BYTES },
    admin: { token: raw.ADMIN_TOKEN },
    dashboard: { password: raw.DASHBOARD_PASSWORD, passwordHash: raw.DASHBOARD_PASSWORD_HASH },
    containers: {
      socket: raw.CONTAINER_SOCKET === '' ? null : raw.CONTAINER_SOCKET,
      socketCandidates: socketCandidates(raw.XDG_RUNTIME_DIR),
      restartLabel: raw.RESTART_LABEL,
      checkoutDir: raw.CHECKOUT_DIR,
      debounceMs: raw.RESTART_DEBOUNCE,
      waitMs: raw.RESTART_WAIT,
      health: { samples: raw.RESTART_HEALTH_SAMPLES, intervalMs: raw.RESTART_HEALTH_INTERVAL },
      rollback: raw.RESTART_ROLLBACK === 'on',
      parallel: raw.RESTART_PARALLEL,
      compose: raw.COMPOSE_COMMAND
        ? { command: raw.COMPOSE_COMMAND.trim().split(/\s+/), file: raw.COMPOSE_FILE }
        : undefined,
    },
    notify: { url: raw.NOTIFY_URL, secret: raw.NOTIFY_SECRET, format: raw.NOTIFY_FORMAT },
    metrics: { token: raw.METRICS_TOKEN },
    upstreams: {
      circuitThreshold: raw.UPSTREAM_CIRCUIT_THRESHOLD,
      probeIntervalMs: raw.UPSTREAM_PROBE_INTERVAL,
    },
    history: { keepMs: raw.HISTORY_KEEP },
    wikis: { enabled: raw.MIRROR_WIKIS },
    caches: { expireAfterMs: raw.CACHE_EXPIRE_AFTER },
  };
}

/** Rootless Podman first: it is the least powerful socket that works. */
function socketCandidates(runtimeDir: string | undefined): string[] {
  const rootless = runtimeDir ? [`${runtimeDir.replace(/\/+$/, '')}/podman/podman.sock`] : [];
  return [...rootless, '/run/podman/podman.sock', '/var/run/docker.sock'];
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

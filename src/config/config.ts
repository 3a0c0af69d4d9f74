import { z } from 'zod';
import type { Config } from './config.types.js';
import { crossFieldProblems } from './cross-field.js';
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
import { readKnownHosts, sshConfig, sshProblems } from './ssh-config.js';
import { parseStarLists } from './star-lists.js';

export type { Config, DbConfig, LogLevel } from './config.types.js';

/** Every problem found in the environment, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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

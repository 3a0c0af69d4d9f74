import type { Config } from '../config/config.js';

export interface SettingRow {
  name: string;
  value: string;
  secret: boolean;
}

/**
 * Secrets show only whether they are set: never a prefix, a length or a hash
 * (docs/reference/bad-inputs.md#a12).
 */
const masked = (value: string | undefined | null): string => (value ? 'set (hidden)' : 'not set');
const shown = (value: string | number | undefined | null): string =>
  value === undefined || value === null || value === '' ? 'not set' : String(value);

function databaseUrl(config: Config): string {
  if (config.db.dialect === 'sqlite') return `sqlite:${config.db.path}`;
  const url = new URL(config.db.url);
  if (url.password) url.password = 'hidden';
  return url.toString();
}

function ms(value: number): string {
  if (value % 86_400_000 === 0) return `${value / 86_400_000}d`;
  if (value % 3_600_000 === 0) return `${value / 3_600_000}h`;
  if (value % 60_000 === 0) return `${value / 60_000}m`;
  if (value % 1000 === 0) return `${value / 1000}s`;
  return `${value}ms`;
}

/** The configuration in effect, one row per variable, with every secret masked. */
export function effectiveSettings(config: Config): SettingRow[] {
  const row = (name: string, value: string, secret = false) => ({ name, value, secret });
  const c = config;
  const compose = c.containers.compose;
  return [
    row('PORT', String(c.http.port)),
    row('HOST', c.http.host),
    row('SHUTDOWN_GRACE', ms(c.http.shutdownGraceMs)),
    row('PUBLIC_URL', shown(c.http.publicUrl)),
    row('TRUST_PROXY', String(Boolean(c.http.trustProxy))),
    row('DATABASE_URL', databaseUrl(c), true),
    row('DATABASE_PASSWORD', masked(c.db.dialect === 'postgres' ? c.db.password : undefined), true),
    row('DATA_DIR', c.dataDir),
    row('CACHE_EXPIRE_AFTER', c.caches.expireAfterMs === null ? 'off' : ms(c.caches.expireAfterMs)),
    row('LOG_LEVEL', c.logLevel),
    row('GITHUB_API_URL', c.github.apiUrl),
    row('GITHUB_GIT_URL', c.github.gitUrl),
    row('GITHUB_TOKEN', masked(c.github.token), true),
    row('GITHUB_APP_ID', shown(c.github.app?.appId)),
    row('GITHUB_APP_PRIVATE_KEY', masked(c.github.app?.privateKey), true),
    row('GITHUB_WEBHOOK_SECRET', masked(c.github.webhookSecret), true),
    row(
      'GITHUB_STARS_USER',
      shown(c.github.starsUser ?? (c.github.token ? "the token's user" : '')),
    ),
    row(
      'GITHUB_STAR_LISTS',
      c.github.starLists.length > 0
        ? c.github.starLists.map((l) => (l.parent ? `${l.list}=${l.parent}` : l.list)).join(', ')
        : 'every star',
    ),
    row('STARS_POLL_INTERVAL', ms(c.github.starsPollIntervalMs)),
    row('REFRESH_INTERVAL', ms(c.github.refreshIntervalMs)),
    row('REFRESH_MIN_INTERVAL', ms(c.github.refreshMinIntervalMs)),
    row('REFRESH_MAX_INTERVAL', ms(c.github.refreshMaxIntervalMs)),
    row('CHANGE_POLL_INTERVAL', ms(c.github.changePollIntervalMs)),
    row('GITHUB_BUDGET_PER_HOUR', shown(c.github.budgetPerHour || 'off')),
    row('STARS_FULL_INTERVAL', ms(c.github.starsFullIntervalMs)),
    row('STARS_MAX_NEW_PER_RUN', shown(c.github.starsMaxNewPerRun ?? 'no limit')),
    row('ONEDEV_URL', shown(c.onedev?.url)),
    row('ONEDEV_TOKEN', masked(c.onedev?.token), true),
    row('ONEDEV_ROOT_PROJECT', c.onedev ? c.onedev.rootProject || '(top level)' : 'not set'),
    row('ONEDEV_GUARD', c.guard.enabled ? 'on' : 'off'),
    row('UNSTAR_POLICY', c.unstar.policy),
    row('UNSTAR_GRACE', ms(c.unstar.graceMs)),
    row('SYNC_CONCURRENCY', String(c.sync.concurrency)),
    row('MAX_ATTEMPTS', String(c.sync.maxAttempts)),
    row('SYNC_LEASE', ms(c.sync.leaseMs)),
    row('SYNC_QUICK_RETRIES', String(c.sync.quickRetries)),
    row('MIRROR_LFS', String(c.lfs.enabled)),
    row('LFS_MAX_BYTES', c.lfs.maxBytes === undefined ? 'no limit' : `${c.lfs.maxBytes} bytes`),
    row('HISTORY_KEEP', c.history.keepMs === null ? 'forever' : ms(c.history.keepMs)),
    row('MIRROR_WIKIS', String(c.wikis.enabled)),
    row('ADMIN_TOKEN', masked(c.admin.token), true),
    row('DASHBOARD_PASSWORD', masked(c.dashboard.password), true),
    row('DASHBOARD_PASSWORD_HASH', masked(c.dashboard.passwordHash), true),
    row(
      'CONTAINER_SOCKET',
      c.containers.socket === null ? 'off' : shown(c.containers.socket ?? 'detect'),
    ),
    row('RESTART_LABEL', c.containers.restartLabel),
    row('CHECKOUT_DIR', shown(c.containers.checkoutDir)),
    row('RESTART_DEBOUNCE', ms(c.containers.debounceMs)),
    row('RESTART_WAIT', ms(c.containers.waitMs)),
    row('RESTART_HEALTH_SAMPLES', String(c.containers.health.samples)),
    row('RESTART_HEALTH_INTERVAL', ms(c.containers.health.intervalMs)),
    row('RESTART_ROLLBACK', c.containers.rollback ? 'on' : 'off'),
    row('RESTART_PARALLEL', String(c.containers.parallel)),
    row('COMPOSE_COMMAND', shown(compose?.command.join(' '))),
    row('COMPOSE_FILE', shown(compose?.file)),
    // Only where the socket is looked for; the candidates say it better than the raw value.
    row('XDG_RUNTIME_DIR', `sockets tried: ${c.containers.socketCandidates.join(', ')}`),
    row('NOTIFY_URL', masked(c.notify.url), true),
    row('NOTIFY_SECRET', masked(c.notify.secret), true),
    row('NOTIFY_FORMAT', c.notify.format),
    row('METRICS_TOKEN', masked(c.metrics.token), true),
    row('KEYS_SECRET', masked(c.keys.secret), true),
    row('GITHUB_SSH_HOST', c.githubSsh.host),
    row('GITHUB_SSH_PORT', String(c.githubSsh.port)),
    row('GITHUB_SSH_USER', c.githubSsh.user),
    row(
      'GITHUB_SSH_KNOWN_HOSTS_FILE',
      c.githubSsh.knownHosts === undefined ? "not set (GitHub's published host keys)" : 'set',
    ),
    row('UPSTREAM_CIRCUIT_THRESHOLD', String(c.upstreams.circuitThreshold)),
    row('UPSTREAM_PROBE_INTERVAL', ms(c.upstreams.probeIntervalMs)),
  ];
}

/** The events to tick in GitHub's webhook form: what the receiver acts on. */
export const WEBHOOK_EVENTS = ['Pushes', 'Watches', 'Stars', 'Repositories', 'Wiki'];
/** For a GitHub App, which subscribes to installation events as well. */
export const APP_WEBHOOK_EVENTS = ['Installation', 'Installation repositories'];

import type { Config } from '../config/config.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { cachedProbe } from './cached-probe.js';
import type { ComponentHealth, HealthProbe } from './health.service.js';

/**
 * Probes that say which integrations are configured. OneDev and the container engine are
 * replaced by deep checks (see `integrationProbes`); an unconfigured one says which
 * variables turn it on.
 */
export function configurationProbes(config: Config): HealthProbe[] {
  const probe = (name: string, configured: boolean, hint: string): HealthProbe => ({
    name,
    check: async () =>
      configured ? { status: 'ok', configured: true } : { status: 'not_configured', message: hint },
  });
  return [
    probe(
      'github',
      Boolean(config.github.token || config.github.app),
      'set GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY) to mirror private repositories and your stars',
    ),
    probe('onedev', Boolean(config.onedev), ONEDEV_HINT),
    probe(
      'webhooks',
      Boolean(config.github.webhookSecret),
      'set GITHUB_WEBHOOK_SECRET to receive GitHub webhooks',
    ),
    probe('adminApi', Boolean(config.admin.token), 'set ADMIN_TOKEN to enable the admin API'),
    probe(
      'dashboard',
      Boolean(config.dashboard.password || config.dashboard.passwordHash),
      'set DASHBOARD_PASSWORD or DASHBOARD_PASSWORD_HASH to enable the dashboard',
    ),
    probe(
      'containers',
      config.containers.socket !== null,
      'CONTAINER_SOCKET is empty: container restarts are off',
    ),
  ];
}

const ONEDEV_HINT = 'set ONEDEV_URL and ONEDEV_TOKEN to mirror into OneDev';

/** What the deep checks call: OneDev's version endpoint and the container service's status. */
export interface IntegrationChecks {
  /** `GET /~api/version/server` with the token: reachable and the token accepted. */
  onedevVersion?: () => Promise<string>;
  containersStatus?: () => Promise<{ available: boolean; message?: string; engine?: string }>;
  /** How long a deep check's answer is reused; /health and the overview poll often. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Every integration probe: configuration probes, with OneDev and the container engine
 * checked for real (cached, so frequent polls do not hammer them).
 */
export function integrationProbes(config: Config, checks: IntegrationChecks): HealthProbe[] {
  const cache = { ms: checks.cacheMs ?? 15_000, now: checks.now };
  const deep: HealthProbe[] = [
    cachedProbe(onedevProbe(config, checks.onedevVersion), cache),
    cachedProbe(containersProbe(config, checks.containersStatus), cache),
  ];
  const deepNames = new Set(deep.map((p) => p.name));
  return [...configurationProbes(config).filter((p) => !deepNames.has(p.name)), ...deep];
}

function onedevProbe(config: Config, version: IntegrationChecks['onedevVersion']): HealthProbe {
  return {
    name: 'onedev',
    async check(): Promise<ComponentHealth> {
      if (!config.onedev || !version) return { status: 'not_configured', message: ONEDEV_HINT };
      try {
        return { status: 'ok', version: await version() };
      } catch (error) {
        // A refused token or a server error is an answer: only a network failure is "unreachable".
        const answered = error instanceof UpstreamError && error.reason !== 'onedev_network';
        const what = answered ? 'OneDev check failed' : 'OneDev is unreachable';
        return { status: 'down', message: `${what}: ${messageOf(error)}` };
      }
    },
  };
}

function containersProbe(
  config: Config,
  status: IntegrationChecks['containersStatus'],
): HealthProbe {
  return {
    name: 'containers',
    async check(): Promise<ComponentHealth> {
      if (config.containers.socket === null) {
        return {
          status: 'not_configured',
          message: 'CONTAINER_SOCKET is empty: container restarts are off',
        };
      }
      if (!status) return { status: 'not_configured', message: 'container restarts are off' };
      try {
        const engine = await status();
        if (engine.available) return { status: 'ok', engine: engine.engine };
        // No socket found while detecting is "not set up"; a socket that fails is "down".
        const reason = engine.message ?? 'the container engine did not answer';
        const noSocket =
          config.containers.socket === undefined && /^no container engine/.test(reason);
        return noSocket
          ? { status: 'not_configured', message: reason }
          : { status: 'down', message: `container engine is unreachable: ${reason}` };
      } catch (error) {
        return { status: 'down', message: `container engine is unreachable: ${messageOf(error)}` };
      }
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

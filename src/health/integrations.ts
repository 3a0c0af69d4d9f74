import type { Config } from '../config/config.js';
import type { HealthProbe } from './health.service.js';

/**
 * Probes that say which integrations are configured. Features replace these with deep
 * checks (token valid, server reachable) as they land; an unconfigured one says which
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
    probe(
      'onedev',
      Boolean(config.onedev),
      'set ONEDEV_URL and ONEDEV_TOKEN to mirror into OneDev',
    ),
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

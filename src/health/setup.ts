import type { Config } from '../config/config.js';

/** One integration as a first-time operator sees it: on or off, and what turns it on. */
export interface SetupItem {
  name: string;
  /** What it does for you, in a few words. */
  purpose: string;
  configured: boolean;
  /** Each alternative is a set of variables to set together. */
  variables: string[][];
  /** Whether mirroring works without it. */
  required: boolean;
}

/** What the first-run page shows; values of variables never reach it, only whether they are set. */
export interface SetupReport {
  /** The dashboard has a password, so `/` goes there instead. */
  dashboardEnabled: boolean;
  items: SetupItem[];
}

/** The setup state read from the configuration alone: no network, no database. */
export function describeSetup(config: Config): SetupReport {
  const dashboardEnabled = Boolean(config.dashboard.password || config.dashboard.passwordHash);
  const item = (
    name: string,
    purpose: string,
    configured: boolean,
    variables: string[][],
    required = false,
  ): SetupItem => ({ name, purpose, configured, variables, required });
  return {
    dashboardEnabled,
    items: [
      item(
        'GitHub',
        'read your stars and private repositories',
        Boolean(config.github.token || config.github.app),
        [['GITHUB_TOKEN'], ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY']],
        true,
      ),
      item(
        'OneDev',
        'where the mirrors go',
        Boolean(config.onedev),
        [['ONEDEV_URL', 'ONEDEV_TOKEN']],
        true,
      ),
      item('Dashboard', 'this web interface', dashboardEnabled, [
        ['DASHBOARD_PASSWORD'],
        ['DASHBOARD_PASSWORD_HASH'],
      ]),
      item(
        'GitHub webhooks',
        'sync within seconds of a push or a star',
        Boolean(config.github.webhookSecret),
        [['GITHUB_WEBHOOK_SECRET']],
      ),
      item('Admin API', 'the JSON API under /api/v1', Boolean(config.admin.token), [
        ['ADMIN_TOKEN'],
      ]),
      item(
        'Container restarts',
        'restart labelled containers after a sync',
        config.containers.socket !== null,
        [['CONTAINER_SOCKET']],
      ),
      item(
        'Notifications',
        'a message when a mirror fails or recovers',
        Boolean(config.notify.url),
        [['NOTIFY_URL']],
      ),
    ],
  };
}

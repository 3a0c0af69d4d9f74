import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config/config.js';
import { type RunningService, startService } from '../../src/service.js';
import { createLogger } from '../../src/shared/logger.js';
import { type GitHubDouble, startGitHubDouble } from './github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from './onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from './onedev-double/test-kit.js';
import { webhookExample, webhookRequest, withRepository } from './webhooks.js';

export const SERVICE_GITHUB_TOKEN = 'ghp_inProcessServiceTokenNeverLogged00001';
export const SERVICE_WEBHOOK_SECRET = 'in-process-webhook-secret';

export interface InProcessService {
  github: GitHubDouble;
  onedev: OneDevDouble;
  service: RunningService;
  url: string;
  /** Sends GitHub's real "watch started" delivery for a repository of the GitHub double. */
  star(record: { id: number; owner: string; name: string }): Promise<Response>;
  /** Sends GitHub's real "push" delivery for a repository of the GitHub double. */
  push(record: { id: number; owner: string; name: string }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The service exactly as `starbridge serve` wires it (startService), on SQLite, listening on
 * loopback, against the GitHub and OneDev doubles; `env` adds or overrides configuration,
 * and `configure` adjusts what no variable sets (where container sockets are looked for).
 */
export async function startInProcessService(
  options: {
    env?: Record<string, string>;
    onBeforeStart?: (github: GitHubDouble) => void;
    configure?: (config: Config) => Config;
  } = {},
): Promise<InProcessService> {
  const github = await startGitHubDouble({ tokens: { [SERVICE_GITHUB_TOKEN]: 'octocat' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  options.onBeforeStart?.(github);
  const dataDir = mkdtempSync(join(tmpdir(), 'starbridge-service-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dataDir, 'starbridge.db')}`,
    DATA_DIR: dataDir,
    GITHUB_API_URL: github.url,
    GITHUB_GIT_URL: github.url,
    GITHUB_TOKEN: SERVICE_GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: SERVICE_WEBHOOK_SECRET,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    SHUTDOWN_GRACE: '2s',
    ...options.env,
  });
  const configured = options.configure ? options.configure(config) : config;
  const service = await startService(configured, createLogger({ level: 'silent' }));
  const url = `http://127.0.0.1:${service.port}`;
  const deliver = (event: string, payload: object) => {
    const request = webhookRequest({ event, payload, secret: SERVICE_WEBHOOK_SECRET });
    return fetch(`${url}/webhooks/github`, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
    });
  };
  return {
    github,
    onedev,
    service,
    url,
    star: (record) => deliver('watch', withRepository(webhookExample('watch', 'started'), record)),
    push: (record) => deliver('push', withRepository(webhookExample('push'), record)),
    async close() {
      await service.stop();
      await Promise.all([github.close(), onedev.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { eventually } from './eventually.js';

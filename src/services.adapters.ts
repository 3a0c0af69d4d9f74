import { join } from 'node:path';
import type { Config } from './config/config.js';
import { createDockerEngine } from './engine/docker-engine.client.js';
import { createEngineAccess } from './engine/engine-socket.js';
import { createGitEngine } from './git/git.adapter.js';
import { createLfsEngine } from './git/lfs.adapter.js';
import { createGitHubCredentials } from './github/credentials.js';
import { createGitHubClient } from './github/github.client.js';
import { createOneDevClient } from './onedev/onedev.client.js';
import { createOneDevProtectionApi } from './onedev/protection.js';
import type { Adapters, ServiceOverrides } from './services.types.js';
import type { Logger } from './shared/logger.js';
import type { Redactor } from './shared/redact.js';

// Part of the composition root (`src/services.ts`): the adapters it builds first.

/**
 * The adapters, each constructed here and nowhere else. http:// is allowed for git only
 * when an operator configured an http base URL (tests, a LAN OneDev).
 */
export function buildAdapters(
  config: Config,
  log: Logger,
  redactor: Redactor,
  overrides: ServiceOverrides,
): Adapters {
  const given = overrides.adapters ?? {};
  const { github, onedev, containers } = config;
  const allowHttp = [github.gitUrl, onedev?.url ?? ''].some((url) => url.startsWith('http:'));
  const fetch = overrides.fetch;
  return {
    github:
      given.github ?? createGitHubClient({ apiUrl: github.apiUrl, token: github.token, fetch }),
    credentials: given.credentials ?? createGitHubCredentials(github, log, { fetch }),
    onedev:
      'onedev' in given
        ? given.onedev
        : onedev && createOneDevClient({ baseUrl: onedev.url, token: onedev.token, fetch }),
    onedevProtection:
      'onedevProtection' in given
        ? given.onedevProtection
        : onedev && createOneDevProtectionApi({ baseUrl: onedev.url, token: onedev.token, fetch }),
    git:
      given.git ??
      createGitEngine({ homeDir: join(config.dataDir, 'git-home'), allowHttp, redactor }),
    lfs:
      given.lfs ??
      createLfsEngine({ homeDir: join(config.dataDir, 'git-home'), allowHttp, redactor, fetch }),
    engine:
      given.engine ??
      createEngineAccess({
        socket: containers.socket,
        candidates: containers.socketCandidates,
        create: (socketPath) =>
          createDockerEngine({
            socketPath,
            requestTimeoutMs: overrides.containers?.requestTimeoutMs,
          }),
      }),
  };
}

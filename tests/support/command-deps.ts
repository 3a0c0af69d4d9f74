import type { Config } from '../../src/config/config.js';
import type { DbHandle } from '../../src/db/database.js';
import { buildServices, type ServiceOverrides } from '../../src/services.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';

/** What the `status` and `reconcile` commands take, from the services built as the CLI builds them. */
export function commandDeps(deps: {
  config: Config;
  handle: DbHandle;
  log?: Logger;
  out: (line: string) => void;
}) {
  const services = buildServices(
    deps.config,
    deps.log ?? createLogger({ level: 'silent' }),
    deps.handle,
  );
  return {
    mirrors: services.mirrors,
    sources: services.sources,
    onedevConfigured: Boolean(services.adapters.onedev),
    out: deps.out,
  };
}

/** The container feature exactly as the services wire it, on `handle`. */
export function containersFeature(
  config: Config,
  handle: DbHandle,
  log: Logger,
  overrides?: ServiceOverrides['containers'],
) {
  return buildServices(config, log, handle, { containers: overrides }).containers;
}

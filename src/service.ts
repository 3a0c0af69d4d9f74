import type { Server } from 'node:http';
import type { Config } from './config/config.js';
import { createDb, type DbHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { waitForDatabase } from './db/wait-for-database.js';
import { checkGitInstallation } from './git/git-installation.js';
import { createApp } from './http/app.js';
import { listen, urlToOpen } from './http/listen.js';
import { buildServices, type ServiceOverrides, type Services } from './services.js';
import type { Logger } from './shared/logger.js';

export interface RunningService {
  /** The port actually bound (useful when configured as 0). */
  port: number;
  /** Stops accepting, lets in-flight work finish within the grace period, then closes the database. */
  stop(): Promise<void>;
}

/** Opens the database, migrates it, builds the services, serves HTTP and starts the workers. */
export async function startService(
  config: Config,
  log: Logger,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  // Refuse to start without a safe git (docs/reference/bad-inputs.md#g14): every sync would
  // fail, or fetch unsafely.
  const git = await checkGitInstallation({ path: overrides.gitPath });
  const db = await openMigrated(config, log);
  const services = buildServices(config, log, db, overrides);
  const server = await listen(createApp(services).fetch, {
    hostname: config.http.host,
    port: config.http.port,
  });
  await services.start();
  const port = (server.address() as { port: number }).port;
  log.info(
    {
      host: config.http.host,
      port,
      database: config.db.dialect,
      git: git.version,
      open: urlToOpen(config.http, port),
    },
    'starbridge listening',
  );
  return {
    port,
    stop: () => stopService({ server, db, services, log, graceMs: config.http.shutdownGraceMs }),
  };
}

async function openMigrated(config: Config, log: Logger): Promise<DbHandle> {
  const db = createDb(config.db, log);
  try {
    const applied = await waitForDatabase(() => migrateToLatest(db), log);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function stopService(deps: {
  server: Server;
  db: DbHandle;
  services: Services;
  log: Logger;
  graceMs: number;
}): Promise<void> {
  const { server, db, services, log, graceMs } = deps;
  log.info({ graceMs }, 'shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    log.warn('grace period over; closing remaining connections');
    server.closeAllConnections();
  }, graceMs);
  timer.unref();
  await Promise.all([closed, services.stop(graceMs)]);
  clearTimeout(timer);
  await db.destroy();
  log.info('stopped');
}

import type { Config } from '../config/config.js';
import { containersCommand } from '../containers/containers.command.js';
import { hashPasswordCommand } from '../dashboard/hash-password.command.js';
import { createDb } from '../db/database.js';
import { migrateCommand } from '../db/migrate.command.js';
import { migrateToLatest, readSchemaStatus } from '../db/migrate.js';
import { checkGitInstallation } from '../git/git-installation.js';
import { statusCommand } from '../mirrors/status.command.js';
import { buildServices, type ServiceOverrides, type Services } from '../services.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Redactor } from '../shared/redact.js';
import { reconcileCommand } from '../sources/reconcile.command.js';
import { syncCommand } from '../sync/sync.command.js';

export const USAGE = `Usage: starbridge <command>

Commands:
  serve        run the service (default)
  migrate      apply database migrations and exit
  sync <owner/name>
               sync one repository now, in the foreground (adds it if not mirrored yet)
  reconcile [--dry-run]
               list the stars now and mirror new ones (--dry-run: only print the plan)
  status [--mirrors]
               mirrors by status, GitHub sources, paused mirrors and the latest failures
               (--mirrors: every mirror with its source, starred and next refresh)
  containers [list | start|stop|restart <container> | restart --repo <owner/name>
             | rebuild [service]]
               labelled containers; start, stop or restart one, restart every follower
               of a repository, or run COMPOSE_COMMAND up -d --build
  hash-password
               read a password (prompt or stdin), print a DASHBOARD_PASSWORD_HASH
  help         show this text

Configuration comes from the environment and an optional .env file in the working directory;
see docs/configuration.md.`;

export interface CliContext {
  config: Config;
  log: Logger;
  out: (line: string) => void;
  /** Runs the long-lived service; resolves when it has stopped. */
  serve: () => Promise<number>;
  /** Scrubs secrets from git output and errors (the foreground sync). */
  redactor?: Redactor;
  clock?: Clock;
  /** PATH the git check searches (tests); the git engine's default when unset. */
  gitPath?: string;
  /** What tests substitute in the services the commands run with. */
  overrides?: ServiceOverrides;
}

/** Runs one CLI command and returns the process exit code. */
export async function runCommand(
  command: string,
  args: string[],
  ctx: CliContext,
): Promise<number> {
  switch (command) {
    case 'serve':
      return ctx.serve();
    case 'migrate':
      return migrateCommand(ctx.config, ctx.log, ctx.out);
    case 'sync':
      // The same refusal as `serve` (docs/reference/bad-inputs.md#g14): this sync runs git in the
      // foreground.
      await checkGitInstallation({ path: ctx.gitPath });
      return withServices(ctx, 'migrate', (services) =>
        syncCommand(args, {
          ...services,
          out: ctx.out,
          github: services.adapters.github,
        }),
      );
    case 'reconcile':
      return withServices(ctx, 'migrate', (services) =>
        reconcileCommand(args, { sources: services.sources, out: ctx.out }),
      );
    case 'hash-password':
      return hashPasswordCommand(ctx.out);
    case 'status':
      return withServices(ctx, 'require-current', (services) =>
        statusCommand(args, {
          ...services,
          onedevConfigured: Boolean(services.adapters.onedev),
          out: ctx.out,
        }),
      );
    case 'containers':
      return withServices(ctx, 'require-current', async (services) => {
        try {
          return await containersCommand(args, {
            service: services.containers.service,
            out: ctx.out,
          });
        } finally {
          await services.containers.stop(0);
        }
      });
    default:
      ctx.out(`unknown command "${command}"\n\n${USAGE}`);
      return 64;
  }
}

/**
 * Opens the database and builds the services for one command. `sync` and `reconcile`
 * write, so they migrate as `serve` does; `status` only reads and says what to run when
 * the schema is behind.
 */
async function withServices(
  ctx: CliContext,
  schema: 'migrate' | 'require-current',
  run: (services: Services) => Promise<number>,
): Promise<number> {
  const handle = createDb(ctx.config.db, ctx.log);
  try {
    if (schema === 'migrate') {
      await migrateToLatest(handle);
    } else if (!(await readSchemaStatus(handle)).current) {
      ctx.out(
        'the database schema is not current: run `starbridge migrate` (or start the service) first',
      );
      return 1;
    }
    const services = buildServices(ctx.config, ctx.log, handle, {
      clock: ctx.clock,
      redactor: ctx.redactor,
      gitPath: ctx.gitPath,
      ...ctx.overrides,
    });
    return await run(services);
  } finally {
    await handle.destroy();
  }
}

import type { Config } from '../config/config.js';
import { containersCommand } from '../containers/containers.command.js';
import { hashPasswordCommand } from '../dashboard/hash-password.command.js';
import { createDb, type DbHandle } from '../db/database.js';
import { migrateCommand } from '../db/migrate.command.js';
import { migrateToLatest, readSchemaStatus } from '../db/migrate.js';
import { checkGitInstallation } from '../git/git-installation.js';
import { createGitHubClient } from '../github/github.client.js';
import { statusCommand } from '../mirrors/status.command.js';
import { type Clock, systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Redactor } from '../shared/redact.js';
import { reconcileCommand } from '../sources/reconcile.command.js';
import { syncCommand } from '../sync/sync.command.js';
import { createSyncEngine } from '../sync/sync-engine.js';

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
      return withDatabase(ctx, 'migrate', (handle) => {
        const clock = ctx.clock ?? systemClock;
        const engine = createSyncEngine(
          ctx.config,
          handle,
          clock,
          ctx.redactor ?? new Redactor([]),
        );
        const github = createGitHubClient({
          apiUrl: ctx.config.github.apiUrl,
          token: ctx.config.github.token,
        });
        return syncCommand(args, { ...ctx, handle, github, execute: engine?.execute, clock });
      });
    case 'reconcile':
      return withDatabase(ctx, 'migrate', (handle) =>
        reconcileCommand(args, { ...ctx, handle, clock: ctx.clock }),
      );
    case 'hash-password':
      return hashPasswordCommand(ctx.out);
    case 'status':
      return withDatabase(ctx, 'require-current', (handle) =>
        statusCommand(args, { ...ctx, handle }),
      );
    case 'containers':
      return withDatabase(ctx, 'require-current', (handle) =>
        containersCommand(args, { ...ctx, handle }),
      );
    default:
      ctx.out(`unknown command "${command}"\n\n${USAGE}`);
      return 64;
  }
}

/**
 * Opens the database for one command. `sync` writes, so it migrates as `serve` does;
 * `status` only reads and says what to run when the schema is behind.
 */
async function withDatabase(
  ctx: CliContext,
  schema: 'migrate' | 'require-current',
  run: (handle: DbHandle) => Promise<number>,
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
    return await run(handle);
  } finally {
    await handle.destroy();
  }
}

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
import { answerEarly } from './usage.js';

export interface CliContext {
  config: Config;
  log: Logger;
  out: (line: string) => void;
  /** Usage errors and other diagnostics (stderr); `console.error` when unset. */
  err?: (line: string) => void;
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
  const early = answerEarly(command, args);
  if (early) {
    const write = early.stream === 'out' ? ctx.out : (ctx.err ?? console.error);
    write(early.text);
    return early.code;
  }
  switch (command) {
    case 'serve':
      return ctx.serve();
    case 'migrate':
      return migrateCommand(ctx.config, ctx.log, ctx.out);
    case 'sync':
      // The same refusal as `serve` (G14): this sync runs git in the foreground.
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
      (ctx.err ?? console.error)(`starbridge: unknown command "${command}"`);
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

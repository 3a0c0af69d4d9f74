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
  /** What tests substitute in the services the commands run with. */
  overrides?: ServiceOverrides;
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
      (ctx.err ?? console.error)(`starbridge: unknown command "${command}"`);
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

import { readBuildInfo } from '../shared/build-info.js';

export const USAGE = `Usage: starbridge <command> [--help]

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
             | retry <container> | plan <owner/name> [flags] | rebuild [service]]
               labelled containers; start, stop or restart one, restart every follower
               of a repository, retry after a rollback, show what a change would
               restart, or run COMPOSE_COMMAND up -d --build
  hash-password
               read a password (prompt or stdin), print a DASHBOARD_PASSWORD_HASH
  help [command]
               show this text, or one command's

Options:
  -h, --help     show help (after a command: that command's help)
  -v, --version  print the version

Configuration comes from the environment and an optional .env file in the working directory;
see docs/configuration.md.`;

interface CommandSpec {
  usage: string;
  /** True when the arguments have the command's shape (checked before any database opens). */
  accepts(args: string[]): boolean;
}

const none = (args: string[]) => args.length === 0;
const only = (flag: string) => (args: string[]) => args.every((a) => a === flag);
const operand = (arg: string | undefined) => Boolean(arg) && !arg?.startsWith('-');

const COMMANDS: Record<string, CommandSpec> = {
  serve: {
    usage: 'usage: starbridge serve\n  run the service until SIGTERM or SIGINT',
    accepts: none,
  },
  migrate: {
    usage: 'usage: starbridge migrate\n  apply database migrations and exit',
    accepts: none,
  },
  sync: {
    usage:
      'usage: starbridge sync <owner/name>\n  sync one repository now, in the foreground (adds it if not mirrored yet)',
    accepts: (args) => args.length === 1 && operand(args[0]),
  },
  reconcile: {
    usage:
      'usage: starbridge reconcile [--dry-run]\n  list the stars now and mirror new ones (--dry-run: only print the plan)',
    accepts: only('--dry-run'),
  },
  status: {
    usage:
      'usage: starbridge status [--mirrors]\n  mirrors by status, sources and latest failures (--mirrors: every mirror)',
    accepts: only('--mirrors'),
  },
  containers: {
    usage: `usage: starbridge containers [list]
       starbridge containers start|stop|restart <container id or name>
       starbridge containers restart --repo <owner/name>
       starbridge containers retry <container id or name>
       starbridge containers plan <owner/name> [--branch B] [--paths a,b/ | --from C1 --to C2]
       starbridge containers rebuild [compose service]`,
    accepts: containersAccepts,
  },
  'hash-password': {
    usage:
      'usage: starbridge hash-password\n  read a password (prompt or stdin), print a DASHBOARD_PASSWORD_HASH',
    accepts: none,
  },
};

function containersAccepts([sub = 'list', ...rest]: string[]): boolean {
  if (sub === 'list') return rest.length === 0;
  if (sub === 'restart' && rest[0] === '--repo') return rest.length === 2 && operand(rest[1]);
  if (['start', 'stop', 'restart'].includes(sub)) return rest.length === 1 && operand(rest[0]);
  if (sub === 'rebuild') return rest.length === 0 || (rest.length === 1 && operand(rest[0]));
  if (sub === 'retry') return rest.length === 1 && operand(rest[0]);
  if (sub === 'plan') return rest.length % 2 === 1 && operand(rest[0]);
  return false;
}

/** An answer given without configuration, database or network: help, version, usage errors. */
export interface EarlyAnswer {
  code: number;
  stream: 'out' | 'err';
  text: string;
}

const HELP = new Set(['--help', '-h']);
const VERSION = new Set(['--version', '-v']);

/**
 * Answers what needs nothing but the arguments, so `--help` and a typo never create or
 * migrate a database. Undefined means: run the command.
 */
export function answerEarly(command: string, args: string[]): EarlyAnswer | undefined {
  if (VERSION.has(command)) return { code: 0, stream: 'out', text: versionLine() };
  if (HELP.has(command) || command === 'help') return helpFor(args[0]);
  const spec = COMMANDS[command];
  if (!spec) {
    return usageError(`unknown command "${command}"; run \`starbridge --help\` for the list`);
  }
  if (args.some((a) => HELP.has(a))) return { code: 0, stream: 'out', text: spec.usage };
  if (!spec.accepts(args)) {
    return usageError(`unexpected arguments: ${args.join(' ') || '(none)'}\n${spec.usage}`);
  }
  return undefined;
}

export function versionLine(): string {
  return `starbridge ${readBuildInfo().version}`;
}

function helpFor(command: string | undefined): EarlyAnswer {
  if (!command) return { code: 0, stream: 'out', text: USAGE };
  const spec = COMMANDS[command];
  if (!spec) return usageError(`no command "${command}"; run \`starbridge --help\` for the list`);
  return { code: 0, stream: 'out', text: spec.usage };
}

/** Exit 64 (EX_USAGE), on stderr: a script piping stdout gets nothing half-parsed. */
function usageError(text: string): EarlyAnswer {
  return { code: 64, stream: 'err', text: `starbridge: ${text}` };
}

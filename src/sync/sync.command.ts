import type { DbHandle } from '../db/database.js';
import type { GitHubClient } from '../github/github.client.js';
import { fullNameOf, parseFullName } from '../github/repo-name.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { MirrorService } from '../mirrors/mirror.service.js';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { type ForegroundOutcome, syncInForeground } from './foreground-sync.js';
import type { RefChange, RunResult, SyncRun } from './run.js';
import type { SyncExecutor } from './sync.worker.js';

export interface SyncCommandDeps {
  handle: DbHandle;
  mirrors: MirrorService;
  out: (line: string) => void;
  /** The workers' lease and attempts: a foreground sync claims the mirror the same way. */
  sync: { leaseMs: number; maxAttempts: number };
  github: GitHubClient;
  /** The real git + OneDev sync; undefined when OneDev is not configured. */
  execute: SyncExecutor | undefined;
  clock?: Clock;
  /** How often to look whether another worker released the mirror. */
  pollMs?: number;
}

const USAGE = 'usage: starbridge sync <owner/name>';
const SUCCESS: RunResult[] = ['synced', 'unchanged', 'empty'];

/**
 * `starbridge sync <owner/name>`: one sync in the foreground, printing the refs it moved.
 * A repository not mirrored yet is looked up on GitHub and added (source manual). The
 * mirror is claimed with the workers' lease, so it never syncs alongside a running
 * service; if a worker holds it, this waits for it and reports that worker's run.
 * Exit codes: 0 synced, 1 the sync failed, 2 OneDev not configured, 64 bad usage.
 */
export async function syncCommand(args: string[], deps: SyncCommandDeps): Promise<number> {
  const [repo, ...extra] = args;
  if (!repo || extra.length > 0 || repo.startsWith('-')) {
    deps.out(USAGE);
    return 64;
  }
  if (!deps.execute) {
    deps.out('starbridge sync needs ONEDEV_URL and ONEDEV_TOKEN: set them to say where mirrors go');
    return 2;
  }
  const clock = deps.clock ?? systemClock;
  const { mirrors } = deps;
  let mirror: Mirror;
  try {
    mirror = await findOrAdd(repo, mirrors, deps);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    deps.out(`starbridge sync: ${error.message}`);
    return error.code === 'ValidationError' ? 64 : 1;
  }
  const outcome = await syncInForeground(mirror.githubId, {
    handle: deps.handle,
    execute: deps.execute,
    clock,
    leaseMs: deps.sync.leaseMs,
    maxAttempts: deps.sync.maxAttempts,
    pollMs: deps.pollMs,
    onWaiting: (holder) =>
      deps.out(`${mirror.fullName} is being synced by ${holder}; waiting for it to finish`),
    onStart: () => deps.out(`syncing ${mirror.fullName} ...`),
  });
  return report(mirror, outcome, deps);
}

async function findOrAdd(
  repo: string,
  mirrors: MirrorService,
  deps: SyncCommandDeps,
): Promise<Mirror> {
  const name = validName(repo);
  const existing = name ? await mirrors.findByName(name) : undefined;
  if (existing) return existing;
  const { mirror, created } = await mirrors.addManual(repo, (owner, name) =>
    deps.github.getRepository(owner, name),
  );
  if (created)
    deps.out(`added ${mirror.fullName} (GitHub id ${mirror.githubId}) as a manual mirror`);
  return mirror;
}

/** `owner/name` when the argument is one; anything else goes to `addManual`, which says what is wrong. */
function validName(repo: string): string | undefined {
  try {
    return fullNameOf(parseFullName(repo));
  } catch {
    return undefined;
  }
}

/** Prints what happened and returns the exit code. */
function report(mirror: Mirror, outcome: ForegroundOutcome, deps: SyncCommandDeps): number {
  const { out } = deps;
  switch (outcome.kind) {
    case 'synced': {
      const { result } = outcome;
      printRefs(result.refs, out);
      const took = seconds(outcome.durationMs);
      out(`${mirror.fullName}: ${result.result} in ${took} → OneDev ${result.onedev.path}`);
      return 0;
    }
    case 'failed': {
      const { decision } = outcome;
      out(`${mirror.fullName}: sync failed (${decision.code}): ${decision.message}`);
      out(
        decision.status === 'retrying'
          ? `it will be retried at ${decision.nextAttemptAt}`
          : 'the mirror is now failed',
      );
      return 1;
    }
    case 'waited':
      if (!outcome.run) {
        out(`${mirror.fullName}: released without a recorded run`);
        return 1;
      }
      return printRun(mirror.fullName, outcome.run, out);
    case 'gone':
      out(`starbridge sync: the mirror of ${mirror.fullName} was deleted meanwhile`);
      return 1;
    default:
      return outcome satisfies never;
  }
}

function printRun(fullName: string, run: SyncRun, out: (line: string) => void): number {
  printRefs(run.refs, out);
  const took = run.durationMs === null ? '' : ` in ${seconds(run.durationMs)}`;
  if (SUCCESS.includes(run.result)) {
    out(`${fullName}: ${run.result}${took} (run ${run.id} by ${run.trigger})`);
    return 0;
  }
  out(
    `${fullName}: sync ${run.result}${run.errorCode ? ` (${run.errorCode})` : ''}: ${run.error ?? 'no error recorded'}`,
  );
  return 1;
}

/** One line per moved ref: kind, ref, old → new (short shas). */
export function printRefs(refs: RefChange[], out: (line: string) => void): void {
  if (refs.length === 0) {
    out('no refs moved');
    return;
  }
  const width = Math.max(...refs.map((r) => r.ref.length));
  for (const change of refs) {
    out(
      `  ${change.kind.padEnd(7)}  ${change.ref.padEnd(width)}  ${short(change.old)} → ${short(change.new)}`,
    );
  }
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '(none)';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

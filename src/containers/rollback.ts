import type { EventEmitter } from 'node:events';
import type { ContainerEngine, EngineContainer } from '../engine/engine.port.js';
import type { ContainerActionLog } from './container-action.js';
import type { ContainerEvents, LedgerEntry, RestartResult } from './containers.events.js';
import type { RestartEntry, RestartRunner } from './restart-runner.js';
import type { WorkingCopies } from './working-copy.adapter.js';
import type { WorkingCopyHolds } from './working-copy-holds.repo.js';

/** What a rollback needs: present only with working copies and RESTART_ROLLBACK on. */
export interface RollbackDeps {
  workingCopies: WorkingCopies;
  holds: WorkingCopyHolds;
  actions: ContainerActionLog;
  events: EventEmitter<ContainerEvents>;
  runner: RestartRunner;
}

export interface RollbackRequest {
  fullName: string;
  name: string;
  path: string;
  branch: string;
  /** The commit the followers failed on, and the one they ran before. */
  from: string;
  to: string;
  failed: Array<{ container: EngineContainer; entry: RestartEntry }>;
}

/**
 * Puts the working copy back on the commit before the sync, restarts the followers that
 * failed on the new one, and holds the working copy there until a newer commit arrives
 * or an operator retries. Returns the ledger entries and each container's final restart.
 */
export async function rollBack(
  engine: ContainerEngine,
  deps: RollbackDeps,
  request: RollbackRequest,
  signal?: AbortSignal,
): Promise<{ ledger: LedgerEntry[]; final: RestartEntry[] }> {
  const startedAt = new Date().toISOString();
  const names = request.failed.map((f) => f.container.name);
  const failure = worst(request.failed.map((f) => f.entry.result));
  const base = { kind: 'rollback' as const, containers: names, path: request.path };
  const commits = { from: request.from, to: request.to };
  try {
    await deps.workingCopies.reset(
      {
        fullName: request.fullName,
        name: request.name,
        branch: request.branch,
        commit: request.to,
      },
      signal,
    );
  } catch (error) {
    const message = `could not put the working copy back: ${error instanceof Error ? error.message : String(error)}`;
    await record(deps, request, names, 'failed', null, message, startedAt);
    return {
      ledger: [{ ...base, ...commits, result: 'failed', message }],
      final: request.failed.map((f) => f.entry),
    };
  }
  const final = await Promise.all(
    request.failed.map((f) =>
      deps.runner.restart(engine, f.container, request.fullName, signal, 'after'),
    ),
  );
  const result = worst(final.map((e) => e.result));
  await deps.holds.set({
    repository: request.fullName,
    badCommit: request.from,
    goodCommit: request.to,
    containers: names,
    heldAt: startedAt,
  });
  const message = `${names.join(', ')} ${failure} on ${short(request.from)}; working copy put back on ${short(request.to)}, held there until a newer commit or a retry`;
  const health = final.find((e) => e.result === result)?.health ?? null;
  await record(deps, request, names, result, health, message, startedAt);
  deps.events.emit('container:rolled-back', {
    repo: request.fullName,
    containers: names,
    ...commits,
    failure,
    result,
  });
  return { ledger: [{ ...base, ...commits, result, message }, ...final], final };
}

function record(
  deps: RollbackDeps,
  request: RollbackRequest,
  names: string[],
  result: RestartResult,
  health: string | null,
  message: string,
  startedAt: string,
): Promise<void> {
  return deps.actions.record({
    kind: 'rollback',
    container: names.join(','),
    repository: request.fullName,
    result,
    health,
    fromCommit: request.from,
    toCommit: request.to,
    message,
    startedAt,
    finishedAt: new Date().toISOString(),
  });
}

/** `restarted` only when all are; otherwise the first result that is not. */
function worst(results: RestartResult[]): RestartResult {
  return results.find((r) => r !== 'restarted') ?? 'restarted';
}

const short = (commit: string) => commit.slice(0, 12);

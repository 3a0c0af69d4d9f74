import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';
import type { Logger } from '../shared/logger.js';
import { redactCredentialPatterns } from '../shared/redact.js';
import type {
  ActionFilter,
  ContainerActionKind,
  ContainerActionLog,
  ContainerActionRecord,
  LastRestart,
  NewContainerAction,
} from './container-action.js';

/**
 * What Starbridge did to a container (restart, start, stop) or a compose stack (rebuild),
 * kept so the last restart and a rebuild's output survive a restart of the service. The
 * table type lives here, beside its only queries, and is added with `withTables`.
 */
export interface ContainerActionsTable {
  id: string;
  kind: ContainerActionKind;
  /** Container name; for a rebuild the compose service, or null for all services. */
  container: string | null;
  container_id: string | null;
  /** `owner/name` when a sync (or a restart of a repository's followers) caused it. */
  repository: string | null;
  result: string;
  health: string | null;
  from_commit: string | null;
  to_commit: string | null;
  message: string | null;
  /** A rebuild's output: redacted, its tail only (OUTPUT_KEPT characters). */
  output: string | null;
  exit_code: number | null;
  started_at: string;
  finished_at: string;
}

export type ContainerActionRow = Selectable<ContainerActionsTable>;

/** The tail of a rebuild's output that is kept (64 KiB of characters). */
export const OUTPUT_KEPT = 64 * 1024;

function actions(db: Executor) {
  return db.withTables<{ container_actions: ContainerActionsTable }>();
}

export async function insertContainerAction(
  db: Executor,
  row: Insertable<ContainerActionsTable>,
): Promise<void> {
  await actions(db).insertInto('container_actions').values(row).execute();
}

/** Newest first. */
export async function listContainerActions(
  db: Executor,
  filter: ActionFilter,
): Promise<ContainerActionRecord[]> {
  let query = actions(db).selectFrom('container_actions').selectAll();
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.container) query = query.where('container', '=', filter.container);
  const rows = await query
    .orderBy('finished_at', 'desc')
    .orderBy('started_at', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map(toRecord);
}

/**
 * The latest restart of each named container (by name: a container recreated by compose
 * keeps its name, not its id). One indexed query per name; the lists are short.
 */
export async function latestRestarts(
  db: Executor,
  names: readonly string[],
): Promise<Map<string, LastRestart>> {
  const found = await Promise.all(
    [...new Set(names)].map(async (name) => {
      const row = await actions(db)
        .selectFrom('container_actions')
        .select(['started_at', 'result', 'message'])
        .where('container', '=', name)
        .where('kind', '=', 'restart')
        .orderBy('finished_at', 'desc')
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? ([name, row] as const) : undefined;
    }),
  );
  const last = new Map<string, LastRestart>();
  for (const entry of found) {
    if (!entry) continue;
    const [name, row] = entry;
    last.set(name, {
      at: row.started_at,
      result: row.result,
      ...(row.message ? { message: row.message } : {}),
    });
  }
  return last;
}

function toRecord(row: ContainerActionRow): ContainerActionRecord {
  return {
    id: row.id,
    kind: row.kind,
    container: row.container,
    containerId: row.container_id,
    repository: row.repository,
    result: row.result,
    health: row.health ?? null,
    fromCommit: row.from_commit ?? null,
    toCommit: row.to_commit ?? null,
    message: row.message,
    output: row.output,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Records actions for the restart runner and the service. Recording never fails the
 * action itself: a database error is logged, and the action's answer stands.
 */
export function createContainerActionLog(deps: {
  db: Executor;
  log: Logger;
  /** Removes secrets from messages and output; credential patterns only by default. */
  redact?: (text: string) => string;
}): ContainerActionLog {
  const redact = deps.redact ?? redactCredentialPatterns;
  const log = deps.log.child({ component: 'container-actions' });
  return {
    async record(action: NewContainerAction): Promise<void> {
      const output = action.output == null ? null : redact(action.output).slice(-OUTPUT_KEPT);
      try {
        await insertContainerAction(deps.db, {
          id: randomUUID(),
          kind: action.kind,
          container: action.container ?? null,
          container_id: action.containerId ?? null,
          repository: action.repository ?? null,
          result: action.result,
          health: action.health ?? null,
          from_commit: action.fromCommit ?? null,
          to_commit: action.toCommit ?? null,
          message: action.message ? redact(action.message) : null,
          output,
          exit_code: action.exitCode ?? null,
          started_at: action.startedAt,
          finished_at: action.finishedAt,
        });
      } catch (error) {
        log.error(
          { err: error, kind: action.kind, container: action.container },
          'recording a container action failed',
        );
      }
    },
    list: (filter: ActionFilter) => listContainerActions(deps.db, filter),
    latestRestarts: (names: readonly string[]) => latestRestarts(deps.db, names),
  };
}

import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/executor.js';
import { applyMirrorEvent } from './mirror-apply.repo.js';
import type { MirrorOptionKey, MirrorOptions } from './mirror-options.js';

/**
 * An operator's control of mirrors: pause and resume, per-mirror options, and the log of
 * who changed what. The table types live here, beside their only queries, and are added
 * with `withTables`.
 */
export interface MirrorOptionsTable {
  github_id: number;
  key: string;
  /** JSON. */
  value: string;
  updated_by: string;
  updated_at: string;
}

export interface MirrorChangesTable {
  id: string;
  github_id: number;
  /** `pause`, `resume`, `option`. */
  change: string;
  detail: string | null;
  actor: string;
  at: string;
}

export type ControlTables = {
  mirror_options: MirrorOptionsTable;
  mirror_changes: MirrorChangesTable;
};

export function controlTables(db: Executor) {
  return db.withTables<ControlTables>();
}

export type ControlOutcome = 'done' | 'unchanged' | 'not_found';

async function logChange(
  db: Executor,
  githubId: number,
  change: string,
  detail: string | null,
  actor: string,
  at: string,
): Promise<void> {
  await controlTables(db)
    .insertInto('mirror_changes')
    .values({ id: randomUUID(), github_id: githubId, change, detail, actor, at })
    .execute();
}

/** Pauses one mirror for an operator and logs it; `unchanged` when they had already. */
export async function pauseByOperator(
  db: Executor,
  githubId: number,
  actor: string,
  now: string,
): Promise<ControlOutcome> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'operator-pause', by: actor }, now);
  if (applied === 'not_found') return 'not_found';
  if (!applied.ok) return 'unchanged';
  await logChange(db, githubId, 'pause', null, actor, now);
  return 'done';
}

/** Lifts an operator's pause and logs it; `unchanged` when no operator had paused it. */
export async function resumeByOperator(
  db: Executor,
  githubId: number,
  actor: string,
  now: string,
): Promise<ControlOutcome> {
  const applied = await applyMirrorEvent(db, githubId, { kind: 'operator-resume' }, now);
  if (applied === 'not_found') return 'not_found';
  if (!applied.ok) return 'unchanged';
  await logChange(db, githubId, 'resume', null, actor, now);
  return 'done';
}

export async function readOptions(db: Executor, githubId: number): Promise<MirrorOptions> {
  const rows = await controlTables(db)
    .selectFrom('mirror_options')
    .selectAll()
    .where('github_id', '=', githubId)
    .execute();
  const options: MirrorOptions = {};
  for (const row of rows) {
    options[row.key as MirrorOptionKey] = {
      value: JSON.parse(row.value) as unknown,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }
  return options;
}

/** One option of many mirrors, in one query: github id → its value; absent when unset. */
export async function readOptionOf(
  db: Executor,
  githubIds: number[],
  key: MirrorOptionKey,
): Promise<Map<number, unknown>> {
  if (githubIds.length === 0) return new Map();
  const rows = await controlTables(db)
    .selectFrom('mirror_options')
    .select(['github_id', 'value'])
    .where('key', '=', key)
    .where('github_id', 'in', githubIds)
    .execute();
  return new Map(rows.map((row) => [row.github_id, JSON.parse(row.value) as unknown]));
}

/** Sets (or with `null`, removes) one option, and logs the change. */
export async function writeOption(
  db: Executor,
  githubId: number,
  key: MirrorOptionKey,
  value: unknown,
  actor: string,
  now: string,
): Promise<void> {
  const table = controlTables(db);
  if (value === null) {
    await table
      .deleteFrom('mirror_options')
      .where('github_id', '=', githubId)
      .where('key', '=', key)
      .execute();
  } else {
    const json = JSON.stringify(value);
    await table
      .insertInto('mirror_options')
      .values({ github_id: githubId, key, value: json, updated_by: actor, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['github_id', 'key']).doUpdateSet({
          value: json,
          updated_by: actor,
          updated_at: now,
        }),
      )
      .execute();
  }
  const detail = `${key} = ${value === null ? 'default' : JSON.stringify(value)}`;
  await logChange(db, githubId, 'option', detail, actor, now);
}

/** A mirror's latest changes by operators, newest first. */
export function listChanges(db: Executor, githubId: number, limit: number) {
  return controlTables(db)
    .selectFrom('mirror_changes')
    .selectAll()
    .where('github_id', '=', githubId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

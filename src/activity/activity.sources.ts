import { type ExpressionBuilder, sql } from 'kysely';
import type { ContainerActionsTable } from '../containers/container-actions.repo.js';
import type { Executor } from '../db/executor.js';
import type { MirrorChangesTable } from '../mirrors/mirror-control.repo.js';
import type { NotificationsTable } from '../notify/notifications.repo.js';
import type { DriftEntry } from '../sync/drift.js';
import type { ActivityEntry, ActivityFilter, ActivityKind } from './activity.js';

type Tables = {
  container_actions: ContainerActionsTable;
  mirror_changes: MirrorChangesTable;
  notifications: NotificationsTable;
};

/** One table's entries, newest first, at most `filter.limit`, after the cursor. */
export interface ActivitySource {
  kind: ActivityKind;
  read(db: Executor, filter: ActivityFilter): Promise<ActivityEntry[]>;
}

/** How each source's results count as success or failure (for the result filter). */
const FAILED_RESULTS: Record<ActivityKind, readonly string[]> = {
  sync: ['failed', 'retrying', 'aborted'],
  container: ['failed', 'timeout', 'unhealthy', 'not_running', 'gone'],
  webhook: ['failed', 'error', 'ignored_failed'],
  change: [],
  // A drift entry is the run that found it: it failed when the run did not restore OneDev.
  drift: ['empty', 'failed'],
  history: [],
  notification: ['failed'],
};

type Refs = Array<{ kind?: string }>;

// biome-ignore lint/suspicious/noExplicitAny: the helpers below serve every source's tables.
type AnyBuilder = ExpressionBuilder<any, any>;

const tables = (db: Executor) => db.withTables<Tables>();

/**
 * The keyset condition on one source: everything strictly after the cursor in the order
 * (time, kind, id) descending. The kind is fixed per source, so it decides whether an
 * entry at the cursor's very time still comes after it.
 */
function afterCursor(
  eb: AnyBuilder,
  at: string,
  id: string,
  kind: ActivityKind,
  filter: ActivityFilter,
) {
  const c = filter.before;
  if (!c) return eb.lit(true);
  if (kind < c.kind) return eb(at, '<=', c.at);
  if (kind > c.kind) return eb(at, '<', c.at);
  return eb.or([eb(at, '<', c.at), eb.and([eb(at, '=', c.at), eb(id, '<', c.id)])]);
}

/** The time range and outcome, common to every source. */
function common(
  eb: AnyBuilder,
  at: string,
  result: string,
  kind: ActivityKind,
  filter: ActivityFilter,
) {
  const parts = [];
  if (filter.from) parts.push(eb(at, '>=', filter.from));
  if (filter.to) parts.push(eb(at, '<', filter.to));
  const failed = FAILED_RESULTS[kind];
  if (filter.outcome === 'failed') {
    parts.push(failed.length > 0 ? eb(result, 'in', failed) : eb.lit(false));
  } else if (filter.outcome === 'succeeded' && failed.length > 0) {
    parts.push(eb(result, 'not in', failed));
  }
  return parts.length > 0 ? eb.and(parts) : eb.lit(true);
}

const hrefOf = (fullName: string | null, anchor = '') => {
  if (!fullName) return '/dashboard/mirrors';
  const [owner = '', name = ''] = fullName.split('/');
  return `/dashboard/mirrors/${encodeURIComponent(owner)}/${encodeURIComponent(name)}${anchor}`;
};

function refsSummary(json: string | null): string {
  const refs = json ? (JSON.parse(json) as Refs) : [];
  if (refs.length === 0) return 'no refs moved';
  return `${refs.length} ref${refs.length === 1 ? '' : 's'} moved`;
}

const syncRuns: ActivitySource = {
  kind: 'sync',
  async read(db, filter) {
    let query = tables(db)
      .selectFrom('sync_runs')
      .innerJoin('mirrors', 'mirrors.github_id', 'sync_runs.github_id')
      .select([
        'sync_runs.id',
        'sync_runs.started_at',
        'sync_runs.finished_at',
        'sync_runs.result',
        'sync_runs.error',
        'sync_runs.refs',
        'sync_runs.trigger',
        'mirrors.full_name',
      ])
      .where((eb) => afterCursor(eb, 'sync_runs.started_at', 'sync_runs.id', 'sync', filter))
      .where((eb) => common(eb, 'sync_runs.started_at', 'sync_runs.result', 'sync', filter));
    if (filter.githubId !== undefined)
      query = query.where('sync_runs.github_id', '=', filter.githubId);
    const rows = await query
      .orderBy('sync_runs.started_at', 'desc')
      .orderBy('sync_runs.id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'sync' as const,
      id: r.id,
      at: r.started_at,
      result: r.result,
      repository: r.full_name,
      summary: `${r.trigger}: ${r.error ?? refsSummary(r.refs)}`,
      durationMs: r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null,
      href: hrefOf(r.full_name, `#run-${r.id}`),
    }));
  },
};

const containerActions: ActivitySource = {
  kind: 'container',
  async read(db, filter) {
    // Container actions name a repository, not a GitHub id: only a repository filter applies.
    if (filter.githubId !== undefined && !filter.repositoryKey) return [];
    let query = tables(db)
      .selectFrom('container_actions')
      .selectAll()
      .where((eb) => afterCursor(eb, 'started_at', 'id', 'container', filter))
      .where((eb) => common(eb, 'started_at', 'result', 'container', filter));
    if (filter.repositoryKey) {
      query = query.where(sql<string>`lower(repository)`, '=', filter.repositoryKey);
    }
    const rows = await query
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'container' as const,
      id: r.id,
      at: r.started_at,
      result: r.result,
      repository: r.repository,
      summary: `${r.kind} ${r.container ?? 'all services'}${r.message ? `: ${r.message}` : ''}`,
      durationMs: Date.parse(r.finished_at) - Date.parse(r.started_at),
      href: '/dashboard/containers',
    }));
  },
};

const deliveries: ActivitySource = {
  kind: 'webhook',
  async read(db, filter) {
    let query = tables(db)
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where((eb) => afterCursor(eb, 'received_at', 'id', 'webhook', filter))
      .where((eb) => common(eb, 'received_at', 'outcome', 'webhook', filter));
    if (filter.githubId !== undefined) query = query.where('github_id', '=', filter.githubId);
    const rows = await query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'webhook' as const,
      id: r.id,
      at: r.received_at,
      result: r.outcome,
      repository: r.repository,
      summary: `${r.event}${r.action ? `.${r.action}` : ''}${r.detail ? `: ${r.detail}` : ''}`,
      durationMs: null,
      href: `/dashboard/deliveries#delivery-${r.id}`,
    }));
  },
};

const changes: ActivitySource = {
  kind: 'change',
  async read(db, filter) {
    let query = tables(db)
      .selectFrom('mirror_changes')
      .innerJoin('mirrors', 'mirrors.github_id', 'mirror_changes.github_id')
      .select([
        'mirror_changes.id',
        'mirror_changes.at',
        'mirror_changes.change',
        'mirror_changes.detail',
        'mirror_changes.actor',
        'mirrors.full_name',
      ])
      .where((eb) => afterCursor(eb, 'mirror_changes.at', 'mirror_changes.id', 'change', filter))
      .where((eb) => common(eb, 'mirror_changes.at', 'mirror_changes.change', 'change', filter));
    if (filter.githubId !== undefined) {
      query = query.where('mirror_changes.github_id', '=', filter.githubId);
    }
    const rows = await query
      .orderBy('mirror_changes.at', 'desc')
      .orderBy('mirror_changes.id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'change' as const,
      id: r.id,
      at: r.at,
      result: r.change,
      repository: r.full_name,
      summary: `${r.change}${r.detail ? ` ${r.detail}` : ''} by ${r.actor}`,
      durationMs: null,
      href: hrefOf(r.full_name, '#changes'),
    }));
  },
};

const drifts: ActivitySource = {
  kind: 'drift',
  async read(db, filter) {
    // Only runs that found OneDev changed carry `drift`; sync_runs_drift indexes just those.
    let query = tables(db)
      .selectFrom('sync_runs')
      .innerJoin('mirrors', 'mirrors.github_id', 'sync_runs.github_id')
      .select(['sync_runs.id', 'sync_runs.started_at', 'sync_runs.result', 'sync_runs.drift'])
      .select('mirrors.full_name')
      .where('sync_runs.drift', 'is not', null)
      .where((eb) => afterCursor(eb, 'sync_runs.started_at', 'sync_runs.id', 'drift', filter))
      .where((eb) => common(eb, 'sync_runs.started_at', 'sync_runs.result', 'drift', filter));
    if (filter.githubId !== undefined)
      query = query.where('sync_runs.github_id', '=', filter.githubId);
    const rows = await query
      .orderBy('sync_runs.started_at', 'desc')
      .orderBy('sync_runs.id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => {
      const drift = JSON.parse(r.drift ?? '{"refs":[]}') as DriftEntry;
      const refs = drift.refs.map((ref) => `${ref.ref} ${ref.kind}`).join(', ');
      return {
        kind: 'drift' as const,
        id: r.id,
        at: r.started_at,
        result: drift.restored ? 'restored' : 'not_restored',
        repository: r.full_name,
        summary: `changed in OneDev: ${refs}`,
        durationMs: null,
        href: hrefOf(r.full_name, `#run-${r.id}`),
      };
    });
  },
};

const historySnapshots: ActivitySource = {
  kind: 'history',
  async read(db, filter) {
    // A mirror removed since keeps its kept tips (until HISTORY_KEEP): hence the outer join.
    let query = tables(db)
      .selectFrom('history_snapshots as h')
      .leftJoin('mirrors', 'mirrors.github_id', 'h.github_id')
      .select(['h.id', 'h.taken_at', 'h.ref', 'h.reason', 'h.location', 'h.old_sha'])
      .select(['h.project_path', 'mirrors.full_name'])
      .where((eb) => afterCursor(eb, 'h.taken_at', 'h.id', 'history', filter))
      .where((eb) => common(eb, 'h.taken_at', 'h.reason', 'history', filter));
    if (filter.githubId !== undefined) query = query.where('h.github_id', '=', filter.githubId);
    const rows = await query
      .orderBy('h.taken_at', 'desc')
      .orderBy('h.id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'history' as const,
      id: r.id,
      at: r.taken_at,
      result: r.reason,
      repository: r.full_name,
      summary: `kept ${r.ref} at ${r.old_sha.slice(0, 12)} (${r.location === 'bundle' ? 'in a bundle' : `in ${r.project_path}`})`,
      durationMs: null,
      href: hrefOf(r.full_name, '#history'),
    }));
  },
};

const notifications: ActivitySource = {
  kind: 'notification',
  async read(db, filter) {
    // Notifications name a repository, not a GitHub id: only a repository filter applies.
    if (filter.githubId !== undefined && !filter.repositoryKey) return [];
    let query = tables(db)
      .selectFrom('notifications')
      .selectAll()
      .where((eb) => afterCursor(eb, 'at', 'id', 'notification', filter))
      .where((eb) => common(eb, 'at', 'result', 'notification', filter));
    if (filter.repositoryKey) {
      query = query.where(sql<string>`lower(repository)`, '=', filter.repositoryKey);
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map((r) => ({
      kind: 'notification' as const,
      id: r.id,
      at: r.at,
      result: r.result,
      repository: r.repository,
      summary: `${r.kind} to ${r.channel}${r.error ? `: ${r.error}` : ''}`,
      durationMs: null,
      href: r.repository ? hrefOf(r.repository) : '/dashboard/settings',
    }));
  },
};

/** Every source of the log. */
export const ACTIVITY_SOURCES: readonly ActivitySource[] = [
  syncRuns,
  containerActions,
  deliveries,
  changes,
  drifts,
  historySnapshots,
  notifications,
];

/**
 * The activity log: everything Starbridge did, across every mirror, newest first. Each kind
 * of entry comes from its own table (a source); a new table joins the log as one more
 * source in `activity.sources.ts`, without touching the others.
 */

export type ActivityKind =
  | 'sync'
  | 'container'
  | 'webhook'
  | 'change'
  | 'drift'
  | 'history'
  | 'notification';

export const ACTIVITY_KINDS: readonly ActivityKind[] = [
  'sync',
  'container',
  'webhook',
  'change',
  'drift',
  'history',
  'notification',
];

/** Success or failure, whatever words each source uses for it. */
export type ActivityOutcome = 'succeeded' | 'failed';

export interface ActivityEntry {
  kind: ActivityKind;
  /** The source row's id, unique within its kind. */
  id: string;
  at: string;
  /** The source's own word for how it ended (synced, restarted, queued…). */
  result: string;
  /** `owner/name` when the entry concerns one repository. */
  repository: string | null;
  /** What happened, in a line: refs moved, the error, the event, the change. */
  summary: string;
  /** Milliseconds, when the entry took time (a sync run, a container action). */
  durationMs: number | null;
  /** Where its details are shown. */
  href: string;
}

export interface ActivityFilter {
  kinds?: ActivityKind[];
  outcome?: ActivityOutcome;
  /** A GitHub id, resolved from the repository the operator typed. */
  githubId?: number;
  /** `owner/name` lower-cased, for sources that store only the name. */
  repositoryKey?: string;
  /** Inclusive lower and exclusive upper bound, ISO-8601. */
  from?: string;
  to?: string;
  /** Entries strictly older than this position (keyset pagination). */
  before?: ActivityCursor;
  limit: number;
}

/** A position in the log: entries order by time, then kind, then id, all descending. */
export interface ActivityCursor {
  at: string;
  kind: ActivityKind;
  id: string;
}

export function cursorOf(entry: ActivityEntry): string {
  return Buffer.from(JSON.stringify([entry.at, entry.kind, entry.id])).toString('base64url');
}

/** The cursor from a `before` parameter; undefined for anything that is not one of ours. */
export function parseCursor(text: string | undefined): ActivityCursor | undefined {
  if (!text || text.length > 400) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [at, kind, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string') return undefined;
    if (!ACTIVITY_KINDS.includes(kind as ActivityKind)) return undefined;
    return { at, kind: kind as ActivityKind, id };
  } catch {
    return undefined;
  }
}

/** Newest first: time, then kind, then id, each descending. */
export function compareEntries(a: ActivityEntry, b: ActivityEntry): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.kind !== b.kind) return a.kind < b.kind ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';

/**
 * Every notification Starbridge attempted, one row each, for the activity log. The channel
 * is a name (`webhook`, `ntfy`), never the URL: the URL of a chat webhook is its secret.
 */
export interface NotificationsTable {
  id: string;
  at: string;
  /** The event, e.g. `mirror.failed`, `token.rejected`. */
  kind: string;
  /** `owner/name` when the event concerns one repository. */
  repository: string | null;
  channel: string;
  /** `delivered` or `failed` (given up after the retries). */
  result: string;
  /** Why the last attempt failed: an HTTP status or a network error, never the URL. */
  error: string | null;
}

export type NotificationRow = Selectable<NotificationsTable>;

/** One attempted notification, as the notifier reports it once delivery ended. */
export interface NotificationAttempt {
  at: string;
  kind: string;
  repository: string | null;
  channel: string;
  result: 'delivered' | 'failed';
  error: string | null;
}

export const notificationsOf = (db: Executor) =>
  db.withTables<{ notifications: NotificationsTable }>();

export async function recordNotification(
  db: Executor,
  attempt: NotificationAttempt,
): Promise<void> {
  await notificationsOf(db)
    .insertInto('notifications')
    .values({ id: randomUUID(), ...attempt })
    .execute();
}

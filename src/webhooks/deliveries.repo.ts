import { countRows } from '../db/count-rows.js';
import type { Executor } from '../db/executor.js';
import type { WebhookDeliveryRow } from '../db/schema/index.js';

export interface DeliveryRecord {
  id: string;
  hookId: string;
  deliveryId: string;
  event: string;
  action: string | null;
  githubId: number | null;
  repository: string | null;
  receivedAt: string;
  /** What the delivery did (`queued`, `coalesced`, `ignored`…), and why. */
  outcome: string;
  detail: string | null;
}

/**
 * Stores a delivery unless (hook id, delivery id) is already stored; the unique
 * constraint decides, so concurrent duplicates store exactly one row. Returns false for
 * a duplicate.
 */
export async function insertDelivery(db: Executor, record: DeliveryRecord): Promise<boolean> {
  const result = await db
    .insertInto('webhook_deliveries')
    .values({
      id: record.id,
      hook_id: record.hookId,
      delivery_id: record.deliveryId,
      event: record.event,
      action: record.action,
      github_id: record.githubId,
      repository: record.repository,
      outcome: record.outcome,
      detail: record.detail,
      received_at: record.receivedAt,
    })
    .onConflict((oc) => oc.columns(['hook_id', 'delivery_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface DeliveryFilter {
  event?: string;
  outcome?: string;
  limit: number;
  offset: number;
}

export async function listDeliveries(
  db: Executor,
  filter: DeliveryFilter,
): Promise<{ rows: WebhookDeliveryRow[]; total: number }> {
  let query = db.selectFrom('webhook_deliveries');
  if (filter.event) query = query.where('event', '=', filter.event);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  const rows = await query
    .selectAll()
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { rows, total: await countRows(query) };
}

import type { Insertable, Selectable, Updateable } from 'kysely';

/** Every webhook delivery received, unique per (hook id, delivery id). */
export interface WebhookDeliveriesTable {
  id: string;
  /** `X-GitHub-Hook-ID`, or '' when absent (NULLs would defeat the unique constraint). */
  hook_id: string;
  delivery_id: string;
  event: string;
  action: string | null;
  github_id: number | null;
  repository: string | null;
  outcome: string;
  detail: string | null;
  received_at: string;
}

export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDeliveryRow = Insertable<WebhookDeliveriesTable>;
export type WebhookDeliveryRowUpdate = Updateable<WebhookDeliveriesTable>;

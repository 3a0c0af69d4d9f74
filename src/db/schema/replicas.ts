import type { Selectable } from 'kysely';

/** The running services sharing this database; a replica is live while its heartbeat is recent. */
export interface ReplicasTable {
  /** The instance id (`DATA_DIR/instance-id`). */
  id: string;
  started_at: string;
  heartbeat_at: string;
  /** The host name, for people. */
  host: string | null;
}

export type ReplicaRow = Selectable<ReplicasTable>;

import type {
  ChangeHintsTable,
  GithubInstallationsTable,
  SourceStateTable,
} from './github-sources.js';
import type { HistorySnapshotsTable, MirrorWikisTable } from './history.js';
import type { LeasesTable } from './leases.js';
import type { MirrorsTable } from './mirrors.js';
import type { ReplicasTable } from './replicas.js';
import type { SyncRunsTable } from './sync-runs.js';
import type { WebhookDeliveriesTable } from './webhook-deliveries.js';

export interface Database {
  mirrors: MirrorsTable;
  sync_runs: SyncRunsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  leases: LeasesTable;
  source_state: SourceStateTable;
  github_installations: GithubInstallationsTable;
  history_snapshots: HistorySnapshotsTable;
  mirror_wikis: MirrorWikisTable;
  replicas: ReplicasTable;
  change_hints: ChangeHintsTable;
}

export type * from './github-sources.js';
export type * from './history.js';
export type * from './leases.js';
export type * from './mirrors.js';
export type * from './replicas.js';
export type * from './sync-runs.js';
export type * from './webhook-deliveries.js';

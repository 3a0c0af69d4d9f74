import type { Insertable, Selectable } from 'kysely';

/** Named leases that let one replica at a time run a periodic task. */
export interface LeasesTable {
  name: string;
  owner: string;
  acquired_at: string;
  expires_at: string;
}

export type LeaseRow = Selectable<LeasesTable>;
export type NewLeaseRow = Insertable<LeasesTable>;

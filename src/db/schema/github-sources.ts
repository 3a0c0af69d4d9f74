import type { Selectable } from 'kysely';

/** Small JSON state rows of the GitHub sources (stars poller ETag, pause, schedule). */
export interface SourceStateTable {
  name: string;
  data: string;
  updated_at: string;
}

/** GitHub App installations seen (webhooks or the periodic listing). */
export interface GithubInstallationsTable {
  id: number;
  account: string;
  updated_at: string;
}

export type SourceStateRow = Selectable<SourceStateTable>;
export type GithubInstallationRow = Selectable<GithubInstallationsTable>;

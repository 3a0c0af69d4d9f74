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

/** What GitHub last said about a mirror's repository, for change detection. */
export interface ChangeHintsTable {
  github_id: number;
  /** GitHub's GraphQL id, learned from an answer (never computed). */
  node_id: string | null;
  /** The repository's `pushed_at` when last looked at. */
  pushed_at: string | null;
  seen_at: string;
}

export type ChangeHintRow = Selectable<ChangeHintsTable>;

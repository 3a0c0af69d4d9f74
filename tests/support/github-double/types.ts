/** Records the double keeps. Timestamps are ISO strings with second precision, as on GitHub. */

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Organization';
}

export interface RepoRecord {
  /** Stable numeric id: survives renames and transfers, like GitHub's `repository.id`. */
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  description: string | null;
  fork: boolean;
  /** `owner/name` of the parent when `fork` (only shown on the full repository object). */
  parent?: string;
  archived: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Set explicitly via `updateRepo`; otherwise derived from the refs on disk. */
  pushedAt?: string;
  /** KB override; otherwise derived from the object store size (0 for an empty repo). */
  size?: number;
  /** The bare repository, `<reposDir>/<owner>/<name>.git`. */
  path: string;
  /** `has_wiki`: the wiki feature is on (GitHub's default for a new repository). */
  hasWiki: boolean;
  /**
   * The wiki's bare repository, `<reposDir>/<owner>/<name>.wiki.git`, served as
   * `<name>.wiki.git`; undefined while nobody created a wiki page (GitHub then answers 404).
   */
  wikiPath?: string;
}

export interface AddRepoOptions {
  owner: string;
  name: string;
  id?: number;
  defaultBranch?: string;
  private?: boolean;
  description?: string | null;
  ownerType?: 'User' | 'Organization';
  fork?: boolean;
  parent?: string;
  archived?: boolean;
  disabled?: boolean;
  /** `has_wiki`; true unless given. */
  hasWiki?: boolean;
  /** Seed a wiki git repository (`<name>.wiki.git`, with a `Home.md` page on `master`). */
  wiki?: boolean;
}

export type RepoPatch = Partial<
  Pick<
    RepoRecord,
    | 'private'
    | 'defaultBranch'
    | 'description'
    | 'fork'
    | 'parent'
    | 'archived'
    | 'disabled'
    | 'pushedAt'
    | 'size'
  >
>;

export interface Star {
  repoId: number;
  starredAt: string;
  /** Insertion order: breaks ties between stars made within the same second. */
  seq: number;
}

/** GitHub timestamps have second precision: `2019-05-15T15:19:25Z`. */
export function isoSeconds(d: Date | string | number = new Date()): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

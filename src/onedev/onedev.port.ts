/** A OneDev project as Starbridge needs it. */
export interface OneDevProject {
  id: number;
  /** Full path, e.g. `github/octocat/hello-world`. */
  path: string;
}

/** The OneDev operations a sync needs (REST), behind a port so tests can count calls. */
export interface OneDevApi {
  /**
   * Finds or creates the project at `path` (segments joined by `/`), creating missing
   * levels top-down. `description` applies to the leaf only.
   */
  ensureProject(
    path: string,
    options: {
      description: string;
      /** False for a grouping level (no code), such as an owner created by a move. */
      codeManagement?: boolean;
      /**
       * Runs each look-up of a path (a read, safe to repeat), so the caller may retry it;
       * the create itself never goes through it.
       */
      retryLookup?: <T>(lookup: () => Promise<T>) => Promise<T>;
    },
    signal?: AbortSignal,
  ): Promise<OneDevProject & { created: boolean }>;
  /** The project id at a path, or undefined when it does not exist. */
  findProject(path: string, signal?: AbortSignal): Promise<number | undefined>;
  /** The default branch, or undefined while the repository has none (HTTP 204). */
  getDefaultBranch(projectId: number, signal?: AbortSignal): Promise<string | undefined>;
  setDefaultBranch(projectId: number, branch: string, signal?: AbortSignal): Promise<void>;
  deleteProject(projectId: number, signal?: AbortSignal): Promise<void>;
  /** The git URL of a project path: `<server>/<path>.git`. */
  gitUrl(path: string): string;
  /** `Authorization` header value for git over HTTP. */
  gitAuthorization(): string;
}

/**
 * OneDev's ProjectData (docs/reference/onedev.md#project-data) as read from `GET
 * /~api/projects/{id}`; sent back whole, because the update replaces every writable field
 * (docs/reference/onedev.md#full-replacement-update).
 */
export type ProjectData = Record<string, unknown> & { name: string; parentId: number | null };

/**
 * Renames and moves: read a project, send back a full replacement
 * (docs/reference/onedev.md#full-replacement-update).
 */
export interface OneDevProjectEditor {
  getProject(projectId: number, signal?: AbortSignal): Promise<ProjectData>;
  updateProject(projectId: number, data: ProjectData, signal?: AbortSignal): Promise<void>;
}

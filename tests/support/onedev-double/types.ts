/**
 * Shapes shared by the OneDev double's modules. Field names follow OneDev's own
 * (docs/reference/onedev.md#token-permissions for tokens and users, #project-data for ProjectData,
 * #push-rules for protections).
 */

/**
 * Project roles, weakest first. `manage` is OneDev's Owner role
 * (docs/reference/onedev.md#token-permissions).
 */
export type Role = 'read' | 'write' | 'manage';

export interface TokenSpec {
  /** The secret the client sends (real tokens are 40 alphanumerics; any string works here). */
  value: string;
  /** Name of the owning user; created as a plain user when not listed in `users`. */
  owner: string;
  /**
   * docs/reference/onedev.md#token-permissions: without it the token never gets system permissions
   * such as creating root projects.
   */
  hasOwnerPermissions?: boolean;
  /**
   * docs/reference/onedev.md#token-permissions: per-project roles of a limited token, effective
   * only where the owner can manage.
   */
  authorizations?: Array<{ path: string; role: Role }>;
  /**
   * docs/reference/onedev.md#token-permissions: an expired token is not found (Bearer → 401, Basic
   * falls through).
   */
  expired?: boolean;
}

export interface UserSpec {
  name: string;
  /** Enables `Basic user:password` (docs/reference/onedev.md#authentication). */
  password?: string;
  admin?: boolean;
  /**
   * Membership of a group with "Create Root Projects" (docs/reference/onedev.md#token-permissions).
   */
  canCreateRootProjects?: boolean;
}

export interface BranchProtectionRule {
  /** Space-separated branch patterns (`*`, `**`, `?`), like OneDev's `branches` field. */
  branches: string;
  /** Off: the rule is skipped (docs/reference/onedev.md#protection-rules). */
  enabled?: boolean;
  /** Who the rule applies to, e.g. `anyone except user(starbridge)`; `anyone` when omitted. */
  userMatch?: string;
  preventCreation?: boolean;
  preventDeletion?: boolean;
  preventForcedPush?: boolean;
  /** Required reviewers (`user(x)`, `group(y)`): any other push is refused as unreviewed. */
  reviewRequirement?: string | null;
}

export interface TagProtectionRule {
  tags: string;
  enabled?: boolean;
  userMatch?: string;
  preventCreation?: boolean;
  preventDeletion?: boolean;
  preventUpdate?: boolean;
}

export interface GitPackConfig {
  windowMemory: string | null;
  packSizeLimit: string | null;
  threads: string | null;
  window: string | null;
}

/**
 * The writable part of ProjectData (docs/reference/onedev.md#project-data); `path` and `createDate`
 * are computed.
 */
export interface ProjectFields {
  parentId: number | null;
  forkedFromId: number | null;
  name: string;
  key: string | null;
  description: string | null;
  codeManagement: boolean;
  packManagement: boolean;
  issueManagement: boolean;
  timeTracking: boolean;
  serviceDeskEmailAddress: string | null;
  gitPackConfig: GitPackConfig;
  codeAnalysisSetting: { analysisFiles: string | null };
}

export interface Project extends ProjectFields {
  id: number;
  createDate: Date;
  /** Monotonic counter standing in for "Last Activity Date" so ordering is deterministic. */
  lastActivity: number;
  lastActivityDate: Date;
  /** Every field of OneDev's BranchProtection, as the setting endpoint stores it. */
  branchProtections: Array<BranchProtectionRule & Record<string, unknown>>;
  tagProtections: Array<TagProtectionRule & Record<string, unknown>>;
  /** The rest of the project setting (issueSetting, webHooks, ...), kept as sent. */
  otherSettings: Record<string, unknown>;
}

/** Who a request runs as after the Shiro filters (docs/reference/onedev.md#authentication). */
export type Caller = { kind: 'anonymous' } | { kind: 'user'; user: UserSpec; token?: TokenSpec };

/** How the caller presented credentials, recorded for every request. */
export type AuthForm =
  | 'none'
  | 'basic-token'
  | 'basic-token-as-user'
  | 'basic-empty-user'
  | 'basic-password'
  | 'basic-anonymous'
  | 'bearer'
  | 'token'
  | 'rejected';

export type RequestKind = 'rest' | 'git' | 'lfs' | 'other';

export interface RequestRecord {
  method: string;
  /** Path without the query string, percent-decoding left as sent. */
  path: string;
  query: string;
  kind: RequestKind;
  auth: AuthForm;
  /**
   * Which header carried the credentials (docs/reference/onedev.md#authentication:
   * OneDevAuthorization wins).
   */
  authHeader?: 'Authorization' | 'OneDevAuthorization';
  /** User name the request ran as. */
  principal?: string;
  /** Final status; 0 when the double dropped the connection, undefined while pending or hung. */
  status?: number;
  /** Name of the injected fault that shaped this response, if any. */
  fault?: string;
  /** REST request body as text (git bodies are not kept). */
  body?: string;
  /** Unexpected exception inside the double (answered 500 `Server Error`); a bug in the double. */
  error?: string;
}

import type { AuthDirectory } from './auth.js';
import type { Faults } from './faults.js';
import type { ProjectStore } from './store.js';
import type { RequestRecord } from './types.js';

/** Everything the route handlers share; owned by server.ts. */
export interface DoubleState extends AuthDirectory {
  store: ProjectStore;
  faults: Faults;
  /**
   * Reported by GET /~api/version/server and used for version modes
   * (docs/reference/onedev.md#versions).
   */
  version: string;
  /**
   * AnonymousCheckFilter lets anonymous GETs through when on
   * (docs/reference/onedev.md#anonymous-requests).
   */
  anonymousAccess: boolean;
  /**
   * `http://127.0.0.1:<port>`, OneDev's "Server URL" setting (docs/reference/onedev.md#git-urls).
   */
  baseUrl: string;
  /**
   * Ref prefixes a server-side hook outside OneDev refuses (OneDev itself stores every ref outside
   * heads, tags and its own pull-request refs unchecked: docs/reference/onedev.md#other-refs).
   */
  refusedRefPrefixes: string[];
  requests: RequestRecord[];
  /** Every `name` sent in a create body (docs/reference/onedev.md#create-checks). */
  createdNames: string[];
  /** Every `name` sent in create or update bodies. */
  sentNames: string[];
  /** Pack requests currently inside `git http-backend`. */
  activePacks: number;
  maxActivePacks: number;
  /** Pack requests queued behind `faults.packConcurrency`. */
  packWaiters: Array<() => void>;
  /** `PerformanceSetting.maxGitLFSFileSize` in bytes (docs/reference/onedev.md#lfs). */
  lfsMaxBytes: number;
  /** Object ids uploaded over LFS, in arrival order. */
  lfsUploads: string[];
}

function versionParts(version: string): number[] {
  return version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
}

/** True when `version` is at least `minimum` (numeric, dot-separated). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = versionParts(version);
  const b = versionParts(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

import type { ListedRepo } from '../github/stars.api.js';

/** What the planner needs to know of an existing mirror. */
export interface KnownMirror {
  githubId: number;
  fullName: string;
  /** This source holds it now: starred (stars) or in the installation (App). */
  held: boolean;
  /** Released earlier (unstarred or removed) and waiting under the unstar policy. */
  released: boolean;
  archived: boolean;
  /** The chosen Star List holding it (slug), null when none does. */
  list?: string | null;
  /** The OneDev parent of that list below the root; null for the root itself. */
  parent?: string | null;
}

/** The chosen Star List holding a repository (slug) and that list's OneDev parent. */
export interface StarGroup {
  list: string | null;
  parent: string | null;
}

/** A listed repository, with the Star List it was found in when lists choose the stars. */
export type GroupedRepo = ListedRepo & { group?: StarGroup };

export interface ReconcilePlan {
  /** Held by the source but not mirrored for it yet: new mirrors and re-stars. */
  toAdd: GroupedRepo[];
  /** Over the cap on new mirrors per run: left for the next run. */
  deferred: ListedRepo[];
  /** Held before, gone from a complete listing. */
  toUnstar: KnownMirror[];
  /** Same GitHub id, another `owner/name`. */
  renamed: Array<{ repo: ListedRepo; from: string }>;
  /** Archived or unarchived since we last looked. */
  archivedChanged: ListedRepo[];
  /** Existing mirrors now in another chosen Star List (a new parent moves the project). */
  regrouped: Array<{ repo: ListedRepo; group: StarGroup }>;
  unchanged: number;
  /** False when removals were not considered (partial, failed or empty listing). */
  removalsConsidered: boolean;
}

export interface PlanOptions {
  /** Whether the listing is the whole list (every page, consistent). */
  complete: boolean;
  /** Most new mirrors (rows that do not exist yet) created per run; undefined = no cap. */
  maxNew?: number;
  /** Stars chosen by Star Lists: a mirror whose list (or parent) differs is regrouped. */
  groups?: boolean;
  /** A complete listing that is empty is the truth (every chosen list is empty). */
  emptyIsWhole?: boolean;
}

/**
 * Compares a listing with the mirrors we have. Pure, so every rule is tested without
 * I/O. Safety rule: only a complete, non-empty listing may release anything — a listing
 * that failed, came back empty or only in part never causes an unstar.
 */
export function planReconcile(
  listing: GroupedRepo[],
  known: Map<number, KnownMirror>,
  options: PlanOptions,
): ReconcilePlan {
  const plan: ReconcilePlan = {
    toAdd: [],
    deferred: [],
    toUnstar: [],
    renamed: [],
    archivedChanged: [],
    regrouped: [],
    unchanged: 0,
    removalsConsidered: options.complete && (listing.length > 0 || options.emptyIsWhole === true),
  };
  const seen = new Set<number>();
  let created = 0;
  for (const repo of listing) {
    if (seen.has(repo.githubId)) continue;
    seen.add(repo.githubId);
    const mirror = known.get(repo.githubId);
    if (!mirror) {
      const capped = options.maxNew !== undefined && created >= options.maxNew;
      (capped ? plan.deferred : plan.toAdd).push(repo);
      if (!capped) created++;
      continue;
    }
    const fullName = `${repo.owner}/${repo.name}`;
    if (mirror.fullName !== fullName) plan.renamed.push({ repo, from: mirror.fullName });
    if (mirror.archived !== repo.archived) plan.archivedChanged.push(repo);
    if (options.groups) {
      const group = repo.group ?? { list: null, parent: null };
      if ((mirror.list ?? null) !== group.list || (mirror.parent ?? null) !== group.parent) {
        plan.regrouped.push({ repo, group });
      }
    }
    if (!mirror.held || mirror.released) plan.toAdd.push(repo);
    else plan.unchanged++;
  }
  if (plan.removalsConsidered) {
    for (const mirror of known.values()) {
      if (mirror.held && !mirror.released && !seen.has(mirror.githubId)) plan.toUnstar.push(mirror);
    }
  }
  return plan;
}

/** A repository in a plan, as the API and CLI show it. */
export interface PlannedRepo {
  githubId: number;
  /** `owner/name` on GitHub. */
  fullName: string;
}

/** The plan as the API and CLI show it. */
export interface PlanSummary {
  /** Repositories to mirror now. */
  toAdd: PlannedRepo[];
  /** New repositories left for a later run (the per-run cap). */
  deferred: PlannedRepo[];
  /** Mirrors no longer held by this source (the unstar policy applies). */
  toUnstar: PlannedRepo[];
  /** Mirrors whose repository has a new name, with the old one. */
  renamed: Array<PlannedRepo & { from: string }>;
  /** Mirrors now in another chosen Star List (slug), with its OneDev parent; absent when none. */
  regrouped?: Array<PlannedRepo & StarGroup>;
  /** How many listed repositories were already mirrored as they are. */
  unchanged: number;
  /** Whether the listing was whole and not empty, so removals were considered at all. */
  removalsConsidered: boolean;
}

/** The plan as the API and CLI show it. */
export function describePlan(plan: ReconcilePlan): PlanSummary {
  const name = (r: ListedRepo) => ({ githubId: r.githubId, fullName: `${r.owner}/${r.name}` });
  return {
    toAdd: plan.toAdd.map(name),
    deferred: plan.deferred.map(name),
    toUnstar: plan.toUnstar.map((m) => ({ githubId: m.githubId, fullName: m.fullName })),
    renamed: plan.renamed.map((r) => ({ ...name(r.repo), from: r.from })),
    ...(plan.regrouped.length > 0
      ? { regrouped: plan.regrouped.map((r) => ({ ...name(r.repo), ...r.group })) }
      : {}),
    unchanged: plan.unchanged,
    removalsConsidered: plan.removalsConsidered,
  };
}

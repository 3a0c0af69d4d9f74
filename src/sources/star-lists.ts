import type { StarListChoice } from '../config/star-lists.js';
import type { GitHubOctokit } from '../github/github-api.js';
import { fetchListItems, fetchStarLists, type StarList } from '../github/star-lists.api.js';
import type { StarsTarget } from '../github/stars.api.js';
import type { GroupedRepo } from './reconcile.plan.js';

/** A chosen list as the status shows it: what it is called, where it goes, how many it holds. */
export interface StarListSummary {
  /** As written in GITHUB_STAR_LISTS. */
  list: string;
  /** GitHub's slug, once the list was found. */
  slug?: string;
  /** The OneDev parent below the root project; absent for the root itself. */
  parent?: string;
  /** Stars this list selected (a repository in two lists counts for the first). */
  stars: number;
  /** GitHub has no list of that name or slug for this user (or it is private to another). */
  missing?: boolean;
}

/** The cheap look at the lists: a stamp that changes when a chosen list gets a repository. */
export interface ListsLook {
  /** The chosen lists' ids, `lastAddedAt` and `updatedAt`, in GITHUB_STAR_LISTS order. */
  stamp: string;
  found: Array<{ choice: StarListChoice; list: StarList }>;
  /** Entries of GITHUB_STAR_LISTS that name no list of the user's. */
  missing: string[];
}

/** The walk of the chosen lists' items: the stars they select, in GITHUB_STAR_LISTS order. */
export interface ListsListing {
  items: GroupedRepo[];
  /** Every chosen list was found and walked, and none changed during the walk. */
  complete: boolean;
  summary: StarListSummary[];
  stamp: string;
  missing: string[];
}

/** Reads the chosen Star Lists: a cheap look at their stamps, and the walk of their items. */
export interface StarListsReader {
  /** One query: the chosen lists found, their stamp, and the names GitHub does not have. */
  look(target: StarsTarget): Promise<ListsLook>;
  /** Every item of every chosen list, grouped by the first list holding it. */
  walk(target: StarsTarget, before: ListsLook): Promise<ListsListing>;
}

/**
 * GITHUB_STAR_LISTS: which stars are mirrored, and under which OneDev parent. The look is one
 * query (one point); the walk reads every page of every chosen list. A list's name or slug
 * matches case-insensitively, its slug first.
 */
export function createStarListsReader(deps: {
  octokit: GitHubOctokit;
  choices: readonly StarListChoice[];
}): StarListsReader {
  async function look(target: StarsTarget): Promise<ListsLook> {
    const lists = await fetchStarLists(deps.octokit, target);
    const found: ListsLook['found'] = [];
    const missing: string[] = [];
    for (const choice of deps.choices) {
      const wanted = choice.list.toLowerCase();
      const list =
        lists.find((l) => l.slug.toLowerCase() === wanted) ??
        lists.find((l) => l.name.toLowerCase() === wanted);
      if (list) found.push({ choice, list });
      else missing.push(choice.list);
    }
    const stamp = JSON.stringify(
      found.map(({ list }) => [list.id, list.lastAddedAt, list.updatedAt]),
    );
    return { stamp, found, missing };
  }

  /**
   * Walks the chosen lists in order; the first list holding a repository gives its group.
   * A second look after the walk tells whether a list changed while it was read: then the
   * listing may have skipped an item, and it is not complete (nothing is released from it).
   */
  async function walk(target: StarsTarget, before: ListsLook): Promise<ListsListing> {
    const items: GroupedRepo[] = [];
    const seen = new Set<number>();
    const summary: StarListSummary[] = [];
    for (const choice of deps.choices) {
      const hit = before.found.find((f) => f.choice === choice);
      const base = { list: choice.list, ...(choice.parent ? { parent: choice.parent } : {}) };
      if (!hit) {
        summary.push({ ...base, stars: 0, missing: true });
        continue;
      }
      let stars = 0;
      const group = { list: hit.list.slug, parent: choice.parent ?? null };
      for (const repo of await fetchListItems(deps.octokit, hit.list.id)) {
        if (seen.has(repo.githubId)) continue;
        seen.add(repo.githubId);
        items.push({ ...repo, group });
        stars++;
      }
      summary.push({ ...base, slug: hit.list.slug, stars });
    }
    const after = await look(target);
    const complete = before.missing.length === 0 && after.stamp === before.stamp;
    return { items, complete, summary, stamp: after.stamp, missing: after.missing };
  }

  return { look, walk };
}

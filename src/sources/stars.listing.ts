import type { GitHubOctokit } from '../github/github-api.js';
import {
  fetchStarsPage,
  type ListedRepo,
  pagesAddUp,
  type StarsTarget,
} from '../github/stars.api.js';
import type { Logger } from '../shared/logger.js';

export interface Listing {
  items: ListedRepo[];
  /** Every page arrived and their sizes agree with GitHub's `last` page. */
  complete: boolean;
  etag?: string;
  requests: number;
}

/**
 * The whole star list, following `Link: rel="next"`. A page that fails fails the listing
 * (thrown); pages that do not add up — a short page before the last, fewer pages than
 * `rel="last"` promised — mark it incomplete, so nothing is unstarred from it.
 */
export async function listAllStars(
  octokit: GitHubOctokit,
  target: StarsTarget,
  apiUrl: string,
  log: Logger,
): Promise<Listing> {
  const first = await fetchStarsPage(octokit, target, { apiUrl });
  if (first.notModified) throw new Error('unconditional request answered 304');
  const items = [...first.items];
  const pageSizes = [first.items.length];
  let next = first.next;
  while (next) {
    const page = await fetchStarsPage(octokit, target, { apiUrl, url: next });
    if (page.notModified) throw new Error('unconditional request answered 304');
    items.push(...page.items);
    pageSizes.push(page.items.length);
    next = page.next;
  }
  const requests = pageSizes.length;
  const complete = pagesAddUp(pageSizes, first.lastPage);
  if (!complete) log.warn({ pages: requests, items: items.length }, 'star listing inconsistent');
  return { items, complete, etag: first.etag, requests };
}

/**
 * The quick check: page 1 with `If-None-Match`. A 304 (no quota) ends it. Otherwise pages
 * are walked only while they still hold stars we do not know; a single page with no
 * `next` is the whole list, so it is complete.
 */
export async function listNewStars(
  octokit: GitHubOctokit,
  target: StarsTarget,
  options: { apiUrl: string; etag?: string; isKnown: (githubId: number) => boolean },
): Promise<(Listing & { notModified: false }) | { notModified: true }> {
  const first = await fetchStarsPage(octokit, target, options);
  if (first.notModified) return { notModified: true };
  const items = [...first.items];
  let requests = 1;
  let next = first.next;
  let fresh = first.items.some((r) => !options.isKnown(r.githubId));
  while (next && fresh) {
    const page = await fetchStarsPage(octokit, target, { apiUrl: options.apiUrl, url: next });
    requests++;
    if (page.notModified) break;
    items.push(...page.items);
    fresh = page.items.some((r) => !options.isKnown(r.githubId));
    next = page.next;
  }
  return { notModified: false, items, complete: !first.next, etag: first.etag, requests };
}

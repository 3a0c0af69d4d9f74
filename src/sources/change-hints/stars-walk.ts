import type { PushedPage, PushedRepo } from '../../github/pushes.api.js';
import type { Budget } from './budget.js';

/** The walk's durable state: page 1's ETag and the newest `pushed_at` it has seen. */
export interface WalkState {
  etag?: string;
  /** High-water mark: the newest `pushed_at` of the last complete walk. */
  mark?: string;
}

export interface WalkResult {
  /** Page 1 answered 304: nothing was pushed since the last walk. */
  notModified: boolean;
  /** The stars walked, newest push first, down to the stop point. */
  items: PushedRepo[];
  /** False when the budget ran out before the stop point: the state must not move. */
  complete: boolean;
  /** The state to keep after a complete walk. */
  next: WalkState;
}

/**
 * Where the walk stops: at stars pushed before the last walk's high-water mark minus an
 * overlap (GitHub's `pushed_at` has second resolution and two pushes can straddle a walk,
 * so a strict cut would lose one). Without a mark (the first walk), at `floor` — the
 * oldest successful sync of a starred mirror — minus the overlap; without either, never.
 */
export function stopPoint(state: WalkState, floor: string | undefined, overlapMs: number) {
  const from = state.mark ?? floor;
  return from === undefined ? undefined : Date.parse(from) - overlapMs;
}

/** Whether a star is older than the stop point (a repository never pushed to always is). */
export function pastStop(item: PushedRepo, stopAt: number | undefined): boolean {
  if (item.pushedAt === null) return true;
  return stopAt !== undefined && Date.parse(item.pushedAt) < stopAt;
}

/**
 * Walks the stars most recently pushed first, page by page, until a star is past the stop
 * point. Page 1 is conditional (a 304 is free and ends the walk); each page that is not a
 * 304 costs one request from the budget, and when the budget has none left the walk ends
 * incomplete (the next one starts again from page 1 with the old state).
 */
export async function walkPushedStars(
  fetchPage: (options: { url?: string; etag?: string }) => Promise<PushedPage>,
  budget: Budget,
  state: WalkState,
  stopAt: number | undefined,
): Promise<WalkResult> {
  const items: PushedRepo[] = [];
  let url: string | undefined;
  let etag: string | undefined;
  for (let page = 1; ; page++) {
    if (!budget.take(1, 'rest')) return { notModified: false, items, complete: false, next: state };
    const answer = await fetchPage(page === 1 ? { etag: state.etag } : { url });
    if (answer.notModified) {
      budget.settle(1, 0, 'rest'); // GitHub does not count a 304
      return { notModified: true, items, complete: true, next: state };
    }
    if (page === 1) etag = answer.etag;
    let stopped = false;
    for (const item of answer.items) {
      if (pastStop(item, stopAt)) {
        stopped = true;
        break;
      }
      items.push(item);
    }
    url = answer.next;
    if (stopped || !url) break;
  }
  return { notModified: false, items, complete: true, next: { etag, mark: newest(items, state) } };
}

function newest(items: PushedRepo[], state: WalkState): string | undefined {
  let mark = state.mark;
  for (const { pushedAt } of items) {
    if (pushedAt && (!mark || Date.parse(pushedAt) > Date.parse(mark))) mark = pushedAt;
  }
  return mark;
}

import type { Executor } from '../db/executor.js';
import { type ActivityEntry, type ActivityFilter, compareEntries } from './activity.js';
import { ACTIVITY_SOURCES, type ActivitySource } from './activity.sources.js';

/**
 * One page of the log: each source asked for its newest `limit` entries after the cursor
 * (one indexed range scan each), merged, and cut to `limit`. Whatever a source gave beyond
 * that is asked again for the next page, so nothing is skipped or repeated.
 */
export async function readActivity(
  db: Executor,
  filter: ActivityFilter,
  sources: readonly ActivitySource[] = ACTIVITY_SOURCES,
): Promise<{ entries: ActivityEntry[]; more: boolean }> {
  const chosen = sources.filter((s) => !filter.kinds || filter.kinds.includes(s.kind));
  const ask = { ...filter, limit: filter.limit + 1 };
  const pages = await Promise.all(chosen.map((source) => source.read(db, ask)));
  const merged = pages.flat().sort(compareEntries);
  return { entries: merged.slice(0, filter.limit), more: merged.length > filter.limit };
}

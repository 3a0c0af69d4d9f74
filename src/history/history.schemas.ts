import { z } from 'zod';

export const historyEntrySchema = z.object({
  ref: z
    .string()
    .describe('the branch or tag that was overwritten or deleted, e.g. refs/heads/main'),
  oldSha: z.string().describe('the tip that was kept'),
  newSha: z.string().nullable().describe('where the ref went; null when it was deleted'),
  reason: z.enum(['force-push', 'deleted', 'tag-moved']),
  takenAt: z.string().describe('when the sync kept it (UTC, ISO 8601)'),
  location: z
    .enum(['ref', 'bundle'])
    .describe('ref: in OneDev under keptRef; bundle: OneDev refused history refs, a file holds it'),
  keptRef: z.string().describe('refs/starbridge/history/<heads|tags>/<name>/<UTC time>'),
  fetchCommand: z.string().describe('the git command that gets the tip back'),
  bundlePath: z.string().nullable(),
});

export const historyListSchema = z.object({
  keep: z.string().describe('HISTORY_KEEP: how long tips are kept (e.g. 90d, forever)'),
  history: z.array(historyEntrySchema),
});

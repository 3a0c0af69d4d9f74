import { describe, expect, it } from 'vitest';
import { type SyncFinishedEvent, syncSucceeded } from '../../../src/sync/sync.events.js';

const common = { githubId: 1, fullName: 'o/r', run: 'run-1', durationMs: 5 };
const detail = (result: 'synced' | 'unchanged' | 'empty') => ({
  result,
  refs: [],
  pushedRefs: {},
  defaultBranch: 'main',
  onedev: { name: 'r', path: 'github/o/r', projectId: 1 },
});

describe('sync:finished', () => {
  const rows: Array<[SyncFinishedEvent, boolean]> = [
    [{ ...common, result: 'synced', detail: detail('synced') }, true],
    [{ ...common, result: 'unchanged', detail: detail('unchanged') }, true],
    [{ ...common, result: 'empty', detail: detail('empty') }, true],
    [
      {
        ...common,
        result: 'retrying',
        error: 'OneDev answered 503',
        errorCode: 'onedev_unavailable',
      },
      false,
    ],
    [{ ...common, result: 'failed', error: 'rejected', errorCode: 'onedev_auth' }, false],
    [{ ...common, result: 'aborted', error: 'lease lost' }, false],
  ];
  it.each(rows)('%o succeeded: %s', (event, succeeded) => {
    expect(syncSucceeded(event)).toBe(succeeded);
    expect('detail' in event).toBe(succeeded);
  });
});

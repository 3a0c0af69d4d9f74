import { afterEach, describe, expect, it } from 'vitest';
import { GitCommandError } from '../../../src/git/git-errors.js';
import { createHistoryService } from '../../../src/history/history.service.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { HistorySnapshot } from '../../../src/sync/history-step.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const DAY = 86_400_000;
const log = createLogger({ level: 'silent' });

const snapshot = (ref: string, keptRef: string): HistorySnapshot => ({
  ref,
  oldSha: A,
  newSha: B,
  reason: 'force-push',
  location: 'ref',
  keptRef,
  bundlePath: null,
});

describe.each(DIALECTS)('kept history records on %s', (dialect) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  async function service(options: { deleteFails?: GitCommandError; now: () => number }) {
    db = await createTestDb(dialect);
    const deleted: string[][] = [];
    const history = createHistoryService({
      handle: db,
      clock: { now: () => new Date(options.now()) },
      log,
      keepMs: 30 * DAY,
      git: {
        deleteKeptRefs: async (_cache, remote, refs) => {
          if (options.deleteFails) throw options.deleteFails;
          deleted.push([remote.url, ...refs]);
        },
      },
      onedev: { gitUrl: (path) => `https://onedev.test/${path}.git`, gitAuthorization: () => 'x' },
      cacheDir: () => '/nowhere',
      currentPath: async () => 'github/alice/new',
      notice: () => {},
    });
    return { history, deleted };
  }

  it('points fetch commands and expiry at where the project (and its wiki) is now, after a rename', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const { history, deleted } = await service({ now: () => now });
    const mirror = { githubId: 7, fullName: 'alice/old', defaultBranch: 'main' };
    await history.record(mirror, 'github/alice/old', [
      snapshot('refs/heads/main', 'refs/starbridge/history/heads/main/1'),
    ]);
    await history.record(mirror, 'github/alice/old/wiki', [
      snapshot('refs/heads/master', 'refs/starbridge/history/heads/master/1'),
    ]);
    const commands = (await history.list(7)).map((e) => e.fetchCommand).sort();
    expect(commands).toEqual([
      'git fetch https://onedev.test/github/alice/new.git refs/starbridge/history/heads/main/1',
      'git fetch https://onedev.test/github/alice/new/wiki.git refs/starbridge/history/heads/master/1',
    ]);
    now += 31 * DAY;
    expect(await history.expire()).toBe(2);
    expect(deleted.map(([url]) => url).sort()).toEqual([
      'https://onedev.test/github/alice/new.git',
      'https://onedev.test/github/alice/new/wiki.git',
    ]);
    expect(await history.list(7)).toEqual([]);
  });

  it('drops expired records whose project is gone from OneDev', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const gone = new GitCommandError('not_found', 'git ls-remote failed: not found', {
      retryable: false,
    });
    const { history } = await service({ now: () => now, deleteFails: gone });
    const mirror = { githubId: 8, fullName: 'alice/old', defaultBranch: 'main' };
    await history.record(mirror, 'github/alice/old', [
      snapshot('refs/heads/main', 'refs/starbridge/history/heads/main/1'),
    ]);
    now += 31 * DAY;
    expect(await history.expire()).toBe(1);
    expect(await history.list(8)).toEqual([]);
  });
});

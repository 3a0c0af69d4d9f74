import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActivityFilter, cursorOf, parseCursor } from '../../../src/activity/activity.js';
import { readActivity } from '../../../src/activity/activity.repo.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { seedMirror } from '../admin/admin-kit.js';

const T = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString();

describe.each(DIALECTS)('the activity log on %s', (dialect) => {
  let handle: TestDb;
  let alpha: number;
  let beta: number;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    alpha = await seedMirror(handle, 'octocat/alpha');
    beta = await seedMirror(handle, 'octocat/beta');
    const run = (id: string, githubId: number, minute: number, result: string) => ({
      id,
      github_id: githubId,
      trigger: 'webhook',
      attempt: 1,
      worker: 'w',
      started_at: T(minute),
      finished_at: T(minute + 1),
      result,
      error: result === 'failed' ? 'boom' : null,
      error_code: null,
      refs: '[]',
      containers: null,
      phase: null,
    });
    await handle.db
      .insertInto('sync_runs')
      .values([
        run('r1', alpha, 1, 'synced'),
        run('r2', beta, 2, 'failed'),
        // Three entries of different kinds at one instant: the cursor must order them.
        run('r3', alpha, 5, 'unchanged'),
        run('r4', alpha, 5, 'synced'),
      ])
      .execute();
    await handle.db
      .insertInto('webhook_deliveries')
      .values({
        id: 'd1',
        hook_id: '',
        delivery_id: 'x',
        event: 'push',
        action: null,
        github_id: alpha,
        repository: 'octocat/alpha',
        outcome: 'queued',
        detail: null,
        received_at: T(5),
      })
      .execute();
    await handle.db
      .withTables<{ container_actions: Record<string, unknown> }>()
      .insertInto('container_actions')
      .values({
        id: 'c1',
        kind: 'restart',
        container: 'web',
        container_id: null,
        repository: 'OctoCat/Alpha',
        result: 'failed',
        message: 'exit 1',
        output: null,
        exit_code: null,
        started_at: T(3),
        finished_at: T(4),
      })
      .execute();
    await createMirrorService({ handle, clock: { now: () => new Date(T(6)) } }).pauseByOperator(
      [beta],
      'admin API',
    );
  });
  afterEach(async () => handle.destroy());

  const ids = async (filter: Partial<ActivityFilter>) =>
    (await readActivity(handle.db, { limit: 50, ...filter })).entries.map(
      (e) => `${e.kind}:${e.id}`,
    );

  it('merges every source newest first, ties ordered by kind then id', async () => {
    const all = await ids({});
    expect(all.slice(1)).toEqual([
      'webhook:d1',
      'sync:r4',
      'sync:r3',
      'container:c1',
      'sync:r2',
      'sync:r1',
    ]);
    expect(all[0]).toMatch(/^change:/);
  });

  it('pages by cursor without skipping or repeating, through ties', async () => {
    const everything = await ids({});
    const seen: string[] = [];
    let before: ActivityFilter['before'];
    for (let round = 0; round < 10; round++) {
      const page = await readActivity(handle.db, { limit: 2, before });
      seen.push(...page.entries.map((e) => `${e.kind}:${e.id}`));
      const last = page.entries[page.entries.length - 1];
      if (!page.more || !last) break;
      before = parseCursor(cursorOf(last));
    }
    expect(seen).toEqual(everything);
  });

  it('filters by kind, outcome, repository and time', async () => {
    expect(await ids({ kinds: ['sync'], outcome: 'failed' })).toEqual(['sync:r2']);
    expect(await ids({ outcome: 'failed' })).toEqual(['container:c1', 'sync:r2']);
    expect(await ids({ githubId: alpha, repositoryKey: 'octocat/alpha' })).toEqual([
      'webhook:d1',
      'sync:r4',
      'sync:r3',
      'container:c1',
      'sync:r1',
    ]);
    expect(await ids({ from: T(2), to: T(5) })).toEqual(['container:c1', 'sync:r2']);
    expect(await ids({ kinds: ['change'] })).toHaveLength(1);
  });

  it('refuses a cursor it did not make', () => {
    expect(parseCursor('not-a-cursor')).toBeUndefined();
    expect(parseCursor(Buffer.from('["x","nope","y"]').toString('base64url'))).toBeUndefined();
  });
});

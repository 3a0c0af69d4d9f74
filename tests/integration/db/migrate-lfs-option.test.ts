import { afterEach, describe, expect, it } from 'vitest';
import * as lfsOption from '../../../migrations/0020-lfs-option.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { readOptions } from '../../../src/mirrors/mirror-control.repo.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { seedMirror } from '../admin/admin-kit.js';

/** 0020 moves `mirrors.lfs` into mirror_options; the column is kept but no longer read. */
describe.each(DIALECTS)('migration 0020 (LFS option) on %s', (dialect) => {
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  it('copies set LFS columns into options by "migration", and down copies them back', async () => {
    const db = await createTestDb(dialect);
    handle = db;
    const on = await seedMirror(db, 'octocat/on', { lfs: 1 });
    const off = await seedMirror(db, 'octocat/off', { lfs: 0 });
    const unset = await seedMirror(db, 'octocat/unset');
    // The schema is already at the latest version: run the step again on these old-style rows.
    await lfsOption.up(db.db);

    expect(await readOptions(db.db, on)).toEqual({
      lfs: { value: true, updatedBy: 'migration', updatedAt: expect.any(String) },
    });
    expect((await readOptions(db.db, off)).lfs?.value).toBe(false);
    expect(await readOptions(db.db, unset)).toEqual({});

    // What the service reports comes from the option, not the column.
    await db.db.updateTable('mirrors').set({ lfs: null }).execute();
    const mirrors = createMirrorService({ handle: db, clock: systemClock });
    expect((await mirrors.findById(on))?.lfs).toBe('on');
    expect((await mirrors.findByName('octocat/off'))?.lfs).toBe('off');

    await lfsOption.down(db.db);
    const rows = await db.db.selectFrom('mirrors').select(['github_id', 'lfs']).execute();
    const lfs = new Map(rows.map((row) => [row.github_id, row.lfs]));
    expect([lfs.get(on), lfs.get(off), lfs.get(unset)]).toEqual([1, 0, null]);
    expect(await readOptions(db.db, on)).toEqual({});
  });
});

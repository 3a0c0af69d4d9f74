import { afterEach, describe, expect, it } from 'vitest';
import {
  extendLease,
  findLease,
  releaseLease,
  tryAcquireLease,
} from '../../../src/jobs/leases.repo.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const t = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();

describe.each(DIALECTS)('leases on %s', (dialect) => {
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  it('one owner at a time; taken over only after expiry; renew only when asked', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    const req = (owner: string, now: number, until: number, renew = false) =>
      tryAcquireLease(db, { name: 'job', owner, now: t(now), until: t(until), renew });
    expect(await req('a', 0, 10)).toBe(true);
    expect(await req('b', 5, 15)).toBe(false);
    expect(await req('a', 5, 15)).toBe(false);
    expect(await req('a', 6, 16, true)).toBe(true);
    expect(await extendLease(db, 'job', 'a', t(20))).toBe(true);
    expect(await extendLease(db, 'job', 'b', t(30))).toBe(false);
    expect(await req('b', 20, 30)).toBe(true);
    expect((await findLease(db, 'job'))?.owner).toBe('b');
    await releaseLease(db, 'job', 'a');
    expect((await findLease(db, 'job'))?.owner).toBe('b');
    await releaseLease(db, 'job', 'b');
    expect(await findLease(db, 'job')).toBeUndefined();
  });

  it('concurrent takers: exactly one wins', async () => {
    handle = await createTestDb(dialect);
    const db = handle.db;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        tryAcquireLease(db, { name: 'race', owner: `o${i}`, now: t(0), until: t(60) }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { waitForDatabase } from '../../../src/db/wait-for-database.js';
import { createLogger } from '../../../src/shared/logger.js';

const log = createLogger({ level: 'silent' });

describe('waitForDatabase', () => {
  it('retries while the server refuses connections, then returns', async () => {
    let calls = 0;
    const result = await waitForDatabase(
      async () => {
        calls++;
        if (calls < 3)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
            code: 'ECONNREFUSED',
          });
        return 'migrated';
      },
      log,
      { delayMs: 1 },
    );
    expect(result).toBe('migrated');
    expect(calls).toBe(3);
  });

  it('fails at once on anything else, and after the last attempt', async () => {
    let calls = 0;
    await expect(
      waitForDatabase(async () => {
        calls++;
        throw new Error('password authentication failed for user "x"');
      }, log),
    ).rejects.toThrow(/password authentication failed/);
    expect(calls).toBe(1);
    await expect(
      waitForDatabase(async () => Promise.reject(new Error('ECONNREFUSED')), log, {
        attempts: 2,
        delayMs: 1,
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

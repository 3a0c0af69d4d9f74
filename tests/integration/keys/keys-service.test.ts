import { afterEach, describe, expect, it } from 'vitest';
import { createKeysService } from '../../../src/keys/keys.service.js';
import { mirrorFromRow } from '../../../src/mirrors/mirror.js';
import { findMirrorByName } from '../../../src/mirrors/mirrors.repo.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { seedMirror } from '../admin/admin-kit.js';

const SECRET = 'first-keys-secret-0123456789abcdefghijkl';
const clock = { now: () => new Date('2026-12-07T19:00:00Z') };

/**
 * What a sync gets for a mirror set to a key: the decrypted key, or a clear refusal when
 * the key cannot be used (no secret, another secret, key gone).
 */
describe.each(DIALECTS)('SSH key service on %s', (dialect) => {
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
  });

  const service = (db: TestDb, secret: string | undefined) =>
    createKeysService({
      handle: db,
      clock,
      secret,
      findMirror: async (owner, name) => {
        const row = await findMirrorByName(db.db, `${owner}/${name}`);
        return row && mirrorFromRow(row);
      },
    });

  it('gives the sync the decrypted key, and refuses clearly when it cannot', async () => {
    handle = await createTestDb(dialect);
    const id = await seedMirror(handle, 'octocat/private');
    const keys = service(handle, SECRET);
    expect(await keys.privateKeyFor(id)).toBeUndefined();
    await keys.create('deploy');
    await keys.setForMirror('octocat', 'private', 'deploy');
    const key = await keys.privateKeyFor(id);
    expect(key?.name).toBe('deploy');
    expect(key?.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);

    const refusal = async (secret: string | undefined) => {
      const error = await service(handle as TestDb, secret)
        .privateKeyFor(id)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ reason: 'ssh_key_unavailable', retryable: false });
      return (error as Error).message;
    };
    expect(await refusal('another-secret-0123456789abcdefghijklmn')).toContain(
      'cannot be decrypted with the secret in KEYS_SECRET_FILE',
    );
    expect(await refusal(undefined)).toContain('set KEYS_SECRET_FILE');
  });
});

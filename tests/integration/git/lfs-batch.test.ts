import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryHolding } from '../../../src/git/lfs-batch.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { lfsPointer } from '../../support/lfs.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';

/** How the batch query reads OneDev's answers (docs/reference/onedev.md#lfs). */
describe('LFS batch query against the OneDev double', () => {
  let onedev: OneDevDouble;
  beforeEach(async () => {
    onedev = await startOneDevDouble(STANDARD_CAST);
    await onedev.addProject('github/octocat/media', { owner: 'alice' });
  });
  afterEach(() => onedev.close());

  const url = () => `${onedev.url}/github/octocat/media.git`;
  const object = lfsPointer('content');
  const ask = (authorization: string | undefined, target = url()) =>
    queryHolding({ url: target, authorization }, [object], { allowHttp: true });
  const failure = async (run: Promise<unknown>): Promise<UpstreamError> => {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  };

  it('answers which objects the server holds, with its per-object message for the others', async () => {
    expect(await ask(`Bearer ${TOKENS.admin}`)).toEqual({
      held: [],
      missing: [{ oid: object.oid, message: 'Object not found', code: 404 }],
    });
    await onedev.lfs('github/octocat/media').put('content');
    expect(await ask(`Bearer ${TOKENS.admin}`)).toEqual({ held: [object.oid], missing: [] });
  });

  it('turns refusals into clear, classified failures without the credential', async () => {
    const wrong = await failure(ask('Bearer not-a-token-0000'));
    expect([wrong.reason, wrong.retryable]).toEqual(['lfs_auth', false]);
    expect(wrong.message).toContain('answered 401');
    expect(wrong.message).not.toContain('not-a-token-0000');

    const bob = await failure(ask(`Bearer ${TOKENS.bob}`));
    expect(bob.reason).toBe('lfs_auth');
    expect(bob.message).toContain('403 (Permission denied)');

    const gone = await failure(ask(`Bearer ${TOKENS.admin}`, `${onedev.url}/github/none.git`));
    expect(gone.reason).toBe('lfs_not_found');
    expect(gone.message).toContain('Project not found: github/none');

    onedev.faults.serverError({ scope: 'all', times: 1 });
    const broken = await failure(ask(`Bearer ${TOKENS.admin}`));
    expect([broken.reason, broken.retryable]).toEqual(['lfs_network', true]);

    onedev.faults.loginPage({ times: 1 });
    const page = await failure(ask(`Bearer ${TOKENS.admin}`));
    expect(page.reason).toBe('lfs_bad_response');
    expect(page.message).toContain('is the URL an LFS server?');
  });

  it('refuses a URL with credentials or a disallowed scheme before sending anything', async () => {
    const before = onedev.requests.length;
    await expect(
      queryHolding({ url: `http://user:pw@127.0.0.1:1/x.git` }, [object], { allowHttp: true }),
    ).rejects.toThrow('credentials belong in the authorization');
    await expect(queryHolding({ url: url() }, [object], { allowHttp: false })).rejects.toThrow(
      'only https:// is allowed',
    );
    expect(onedev.requests.length).toBe(before);
  });
});

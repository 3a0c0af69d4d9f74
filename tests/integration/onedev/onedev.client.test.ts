import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import { ValidationError } from '../../../src/shared/errors.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';

describe('OneDev client against the OneDev double', () => {
  let onedev: OneDevDouble;
  beforeEach(async () => {
    onedev = await startOneDevDouble(STANDARD_CAST);
  });
  afterEach(async () => {
    await onedev.close();
  });
  const client = (token: string = TOKENS.admin, timeoutMs = 5_000) =>
    createOneDevClient({ baseUrl: onedev.url, token, timeoutMs });

  async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }

  it('creates every missing level top-down once, intermediate levels without code or issues', async () => {
    const result = await client().ensureProject('github/octocat/hello', {
      description: 'Mirror of https://github.com/octocat/hello',
    });
    expect(result).toMatchObject({ path: 'github/octocat/hello', created: true });
    expect(onedev.createdNames).toEqual(['github', 'octocat', 'hello']);
    expect(onedev.projectByPath('github/octocat')).toMatchObject({
      codeManagement: false,
      issueManagement: false,
    });
    expect(onedev.projectByPath('github/octocat/hello')).toMatchObject({
      codeManagement: true,
      description: 'Mirror of https://github.com/octocat/hello',
    });
    const again = await client().ensureProject('github/octocat/hello', { description: 'x' });
    expect(again).toEqual({ id: result.id, path: 'github/octocat/hello', created: false });
    expect(onedev.createdNames).toHaveLength(3);
  });

  it('creates a shared parent once when many mirrors of one owner are ensured at once', async () => {
    const api = client();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.ensureProject(`github/acme/repo-${i}`, { description: 'm' }),
      ),
    );
    expect(onedev.createdNames.filter((n) => n === 'acme')).toHaveLength(1);
    expect(onedev.createdNames.filter((n) => n === 'github')).toHaveLength(1);
    expect(onedev.createdNames.filter((n) => n.startsWith('repo-'))).toHaveLength(8);
  });

  it('resolves a create that succeeded on the server but answered 500 or dropped the connection (O03, O13)', async () => {
    onedev.faults.createSucceedsThen500({ times: 1 });
    const first = await client().ensureProject('solo', { description: 'm' });
    expect(first.id).toBe(onedev.projectByPath('solo')?.id);
    onedev.faults.createSucceedsThenDrop({ times: 1 });
    const second = await client().ensureProject('other', { description: 'm' });
    expect(second.id).toBe(onedev.projectByPath('other')?.id);
  });

  it('treats the duplicate-name 500 as "exists" and resolves the path again', async () => {
    // Another client creates the project between our lookup and our create.
    onedev.faults.latency(0);
    const api = client();
    const racing = await Promise.all([
      api.ensureProject('dup/x', { description: 'a' }),
      createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin }).ensureProject('dup/x', {
        description: 'b',
      }),
    ]);
    expect(racing[0].id).toBe(racing[1].id);
    expect(onedev.createdNames.filter((n) => n === 'x').length).toBeGreaterThanOrEqual(1);
    expect(onedev.projectByPath('dup/x')).toBeDefined();
  });

  it('never sends an invalid project name', async () => {
    await expect(
      client().ensureProject('github/octo/.github', { description: 'm' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(onedev.createdNames).not.toContain('.github');
  });

  it('sets and reads the default branch with the JSON-string body', async () => {
    const api = client();
    const { id } = await api.ensureProject('p', { description: 'm' });
    expect(await api.getDefaultBranch(id)).toBeUndefined();
    const error = await failure(api.setDefaultBranch(id, 'develop'));
    expect(error.message).toMatch(/Branch not exist: develop/);
  });

  it('fails hard with a clear message on a rejected token (O01) and a missing permission (O02)', async () => {
    const bad = await failure(client('not-a-token').ensureProject('a', { description: 'm' }));
    expect(bad).toMatchObject({ reason: 'onedev_auth', retryable: false });
    expect(bad.message).toMatch(/check ONEDEV_TOKEN/);
    const limited = await failure(
      client(TOKENS.aliceLimited).ensureProject('root-only', { description: 'm' }),
    );
    expect(limited).toMatchObject({ reason: 'onedev_forbidden', retryable: false });
    expect(limited.message).toMatch(/Not authorized to create root project/);
  });

  it('retries 503 and HTML gateway pages softly, with a readable message (O06, O07)', async () => {
    onedev.faults.serviceUnavailable({ times: 1 });
    expect(await failure(client().findProject('x'))).toMatchObject({
      reason: 'onedev_unavailable',
      retryable: true,
    });
    onedev.faults.badGateway({ times: 1 });
    const gateway = await failure(client().findProject('x'));
    expect(gateway.retryable).toBe(true);
    expect(gateway.message).toMatch(/HTTP 502: non-JSON HTML page/);
    expect(gateway.message).not.toMatch(/<html/i);
  });

  it('turns a 200 HTML login page into a clear error on every read, never a crash (O07)', async () => {
    const api = client();
    const { id } = await api.ensureProject('seen/x', { description: 'm' });
    const all = (_: { method: string }) => true;
    const creates = ({ method }: { method: string }) => method === 'POST';
    const reads: Array<[string, () => Promise<unknown>, typeof all]> = [
      ['looking up project seen/x', () => api.findProject('seen/x'), all],
      ['reading project', () => api.getProject(id), all],
      ['reading the default branch', () => api.getDefaultBranch(id), all],
      ['reading the server version', () => api.version(), all],
      ['creating project fresh', () => api.ensureProject('fresh', { description: 'm' }), creates],
    ];
    for (const [what, read, match] of reads) {
      onedev.faults.loginPage({ times: 1, match });
      const error = await failure(read());
      expect(error).toMatchObject({ reason: 'onedev_not_json', retryable: false });
      expect(error.message).toContain(`Unexpected non-JSON response from OneDev while ${what}`);
      expect(error.message).toMatch(/HTTP 200: non-JSON HTML page "Sign in - Company SSO"/);
      expect(error.message).toMatch(/login page in front of OneDev: check that ONEDEV_URL/);
      expect(error.message).not.toMatch(/<form|password/i);
    }
  });

  it('turns a 200 HTML page from the query API of OneDev before 12.0.10 into a clear error (O07)', async () => {
    onedev.setVersion('12.0.5');
    // The plain 404 of the missing /ids endpoint sends the client to the query API, which the
    // proxy answers with its login page.
    onedev.faults.loginPage({ match: ({ path }) => path === '/~api/projects' });
    const error = await failure(client().findProject('some/thing'));
    expect(error).toMatchObject({ reason: 'onedev_not_json', retryable: false });
    expect(error.message).toContain('while querying project some/thing');
  });

  it('says ONEDEV_URL is wrong when it leads to a web page instead of the REST API', async () => {
    const wrong = createOneDevClient({ baseUrl: `${onedev.url}/onedev`, token: TOKENS.admin });
    const error = await failure(wrong.ensureProject('a/b', { description: 'm' }));
    expect(error).toMatchObject({ reason: 'onedev_rejected', retryable: false });
    expect(error.message).toBe(
      'OneDev rejected looking up project a/b (HTTP 404: non-JSON HTML page "Page Not Found | OneDev" (content-type text/html;charset=utf-8)); ' +
        "ONEDEV_URL probably is not OneDev's root address (its REST API lives at <ONEDEV_URL>/~api)",
    );
    // One request: a web page does not send the client on to the query API.
    expect(onedev.requests.map((r) => r.path)).toEqual(['/onedev/~api/projects/ids/a/b']);
  });

  it('times out a hanging server softly (O09)', async () => {
    onedev.faults.hang({ times: 1 });
    expect(await failure(client(TOKENS.admin, 300).findProject('x'))).toMatchObject({
      reason: 'onedev_timeout',
      retryable: true,
    });
  });

  it('finds projects through the query API on OneDev before 12.0.10', async () => {
    await client().ensureProject('old/thing', { description: 'm' });
    onedev.setVersion('12.0.5');
    const api = client();
    expect(await api.findProject('OLD/thing')).toBe(onedev.projectByPath('old/thing')?.id);
    expect(await api.findProject('old/none')).toBeUndefined();
    const again = await api.ensureProject('old/thing', { description: 'm' });
    expect(again.created).toBe(false);
  });

  it('deletes a project and builds git URLs', async () => {
    const api = client();
    const { id } = await api.ensureProject('gone/x', { description: 'm' });
    await api.deleteProject(id);
    expect(onedev.projectByPath('gone/x')).toBeUndefined();
    expect(api.gitUrl('gone/x')).toBe(`${onedev.url}/gone/x.git`);
    expect(await api.version()).toBe('16.5.6');
  });
});

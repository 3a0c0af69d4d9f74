import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import {
  api,
  createBody,
  createHelloProject,
  makeSourceRepo,
  pushWithToken,
  runGit,
  type SourceRepo,
  STANDARD_CAST,
  TOKENS,
} from '../support/onedev-double/test-kit.js';

/**
 * Where REST lives, who may delete projects and set the default branch, anonymous pushes, and
 * protections that reject deletions and tags (docs/reference/onedev.md#rest-conventions,
 * #token-permissions, #anonymous-requests, #push-rules).
 */

let double: OneDevDouble;
const sources: SourceRepo[] = [];
const HELLO = 'github/octocat/hello';

async function source(spec: Parameters<typeof makeSourceRepo>[0]): Promise<SourceRepo> {
  const repo = await makeSourceRepo(spec);
  sources.push(repo);
  return repo;
}

beforeEach(async () => {
  double = await startOneDevDouble(STANDARD_CAST);
  await createHelloProject(double);
});

afterEach(async () => {
  await double.close();
  await Promise.all(sources.splice(0).map((s) => s.remove()));
});

const helloUrl = () => `${double.url}/${HELLO}.git`;

describe('REST only under /~api (point 1)', () => {
  it('answers an old /api or /rest prefix, or an extra base path, with the web UI’s HTML 404', async () => {
    for (const path of ['/api/projects', '/rest/projects', '/onedev/~api/projects/ids/github']) {
      const res = await api(double, 'GET', path, { token: TOKENS.admin });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8');
      expect(res.text).toContain('<title>Page Not Found | OneDev</title>');
    }
    const post = await api(double, 'POST', '/api/projects', {
      token: TOKENS.admin,
      body: createBody('old-prefix'),
    });
    expect(post.status).toBe(404);
    expect(double.createdNames).not.toContain('old-prefix');
    expect(double.projectByPath('old-prefix')).toBeUndefined();
    // The same lookup under /~api is a REST answer.
    const rest = await api(double, 'GET', '/~api/projects/ids/github', { token: TOKENS.admin });
    expect(rest).toMatchObject({ status: 200, text: '1' });
  });
});

describe('DELETE /~api/projects/{id} needs manage permission (point 12)', () => {
  it('answers 403 to users who may read or write but not manage, and keeps the project', async () => {
    double.grant('bob', HELLO, 'write');
    const bob = await api(double, 'DELETE', '/~api/projects/3', { token: TOKENS.bob });
    expect(bob).toMatchObject({ status: 403, text: 'Not authorized' });
    const unrelated = await api(double, 'DELETE', '/~api/projects/1', { token: TOKENS.bob });
    expect(unrelated).toMatchObject({ status: 403, text: 'Not authorized' });
    const limited = await api(double, 'DELETE', '/~api/projects/3', {
      token: TOKENS.aliceLimited,
    });
    expect(limited.status).toBe(403);
    const anonymous = await api(double, 'DELETE', '/~api/projects/3');
    expect(anonymous).toMatchObject({ status: 401, text: 'Not authenticated' });
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    expect(double.projectByPath(HELLO)).toMatchObject({ id: 3 });
  });

  it('lets a manager of an ancestor delete', async () => {
    double.grant('bob', 'github/octocat', 'manage');
    const res = await api(double, 'DELETE', '/~api/projects/3', { token: TOKENS.bob });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(double.projectByPath(HELLO)).toBeUndefined();
  });
});

describe('setting the default branch needs manage permission (point 15)', () => {
  it('answers 403 to a writer and 401 to anonymous callers, leaving HEAD alone', async () => {
    const src = await source({ branches: ['main', 'dev'] });
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'dev'])).code).toBe(0);
    double.grant('bob', HELLO, 'write');
    const set = (token?: string) =>
      api(double, 'POST', '/~api/repositories/3/default-branch', { token, body: '"dev"' });
    expect(await set(TOKENS.bob)).toMatchObject({ status: 403, text: 'Not authorized' });
    const anonymous = await set();
    expect(anonymous).toMatchObject({ status: 401, text: 'Not authenticated' });
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    expect(await double.defaultBranch(HELLO)).toBe('main');
    double.grant('bob', HELLO, 'manage');
    expect((await set(TOKENS.bob)).status).toBe(200);
    expect(await double.defaultBranch(HELLO)).toBe('dev');
  });
});

describe('anonymous pushes (point 18)', () => {
  const receivePackRefs = (path: string) => `${path}/info/refs?service=git-receive-pack`;

  it('challenges an anonymous push with 401 and the Basic challenge', async () => {
    const res = await api(double, 'GET', receivePackRefs(`/${HELLO}.git`));
    expect(res).toMatchObject({ status: 401, text: 'Authentication required' });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    const pack = await api(double, 'POST', `/${HELLO}.git/git-receive-pack`, {
      body: '0000',
      headers: { 'Content-Type': 'application/x-git-receive-pack-request' },
    });
    expect(pack.status).toBe(401);
    expect(pack.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
  });

  it('makes a real git push without credentials fail with nothing written', async () => {
    const src = await source({ branches: ['main'] });
    const push = await pushWithToken(src.dir, helloUrl(), undefined, ['main']);
    expect(push.code).not.toBe(0);
    // git asks for credentials after the challenge; prompts are off, so it gives up.
    expect(push.stderr).toMatch(/could not read Username|Authentication failed/);
    expect(await double.refs(HELLO)).toEqual({});
    const challenged = double.requests.filter((r) => r.kind === 'git' && r.status === 401);
    expect(challenged.length).toBeGreaterThan(0);
  });
});

describe('protections that reject a whole push (point 19)', () => {
  it('rejects deleting a protected branch, and the other updates of the push with it', async () => {
    const src = await source({ branches: ['main', 'release'] });
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'release'])).code).toBe(
      0,
    );
    double.setBranchProtection(HELLO, {
      branches: 'release',
      preventCreation: false,
      preventForcedPush: false,
    });
    const before = await double.refs(HELLO);
    await src.commit('main');
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [
      'main',
      ':refs/heads/release',
    ]);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: *  ERROR PUSHING REF: refs/heads/release');
    expect(push.stderr).toContain(
      'Cannot delete this branch according to branch protection setting',
    );
    expect(await double.refs(HELLO)).toEqual(before);
    // Branches outside the rule delete normally.
    await runGit(['branch', 'scratch'], src.dir);
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['scratch'])).code).toBe(0);
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [':scratch'])).code).toBe(0);
  });

  it('applies tag protections: creation, update and deletion, each on its own', async () => {
    const src = await source({ branches: ['main', 'other'], tags: ['v1', 'keep'] });
    expect(
      (await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'other', 'keep'])).code,
    ).toBe(0);

    double.setTagProtection(HELLO, { tags: 'v*', preventUpdate: false, preventDeletion: false });
    const create = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['refs/tags/v1']);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain('remote: *  ERROR PUSHING REF: refs/tags/v1');
    expect(create.stderr).toContain('Cannot create this tag according to tag protection setting');
    expect(await double.refs(HELLO)).not.toHaveProperty('refs/tags/v1');

    double.setTagProtection(HELLO, {
      tags: 'keep',
      preventCreation: false,
      preventDeletion: false,
    });
    await runGit(['tag', '-f', 'keep', 'other'], src.dir);
    const update = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['+refs/tags/keep']);
    expect(update.code).not.toBe(0);
    expect(update.stderr).toContain('Cannot update this tag according to tag protection setting');
    expect((await double.refs(HELLO))['refs/tags/keep']).toBe(await src.rev('main'));

    double.setTagProtection(HELLO, { tags: 'keep', preventCreation: false, preventUpdate: false });
    const remove = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [':refs/tags/keep']);
    expect(remove.code).not.toBe(0);
    expect(remove.stderr).toContain('Cannot delete this tag according to tag protection setting');
    expect(await double.refs(HELLO)).toHaveProperty('refs/tags/keep');

    // The same three updates go through once the rules allow them.
    double.setTagProtection(HELLO, []);
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['refs/tags/v1'])).code).toBe(0);
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [':refs/tags/keep'])).code).toBe(
      0,
    );
  });

  it('inherits tag protections from ancestors', async () => {
    double.setTagProtection('github', { tags: '**' });
    const src = await source({ branches: ['main'], tags: ['v2'] });
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'refs/tags/v2']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Cannot create this tag according to tag protection setting');
    expect(await double.refs(HELLO)).toEqual({});
  });
});

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
 * Git over HTTP against real bare repositories (docs/reference/onedev.md#git-urls, #default-branch,
 * #endpoints-used).
 */

let double: OneDevDouble;
const sources: SourceRepo[] = [];

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

const helloUrl = () => `${double.url}/github/octocat/hello.git`;

describe('pushing and the default branch', () => {
  it('mirrors heads and tags, then serves them back case-insensitively without .git', async () => {
    const src = await source({ branches: ['main', 'dev'], tags: ['v1'] });
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [
      '+refs/heads/*:refs/heads/*',
      '+refs/tags/*:refs/tags/*',
    ]);
    expect(push.code, push.stderr).toBe(0);
    expect(await double.refs('github/octocat/hello')).toEqual({
      'refs/heads/dev': await src.rev('dev'),
      'refs/heads/main': await src.rev('main'),
      'refs/tags/v1': await src.rev('v1'),
    });
    const lsRemote = await runGit([
      '-c',
      `http.extraHeader=Authorization: Bearer ${TOKENS.admin}`,
      'ls-remote',
      `${double.url}/GitHub/OctoCat/Hello`,
    ]);
    expect(lsRemote.code, lsRemote.stderr).toBe(0);
    expect(lsRemote.stdout).toContain('refs/heads/dev');
    expect(lsRemote.stdout).toMatch(/^\w+\tHEAD$/m);
  });

  it('answers 204 while HEAD is unborn, then sets and reads the branch raw', async () => {
    const noDefault = await api(double, 'GET', '/~api/repositories/3/default-branch', {
      token: TOKENS.admin,
    });
    expect(noDefault).toMatchObject({ status: 204, text: '' });
    const src = await source({ branches: ['main', 'dev'] });
    await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'dev']);
    expect(
      await api(double, 'GET', '/~api/repositories/3/default-branch', { token: TOKENS.admin }),
    ).toMatchObject({
      status: 200,
      text: 'main',
    });
    const set = await api(double, 'POST', '/~api/repositories/3/default-branch', {
      token: TOKENS.admin,
      body: '"dev"',
    });
    expect(set).toMatchObject({ status: 200, text: '' });
    expect(
      (await api(double, 'GET', '/~api/repositories/3/default-branch', { token: TOKENS.admin }))
        .text,
    ).toBe('dev');
    expect(
      await api(double, 'POST', '/~api/repositories/3/default-branch', {
        token: TOKENS.admin,
        body: '"gone"',
      }),
    ).toMatchObject({ status: 500, text: 'Branch not exist: gone' });
    expect(
      (
        await api(double, 'POST', '/~api/repositories/3/default-branch', {
          token: TOKENS.admin,
          body: 'dev',
        })
      ).status,
    ).toBe(500);
    expect(
      (await api(double, 'GET', '/~api/repositories/3/branches', { token: TOKENS.admin })).text,
    ).toBe('[ "dev", "main" ]');
  });

  it('points HEAD at the branch on the last hook line when main is not pushed', async () => {
    const src = await source({ branches: ['master', 'release/x', 'aaa'] });
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['master', 'release/x']);
    expect(push.code, push.stderr).toBe(0);
    expect(await double.defaultBranch('github/octocat/hello')).toBe('release/x');
    // Once HEAD resolves, later pushes leave it alone.
    await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['aaa']);
    expect(await double.defaultBranch('github/octocat/hello')).toBe('release/x');
  });
});

describe('pre-receive checks', () => {
  it('rejects the whole push when a non-manager updates refs/pulls/*', async () => {
    double.grant('bob', 'github/octocat/hello', 'write');
    const src = await source({ branches: ['main'] });
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, [
      'main',
      'main:refs/pulls/1/head',
    ]);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: *  ERROR PUSHING REF: refs/pulls/1/head');
    expect(push.stderr).toContain('remote: *  Only project managers can update onedev refs.');
    expect(push.stderr).toContain('pre-receive hook declined');
    expect(await double.refs('github/octocat/hello')).toEqual({});
  });

  it('rejects the whole push when a non-manager updates refs/updates/*', async () => {
    double.grant('bob', 'github/octocat/hello', 'write');
    const src = await source({ branches: ['main'] });
    const first = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, ['main']);
    expect(first.code, first.stderr).toBe(0);
    const before = await double.refs('github/octocat/hello');
    await src.commit('main');
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, [
      'main',
      'main:refs/updates/1',
    ]);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: *  ERROR PUSHING REF: refs/updates/1');
    expect(push.stderr).toContain('remote: *  Only project managers can update onedev refs.');
    expect(push.stderr).toContain('pre-receive hook declined');
    // Neither the onedev ref nor the ordinary branch pushed with it moved.
    expect(await double.refs('github/octocat/hello')).toEqual(before);
  });

  it('accepts refs/pull/* from non-managers and refs/pulls/* from managers', async () => {
    double.grant('bob', 'github/octocat/hello', 'write');
    const src = await source({ branches: ['main'], refs: ['refs/pull/7/head'] });
    const bob = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, ['main', 'refs/pull/7/head']);
    expect(bob.code, bob.stderr).toBe(0);
    const admin = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main:refs/updates/1']);
    expect(admin.code, admin.stderr).toBe(0);
    expect(Object.keys(await double.refs('github/octocat/hello')).sort()).toEqual([
      'refs/heads/main',
      'refs/pull/7/head',
      'refs/updates/1',
    ]);
  });

  it('stores refs/starbridge/history/* unchecked for a writer, in the same atomic push, even under protection of every branch and tag (docs/reference/onedev.md#other-refs)', async () => {
    double.grant('bob', 'github/octocat/hello', 'write');
    const src = await source({ branches: ['main'] });
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.bob, ['main'])).code).toBe(0);
    double.setBranchProtection('github', { branches: '**', preventCreation: false });
    double.setTagProtection('github', { tags: '**' });
    const kept = 'refs/starbridge/history/heads/main/20261207T185707Z';
    const created = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, [`main:${kept}`]);
    expect(created.code, created.stderr).toBe(0);
    const refs = await double.refs('github/octocat/hello');
    expect(refs[kept]).toBe(refs['refs/heads/main']);
    const deleted = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, [`:${kept}`]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(Object.keys(await double.refs('github/octocat/hello'))).toEqual(['refs/heads/main']);
  });

  it('refuseRefsUnder stands in for a hook that refuses a namespace: the whole push fails, OneDev-framed', async () => {
    const src = await source({ branches: ['main', 'dev'] });
    double.refuseRefsUnder('refs/starbridge/');
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, [
      'main',
      'dev:refs/starbridge/history/heads/dev/20261207T185707Z',
    ]);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'remote: *  ERROR PUSHING REF: refs/starbridge/history/heads/dev/20261207T185707Z',
    );
    expect(await double.refs('github/octocat/hello')).toEqual({});
    double.refuseRefsUnder();
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main'])).code).toBe(0);
  });

  it('rejects a forced push to a protected branch, and the whole push with it', async () => {
    const src = await source({ branches: ['main'] });
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main'])).code).toBe(0);
    const before = await double.refs('github/octocat/hello');
    double.setBranchProtection('github/octocat/hello', {
      branches: 'main',
      preventCreation: false,
    });
    await src.commit('main', { amend: true });
    await runGit(['branch', 'dev'], src.dir);
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['+main', 'dev']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: *  ERROR PUSHING REF: refs/heads/main');
    expect(push.stderr).toContain(
      'Cannot force-push to this branch according to branch protection setting',
    );
    expect(await double.refs('github/octocat/hello')).toEqual(before);
  });

  it('inherits protections from ancestors (creation prevented)', async () => {
    double.setBranchProtection('github', { branches: '** -allowed' });
    const src = await source({ branches: ['main', 'allowed'] });
    const denied = await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['main', 'allowed']);
    expect(denied.stderr).toContain(
      'Cannot create this branch according to branch protection setting',
    );
    expect(await double.refs('github/octocat/hello')).toEqual({});
    expect((await pushWithToken(src.dir, helloUrl(), TOKENS.admin, ['allowed'])).code).toBe(0);
  });
});

describe('git endpoint status codes (docs/reference/onedev.md#git-status-codes)', () => {
  const infoRefs = (path: string, service = 'git-upload-pack') =>
    `${path}/info/refs?service=${service}`;

  it('challenges anonymous callers and hides unknown or inaccessible projects', async () => {
    const anonymous = await api(double, 'GET', infoRefs('/nothing.git'));
    expect(anonymous).toMatchObject({ status: 401, text: 'Authentication required' });
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    expect((await api(double, 'GET', infoRefs('/github/octocat/hello.git'))).status).toBe(401);
    expect(
      await api(double, 'GET', infoRefs('/nothing.git'), { token: TOKENS.admin }),
    ).toMatchObject({
      status: 404,
      text: 'Project not found or inaccessible: nothing',
    });
    expect(
      await api(double, 'GET', infoRefs('/github/octocat/hello'), { token: TOKENS.bob }),
    ).toMatchObject({
      status: 404,
      text: 'Project not found or inaccessible: github/octocat/hello',
    });
  });

  it('refuses pushes without write permission with 403', async () => {
    double.grant('bob', 'github', 'read');
    const refs = await api(
      double,
      'GET',
      infoRefs('/github/octocat/hello.git', 'git-receive-pack'),
      {
        token: TOKENS.bob,
      },
    );
    expect(refs).toMatchObject({
      status: 403,
      text: 'You do not have permission to push to this project.',
    });
    const fetchRefs = await api(double, 'GET', infoRefs('/github/octocat/hello.git'), {
      token: TOKENS.bob,
    });
    expect(fetchRefs.status).toBe(200);
    expect(fetchRefs.headers.get('content-type')).toBe(
      'application/x-git-upload-pack-advertisement',
    );
    const src = await source({ branches: ['main'] });
    const push = await pushWithToken(src.dir, helloUrl(), TOKENS.bob, ['main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('403');
  });

  it('rejects bad credentials on git with 401 and no challenge', async () => {
    const res = await api(double, 'GET', infoRefs('/github.git'), {
      authorization: 'Bearer wrong',
    });
    expect(res).toMatchObject({ status: 401, text: 'Invalid account or incorrect credentials' });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('looks up the literal path before stripping .git', async () => {
    await api(double, 'POST', '/~api/projects', { token: TOKENS.admin, body: createBody('foo') });
    await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: createBody('foo.git'),
    });
    const src = await source({ branches: ['main'] });
    expect(
      (await pushWithToken(src.dir, `${double.url}/foo.git`, TOKENS.admin, ['main'])).code,
    ).toBe(0);
    expect(Object.keys(await double.refs('foo.git'))).toEqual(['refs/heads/main']);
    expect(await double.refs('foo')).toEqual({});
  });
});

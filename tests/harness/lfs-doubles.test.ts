import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, RepoBuilder } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { commitLfsFiles, lfsPointer, lfsSkipReason } from '../support/lfs.js';
import { LFS_MEDIA_TYPE } from '../support/lfs-store.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';

/**
 * The LFS faces of both doubles, driven by the real git-lfs client and by plain batch requests
 * (docs/reference/onedev.md#lfs, docs/reference/github.md#lfs).
 */

const skip = lfsSkipReason();
const GH_TOKEN = 'ghp_lfsHarnessToken000000000000000000001';
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function authEnv(authorization: string): Record<string, string> {
  return {
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
  };
}

async function batch(
  url: string,
  operation: 'upload' | 'download',
  objects: Array<{ oid: string; size: number }>,
  authorization?: string,
  extra: Record<string, unknown> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      accept: LFS_MEDIA_TYPE,
      'content-type': LFS_MEDIA_TYPE,
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({ operation, objects, ...extra }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are what the tests check
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe.skipIf(skip !== undefined)('GitHub double: LFS', () => {
  let github: GitHubDouble;
  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [GH_TOKEN]: 'octocat' } });
  });
  afterEach(() => github.close());

  it('serves a repository’s objects to git lfs fetch --all through RemoteAuth download links', async () => {
    github.addRepo({ owner: 'octocat', name: 'media', private: true });
    const repo = new RepoBuilder(github.repoPath('octocat', 'media'));
    const made = await commitLfsFiles(repo, github.lfs('octocat/media'), 'main', [
      'a.bin',
      'b.bin',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'gh-lfs-'));
    temps.push(dir);
    const env = authEnv(`token ${GH_TOKEN}`);
    await git(['clone', '--quiet', '--bare', `${github.url}/octocat/media.git`, dir], { env });
    await git(['lfs', 'fetch', '--all', 'origin'], { cwd: dir, env });
    const listed = JSON.parse(await git(['lfs', 'ls-files', '--all', '--json'], { cwd: dir }));
    expect(listed.files.map((f: { oid: string }) => f.oid).sort()).toEqual(
      made.objects.map((o) => o.oid).sort(),
    );
    expect(listed.files.every((f: { downloaded: boolean }) => f.downloaded)).toBe(true);
    const gets = github.requests.filter((r) => r.kind === 'lfs' && r.method === 'GET');
    expect(gets.map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers a missing object with a per-object 404, anonymous callers of a private repo with 401, and refuses object GETs without RemoteAuth', async () => {
    github.addRepo({ owner: 'octocat', name: 'media', private: true });
    const stored = await github.lfs('octocat/media').put('content');
    const lost = lfsPointer('never pushed');
    const url = `${github.url}/octocat/media.git/info/lfs/objects/batch`;
    const answer = await batch(url, 'download', [stored, lost], `token ${GH_TOKEN}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(LFS_MEDIA_TYPE);
    const [held, missing] = answer.body.objects;
    expect(held.actions.download.header.Authorization).toMatch(/^RemoteAuth /);
    expect(missing.error.code).toBe(404);

    const anonymous = await batch(url, 'download', [stored]);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('lfs-authenticate')).toContain('Basic');

    const direct = await fetch(held.actions.download.href, {
      headers: { authorization: `token ${GH_TOKEN}` },
    });
    expect(direct.status).toBe(401);
    const linked = await fetch(held.actions.download.href, {
      headers: held.actions.download.header,
    });
    expect(await linked.text()).toBe('content');
  });
});

describe.skipIf(skip !== undefined)('OneDev double: LFS', () => {
  let onedev: OneDevDouble;
  beforeEach(async () => {
    onedev = await startOneDevDouble(STANDARD_CAST);
    await onedev.addProject('github/octocat/media', { owner: 'alice' });
  });
  afterEach(() => onedev.close());
  const batchUrl = () => `${onedev.url}/github/octocat/media.git/info/lfs/objects/batch`;

  it('accepts git lfs push, then offers each object for download and none for upload again', async () => {
    const github = await startGitHubDouble({ tokens: { [GH_TOKEN]: 'octocat' } });
    try {
      github.addRepo({ owner: 'octocat', name: 'media' });
      const repo = new RepoBuilder(github.repoPath('octocat', 'media'));
      const made = await commitLfsFiles(repo, github.lfs('octocat/media'), 'main', ['x.bin']);
      const dir = mkdtempSync(join(tmpdir(), 'od-lfs-'));
      temps.push(dir);
      const ghEnv = authEnv(`token ${GH_TOKEN}`);
      await git(['clone', '--quiet', '--bare', `${github.url}/octocat/media.git`, dir], {
        env: ghEnv,
      });
      await git(['lfs', 'fetch', '--all', 'origin'], { cwd: dir, env: ghEnv });
      const env = authEnv(`Bearer ${TOKENS.admin}`);
      const target = `${onedev.url}/github/octocat/media.git`;
      await git(['lfs', 'push', '--all', target], { cwd: dir, env });
      const oid = made.objects[0]?.oid ?? '';
      expect(await onedev.lfs('github/octocat/media').oids()).toEqual([oid]);
      expect(onedev.lfsUploads).toEqual([oid]);

      const object = made.objects.map(({ oid, size }) => ({ oid, size }));
      const down = await batch(batchUrl(), 'download', object, `Bearer ${TOKENS.admin}`);
      expect(down.body.transfer).toBeUndefined();
      const action = down.body.objects[0].actions.download;
      expect(action.href).toBe(`${target}/lfs/objects/${oid}?lfs-objects=true`);
      expect(action.header.Authorization).toMatch(/^Bearer /);
      const again = await batch(batchUrl(), 'upload', object, `Bearer ${TOKENS.admin}`);
      expect(again.body.objects[0].actions).toBeUndefined();
    } finally {
      await github.close();
    }
  });

  it('answers as GitLfsFilter does: 404 per missing object, 406 over the size limit, 403/401/404 for access, 500 for a bad upload', async () => {
    const admin = `Bearer ${TOKENS.admin}`;
    const small = lfsPointer('small');
    const missing = await batch(batchUrl(), 'download', [small], admin);
    expect(missing.body.objects[0].error).toEqual({ code: 404, message: 'Object not found' });

    onedev.setLfsMaxBytes(3);
    const big = await batch(batchUrl(), 'upload', [small], admin);
    expect(big.body.objects[0].error).toEqual({
      code: 406,
      message: 'Exceeded max acceptable LFS file size 3',
    });
    onedev.setLfsMaxBytes(1024);

    const bob = await batch(batchUrl(), 'upload', [small], `Bearer ${TOKENS.bob}`);
    expect([bob.status, bob.body.message]).toEqual([403, 'Permission denied']);
    const anonymous = await batch(batchUrl(), 'download', [small]);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('lfs-authenticate')).toBe('Basic realm="OneDev"');
    const unknown = await batch(
      `${onedev.url}/github/octocat/nothing.git/info/lfs/objects/batch`,
      'download',
      [small],
      admin,
    );
    expect([unknown.status, unknown.body.message]).toEqual([
      404,
      'Project not found: github/octocat/nothing',
    ]);
    const ssh = await batch(batchUrl(), 'upload', [small], admin, { transfers: ['ssh'] });
    expect(ssh.status).toBe(406);

    const upload = (await batch(batchUrl(), 'upload', [small], admin)).body.objects[0].actions
      .upload;
    const wrong = await fetch(upload.href, {
      method: 'PUT',
      headers: upload.header,
      body: 'not the content',
    });
    expect(wrong.status).toBe(500);
    expect(await onedev.lfs('github/octocat/media').oids()).toEqual([]);
    const right = await fetch(upload.href, {
      method: 'PUT',
      headers: upload.header,
      body: 'small',
    });
    expect(right.status).toBe(200);
    expect(await onedev.lfs('github/octocat/media').oids()).toEqual([small.oid]);
  });
});

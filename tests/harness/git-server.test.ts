import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmptyRepo,
  GitError,
  git,
  makeTempDir,
  RepoBuilder,
  readRefs,
  removeTempDir,
} from '../support/git-repos.js';
import { type GitServer, startGitServer } from '../support/git-server.js';

/** Parses `git ls-remote` output into refname → sha. */
function parseLsRemote(out: string): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name) refs[name] = sha;
  }
  return refs;
}

/** Sends one raw request, bypassing URL normalisation (fetch would collapse `/../`). */
function rawGet(server: GitServer, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end();
  });
}

async function expectGitFailure(run: Promise<string>, message: RegExp): Promise<void> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitError);
  expect((error as GitError).stderr).toMatch(message);
}

let tmp: string;
let root: string;
let repo: RepoBuilder;

beforeAll(async () => {
  tmp = await makeTempDir();
  root = join(tmp, 'repos');
  repo = await RepoBuilder.create(root, 'octocat/hello.git');
  const first = await repo.commit('main', { files: { 'README.md': '# hello\n' } });
  await repo.commit('main');
  await repo.branch('feature', first);
  const feature = await repo.commit('feature', { files: { 'feature.txt': 'new\n' } });
  await repo.tag('v1.0.0', 'main', { annotated: true });
  await repo.tag('light', first);
  await repo.pullRef(1, feature);
});

afterAll(async () => {
  await removeTempDir(tmp);
});

describe('startGitServer without auth', () => {
  let server: GitServer;
  let work: string;

  beforeAll(async () => {
    server = await startGitServer({ root });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    if (work) await removeTempDir(work);
  });

  it('listens on 127.0.0.1 with a url without trailing slash', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('mirror-clones every ref exactly, pull refs and annotated tags included', async () => {
    work = await makeTempDir();
    const mirror = join(work, 'mirror.git');
    await git(['clone', '--quiet', '--mirror', `${server.url}/octocat/hello.git`, mirror]);
    const expected = await repo.refs();
    expect(await readRefs(mirror)).toEqual(expected);
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining(['refs/pull/1/head', 'refs/pull/1/merge', 'refs/tags/v1.0.0']),
    );
  });

  it('also speaks protocol v0', async () => {
    work = await makeTempDir();
    const mirror = join(work, 'mirror.git');
    const url = `${server.url}/octocat/hello.git`;
    await git(['-c', 'protocol.version=0', 'clone', '--quiet', '--mirror', url, mirror]);
    expect(await readRefs(mirror)).toEqual(await repo.refs());
  });

  it('advertises HEAD and the hidden pull refs in ls-remote', async () => {
    const refs = parseLsRemote(await git(['ls-remote', `${server.url}/octocat/hello.git`]));
    const own = await repo.refs();
    expect(refs.HEAD).toBe(own['refs/heads/main']);
    expect(refs['refs/pull/1/head']).toBe(own['refs/pull/1/head']);
    expect(refs['refs/pull/1/merge']).toBe(own['refs/pull/1/merge']);
    expect(refs['refs/tags/v1.0.0^{}']).toBe(own['refs/heads/main']);
  });

  it('accepts pushes and logs them as receive-pack', async () => {
    work = await makeTempDir();
    const clone = join(work, 'clone');
    await git(['clone', '--quiet', `${server.url}/octocat/hello.git`, clone]);
    await git(['commit', '--quiet', '--allow-empty', '-m', 'pushed'], { cwd: clone });
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/pushed'], { cwd: clone });
    const local = await git(['rev-parse', 'HEAD'], { cwd: clone });
    expect((await repo.refs())['refs/heads/pushed']).toBe(local);
    expect(server.requests).toContainEqual({
      method: 'POST',
      path: '/octocat/hello.git/git-receive-pack',
      service: 'git-receive-pack',
      authorized: true,
      bytesSent: expect.any(Number),
    });
    await repo.deleteBranch('pushed');
  });

  it('serves an empty repository', async () => {
    await createEmptyRepo(root, 'octocat/empty.git');
    expect(await git(['ls-remote', `${server.url}/octocat/empty.git`])).toBe('');
    work = await makeTempDir();
    await git(['clone', '--quiet', `${server.url}/octocat/empty.git`, join(work, 'empty')]);
  });

  it('answers 404 for a repository that does not exist', async () => {
    await expectGitFailure(
      git(['ls-remote', `${server.url}/octocat/missing.git`]),
      /not found|404/,
    );
  });

  it.each([
    '/../etc/passwd',
    '/octocat/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/octocat/%2E%2E/hello.git/info/refs',
    '/octocat%2f..%2f..%2fetc',
    '/octocat/./hello.git/HEAD',
  ])('rejects the traversal attempt %s', async (path) => {
    expect(await rawGet(server, path)).toBe(400);
  });
});

describe('startGitServer with auth', () => {
  const auth = { basic: { username: 'alice', password: 's3cret' }, bearer: 'tok-123' };
  let server: GitServer;
  let work: string;
  let url: string;

  beforeAll(async () => {
    server = await startGitServer({ root, auth });
    url = `${server.url}/octocat/hello.git`;
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    if (work) await removeTempDir(work);
  });

  it('turns away a clone without credentials with a Basic challenge', async () => {
    work = await makeTempDir();
    await expectGitFailure(
      git(['clone', '--quiet', url, join(work, 'c')]),
      /terminal prompts disabled|Authentication failed/,
    );
    const res = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="git"');
    expect(server.requests.at(-1)).toMatchObject({ authorized: false });
  });

  it('clones with a bearer token in http.extraHeader', async () => {
    work = await makeTempDir();
    const mirror = join(work, 'm.git');
    const header = 'http.extraHeader=Authorization: Bearer tok-123';
    await git(['-c', header, 'clone', '--quiet', '--mirror', url, mirror]);
    expect(await readRefs(mirror)).toEqual(await repo.refs());
  });

  it('refuses a wrong bearer token', async () => {
    const header = 'http.extraHeader=Authorization: Bearer nope';
    await expectGitFailure(git(['-c', header, 'ls-remote', url]), /401|terminal prompts disabled/);
  });

  it('clones with Basic credentials in the URL', async () => {
    work = await makeTempDir();
    const withCreds = url.replace('http://', 'http://alice:s3cret@');
    await git(['clone', '--quiet', '--mirror', withCreds, join(work, 'm.git')]);
    expect(await readRefs(join(work, 'm.git'))).toEqual(await repo.refs());
  });

  it('refuses a wrong Basic password', async () => {
    const withCreds = url.replace('http://', 'http://alice:wrong@');
    await expectGitFailure(git(['ls-remote', withCreds]), /Authentication failed/);
  });

  it('pushes with a bearer token', async () => {
    work = await makeTempDir();
    const clone = join(work, 'c');
    const header = 'http.extraHeader=Authorization: Bearer tok-123';
    await git(['-c', header, 'clone', '--quiet', url, clone]);
    await git(['commit', '--quiet', '--allow-empty', '-m', 'authed'], { cwd: clone });
    await git(['-c', header, 'push', '--quiet', 'origin', 'HEAD:refs/heads/authed'], {
      cwd: clone,
    });
    expect(Object.keys(await repo.refs())).toContain('refs/heads/authed');
    await repo.deleteBranch('authed');
  });
});

describe('GitServer.close', () => {
  it('resolves while a keep-alive connection is still open', async () => {
    const server = await startGitServer({ root });
    const res = await fetch(`${server.url}/octocat/hello.git/HEAD`);
    expect(await res.text()).toBe('ref: refs/heads/main\n');
    await server.close();
    await expect(fetch(`${server.url}/octocat/hello.git/HEAD`)).rejects.toThrow();
  });
});

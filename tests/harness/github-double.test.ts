import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { seedRepos } from '../support/github-double/seed.js';

const exec = promisify(execFile);

// Git must run asynchronously: the double serves git from this same process.
const gitEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const git = (cwd: string, ...args: string[]) => exec('git', args, { cwd, env: gitEnv });

let gh: GitHubDouble;
let tmp: string;
const ALICE = 'tok-alice';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gh-double-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  gh = await startGitHubDouble({ tokens: { [ALICE]: 'alice', 'tok-bob': 'bob' } });
});
afterEach(async () => {
  await gh.close();
});

function api(path: string, init: { token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    ...init.headers,
  };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(new URL(path, gh.url), { headers, redirect: 'manual' });
}

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part);
    if (m?.[1] && m[2]) out[m[2]] = m[1];
  }
  return out;
}

function starSeven(): void {
  for (let i = 1; i <= 7; i++) {
    gh.addRepo({ owner: 'octo', name: `r${i}` });
    gh.star('alice', `octo/r${i}`, new Date(Date.UTC(2024, 0, i)));
  }
}

describe('starred listings', () => {
  it('paginates across 3 pages with a correct Link header', async () => {
    starSeven();
    const p1 = await api('/user/starred?per_page=3', { token: ALICE });
    expect(p1.status).toBe(200);
    const l1 = links(p1);
    expect(Object.keys(l1)).toEqual(['next', 'last']);
    expect(l1.next).toBe(`${gh.url}/user/starred?per_page=3&page=2`);
    expect(l1.last).toBe(`${gh.url}/user/starred?per_page=3&page=3`);

    const p2 = await fetch(l1.next!, { headers: { authorization: `token ${ALICE}` } });
    const l2 = links(p2);
    expect(Object.keys(l2)).toEqual(['prev', 'next', 'last', 'first']);
    expect(l2.first).toBe(`${gh.url}/user/starred?per_page=3&page=1`);

    const p3 = await fetch(l2.next!, { headers: { authorization: `token ${ALICE}` } });
    expect(Object.keys(links(p3))).toEqual(['prev', 'first']);

    const names = [p1, p2, p3].map(async (r) =>
      ((await r.json()) as { name: string }[]).map((x) => x.name),
    );
    // Default sort is by star time, newest first.
    expect((await Promise.all(names)).flat()).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
  });

  it('honours sort=created&direction=asc', async () => {
    starSeven();
    const res = await api('/user/starred?direction=asc&per_page=2', { token: ALICE });
    expect(((await res.json()) as { name: string }[]).map((r) => r.name)).toEqual(['r1', 'r2']);
    expect(links(res).next).toContain('direction=asc');
  });

  it('returns { starred_at, repo } items for the star+json media type', async () => {
    gh.addRepo({ owner: 'octo', name: 'hello', description: 'hi' });
    gh.star('alice', 'octo/hello', '2024-03-01T10:00:00Z');
    const res = await api('/user/starred', {
      token: ALICE,
      headers: { accept: 'application/vnd.github.star+json' },
    });
    const items = (await res.json()) as Array<{
      starred_at: string;
      repo: Record<string, unknown>;
    }>;
    expect(items).toHaveLength(1);
    expect(items[0]?.starred_at).toBe('2024-03-01T10:00:00Z');
    expect(items[0]?.repo).toMatchObject({
      full_name: 'octo/hello',
      private: false,
      visibility: 'public',
      default_branch: 'main',
      size: 0,
      clone_url: `${gh.url}/octo/hello.git`,
      owner: { login: 'octo', type: 'User' },
    });
    const plain = (await (await api('/user/starred', { token: ALICE })).json()) as unknown[];
    expect(plain[0]).toMatchObject({ full_name: 'octo/hello' });
    expect(plain[0]).not.toHaveProperty('starred_at');
  });

  it('lists private stars on /user/starred only', async () => {
    gh.addRepo({ owner: 'octo', name: 'open' });
    gh.addRepo({ owner: 'octo', name: 'secret', private: true });
    gh.star('alice', 'octo/open');
    gh.star('alice', 'octo/secret');
    const mine = (await (await api('/user/starred', { token: ALICE })).json()) as {
      name: string;
    }[];
    expect(mine.map((r) => r.name).sort()).toEqual(['open', 'secret']);
    for (const token of [ALICE, undefined]) {
      const res = await api('/users/alice/starred', token ? { token } : {});
      expect(((await res.json()) as { name: string }[]).map((r) => r.name)).toEqual(['open']);
    }
    expect((await api('/users/nobody/starred')).status).toBe(404);
    expect((await api('/user/starred')).status).toBe(401);
  });

  it('answers If-None-Match with 304 without spending the rate limit', async () => {
    gh.addRepo({ owner: 'octo', name: 'hello' });
    gh.star('alice', 'octo/hello');
    const first = await api('/user/starred', { token: ALICE });
    const etag = first.headers.get('etag')!;
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(etag).toMatch(/^W\/".+"$/);
    expect(remaining).toBe(4999);

    const again = await api('/user/starred', { token: ALICE, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining);
    expect(gh.rateLimit('alice').remaining).toBe(remaining);
    expect(gh.requests.at(-1)).toMatchObject({
      status: 304,
      ifNoneMatch: etag,
      authenticated: true,
    });

    // ETags are per token, and change with the content.
    const bob = await api('/user/starred', {
      token: 'tok-bob',
      headers: { 'if-none-match': etag },
    });
    expect(bob.status).toBe(200);
    gh.addRepo({ owner: 'octo', name: 'more' });
    gh.star('alice', 'octo/more');
    const changed = await api('/user/starred', {
      token: ALICE,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(Number(changed.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
  });
});

describe('repositories, auth and rate limits', () => {
  it('serves repositories case-insensitively, 301s renamed ones and 404s missing ones', async () => {
    const rec = gh.addRepo({ owner: 'Octo', name: 'Hello', id: 777, defaultBranch: 'trunk' });
    const res = await api('/repos/octo/HELLO');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: 777,
      full_name: 'Octo/Hello',
      default_branch: 'trunk',
    });

    gh.rename('Octo/Hello', 'World');
    const moved = await api('/repos/Octo/Hello');
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe(`${gh.url}/repositories/${rec.id}`);
    const followed = await fetch(`${gh.url}/repos/Octo/Hello`);
    expect(await followed.json()).toMatchObject({ id: 777, full_name: 'Octo/World' });

    gh.deleteRepo('Octo/World');
    const gone = await api('/repos/Octo/World');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ message: 'Not Found' });
  });

  it('hides private repositories from anonymous callers', async () => {
    gh.addRepo({ owner: 'octo', name: 'secret', private: true });
    expect((await api('/repos/octo/secret')).status).toBe(404);
    const res = await api('/repos/octo/secret', { token: ALICE });
    expect(await res.json()).toMatchObject({ private: true, visibility: 'private' });
  });

  it('answers /user and rejects a bad token with 401 Bad credentials', async () => {
    const me = await api('/user', { token: ALICE });
    expect(await me.json()).toMatchObject({ login: 'alice', type: 'User' });
    const bad = await api('/user', { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials' });
    expect(bad.headers.get('x-ratelimit-limit')).toBe('60');
    expect(gh.requests.at(-1)).toMatchObject({ path: '/user', status: 401, authenticated: false });
  });

  it('decrements the counter on every response and exhausts it', async () => {
    gh.setRateLimit('alice', { remaining: 2 });
    const a = await api('/user', { token: ALICE });
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(a.headers.get('x-ratelimit-used')).toBe('4999');
    expect(a.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await api('/user', { token: ALICE })).status).toBe(200);
    const out = await api('/user', { token: ALICE });
    expect(out.status).toBe(403);
    expect(out.headers.get('x-ratelimit-remaining')).toBe('0');
    const limits = await api('/rate_limit', { token: ALICE });
    expect(await limits.json()).toMatchObject({
      resources: { core: { remaining: 0, limit: 5000 } },
    });
    expect((await api('/user', { token: 'tok-bob' })).status).toBe(200);
  });

  it('switches to a primary rate limit for the next N requests', async () => {
    gh.faults.primaryRateLimit(2);
    for (let i = 0; i < 2; i++) {
      const res = await api('/user', { token: ALICE });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(((await res.json()) as { message: string }).message).toMatch(
        /API rate limit exceeded/,
      );
    }
    expect((await api('/user', { token: ALICE })).status).toBe(200);
    expect(gh.requests.map((r) => r.fault)).toEqual(['primary', 'primary', undefined]);
  });

  it('switches to secondary rate limits (429 and 403) with retry-after', async () => {
    gh.faults.secondaryRateLimit(1, { status: 429, retryAfter: 7 }).secondaryRateLimit(1);
    const r429 = await api('/user', { token: ALICE });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('7');
    expect(((await r429.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    const r403 = await api('/user', { token: ALICE });
    expect(r403.status).toBe(403);
    expect(r403.headers.get('retry-after')).toBe('1');
    expect(Number(r403.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect((await api('/user', { token: ALICE })).status).toBe(200);
  });

  it('injects 5xx answers and latency', async () => {
    gh.faults.serverError(1, { status: 503 }).latency(50);
    const started = Date.now();
    expect((await api('/user', { token: ALICE })).status).toBe(503);
    expect((await api('/user', { token: ALICE })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('git smart HTTP', () => {
  async function pushCommit(owner: string, name: string, content: string): Promise<string> {
    const work = await mkdtemp(join(tmp, 'work-'));
    await git(work, 'init', '--quiet', '--initial-branch=main');
    await writeFile(join(work, 'README.md'), content);
    await git(work, 'add', 'README.md');
    await git(work, 'commit', '--quiet', '-m', 'first');
    await git(work, 'push', '--quiet', gh.repoPath(owner, name), 'main');
    return (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
  }

  it('clones a public repository the test pushed into', async () => {
    gh.addRepo({ owner: 'octo', name: 'hello' });
    const sha = await pushCommit('octo', 'hello', 'hello world\n');
    const dest = join(tmp, 'clone-public');
    await git(tmp, 'clone', '--quiet', `${gh.url}/octo/hello.git`, dest);
    expect(await readFile(join(dest, 'README.md'), 'utf8')).toBe('hello world\n');
    expect((await git(dest, 'rev-parse', 'HEAD')).stdout.trim()).toBe(sha);
    expect(gh.requests.some((r) => r.kind === 'git' && r.path.endsWith('/info/refs'))).toBe(true);
    const repo = (await (await api('/repos/octo/hello')).json()) as {
      size: number;
      pushed_at: string;
    };
    expect(repo.size).toBeGreaterThan(0);
  });

  it('seeds many repositories with several commits and an annotated tag, each clonable', async () => {
    const repos = await seedRepos(gh, 'fleet', ['a', 'b'], { commits: 3, tag: 'v1.0.0' });
    const dest = join(tmp, 'clone-seeded');
    await git(tmp, 'clone', '--quiet', '--mirror', `${gh.url}/fleet/b.git`, dest);
    expect((await git(dest, 'rev-list', '--count', 'main')).stdout.trim()).toBe('3');
    expect((await git(dest, 'cat-file', '-t', 'v1.0.0')).stdout.trim()).toBe('tag');
    expect((await git(dest, 'rev-parse', 'v1.0.0^{commit}')).stdout.trim()).toBe(
      (await git(dest, 'rev-parse', 'main')).stdout.trim(),
    );
    expect(repos.map((r) => r.fullName)).toEqual(['fleet/a', 'fleet/b']);
  });

  it('requires a token for private repositories', async () => {
    gh.addRepo({ owner: 'octo', name: 'secret', private: true });
    await pushCommit('octo', 'secret', 'classified\n');
    const url = `${gh.url}/octo/secret.git`;
    const denied = git(tmp, 'clone', '--quiet', url, join(tmp, 'denied'));
    await expect(denied).rejects.toThrow(/terminal prompts disabled|Authentication failed/);
    expect(gh.requests.at(-1)).toMatchObject({ kind: 'git', status: 401 });

    const dest = join(tmp, 'clone-private');
    await git(
      tmp,
      '-c',
      `http.extraHeader=Authorization: Bearer ${ALICE}`,
      'clone',
      '--quiet',
      url,
      dest,
    );
    expect(await readFile(join(dest, 'README.md'), 'utf8')).toBe('classified\n');

    const basic = url.replace('http://', `http://x-access-token:${ALICE}@`);
    await git(tmp, 'clone', '--quiet', basic, join(tmp, 'clone-basic'));
    const bad = url.replace('http://', 'http://x-access-token:wrong@');
    await expect(git(tmp, 'clone', '--quiet', bad, join(tmp, 'bad'))).rejects.toThrow();
  });

  it('answers 404 Repository not found for a missing repository', async () => {
    const res = await fetch(`${gh.url}/octo/missing.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Repository not found.');
  });

  it('accepts pushes over HTTP with a token and serves renamed repos at the old URL', async () => {
    gh.addRepo({ owner: 'octo', name: 'pushme' });
    const work = await mkdtemp(join(tmp, 'push-'));
    await git(work, 'init', '--quiet', '--initial-branch=main');
    await git(work, 'commit', '--quiet', '--allow-empty', '-m', 'empty');
    const url = `${gh.url}/octo/pushme.git`;
    await expect(git(work, 'push', '--quiet', url, 'main')).rejects.toThrow();
    await git(
      work,
      '-c',
      `http.extraHeader=Authorization: Bearer ${ALICE}`,
      'push',
      '--quiet',
      url,
      'main',
    );
    gh.rename('octo/pushme', 'pushed');
    const { stdout } = await git(tmp, 'ls-remote', url);
    expect(stdout).toMatch(/\trefs\/heads\/main\n/);
    expect(gh.repoPath('octo', 'pushed')).toMatch(/octo\/pushed\.git$/);
  });

  it('serves <name>.wiki.git only for repositories seeded with a wiki (has_wiki on), and 404 otherwise', async () => {
    gh.addRepo({ owner: 'octo', name: 'withwiki', wiki: true });
    gh.addRepo({ owner: 'octo', name: 'nowiki' });
    gh.addRepo({ owner: 'octo', name: 'wikioff', wiki: true, hasWiki: false });
    const { stdout } = await git(tmp, 'ls-remote', `${gh.url}/octo/withwiki.wiki.git`);
    expect(stdout).toMatch(/\trefs\/heads\/master\n/);
    for (const name of ['nowiki', 'wikioff']) {
      await expect(git(tmp, 'ls-remote', `${gh.url}/octo/${name}.wiki.git`)).rejects.toThrow();
    }
    const json = async (name: string) =>
      (await (await api(`/repos/octo/${name}`)).json()) as { has_wiki: boolean };
    expect((await json('withwiki')).has_wiki).toBe(true);
    expect((await json('wikioff')).has_wiki).toBe(false);
    gh.rename('octo/withwiki', 'renamedwiki');
    expect(gh.wikiPath('octo', 'renamedwiki')).toMatch(/octo\/renamedwiki\.wiki\.git$/);
    const moved = await git(tmp, 'ls-remote', `${gh.url}/octo/renamedwiki.wiki.git`);
    expect(moved.stdout).toMatch(/\trefs\/heads\/master\n/);
  });
});

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createBareRepo,
  createEmptyRepo,
  generateLargeRepo,
  git,
  makeTempDir,
  RepoBuilder,
  readRefs,
  removeTempDir,
} from '../support/git-repos.js';

let tmp: string;

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(tmp);
});

async function isAncestor(repo: RepoBuilder, ancestor: string, of: string): Promise<boolean> {
  return repo.git(['merge-base', '--is-ancestor', ancestor, of]).then(
    () => true,
    () => false,
  );
}

describe('createBareRepo', () => {
  it('creates an empty bare repository whose HEAD names main', async () => {
    const path = await createBareRepo(tmp, 'octocat/hello.git');
    expect(path).toBe(join(tmp, 'octocat/hello.git'));
    expect(await git(['rev-parse', '--is-bare-repository'], { cwd: path })).toBe('true');
    expect(await new RepoBuilder(path).headBranch()).toBe('main');
    expect(await readRefs(path)).toEqual({});
  });

  it('honours another default branch', async () => {
    const path = await createBareRepo(tmp, 'x.git', { defaultBranch: 'trunk' });
    expect(await git(['symbolic-ref', 'HEAD'], { cwd: path })).toBe('refs/heads/trunk');
  });

  it('createEmptyRepo has no refs at all', async () => {
    expect(await readRefs(await createEmptyRepo(tmp, 'empty.git'))).toEqual({});
  });
});

describe('RepoBuilder', () => {
  it('commits files on top of the parent tree and deletes with null', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    await repo.commit('main', { files: { 'a.txt': 'A\n', 'dir/b.txt': 'B\n' }, message: 'one' });
    const second = await repo.commit('main', { files: { 'a.txt': null, 'c.txt': 'C\n' } });
    expect(await repo.git(['ls-tree', '-r', '--name-only', second])).toBe('c.txt\ndir/b.txt');
    expect(await repo.git(['log', '--format=%s', 'main'])).toMatch(/^commit \d+ on main\none$/);
    expect(await repo.git(['show', 'main:dir/b.txt'])).toBe('B');
  });

  it('produces the same shas for the same calls on fresh repositories', async () => {
    const build = async (rel: string) => {
      const repo = await RepoBuilder.create(tmp, rel);
      await repo.commit('main');
      await repo.commit('main', { files: { 'x.txt': 'x' } });
      await repo.tag('v1', 'main', { annotated: true });
      return repo.refs();
    };
    expect(await build('one.git')).toEqual(await build('two.git'));
  });

  it('creates branches and lightweight or annotated tags', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const first = await repo.commit('main');
    await repo.commit('main');
    expect(await repo.branch('feature', first)).toBe(first);
    expect(await repo.tag('light', 'feature')).toBe(first);
    const annotated = await repo.tag('v1.0.0', 'main', { annotated: true, message: 'release' });
    expect(await repo.git(['cat-file', '-t', annotated])).toBe('tag');
    expect(await repo.git(['cat-file', '-t', 'refs/tags/light'])).toBe('commit');
    const refs = await repo.refs();
    expect(refs).toMatchObject({
      'refs/heads/feature': first,
      'refs/tags/light': first,
      'refs/tags/v1.0.0': annotated,
    });
  });

  it('shows deletions in refs()', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const sha = await repo.commit('main');
    await repo.branch('gone', sha);
    await repo.tag('gone-tag', sha, { annotated: true });
    await repo.deleteBranch('gone');
    await repo.deleteTag('gone-tag');
    expect(await repo.refs()).toEqual({ 'refs/heads/main': sha });
    await expect(repo.deleteBranch('gone')).rejects.toThrow();
  });

  it('forcePush replaces the tip with a commit that does not descend from it', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const base = await repo.commit('main');
    await repo.commit('main');
    const { old, new: rewritten } = await repo.forcePush('main');
    expect(rewritten).not.toBe(old);
    expect((await repo.refs())['refs/heads/main']).toBe(rewritten);
    expect(await isAncestor(repo, old, rewritten)).toBe(false);
    expect(await isAncestor(repo, base, rewritten)).toBe(true);
  });

  it('forcePush of a single root commit yields another root commit', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    await repo.commit('main');
    const { old, new: rewritten } = await repo.forcePush('main');
    expect(await isAncestor(repo, old, rewritten)).toBe(false);
    expect(await repo.git(['rev-list', '--count', rewritten])).toBe('1');
  });

  it('setHead changes the default branch', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const sha = await repo.commit('main');
    await repo.branch('develop', sha);
    await repo.setHead('develop');
    expect(await repo.headBranch()).toBe('develop');
  });

  it('pullRef writes head and a merge commit like GitHub', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const base = await repo.commit('main', { files: { 'a.txt': 'a' } });
    await repo.branch('pr', base);
    const pr = await repo.commit('pr', { files: { 'b.txt': 'b' } });
    await repo.commit('main', { files: { 'c.txt': 'c' } });
    const { head, merge } = await repo.pullRef(7, pr);
    const main = (await repo.refs())['refs/heads/main'];
    expect(head).toBe(pr);
    expect(await repo.refs()).toMatchObject({
      'refs/pull/7/head': pr,
      'refs/pull/7/merge': merge,
    });
    expect(await repo.git(['rev-parse', `${merge}^1`, `${merge}^2`])).toBe(`${main}\n${pr}`);
    expect(await repo.git(['ls-tree', '--name-only', merge!])).toBe('a.txt\nb.txt\nc.txt');
  });

  it('pullRef falls back to the head tree on conflicts and can skip the merge ref', async () => {
    const repo = await RepoBuilder.create(tmp, 'r.git');
    const base = await repo.commit('main', { files: { 'a.txt': 'a' } });
    await repo.branch('pr', base);
    const pr = await repo.commit('pr', { files: { 'a.txt': 'pr' } });
    await repo.commit('main', { files: { 'a.txt': 'main' } });
    const { merge } = await repo.pullRef(1, pr);
    expect(await repo.git(['show', `${merge}:a.txt`])).toBe('pr');
    expect(await repo.pullRef(2, pr, { merge: false })).toEqual({ head: pr });
    expect(Object.keys(await repo.refs())).not.toContain('refs/pull/2/merge');
  });
});

describe('generateLargeRepo', () => {
  it('writes 5,000 commits, 50 branches and 200 tags in a few seconds', async () => {
    const path = await createBareRepo(tmp, 'large.git');
    const started = performance.now();
    const large = await generateLargeRepo(path, { commits: 5000, branches: 50, tags: 200 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    expect(large.defaultBranch).toBe('main');
    expect(await git(['rev-list', '--all', '--count'], { cwd: path })).toBe('5000');
    const refs = await readRefs(path);
    const names = Object.keys(refs);
    expect(names.filter((r) => r.startsWith('refs/heads/'))).toHaveLength(51);
    expect(names.filter((r) => r.startsWith('refs/tags/'))).toHaveLength(200);
    expect(refs['refs/heads/main']).toBe(large.head);
    const branchTips = new Set(large.branches.map((b) => refs[`refs/heads/${b}`]));
    expect(branchTips.size).toBe(50);
    const kinds = await git(['for-each-ref', '--format=%(objecttype)', 'refs/tags'], { cwd: path });
    expect(new Set(kinds.split('\n'))).toEqual(new Set(['commit', 'tag']));
    expect(await git(['fsck', '--no-progress', '--connectivity-only'], { cwd: path })).toBe('');
  });

  it('is deterministic', async () => {
    const a = await createBareRepo(tmp, 'a.git');
    const b = await createBareRepo(tmp, 'b.git', { defaultBranch: 'trunk' });
    const shape = { commits: 50, branches: 3, tags: 4 };
    const first = await generateLargeRepo(a, shape);
    const second = await generateLargeRepo(b, shape);
    expect(second.defaultBranch).toBe('trunk');
    expect(second.head).toBe(first.head);
  });
});

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitCommandError } from '../../../src/git/git-errors.js';
import {
  createBareRepo,
  createEmptyRepo,
  generateLargeRepo,
  RepoBuilder,
  readRefs,
} from '../../support/git-repos.js';
import {
  createWorkspace,
  mirroredRefs,
  objectCount,
  SOURCE_TOKEN,
  TARGET_TOKEN,
  type Workspace,
} from './git-fixtures.js';

describe('git engine: mirroring heads and tags', () => {
  let ws: Workspace;
  let repo: RepoBuilder;
  beforeEach(async () => {
    ws = await createWorkspace();
    repo = await RepoBuilder.create(ws.sourceRoot, 'octocat/hello.git');
    await repo.commit('main');
    await repo.commit('main');
    await repo.branch('feature', 'main');
    await repo.commit('feature');
    await repo.branch('gone-soon', 'main');
    await repo.tag('v1.0.0', 'main');
    await repo.tag('v1.1.0', 'feature', { annotated: true });
    await repo.tag('old-tag', 'main');
    await repo.pullRef(1, 'feature');
    await createBareRepo(ws.targetRoot, 'mirrors/hello.git');
  });
  afterEach(async () => ws.close());

  it('lsRemote lists heads and tags with the HEAD branch, never refs/pull', async () => {
    const result = await ws.engine().lsRemote(ws.sourceRemote('octocat/hello.git'));
    expect(result.headBranch).toBe('main');
    expect(result.refs).toEqual(await mirroredRefs(repo.path));
    expect(Object.keys(result.refs).some((r) => r.startsWith('refs/pull/'))).toBe(false);
    expect(Object.keys(result.refs).some((r) => r.endsWith('^{}'))).toBe(false);
  });

  it('fetches into a new cache and pushes an exact mirror, then converges on updates', async () => {
    const engine = ws.engine();
    const source = ws.sourceRemote('octocat/hello.git');
    const target = ws.targetRemote('mirrors/hello.git');
    const targetPath = join(ws.targetRoot, 'mirrors/hello.git');

    const fetched = await engine.fetchToCache(ws.cacheDir, source);
    expect(fetched).toEqual(await mirroredRefs(repo.path));
    expect(await readRefs(ws.cacheDir)).toEqual(fetched);
    // Only heads and tags came in, and no remote (nor its URL) was recorded in the cache.
    expect(Object.keys(await readRefs(ws.cacheDir)).some((r) => r.startsWith('refs/pull/'))).toBe(
      false,
    );
    expect(await readFile(join(ws.cacheDir, 'config'), 'utf8')).not.toContain('remote');
    await engine.pushFromCache(ws.cacheDir, target);
    expect(await readRefs(targetPath)).toEqual(await mirroredRefs(repo.path));

    // New commit, force push, deleted branch, new and deleted tag.
    const oldMain = await repo.resolve('refs/heads/main');
    await repo.commit('main');
    const rewritten = await repo.forcePush('feature');
    await repo.deleteBranch('gone-soon');
    await repo.tag('v2.0.0', 'main', { annotated: true });
    await repo.deleteTag('old-tag');
    await repo.pullRef(2, 'main', { merge: false });

    const updated = await engine.fetchToCache(ws.cacheDir, source);
    expect(updated).toEqual(await mirroredRefs(repo.path));
    expect(updated['refs/heads/gone-soon']).toBeUndefined();
    expect(updated['refs/tags/old-tag']).toBeUndefined();
    await engine.pushFromCache(ws.cacheDir, target);
    const mirrored = await readRefs(targetPath);
    expect(mirrored).toEqual(await mirroredRefs(repo.path));
    expect(Object.keys(mirrored).some((r) => r.startsWith('refs/pull/'))).toBe(false);

    expect(await engine.isAncestor(ws.cacheDir, oldMain, updated['refs/heads/main']!)).toBe(true);
    expect(await engine.isAncestor(ws.cacheDir, updated['refs/heads/main']!, oldMain)).toBe(false);
    expect(await engine.isAncestor(ws.cacheDir, rewritten.old, rewritten.new)).toBe(false);
    expect(await engine.isAncestor(ws.cacheDir, 'f'.repeat(40), oldMain)).toBe(false);
  });

  it('an update fetches only the delta into the persistent cache', async () => {
    const big = await RepoBuilder.create(ws.sourceRoot, 'octocat/big.git');
    await generateLargeRepo(big.path, { commits: 400, branches: 5, tags: 10, files: 20 });
    const engine = ws.engine();
    const source = ws.sourceRemote('octocat/big.git');
    const cache = join(ws.dir, 'cache', 'big.git');

    await engine.fetchToCache(cache, source);
    const first = await objectCount(cache);
    expect(first).toBeGreaterThan(800);
    await big.commit('main');
    await big.commit('main');
    const refs = await engine.fetchToCache(cache, source);
    const second = await objectCount(cache);
    expect(refs).toEqual(await mirroredRefs(big.path));
    // Two commits = two commits, two trees, two blobs; a full re-fetch would double the count.
    expect(second - first).toBeGreaterThan(0);
    expect(second - first).toBeLessThanOrEqual(10);
  });

  it('an empty source gives {} (pruning a cache that had refs) and push refuses to run', async () => {
    const engine = ws.engine();
    const target = ws.targetRemote('mirrors/hello.git');
    await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    await engine.pushFromCache(ws.cacheDir, target);
    const before = await readRefs(join(ws.targetRoot, 'mirrors/hello.git'));

    await createEmptyRepo(ws.sourceRoot, 'octocat/empty.git');
    const emptyCache = join(ws.dir, 'cache', 'empty.git');
    expect(await engine.fetchToCache(emptyCache, ws.sourceRemote('octocat/empty.git'))).toEqual({});
    // The cache that held refs, now fetched from an empty remote, is emptied too.
    expect(await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/empty.git'))).toEqual(
      {},
    );
    expect(await readRefs(ws.cacheDir)).toEqual({});

    for (const cache of [emptyCache, ws.cacheDir]) {
      const error = await engine.pushFromCache(cache, target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitCommandError);
      expect((error as GitCommandError).reason).toBe('git_rejected');
      expect((error as GitCommandError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/empty cache/);
    }
    expect(await readRefs(join(ws.targetRoot, 'mirrors/hello.git'))).toEqual(before);
  });

  it('prunes from ls-remote when a fetch reports nothing (a git that did not prune)', async () => {
    // Simulate a fetch that skips pruning by dropping --prune from what git receives.
    const { spawn } = await import('node:child_process');
    const engine = ws.engine({
      spawn: (command, args, options) =>
        spawn(
          command,
          args.includes('fetch') ? args.filter((a) => a !== '--prune') : args,
          options,
        ),
    });
    const source = ws.sourceRemote('octocat/hello.git');
    await engine.fetchToCache(ws.cacheDir, source);
    await repo.deleteBranch('gone-soon');
    await repo.deleteTag('old-tag');
    const refs = await engine.fetchToCache(ws.cacheDir, source);
    expect(refs).toEqual(await mirroredRefs(repo.path));
    expect(await readRefs(ws.cacheDir)).toEqual(refs);
    // Unchanged remote: the check runs and deletes nothing.
    expect(await engine.fetchToCache(ws.cacheDir, source)).toEqual(refs);
  });

  it('cleans stale lock files and a half-made init left by a crash', async () => {
    const engine = ws.engine();
    const source = ws.sourceRemote('octocat/hello.git');
    // A crash during the very first init: a temp sibling remains, the cache does not exist.
    await mkdir(join(ws.dir, 'cache', 'octocat', '.hello.git.init-deadbeef', 'objects'), {
      recursive: true,
    });
    await engine.fetchToCache(ws.cacheDir, source);
    expect(await readdir(join(ws.dir, 'cache', 'octocat'))).toEqual(['hello.git']);

    // A crash mid-fetch: ref and packed-refs locks stay behind.
    await writeFile(join(ws.cacheDir, 'refs', 'heads', 'main.lock'), '');
    await writeFile(join(ws.cacheDir, 'packed-refs.lock'), '');
    await repo.commit('main');
    const refs = await engine.fetchToCache(ws.cacheDir, source);
    expect(refs['refs/heads/main']).toBe(await repo.resolve('refs/heads/main'));
    const leftovers = await readdir(join(ws.cacheDir, 'refs', 'heads'));
    expect(leftovers.some((f) => f.endsWith('.lock'))).toBe(false);
    expect(await readdir(ws.cacheDir)).not.toContain('packed-refs.lock');
  });

  it('initialises into an empty directory the caller made', async () => {
    await mkdir(ws.cacheDir, { recursive: true });
    const refs = await ws.engine().fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    expect(refs).toEqual(await mirroredRefs(repo.path));
  });

  it('refuses a shallow cache', async () => {
    const engine = ws.engine();
    const source = ws.sourceRemote('octocat/hello.git');
    const refs = await engine.fetchToCache(ws.cacheDir, source);
    await writeFile(join(ws.cacheDir, 'shallow'), `${refs['refs/heads/main']}\n`);
    for (const attempt of [
      () => engine.fetchToCache(ws.cacheDir, source),
      () => engine.pushFromCache(ws.cacheDir, ws.targetRemote('mirrors/hello.git')),
    ]) {
      const error = (await attempt().catch((e: unknown) => e)) as GitCommandError;
      expect(error.reason).toBe('git_corrupt');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/shallow/);
    }
  });

  it('never writes a credential to the cache or to git argv, and uses only the allowed env', async () => {
    const engine = ws.engine();
    await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    await engine.pushFromCache(ws.cacheDir, ws.targetRemote('mirrors/hello.git'));
    await engine.lsRemote(ws.sourceRemote('octocat/hello.git'));

    const allowed = new Set([
      'PATH',
      'HOME',
      'LC_ALL',
      'GIT_TERMINAL_PROMPT',
      'GIT_ASKPASS',
      'SSH_ASKPASS',
      'GIT_CONFIG_NOSYSTEM',
      'GIT_ALLOW_PROTOCOL',
      'GIT_CONFIG_COUNT',
    ]);
    expect(ws.spy.calls.length).toBeGreaterThan(3);
    for (const call of ws.spy.calls) {
      for (const arg of call.args) {
        expect(arg).not.toContain(SOURCE_TOKEN);
        expect(arg).not.toContain(TARGET_TOKEN);
      }
      for (const key of Object.keys(call.env)) {
        expect(allowed.has(key) || /^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(key)).toBe(true);
      }
      expect(call.env.HOME).toBe(ws.homeDir);
      expect(call.env.GIT_ALLOW_PROTOCOL).toBe('https:http');
      expect(call.env.GIT_TERMINAL_PROMPT).toBe('0');
      const urlIndex = call.args.findIndex((a) => a.startsWith('http://'));
      if (urlIndex >= 0) expect(call.args[urlIndex - 1]).toBe('--');
    }
    // The first transfer into a new cache is `git clone --bare`; the config is the same.
    const fetchCall = ws.spy.calls.find((c) => c.args.includes('clone'))!;
    const config = configOf(fetchCall.env);
    expect(config['http.extraHeader']).toBe(`Authorization: Bearer ${SOURCE_TOKEN}`);
    expect(config['http.followRedirects']).toBe('false');
    expect(config['core.hooksPath']).toBe('/dev/null');
    expect(config['transfer.fsckObjects']).toBe('true');
    expect(config['protocol.file.allow']).toBe('never');
    expect(config['http.lowSpeedLimit']).toBe('1000');
    expect(config['http.lowSpeedTime']).toBe('60');
    const pushCall = ws.spy.calls.find((c) => c.args.includes('push'))!;
    expect(pushCall.args).toContain('--atomic');
    expect(pushCall.args).not.toContain('--mirror');
    expect(configOf(pushCall.env)['http.extraHeader']).toBe(
      `Authorization: Bearer ${TARGET_TOKEN}`,
    );

    for (const file of await readdir(ws.cacheDir, { recursive: true })) {
      const text = await readFile(join(ws.cacheDir, file)).catch(() => Buffer.alloc(0));
      expect(text.includes(SOURCE_TOKEN)).toBe(false);
      expect(text.includes(TARGET_TOKEN)).toBe(false);
    }
  });

  it('reports the installed git version', async () => {
    expect(await ws.engine().version()).toMatch(/^\d+\.\d+(\.\d+)*$/);
  });
});

function configOf(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < Number(env.GIT_CONFIG_COUNT); i++) {
    out[env[`GIT_CONFIG_KEY_${i}`]!] = env[`GIT_CONFIG_VALUE_${i}`]!;
  }
  return out;
}

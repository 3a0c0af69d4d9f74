import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitCommandError } from '../../../src/git/git-errors.js';
import { Redactor } from '../../../src/shared/redact.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { createBareRepo, git, RepoBuilder, readRefs } from '../../support/git-repos.js';
import {
  createWorkspace,
  expectNoSecret,
  mirroredRefs,
  SOURCE_TOKEN,
  type Workspace,
} from './git-fixtures.js';

async function failure(promise: Promise<unknown>): Promise<GitCommandError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitCommandError);
  expect(error).toBeInstanceOf(UpstreamError);
  return error as GitCommandError;
}

/**
 * A TCP server that accepts connections and never says a word (docs/reference/bad-inputs.md#g02).
 */
async function silentServer(): Promise<{ url: string; sockets: Socket[]; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Live (non-zombie) processes in the process group git led. A helper orphaned by the
 * kill is reaped by PID 1, which may take a moment, so only running ones count.
 */
async function liveGroupMembers(pgid: number): Promise<number[]> {
  const live: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') live.push(Number(entry));
  }
  return live;
}

describe('git engine: failures', () => {
  let ws: Workspace;
  let repo: RepoBuilder;
  beforeEach(async () => {
    ws = await createWorkspace();
    repo = await RepoBuilder.create(ws.sourceRoot, 'octocat/hello.git');
    await repo.commit('main');
    await repo.tag('v1', 'main');
  });
  afterEach(async () => ws.close());

  it('a wrong token is git_auth, not retryable, and the token appears nowhere', async () => {
    const wrong = 'ghp_WrongTokenThatMustNotLeak42';
    const engine = ws.engine({ redactor: new Redactor([SOURCE_TOKEN]) });
    const remote = ws.sourceRemote('octocat/hello.git', wrong);
    for (const attempt of [
      () => engine.lsRemote(remote),
      () => engine.fetchToCache(ws.cacheDir, remote),
    ]) {
      const error = await failure(attempt());
      expect(error.reason).toBe('git_auth');
      expect(error.kind).toBe('auth');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/authentication to 127\.0\.0\.1:\d+ failed/);
      expect(error.stderrTail).not.toBe('');
      expectNoSecret(error, wrong);
      expectNoSecret(error, SOURCE_TOKEN);
    }
  });

  it('no credentials on a private repo fails at once instead of prompting', async () => {
    const error = await failure(
      ws.engine().lsRemote({ url: `${ws.source.url}/octocat/hello.git` }),
    );
    expect(error.reason).toBe('git_auth');
  });

  it('a missing repository is git_not_found', async () => {
    const error = await failure(ws.engine().lsRemote(ws.sourceRemote('octocat/missing.git')));
    expect(error.reason).toBe('git_not_found');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('/octocat/missing.git');
  });

  it('connection refused is git_network and retryable', async () => {
    const port = await closedPort();
    const error = await failure(
      ws
        .engine()
        .lsRemote({ url: `http://127.0.0.1:${port}/a/b.git`, authorization: 'Bearer x1234' }),
    );
    expect(error.reason).toBe('git_network');
    expect(error.retryable).toBe(true);
  });

  it('a server that never answers hits the kill timeout; git and its helpers are reaped', async () => {
    const silent = await silentServer();
    try {
      const engine = ws.engine({ timeoutMs: 1500, killGraceMs: 500 });
      const started = Date.now();
      const error = await failure(
        engine.fetchToCache(ws.cacheDir, {
          url: `${silent.url}/a/b.git`,
          authorization: `Bearer ${SOURCE_TOKEN}`,
        }),
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(error.reason).toBe('git_timeout');
      expect(error.retryable).toBe(true);
      expectNoSecret(error, SOURCE_TOKEN);
      // A new cache is made by `git clone --bare`, an existing one updated by `git fetch`.
      const fetch = ws.spy.calls.find((c) => c.args.includes('clone') || c.args.includes('fetch'))!;
      expect(fetch.child.exitCode !== null || fetch.child.signalCode !== null).toBe(true);
      expect(await liveGroupMembers(fetch.child.pid!)).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('a stalled transfer is cut by the low-speed limit', async () => {
    const silent = await silentServer();
    try {
      const engine = ws.engine({ lowSpeedTimeSeconds: 1, timeoutMs: 30_000 });
      const error = await failure(engine.lsRemote({ url: `${silent.url}/a/b.git` }));
      expect(error.reason).toBe('git_timeout');
      expect(error.retryable).toBe(true);
      expect(error.stderrTail).toMatch(/too slow|timed out/i);
    } finally {
      await silent.close();
    }
  });

  it('an AbortSignal stops git the same way', async () => {
    const silent = await silentServer();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const error = await failure(
        ws
          .engine({ killGraceMs: 500 })
          .lsRemote({ url: `${silent.url}/a/b.git` }, controller.signal),
      );
      expect(error.reason).toBe('git_aborted');
      const call = ws.spy.calls.at(-1)!;
      expect(call.child.signalCode ?? call.child.exitCode).not.toBeNull();
      expect(await liveGroupMembers(call.child.pid!)).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('a pre-receive hook rejection is git_rejected and (atomic) changes no ref', async () => {
    const engine = ws.engine();
    const targetPath = await createBareRepo(ws.targetRoot, 'mirrors/hello.git');
    const target = ws.targetRemote('mirrors/hello.git');
    await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    await engine.pushFromCache(ws.cacheDir, target);
    const before = await readRefs(targetPath);

    const hook = join(targetPath, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "branch policy says no" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    await repo.commit('main');
    await repo.branch('feature', 'main');
    await repo.tag('v2', 'main');
    await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    const error = await failure(engine.pushFromCache(ws.cacheDir, target));
    expect(error.reason).toBe('git_rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/pre-receive hook declined/);
    expect(error.message).toMatch(/branch policy says no/);
    expect(await readRefs(targetPath)).toEqual(before);
  });

  it('a history that fails fsck is git_corrupt naming the check and the escape hatch', async () => {
    const bad = await RepoBuilder.create(ws.sourceRoot, 'octocat/bad.git');
    const tree = await bad.git(['mktree'], { input: '' });
    const body = `tree ${tree}\nauthor a <a@b> 1700000000 +01000\ncommitter a <a@b> 1700000000 +0000\n\nbad tz\n`;
    const sha = await bad.git(['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], {
      input: body,
    });
    await bad.git(['update-ref', 'refs/heads/main', sha]);
    const cache = join(ws.dir, 'cache', 'bad.git');
    const remote = ws.sourceRemote('octocat/bad.git');
    const error = await failure(ws.engine().fetchToCache(cache, remote));
    expect(error.reason).toBe('git_corrupt');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('badTimezone');
    expect(error.message).toContain('fetch.fsck.badTimezone=ignore');

    // The escape hatch the message names works: per-repository config in the cache.
    await git(['config', 'fetch.fsck.badTimezone', 'ignore'], { cwd: cache });
    const refs = await ws.engine().fetchToCache(cache, remote);
    expect(refs['refs/heads/main']).toBe(sha);
  });

  it('git missing from PATH is a clear, non-retryable error', async () => {
    const error = await failure(
      ws.engine({ path: join(ws.dir, 'no-bin'), spawn: undefined }).version(),
    );
    expect(error.reason).toBe('git_unknown');
    expect(error.message).toMatch(/not installed or not on PATH/);
  });
});

describe('git engine: refusing unsafe input', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await createWorkspace();
    await RepoBuilder.create(ws.sourceRoot, 'octocat/hello.git').then((r) => r.commit('main'));
  });
  afterEach(async () => ws.close());

  const marker = () => join(ws.dir, 'pwned');
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );

  it('refuses option-like, local, file:// and ext:: URLs without ever running git', async () => {
    const engine = ws.engine();
    const bad = [
      `--upload-pack=touch ${marker()}`,
      `-u touch ${marker()}`,
      `file://${ws.sourceRoot}/octocat/hello.git`,
      `${ws.sourceRoot}/octocat/hello.git`,
      `ext::sh -c touch% ${marker()}`,
      `ssh://-oProxyCommand=touch%20${marker()}/x`,
      'https://-oProxyCommand=x/a.git',
      'https://user:secret@example.com/a.git',
      'https://example.com/a b.git',
    ];
    for (const url of bad) {
      for (const attempt of [
        () => engine.lsRemote({ url }),
        () => engine.fetchToCache(ws.cacheDir, { url }),
        () => engine.pushFromCache(ws.cacheDir, { url }),
      ]) {
        const error = await failure(attempt());
        expect(error.retryable).toBe(false);
        expect(error.message).not.toContain('secret');
      }
    }
    expect(ws.spy.calls).toHaveLength(0);
    expect(await exists(marker())).toBe(false);
  });

  it('refuses http:// unless allowed', async () => {
    const engine = ws.engine({ allowHttp: false });
    const error = await failure(engine.lsRemote(ws.sourceRemote('octocat/hello.git')));
    expect(error.message).toMatch(/only https/);
    expect(ws.spy.calls).toHaveLength(0);
  });

  it('refuses option-like revisions and header-smuggling credentials', async () => {
    const engine = ws.engine();
    const refs = await engine.fetchToCache(ws.cacheDir, ws.sourceRemote('octocat/hello.git'));
    const main = refs['refs/heads/main']!;
    const calls = ws.spy.calls.length;
    await failure(engine.isAncestor(ws.cacheDir, `--output=${marker()}`, main));
    await failure(engine.isAncestor(ws.cacheDir, main, '-p'));
    await failure(
      engine.lsRemote({
        ...ws.sourceRemote('octocat/hello.git'),
        authorization: 'Bearer x\r\nX-Evil: 1',
      }),
    );
    expect(ws.spy.calls.length).toBe(calls);
    expect(await exists(marker())).toBe(false);
    expect(await engine.isAncestor(ws.cacheDir, main, main)).toBe(true);
    expect(await mirroredRefs(ws.cacheDir)).toEqual(refs);
  });
});

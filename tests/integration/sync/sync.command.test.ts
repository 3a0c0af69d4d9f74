import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MirrorRow } from '../../../src/db/schema/index.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { releaseMirror } from '../../../src/mirrors/mirror-lease.repo.js';
import { findMirror, insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
import { systemClock } from '../../../src/shared/clock.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { finishRun, listRuns, startRun } from '../../../src/sync/runs.repo.js';
import { type SyncCommandDeps, syncCommand } from '../../../src/sync/sync.command.js';
import type { SyncResult } from '../../../src/sync/sync-mirror.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const OLD = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEW = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const TAG = '3333333ccccccccccccccccccccccccccccccccc';

const synced: SyncResult = {
  result: 'synced',
  refs: [
    { ref: 'refs/heads/main', kind: 'updated', old: OLD, new: NEW },
    { ref: 'refs/tags/v1.0.0', kind: 'created', old: null, new: TAG },
  ],
  pushedRefs: { 'refs/heads/main': NEW, 'refs/tags/v1.0.0': TAG },
  defaultBranch: 'main',
  onedev: { name: 'hello', path: 'github/octocat/hello', projectId: 12 },
};

let github: GitHubDouble;
beforeAll(async () => {
  github = await startGitHubDouble();
  github.addRepo({ owner: 'octocat', name: 'Hello-World', id: 1296269, defaultBranch: 'master' });
});
afterAll(async () => github.close());

describe.each(DIALECTS)('starbridge sync on %s', (dialect) => {
  let handle: TestDb;
  let lines: string[];
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    lines = [];
  });
  afterEach(async () => handle.destroy());

  function deps(overrides: Partial<SyncCommandDeps> = {}): SyncCommandDeps {
    return {
      sync: { leaseMs: 60_000, maxAttempts: 3 },
      handle,
      mirrors: createMirrorService({ handle, clock: systemClock }),
      out: (line) => lines.push(line),
      github: createGitHubClient({ apiUrl: github.url }),
      execute: async () => synced,
      pollMs: 10,
      ...overrides,
    };
  }

  async function seed(patch: Partial<MirrorRow> = {}): Promise<number> {
    await insertMirrorIfAbsent(
      handle.db,
      {
        githubId: 42,
        owner: 'octocat',
        name: 'hello',
        source: 'star',
        starred: true,
        private: false,
        defaultBranch: 'main',
      },
      '2024-05-01T10:00:00.000Z',
    );
    if (Object.keys(patch).length > 0)
      await handle.db.updateTable('mirrors').set(patch).where('github_id', '=', 42).execute();
    return 42;
  }

  it.each([[[]], [['a/b', 'c/d']], [['--force']]])('answers bad usage %j with 64', async (args) => {
    expect(await syncCommand(args, deps())).toBe(64);
    expect(lines.join('\n')).toMatch(/usage: starbridge sync <owner\/name>/);
  });

  it('refuses an invalid name or a URL with 64, without calling GitHub', async () => {
    github.clearRequests();
    expect(await syncCommand(['../etc'], deps())).toBe(64);
    expect(await syncCommand(['https://github.com/octocat/Hello-World'], deps())).toBe(64);
    expect(lines.join('\n')).toMatch(/not a URL/);
    expect(github.requests).toEqual([]);
  });

  it('says to configure OneDev (exit 2) when there is nothing to sync into', async () => {
    expect(await syncCommand(['octocat/hello'], deps({ execute: undefined }))).toBe(2);
    expect(lines.join('\n')).toMatch(/ONEDEV_URL and ONEDEV_TOKEN/);
  });

  it('syncs a mirror in the foreground and prints each ref moved, old → new', async () => {
    await seed({ status: 'synced' });
    const execute = vi.fn(async (_mirror: MirrorRow, _signal: AbortSignal) => synced);
    expect(await syncCommand(['OctoCat/Hello'], deps({ execute }))).toBe(0);
    expect(execute).toHaveBeenCalledOnce();
    expect(execute.mock.calls[0]?.[0]).toMatchObject({ github_id: 42, status: 'syncing' });
    const output = lines.join('\n');
    expect(output).toMatch(/updated\s+refs\/heads\/main\s+1111111 → 2222222/);
    expect(output).toMatch(/created\s+refs\/tags\/v1\.0\.0\s+\(none\) → 3333333/);
    expect(output).toMatch(/octocat\/hello: synced in .* → OneDev github\/octocat\/hello/);

    const row = await findMirror(handle.db, 42);
    expect(row).toMatchObject({
      status: 'synced',
      attempts: 0,
      lease_owner: null,
      onedev_project_id: 12,
      last_error: null,
    });
    expect(JSON.parse(row?.pushed_refs ?? '{}')).toEqual(synced.pushedRefs);
    const [run] = await listRuns(handle.db, 42);
    expect(run).toMatchObject({ trigger: 'cli', result: 'synced', refs: synced.refs });
  });

  it('syncs a failed or paused mirror too: the operator asked for it', async () => {
    await seed({ status: 'failed', attempts: 3, last_error: 'old' });
    expect(await syncCommand(['octocat/hello'], deps())).toBe(0);
    expect(await findMirror(handle.db, 42)).toMatchObject({
      status: 'synced',
      attempts: 0,
      last_error: null,
    });
    await handle.db.updateTable('mirrors').set({ status: 'paused' }).execute();
    expect(await syncCommand(['octocat/hello'], deps())).toBe(0);
  });

  it('adds a repository that is not mirrored yet (looked up on GitHub, source manual), then syncs it', async () => {
    expect(await syncCommand(['octocat/hello-world'], deps())).toBe(0);
    expect(lines[0]).toBe('added octocat/Hello-World (GitHub id 1296269) as a manual mirror');
    expect(await findMirror(handle.db, 1296269)).toMatchObject({
      source: 'manual',
      status: 'synced',
      default_branch: 'main',
    });
  });

  it('exits 1 with GitHub’s answer for a repository GitHub does not have', async () => {
    expect(await syncCommand(['octocat/missing'], deps())).toBe(1);
    expect(lines.join('\n')).toMatch(/octocat\/missing not found on GitHub/);
  });

  it('exits 1 and prints the error when the sync fails; a hard failure leaves the mirror failed', async () => {
    await seed({ status: 'synced' });
    const execute = async () => {
      throw new UpstreamError(
        'onedev_auth',
        'OneDev rejected the access token; check ONEDEV_TOKEN',
        { retryable: false },
      );
    };
    expect(await syncCommand(['octocat/hello'], deps({ execute }))).toBe(1);
    expect(lines.join('\n')).toMatch(
      /sync failed \(onedev_auth\): OneDev rejected the access token/,
    );
    expect(await findMirror(handle.db, 42)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error_code: 'onedev_auth',
      lease_owner: null,
    });
    expect((await listRuns(handle.db, 42))[0]).toMatchObject({
      result: 'failed',
      errorCode: 'onedev_auth',
    });
  });

  it('a soft failure leaves the mirror retrying with a next attempt', async () => {
    await seed({ status: 'synced' });
    const execute = async () => {
      throw new UpstreamError('git_network', 'connection reset', { retryable: true });
    };
    expect(await syncCommand(['octocat/hello'], deps({ execute }))).toBe(1);
    const row = await findMirror(handle.db, 42);
    expect(row).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(row?.next_attempt_at).not.toBeNull();
    expect(lines.join('\n')).toMatch(/will be retried at/);
  });

  it('waits while a running service syncs the mirror, then reports that run without syncing itself', async () => {
    await seed({
      status: 'syncing',
      lease_owner: 'service-1',
      lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    await startRun(handle.db, {
      id: 'svc-run',
      githubId: 42,
      trigger: 'request',
      attempt: 1,
      worker: 'service-1',
      startedAt: new Date().toISOString(),
    });
    const execute = vi.fn(async () => synced);
    const command = syncCommand(['octocat/hello'], deps({ execute }));

    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/being synced by service-1; waiting/));
    const now = new Date().toISOString();
    await finishRun(handle.db, 'svc-run', { result: 'synced', finishedAt: now, refs: synced.refs });
    await releaseMirror(
      handle.db,
      42,
      'service-1',
      { status: 'synced', attempts: 0, nextAttemptAt: null, lastError: null, lastErrorCode: null },
      now,
    );

    expect(await command).toBe(0);
    expect(execute).not.toHaveBeenCalled();
    expect(lines.join('\n')).toMatch(/updated\s+refs\/heads\/main\s+1111111 → 2222222/);
    expect(lines.join('\n')).toMatch(/octocat\/hello: synced .*run svc-run by request/);
  });

  it('reports a failed run of the other worker with exit 1', async () => {
    await seed({
      status: 'syncing',
      lease_owner: 'service-1',
      lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    await startRun(handle.db, {
      id: 'svc-run',
      githubId: 42,
      trigger: 'request',
      attempt: 1,
      worker: 'service-1',
      startedAt: new Date().toISOString(),
    });
    const command = syncCommand(['octocat/hello'], deps());
    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/waiting/));
    const now = new Date().toISOString();
    await finishRun(handle.db, 'svc-run', {
      result: 'failed',
      finishedAt: now,
      error: 'push rejected',
      errorCode: 'git_rejected',
    });
    await releaseMirror(
      handle.db,
      42,
      'service-1',
      {
        status: 'failed',
        attempts: 1,
        nextAttemptAt: null,
        lastError: 'push rejected',
        lastErrorCode: 'git_rejected',
      },
      now,
    );
    expect(await command).toBe(1);
    expect(lines.join('\n')).toMatch(/sync failed \(git_rejected\): push rejected/);
  });

  it('takes over a mirror whose lease expired (its worker died) and closes the stale run', async () => {
    await seed({
      status: 'syncing',
      lease_owner: 'dead-worker',
      lease_expires_at: '2024-01-01T00:00:00.000Z',
    });
    await startRun(handle.db, {
      id: 'stale',
      githubId: 42,
      trigger: 'request',
      attempt: 1,
      worker: 'dead-worker',
      startedAt: '2024-01-01T00:00:00.000Z',
    });
    expect(await syncCommand(['octocat/hello'], deps())).toBe(0);
    const runs = await listRuns(handle.db, 42);
    expect(runs.find((r) => r.id === 'stale')).toMatchObject({ result: 'aborted' });
    expect(runs.find((r) => r.trigger === 'cli')).toMatchObject({ result: 'synced' });
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../../src/mirrors/mirror.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { findMirror } from '../../../src/mirrors/mirrors.repo.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { adminApp, auth, expectError, json, seedMirror } from './admin-kit.js';

const post = { method: 'POST', headers: auth };

let github: GitHubDouble;
beforeAll(async () => {
  github = await startGitHubDouble({ tokens: { 'gh-token': 'operator' } });
  github.addRepo({ owner: 'octocat', name: 'Hello-World', id: 1296269, defaultBranch: 'master' });
});
afterAll(async () => github.close());

describe.each(DIALECTS)('admin API: pause, resume and options on %s', (dialect) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
  });
  afterEach(async () => handle.destroy());
  const app = () => adminApp(handle).app;

  it('pauses a mirror with who and when; a forced sync is then refused; resume makes it due', async () => {
    const id = await seedMirror(handle, 'octocat/hello', { status: 'synced' });
    const paused = await app().request('/api/v1/mirrors/octocat/hello/pause', post);
    expect(paused.status).toBe(200);
    const mirror = (await paused.json()) as Mirror;
    expect(mirror).toMatchObject({ status: 'paused', pausedBy: 'admin API' });
    expect(Date.parse(mirror.pausedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    const sync = await app().request('/api/v1/mirrors/octocat/hello/sync', post);
    expect(await sync.json()).toEqual({ outcome: 'ignored_paused' });
    expect(await findMirror(handle.db, id)).toMatchObject({ status: 'paused' });

    const again = await app().request('/api/v1/mirrors/octocat/hello/pause', post);
    expect(((await again.json()) as Mirror).pausedAt).toBe(mirror.pausedAt);

    const resumed = await app().request('/api/v1/mirrors/octocat/hello/resume', post);
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ status: 'queued', pausedBy: null });
    expect((await findMirror(handle.db, id))?.next_attempt_at).not.toBeNull();
  });

  it('refuses to resume a mirror no operator paused: 409 saying why', async () => {
    await seedMirror(handle, 'octocat/unstarred', { status: 'paused', paused_reason: 'unstarred' });
    const response = await app().request('/api/v1/mirrors/octocat/unstarred/resume', post);
    await expectError(response, 409, 'Conflict', /not paused by an operator/);
  });

  it('sets, shows and clears the refresh interval, recording who and when', async () => {
    const id = await seedMirror(handle, 'octocat/opts', { status: 'synced' });
    const url = '/api/v1/mirrors/octocat/opts/options';
    expect(await (await app().request(url, { headers: auth })).json()).toEqual({});
    const set = await app().request(url, json({ refreshIntervalMs: 300_000 }));
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({
      refreshIntervalMs: { value: 300_000, updatedBy: 'admin API' },
    });
    const changes = await createMirrorService({
      handle,
      clock: { now: () => new Date() },
    }).changesOf(id);
    expect(changes[0]).toMatchObject({
      change: 'option',
      detail: 'refreshIntervalMs = 300000',
      actor: 'admin API',
    });
    const cleared = await app().request(url, json({ refreshIntervalMs: null }));
    expect(await cleared.json()).toEqual({});
  });

  it('refuses an interval out of range and an unknown option, changing nothing', async () => {
    await seedMirror(handle, 'octocat/bad', { status: 'synced' });
    const url = '/api/v1/mirrors/octocat/bad/options';
    await expectError(
      await app().request(url, json({ refreshIntervalMs: 5 })),
      400,
      'ValidationError',
      /1 to 10080/,
    );
    await expectError(
      await app().request(url, json({ mirrorIssues: true })),
      400,
      'ValidationError',
      /mirrorIssues/,
    );
    // A bad value among good ones: nothing is written.
    await expectError(
      await app().request(url, json({ wiki: false, lfs: 'maybe' })),
      400,
      'ValidationError',
      /lfs/,
    );
    expect(await (await app().request(url, { headers: auth })).json()).toEqual({});
  });

  it('sorts the list by any column, both ways, ties by name', async () => {
    await seedMirror(handle, 'b/one', { status: 'synced', last_synced_at: '2024-05-01T10:00:00Z' });
    await seedMirror(handle, 'a/two', { status: 'failed', last_synced_at: '2024-05-03T10:00:00Z' });
    await seedMirror(handle, 'c/three', {
      status: 'failed',
      last_synced_at: '2024-05-02T10:00:00Z',
    });
    const names = async (query: string) => {
      const response = await app().request(`/api/v1/mirrors?${query}`, { headers: auth });
      return ((await response.json()) as { mirrors: Mirror[] }).mirrors.map((m) => m.fullName);
    };
    expect(await names('sort=last_sync&direction=desc')).toEqual(['a/two', 'c/three', 'b/one']);
    expect(await names('sort=status')).toEqual(['a/two', 'c/three', 'b/one']);
    expect(await names('sort=status&direction=desc')).toEqual(['b/one', 'c/three', 'a/two']);
    await expectError(
      await app().request('/api/v1/mirrors?sort=color', { headers: auth }),
      400,
      'ValidationError',
      /sort/,
    );
  });

  it("takes a repository's page on the configured GitHub as owner/name, and no other URL", async () => {
    const withBase = adminApp(handle, {
      githubUrl: github.url,
      githubToken: 'gh-token',
      githubWebUrl: github.url,
    }).app;
    const added = await withBase.request(
      '/api/v1/mirrors',
      json({ repo: `${github.url}/octocat/Hello-World` }),
    );
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ githubId: 1296269, source: 'manual' });
    for (const repo of [
      `http://evil.example/octocat/Hello-World`,
      `${github.url.replace('http://', 'http://user:pw@')}/octocat/Hello-World`,
    ]) {
      await expectError(
        await withBase.request('/api/v1/mirrors', json({ repo })),
        400,
        'ValidationError',
        /not a URL/,
      );
    }
  });

  it("the refresh reads a mirror's own interval", async () => {
    const id = await seedMirror(handle, 'octocat/refresh', {
      status: 'synced',
      pushed_refs: '{}',
    });
    const service = createMirrorService({ handle, clock: { now: () => new Date() } });
    await service.setOptions(id, { refreshIntervalMs: '15' }, 'dashboard');
    const [candidate] = await service.refreshCandidates(new Date().toISOString(), 10);
    expect(candidate).toMatchObject({ github_id: id, refreshIntervalMs: 15 * 60_000 });
  });
});

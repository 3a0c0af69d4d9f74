import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../../src/mirrors/mirror.js';
import { findMirror } from '../../../src/mirrors/mirrors.repo.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { adminApp, auth, expectError, json, seedMirror } from './admin-kit.js';

type MirrorList = { mirrors: Mirror[]; total: number; limit: number; offset: number };

let github: GitHubDouble;
beforeAll(async () => {
  github = await startGitHubDouble({ tokens: { 'gh-token': 'operator' } });
  github.addRepo({ owner: 'octocat', name: 'Hello-World', id: 1296269, defaultBranch: 'master' });
  github.addRepo({
    owner: 'acme',
    name: 'secret-sauce',
    id: 4242,
    private: true,
    defaultBranch: 'trunk',
  });
});
afterAll(async () => github.close());

describe.each(DIALECTS)('admin API: mirrors on %s', (dialect) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
  });
  afterEach(async () => handle.destroy());

  const appFor = (options: Parameters<typeof adminApp>[1] = {}) =>
    adminApp(handle, { githubUrl: github.url, githubToken: 'gh-token', ...options }).app;

  describe('GET /api/v1/mirrors', () => {
    beforeEach(async () => {
      await seedMirror(handle, 'octocat/alpha', { status: 'synced' });
      await seedMirror(handle, 'octocat/beta', {
        status: 'failed',
        attempts: 10,
        last_error: 'boom',
      });
      await seedMirror(handle, 'Acme/Alpha_2', { status: 'failed' });
      await seedMirror(handle, 'acme/alphabet', { status: 'queued' });
      await seedMirror(handle, 'zeta/omega', { status: 'paused' });
    });

    it('lists every mirror by name with the mirror fields, total, limit and offset', async () => {
      const response = await appFor().request('/api/v1/mirrors', { headers: auth });
      expect(response.status).toBe(200);
      const body = (await response.json()) as MirrorList;
      expect(body.total).toBe(5);
      expect(body.limit).toBe(50);
      expect(body.offset).toBe(0);
      expect(body.mirrors.map((m) => m.fullName)).toEqual([
        'Acme/Alpha_2',
        'acme/alphabet',
        'octocat/alpha',
        'octocat/beta',
        'zeta/omega',
      ]);
      const beta = body.mirrors.find((m) => m.fullName === 'octocat/beta');
      expect(beta).toMatchObject({
        status: 'failed',
        source: 'star',
        starred: true,
        attempts: 10,
        lastError: 'boom',
      });
      for (const field of [
        'githubId',
        'onedevPath',
        'onedevProjectId',
        'defaultBranch',
        'lastSyncedAt',
        'nextAttemptAt',
      ]) {
        expect(beta).toHaveProperty(field);
      }
    });

    it('filters by status and searches the full name case-insensitively', async () => {
      const failed = (await (
        await appFor().request('/api/v1/mirrors?status=failed', { headers: auth })
      ).json()) as MirrorList;
      expect(failed.mirrors.map((m) => m.fullName)).toEqual(['Acme/Alpha_2', 'octocat/beta']);
      expect(failed.total).toBe(2);

      const alpha = (await (
        await appFor().request('/api/v1/mirrors?q=ALPHA', { headers: auth })
      ).json()) as MirrorList;
      expect(alpha.mirrors.map((m) => m.fullName)).toEqual([
        'Acme/Alpha_2',
        'acme/alphabet',
        'octocat/alpha',
      ]);

      // `_` is a literal underscore, not LIKE's any-character wildcard; `%` likewise.
      const underscore = (await (
        await appFor().request('/api/v1/mirrors?q=alpha_', { headers: auth })
      ).json()) as MirrorList;
      expect(underscore.mirrors.map((m) => m.fullName)).toEqual(['Acme/Alpha_2']);
      const percent = (await (
        await appFor().request('/api/v1/mirrors?q=%25', { headers: auth })
      ).json()) as MirrorList;
      expect(percent.total).toBe(0);

      const both = (await (
        await appFor().request('/api/v1/mirrors?q=ACME/&status=queued', { headers: auth })
      ).json()) as MirrorList;
      expect(both.mirrors.map((m) => m.fullName)).toEqual(['acme/alphabet']);
    });

    it('paginates with limit and offset, and total counts every match', async () => {
      const page = (await (
        await appFor().request('/api/v1/mirrors?limit=2&offset=2', { headers: auth })
      ).json()) as MirrorList;
      expect(page.mirrors.map((m) => m.fullName)).toEqual(['octocat/alpha', 'octocat/beta']);
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 });
      const past = (await (
        await appFor().request('/api/v1/mirrors?offset=10', { headers: auth })
      ).json()) as MirrorList;
      expect(past).toMatchObject({ mirrors: [], total: 5 });
    });

    it.each([
      ['limit=0', /limit: must be at least 1/],
      ['limit=201', /limit: must be at most 200/],
      ['limit=ten', /limit: must be a whole number/],
      ['offset=-1', /offset: must not be negative/],
      ['status=broken', /status:/],
    ])('refuses ?%s with 400 ValidationError', async (query, message) => {
      const response = await appFor().request(`/api/v1/mirrors?${query}`, { headers: auth });
      await expectError(response, 400, 'ValidationError', message);
    });
  });

  describe('POST /api/v1/mirrors', () => {
    it('looks the repository up on GitHub and creates a manual mirror: 201', async () => {
      const response = await appFor().request(
        '/api/v1/mirrors',
        json({ repo: 'OCTOCAT/hello-world' }),
      );
      expect(response.status).toBe(201);
      const mirror = (await response.json()) as Mirror;
      expect(mirror).toMatchObject({
        githubId: 1296269,
        fullName: 'octocat/Hello-World',
        status: 'queued',
        source: 'manual',
        starred: false,
        private: false,
        defaultBranch: 'master',
        attempts: 0,
      });
      expect(
        github.requests.some((r) => r.path === '/repos/OCTOCAT/hello-world' && r.authenticated),
      ).toBe(true);
    });

    it('answers 200 with the mirror when it exists already', async () => {
      await seedMirror(handle, 'octocat/Hello-World', { status: 'synced' }, 1296269);
      const response = await appFor().request(
        '/api/v1/mirrors',
        json({ repo: 'octocat/hello-world' }),
      );
      expect(response.status).toBe(200);
      const mirror = (await response.json()) as Mirror;
      expect(mirror).toMatchObject({ githubId: 1296269, source: 'star' });
    });

    it('sees a private repository through GITHUB_TOKEN, and 404s it without a token', async () => {
      const created = await appFor().request(
        '/api/v1/mirrors',
        json({ repo: 'acme/secret-sauce' }),
      );
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({
        githubId: 4242,
        private: true,
        defaultBranch: 'trunk',
      });

      await handle.db.deleteFrom('mirrors').execute();
      const anonymous = adminApp(handle, { githubUrl: github.url }).app;
      const response = await anonymous.request(
        '/api/v1/mirrors',
        json({ repo: 'acme/secret-sauce' }),
      );
      await expectError(
        response,
        404,
        'NotFound',
        /acme\/secret-sauce not found on GitHub, or private and GITHUB_TOKEN cannot see it/,
      );
    });

    it('answers 404 for a repository GitHub does not have, and stores nothing', async () => {
      const response = await appFor().request(
        '/api/v1/mirrors',
        json({ repo: 'octocat/no-such-repo' }),
      );
      await expectError(response, 404, 'NotFound', /octocat\/no-such-repo not found on GitHub/);
      expect(await handle.db.selectFrom('mirrors').selectAll().execute()).toEqual([]);
    });

    it.each([
      'https://github.com/octocat/Hello-World',
      'https://github.com/octocat/Hello-World.git',
      'http://169.254.169.254/latest/meta-data',
      'file:///etc/passwd',
      'ext::sh -c touch% /tmp/pwn',
      'git@github.com:octocat/Hello-World.git',
      'github.com/octocat/Hello-World',
    ])(
      'refuses the URL %j with 400 and says to give owner/name, without calling GitHub',
      async (repo) => {
        github.clearRequests();
        const response = await appFor().request('/api/v1/mirrors', json({ repo }));
        await expectError(response, 400, 'ValidationError', /owner\/name .*not a URL/);
        expect(github.requests).toEqual([]);
      },
    );

    it.each([
      ['../../etc', /not owner\/name/],
      ['a/b/c', /not owner\/name/],
      ['octocat', /not owner\/name/],
      ['-u/x', /not a valid GitHub owner/],
      ['octocat/..', /not a valid GitHub repository name/],
    ])('refuses the invalid name %j with 400', async (repo, message) => {
      const response = await appFor().request('/api/v1/mirrors', json({ repo }));
      await expectError(response, 400, 'ValidationError', message);
    });

    it.each([
      ['no body', undefined, 'ValidationError', /JSON request body is required/],
      ['invalid JSON', '{"repo": ', 'InvalidJson', /not valid JSON/],
      ['a missing repo', '{}', 'ValidationError', /repo: is required/],
      ['a number', '{"repo": 5}', 'ValidationError', /repo:/],
      [
        'an unknown field',
        '{"repo": "octocat/Hello-World", "url": "https://x"}',
        'ValidationError',
        /Unrecognized key/,
      ],
    ])('refuses %s with 400', async (_what, body, code, message) => {
      const response = await appFor().request('/api/v1/mirrors', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      await expectError(response, 400, code, message);
    });

    it('refuses a body above the limit with 413', async () => {
      const response = await appFor().request(
        '/api/v1/mirrors',
        json({ repo: 'x'.repeat(20_000) }),
      );
      await expectError(response, 413, 'PayloadTooLarge');
    });

    it('answers 502 with a clear message when GitHub rejects GITHUB_TOKEN', async () => {
      const response = await adminApp(handle, {
        githubUrl: github.url,
        githubToken: 'revoked',
      }).app.request('/api/v1/mirrors', json({ repo: 'octocat/Hello-World' }));
      const message = await expectError(
        response,
        502,
        'Unavailable',
        /GitHub rejected GITHUB_TOKEN/,
      );
      expect(message).not.toContain('revoked');
    });
  });

  describe('GET /api/v1/mirrors/{owner}/{name}', () => {
    it('finds a mirror case-insensitively', async () => {
      const id = await seedMirror(handle, 'OctoCat/Spoon-Knife', {
        status: 'synced',
        onedev_path: 'github/OctoCat/Spoon-Knife',
        onedev_project_id: 7,
      });
      const response = await appFor().request('/api/v1/mirrors/octocat/spoon-knife', {
        headers: auth,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        githubId: id,
        fullName: 'OctoCat/Spoon-Knife',
        onedevPath: 'github/OctoCat/Spoon-Knife',
        onedevProjectId: 7,
      });
    });

    it('answers 404 "no mirror of owner/name", and 400 for a name that cannot exist', async () => {
      await expectError(
        await appFor().request('/api/v1/mirrors/octocat/none', { headers: auth }),
        404,
        'NotFound',
        /^no mirror of octocat\/none$/,
      );
      await expectError(
        await appFor().request('/api/v1/mirrors/-x/y', { headers: auth }),
        400,
        'ValidationError',
      );
    });
  });

  describe('POST …/sync, …/retry, /retry-failed', () => {
    it('syncs a failed mirror when asked (forced): 202 queued, due now', async () => {
      const id = await seedMirror(handle, 'octocat/broken', {
        status: 'failed',
        attempts: 3,
        next_attempt_at: null,
      });
      const response = await appFor().request('/api/v1/mirrors/octocat/broken/sync', {
        method: 'POST',
        headers: auth,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ outcome: 'queued' });
      const row = await findMirror(handle.db, id);
      expect(row).toMatchObject({ status: 'queued', attempts: 3 });
      expect(row?.next_attempt_at).not.toBeNull();
    });

    it('syncs a paused mirror too, and coalesces into a sync already due', async () => {
      await seedMirror(handle, 'octocat/paused', { status: 'paused' });
      const first = await appFor().request('/api/v1/mirrors/octocat/paused/sync', {
        method: 'POST',
        headers: auth,
      });
      expect(await first.json()).toEqual({ outcome: 'queued' });
      const second = await appFor().request('/api/v1/mirrors/octocat/paused/sync', {
        method: 'POST',
        headers: auth,
      });
      expect(second.status).toBe(202);
      expect(await second.json()).toEqual({ outcome: 'coalesced' });
    });

    it('answers 404 when syncing a repository that is not mirrored', async () => {
      const response = await appFor().request('/api/v1/mirrors/octocat/none/sync', {
        method: 'POST',
        headers: auth,
      });
      await expectError(response, 404, 'NotFound', /no mirror of octocat\/none/);
    });

    it('retry resets attempts and the last error of a failed mirror and queues it', async () => {
      const id = await seedMirror(handle, 'octocat/broken', {
        status: 'failed',
        attempts: 10,
        last_error: 'gave up',
        last_error_code: 'git_network',
        next_attempt_at: null,
      });
      const response = await appFor().request('/api/v1/mirrors/octocat/broken/retry', {
        method: 'POST',
        headers: auth,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ outcome: 'queued' });
      expect(await findMirror(handle.db, id)).toMatchObject({
        status: 'queued',
        attempts: 0,
        last_error: null,
        last_error_code: null,
      });
    });

    it('retry of a mirror that is neither failed nor retrying is a 409 Conflict', async () => {
      await seedMirror(handle, 'octocat/fine', { status: 'synced' });
      const response = await appFor().request('/api/v1/mirrors/octocat/fine/retry', {
        method: 'POST',
        headers: auth,
      });
      await expectError(response, 409, 'Conflict', /octocat\/fine is synced/);
    });

    it('retry-failed retries every failed mirror and says how many', async () => {
      const failed = [
        await seedMirror(handle, 'a/one', { status: 'failed', attempts: 10 }),
        await seedMirror(handle, 'a/two', { status: 'failed', attempts: 1 }),
        await seedMirror(handle, 'a/three', { status: 'failed', attempts: 4 }),
      ];
      const synced = await seedMirror(handle, 'a/fine', { status: 'synced' });
      const retrying = await seedMirror(handle, 'a/later', { status: 'retrying', attempts: 2 });
      const response = await appFor().request('/api/v1/mirrors/retry-failed', {
        method: 'POST',
        headers: auth,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ retried: 3 });
      for (const id of failed)
        expect(await findMirror(handle.db, id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect(await findMirror(handle.db, synced)).toMatchObject({ status: 'synced' });
      expect(await findMirror(handle.db, retrying)).toMatchObject({
        status: 'retrying',
        attempts: 2,
      });

      const again = await appFor().request('/api/v1/mirrors/retry-failed', {
        method: 'POST',
        headers: auth,
      });
      expect(await again.json()).toEqual({ retried: 0 });
    });
  });
});

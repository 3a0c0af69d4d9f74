import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { generateLargeRepo, RepoBuilder } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

/** Runs git synchronously in `cwd` (for changing a repository from inside a fault). */
function git(args: string[], cwd: string): void {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}

describe.each(DIALECTS)('mirror pipeline on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function start(
    options: Omit<Parameters<typeof startPipeline>[0], 'dialect'> = {},
  ): Promise<Pipeline> {
    pipeline = await startPipeline({ dialect, ...options });
    return pipeline;
  }

  /** A GitHub repository with history, branches, tags and GitHub's hidden pull refs. */
  async function sourceRepo(p: Pipeline, owner: string, name: string, defaultBranch = 'main') {
    const record = p.github.addRepo({ owner, name, defaultBranch });
    const repo = new RepoBuilder(p.github.repoPath(owner, name));
    const first = await repo.commit(defaultBranch, { files: { 'README.md': `# ${name}\n` } });
    await repo.commit(defaultBranch, { files: { 'src/app.txt': 'v1\n' } });
    await repo.branch('feature/x', defaultBranch);
    await repo.commit('feature/x', { files: { 'x.txt': 'x\n' } });
    await repo.branch('release', defaultBranch);
    await repo.tag('v1.0.0', defaultBranch, { annotated: true });
    await repo.tag('light', first);
    await repo.pullRef(1, await repo.resolve('refs/heads/feature/x'));
    return { record, repo };
  }

  const watch = (record: { id: number }, owner: string, name: string, defaultBranch = 'main') =>
    withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner,
      name,
      defaultBranch,
    });

  async function mirrorRow(p: Pipeline, githubId: number) {
    return p.handle.db
      .selectFrom('mirrors')
      .selectAll()
      .where('github_id', '=', githubId)
      .executeTakeFirstOrThrow();
  }

  it('mirrors a watched repository exactly, with its non-main default branch, and records the run', async () => {
    const p = await start();
    // OneDev's post-receive points HEAD at `main` when the push has it, else at the last branch
    // pushed (docs/reference/onedev.md#default-branch-after-first-push): with `main` and `zzz`
    // present, neither rule picks `develop`, so only Starbridge setting the default branch makes it
    // so.
    const { record, repo } = await sourceRepo(p, 'octocat', 'hello', 'develop');
    await repo.branch('main', 'develop');
    await repo.commit('zzz', { files: { 'z.txt': 'z\n' } });
    const synced = p.nextSync(record.id);
    const res = await p.deliver('watch', watch(record, 'octocat', 'hello', 'develop'));
    expect(res.status).toBe(202);
    expect(await synced).toEqual({ result: 'synced', error: undefined });

    const path = 'github/octocat/hello';
    const onedevRefs = await p.onedev.refs(path);
    expect(onedevRefs).toEqual(headsAndTags(await repo.refs()));
    expect(Object.keys(onedevRefs).some((ref) => ref.startsWith('refs/pull/'))).toBe(false);
    expect(await p.onedev.defaultBranch(path)).toBe('develop');
    expect(p.onedev.createdNames).toEqual(['github', 'octocat', 'hello']);

    const row = await mirrorRow(p, record.id);
    expect(row).toMatchObject({
      status: 'synced',
      onedev_path: path,
      default_branch: 'develop',
      attempts: 0,
      last_error: null,
    });
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run?.result).toBe('synced');
    // Each step was recorded on the run as it started; a finished run keeps the last.
    expect(run?.phase).toBe('verifying');
    expect(run?.refs.map((r) => `${r.kind} ${r.ref}`).sort()).toEqual(
      Object.keys(onedevRefs)
        .map((ref) => `created ${ref}`)
        .sort(),
    );
  });

  it('follows new commits, force pushes, deleted branches and new and deleted tags, with old → new in the ledger', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'moving');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'moving'));
    expect((await first).result).toBe('synced');
    const before = await p.onedev.refs('github/octocat/moving');

    const oldMain = await repo.resolve('refs/heads/main');
    const newMain = await repo.commit('main', { files: { 'src/app.txt': 'v2\n' } });
    const forced = await repo.forcePush('feature/x');
    await repo.deleteBranch('release');
    await repo.tag('v2.0.0', 'main');
    await repo.deleteTag('light');

    const second = p.nextSync(record.id);
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'moving',
    });
    expect((await p.deliver('push', push)).status).toBe(202);
    expect((await second).result).toBe('synced');

    expect(headsAndTags(await p.onedev.refs('github/octocat/moving'))).toEqual(
      headsAndTags(await repo.refs()),
    );
    const [run] = await listRuns(p.handle.db, record.id);
    const byRef = Object.fromEntries((run?.refs ?? []).map((r) => [r.ref, r]));
    expect(byRef['refs/heads/main']).toEqual({
      ref: 'refs/heads/main',
      kind: 'updated',
      old: oldMain,
      new: newMain,
    });
    expect(byRef['refs/heads/feature/x']).toEqual({
      ref: 'refs/heads/feature/x',
      kind: 'forced',
      old: forced.old,
      new: forced.new,
    });
    expect(byRef['refs/heads/release']).toMatchObject({
      kind: 'deleted',
      old: before['refs/heads/release'],
      new: null,
    });
    expect(byRef['refs/tags/v2.0.0']).toMatchObject({ kind: 'created', old: null });
    expect(byRef['refs/tags/light']).toMatchObject({ kind: 'deleted', new: null });
  });

  it('fails the run with verify_mismatch listing the refs when OneDev differs after the push, then retries', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'raced');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'raced'));
    expect((await first).result).toBe('synced');
    await repo.commit('main', { files: { 'next.txt': 'next\n' } });

    // Another writer (a OneDev user, a build job tagging) changes the mirror between
    // Starbridge's push and its verification: the listing after the receive-pack sees it.
    const onedevRepo = p.onedev.repoPath('github/octocat/raced');
    const firstCommit = (await repo.git(['rev-list', '--max-parents=0', 'main'])).trim();
    let pushed = false;
    p.onedev.faults.latency(1, {
      scope: 'git',
      times: 1,
      match: ({ method, path }) => {
        if (method === 'POST' && path.endsWith('/git-receive-pack')) pushed = true;
        if (!pushed || method !== 'GET' || !path.endsWith('/info/refs')) return false;
        git(['update-ref', 'refs/heads/sneaky', firstCommit], onedevRepo);
        git(['update-ref', 'refs/heads/release', firstCommit], onedevRepo);
        return true;
      },
    });
    const results: Array<{ result: string; error?: string; errorCode?: string | null }> = [];
    const settled = new Promise<void>((resolve) => {
      p.worker.events.on('sync:finished', (event) => {
        results.push(event);
        if (event.result === 'synced' || event.result === 'failed') resolve();
      });
    });
    await p.mirrors.syncById(record.id);
    await settled;

    expect(results[0]).toMatchObject({ result: 'retrying', errorCode: 'verify_mismatch' });
    expect(results[0]?.error).toMatch(/refs\/heads\/sneaky: OneDev has it, GitHub does not/);
    expect(results[0]?.error).toMatch(/refs\/heads\/release: expected [0-9a-f]{12}, OneDev has/);
    expect(results.at(-1)?.result).toBe('synced');
    const runs = await listRuns(p.handle.db, record.id);
    expect(runs.map((r) => r.result)).toEqual(['synced', 'retrying', 'synced']);
    expect(runs[1]?.errorCode).toBe('verify_mismatch');
    expect(headsAndTags(await p.onedev.refs('github/octocat/raced'))).toEqual(
      headsAndTags(await repo.refs()),
    );
  });

  it('skips an unchanged repository after ls-remote: no fetch, no push, only a ls-remote of OneDev', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'still');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'still'));
    expect((await first).result).toBe('synced');
    const before = await p.onedev.refs('github/octocat/still');

    p.github.clearRequests();
    p.onedev.resetRecords();
    const second = p.nextSync(record.id);
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'still',
    });
    expect((await p.deliver('push', push)).status).toBe(202);
    expect((await second).result).toBe('unchanged');

    // OneDev is only listed (for drift), with no REST call; the guard was checked by the
    // first sync and is not read again within the hour.
    expect(p.onedev.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /github/octocat/still.git/info/refs',
      'POST /github/octocat/still.git/git-upload-pack',
    ]);
    // ls-remote over protocol v2 is the advertisement and one ls-refs; a fetch would
    // post again for the pack.
    expect(p.github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /octocat/still.git/info/refs?service=git-upload-pack',
      'POST /octocat/still.git/git-upload-pack',
    ]);
    expect(await p.onedev.refs('github/octocat/still')).toEqual(before);
    expect(before).toEqual(headsAndTags(await repo.refs()));
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run).toMatchObject({ result: 'unchanged', refs: [], phase: 'comparing' });
  });

  it('keeps alice/dotfiles and bob/dotfiles apart and maps octocat/.github to a valid name', async () => {
    const p = await start();
    for (const [owner, name] of [
      ['alice', 'dotfiles'],
      ['bob', 'dotfiles'],
      ['octocat', '.github'],
    ] as const) {
      const { record } = await sourceRepo(p, owner, name);
      const done = p.nextSync(record.id);
      await p.deliver('watch', watch(record, owner, name));
      expect((await done).result).toBe('synced');
    }
    expect(p.onedev.projectByPath('github/alice/dotfiles')).toBeDefined();
    expect(p.onedev.projectByPath('github/bob/dotfiles')).toBeDefined();
    expect(p.onedev.projectByPath('github/octocat/_.github')).toBeDefined();
    expect(p.onedev.createdNames).not.toContain('.github');
    const shown = await p.admin('GET', '/api/v1/mirrors/octocat/.github');
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      fullName: 'octocat/.github',
      onedevName: '_.github',
      onedevPath: 'github/octocat/_.github',
      status: 'synced',
    });
    const listed = await p.admin('GET', '/api/v1/mirrors?q=.github');
    const { mirrors } = (await listed.json()) as {
      mirrors: Array<{ fullName: string; onedevName: string | null; onedevPath: string }>;
    };
    expect(mirrors).toEqual([
      expect.objectContaining({
        fullName: 'octocat/.github',
        onedevName: '_.github',
        onedevPath: 'github/octocat/_.github',
      }),
    ]);
    const all = await (await p.admin('GET', '/api/v1/mirrors')).json();
    expect(
      (all as { mirrors: Array<{ onedevPath: string }> }).mirrors.map((m) => m.onedevPath).sort(),
    ).toEqual(['github/alice/dotfiles', 'github/bob/dotfiles', 'github/octocat/_.github']);
  });

  it('syncs once for twenty identical deliveries at once and ten redeliveries after', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'popular');
    const payload = watch(record, 'octocat', 'popular');
    const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const synced = p.nextSync(record.id);
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => p.deliver('watch', payload, deliveryId)),
    );
    expect(burst.filter((r) => r.status === 202)).toHaveLength(1);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(19);
    expect((await synced).result).toBe('synced');
    for (let i = 0; i < 10; i++) {
      expect((await p.deliver('watch', payload, deliveryId)).status).toBe(200);
    }
    // Long enough for a wrongly queued sync to be claimed (the workers poll every 50 ms).
    await new Promise((r) => setTimeout(r, 500));

    expect(await p.handle.db.selectFrom('webhook_deliveries').selectAll().execute()).toHaveLength(
      1,
    );
    expect(await listRuns(p.handle.db, record.id)).toEqual([
      expect.objectContaining({ result: 'synced' }),
    ]);
    const pushes = p.onedev.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack'),
    );
    expect(pushes).toHaveLength(1);
    expect(p.onedev.createdNames.filter((n) => n === 'popular')).toHaveLength(1);
    expect(await p.onedev.refs('github/octocat/popular')).toEqual(headsAndTags(await repo.refs()));
  });

  it('records an empty repository without pushing anything', async () => {
    const p = await start();
    const record = p.github.addRepo({ owner: 'octocat', name: 'empty' });
    const done = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'empty'));
    expect((await done).result).toBe('empty');
    expect(await p.onedev.refs('github/octocat/empty')).toEqual({});
    expect((await mirrorRow(p, record.id)).status).toBe('synced');
  });

  it('retries 503s and dropped connections with backoff until synced', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'flaky');
    // Six 503s outlive the first attempt's quick retries of its first OneDev call (one try
    // and five retries); the dropped push is retried within the next attempt.
    p.onedev.faults.serviceUnavailable({ times: 6 });
    p.onedev.faults.dropConnection({ times: 1, scope: 'git' });
    const results: string[] = [];
    const settled = new Promise<void>((resolve) => {
      p.worker.events.on('sync:finished', (event) => {
        results.push(event.result);
        if (event.result === 'synced') resolve();
      });
    });
    await p.deliver('watch', watch(record, 'octocat', 'flaky'));
    await settled;
    expect(results.filter((r) => r === 'retrying').length).toBeGreaterThanOrEqual(1);
    expect(results.at(-1)).toBe('synced');
    expect(await p.onedev.refs('github/octocat/flaky')).toEqual(headsAndTags(await repo.refs()));
    expect((await mirrorRow(p, record.id)).attempts).toBe(0);
  });

  it('retries plain 500s with a backoff that doubles each attempt, then syncs', async () => {
    const p = await start({ backoffMs: 200, backoffCapMs: 10_000, env: { MAX_ATTEMPTS: '4' } });
    const { record, repo } = await sourceRepo(p, 'octocat', 'erratic');
    // Each attempt's first OneDev call tries six times (quick retries) before the attempt
    // fails: eighteen 500s fail three attempts.
    p.onedev.faults.serverError({ times: 18, scope: 'rest' });
    const planned: Array<{ run: string; delayMs: number; nextAttemptAt: string }> = [];
    const reads: Promise<void>[] = [];
    const settled = new Promise<void>((resolve) => {
      p.worker.events.on('sync:finished', (event) => {
        if (event.result === 'synced') resolve();
        if (event.result !== 'retrying') return;
        // Read the schedule at once: the next attempt is at least 100 ms away.
        reads.push(
          (async () => {
            const row = await mirrorRow(p, record.id);
            const run = (await listRuns(p.handle.db, record.id)).find((r) => r.id === event.run);
            const nextAttemptAt = row.next_attempt_at ?? '';
            const delayMs = Date.parse(nextAttemptAt) - Date.parse(run?.finishedAt ?? '');
            planned.push({ run: event.run, delayMs, nextAttemptAt });
          })(),
        );
      });
    });
    await p.deliver('watch', watch(record, 'octocat', 'erratic'));
    await settled;
    await Promise.all(reads);

    // Equal jitter: attempt n waits between half and all of 200 ms × 2^(n-1).
    expect(planned).toHaveLength(3);
    planned.forEach(({ delayMs }, i) => {
      expect(delayMs).toBeGreaterThanOrEqual(100 * 2 ** i);
      expect(delayMs).toBeLessThanOrEqual(200 * 2 ** i);
    });
    const runs = (await listRuns(p.handle.db, record.id)).reverse();
    expect(runs.map((r) => `${r.attempt} ${r.result} ${r.errorCode ?? ''}`.trim())).toEqual([
      '1 retrying onedev_unavailable',
      '2 retrying onedev_unavailable',
      '3 retrying onedev_unavailable',
      '4 synced',
    ]);
    expect(runs[0]?.error).toMatch(/HTTP 500/);
    // No attempt started before its scheduled time.
    planned.forEach(({ nextAttemptAt }, i) => {
      expect((runs[i + 1]?.startedAt ?? '') >= nextAttemptAt).toBe(true);
    });
    expect(await mirrorRow(p, record.id)).toMatchObject({ status: 'synced', attempts: 0 });
    expect(await p.onedev.refs('github/octocat/erratic')).toEqual(headsAndTags(await repo.refs()));
  });

  it('keeps the backoff of a retrying mirror when pushes arrive; an operator sync runs now', async () => {
    const p = await start({ backoffMs: 60_000, backoffCapMs: 60_000 });
    const { record, repo } = await sourceRepo(p, 'octocat', 'outage');
    p.onedev.faults.serviceUnavailable({ scope: 'rest' });
    const failed = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'outage'));
    expect((await failed).result).toBe('retrying');
    const waiting = await mirrorRow(p, record.id);
    expect(waiting).toMatchObject({ status: 'retrying', attempts: 1 });

    // Pushes during the outage join the scheduled retry instead of each being an attempt.
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'outage',
    });
    for (let i = 0; i < 5; i++) {
      await repo.commit('main', { files: { 'during.txt': `${i}\n` } });
      const answer = await p.deliver('push', push, `push-during-outage-${i}`);
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ outcome: 'coalesced' });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await listRuns(p.handle.db, record.id)).toHaveLength(1);
    expect(await mirrorRow(p, record.id)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      next_attempt_at: waiting.next_attempt_at,
    });

    // OneDev is back; the operator does not wait out the backoff.
    p.onedev.faults.clear();
    const synced = p.nextSync(record.id);
    const answer = await p.admin('POST', '/api/v1/mirrors/octocat/outage/sync');
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ outcome: 'queued' });
    expect((await synced).result).toBe('synced');
    const [latest] = await listRuns(p.handle.db, record.id);
    expect((latest?.startedAt ?? '') < (waiting.next_attempt_at ?? '')).toBe(true);
    expect(await p.onedev.refs('github/octocat/outage')).toEqual(headsAndTags(await repo.refs()));
  });

  it('fails at once on a rejected OneDev token, then a retry syncs once the token is fixed', async () => {
    const p = await start({
      onedevToken: 'not-yet-a-valid-onedev-token-000000000',
    });
    const { record } = await sourceRepo(p, 'octocat', 'locked');
    const failed = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'locked'));
    expect((await failed).result).toBe('failed');
    const row = await mirrorRow(p, record.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error_code: 'onedev_auth' });
    expect(row.last_error).toMatch(/check ONEDEV_TOKEN/);
    const shown = await p.admin('GET', '/api/v1/mirrors/octocat/locked');
    expect(await shown.json()).toMatchObject({
      status: 'failed',
      lastErrorCode: 'onedev_auth',
      lastError: expect.stringMatching(/check ONEDEV_TOKEN/),
    });
    // No retry storm: a failed mirror stays failed, pushes included.
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'locked',
    });
    expect((await p.deliver('push', push)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(await listRuns(p.handle.db, record.id)).toHaveLength(1);
    expect((await mirrorRow(p, record.id)).status).toBe('failed');

    p.onedev.addToken({
      value: 'not-yet-a-valid-onedev-token-000000000',
      owner: 'admin',
      hasOwnerPermissions: true,
    });
    const retried = p.nextSync(record.id);
    const answer = await p.admin('POST', '/api/v1/mirrors/octocat/locked/retry');
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ outcome: 'queued' });
    expect((await retried).result).toBe('synced');
    expect(await mirrorRow(p, record.id)).toMatchObject({
      status: 'synced',
      attempts: 0,
      last_error: null,
    });
  });

  it('never takes a URL from the payload (R05)', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'safe');
    const payload = watch(record, 'octocat', 'safe');
    Object.assign(payload.repository, {
      clone_url: 'file:///etc',
      git_url: 'ext::sh -c touch% /tmp/pwned',
      html_url: 'http://169.254.169.254/',
      ssh_url: 'git@evil.example:x/y.git',
    });
    const done = p.nextSync(record.id);
    await p.deliver('watch', payload);
    expect((await done).result).toBe('synced');
    expect(await p.onedev.refs('github/octocat/safe')).toEqual(headsAndTags(await repo.refs()));
  });

  it('coalesces a burst of pushes into at most two more syncs (W18)', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'busy');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'busy'));
    await first;
    await repo.commit('main', { files: { 'burst.txt': 'burst\n' } });
    const push = withRepository(webhookExample('push'), {
      id: record.id,
      owner: 'octocat',
      name: 'busy',
    });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => p.deliver('push', push).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 202)).toBe(true);
    await new Promise<void>((resolve) => {
      const check = async () => {
        const row = await mirrorRow(p, record.id);
        if (row.status === 'synced' && row.resync_requested === 0) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
    const runs = await listRuns(p.handle.db, record.id);
    expect(runs.length - 1).toBeLessThanOrEqual(2);
    expect(await p.onedev.refs('github/octocat/busy')).toEqual(headsAndTags(await repo.refs()));
  });

  it('syncs on a push that deletes a ref, pruning it and keeping the project (W16)', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'pruned');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'pruned'));
    expect((await first).result).toBe('synced');
    const projectId = p.onedev.projectByPath('github/octocat/pruned')?.id;
    const old = await repo.resolve('refs/tags/light');
    await repo.deleteTag('light');

    const deletion = withRepository(
      webhookExample('push', undefined, (payload) => payload.deleted),
      { id: record.id, owner: 'octocat', name: 'pruned' },
    );
    Object.assign(deletion, { ref: 'refs/tags/light', before: old });
    expect(deletion).toMatchObject({ deleted: true, after: '0'.repeat(40) });
    const second = p.nextSync(record.id);
    const answer = await p.deliver('push', deletion);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ outcome: 'queued' });
    expect((await second).result).toBe('synced');

    expect(p.onedev.projectByPath('github/octocat/pruned')?.id).toBe(projectId);
    const onedevRefs = headsAndTags(await p.onedev.refs('github/octocat/pruned'));
    expect(onedevRefs['refs/tags/light']).toBeUndefined();
    expect(onedevRefs).toEqual(headsAndTags(await repo.refs()));
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run?.refs).toEqual([{ ref: 'refs/tags/light', kind: 'deleted', old, new: null }]);
  });

  it("follows GitHub's default branch being renamed, main → trunk (G07)", async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'renamed');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'renamed'));
    expect((await first).result).toBe('synced');
    expect(await p.onedev.defaultBranch('github/octocat/renamed')).toBe('main');

    // GitHub's rename: the branch gets the new name and stays the default.
    await repo.branch('trunk', 'main');
    await repo.setHead('trunk');
    await repo.deleteBranch('main');
    const second = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    expect(await second).toEqual({ result: 'synced', error: undefined });

    const path = 'github/octocat/renamed';
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));
    expect(await p.onedev.defaultBranch(path)).toBe('trunk');
    expect(await mirrorRow(p, record.id)).toMatchObject({ default_branch: 'trunk' });
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run?.refs.map((r) => `${r.kind} ${r.ref}`)).toEqual([
      'deleted refs/heads/main',
      'created refs/heads/trunk',
    ]);
  });

  it('prunes a deleted non-default branch and tag, leaving the default (G07)', async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'trimmed');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'trimmed'));
    expect((await first).result).toBe('synced');
    await repo.deleteBranch('feature/x');
    await repo.deleteTag('v1.0.0');
    const second = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    expect((await second).result).toBe('synced');
    const path = 'github/octocat/trimmed';
    expect(Object.keys(headsAndTags(await p.onedev.refs(path))).sort()).toEqual([
      'refs/heads/main',
      'refs/heads/release',
      'refs/tags/light',
    ]);
    expect(await p.onedev.defaultBranch(path)).toBe('main');
  });

  it('mirrors hostile content without checking it out, running hooks or writing outside the cache (G11)', async () => {
    const p = await start();
    const outside = mkdtempSync(join(tmpdir(), 'starbridge-g11-'));
    const marker = join(outside, 'pwned');
    try {
      const record = p.github.addRepo({ owner: 'mallory', name: 'tricks' });
      const repo = new RepoBuilder(p.github.repoPath('mallory', 'tricks'));
      const script = `#!/bin/sh\ntouch ${marker}\n`;
      const blob = (content: string) =>
        repo.git(['hash-object', '-w', '--stdin'], { input: content });
      // Symlinks out of any checkout, a CR in a path, an executable "hook", LFS filters.
      const tree = await repo.git(['mktree'], {
        input: [
          `120000 blob ${await blob('/etc/passwd')}\tpasswd`,
          `120000 blob ${await blob('../../../../outside')}\tescape`,
          `100644 blob ${await blob('cr\n')}\tname-with-cr\r`,
          `100755 blob ${await blob(script)}\tpost-checkout`,
          `100644 blob ${await blob('* filter=lfs diff=lfs merge=lfs -text\n')}\t.gitattributes`,
          '',
        ].join('\n'),
      });
      const commit = await repo.git(['commit-tree', tree, '-m', 'tricks']);
      await repo.git(['update-ref', 'refs/heads/main', commit]);
      const first = p.nextSync(record.id);
      await p.deliver('watch', watch(record, 'mallory', 'tricks'));
      expect((await first).result).toBe('synced');
      expect(await p.onedev.refs('github/mallory/tricks')).toEqual(headsAndTags(await repo.refs()));

      // Hooks planted in the cache (as a template or another user could) never run, on
      // fetch (reference-transaction) or on push (pre-push).
      const cache = join(p.dataDir, 'cache', `${record.id}.git`);
      expect(readdirSync(cache)).not.toContain('passwd');
      mkdirSync(join(cache, 'hooks'), { recursive: true });
      for (const hook of ['pre-push', 'reference-transaction', 'post-update']) {
        writeFileSync(join(cache, 'hooks', hook), script, { mode: 0o755 });
      }
      await repo.commit('main', { files: { 'next.txt': 'next\n' } });
      const second = p.nextSync(record.id);
      await p.mirrors.syncById(record.id);
      expect((await second).result).toBe('synced');
      expect(await p.onedev.refs('github/mallory/tricks')).toEqual(headsAndTags(await repo.refs()));
      expect(existsSync(marker)).toBe(false);

      // A submodule whose URL is an option and whose path climbs out: refused by fsck
      // before anything could use it.
      const hostile = p.github.addRepo({ owner: 'mallory', name: 'submodule' });
      const sub = new RepoBuilder(p.github.repoPath('mallory', 'submodule'));
      await sub.commit('main', {
        files: {
          '.gitmodules': `[submodule "x"]\n\tpath = ../../escape\n\turl = --upload-pack=touch ${marker}\n`,
        },
      });
      const third = p.nextSync(hostile.id);
      await p.deliver('watch', watch(hostile, 'mallory', 'submodule'));
      expect((await third).result).toBe('failed');
      const refused = await mirrorRow(p, hostile.id);
      expect(refused.last_error_code).toBe('git_corrupt');
      expect(refused.last_error).toMatch(/security check gitmodulesUrl/);
      expect(refused.last_error).not.toMatch(/=ignore/);
      expect(await p.onedev.refs('github/mallory/submodule')).toEqual({});
      expect(existsSync(marker)).toBe(false);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('fails a fetch that fills the disk at once as disk_full, leaving no partial pack (G03)', async (context) => {
    const p = await start();
    const cache = join(p.dataDir, 'cache');
    mkdirSync(cache, { recursive: true });
    // A small filesystem for the caches (mounting one needs root).
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', cache], { stdio: 'pipe' });
    } catch (error) {
      // CI runs as root and must run this; elsewhere say why it did not.
      if (process.env.CI === 'true') throw error;
      context.skip('mounting a small tmpfs for a full disk needs root');
    }
    try {
      const record = p.github.addRepo({ owner: 'octocat', name: 'huge' });
      await generateLargeRepo(p.github.repoPath('octocat', 'huge'), {
        commits: 40,
        branches: 0,
        tags: 0,
        bytesPerCommit: 32_768,
      });
      const failed = p.nextSync(record.id);
      await p.deliver('watch', watch(record, 'octocat', 'huge'));
      expect((await failed).result).toBe('failed');
      const row = await mirrorRow(p, record.id);
      expect(row).toMatchObject({
        status: 'failed',
        last_error_code: 'git_disk_full',
        lease_owner: null,
        next_attempt_at: null,
        pushed_refs: null,
      });
      expect(row.last_error).toMatch(/no space left on device; free disk space/);
      // Not retried while the disk is full, and nothing half-written is left behind.
      await new Promise((r) => setTimeout(r, 300));
      expect(await listRuns(p.handle.db, record.id)).toEqual([
        expect.objectContaining({ result: 'failed', errorCode: 'git_disk_full' }),
      ]);
      const leftovers = execFileSync('find', [cache, '-name', 'tmp_*'], { encoding: 'utf8' });
      expect(leftovers).toBe('');
      expect(await p.onedev.refs('github/octocat/huge')).toEqual({});
    } finally {
      execFileSync('umount', [cache]);
    }
  });

  it('fails hard when the repository is gone from GitHub, leaving the OneDev mirror intact (G09)', async () => {
    const p = await start();
    const { record } = await sourceRepo(p, 'octocat', 'vanishing');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'vanishing'));
    await first;
    const kept = await p.onedev.refs('github/octocat/vanishing');
    p.github.deleteRepo('octocat/vanishing');
    const second = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    await p.handle.db.updateTable('mirrors').set({ pushed_refs: '{}' }).execute();
    expect((await second).result).toBe('failed');
    expect((await mirrorRow(p, record.id)).last_error_code).toBe('git_not_found');
    expect(await p.onedev.refs('github/octocat/vanishing')).toEqual(kept);
  });

  it("fails hard with OneDev's reason when branch protection rejects the push, changing no ref (O14)", async () => {
    const p = await start();
    const { record, repo } = await sourceRepo(p, 'octocat', 'guarded');
    const first = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'octocat', 'guarded'));
    await first;
    p.onedev.setBranchProtection('github', {
      branches: 'feature/**',
      preventCreation: false,
      preventDeletion: false,
    });
    const before = await p.onedev.refs('github/octocat/guarded');
    await repo.forcePush('feature/x');
    await repo.commit('main', { files: { 'more.txt': 'more\n' } });
    const second = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    expect((await second).result).toBe('failed');
    const row = await mirrorRow(p, record.id);
    expect(row.last_error_code).toBe('git_rejected');
    expect(row.last_error).toMatch(/feature\/x/);
    expect(await p.onedev.refs('github/octocat/guarded')).toEqual(before);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { SyncRun } from '../../../src/sync/run.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

/**
 * Faults that pass inside one sync cost no attempt: OneDev failing a share of its REST
 * calls with a plain 500 (docs/reference/bad-inputs.md#o05) is absorbed by quick retries of each call.
 */
describe.each(DIALECTS)('quick retries inside a sync on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  async function start(): Promise<Pipeline> {
    // A durable retry would be visible: it waits at least a second.
    pipeline = await startPipeline({ dialect, backoffMs: 2_000, backoffCapMs: 2_000 });
    return pipeline;
  }

  async function starred(p: Pipeline, owner: string, name: string) {
    const record = p.github.addRepo({ owner, name });
    const repo = new RepoBuilder(p.github.repoPath(owner, name));
    await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
    await repo.branch('dev', 'main');
    await repo.tag('v1', 'main');
    return { record, repo, name };
  }

  const watch = (record: { id: number }, owner: string, name: string) =>
    withRepository(webhookExample('watch', 'started'), { id: record.id, owner, name });

  /** Stars three repositories at once and waits until each has synced (in any number of runs). */
  async function starThree(p: Pipeline, timeoutMs: number) {
    const repos = await Promise.all(
      ['one', 'two', 'three'].map((name) => starred(p, 'alice', name)),
    );
    const pending = new Set(repos.map((r) => r.record.id));
    const finished: Array<{ githubId: number; result: string }> = [];
    const allSynced = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`not all synced within ${timeoutMs} ms: ${JSON.stringify(finished)}`)),
        timeoutMs,
      );
      p.worker.events.on('sync:finished', (event) => {
        finished.push({ githubId: event.githubId, result: event.result });
        // A retry after an attempt whose push landed finds nothing left to move: `unchanged`.
        if (event.result === 'synced' || event.result === 'unchanged')
          pending.delete(event.githubId);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    for (const { record, name } of repos) {
      expect((await p.deliver('watch', watch(record, 'alice', name))).status).toBe(202);
    }
    await allSynced;
    return { repos, finished };
  }

  /** The run's calls that needed a quick retry, as the debug log tells them. */
  function retriedCallsLogged(p: Pipeline, run: SyncRun): number {
    return p.logs
      .map((line) => JSON.parse(line) as { msg?: string; run?: string; retry?: number })
      .filter((line) => line.msg === 'quick retry' && line.run === run.id && line.retry === 1)
      .length;
  }

  async function expectMirrored(
    p: Pipeline,
    repos: Awaited<ReturnType<typeof starThree>>['repos'],
  ) {
    for (const { record, repo, name } of repos) {
      expect(await p.onedev.refs(`github/alice/${name}`)).toEqual(headsAndTags(await repo.refs()));
      const row = await p.handle.db
        .selectFrom('mirrors')
        .selectAll()
        .where('github_id', '=', record.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'synced', attempts: 0, default_branch: 'main' });
    }
  }

  it('syncs three new stars on their first attempt while every 3rd OneDev REST call fails with 500', async () => {
    const p = await start();
    p.onedev.faults.serverError({ scope: 'rest', every: 3 });
    const started = Date.now();
    const { repos, finished } = await starThree(p, 60_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(finished.map((f) => f.result)).toEqual(['synced', 'synced', 'synced']);
    expect(p.onedev.requests.some((r) => r.kind === 'rest' && r.status === 500)).toBe(true);
    await expectMirrored(p, repos);

    let recorded = 0;
    for (const { record } of repos) {
      const runs = await listRuns(p.handle.db, record.id);
      expect(runs.map((r) => `${r.attempt} ${r.result}`)).toEqual(['1 synced']);
      const [run] = runs as [SyncRun];
      expect(run.quickRetries).toBe(retriedCallsLogged(p, run));
      recorded += run.quickRetries;
    }
    expect(recorded).toBeGreaterThan(0);

    // The runs API shows the count; the metric counts each retry by upstream and reason.
    const shown = await p.admin('GET', '/api/v1/mirrors/alice/one/runs');
    const { runs: shownRuns } = (await shown.json()) as { runs: Array<{ quickRetries: number }> };
    const [apiRun] = shownRuns;
    const [dbRun] = await listRuns(p.handle.db, repos[0]?.record.id ?? 0);
    expect(apiRun?.quickRetries).toBe(dbRun?.quickRetries);
    const metrics = await p.metrics.render();
    const counted =
      /starbridge_quick_retries_total\{upstream="onedev",reason="onedev_unavailable"\} (\d+)/.exec(
        metrics,
      );
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(recorded);
  });

  it('syncs three new stars within their attempts while half of the OneDev REST calls fail with 500', async () => {
    const p = await start();
    // A seeded random half: strict alternation would always fail the create after a
    // retried look-up, which no real server does.
    p.onedev.faults.serverError({ scope: 'rest', share: 0.5, seed: 50 });
    const { repos, finished } = await starThree(p, 180_000);
    expect(finished.filter((f) => f.result === 'failed')).toEqual([]);
    await expectMirrored(p, repos);
    for (const { record } of repos) {
      const runs = await listRuns(p.handle.db, record.id);
      expect(['synced', 'unchanged']).toContain(runs[0]?.result);
      expect(runs.length).toBeLessThanOrEqual(p.config.sync.maxAttempts);
      expect(runs.reduce((sum, r) => sum + r.quickRetries, 0)).toBeGreaterThan(0);
    }
  }, 200_000);

  it('calls OneDev once for a rejected token (401): no quick retry, and the mirror fails', async () => {
    const p = await start();
    const { record, name } = await starred(p, 'alice', 'locked');
    p.onedev.faults.status(401, 'Unauthorized', { scope: 'rest' });
    const done = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'alice', name));
    expect((await done).result).toBe('failed');
    expect(p.onedev.requests.filter((r) => r.kind === 'rest')).toHaveLength(1);
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run).toMatchObject({ result: 'failed', errorCode: 'onedev_auth', quickRetries: 0 });
  });

  it('ends a failed sync only once its fetch has ended: no git work runs on after it', async () => {
    pipeline = await startPipeline({
      dialect,
      onedevToken: 'not-a-onedev-token-0000000000000000000',
    });
    const p = pipeline;
    const { record, name } = await starred(p, 'alice', 'slow');
    // OneDev refuses the token at once, while GitHub takes its time with every git request.
    p.github.faults.latency(700);
    const done = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'alice', name));
    expect((await done).result).toBe('failed');
    const gitRequests = () => p.github.requests.filter((r) => r.kind === 'git').length;
    const atFinish = gitRequests();
    expect(atFinish).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(gitRequests()).toBe(atFinish);
  });

  it('retries a failed GitHub git fetch within the sync', async () => {
    const p = await start();
    const { record, repo, name } = await starred(p, 'alice', 'fetchy');
    // The first two git requests (the ls-remote and the fetch) answer 502.
    p.github.faults.serverError(2, { scope: 'git' });
    const done = p.nextSync(record.id);
    await p.deliver('watch', watch(record, 'alice', name));
    expect((await done).result).toBe('synced');
    expect(await p.onedev.refs(`github/alice/${name}`)).toEqual(headsAndTags(await repo.refs()));
    const [run] = await listRuns(p.handle.db, record.id);
    expect(run).toMatchObject({ attempt: 1, result: 'synced' });
    expect(run?.quickRetries).toBeGreaterThanOrEqual(1);
    expect(await p.metrics.render()).toMatch(
      /starbridge_quick_retries_total\{upstream="github",reason="git_network"\} [1-9]/,
    );
  });
});

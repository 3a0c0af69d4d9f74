import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateLargeRepo, readRefs } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { seedRepos } from '../support/github-double/seed.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';
import { headsAndTags } from '../support/pipeline.js';
import { descendantsOf, killProcessTree } from '../support/process-tree.js';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.js';
import { createTestDb, DIALECTS, type TestDb } from '../support/test-db.js';
import { sendWebhook, webhookExample, withRepository } from '../support/webhooks.js';

const GITHUB_TOKEN = 'ghp_e2eSecretTokenValue_mustNotLeak_0123456';
const SECRET = 'e2e-webhook-secret-value';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** How long OneDev holds the push's ref advertisement, so the crash lands mid-push. */
const HOLD_MS = 3_000;

/** The first request of a push: the receive-pack ref advertisement. */
const isPushStart = (r: { method: string; path: string; query: string }) =>
  r.method === 'GET' && r.path.endsWith('/info/refs') && r.query === '?service=git-receive-pack';
/** The request that carries a push's pack and ref updates. */
const isPackUpload = (r: { method: string; path: string }) =>
  r.method === 'POST' && r.path.endsWith('/git-receive-pack');

/** Stars each repository by webhook, as GitHub would; every delivery must be accepted. */
async function starAll(url: string, repos: Array<{ id: number; name: string }>) {
  for (const repo of repos) {
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: repo.id,
      owner: 'octocat',
      name: repo.name,
    });
    const accepted = await sendWebhook(`${url}/webhooks/github`, {
      event: 'watch',
      payload,
      secret: SECRET,
    });
    expect(accepted.status).toBe(202);
  }
}

/** Until `count` pushes have started at OneDev and none of them has been answered. */
function untilPushesInFlight(onedev: OneDevDouble, count: number) {
  return until(`${count} pushes in flight`, async () =>
    onedev.requests.filter((r) => isPushStart(r) && r.status === undefined).length === count
      ? true
      : undefined,
  );
}

describe.each(DIALECTS)('a service on %s killed during a push', (dialect) => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let dir: string;
  let services: ServiceProcess[] = [];
  /** The service's database, opened by the test too (to look inside and to clean up). */
  let reader: TestDb;

  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
    onedev = await startOneDevDouble(STANDARD_CAST);
    dir = mkdtempSync(join(tmpdir(), 'starbridge-crash-'));
    reader = await createTestDb(dialect, { migrate: false });
  });
  afterEach(async () => {
    for (const service of services)
      if (service.child.exitCode === null) await service.stop('SIGKILL');
    services = [];
    await reader.destroy();
    await Promise.all([github.close(), onedev.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: reader.databaseUrl ?? '',
    DATA_DIR: join(dir, 'data'),
    GITHUB_API_URL: github.url,
    GITHUB_GIT_URL: github.url,
    GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: SECRET,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    // Far longer than the test may take: the restarted service must not wait it out.
    SYNC_LEASE: '10m',
    LOG_LEVEL: 'debug',
  });

  it('pushes again after a restart what the crash cut off: synced, one OneDev project, nothing left syncing, no secret anywhere', async (context) => {
    // In-process PGlite has no address another process could connect to; CI always runs
    // PostgreSQL on a server (TEST_DATABASE_URL), so there this never skips.
    if (!reader.databaseUrl) context.skip('PGlite cannot be shared with a separate process');
    const record = github.addRepo({ owner: 'octocat', name: 'big', defaultBranch: 'main' });
    await generateLargeRepo(github.repoPath('octocat', 'big'), {
      commits: 1500,
      branches: 10,
      tags: 20,
    });
    // Hold the push before its pack leaves, long enough to crash the service in the middle
    // of it. Had any git process outlived the crash, it would get the advertisement after
    // the hold and finish the push on its own.
    onedev.faults.latency(HOLD_MS, { scope: 'git', times: 1, match: isPushStart });

    const first = await startServiceProcess({ cwd: dir, env: env() });
    services.push(first);
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'octocat',
      name: 'big',
    });
    const accepted = await sendWebhook(`${first.url}/webhooks/github`, {
      event: 'watch',
      payload,
      secret: SECRET,
    });
    expect(accepted.status).toBe(202);
    const responses = [await accepted.text()];

    await until('a push in flight', async () =>
      onedev.requests.some((r) => isPushStart(r) && r.status === undefined) ? true : undefined,
    );
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(processes).toContain('git');
    expect(processes).not.toContain(GITHUB_TOKEN);
    expect(processes).not.toContain(TOKENS.admin);
    // A crash, as a container stop or a power cut: git (which leads its own process group)
    // dies with the service instead of finishing the push by itself.
    const pid = first.child.pid ?? 0;
    expect(descendantsOf(pid).map((p) => p.comm)).toContain('git');
    killProcessTree(pid);
    await first.exited;

    // Past the hold, with time to spare for a git that survived to upload its pack: the
    // push really was cut off, no pack reached OneDev and no ref was written.
    await new Promise((r) => setTimeout(r, HOLD_MS + 3_000));
    expect(onedev.requests.filter(isPackUpload)).toEqual([]);
    expect(await onedev.refs('github/octocat/big')).toEqual({});

    const stuck = await reader.db.selectFrom('mirrors').selectAll().executeTakeFirstOrThrow();
    expect(stuck.status).toBe('syncing');

    const restartedAt = Date.now();
    const second = await startServiceProcess({ cwd: dir, env: env() });
    services.push(second);
    // The restarted instance takes back its previous run's lease at start (same DATA_DIR,
    // so the same instance id) instead of waiting the ten minutes out.
    const synced = await until(
      'the mirror to be synced',
      async () => {
        const row = await reader.db.selectFrom('mirrors').selectAll().executeTakeFirst();
        return row?.status === 'synced' ? row : undefined;
      },
      45_000,
    );
    expect(Date.now() - restartedAt).toBeLessThan(45_000);
    expect(second.output()).toContain('reclaimed the previous run');
    responses.push(await (await fetch(`${second.url}/health`)).text());
    await second.stop('SIGTERM');

    expect(synced.lease_owner).toBeNull();
    expect(
      await reader.db.selectFrom('mirrors').where('status', '=', 'syncing').selectAll().execute(),
    ).toEqual([]);
    const runs = await reader.db
      .selectFrom('sync_runs')
      .selectAll()
      .orderBy('started_at')
      .execute();
    // The run after the restart found OneDev behind and pushed everything itself.
    expect(runs.map((r) => r.result)).toEqual(['aborted', 'synced']);
    expect(onedev.createdNames.filter((n) => n === 'big')).toHaveLength(1);
    const source = headsAndTags(await readRefs(github.repoPath('octocat', 'big')));
    expect(await onedev.refs('github/octocat/big')).toEqual(source);

    const everything = [
      first.output(),
      second.output(),
      ...responses,
      JSON.stringify(await reader.db.selectFrom('mirrors').selectAll().execute()),
      JSON.stringify(runs),
      JSON.stringify(await reader.db.selectFrom('webhook_deliveries').selectAll().execute()),
    ].join('\n');
    for (const secret of [GITHUB_TOKEN, TOKENS.admin, SECRET])
      expect(everything).not.toContain(secret);
  }, 180_000);

  it('with five mirrors mid-push, the restarted service takes all five back at start and syncs them', async (context) => {
    if (!reader.databaseUrl) context.skip('PGlite cannot be shared with a separate process');
    const names = ['one', 'two', 'three', 'four', 'five'];
    const repos = await seedRepos(github, 'octocat', names);
    // Every push waits at its start, so the crash finds all five in the middle of one.
    onedev.faults.latency(HOLD_MS, { scope: 'git', times: names.length, match: isPushStart });

    const first = await startServiceProcess({
      cwd: dir,
      env: { ...env(), SYNC_CONCURRENCY: String(names.length) },
    });
    services.push(first);
    await starAll(first.url, repos);
    await untilPushesInFlight(onedev, names.length);
    killProcessTree(first.child.pid ?? 0);
    await first.exited;
    const stuck = await reader.db.selectFrom('mirrors').selectAll().execute();
    expect(stuck.map((m) => m.status)).toEqual(names.map(() => 'syncing'));

    const second = await startServiceProcess({ cwd: dir, env: env() });
    services.push(second);
    // Ready means listening; the previous run's leases were taken back before that.
    expect(second.output()).toMatch(/"count":5[^\n]*reclaimed the previous run/);
    await until(
      'all five mirrors to be synced',
      async () => {
        const rows = await reader.db.selectFrom('mirrors').selectAll().execute();
        return rows.every((m) => m.status === 'synced') ? rows : undefined;
      },
      // Far less than the ten-minute lease the mirrors were claimed with.
      60_000,
    );
    await second.stop('SIGTERM');
    for (const repo of repos)
      expect(await onedev.refs(`github/octocat/${repo.name}`)).toEqual(
        headsAndTags(await readRefs(repo.path)),
      );
    const runs = await reader.db.selectFrom('sync_runs').selectAll().execute();
    expect(runs.filter((r) => r.result === 'aborted')).toHaveLength(names.length);
    expect(runs.filter((r) => r.result === 'synced')).toHaveLength(names.length);
  }, 180_000);
});

describe('two replicas on PostgreSQL, one killed during its pushes', () => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let dir: string;
  let services: ServiceProcess[] = [];
  let reader: TestDb;
  /** Short enough for a test, long enough that an early takeover would show. */
  const LEASE_MS = 8_000;

  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
    onedev = await startOneDevDouble(STANDARD_CAST);
    dir = mkdtempSync(join(tmpdir(), 'starbridge-replicas-'));
    reader = await createTestDb('postgres', { migrate: false });
  });
  afterEach(async () => {
    for (const service of services)
      if (service.child.exitCode === null) await service.stop('SIGKILL');
    services = [];
    await reader.destroy();
    await Promise.all([github.close(), onedev.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (replica: string) => ({
    DATABASE_URL: reader.databaseUrl ?? '',
    // Each replica has its own data directory, so its own instance identity.
    DATA_DIR: join(dir, replica),
    GITHUB_API_URL: github.url,
    GITHUB_GIT_URL: github.url,
    GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: SECRET,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    SYNC_LEASE: `${LEASE_MS}ms`,
    SYNC_CONCURRENCY: '3',
    LOG_LEVEL: 'debug',
  });

  it('the survivor takes the dead replica’s mirrors only after their leases ran out, then syncs them', async (context) => {
    if (!reader.databaseUrl) context.skip('PGlite cannot be shared with a separate process');
    const names = ['alpha', 'beta', 'gamma'];
    const repos = await seedRepos(github, 'octocat', names);
    onedev.faults.latency(HOLD_MS, { scope: 'git', times: names.length, match: isPushStart });

    const doomed = await startServiceProcess({ cwd: dir, env: env('a') });
    services.push(doomed);
    await starAll(doomed.url, repos);
    await untilPushesInFlight(onedev, names.length);
    // The survivor starts while the first replica holds every mirror: it has none to claim.
    const survivor = await startServiceProcess({ cwd: dir, env: env('b') });
    services.push(survivor);
    killProcessTree(doomed.child.pid ?? 0);
    await doomed.exited;

    const held = await reader.db.selectFrom('mirrors').selectAll().execute();
    expect(held.map((m) => m.status)).toEqual(names.map(() => 'syncing'));
    const deadOwners = new Set(held.map((m) => m.lease_owner));
    // The dead replica's last renewal: nobody may take a mirror before its lease runs out.
    const expiryOf = new Map(held.map((m) => [m.github_id, Date.parse(m.lease_expires_at ?? '')]));

    await until(
      'the survivor to sync all three',
      async () => {
        const rows = await reader.db.selectFrom('mirrors').selectAll().execute();
        return rows.every((m) => m.status === 'synced') ? rows : undefined;
      },
      90_000,
    );
    await survivor.stop('SIGTERM');

    const runs = await reader.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('result', '=', 'synced')
      .execute();
    expect(runs).toHaveLength(names.length);
    for (const run of runs) {
      // Claimed by the survivor, never under the dead replica's identity...
      expect(deadOwners.has(run.worker)).toBe(false);
      // ...and never before the dead replica's lease on that mirror had run out.
      expect(Date.parse(run.started_at)).toBeGreaterThanOrEqual(expiryOf.get(run.github_id) ?? 0);
    }
    expect(survivor.output()).toContain('reclaimed mirrors whose worker stopped');
    for (const repo of repos)
      expect(await onedev.refs(`github/octocat/${repo.name}`)).toEqual(
        headsAndTags(await readRefs(repo.path)),
      );
  }, 180_000);
});

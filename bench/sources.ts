// GitHub sources speed targets: a quick poll of 5,000 stars with no change is one
// request and a full listing at most 50; a refresh of 1,000 mirrors with 10 changed fetches
// and pushes only those 10. Run: node --import tsx bench/sources.ts  (appends to docs/benchmarks.md)
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { buildServices } from '../src/services.js';
import { createLogger } from '../src/shared/logger.js';
import { createRefresh } from '../src/sources/refresh.js';
import { createSourcesEvents } from '../src/sources/sources.events.js';
import { type GitHubDouble, startGitHubDouble } from '../tests/support/github-double/index.js';
import { pushCommit, seedRepos } from '../tests/support/github-double/seed.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb } from '../tests/support/test-db.js';
import { ROOT } from './support.js';

const TOKEN = 'ghp_benchSourcesToken000000000000000000000';
const log = createLogger({ level: 'silent' });
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** 5,000 starred repositories, as records only: listings never touch their git data. */
function addStars(github: GitHubDouble, count: number): void {
  const base = Date.parse('2020-01-01T00:00:00Z');
  github.state.user('maker');
  for (let i = 0; i < count; i++) {
    const id = 1_000_000 + i;
    const at = new Date(base + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const name = `star-${i}`;
    github.state.repos.set(id, {
      id,
      owner: 'maker',
      name,
      fullName: `maker/${name}`,
      private: false,
      defaultBranch: 'main',
      description: null,
      fork: false,
      archived: false,
      disabled: false,
      createdAt: at,
      updatedAt: at,
      pushedAt: at,
      size: 1,
      path: join(github.reposDir, 'none', `${id}.git`),
      hasWiki: true,
    });
    github.star('bencher', `maker/${name}`, at);
  }
}

async function starsBench() {
  const github = await startGitHubDouble({ tokens: { [TOKEN]: 'bencher' } });
  const handle = await createTestDb('sqlite');
  try {
    addStars(github, 5_000);
    const config = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN: TOKEN,
    });
    const { sources } = buildServices(config, log, handle);
    const count = () => github.requests.filter((r) => r.kind === 'rest').length;
    await sources.poller.state(); // nothing: the login lookup below is the one-off
    github.clearRequests();
    let started = Date.now();
    const first = await sources.poller.full();
    const firstMs = Date.now() - started;
    const firstRequests = count();
    github.clearRequests();
    started = Date.now();
    const again = await sources.poller.full();
    const fullMs = Date.now() - started;
    const fullRequests = github.requests.filter((r) => r.path === '/user/starred').length;
    github.clearRequests();
    started = Date.now();
    const quick = await sources.poller.quick();
    const quickMs = Date.now() - started;
    const quickRequests = count();
    const quickStatus = github.requests.map((r) => r.status).join(',');
    return {
      first,
      firstMs,
      firstRequests,
      again,
      fullMs,
      fullRequests,
      quick,
      quickMs,
      quickRequests,
      quickStatus,
    };
  } finally {
    await handle.destroy();
    await github.close();
  }
}

async function refreshBench() {
  const github = await startGitHubDouble({ tokens: { [TOKEN]: 'bencher' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  const dataDir = join(ROOT, 'data', `bench-sources-${process.pid}`);
  try {
    const names = Array.from({ length: 1_000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    const repos = await seedRepos(github, 'fleet', names);
    const now = new Date().toISOString();
    const sha = (await import('node:fs'))
      .readFileSync(join(repos[0]!.path, 'refs/heads/main'), 'utf8')
      .trim();
    for (const r of repos) {
      await handle.db
        .insertInto('mirrors')
        .values({
          github_id: r.id,
          owner: r.owner,
          name: r.name,
          full_name: r.fullName,
          full_name_key: r.fullName.toLowerCase(),
          status: 'synced',
          source: 'star',
          starred: 1,
          private: 0,
          attempts: 0,
          resync_requested: 0,
          pushed_refs: JSON.stringify({ 'refs/heads/main': sha }),
          next_refresh_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    const changed = repos.filter((_, i) => i % 100 === 7);
    for (const r of changed) await pushCommit(r);
    const config = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN: TOKEN,
      ONEDEV_URL: onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
      DATA_DIR: dataDir,
      SYNC_CONCURRENCY: '4',
      MAX_ATTEMPTS: '3',
    });
    const clock = { now: () => new Date() };
    const services = buildServices(config, log, handle, { clock, worker: { pollMs: 50 } });
    const { worker, mirrors } = services;
    if (!worker) throw new Error('OneDev not configured');
    const refresh = createRefresh({
      handle,
      clock,
      log,
      events: createSourcesEvents(),
      mirrors,
      githubGitUrl: github.url,
      git: services.adapters.git,
      authorizationFor: services.adapters.credentials.authorizationFor,
      policy: { baseMs: 3_600_000, minMs: 900_000, maxMs: 86_400_000 },
      concurrency: 4,
      batch: 2_000,
    });
    github.clearRequests();
    onedev.resetRecords();
    let started = Date.now();
    const tick = await refresh.tick();
    const tickMs = Date.now() - started;
    started = Date.now();
    const finished = new Set<number>();
    worker.events.on('sync:finished', (e) => finished.add(e.githubId));
    await worker.start();
    while (finished.size < tick.changed) await new Promise((r) => setTimeout(r, 50));
    const syncMs = Date.now() - started;
    await worker.stop(5_000);
    const fetchedRepos = new Set(
      github.requests.filter((r) => r.method === 'POST' && r.kind === 'git').map((r) => r.path),
    );
    const perRepoPosts = new Map<string, number>();
    for (const r of github.requests.filter((x) => x.method === 'POST' && x.kind === 'git')) {
      perRepoPosts.set(r.path, (perRepoPosts.get(r.path) ?? 0) + 1);
    }
    const fetched = [...perRepoPosts.values()].filter((n) => n > 1).length;
    const pushedProjects = new Set(
      onedev.requests.filter((r) => r.path.endsWith('/git-receive-pack')).map((r) => r.path),
    ).size;
    const restCalls = github.requests.filter((r) => r.kind === 'rest').length;
    return {
      tick,
      tickMs,
      syncMs,
      lsRemoted: fetchedRepos.size,
      fetched,
      pushedProjects,
      restCalls,
    };
  } finally {
    await handle.destroy();
    await github.close();
    await onedev.close();
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const stars = await starsBench();
  console.log('stars', stars);
  const refresh = await refreshBench();
  console.log('refresh', refresh);
  const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const section = `
## GitHub sources — \`node --import tsx bench/sources.ts\`

Run ${new Date().toISOString()} on ${process.platform}, Node ${process.version}.

| Target | Measured | Verdict |
| --- | --- | --- |
| Quick poll of 5,000 stars, no change: one request | ${stars.quickRequests} request (HTTP ${stars.quickStatus}), ${seconds(stars.quickMs)}, result "${stars.quick}" | ${pass(stars.quickRequests === 1)} |
| Full listing of 5,000 stars: ≤ 50 requests | ${stars.fullRequests} requests, ${seconds(stars.fullMs)}, result "${stars.again}" | ${pass(stars.fullRequests <= 50)} |
| Refresh of 1,000 mirrors, 10 changed: only those 10 fetched and pushed | ${refresh.tick.checked} compared with ls-remote in ${seconds(refresh.tickMs)}, ${refresh.tick.changed} sync requests; ${refresh.fetched} repositories fetched, ${refresh.pushedProjects} OneDev projects pushed, in ${seconds(refresh.syncMs)}; ${refresh.restCalls} REST calls | ${pass(refresh.tick.checked === 1_000 && refresh.fetched === 10 && refresh.pushedProjects === 10 && refresh.restCalls === 0)} |

First full listing (5,000 new mirrors created): ${stars.firstRequests} REST requests (one \`GET /user\` for the login, then 50 pages), ${seconds(stars.firstMs)}.

### Method

GitHub double on loopback with 5,000 starred repositories (records only: listings never read their git data), a migrated SQLite database, the real stars poller (\`createGitHubSources\`, octokit with the throttling plugin). Requests are counted at the double. The quick poll sends page 1 with \`If-None-Match\` and gets a 304 (which costs no rate limit). For the refresh, 1,000 real bare repositories (one commit each) and 1,000 synced mirror rows whose \`pushed_refs\` match; 10 repositories get a new commit; one refresh tick compares every mirror with \`git ls-remote\` (concurrency 4), then the real sync worker (git engine + OneDev client, concurrency 4) runs the requested syncs into the OneDev double. "Fetched" counts repositories with more than one upload-pack POST (an ls-remote is a single \`ls-refs\` POST); "pushed" counts OneDev projects that received a \`git-receive-pack\`.
`;
  appendFileSync(join(ROOT, 'docs', 'benchmarks.md'), section);
  console.log(section);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

// Change detection at scale: 5,000 mirrors (most of them stars), 1 % of the repositories
// pushed during a simulated hour. Counts GitHub REST requests (304s apart), GraphQL points
// and git commands at the double, and how long each push took to reach OneDev (simulated
// time), against today's design measured in the same run: every mirror compared with
// `git ls-remote` every 15 minutes.
// Run: flock /tmp/heavy.lock node --import tsx bench/change-detection.ts  (appends to docs/benchmarks.md)
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { buildServices, type Services } from '../src/services.js';
import { createLogger } from '../src/shared/logger.js';
import { createRefresh } from '../src/sources/refresh.js';
import { createSourcesEvents } from '../src/sources/sources.events.js';
import { type GitHubDouble, startGitHubDouble } from '../tests/support/github-double/index.js';
import { pushCommit, seedRepos } from '../tests/support/github-double/seed.js';
import type { RepoRecord } from '../tests/support/github-double/types.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb, type TestDb } from '../tests/support/test-db.js';
import { envInt, ROOT } from './support.js';

const TOKEN = 'ghp_benchChangeDetection0000000000000000000';
const MINUTE = 60_000;
const log = createLogger({ level: 'silent' });
const say = (message: string) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface HourResult {
  restOk: number;
  rest304: number;
  graphqlPoints: number;
  graphqlQueries: number;
  gitCommands: number;
  lsRemotes: number;
  pushes: number;
  synced: number;
  maxDelayMs: number;
  wallMs: number;
}

/** A clock the bench moves by hand: the simulated hour. */
function simClock(start: number) {
  let now = start;
  return {
    now: () => new Date(now),
    set: (ms: number) => {
      now = ms;
    },
  };
}

/** Which repositories get a push, and when: spread over the hour, stars and others mixed. */
function schedulePushes(
  repos: RepoRecord[],
  starred: Set<number>,
  count: number,
  salt: number,
  minutes = 60,
) {
  const stars = repos.filter((r) => starred.has(r.id));
  const others = repos.filter((r) => !starred.has(r.id));
  const fromOthers = Math.max(1, Math.round(count / 10));
  const pick = (list: RepoRecord[], n: number) =>
    Array.from({ length: n }, (_, i) => list[(i * 97 + salt * 31) % list.length]!);
  const chosen = [...pick(stars, count - fromOthers), ...pick(others, fromOthers)];
  return chosen.map((repo, i) => ({ repo, minute: (i * 37 + salt * 7) % minutes }));
}

async function drained(services: Services): Promise<void> {
  for (;;) {
    const { counts } = await services.mirrors.summary(0);
    if ((counts.queued ?? 0) + (counts.syncing ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts at the double since the last clear. */
function countRequests(github: GitHubDouble) {
  const rest = github.requests.filter((r) => r.kind === 'rest');
  const graphql = github.requests.filter((r) => r.kind === 'graphql');
  const git = github.requests.filter((r) => r.kind === 'git');
  return {
    restOk: rest.filter((r) => r.status !== 304).length,
    rest304: rest.filter((r) => r.status === 304).length,
    graphqlPoints: graphql.reduce((sum, r) => sum + (r.cost ?? 0), 0),
    graphqlQueries: graphql.length,
    // Every git command over smart HTTP starts with one `info/refs` advertisement.
    gitCommands: git.filter((r) => r.method === 'GET' && r.path.endsWith('/info/refs')).length,
  };
}

/**
 * One simulated hour, a minute per step: the pushes of that minute land (GitHub's
 * `pushed_at` set to the simulated time), then `step` runs (detection, refresh), then the
 * workers finish what was asked. A push's delay is from its minute to its sync in OneDev.
 */
async function simulateHour(options: {
  github: GitHubDouble;
  services: Services;
  clock: ReturnType<typeof simClock>;
  start: number;
  pushes: Array<{ repo: RepoRecord; minute: number }>;
  step: (minute: number) => Promise<{ lsRemotes: number }>;
  /** Steps whose requests are counted; more follow (uncounted) until every push is synced. */
  minutes: number;
}): Promise<HourResult> {
  const { github, services, clock, start } = options;
  const pending = new Map<number, number>();
  let synced = 0;
  let maxDelayMs = 0;
  const onFinished = (event: { githubId: number; result: string }) => {
    const at = pending.get(event.githubId);
    if (at === undefined || event.result !== 'synced') return;
    pending.delete(event.githubId);
    synced++;
    maxDelayMs = Math.max(maxDelayMs, clock.now().getTime() - at);
  };
  services.worker!.events.on('sync:finished', onFinished);
  github.clearRequests();
  const began = performance.now();
  let lsRemotes = 0;
  let counted: ReturnType<typeof countRequests> | undefined;
  let wallMs = 0;
  // After the counted steps the clock goes on (uncounted) until the last pushes are synced.
  for (
    let minute = 0;
    minute < options.minutes || (pending.size > 0 && minute < options.minutes + 30);
    minute++
  ) {
    const now = start + minute * MINUTE;
    clock.set(now);
    for (const push of options.pushes.filter((p) => p.minute === minute)) {
      await pushCommit(push.repo);
      github.updateRepo(push.repo.fullName, { pushedAt: iso(now) });
      pending.set(push.repo.id, now);
    }
    const step = await options.step(minute);
    await drained(services);
    if (minute < options.minutes) lsRemotes += step.lsRemotes;
    if (minute === options.minutes - 1) {
      counted = countRequests(github);
      wallMs = performance.now() - began;
    }
    if (minute % 10 === 0) say(`  minute ${minute}: ${synced}/${options.pushes.length} synced`);
  }
  services.worker!.events.off('sync:finished', onFinished);
  return { ...counted!, lsRemotes, pushes: options.pushes.length, synced, maxDelayMs, wallMs };
}

async function insertMirrors(
  handle: TestDb,
  repos: RepoRecord[],
  starred: Set<number>,
  at: string,
) {
  const sha = readFileSync(join(repos[0]!.path, 'refs/heads/main'), 'utf8').trim();
  const rows = repos.map((r) => ({
    github_id: r.id,
    owner: r.owner,
    name: r.name,
    full_name: r.fullName,
    full_name_key: r.fullName.toLowerCase(),
    status: 'synced',
    source: starred.has(r.id) ? 'star' : 'manual',
    starred: starred.has(r.id) ? 1 : 0,
    private: 0,
    attempts: 0,
    resync_requested: 0,
    pushed_refs: JSON.stringify({ 'refs/heads/main': sha }),
    last_synced_at: at,
    created_at: at,
    updated_at: at,
  }));
  for (let i = 0; i < rows.length; i += 200) {
    await handle.db
      .insertInto('mirrors')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

async function main() {
  const count = envInt('BENCH_CD_MIRRORS', 5_000);
  const starShare = 0.9;
  const pushCount = Math.max(2, Math.round(count / 100));
  const github = await startGitHubDouble({ tokens: { [TOKEN]: 'bencher' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  const dataDir = join(ROOT, 'data', `bench-change-detection-${process.pid}`);
  try {
    say(`seeding ${count} real bare repositories`);
    let seeded = performance.now();
    const names = Array.from({ length: count }, (_, i) => `m${String(i).padStart(5, '0')}`);
    const repos = await seedRepos(github, 'fleet', names);
    const seedMs = performance.now() - seeded;
    const start = Date.now();
    const starred = new Set(repos.slice(0, Math.round(count * starShare)).map((r) => r.id));
    repos.forEach((r, i) => {
      // Last pushed before the bench began, a second apart; records, so listings skip the disk.
      const at = iso(start - 2 * 86_400_000 + i * 1_000);
      github.updateRepo(r.fullName, { pushedAt: at });
      r.size = 1;
      if (starred.has(r.id)) github.star('bencher', r.fullName, at);
    });
    await insertMirrors(handle, repos, starred, iso(start - MINUTE));
    seeded = performance.now() - seeded;
    say(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

    const clock = simClock(start);
    const config = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN: TOKEN,
      ONEDEV_URL: onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
      DATA_DIR: dataDir,
      SYNC_CONCURRENCY: '4',
      REFRESH_INTERVAL: '24h',
      CHANGE_POLL_INTERVAL: '5m',
      GITHUB_BUDGET_PER_HOUR: '200',
    });
    const services = buildServices(config, log, handle, { clock, worker: { pollMs: 50 } });
    const { sources } = services;
    const sweep = sources.refresh!;
    const changes = sources.changes!;
    await services.worker!.start();
    // Give every mirror its sweep slot (500 a tick) before the hour starts.
    for (let i = 0; i < Math.ceil(count / 500) + 1; i++) await sweep.tick();

    say('hour 1: change detection every 5 minutes + the refresh sweep at 24 h');
    const detection = await simulateHour({
      github,
      services,
      clock,
      start,
      pushes: schedulePushes(repos, starred, pushCount, 1),
      minutes: 60,
      step: async (minute) => {
        if (minute % 5 === 0) await changes.tick();
        return { lsRemotes: (await sweep.tick()).checked };
      },
    });
    say(`  ${JSON.stringify(detection)}`);

    // The baseline's cost is the same every 15 minutes: one interval is measured, times 4.
    say('baseline: every mirror compared with ls-remote every 15 minutes (one interval)');
    const baselineStart = start + 2 * 60 * MINUTE;
    await handle.db.updateTable('mirrors').set({ next_refresh_at: null }).execute();
    clock.set(baselineStart);
    const baselineRefresh = createRefresh({
      handle,
      clock,
      log,
      events: createSourcesEvents(),
      mirrors: services.mirrors,
      githubGitUrl: github.url,
      git: services.adapters.git,
      authorizationFor: services.adapters.credentials.authorizationFor,
      // A fixed schedule: every mirror every 15 minutes, as before the adaptive refresh.
      policy: { baseMs: 15 * MINUTE, minMs: 15 * MINUTE, maxMs: 15 * MINUTE },
      concurrency: 4,
      batch: count,
    });
    await baselineRefresh.tick(); // slots only
    const baseline = await simulateHour({
      github,
      services,
      clock,
      start: baselineStart,
      pushes: schedulePushes(repos, starred, Math.max(1, Math.round(pushCount / 4)), 2, 15),
      minutes: 15,
      step: async () => ({ lsRemotes: (await baselineRefresh.tick()).checked }),
    });
    say(`  ${JSON.stringify(baseline)}`);
    await services.worker!.stop(5_000);
    report({ count, starred: starred.size, seedMs, detection, baseline });
  } finally {
    await handle.destroy();
    await github.close();
    await onedev.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(r: {
  count: number;
  starred: number;
  seedMs: number;
  detection: HourResult;
  baseline: HourResult;
}) {
  const d = r.detection;
  // One 15-minute interval measured: an hour is four of them.
  const b = {
    ...r.baseline,
    restOk: r.baseline.restOk * 4,
    rest304: r.baseline.rest304 * 4,
    graphqlPoints: r.baseline.graphqlPoints * 4,
    graphqlQueries: r.baseline.graphqlQueries * 4,
    gitCommands: r.baseline.gitCommands * 4,
    lsRemotes: r.baseline.lsRemotes * 4,
  };
  const minutes = (ms: number) => `${(ms / MINUTE).toFixed(0)} min`;
  const points = d.restOk + d.graphqlPoints;
  const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const ratio = (a: number, base: number) =>
    base === 0 ? '—' : `${((a / base) * 100).toFixed(1)} %`;
  const section = `
## Change detection at ${r.count.toLocaleString('en')} mirrors — \`flock /tmp/heavy.lock node --import tsx bench/change-detection.ts\`

Run ${new Date().toISOString()} on ${process.platform}, Node ${process.version}. ${r.count.toLocaleString('en')} mirrors (${r.starred.toLocaleString('en')} of them the token user's stars, the rest added by hand), ${d.pushes} repositories pushed in a simulated hour (1 %); a quarter of that number in the baseline's measured 15 minutes.

| Per hour | Change detection + sweep at 24 h | Baseline: ls-remote of every mirror every 15 min | Ratio |
| --- | --- | --- | --- |
| REST requests counted by GitHub (304s apart) | ${d.restOk} (+ ${d.rest304} × 304) | ${b.restOk} (+ ${b.rest304} × 304) | — |
| GraphQL points (queries) | ${d.graphqlPoints} (${d.graphqlQueries}) | ${b.graphqlPoints} (${b.graphqlQueries}) | — |
| git commands to GitHub (all) | ${d.gitCommands} | ${b.gitCommands} | ${ratio(d.gitCommands, b.gitCommands)} |
| of which refresh ls-remotes | ${d.lsRemotes} | ${b.lsRemotes} | ${ratio(d.lsRemotes, b.lsRemotes)} |
| pushes synced into OneDev | ${d.synced} of ${d.pushes} | ${b.synced} of ${b.pushes} (in its 15 minutes) | — |
| longest push-to-OneDev delay (simulated) | ${minutes(d.maxDelayMs)} | ${minutes(b.maxDelayMs)} | — |

| Target | Measured | Verdict |
| --- | --- | --- |
| ≤ 200 API points an hour (REST requests + GraphQL points) | ${points} | ${pass(points <= 200)} |
| ≤ 500 git requests an hour | ${d.gitCommands} git commands (${d.lsRemotes} sweep ls-remotes, the rest the syncs' ls-remote and fetch) | ${pass(d.gitCommands <= 500)} |
| every push in OneDev within 15 minutes | ${d.synced} of ${d.pushes}, longest ${minutes(d.maxDelayMs)} | ${pass(d.synced === d.pushes && d.maxDelayMs <= 15 * MINUTE)} |

### Method

GitHub double on loopback with ${r.count.toLocaleString('en')} real bare repositories (\`seedRepos\`: one template's objects copied, ${(r.seedMs / 1000).toFixed(0)} s), each last pushed before the run (\`pushed_at\` kept as a record, so listings do not read the disk); a migrated SQLite database with one synced mirror row per repository; the service's own composition (\`buildServices\`: stars walk and GraphQL batches with \`GITHUB_BUDGET_PER_HOUR=200\`, the refresh at \`REFRESH_INTERVAL=24h\` standing in for the slow sweep, the sync worker at concurrency 4 into the OneDev double). A simulated clock moves a minute per step for 60 counted steps, then on (uncounted) until the hour's last pushes are synced; at each step that minute's pushes land (a real commit, and GitHub's \`pushed_at\` set to the simulated minute), change detection runs every fifth minute, the sweep every minute, and the workers finish what was asked before the clock moves. The baseline uses the same data with the refresh at a 15-minute interval and no change detection; its cost is the same in each 15-minute interval, so one interval is measured (with a quarter of the hour's pushes) and multiplied by 4. Requests are counted at the double: REST answers (a 304 costs no rate limit), GraphQL points as GitHub prices them, and git commands as \`info/refs\` advertisements (each ls-remote or fetch starts with one). Delays are simulated time from a push's minute to its sync finishing, so they measure the schedule, not this machine's speed. Wall time: ${(d.wallMs / 1000).toFixed(0)} s for the detection hour, ${(r.baseline.wallMs / 1000).toFixed(0)} s for the baseline's 15 minutes.
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

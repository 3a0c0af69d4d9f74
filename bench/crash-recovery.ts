import SqliteDatabase from 'better-sqlite3';
import { startGitHubDouble } from '../tests/support/github-double/index.js';
import { seedRepos } from '../tests/support/github-double/seed.js';
import { type OneDevDouble, startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { killProcessTree } from '../tests/support/process-tree.js';
import { type ServiceProcess, startServiceProcess } from '../tests/support/service-process.js';
import { sendWebhook, webhookExample, withRepository } from '../tests/support/webhooks.js';
import { type BenchSection, log, median, seconds, table, tempDir } from './support.js';

const GITHUB_TOKEN = 'ghp_benchCrashRecoveryToken_0123456789';
const SECRET = 'bench-crash-webhook-secret';
const MIRRORS = 5;
const REPS = 3;
/** How long OneDev holds each push's start, so the kill lands while all five are mid-push. */
const HOLD_MS = 3_000;
const TARGET_MS = 5_000;

const isPushStart = (r: { method: string; path: string; query: string }) =>
  r.method === 'GET' && r.path.endsWith('/info/refs') && r.query === '?service=git-receive-pack';

interface Rep {
  /** Readiness (the restarted service listens) → every mirror synced. */
  recoveryMs: number;
  /** Webhooks accepted → every mirror synced, on a clean start with nothing to recover. */
  cleanMs: number;
}

async function until(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function statuses(dbPath: string): string[] {
  const db = new SqliteDatabase(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('select status from mirrors').all() as Array<{ status: string }>).map(
      (r) => r.status,
    );
  } finally {
    db.close();
  }
}

const allSynced = (dbPath: string) => {
  const all = statuses(dbPath);
  return all.length === MIRRORS && all.every((s) => s === 'synced');
};

async function star(service: ServiceProcess, repos: Array<{ id: number; name: string }>) {
  for (const repo of repos) {
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: repo.id,
      owner: 'octocat',
      name: repo.name,
    });
    const answer = await sendWebhook(`${service.url}/webhooks/github`, {
      event: 'watch',
      payload,
      secret: SECRET,
    });
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
  }
}

/** One repetition: a clean run of five new mirrors, then a kill mid-push and a restart. */
async function oneRep(rep: number): Promise<Rep> {
  const github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
  let onedev: OneDevDouble | undefined;
  const dir = tempDir('starbridge-bench-crash-');
  const running: ServiceProcess[] = [];
  try {
    const env = (name: string) => ({
      DATABASE_URL: `sqlite:${dir.path}/${name}.db`,
      DATA_DIR: `${dir.path}/${name}-data`,
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN,
      GITHUB_WEBHOOK_SECRET: SECRET,
      ONEDEV_URL: onedev?.url ?? '',
      ONEDEV_TOKEN: TOKENS.admin,
      SYNC_CONCURRENCY: String(MIRRORS),
      // Ten minutes: a restart that waited for the leases to expire would show at once.
      SYNC_LEASE: '10m',
    });

    // Baseline: the same five mirrors synced by a service that has nothing to recover.
    onedev = await startOneDevDouble(STANDARD_CAST);
    const cleanRepos = await seedRepos(github, 'octocat', names('clean', rep));
    const clean = await startServiceProcess({ cwd: dir.path, env: env('clean') });
    running.push(clean);
    const cleanStart = performance.now();
    await star(clean, cleanRepos);
    await until('the clean run', () => allSynced(`${dir.path}/clean.db`));
    const cleanMs = performance.now() - cleanStart;
    await clean.stop('SIGTERM');
    await onedev.close();

    // Recovery: every push held at its start, the service killed with all five in flight.
    onedev = await startOneDevDouble(STANDARD_CAST);
    const crashRepos = await seedRepos(github, 'octocat', names('crash', rep));
    onedev.faults.latency(HOLD_MS, { scope: 'git', times: MIRRORS, match: isPushStart });
    const first = await startServiceProcess({ cwd: dir.path, env: env('crash') });
    running.push(first);
    await star(first, crashRepos);
    const double = onedev;
    await until(
      'five pushes in flight',
      () => double.requests.filter((r) => isPushStart(r) && r.status === undefined).length === 5,
    );
    killProcessTree(first.child.pid ?? 0);
    await first.exited;
    const second = await startServiceProcess({ cwd: dir.path, env: env('crash') });
    running.push(second);
    const ready = performance.now();
    await until('the recovery', () => allSynced(`${dir.path}/crash.db`));
    const recoveryMs = performance.now() - ready;
    await second.stop('SIGTERM');
    return { recoveryMs, cleanMs };
  } finally {
    for (const service of running)
      if (service.child.exitCode === null) await service.stop('SIGKILL');
    await Promise.all([github.close(), onedev?.close()]);
    dir.remove();
  }
}

function names(kind: string, rep: number): string[] {
  return Array.from({ length: MIRRORS }, (_, i) => `${kind}-${rep}-${i}`);
}

/** Time from a restart after SIGKILL (five mirrors mid-push) to all five synced. */
export async function runCrashRecovery(): Promise<BenchSection> {
  const reps: Rep[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const result = await oneRep(rep);
    log(
      `rep ${rep + 1}: recovery ${seconds(result.recoveryMs)}, clean run ${seconds(result.cleanMs)}`,
    );
    reps.push(result);
  }
  const recovery = median(reps.map((r) => r.recoveryMs));
  const clean = median(reps.map((r) => r.cleanMs));
  return {
    id: 'crash-recovery',
    title: 'Recovery after a crash',
    targets: [
      {
        name: 'Restart to all synced (5 mirrors killed mid-push, SQLite)',
        target: `≤ ${seconds(TARGET_MS, 0)} after readiness`,
        measured: `${seconds(recovery)} (median of ${REPS})`,
        ratio: `${(recovery / clean).toFixed(2)} × a clean sync of the same five`,
        pass: recovery <= TARGET_MS,
      },
    ],
    details: table(
      ['Rep', 'Readiness → all synced', 'Clean run: webhooks → all synced'],
      reps.map((r, i) => [String(i + 1), seconds(r.recoveryMs), seconds(r.cleanMs)]),
    ),
    method: [
      `Five starred repositories (one small commit each) are requested by webhook from a service`,
      `run as an operator runs it (\`starbridge serve\`, SQLite, \`SYNC_LEASE=10m\`,`,
      `\`SYNC_CONCURRENCY=5\`) against the GitHub and OneDev doubles. The OneDev double holds each`,
      `push's start for ${HOLD_MS / 1000} s; once all five pushes are in flight the service and its`,
      `git children are killed with SIGKILL and the service is started again on the same`,
      `\`DATA_DIR\`. Measured: from the restarted service's readiness (it listens) until every mirror`,
      `is \`synced\` (read from the database every 20 ms). Baseline, same run: a clean service syncing`,
      `five new mirrors from their webhooks with nothing to recover. Without the instance identity the`,
      `restart would wait for the ten-minute lease.`,
    ].join('\n'),
  };
}

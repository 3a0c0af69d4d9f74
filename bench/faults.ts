import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { requestSync } from '../src/mirrors/mirrors.repo.js';
import { buildServices } from '../src/services.js';
import { createLogger } from '../src/shared/logger.js';
import { Redactor } from '../src/shared/redact.js';
import { createBareRepo, generateLargeRepo } from '../tests/support/git-repos.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb } from '../tests/support/test-db.js';
import { insertManualMirror } from './first-mirror.js';
import { startSourceGitServer } from './source-git-server.js';
import {
  type BenchSection,
  envInt,
  forEachLimit,
  log,
  median,
  seconds,
  table,
  tempDir,
} from './support.js';

const OWNER = 'faults';
const name = (i: number) => `repo-${String(i + 1).padStart(3, '0')}`;
/** Shares of OneDev REST calls answered with a plain 500; 0 is the baseline of the same run. */
const SHARES = [0, 0.3, 0.5] as const;

interface PassResult {
  share: number;
  ms: number;
  synced: number;
  failed: number;
  /** Runs that ended in a durable retry (a fault that outlived the quick retries). */
  retries: number;
  /** OneDev REST requests answered 500. */
  faults: number;
  circuitOpens: number;
}

/**
 * Convergence under OneDev REST faults: `count` new mirrors synced through the service's own
 * composition (workers, quick retries, upstream circuits) while 30 % and 50 % of OneDev's
 * REST calls answer 500, against the same run with no faults. Each pass starts from an
 * empty OneDev and database; rounds rotate the order.
 */
export async function runFaults(): Promise<BenchSection> {
  const count = envInt('BENCH_FAULTS_MIRRORS', 20);
  const rounds = envInt('BENCH_FAULTS_ROUNDS', 3);
  const work = tempDir('faults');
  const srcRoot = join(work.path, 'src');
  const source = await startSourceGitServer(srcRoot);
  try {
    log(`faults: creating ${count} small source repositories`);
    await forEachLimit(
      Array.from({ length: count }, (_, i) => i),
      8,
      async (i) => {
        const path = await createBareRepo(srcRoot, `${OWNER}/${name(i)}.git`);
        await generateLargeRepo(path, { commits: 10, branches: 2, tags: 2, files: 5 });
      },
    );
    const results: PassResult[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < SHARES.length; i++) {
        const share = SHARES[(round + i) % SHARES.length] as number;
        const pass = await convergePass(
          share,
          count,
          source.url,
          join(work.path, `r${round}-${i}`),
        );
        results.push(pass);
        log(`faults: round ${round + 1}, ${share * 100} % faults: ${seconds(pass.ms)}`);
      }
    }
    return report(count, rounds, results);
  } finally {
    await source.close();
    work.remove();
  }
}

/** One pass: a fresh OneDev and database, `count` mirrors requested at once, timed until all synced. */
async function convergePass(
  share: number,
  count: number,
  sourceUrl: string,
  dataDir: string,
): Promise<PassResult> {
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  const config = loadConfig({
    GITHUB_GIT_URL: sourceUrl,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    DATA_DIR: dataDir,
    CONTAINER_SOCKET: '',
  });
  const logger = createLogger({ level: 'silent' });
  const services = buildServices(config, logger, handle, {
    redactor: new Redactor([TOKENS.admin]),
    worker: { pollMs: 50 },
  });
  const worker = services.worker;
  if (!worker) throw new Error('OneDev not configured');
  try {
    const ids = Array.from({ length: count }, (_, i) => 8_000_001 + i);
    for (const [i, githubId] of ids.entries()) {
      await insertManualMirror(handle, {
        githubId,
        owner: OWNER,
        name: name(i),
        defaultBranch: 'main',
      });
    }
    if (share > 0) onedev.faults.serverError({ scope: 'rest', share, seed: 7 });
    await worker.start();
    const started = performance.now();
    for (const githubId of ids) await requestSync(handle.db, githubId, new Date().toISOString());
    worker.wake();
    const settled = await waitSettled(handle, count, 600_000);
    const ms = performance.now() - started;
    return {
      share,
      ms,
      ...settled,
      faults: onedev.requests.filter((r) => r.kind === 'rest' && r.status === 500).length,
      circuitOpens: services.circuits.views().find((v) => v.upstream === 'onedev')?.opens ?? 0,
    };
  } finally {
    await services.stop(5_000);
    await handle.destroy();
    await onedev.close();
  }
}

/** Polls the mirrors until every one is synced or failed. */
async function waitSettled(
  handle: Awaited<ReturnType<typeof createTestDb>>,
  count: number,
  timeoutMs: number,
): Promise<{ synced: number; failed: number; retries: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await handle.db.selectFrom('mirrors').select(['status', 'attempts']).execute();
    const synced = rows.filter((r) => r.status === 'synced').length;
    const failed = rows.filter((r) => r.status === 'failed').length;
    if (synced + failed === count) {
      const retried = await handle.db
        .selectFrom('sync_runs')
        .select('id')
        .where('result', '=', 'retrying')
        .execute();
      return { synced, failed, retries: retried.length };
    }
    if (Date.now() > deadline) throw new Error(`faults: ${synced}/${count} synced in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function report(count: number, rounds: number, results: PassResult[]): BenchSection {
  const byShare = (share: number) => results.filter((r) => r.share === share);
  const medianMs = (share: number) => median(byShare(share).map((r) => r.ms));
  const baseline = medianMs(0);
  const targets = [0.3, 0.5].map((share) => {
    const passes = byShare(share);
    const ratio = medianMs(share) / baseline;
    const allSynced = passes.every((p) => p.synced === count && p.failed === 0);
    return {
      name: `Convergence with ${share * 100} % OneDev REST faults`,
      target: `all ${count} mirrors synced, none failed`,
      measured: `${seconds(medianMs(share))} (median of ${passes.length})`,
      ratio: `${ratio.toFixed(2)}× the fault-free run`,
      pass: allSynced,
    };
  });
  const rows = results.map((r) => [
    `${r.share * 100} %`,
    seconds(r.ms),
    `${r.synced}/${count}`,
    String(r.failed),
    String(r.retries),
    String(r.faults),
    String(r.circuitOpens),
  ]);
  return {
    id: 'faults',
    title: 'Convergence under OneDev REST faults',
    targets,
    details: table(
      ['Faults', 'Time', 'Synced', 'Failed', 'Durable retries', '500s answered', 'Circuit opens'],
      rows,
    ),
    method: [
      `${count} new mirrors of small repositories (10 commits, 2 branches, 2 tags) are`,
      'requested at once and synced by the service as `buildServices` composes it (workers,',
      'quick retries, upstream circuits; default `SYNC_CONCURRENCY`), into the OneDev test',
      'double answering a seeded random 30 % or 50 % of its REST calls with a plain 500. Each',
      'pass starts from an empty OneDev and database; the ratio is the median time against the',
      `median of the fault-free passes in the same run (${rounds} rounds, order rotated).`,
      '"Durable retries" counts runs that ended `retrying` (a fault that outlived the quick',
      'retries, or a wait for an open circuit).',
    ].join(' '),
  };
}

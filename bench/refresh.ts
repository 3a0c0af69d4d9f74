import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createGitEngine } from '../src/git/git.adapter.js';
import { mirrorCacheDir } from '../src/git/git-cache.js';
import { requestSync } from '../src/mirrors/mirrors.repo.js';
import { createOneDevClient } from '../src/onedev/onedev.client.js';
import { buildServices } from '../src/services.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { Redactor } from '../src/shared/redact.js';
import { createSyncWorker, type SyncWorker } from '../src/sync/sync.worker.js';
import { syncMirror } from '../src/sync/sync-mirror.js';
import { createBareRepo, generateLargeRepo } from '../tests/support/git-repos.js';
import { type OneDevDouble, startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb } from '../tests/support/test-db.js';
import { insertManualMirror } from './first-mirror.js';
import { type SourceGitServer, startSourceGitServer } from './source-git-server.js';
import {
  type BenchSection,
  envInt,
  forEachLimit,
  log,
  median,
  PhaseClock,
  seconds,
  table,
  tempDir,
  timed,
} from './support.js';

const TARGET_MS = 30_000;
const OWNER = 'refresh';

type PassKind = 'worker' | 'direct' | 'plain';

interface PassResult {
  kind: PassKind;
  ms: number;
  results: Record<string, number>;
  source: Record<string, number>;
  onedev: Record<string, number>;
  /** Engine calls (direct pass only). */
  calls?: Record<string, number>;
}

/**
 * Target 4: a refresh of 200 mirrors whose sources did not change. Each must end after
 * one ls-remote of the source and one of OneDev (drift): no fetch, no push, no REST call.
 */
export async function runRefresh(): Promise<BenchSection> {
  const count = envInt('BENCH_REFRESH_MIRRORS', 200);
  const rounds = envInt('BENCH_REFRESH_ROUNDS', 3);
  const work = tempDir('refresh');
  const srcRoot = join(work.path, 'src');
  const source = await startSourceGitServer(srcRoot);
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'warn',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const config = loadConfig({
    GITHUB_GIT_URL: source.url,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    DATA_DIR: join(work.path, 'data'),
  });
  const redactor = new Redactor([TOKENS.admin]);
  const { execute } = buildServices(config, logger, handle, { redactor });
  if (!execute) throw new Error('OneDev not configured');
  let worker: SyncWorker | undefined;
  try {
    log(`refresh: creating ${count} small source repositories`);
    const ids = Array.from({ length: count }, (_, i) => 9_000_001 + i);
    const name = (i: number) => `repo-${String(i + 1).padStart(3, '0')}`;
    await forEachLimit(ids, 8, async (_, i) => {
      const path = await createBareRepo(srcRoot, `${OWNER}/${name(i)}.git`);
      await generateLargeRepo(path, { commits: 20, branches: 3, tags: 4, files: 5 });
    });
    for (const [i, githubId] of ids.entries()) {
      await insertManualMirror(handle, {
        githubId,
        owner: OWNER,
        name: name(i),
        defaultBranch: 'main',
      });
    }

    // The service's own composition: buildServices' sync + createSyncWorker, default concurrency.
    worker = createSyncWorker({
      handle,
      clock: systemClock,
      log: logger,
      concurrency: config.sync.concurrency,
      maxAttempts: config.sync.maxAttempts,
      leaseMs: config.sync.leaseMs,
      execute: execute,
    });
    const finished: string[] = [];
    let waiter: (() => void) | undefined;
    worker.events.on('sync:finished', (event) => {
      finished.push(event.result);
      if (finished.length >= count) waiter?.();
    });
    const allFinished = (timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        if (finished.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`only ${finished.length}/${count} syncs finished`)),
          timeoutMs,
        );
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });

    log(`refresh: first mirror of all ${count} (setup, untimed)`);
    const setupStarted = performance.now();
    await worker.start();
    worker.wake();
    await allFinished(600_000);
    const setupMs = performance.now() - setupStarted;
    const setupResults = tally(finished);
    if (setupResults.synced !== count) {
      throw new Error(`setup: ${JSON.stringify(setupResults)}\n${logLines.slice(0, 5).join('')}`);
    }

    const rows = await handle.db.selectFrom('mirrors').selectAll().orderBy('github_id').execute();
    const urls = rows.map((r) => `${config.github.gitUrl}/${r.owner}/${r.name}.git`);
    const clock = new PhaseClock();
    const git = timed(
      createGitEngine({ homeDir: join(work.path, 'data', 'git-home'), allowHttp: true, redactor }),
      clock,
      (method, args) =>
        `git ${method}${method === 'lsRemote' ? ` ${String((args[0] as { url: string }).url).startsWith(onedev.url) ? 'OneDev' : 'source'}` : ''}`,
    );
    const client = timed(
      createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin }),
      clock,
      (method) => `OneDev REST ${method}`,
    );
    const running = worker;

    /** Every mirror asked to sync again through the worker, as a refresh does. */
    const workerPass = async (): Promise<PassResult> => {
      clearLogs(source, onedev);
      finished.length = 0;
      const started = performance.now();
      for (const githubId of ids) {
        await requestSync(handle.db, githubId, new Date().toISOString());
        running.wake();
      }
      await allFinished(600_000);
      return {
        kind: 'worker',
        ms: performance.now() - started,
        results: tally(finished),
        source: sourceCounts(source),
        onedev: onedevCounts(onedev),
      };
    };
    /** syncMirror over the rows read back from the database, one at a time, calls counted. */
    const directPass = async (): Promise<PassResult> => {
      clearLogs(source, onedev);
      clock.reset();
      const current = await handle.db
        .selectFrom('mirrors')
        .selectAll()
        .orderBy('github_id')
        .execute();
      const results: string[] = [];
      const started = performance.now();
      for (const row of current) {
        const result = await syncMirror(row, {
          git,
          onedev: client,
          githubGitUrl: config.github.gitUrl,
          onedevRoot: config.onedev!.rootProject,
          cacheDir: (githubId) => mirrorCacheDir(config.dataDir, githubId),
        });
        results.push(result.result);
      }
      return {
        kind: 'direct',
        ms: performance.now() - started,
        results: tally(results),
        source: sourceCounts(source),
        onedev: onedevCounts(onedev),
        calls: Object.fromEntries(clock.entries().map((e) => [e.phase, e.calls])),
      };
    };
    /** Baseline: plain `git ls-remote` of every source, one after another, from a shell loop. */
    const plainPass = async (): Promise<PassResult> => {
      clearLogs(source, onedev);
      const started = performance.now();
      await plainLsRemotes(urls, work.path);
      return {
        kind: 'plain',
        ms: performance.now() - started,
        results: {},
        source: sourceCounts(source),
        onedev: onedevCounts(onedev),
      };
    };

    // Rounds with the order rotated, so a burst of other work on the machine does not
    // land on one kind of pass only.
    const passes = [workerPass, directPass, plainPass];
    const results: PassResult[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < passes.length; i++) {
        const pass = await passes[(round + i) % passes.length]!();
        results.push(pass);
        log(`refresh: round ${round + 1}, ${pass.kind} pass ${seconds(pass.ms)}`);
      }
    }
    return report(count, rounds, setupMs, results, config.sync.concurrency);
  } finally {
    await worker?.stop(5_000);
    await handle.destroy();
    await Promise.all([source.close(), onedev.close()]);
    work.remove();
  }
}

/** `for url; do git ls-remote "$url"; done` with no git configuration. */
function plainLsRemotes(urls: string[], home: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = 'for url do git ls-remote "$url" >/dev/null || exit 1; done';
    const child = spawn('sh', ['-c', script, 'sh', ...urls], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ls-remote loop failed: ${stderr}`)),
    );
  });
}

function clearLogs(source: SourceGitServer, onedev: OneDevDouble): void {
  source.requests.length = 0;
  onedev.resetRecords();
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function sourceCounts(source: SourceGitServer): Record<string, number> {
  return tally(
    source.requests.map((r) => {
      const tail = r.path.split('/').pop();
      if (r.method === 'GET' && tail === 'refs') return `GET info/refs?service=${r.service}`;
      if (r.method === 'POST') return `POST ${tail} (command=${r.command ?? 'unread'})`;
      return `${r.method} ${tail}`;
    }),
  );
}

function onedevCounts(onedev: OneDevDouble): Record<string, number> {
  return tally(
    onedev.requests.map((r) => {
      if (r.kind === 'git') {
        const tail = r.path.split('/').pop();
        return `git ${r.method} ${tail}${r.query}`;
      }
      return `${r.kind} ${r.method}`;
    }),
  );
}

function describe(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}: ${n}`).join('<br>');
}

function report(
  count: number,
  rounds: number,
  setupMs: number,
  passes: PassResult[],
  concurrency: number,
): BenchSection {
  const clean = (p: PassResult) => {
    const transfers = Object.entries(p.source).filter(
      ([k]) => !(k === 'GET info/refs?service=git-upload-pack' || k.includes('command=ls-refs')),
    );
    const lsRemotes = p.source['GET info/refs?service=git-upload-pack'] ?? 0;
    const synced = p.kind === 'plain' || p.results.unchanged === count;
    // Each unchanged mirror lists OneDev once too (drift): an ls-remote, no REST, no push.
    const onedevLsRemote = (k: string) =>
      (k.startsWith('git GET refs') && k.endsWith('service=git-upload-pack')) ||
      k === 'git POST git-upload-pack';
    const onedevClean =
      p.kind === 'plain'
        ? Object.keys(p.onedev).length === 0
        : Object.entries(p.onedev).every(([k, n]) => onedevLsRemote(k) && n === count);
    return synced && transfers.length === 0 && lsRemotes === count && onedevClean;
  };
  const of = (kind: PassKind) => passes.filter((p) => p.kind === kind);
  const time = (kind: PassKind) => median(of(kind).map((p) => p.ms));
  const worker = time('worker');
  const direct = time('direct');
  const plain = time('plain');
  const allClean = passes.every(clean);
  const label: Record<PassKind, string> = {
    worker: `worker (requestSync, concurrency ${concurrency}) — the target`,
    direct: 'syncMirror over the rows, sequential',
    plain: 'baseline: plain `git ls-remote` loop (sh)',
  };
  const rows = passes.map((p, i) => [
    String(Math.floor(i / 3) + 1),
    label[p.kind],
    seconds(p.ms),
    `${(p.ms / count).toFixed(1)} ms`,
    p.kind === 'plain' ? '' : describe(p.results),
    describe(p.source),
    describe(p.onedev),
    clean(p) ? 'yes' : '**NO**',
  ]);
  const medians = (['worker', 'direct', 'plain'] as const).map((kind) => [
    label[kind],
    seconds(time(kind)),
    `${(time(kind) / count).toFixed(1)} ms`,
    `${(time(kind) / plain).toFixed(2)} ×`,
  ]);
  const calls = of('direct')[0]?.calls ?? {};
  const details = [
    table(['Pass', 'Median time', 'Per mirror', 'vs plain loop'], medians),
    '',
    `Every pass, in the order run (${rounds} rounds, order rotated each round):`,
    '',
    table(
      [
        'Round',
        'Pass',
        'Time',
        'Per mirror',
        'Sync results',
        'Requests at the source',
        'Requests at OneDev',
        'ls-remote only',
      ],
      rows,
    ),
    '',
    `Engine calls in one direct pass: ${describe(calls)}.`,
    '',
    `Setup (untimed): the first mirror of all ${count} repositories through the same worker took ${seconds(setupMs)}.`,
    '',
    'Git speaks protocol v2 by default, so one `git ls-remote` over smart HTTP is two requests: `GET info/refs?service=git-upload-pack` (capabilities) and `POST git-upload-pack` carrying `command=ls-refs` (the ref list). The source server reads the command out of every POST body; a fetch would show up as `command=fetch`, a push as `git-receive-pack`. An unchanged mirror costs Starbridge one such ls-remote of the source and, at the same time, one of the OneDev mirror (to find drift: changes made in OneDev), and nothing else — no REST call, no fetch, no push — so a refresh can only be as fast as that many ls-remotes: compare with the plain loop, which lists the sources only.',
  ].join('\n');
  const method = [
    `${count} small repositories (20 commits, 3 extra branches, 4 tags each, generated with \`generateLargeRepo\`) are served by a loopback smart-HTTP server (\`bench/source-git-server.ts\`: real \`git http-backend\` like \`tests/support/git-server.ts\`, plus a log of the command in each POST). A migrated SQLite database (\`createTestDb('sqlite')\`) holds one mirror row each. Setup, untimed: the service's own composition (\`buildServices\` sync + \`createSyncWorker\`, default \`SYNC_CONCURRENCY\` = ${concurrency}) mirrors all of them into the OneDev double.`,
    `Then ${rounds} rounds of three passes, the request logs of the source and of the OneDev double cleared before each pass and counted after it. **Worker pass (the target)**: \`requestSync\` for every mirror (waking the worker, as the service does) until the worker has reported all ${count} syncs finished. **Direct pass**: the ${count} rows are read back from the database and \`syncMirror\` runs over them one after another, with the git engine and OneDev client wrapped to count calls. **Baseline**: a shell loop running plain \`git ls-remote <url>\` for the same ${count} sources one after another (no Node, no database). Medians over the rounds. The source server runs on the same machine, so each ls-remote also pays for its two \`git http-backend\` processes (work GitHub would do elsewhere); the baseline pays the same.`,
  ].join('\n\n');
  return {
    id: 'refresh',
    title: `Refresh of ${count} unchanged mirrors`,
    details,
    method,
    targets: [
      {
        name: `Refresh of ${count} unchanged mirrors`,
        target: `≤ ${TARGET_MS / 1000} s, one ls-remote of the source and one of OneDev per mirror (no fetch, no push, no REST call)`,
        measured: `${seconds(worker)} through the worker, median of ${rounds} (${seconds(direct)} sequential); ${allClean ? 'ls-remotes only in every pass' : '**other requests seen**'}`,
        ratio: `worker ${(worker / plain).toFixed(2)} ×, sequential ${(direct / plain).toFixed(2)} × plain ls-remote loop (${seconds(plain)})`,
        pass: worker <= TARGET_MS && allClean,
      },
    ],
  };
}

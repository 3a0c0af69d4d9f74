import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MirrorRow } from '../src/db/schema/index.js';
import { createGitEngine } from '../src/git/git.adapter.js';
import { recordOneDevProject } from '../src/mirrors/mirrors.repo.js';
import { createOneDevClient } from '../src/onedev/onedev.client.js';
import { Redactor } from '../src/shared/redact.js';
import { type SyncDeps, syncMirror } from '../src/sync/sync-mirror.js';
import { generateLargeRepo, RepoBuilder, readRefs } from '../tests/support/git-repos.js';
import { type GitServer, startGitServer } from '../tests/support/git-server.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb } from '../tests/support/test-db.js';
import { checkMirror, headsAndTags, insertManualMirror, recordSynced } from './first-mirror.js';
import { type BenchSection, envInt, int, log, median, seconds, table, tempDir } from './support.js';

const OWNER = 'bench';
const NAME = 'replica';
/** A new replica may take at most this share of a full clone's bytes from the source. */
const TARGET_BYTES_SHARE = 0.05;

interface Rep {
  /** The new replica's sync: its cache filled from OneDev, one new commit from the source. */
  replicaMs: number;
  replicaBytes: number;
  /** Baseline: `git clone --mirror` of the source, what a replica without seeding fetches. */
  cloneMs: number;
  cloneBytes: number;
}

const sourceBytes = (source: GitServer, from: number) =>
  source.requests.slice(from).reduce((sum, r) => sum + r.bytesSent, 0);

function gitClone(url: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['clone', '--mirror', '--quiet', '--', url, dir], {
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`clone: ${code}`))));
  });
}

/**
 * A new replica (or one whose DATA_DIR was lost) syncing a large mirror that OneDev already
 * holds: bytes taken from the source and time, against a fresh `git clone --mirror`.
 */
export async function runReplicaSeed(): Promise<BenchSection> {
  const shape = {
    commits: envInt('BENCH_REPO_COMMITS', 5000),
    branches: envInt('BENCH_REPO_BRANCHES', 50),
    tags: envInt('BENCH_REPO_TAGS', 200),
    bytesPerCommit: envInt('BENCH_LARGE_BYTES_PER_COMMIT', 49_152),
  };
  const reps = envInt('BENCH_REPLICA_REPS', 3);
  const work = tempDir('replica-seed');
  const srcRoot = join(work.path, 'src');
  const builder = await RepoBuilder.create(srcRoot, `${OWNER}/${NAME}.git`);
  log(
    `replica-seed: generating ${int(shape.commits)} commits of ${int(shape.bytesPerCommit)} bytes`,
  );
  const large = await generateLargeRepo(builder.path, shape);
  const objects = await builder.git(['count-objects', '-v']);
  // GitHub is across the internet, OneDev on the local network: the source answers no faster
  // than a link of BENCH_GITHUB_MBITS (100 Mbit/s unless set), OneDev's double at loopback speed.
  const mbits = envInt('BENCH_GITHUB_MBITS', 100);
  const source = await startGitServer({ root: srcRoot, bytesPerSecond: (mbits * 1_000_000) / 8 });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  const git = createGitEngine({
    homeDir: join(work.path, 'git-home'),
    allowHttp: true,
    redactor: new Redactor([TOKENS.admin]),
  });
  const client = createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin });
  const depsFor = (mirror: MirrorRow, cacheRoot: string): SyncDeps => ({
    git,
    onedev: client,
    githubGitUrl: source.url,
    onedevRoot: 'github',
    cacheDir: (githubId) => join(work.path, cacheRoot, `${githubId}.git`),
    onProject: (project) =>
      recordOneDevProject(handle.db, mirror.github_id, project, new Date().toISOString()),
  });

  try {
    const githubId = 9_100_000;
    let mirror = await insertManualMirror(handle, {
      githubId,
      owner: OWNER,
      name: NAME,
      defaultBranch: large.defaultBranch,
    });
    log('replica-seed: first mirror (the replica that already runs)');
    const first = await syncMirror(mirror, depsFor(mirror, 'cache-first'));
    mirror = await recordSynced(handle, githubId, first);

    const runs: Rep[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      await builder.commit(large.defaultBranch);
      const expected = headsAndTags(await readRefs(builder.path));

      const cloneDir = tempDir('replica-clone');
      let from = source.requests.length;
      let started = performance.now();
      await gitClone(`${source.url}/${OWNER}/${NAME}.git`, join(cloneDir.path, 'c.git'));
      const cloneMs = performance.now() - started;
      const cloneBytes = sourceBytes(source, from);
      cloneDir.remove();

      // A replica that has never seen this mirror: an empty cache of its own.
      from = source.requests.length;
      started = performance.now();
      const result = await syncMirror(mirror, depsFor(mirror, `cache-replica-${rep}`));
      const replicaMs = performance.now() - started;
      const replicaBytes = sourceBytes(source, from);
      await checkMirror(onedev.refs(result.onedev.path), expected, `replica rep ${rep}`);
      if (result.result !== 'synced') throw new Error(`replica sync was ${result.result}`);
      mirror = await recordSynced(handle, githubId, result);
      runs.push({ replicaMs, replicaBytes, cloneMs, cloneBytes });
      log(
        `replica-seed rep ${rep}: replica ${seconds(replicaMs)} / ${int(replicaBytes)} B, clone ${seconds(cloneMs)} / ${int(cloneBytes)} B`,
      );
    }
    return report(runs, objects, mbits);
  } finally {
    await handle.destroy();
    await Promise.all([source.close(), onedev.close()]);
    work.remove();
  }
}

function report(runs: Rep[], objects: string, mbits: number): BenchSection {
  const replicaMs = median(runs.map((r) => r.replicaMs));
  const cloneMs = median(runs.map((r) => r.cloneMs));
  const share = median(runs.map((r) => r.replicaBytes / r.cloneBytes));
  const packKiB = Number(/size-pack: (\d+)/.exec(objects)?.[1]);
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return {
    id: 'replica-seed',
    title: 'A new replica syncing a mirror OneDev already holds',
    targets: [
      {
        name: 'Bytes a new replica takes from GitHub',
        target: `≤ ${TARGET_BYTES_SHARE * 100} % of a fresh clone`,
        measured: `${int(median(runs.map((r) => r.replicaBytes)))} B (median)`,
        ratio: `${(share * 100).toFixed(2)} % of ${mib(median(runs.map((r) => r.cloneBytes)))}`,
        pass: share <= TARGET_BYTES_SHARE,
      },
      {
        name: 'Time of that sync',
        target: 'faster than a fresh clone',
        measured: `${seconds(replicaMs)} (median)`,
        ratio: `${(replicaMs / cloneMs).toFixed(2)} × \`git clone --mirror\` (${seconds(cloneMs)})`,
        pass: replicaMs < cloneMs,
      },
    ],
    details: table(
      ['Rep', 'Replica sync', 'Bytes from source', 'git clone --mirror', 'Bytes from source'],
      runs.map((r, i) => [
        String(i + 1),
        seconds(r.replicaMs),
        int(r.replicaBytes),
        seconds(r.cloneMs),
        int(r.cloneBytes),
      ]),
    ),
    method: [
      `The repository of the first-mirror-large benchmark (${(packKiB / 1024).toFixed(1)} MiB packed) is served by`,
      'a smart-HTTP git server (the real `git http-backend`), which counts the bytes of every',
      `answer and sends no faster than ${mbits} Mbit/s (GitHub is across the internet; the OneDev`,
      'double, on the local network, answers at loopback speed). Starbridge mirrors it once into the OneDev double. Each rep adds one commit to the',
      'source, then (a) times `git clone --mirror` of the source — what a replica without a cache',
      'fetched before — and (b) runs the sync as a replica with an empty cache would: the cache is',
      "filled from the mirror's OneDev project, and only the new commit comes from the source.",
      'Both bytes and time are measured in the same run.',
    ].join('\n'),
  };
}

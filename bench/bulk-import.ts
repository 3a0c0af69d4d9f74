import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { readRefs } from '../tests/support/git-repos.js';
import { startGitHubDouble } from '../tests/support/github-double/index.js';
import { seedRepos } from '../tests/support/github-double/seed.js';
import { type OneDevDouble, startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { api, createBody, STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { startServiceProcess } from '../tests/support/service-process.js';
import { checkMirror, headsAndTags } from './first-mirror.js';
import { loadAverage } from './machine.js';
import {
  type BenchSection,
  envInt,
  forEachLimit,
  int,
  log,
  ROOT,
  seconds,
  table,
  tempDir,
} from './support.js';

const TOKEN = 'ghp_benchBulkImportToken00000000000000000';
const USER = 'bencher';
const OWNER = 'fleet';
/** Starbridge may take at most this many times the plain parallel script. */
const TARGET_RATIO = 1.5;
/** The REST calls a first import may spend per starred repository. */
const TARGET_REST_PER_REPO = 3;

/** What one side of the benchmark cost, counted on the doubles. */
interface Side {
  ms: number;
  githubRest: number;
  githubGit: number;
  onedevRest: number;
  onedevGit: number;
}

interface Doubles {
  github: Awaited<ReturnType<typeof startGitHubDouble>>;
  onedev: OneDevDouble;
}

function counts(d: Doubles, ms: number): Side {
  const of = <T extends { kind: string }>(list: readonly T[], kind: string) =>
    list.filter((r) => r.kind === kind).length;
  return {
    ms,
    githubRest: of(d.github.requests, 'rest'),
    githubGit: of(d.github.requests, 'git'),
    onedevRest: of(d.onedev.requests, 'rest'),
    onedevGit: of(d.onedev.requests, 'git'),
  };
}

function clear(d: Doubles): void {
  d.github.clearRequests();
  d.onedev.resetRecords();
}

/** The hand-written baseline: bench/plain-bulk-mirror.sh with `xargs -P <lanes>`. */
async function plainScript(
  d: Doubles,
  names: string[],
  lanes: number,
  work: string,
): Promise<{ ms: number; parent: string }> {
  const parent = 'plain';
  const created = await api(d.onedev, 'POST', '/~api/projects', {
    token: TOKENS.admin,
    body: createBody(parent),
  });
  if (created.status !== 200) throw new Error(`project create: ${created.status} ${created.text}`);
  const args = [`${d.github.url}/${OWNER}`, d.onedev.url, parent, created.text.trim(), work];
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'sh',
      [join(ROOT, 'bench', 'plain-bulk-mirror.sh'), ...args, String(lanes)],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: work,
          LC_ALL: 'C',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          ONEDEV_TOKEN: TOKENS.admin,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    // curl prints the project id (or OneDev's error) on stdout, git its errors on stderr.
    const keep = (c: Buffer) => {
      if (stderr.length < 8_192) stderr += String(c);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`plain-bulk-mirror.sh exited ${code}: ${stderr}`)),
    );
    child.stdin.end(`${names.join('\n')}\n`);
  });
  return { ms: performance.now() - started, parent };
}

/** Mirror rows by status, read from the service's SQLite file. */
function statuses(dbPath: string): { synced: number; failed: number; total: number } {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return { synced: 0, failed: 0, total: 0 }; // not created yet
  }
  try {
    const rows = db
      .prepare('select status, count(*) as n from mirrors group by status')
      .all() as Array<{
      status: string;
      n: number;
    }>;
    const n = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { synced: n('synced'), failed: n('failed'), total: rows.reduce((a, r) => a + r.n, 0) };
  } catch {
    return { synced: 0, failed: 0, total: 0 }; // migrations still running
  } finally {
    db.close();
  }
}

function projectPaths(dbPath: string): string[] {
  const db = new SqliteDatabase(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare('select onedev_path from mirrors').all() as Array<{ onedev_path: string }>
    ).map((r) => r.onedev_path);
  } finally {
    db.close();
  }
}

/** Starbridge from empty state, as an operator runs it: start → every star synced. */
async function starbridge(
  d: Doubles,
  count: number,
  lanes: number,
  work: string,
): Promise<{ ms: number; readyMs: number; paths: string[] }> {
  const dbPath = join(work, 'starbridge.db');
  const started = performance.now();
  const service = await startServiceProcess({
    cwd: work,
    timeoutMs: 120_000,
    env: {
      DATABASE_URL: `sqlite:${dbPath}`,
      DATA_DIR: join(work, 'data'),
      GITHUB_API_URL: d.github.url,
      GITHUB_GIT_URL: d.github.url,
      GITHUB_TOKEN: TOKEN,
      ONEDEV_URL: d.onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
      SYNC_CONCURRENCY: String(lanes),
    },
  });
  const readyMs = performance.now() - started;
  try {
    const deadline = Date.now() + 30 * 60_000;
    let last = 0;
    for (;;) {
      const s = statuses(dbPath);
      if (s.synced === count) break;
      if (s.failed > 0)
        throw new Error(`${s.failed} mirrors failed:\n${service.output().slice(-4_000)}`);
      if (Date.now() > deadline) throw new Error(`timed out at ${s.synced}/${count} synced`);
      if (s.synced - last >= 100) {
        last = s.synced;
        log(
          `bulk-import: ${s.synced}/${count} synced after ${seconds(performance.now() - started)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - started;
    return { ms, readyMs, paths: projectPaths(dbPath) };
  } finally {
    await service.stop('SIGTERM');
  }
}

/** Every project holds exactly the source's heads and tags (untimed, after each side). */
async function verify(onedev: OneDevDouble, paths: string[], expected: Record<string, string>) {
  await forEachLimit(paths, 4, (path) => checkMirror(onedev.refs(path), expected, path));
}

/**
 * 1,000 newly starred small repositories: Starbridge from an empty database (the stars
 * poller's first full listing, then the workers) against a plain `xargs -P` script of
 * project creation + clone --mirror + push, at the same concurrency, in the same run.
 */
export async function runBulkImport(): Promise<BenchSection> {
  const count = envInt('BENCH_BULK_REPOS', 1_000);
  const lanes = envInt('BENCH_BULK_CONCURRENCY', 4);
  const work = tempDir('bulk-import');
  const github = await startGitHubDouble({ tokens: { [TOKEN]: USER } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const d = { github, onedev };
  const loadAtStart = loadAverage();
  try {
    const names = Array.from({ length: count }, (_, i) => `r${String(i).padStart(4, '0')}`);
    log(`bulk-import: seeding ${int(count)} repositories (3 commits, 1 annotated tag each)`);
    const repos = await seedRepos(github, OWNER, names, { commits: 3, tag: 'v1.0.0' });
    for (const r of repos) github.star(USER, r.fullName);
    const expected = headsAndTags(await readRefs(repos[0]!.path));

    log(`bulk-import: plain script, ${lanes} lanes`);
    clear(d);
    const plainRun = await plainScript(d, names, lanes, tempDirIn(work, 'plain'));
    const plain = counts(d, plainRun.ms);
    await verify(
      onedev,
      names.map((n) => `${plainRun.parent}/${n}`),
      expected,
    );
    log(`bulk-import: plain script ${seconds(plain.ms)}`);

    log(`bulk-import: Starbridge, SYNC_CONCURRENCY=${lanes}`);
    clear(d);
    const sbRun = await starbridge(d, count, lanes, tempDirIn(work, 'starbridge'));
    const sb = counts(d, sbRun.ms);
    await verify(onedev, sbRun.paths, expected);
    log(`bulk-import: Starbridge ${seconds(sb.ms)} (listening after ${seconds(sbRun.readyMs)})`);
    const section = report({
      count,
      lanes,
      plain,
      sb,
      readyMs: sbRun.readyMs,
      refs: Object.keys(expected).length,
      load: `${loadAtStart} at start, ${loadAverage()} at end`,
    });
    console.log(section.details);
    return section;
  } finally {
    await Promise.all([github.close(), onedev.close()]);
    work.remove();
  }
}

function tempDirIn(work: { path: string }, name: string): string {
  const path = join(work.path, name);
  mkdirSync(path, { recursive: true });
  return path;
}

function report(r: {
  count: number;
  lanes: number;
  plain: Side;
  sb: Side;
  readyMs: number;
  refs: number;
  /** 1/5/15-minute load averages: other work on the machine slows both sides. */
  load: string;
}): BenchSection {
  const { count, plain, sb } = r;
  const ratio = sb.ms / plain.ms;
  const restPerRepo = sb.githubRest / count;
  const row = (name: string, s: Side) => [
    name,
    seconds(s.ms),
    `${(count / (s.ms / 1000)).toFixed(1)} /s`,
    int(s.githubRest),
    int(s.githubGit),
    int(s.onedevRest),
    int(s.onedevGit),
  ];
  const details = [
    `${int(count)} starred repositories of 3 commits, 1 annotated tag (${r.refs} heads and tags) each; ${r.lanes} lanes on both sides.`,
    '',
    table(
      ['', 'Wall time', 'Repositories', 'GitHub REST', 'GitHub git', 'OneDev REST', 'OneDev git'],
      [row('Plain script', plain), row('Starbridge', sb)],
    ),
    '',
    `Ratio ${ratio.toFixed(2)}; Starbridge listened ${seconds(r.readyMs)} after it was started (included in its time). GitHub REST calls: ${restPerRepo.toFixed(2)} per repository, ${int(sb.githubRest)} of a user token's 5,000 an hour. Load average (1/5/15 min): ${r.load}.`,
  ].join('\n');
  const method = [
    `A GitHub double on loopback serves ${int(count)} small real repositories (one template made with git, its objects and refs copied into each bare repository) starred by the token's user; the OneDev double (\`STANDARD_CAST\`, real \`git http-backend\` behind OneDev-like hooks) receives them. Requests are counted on both doubles.`,
    `**Plain script**: \`bench/plain-bulk-mirror.sh\` — names on stdin, \`xargs -P ${r.lanes}\` runs for each: \`curl\` \`POST /~api/projects\` under a parent made beforehand, \`git clone --mirror\`, \`git push\` of heads and tags. It knows the list already; it lists no stars and checks nothing.`,
    `**Starbridge**: \`starbridge serve\` as a process (from source through tsx, SQLite in a new directory, \`SYNC_CONCURRENCY=${r.lanes}\`, everything else default). Timed from spawning the process until the database holds ${int(count)} \`synced\` mirrors (read every 100 ms): start-up and migrations, the stars poller's first full listing, creating the projects, every sync with its verification.`,
    'After each side every OneDev project is compared with the source: exactly its heads and tags. One run of each, plain script first. Run under `flock /tmp/heavy.lock`.',
  ].join('\n\n');
  return {
    id: 'bulk-import',
    title: `First import of ${int(count)} newly starred repositories`,
    details,
    method,
    targets: [
      {
        name: `First import of ${int(count)} stars`,
        target: `≤ ${TARGET_RATIO} × plain xargs -P script`,
        measured: `${seconds(sb.ms)} (script ${seconds(plain.ms)})`,
        ratio: `${ratio.toFixed(2)} × script`,
        pass: ratio <= TARGET_RATIO,
      },
      {
        name: `GitHub REST calls for ${int(count)} new stars`,
        target: `≤ ${TARGET_REST_PER_REPO} per repository, < 5,000`,
        measured: `${int(sb.githubRest)} calls`,
        ratio: `${restPerRepo.toFixed(2)} per repository`,
        pass: restPerRepo <= TARGET_REST_PER_REPO && sb.githubRest < 5_000,
      },
    ],
  };
}

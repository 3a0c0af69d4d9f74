import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MirrorRow } from '../src/db/schema/index.js';
import { createGitEngine } from '../src/git/git.adapter.js';
import { createLfsEngine } from '../src/git/lfs.adapter.js';
import { findMirror, insertMirrorIfAbsent } from '../src/mirrors/mirrors.repo.js';
import { createOneDevClient } from '../src/onedev/onedev.client.js';
import { Redactor } from '../src/shared/redact.js';
import { type SyncDeps, syncMirror } from '../src/sync/sync-mirror.js';
import { RepoBuilder } from '../tests/support/git-repos.js';
import { startGitHubDouble } from '../tests/support/github-double/index.js';
import { commitLfsFiles } from '../tests/support/lfs.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { api, createBody, STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { createTestDb } from '../tests/support/test-db.js';
import { envInt, log, median, ROOT, runPlainScript, seconds, table, tempDir } from './support.js';

const TOKEN = 'ghp_benchLfsToken00000000000000000000000001';
const TARGET_RATIO = 1.25;
const MIB = 1024 * 1024;

interface Shape {
  mib: number;
  files: number;
}

async function main(): Promise<void> {
  const shape: Shape = { mib: envInt('BENCH_LFS_MIB', 200), files: envInt('BENCH_LFS_FILES', 50) };
  const reps = envInt('BENCH_LFS_REPS', 5);
  const work = tempDir('lfs-bench');
  const github = await startGitHubDouble({ tokens: { [TOKEN]: 'bench' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const handle = await createTestDb('sqlite');
  try {
    github.addRepo({ owner: 'bench', name: 'assets', private: true });
    const repo = new RepoBuilder(github.repoPath('bench', 'assets'));
    const store = github.lfs('bench/assets');
    const size = Math.floor((shape.mib * MIB) / shape.files);
    log(`lfs: generating ${shape.files} LFS objects of ${size} bytes (${shape.mib} MiB)`);
    // Three fifths on main (a tag in the middle), the rest on a second branch.
    const names = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}/${i}.bin`);
    const onMain = Math.round(shape.files * 0.3);
    const first = await commitLfsFiles(repo, store, 'main', names('a', onMain), () => size);
    await repo.tag('v1', 'main', { annotated: true });
    await commitLfsFiles(repo, store, 'main', names('b', onMain), () => size);
    await repo.branch('feature', first.sha);
    await commitLfsFiles(repo, store, 'feature', names('c', shape.files - 2 * onMain), () => size);

    const engineOptions = {
      homeDir: join(work.path, 'git-home'),
      allowHttp: true,
      redactor: new Redactor([TOKEN, TOKENS.admin]),
    };
    const git = createGitEngine(engineOptions);
    const lfs = createLfsEngine(engineOptions);
    const client = createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin });
    const deps = (root: string): SyncDeps => ({
      git,
      onedev: client,
      githubGitUrl: github.url,
      githubAuthorization: async () => `Bearer ${TOKEN}`,
      onedevRoot: root,
      cacheDir: (id) => join(work.path, `cache-${root}`, `${id}.git`),
      lfs: { lfs },
    });

    const starbridge = async (rep: number): Promise<{ ms: number; mirror: MirrorRow }> => {
      const githubId = 9_000_000 + rep;
      const now = new Date().toISOString();
      await insertMirrorIfAbsent(
        handle.db,
        {
          githubId,
          owner: 'bench',
          name: 'assets',
          source: 'manual',
          starred: false,
          private: true,
          defaultBranch: 'main',
        },
        now,
      );
      const row = (await findMirror(handle.db, githubId))!;
      const started = performance.now();
      const result = await syncMirror(row, deps(`sb-${rep}`));
      const ms = performance.now() - started;
      const held = await onedev.lfs(result.onedev.path).oids();
      if (
        result.result !== 'synced' ||
        held.length !== shape.files ||
        result.lfs?.objects !== shape.files
      )
        throw new Error(`Starbridge rep ${rep}: ${result.result}, OneDev holds ${held.length}`);
      await handle.db
        .updateTable('mirrors')
        .set({
          pushed_refs: JSON.stringify(result.pushedRefs),
          onedev_name: result.onedev.name,
          onedev_path: result.onedev.path,
          onedev_project_id: result.onedev.projectId,
        })
        .where('github_id', '=', githubId)
        .execute();
      return { ms, mirror: (await findMirror(handle.db, githubId))! };
    };

    const plain = async (rep: number): Promise<{ ms: number; steps: Record<string, number> }> => {
      const name = `plain-${rep}`;
      const created = await api(onedev, 'POST', '/~api/projects', {
        token: TOKENS.admin,
        body: createBody(name),
      });
      if (created.status !== 200)
        throw new Error(`project create: ${created.status} ${created.text}`);
      const dir = tempDir('lfs-plain');
      try {
        const started = performance.now();
        const steps = await runScript(
          [`${github.url}/bench/assets.git`, `${onedev.url}/${name}.git`, dir.path],
          dir.path,
        );
        const ms = performance.now() - started;
        const held = await onedev.lfs(name).oids();
        if (held.length !== shape.files)
          throw new Error(`script rep ${rep}: OneDev holds ${held.length}`);
        return { ms, steps };
      } finally {
        dir.remove();
      }
    };

    log('lfs: warm-up (one of each, untimed)');
    await plain(0);
    await starbridge(0);
    const sb: Array<{ ms: number; mirror: MirrorRow }> = [];
    const script: Array<{ ms: number; steps: Record<string, number> }> = [];
    for (let rep = 1; rep <= reps; rep++) {
      if (rep % 2 === 1) {
        script.push(await plain(rep));
        sb.push(await starbridge(rep));
      } else {
        sb.push(await starbridge(rep));
        script.push(await plain(rep));
      }
      log(
        `lfs rep ${rep}: script ${seconds(script.at(-1)!.ms)}, Starbridge ${seconds(sb.at(-1)!.ms)}`,
      );
    }

    // A new commit without LFS changes, synced through the last rep's cache.
    await repo.commit('main', { files: { 'README.md': `${randomBytes(8).toString('hex')}\n` } });
    github.clearRequests();
    onedev.resetRecords();
    const last = sb.at(-1)!.mirror;
    const started = performance.now();
    const update = await syncMirror(last, deps(last.onedev_path!.split('/')[0]!));
    const updateMs = performance.now() - started;
    const objectGets = github.requests.filter((r) => r.kind === 'lfs' && r.method === 'GET').length;
    const uploads = onedev.lfsUploads.length;
    const batches = onedev.requests.filter((r) => r.kind === 'lfs').length;
    if (update.result !== 'synced') throw new Error(`update: ${update.result}`);

    const sbMedian = median(sb.map((r) => r.ms));
    const scriptMedian = median(script.map((r) => r.ms));
    // Paired: each rep's two runs share the machine's load at that moment, so the median of the
    // per-rep ratios is steadier than the ratio of the medians on a busy machine.
    const ratio = median(sb.map((r, i) => r.ms / script[i]!.ms));
    const stepNames = Object.keys(script[0]?.steps ?? {});
    const meanStep = (step: string) =>
      script.reduce((n, r) => n + (r.steps[step] ?? 0), 0) / script.length;
    const pass = (ok: boolean) => (ok ? '**PASS**' : '**FAIL**');
    const section = `
## LFS — \`node --import tsx bench/lfs.ts\`

Run ${new Date().toISOString()} on ${process.platform}, Node ${process.version}.

| Target | Goal | Measured | Ratio (same run) | Verdict |
| --- | --- | --- | --- | --- |
| First mirror, ${shape.mib} MiB of LFS objects (${shape.files} objects, two branches, a tag) | ≤ ${TARGET_RATIO} × plain script | median ${seconds(sbMedian)} (script ${seconds(scriptMedian)}) | ${ratio.toFixed(2)} × script (median of the per-rep ratios) | ${pass(ratio <= TARGET_RATIO)} |
| Sync of a new commit without LFS changes: no LFS transfer | 0 objects | ${objectGets} objects downloaded, ${uploads} uploaded; ${batches} batch request to OneDev; ${seconds(updateMs, 3)} | — | ${pass(objectGets === 0 && uploads === 0)} |

${table(
  ['Rep', 'Plain script', 'Starbridge syncMirror', 'Ratio'],
  sb.map((r, i) => [
    String(i + 1),
    seconds(script[i]!.ms),
    seconds(r.ms),
    (r.ms / script[i]!.ms).toFixed(2),
  ]),
)}

The script's steps (mean): ${stepNames.map((s) => `${s} ${seconds(meanStep(s))}`).join(', ')}.

### Method

The source is the GitHub double (\`tests/support/github-double\`): a private repository whose commits hold LFS pointers, the objects in the double's LFS store (random bytes, ${shape.files} objects of ${(shape.mib / shape.files).toFixed(1)} MiB), served through its batch API and RemoteAuth download links; git over real \`git http-backend\`. The target is the OneDev double with its LFS filter (batch, PUT uploads hashed on arrival). **Starbridge**: \`syncMirror\` with the real git engine, the LFS engine (\`createLfsEngine\`: \`git lfs ls-files --all\`, \`git lfs fetch --all\`, OneDev's batch API, \`git lfs push --object-id\`, the batch API again) and the OneDev client, a fresh cache and OneDev project each rep. **Plain script**: \`bench/plain-lfs-mirror.sh\` — \`git clone --mirror\`, \`git lfs fetch --all\`, \`git push\` of heads and tags, \`git lfs push --all\` into a project created beforehand. Each rep checks that OneDev holds every object. One untimed warm-up of each, then ${reps} reps alternating which goes first; the ratio is the median of the per-rep ratios (both runs of a rep share the machine's load at that moment). The last row: one commit without LFS files on main, then the next \`syncMirror\` of the last rep's mirror; LFS object downloads are counted at the GitHub double and uploads at the OneDev double.
`;
    appendFileSync(join(ROOT, 'docs', 'benchmarks.md'), section);
    console.log(section);
  } finally {
    await handle.destroy();
    await Promise.all([github.close(), onedev.close()]);
    work.remove();
  }
}

async function runScript(args: string[], cwd: string): Promise<Record<string, number>> {
  const env = { GITHUB_TOKEN: TOKEN, ONEDEV_TOKEN: TOKENS.admin };
  return Object.fromEntries(await runPlainScript('plain-lfs-mirror.sh', args, cwd, env));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * Runs Starbridge's benchmarks and writes docs/benchmarks.md.
 *
 *   npm run bench                                   every benchmark, writes the doc
 *   node --import tsx bench/run.ts ingest           one benchmark, prints only
 *   node --import tsx bench/run.ts refresh --write  one benchmark, doc with just that section
 *
 * Names: the keys of BENCHMARKS below, and sources and lfs (bench/sources.ts, bench/lfs.ts,
 * each run as its own process; each appends its own section to the doc). `npm run bench` builds
 * first; the ingest benchmark runs the compiled service from dist/.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBulkImport } from './bulk-import.js';
import { runCrashRecovery } from './crash-recovery.js';
import { runDashboard } from './dashboard.js';
import { runFaults } from './faults.js';
import { runFirstMirror, runFirstMirrorLarge, runFirstMirrorSized } from './first-mirror.js';
import { runIngest } from './ingest.js';
import { describeMachine, loadAverage } from './machine.js';
import { runRefresh } from './refresh.js';
import { runReplicaSeed } from './replica-seed.js';
import { consoleTable, markdown, mergeDoc } from './report.js';
import { runScale, runScaleSqlite } from './scale.js';
import { type BenchSection, log, ROOT, TSX_LOADER } from './support.js';

const BENCHMARKS: Record<string, () => Promise<BenchSection>> = {
  ingest: runIngest,
  'first-mirror': runFirstMirror,
  'first-mirror-sized': runFirstMirrorSized,
  'first-mirror-large': runFirstMirrorLarge,
  refresh: runRefresh,
  'crash-recovery': runCrashRecovery,
  'replica-seed': runReplicaSeed,
  scale: runScale,
  'scale-sqlite': runScaleSqlite,
  'bulk-import': runBulkImport,
  faults: runFaults,
  dashboard: runDashboard,
};

/** Benchmarks that are scripts of their own: run as a child process, after the others. */
const EXTERNAL: Record<string, string> = { sources: 'bench/sources.ts', lfs: 'bench/lfs.ts' };

function runExternal(name: string): Promise<boolean> {
  const script = join(ROOT, EXTERNAL[name]!);
  if (!existsSync(script)) {
    log(`${name}: ${EXTERNAL[name]} is missing; skipped`);
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, script], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      if (code !== 0) log(`${name}: ${EXTERNAL[name]} exited with ${code}`);
      resolve(code === 0);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in BENCHMARKS) && !(n in EXTERNAL));
  if (unknown.length > 0 || flags.some((f) => f !== '--write' && f !== '--no-write')) {
    const known = [...Object.keys(BENCHMARKS), ...Object.keys(EXTERNAL)].join('|');
    console.error(`usage: node --import tsx bench/run.ts [${known} ...] [--write|--no-write]`);
    return 2;
  }
  const everything = names.length === 0;
  const selected = everything ? Object.keys(BENCHMARKS) : names.filter((n) => n in BENCHMARKS);
  const external = everything ? Object.keys(EXTERNAL) : names.filter((n) => n in EXTERNAL);
  const all = selected.length === Object.keys(BENCHMARKS).length;
  const write = flags.includes('--write') || (all && !flags.includes('--no-write'));
  const machine = describeMachine();
  log(
    `${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, node ${machine.node}, ${machine.git}`,
  );

  const started = performance.now();
  const sections: BenchSection[] = [];
  for (const name of selected) {
    log(`== ${name} ==`);
    sections.push(await BENCHMARKS[name]!());
  }
  const durationMs = performance.now() - started;
  const loadAtEnd = loadAverage();
  // Scripts that append their own section run first, so the merge below keeps only the
  // latest copy of each appended section.
  for (const name of external) {
    log(`== ${name} (${EXTERNAL[name]}) ==`);
    await runExternal(name);
  }

  if (sections.length > 0) console.log(consoleTable(sections));
  if (write && sections.length > 0) {
    const command = all ? 'npm run bench' : `node --import tsx bench/run.ts ${selected.join(' ')}`;
    const path = join(ROOT, 'docs/benchmarks.md');
    const generated = markdown({
      machine,
      command,
      sections,
      durationMs,
      loadAtEnd,
      external: Object.values(EXTERNAL),
    });
    writeFileSync(
      path,
      mergeDoc(existsSync(path) ? readFileSync(path, 'utf8') : undefined, generated),
    );
    log(`wrote ${path}`);
  }
  // A missed target is a result, not a crash: the table and the doc say FAIL.
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);

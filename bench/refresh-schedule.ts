// The adaptive refresh against the fixed one: a simulated week over 5,000 mirror rows in
// SQLite, where each mirror changes with 1 % probability per hour (seeded). Only the
// scheduler is real (its candidate queries, slot claims and interval policy, on the fake
// clock); ls-remote is a counting port answering from the simulation, and a sync is
// simulated as instant (the mirror's pushed refs become GitHub's). No webhooks, no hints:
// the refresh alone keeps the mirrors fresh, the worst case for staleness.
// Run: node --import tsx bench/refresh-schedule.ts [--write]  (--write puts its section in
// docs/benchmarks.md). BENCH_SCHEDULE_MIRRORS, BENCH_SCHEDULE_DAYS change the size.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRemote } from '../src/git/git.port.js';
import { createMirrorService } from '../src/mirrors/mirror.service.js';
import { createLogger } from '../src/shared/logger.js';
import { createRefresh } from '../src/sources/refresh.js';
import type { RefreshPolicy } from '../src/sources/refresh-schedule.js';
import { createSourcesEvents } from '../src/sources/sources.events.js';
import { createTestDb } from '../tests/support/test-db.js';
import { describeMachine } from './machine.js';
import { envInt, int, log, percentile, ROOT, sortedCopy, table } from './support.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TICK = 5 * MINUTE;
const START = Date.parse('2026-12-01T00:00:00Z');
const CHANGE_PER_HOUR = 0.01;

/** mulberry32: a small seeded generator, so both runs see the same changes. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface RunResult {
  name: string;
  checks: number;
  checksLastDay: number;
  syncs: number;
  changes: number;
  staleness: number[];
  /** Changes not yet synced when the week ended, and how long the oldest had waited. */
  pending: number;
  oldestPendingMs: number;
  wallMs: number;
}

async function simulate(name: string, policy: RefreshPolicy, mirrors: number, days: number) {
  const started = performance.now();
  const handle = await createTestDb('sqlite');
  let now = START;
  const clock = { now: () => new Date(now) };
  const rows = Array.from({ length: mirrors }, (_, i) => ({
    github_id: i + 1,
    owner: 'bench',
    name: `r${i + 1}`,
    full_name: `bench/r${i + 1}`,
    full_name_key: `bench/r${i + 1}`,
    status: 'synced',
    source: 'star',
    starred: 1,
    private: 0,
    attempts: 0,
    resync_requested: 0,
    pushed_refs: JSON.stringify({ 'refs/heads/main': 'v0' }),
    created_at: new Date(START).toISOString(),
    updated_at: new Date(START).toISOString(),
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await handle.db
      .insertInto('mirrors')
      .values(rows.slice(i, i + 500))
      .execute();
  }
  const version = new Array<number>(mirrors + 1).fill(0);
  const dirtySince = new Map<number, number>();
  const staleness: number[] = [];
  let checks = 0;
  let checksLastDay = 0;
  let syncs = 0;
  let changes = 0;
  const lastDay = START + (days - 1) * 24 * HOUR;
  const idOf = (remote: GitRemote) => Number(/\/r(\d+)\.git$/.exec(remote.url)?.[1]);
  const service = createMirrorService({ handle, clock });
  let refresh: ReturnType<typeof createRefresh> | undefined;
  refresh = createRefresh({
    handle,
    clock,
    log: createLogger({ level: 'silent' }),
    events: createSourcesEvents(),
    git: {
      // Counting port: answers GitHub's refs from the simulation, no git process.
      lsRemote: async (remote) => {
        checks++;
        if (now >= lastDay) checksLastDay++;
        return { refs: { 'refs/heads/main': `v${version[idOf(remote)]}` } };
      },
    },
    mirrors: {
      refreshCandidates: service.refreshCandidates,
      claimRefreshSlot: service.claimRefreshSlot,
      claimRefreshSlots: service.claimRefreshSlots,
      refreshState: service.refreshState,
      // A simulated, instant sync: OneDev gets GitHub's refs, and the sync reschedules.
      syncById: async (githubId) => {
        syncs++;
        const refs = JSON.stringify({ 'refs/heads/main': `v${version[githubId]}` });
        await handle.db
          .updateTable('mirrors')
          .set({ pushed_refs: refs })
          .where('github_id', '=', githubId)
          .execute();
        const since = dirtySince.get(githubId);
        if (since !== undefined) staleness.push(now - since);
        dirtySince.delete(githubId);
        await refresh?.synced(githubId);
        return 'queued';
      },
    },
    githubGitUrl: 'https://github.invalid',
    authorizationFor: async () => undefined,
    policy,
    concurrency: 4,
    batch: 2_000,
    random: seeded(7),
  });
  const change = seeded(42);
  const perTick = 1 - (1 - CHANGE_PER_HOUR) ** (TICK / HOUR);
  for (let at = START; at < START + days * 24 * HOUR; at += TICK) {
    now = at;
    for (let id = 1; id <= mirrors; id++) {
      if (change() >= perTick) continue;
      version[id]!++;
      changes++;
      if (!dirtySince.has(id)) dirtySince.set(id, now);
    }
    await refresh.tick();
  }
  now = START + days * 24 * HOUR;
  const oldestPendingMs = Math.max(0, ...[...dirtySince.values()].map((t) => now - t));
  await handle.destroy();
  const wallMs = performance.now() - started;
  const result: RunResult = {
    name,
    checks,
    checksLastDay,
    syncs,
    changes,
    staleness,
    pending: dirtySince.size,
    oldestPendingMs,
    wallMs,
  };
  log(`${name}: ${int(checks)} checks, ${int(syncs)} syncs, ${(wallMs / 1000).toFixed(1)} s`);
  return result;
}

const hours = (ms: number) => `${(ms / HOUR).toFixed(1)} h`;

function section(results: RunResult[], mirrors: number, days: number, command: string): string {
  const [fixed, adaptive] = results as [RunResult, RunResult];
  const row = (r: RunResult) => {
    const sorted = sortedCopy(r.staleness);
    const worst = Math.max(sorted.at(-1) ?? 0, r.oldestPendingMs);
    return [
      r.name,
      int(r.checks / (days * 24)),
      int(r.checksLastDay / 24),
      int(r.syncs),
      hours(percentile(sorted, 50)),
      hours(percentile(sorted, 99)),
      hours(worst),
      `${int(r.pending)} (oldest ${hours(r.oldestPendingMs)})`,
      `${(r.wallMs / 1000).toFixed(0)} s`,
    ];
  };
  const machine = describeMachine();
  return `${BEGIN}
## Adaptive refresh schedule — \`${command}\`

A simulated ${days === 7 ? 'week' : `${days} days`}: ${int(mirrors)} mirrors in SQLite, each changing with 1 % probability per hour
(${int(fixed.changes)} changes, the same seeded sequence for both runs), no webhooks and no change
hints, so the refresh alone keeps the mirrors fresh. **Fixed**: every mirror every hour
(REFRESH_INTERVAL=1h with both bounds at 1h). **Adaptive**: the defaults (start 1h, 15 min to
24 h). Staleness is the time from a change on GitHub to its sync.

${table(
  [
    'Schedule',
    'Checks/hour (whole run)',
    'Checks/hour (last day)',
    'Syncs',
    'Staleness p50',
    'p99',
    'Worst',
    'Unsynced at the end',
    'Wall time',
  ],
  [row(fixed), row(adaptive)],
)}

Adaptive checks ${(adaptive.checks / fixed.checks).toFixed(2)} × as many as fixed over the whole run
(${(adaptive.checksLastDay / Math.max(1, fixed.checksLastDay)).toFixed(2)} × on the last day, once
quiet mirrors have reached the daily sweep). The price is staleness: with changes this rare and
random (a mirror changes about once in four days), a quiet mirror's next change waits up to a
day for the sweep. That is the case webhooks and change hints exist for; the sweep bounds what
they miss to REFRESH_MAX_INTERVAL plus its 10 % jitter and one scheduler tick.

${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${new Date().toISOString()}.

### Method

What is real: the refresh's scheduler (\`src/sources/refresh.ts\`, \`refresh-schedule.ts\`), its
candidate queries and slot claims on SQLite, the interval policy and its jitter, on a fake clock
ticking every 5 minutes. What is simulated: \`git ls-remote\` is a counting port that answers the
simulated GitHub refs (no git process, no network), a sync is instant (the mirror's pushed refs
become GitHub's, then the sync reschedules the mirror as a real one does), changes are drawn
from a seeded generator, and the sync queue always has room. "Checks" are ls-remote calls the
scheduler made. Wall time is the simulation's, not a service's.
${END}
`;
}

const BEGIN = '<!-- BEGIN bench/refresh-schedule.ts -->';
const END = '<!-- END bench/refresh-schedule.ts -->';

async function main(): Promise<void> {
  const mirrors = envInt('BENCH_SCHEDULE_MIRRORS', 5_000);
  const days = envInt('BENCH_SCHEDULE_DAYS', 7);
  const fixed: RefreshPolicy = { baseMs: HOUR, minMs: HOUR, maxMs: HOUR };
  const adaptive: RefreshPolicy = { baseMs: HOUR, minMs: 15 * MINUTE, maxMs: 24 * HOUR };
  const results = [
    await simulate('Fixed (1 h)', fixed, mirrors, days),
    await simulate('Adaptive (15 min – 24 h)', adaptive, mirrors, days),
  ];
  const text = section(results, mirrors, days, 'node --import tsx bench/refresh-schedule.ts');
  console.log(text);
  if (!process.argv.includes('--write')) return;
  const path = join(ROOT, 'docs', 'benchmarks.md');
  const doc = readFileSync(path, 'utf8');
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? doc.slice(0, begin) + text.trim() + doc.slice(end + END.length)
      : `${doc.trimEnd()}\n\n${text}`;
  writeFileSync(path, next);
}

await main();

import { CompiledQuery, sql } from 'kysely';
import type { Dialect } from '../src/db/database.js';
import { assignPreferredReplicas } from '../src/jobs/rendezvous.js';
import { registerReplica } from '../src/jobs/replicas.repo.js';
import {
  type ClaimPreference,
  claimDueStatement,
  releaseMirror,
} from '../src/mirrors/mirror-lease.repo.js';
import { claimRefreshSlots, dueForRefresh } from '../src/mirrors/mirror-refresh.repo.js';
import { createTestDb, type TestDb } from '../tests/support/test-db.js';
import {
  type BenchSection,
  envInt,
  int,
  log,
  ms,
  percentile,
  sortedCopy,
  table,
} from './support.js';

const CLAIM_P99_MS = 10;
const TICK_MS = 1_000;
const REPLICAS = ['replica-1', 'replica-2', 'replica-3'];
const REFRESH_BATCH = 500;
const HOUR = 3_600_000;

interface ClaimPass {
  latencies: number[];
  claims: number;
  /** Claims of a mirror another loop held at that moment (must be 0). */
  overlaps: number;
  /** Claims of a mirror the claiming replica is preferred for. */
  own: number;
}

/**
 * The sync queue and the refresh planner at scale, with three replicas on one database:
 * 50,000 mirrors and 1,000,000 runs on PostgreSQL (5,000 and 100,000 on SQLite).
 */
export function runScale(): Promise<BenchSection> {
  return runScaleOn('postgres');
}

export function runScaleSqlite(): Promise<BenchSection> {
  return runScaleOn('sqlite');
}

async function runScaleOn(dialect: Dialect): Promise<BenchSection> {
  const pg = dialect === 'postgres';
  const mirrors = envInt('BENCH_SCALE_MIRRORS', pg ? 50_000 : 5_000);
  const runs = envInt('BENCH_SCALE_RUNS', pg ? 1_000_000 : 100_000);
  const claimsPerPass = envInt('BENCH_SCALE_CLAIMS', pg ? 3_000 : 1_500);
  // A database of its own on the shared server, dropped at the end.
  process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const handle = await createTestDb(dialect);
  try {
    const now = Date.now();
    let started = performance.now();
    await seed(handle, dialect, { mirrors, runs, now });
    const seedMs = performance.now() - started;
    log(`seeded ${mirrors} mirrors and ${runs} runs in ${(seedMs / 1000).toFixed(1)} s`);

    for (const id of REPLICAS) {
      await registerReplica(handle.db, { id, host: 'bench', now: new Date(now).toISOString() });
    }
    started = performance.now();
    await assignPreferredReplicas(handle.db, REPLICAS);
    const assignMs = performance.now() - started;
    started = performance.now();
    const moved = await assignPreferredReplicas(handle.db, REPLICAS.slice(0, 2));
    const leaveMs = performance.now() - started;
    await assignPreferredReplicas(handle.db, REPLICAS);
    if (pg) await sql`analyze`.execute(handle.db);

    const plans = await explainAll(handle, dialect, now);
    const baseline = await claimPass(handle, dialect, { claims: claimsPerPass, prefer: false });
    const preferred = await claimPass(handle, dialect, { claims: claimsPerPass, prefer: true });
    const single = await refreshTicks(handle, 1);
    const ticks = await refreshTicks(handle, REPLICAS.length);
    const syncing = await handle.db
      .selectFrom('mirrors')
      .select(sql<number>`count(*)`.as('n'))
      .where('status', '=', 'syncing')
      .executeTakeFirstOrThrow();
    const left = Number(syncing.n);

    const p99 = (pass: ClaimPass) => percentile(sortedCopy(pass.latencies), 99);
    const p50 = (pass: ClaimPass) => percentile(sortedCopy(pass.latencies), 50);
    const worstTick = Math.max(...ticks);
    const overlaps = baseline.overlaps + preferred.overlaps;
    const label = pg ? 'PostgreSQL' : 'SQLite';
    const targets = [
      {
        name: `Claiming the next due mirror, 3 replicas, ${label} (p99)`,
        target: `≤ ${CLAIM_P99_MS} ms`,
        measured: ms(p99(preferred), 2),
        ratio: `${(p99(preferred) / p99(baseline)).toFixed(2)}× the plain queue-order claim (${ms(p99(baseline), 2)})`,
        pass: p99(preferred) <= CLAIM_P99_MS,
      },
      {
        name: `Planning a refresh tick (${REFRESH_BATCH} candidates + slot claims), 3 replicas at once, ${label}`,
        target: `≤ ${TICK_MS} ms`,
        measured: ms(worstTick, 0),
        ratio: `${(worstTick / (single[0] ?? 1)).toFixed(2)}× one replica alone (${ms(single[0] ?? 0, 0)})`,
        pass: worstTick <= TICK_MS,
      },
      {
        name: `No mirror claimed twice at once; none left syncing (${label})`,
        target: '0 and 0',
        measured: `${overlaps} and ${left}`,
        ratio: `${int(baseline.claims + preferred.claims)} claims checked`,
        pass: overlaps === 0 && left === 0,
      },
    ];
    const details = [
      table(
        ['Measure', 'Value'],
        [
          ['Mirrors / sync_runs rows', `${int(mirrors)} / ${int(runs)}`],
          ['Seeding (one INSERT … SELECT each)', ms(seedMs, 0)],
          ['Assigning every preferred replica (3 live)', ms(assignMs, 0)],
          [`A replica leaves: ${int(moved)} mirrors move`, ms(leaveMs, 0)],
          ['Plain claim p50 / p99 (3 loops)', `${ms(p50(baseline), 2)} / ${ms(p99(baseline), 2)}`],
          [
            'Preferred claim p50 / p99 (3 loops)',
            `${ms(p50(preferred), 2)} / ${ms(p99(preferred), 2)}`,
          ],
          [
            'Preferred claims that went to the preferred replica',
            `${int(preferred.own)} of ${int(preferred.claims)}`,
          ],
          ['Refresh tick per replica (3 at once)', ticks.map((t) => ms(t, 0)).join(', ')],
        ],
      ),
      '',
      ...plans.flatMap(([title, plan]) => [`${title}:`, '', '```', plan, '```', '']),
    ].join('\n');
    const method = [
      `A migrated ${label} database of its own (\`createTestDb('${dialect}')\`) is filled with one \`INSERT … SELECT\` over a ${pg ? '`generate_series`' : 'recursive CTE'} per table: ${int(mirrors)} mirrors (a fifth \`queued\` and due over the last two days, the rest \`synced\` with pushed refs and refresh slots spread over the past two days and the next few hours) and ${int(runs)} finished \`sync_runs\` rows spread over the mirrors.`,
      'Three replicas are registered and every mirror gets its rendezvous-preferred replica (`assignPreferredReplicas`, timed, then timed again as one replica leaves and back).',
      `Claims: three concurrent loops, one per replica, each claim (\`claimDueStatement\`, the statement the sync workers run) followed by its release, ${int(claimsPerPass)} claims per pass; first the plain queue-order claim (the baseline, as on SQLite or a single replica), then the preferred claim. Each claim's latency is timed; an in-memory ledger of held mirrors counts any mirror claimed while another loop held it.`,
      `Refresh: the planning half of a refresh tick (\`dueForRefresh\` for ${REFRESH_BATCH} candidates, then \`claimRefreshSlots\` for the batch, 250 slots a statement, as \`src/sources/refresh.ts\` does), once alone and then on three replicas at once; the slowest counts. Plans: \`EXPLAIN ${pg ? '(ANALYZE, BUFFERS)' : 'QUERY PLAN'}\` of each statement, inside a transaction rolled back.`,
    ].join('\n\n');
    return {
      id: `scale-${dialect}`,
      title: `Three replicas over ${int(mirrors)} mirrors on ${label} — \`node --import tsx bench/run.ts ${pg ? 'scale' : 'scale-sqlite'}\``,
      targets,
      details,
      method,
    };
  } finally {
    await handle.destroy();
  }
}

/** Rows made in the database itself: the fastest bulk load both dialects share. */
async function seed(
  handle: TestDb,
  dialect: Dialect,
  counts: { mirrors: number; runs: number; now: number },
): Promise<void> {
  const base = new Date(counts.now - 48 * HOUR).toISOString();
  const at = (secondsExpr: string) =>
    dialect === 'postgres'
      ? `to_char((timestamp '${base.slice(0, 19)}' + (${secondsExpr}) * interval '1 second'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : `strftime('%Y-%m-%dT%H:%M:%fZ', '${base}', '+' || (${secondsExpr}) || ' seconds')`;
  const series = (n: number) =>
    dialect === 'postgres'
      ? `select g as n from generate_series(1, ${n}) g`
      : `select n from (with recursive s(n) as (select 1 union all select n + 1 from s where n < ${n}) select n from s)`;
  // A fifth queued (due across the two days), the rest synced with refresh slots.
  const queued = `n % 5 = 0`;
  const spread = (n: number) => (48 * 3600) / n;
  await sql
    .raw(
      `insert into mirrors (github_id, owner, name, full_name, full_name_key, status, source, starred, private, default_branch, attempts, resync_requested, next_attempt_at, pushed_refs, next_refresh_at, last_synced_at, created_at, updated_at)
       select n, 'owner' || (n % 100), 'repo-' || n, 'owner' || (n % 100) || '/repo-' || n, 'owner' || (n % 100) || '/repo-' || n,
         case when ${queued} then 'queued' else 'synced' end, 'stars', 1, 0, 'main', 0, 0,
         case when ${queued} then ${at(`n * ${spread(counts.mirrors)}`)} else null end,
         case when ${queued} then null else '{"refs/heads/main":"' || n || '"}' end,
         case when ${queued} then null else ${at(`n * ${spread(counts.mirrors) * 1.1}`)} end,
         ${at('0')}, ${at('0')}, ${at('0')}
       from (${series(counts.mirrors)}) series`,
    )
    .execute(handle.db);
  await sql
    .raw(
      `insert into sync_runs (id, github_id, trigger, attempt, worker, started_at, finished_at, result, quick_retries)
       select 'run-' || n, (n % ${counts.mirrors}) + 1, 'request', 1, 'bench', ${at(`n * ${spread(counts.runs)}`)}, ${at(`n * ${spread(counts.runs)} + 1`)}, 'synced', 0
       from (${series(counts.runs)}) series`,
    )
    .execute(handle.db);
}

async function claimPass(
  handle: TestDb,
  dialect: Dialect,
  options: { claims: number; prefer: boolean },
): Promise<ClaimPass> {
  const held = new Set<number>();
  const pass: ClaimPass = { latencies: [], claims: 0, overlaps: 0, own: 0 };
  let remaining = options.claims;
  const loop = async (replica: string) => {
    while (remaining > 0) {
      remaining--;
      const nowMs = Date.now();
      const now = new Date(nowMs).toISOString();
      const prefer: ClaimPreference | undefined = options.prefer
        ? {
            replica,
            liveSince: new Date(nowMs - 30_000).toISOString(),
            graceBefore: new Date(nowMs - 30_000).toISOString(),
          }
        : undefined;
      const lease = {
        worker: `${replica}/bench`,
        now,
        until: new Date(nowMs + 60_000).toISOString(),
      };
      const started = performance.now();
      const row = await claimDueStatement(handle.db, dialect, lease, prefer).executeTakeFirst();
      pass.latencies.push(performance.now() - started);
      if (!row) return;
      const id = Number(row.github_id);
      if (held.has(id)) pass.overlaps++;
      held.add(id);
      pass.claims++;
      if (row.preferred_replica === replica) pass.own++;
      await new Promise((resolve) => setImmediate(resolve));
      held.delete(id);
      const outcome = {
        status: 'synced' as const,
        attempts: 0,
        nextAttemptAt: null,
        lastError: null,
        lastErrorCode: null,
        lastSyncedAt: now,
      };
      await releaseMirror(handle.db, id, lease.worker, outcome, new Date().toISOString());
    }
  };
  await Promise.all(REPLICAS.map(loop));
  return pass;
}

/** The planning half of a refresh tick on `replicas` replicas at once; each one's duration. */
async function refreshTicks(handle: TestDb, replicas: number): Promise<number[]> {
  const tick = async () => {
    const started = performance.now();
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const rows = await dueForRefresh(handle.db, now, REFRESH_BATCH);
    const at = new Date(nowMs + HOUR).toISOString();
    const claims = rows.map((row) => ({ githubId: row.github_id, from: row.next_refresh_at, at }));
    await claimRefreshSlots(handle.db, claims);
    return performance.now() - started;
  };
  return Promise.all(Array.from({ length: replicas }, tick));
}

/** The plans of the claim (plain and preferred) and of the refresh candidates' query. */
async function explainAll(
  handle: TestDb,
  dialect: Dialect,
  nowMs: number,
): Promise<Array<[string, string]>> {
  const now = new Date(nowMs).toISOString();
  const lease = { worker: 'explain', now, until: new Date(nowMs + 60_000).toISOString() };
  const prefer = {
    replica: REPLICAS[0] as string,
    liveSince: new Date(nowMs - 30_000).toISOString(),
    graceBefore: new Date(nowMs - 30_000).toISOString(),
  };
  const statements: Array<[string, CompiledQuery]> = [
    [
      'Preferred claim (this replica’s own due mirror, else the fallback)',
      claimDueStatement(handle.db, dialect, lease, prefer).compile(),
    ],
    ['Plain claim (queue order)', claimDueStatement(handle.db, dialect, lease).compile()],
    [
      `Refresh candidates (limit ${REFRESH_BATCH}; the never-placed query, the first of the two)`,
      // The same query dueForRefresh runs, compiled through a capturing executor.
      await captureQuery(handle, (db) => dueForRefresh(db, now, REFRESH_BATCH)),
    ],
  ];
  const explain =
    dialect === 'postgres' ? 'explain (analyze, buffers, costs off) ' : 'explain query plan ';
  const plans: Array<[string, string]> = [];
  for (const [title, query] of statements) {
    const rows = await handle.db
      .transaction()
      .execute(async (trx) => {
        const result = await trx.executeQuery(
          CompiledQuery.raw(explain + query.sql, [...query.parameters]),
        );
        throw new Rollback(result.rows as Array<Record<string, unknown>>);
      })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return error.rows;
        throw error;
      });
    const lines = rows.map((row) =>
      dialect === 'postgres'
        ? String(Object.values(row)[0])
        : `${row.id} ${row.parent} ${row.detail}`,
    );
    plans.push([title, lines.join('\n')]);
  }
  return plans;
}

class Rollback extends Error {
  constructor(readonly rows: Array<Record<string, unknown>>) {
    super('rollback');
  }
}

/** The SQL a repository function runs (it runs too: a read), compiled as Kysely sends it. */
async function captureQuery(
  handle: TestDb,
  run: (db: TestDb['db']) => Promise<unknown>,
): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const executor = handle.db.getExecutor();
  await run(
    handle.db.withPlugin({
      transformQuery: (args) => {
        captured ??= executor.compileQuery(args.node, args.queryId);
        return args.node;
      },
      transformResult: async (args) => args.result,
    }),
  );
  if (!captured) throw new Error('no query captured');
  return captured;
}

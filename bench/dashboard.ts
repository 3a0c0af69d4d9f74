import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import { dashboardRoutes } from '../src/dashboard/dashboard.routes.js';
import { SESSION_COOKIE } from '../src/dashboard/session-auth.js';
import { createSessionStore } from '../src/dashboard/sessions.service.js';
import { createDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createGitHubClient } from '../src/github/github.client.js';
import { createHealthService } from '../src/health/health.service.js';
import { createApp } from '../src/http/app.js';
import { createMirrorService } from '../src/mirrors/mirror.service.js';
import { createLogger } from '../src/shared/logger.js';
import { NOW, seed } from './dashboard-seed.js';
import {
  type BenchSection,
  envInt,
  log,
  median,
  percentile,
  sortedCopy,
  table,
  tempDir,
} from './support.js';

const TARGET_MS = 100;
/** The indexes migrations 0013, 0018 and 0019 add for the list, the log and the charts. */
const INDEXES = [
  'mirrors_sort_status',
  'mirrors_sort_source',
  'mirrors_sort_last_synced_at',
  'mirrors_sort_next_attempt_at',
  'mirrors_sort_onedev_path',
  'sync_runs_started',
  'container_actions_started',
  'webhook_deliveries_received_id',
  'webhook_deliveries_repo_received',
  'mirror_changes_at',
  'mirror_changes_mirror',
  'sync_runs_drift',
  'history_snapshots_taken_id',
  'notifications_at',
];

/** Pages as an operator opens them; `plan` marks those whose query plans are recorded. */
const PAGES: Array<{ name: string; path: string }> = [
  { name: 'mirrors, first page', path: '/dashboard/mirrors' },
  {
    name: 'mirrors by last sync, descending, page 40',
    path: '/dashboard/mirrors?sort=last_sync&dir=desc&page=40',
  },
  {
    name: 'failed mirrors by next attempt',
    path: '/dashboard/mirrors?status=failed&sort=next_attempt',
  },
  { name: 'mirrors by status, page 80', path: '/dashboard/mirrors?sort=status&page=80' },
  { name: 'activity, first page', path: '/dashboard/activity' },
  { name: 'activity, failed only', path: '/dashboard/activity?result=failed' },
  { name: 'activity, one repository', path: '/dashboard/activity?repo=bench%2Frepo-0777' },
  {
    name: 'activity, sync runs in one day',
    path: '/dashboard/activity?kind=sync&from=2026-11-20&to=2026-11-20',
  },
  { name: 'activity, changed in OneDev', path: '/dashboard/activity?kind=drift' },
  { name: 'activity, kept history', path: '/dashboard/activity?kind=history' },
  {
    name: 'activity, failed notifications',
    path: '/dashboard/activity?kind=notification&result=failed',
  },
  { name: 'overview with charts', path: '/dashboard' },
];

interface Timing {
  name: string;
  medianMs: number;
  p95Ms: number;
  bytes: number;
}

async function timePages(
  request: (path: string) => Promise<Response>,
  rounds: number,
): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const page of PAGES) {
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds + 2; i++) {
      const started = performance.now();
      const response = await request(page.path);
      const body = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`${page.path} answered ${response.status}`);
      bytes = body.length;
      if (i >= 2) samples.push(ms); // two warm-up requests
    }
    const sorted = sortedCopy(samples);
    out.push({ name: page.name, medianMs: median(samples), p95Ms: percentile(sorted, 95), bytes });
  }
  return out;
}

/** EXPLAIN QUERY PLAN of every statement a page ran, parameters bound to NULL. */
function explain(path: string, statements: string[]): string {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const text of statements) {
      if (seen.has(text) || !/^\s*select/i.test(text) || /dashboard_sessions/.test(text)) continue;
      seen.add(text);
      const count = (text.match(/\?/g) ?? []).length;
      const rows = db
        .prepare(`EXPLAIN QUERY PLAN ${text}`)
        .all(...Array(count).fill(null)) as Array<{ detail: string }>;
      parts.push(`${text}\n${rows.map((r) => `  -- ${r.detail}`).join('\n')}`);
    }
    return parts.join('\n\n');
  } finally {
    db.close();
  }
}

export async function runDashboard(): Promise<BenchSection> {
  const mirrors = envInt('BENCH_DASHBOARD_MIRRORS', 2_000);
  const runs = envInt('BENCH_DASHBOARD_RUNS', 100_000);
  const rounds = envInt('BENCH_DASHBOARD_ROUNDS', 15);
  const work = tempDir('dashboard');
  const path = join(work.path, 'bench.db');
  const statements: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: {
      write: (line: string) => {
        const entry = JSON.parse(line) as { sql?: string };
        if (entry.sql) statements.push(entry.sql);
      },
    },
  });
  const handle = createDb({ dialect: 'sqlite', path }, logger);
  try {
    await migrateToLatest(handle);
    log(`dashboard: seeding ${mirrors} mirrors and ${runs} runs`);
    await seed(handle, mirrors, runs);
    const clock = { now: () => new Date(NOW) };
    const config = loadConfig({ DASHBOARD_PASSWORD: 'bench', DATA_DIR: join(work.path, 'data') });
    const health = createHealthService({ db: handle, dataDir: tmpdir(), probes: [] });
    const routes = dashboardRoutes({
      config,
      log: createLogger({ level: 'warn' }),
      handle,
      mirrors: createMirrorService({ handle, clock }),
      health,
      github: createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
      clock,
    });
    const app = createApp({ log: createLogger({ level: 'warn' }), health, routes: [routes] });
    const { token } = await createSessionStore({ handle, clock }).start();
    const request = (p: string) =>
      Promise.resolve(app.request(p, { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));

    statements.length = 0;
    const plans: string[] = [];
    for (const page of PAGES) {
      statements.length = 0;
      await request(page.path);
      plans.push(`-- ${page.name} (${page.path})\n${explain(path, statements)}`);
    }
    log('dashboard: timing with the 0013, 0018 and 0019 indexes');
    const indexed = await timePages(request, rounds);
    // The baseline, in the same run and on the same data: the same pages without them.
    for (const index of INDEXES) await sql`drop index ${sql.id(index)}`.execute(handle.db);
    await sql`analyze`.execute(handle.db);
    log('dashboard: timing without them (baseline)');
    const baseline = await timePages(request, rounds);

    const worst = (list: Timing[], prefix: string) =>
      Math.max(...list.filter((t) => t.name.startsWith(prefix)).map((t) => t.p95Ms));
    const target = (label: string, prefix: string) => {
      const ms = worst(indexed, prefix);
      const base = worst(baseline, prefix);
      return {
        name: `${label} with ${mirrors} mirrors and ${runs} runs (SQLite)`,
        target: `≤ ${TARGET_MS} ms`,
        measured: `${ms.toFixed(1)} ms (slowest page, p95)`,
        ratio: `${(ms / base).toFixed(2)}× the same pages without those indexes (${base.toFixed(1)} ms)`,
        pass: ms <= TARGET_MS,
      };
    };
    const rows = indexed.map((t, i) => {
      const b = baseline[i] as Timing;
      return [
        t.name,
        `${t.medianMs.toFixed(1)}`,
        `${t.p95Ms.toFixed(1)}`,
        `${b.medianMs.toFixed(1)}`,
        `${b.p95Ms.toFixed(1)}`,
        `${(t.medianMs / b.medianMs).toFixed(2)}×`,
        `${Math.round(t.bytes / 1024)} KiB`,
      ];
    });
    return {
      id: 'dashboard',
      title: 'Dashboard: mirror list, activity log and charts',
      targets: [target('Mirror list', 'mirrors'), target('Activity log', 'activity')],
      details: [
        table(
          ['Page', 'median ms', 'p95 ms', 'baseline median', 'baseline p95', 'ratio', 'size'],
          rows,
        ),
        '',
        'Query plans (EXPLAIN QUERY PLAN, with the 0013, 0018 and 0019 indexes):',
        '',
        '```sql',
        plans.join('\n\n'),
        '```',
      ].join('\n'),
      method: `Each page is asked for through the dashboard's HTTP app in process (session cookie, no socket), ${rounds} times after two warm-ups, on a SQLite file with ${mirrors} mirrors, ${runs} sync runs over 30 days, 5,000 deliveries, 1,000 container actions, 2,000 operator changes, 2,000 kept tips and 5,000 notifications (one run in 200 found OneDev changed); the time includes the queries and rendering the whole page. The baseline is the same pages on the same data after dropping the indexes of migrations 0013, 0018 and 0019.`,
    };
  } finally {
    await handle.destroy();
    work.remove();
  }
}

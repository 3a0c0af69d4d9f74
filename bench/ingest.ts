import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { webhookExample, webhookRequest, withRepository } from '../tests/support/webhooks.js';
import { LoadGenerator, type LoadResult, type PreparedRequest } from './load.js';
import { type CategoryTime, summarizeCpuProfile } from './profile.js';
import {
  type BenchSection,
  type ChildServer,
  envInt,
  freePort,
  int,
  log,
  median,
  ms,
  percentile,
  ROOT,
  sortedCopy,
  startChildServer,
  TSX_LOADER,
  table,
  tempDir,
} from './support.js';

const SECRET = 'bench-webhook-secret-0123456789';
const WEBHOOK_PATH = '/webhooks/github';
const CONNECTIONS = 50;
const TARGET_THROUGHPUT = 2000;
const TARGET_P99_MS = 50;

interface Settings {
  repos: number;
  warmup: number;
  measured: number;
  reps: number;
}

interface Deliveries {
  /** One `watch` (started) per repository: creates the mirrors. */
  watches: PreparedRequest[];
  /** `push` deliveries sent before measuring (JIT, connections, SQLite page cache). */
  warmup: PreparedRequest[];
  /** The timed `push` deliveries. */
  measured: PreparedRequest[];
  /** Every X-GitHub-Delivery sent, in every phase. */
  ids: Set<string>;
  bodyBytes: number;
}

type Variant = 'baseline' | 'baseline-body' | 'compiled' | 'source' | 'profiled';

interface RunStats {
  variant: Variant;
  rep: number;
  load: LoadResult;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** CPU time the server process used during the measured phase, per request. */
  serverCpuUsPerRequest: number;
  /** CPU time this (load generator) process used, per request. */
  clientCpuUsPerRequest: number;
  verification?: Verification;
}

interface Verification {
  rows: number;
  distinct: number;
  missing: number;
  unexpected: number;
  mirrors: number;
  outcomes: Record<string, number>;
  ok: boolean;
}

/**
 * Target 1: signed webhook deliveries into the real service (its own process, SQLite),
 * against a bare Hono handler on the same stack, at 50 keep-alive connections.
 */
export async function runIngest(): Promise<BenchSection> {
  const settings: Settings = {
    repos: envInt('BENCH_INGEST_REPOS', 100),
    warmup: envInt('BENCH_INGEST_WARMUP', 2000),
    measured: envInt('BENCH_INGEST_DELIVERIES', 20_000),
    reps: envInt('BENCH_INGEST_REPS', 3),
  };
  const compiled = join(ROOT, 'dist/src/main.js');
  if (!existsSync(compiled)) throw new Error('dist/src/main.js is missing: run `npm run build`');
  log(
    `ingest: preparing ${int(settings.repos + settings.warmup + settings.measured)} signed deliveries`,
  );
  const deliveries = prepareDeliveries(settings);
  const statements = await statementsPerPush(deliveries);
  log(`ingest: one push delivery runs ${statements.length} statements: ${statements.join(', ')}`);

  const runs: RunStats[] = [];
  for (let rep = 1; rep <= settings.reps; rep++) {
    // Alternate the order so neither side always runs on a warmer machine.
    const order: Variant[] = rep % 2 === 1 ? ['baseline', 'compiled'] : ['compiled', 'baseline'];
    for (const variant of order) runs.push(await measure(variant, rep, deliveries, settings));
  }
  // For information only: the baseline that also reads the body, and the service run from
  // source through tsx, the way the tests run it.
  runs.push(await measure('baseline-body', 1, deliveries, settings));
  runs.push(await measure('source', 1, deliveries, settings));
  // Where the service's CPU time goes: the compiled service again, under --cpu-prof.
  const profileDir = tempDir('ingest-profile');
  try {
    const profiled = await measure('profiled', 1, deliveries, settings, profileDir.path);
    const profile = summarizeCpuProfile(profileDir.path);
    return report(runs, settings, deliveries, { run: profiled, statements, ...profile });
  } finally {
    profileDir.remove();
  }
}

function prepareDeliveries(settings: Settings): Deliveries {
  const ids = new Set<string>();
  let bodyBytes = 0;
  const prepare = (event: string, payload: unknown): PreparedRequest => {
    const deliveryId = randomUUID();
    const signed = webhookRequest({ event, payload, secret: SECRET, deliveryId });
    const body = Buffer.from(signed.body);
    ids.add(deliveryId);
    bodyBytes += body.length;
    return {
      path: WEBHOOK_PATH,
      headers: { ...signed.headers, 'content-length': String(body.length) },
      body,
    };
  };
  const repos = Array.from({ length: settings.repos }, (_, i) => ({
    id: 7_000_001 + i,
    owner: 'bench-org',
    name: `repo-${String(i + 1).padStart(3, '0')}`,
    defaultBranch: 'main',
  }));
  const watch = webhookExample('watch', 'started');
  const push = webhookExample('push', undefined, (p) => p.ref.startsWith('refs/heads/'));
  const watches = repos.map((repo) => prepare('watch', withRepository(watch, repo)));
  const pushes = repos.map((repo) => withRepository(push, repo));
  const pushDelivery = (n: number): PreparedRequest => {
    const payload = pushes[n % pushes.length]!;
    // Every push carries a new head commit, as a real push would.
    const after = randomBytes(20).toString('hex');
    payload.before = payload.after;
    payload.after = after;
    payload.ref = 'refs/heads/main';
    if (payload.head_commit) payload.head_commit.id = after;
    return prepare('push', payload);
  };
  const warmup = Array.from({ length: settings.warmup }, (_, n) => pushDelivery(n));
  const measured = Array.from({ length: settings.measured }, (_, n) => pushDelivery(n));
  return { watches, warmup, measured, ids, bodyBytes };
}

async function measure(
  variant: Variant,
  rep: number,
  deliveries: Deliveries,
  settings: Settings,
  profileDir?: string,
): Promise<RunStats> {
  const dir = tempDir(`ingest-${variant}`);
  const port = await freePort();
  const dbPath = join(dir.path, 'sb.db');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir.path,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${dbPath}`,
    DATA_DIR: dir.path,
    GITHUB_WEBHOOK_SECRET: SECRET,
    // warn: the service would log one info line per delivery; the port is chosen here instead.
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...(variant === 'baseline-body' ? { BASELINE_READ_BODY: '1' } : {}),
  };
  const args: Record<Variant, string[]> = {
    baseline: ['--import', TSX_LOADER, join(ROOT, 'bench/baseline-server.ts')],
    'baseline-body': ['--import', TSX_LOADER, join(ROOT, 'bench/baseline-server.ts')],
    compiled: [join(ROOT, 'dist/src/main.js'), 'serve'],
    source: ['--import', TSX_LOADER, join(ROOT, 'src/main.ts'), 'serve'],
    profiled: [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      join(ROOT, 'dist/src/main.js'),
      'serve',
    ],
  };
  log(`ingest: ${variant} rep ${rep}: starting server on port ${port}`);
  // cwd is the temp dir: the service would load a developer's .env from its cwd.
  let server: ChildServer | undefined;
  try {
    server = await startChildServer({
      args: args[variant],
      env,
      cwd: dir.path,
      port,
      readyPath: '/health/live',
    });
    const load = new LoadGenerator('127.0.0.1', port, CONNECTIONS);
    try {
      // Mirrors first, so no push can overtake the watch that creates its mirror.
      for (const phase of [deliveries.watches, deliveries.warmup]) {
        const setup = await load.run(phase);
        if (setup.errors > 0) {
          throw new Error(
            `${variant}: ${setup.errors} warm-up deliveries failed: ${setup.errorSamples.join('; ')}`,
          );
        }
      }
      const pid = server.child.pid!;
      const serverCpuBefore = processCpuMs(pid);
      const clientCpuBefore = process.cpuUsage();
      const result = await load.run(deliveries.measured);
      const serverCpuMs = processCpuMs(pid) - serverCpuBefore;
      const clientCpu = process.cpuUsage(clientCpuBefore);
      const sorted = sortedCopy(result.latencies);
      const stats: RunStats = {
        variant,
        rep,
        load: result,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
        serverCpuUsPerRequest: (serverCpuMs * 1000) / result.sent,
        clientCpuUsPerRequest: (clientCpu.user + clientCpu.system) / result.sent,
      };
      log(
        `ingest: ${variant} rep ${rep}: ${int(result.throughput)}/s, p50 ${ms(stats.p50)}, p99 ${ms(stats.p99)}, errors ${result.errors}`,
      );
      await server.stop();
      server = undefined;
      if (!variant.startsWith('baseline'))
        stats.verification = verify(dbPath, deliveries, settings);
      return stats;
    } finally {
      load.close();
    }
  } finally {
    await server?.stop();
    dir.remove();
  }
}

/**
 * The statements the service runs for one `push` delivery, read from its own query log
 * (`LOG_LEVEL=trace` makes the database layer log every query's SQL, never parameters).
 */
async function statementsPerPush(deliveries: Deliveries): Promise<string[]> {
  const dir = tempDir('ingest-sql');
  const port = await freePort();
  const server = await startChildServer({
    args: [join(ROOT, 'dist/src/main.js'), 'serve'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir.path,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir.path, 'sb.db')}`,
      DATA_DIR: dir.path,
      GITHUB_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'trace',
    },
    cwd: dir.path,
    port,
    readyPath: '/health/live',
    keepBytes: 4 * 1024 * 1024,
  });
  try {
    const post = async (prepared: PreparedRequest) => {
      const res = await fetch(`${server.url}${prepared.path}`, {
        method: 'POST',
        headers: prepared.headers,
        body: prepared.body,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`SQL probe: HTTP ${res.status}`);
    };
    // The first push goes to the first repository: create that mirror, then watch the push.
    await post(deliveries.watches[0]!);
    await new Promise((r) => setTimeout(r, 200));
    const mark = server.output().length;
    await post(deliveries.warmup[0]!);
    await new Promise((r) => setTimeout(r, 200));
    return server
      .output()
      .slice(mark)
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; sql?: string };
          return entry.msg === 'query' && entry.sql ? [describeSql(entry.sql)] : [];
        } catch {
          return [];
        }
      });
  } finally {
    await server.stop();
    dir.remove();
  }
}

/** `insert into "webhook_deliveries" (…)` → `INSERT webhook_deliveries`. */
function describeSql(sql: string): string {
  const verb = (/^\s*(\w+)/.exec(sql)?.[1] ?? '?').toUpperCase();
  const table = /\b(?:into|update|from)\s+"?(\w+)"?/i.exec(sql)?.[1] ?? '';
  return `${verb} ${table}`.trim();
}

/** CPU time (user + system) a process has used so far, from /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 Hz on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The database must hold exactly one delivery row per delivery sent. */
function verify(dbPath: string, deliveries: Deliveries, settings: Settings): Verification {
  const db = new SqliteDatabase(dbPath, { readonly: true });
  try {
    const rows = db.prepare('select delivery_id from webhook_deliveries').pluck().all() as string[];
    const stored = new Set(rows);
    let missing = 0;
    for (const id of deliveries.ids) if (!stored.has(id)) missing++;
    let unexpected = 0;
    for (const id of stored) if (!deliveries.ids.has(id)) unexpected++;
    const outcomes: Record<string, number> = {};
    const grouped = db
      .prepare('select event, outcome, count(*) as n from webhook_deliveries group by 1, 2')
      .all() as Array<{ event: string; outcome: string; n: number }>;
    for (const g of grouped) outcomes[`${g.event}:${g.outcome}`] = g.n;
    const mirrors = db.prepare('select count(*) from mirrors').pluck().get() as number;
    const ok =
      rows.length === deliveries.ids.size &&
      stored.size === rows.length &&
      missing === 0 &&
      unexpected === 0 &&
      mirrors === settings.repos;
    return { rows: rows.length, distinct: stored.size, missing, unexpected, mirrors, outcomes, ok };
  } finally {
    db.close();
  }
}

interface Profile {
  run: RunStats;
  /** The SQL one push delivery ran, as Kysely logged it. */
  statements: string[];
  totalMs: number;
  categories: CategoryTime[];
  top: CategoryTime[];
}

function report(
  runs: RunStats[],
  settings: Settings,
  deliveries: Deliveries,
  profile: Profile,
): BenchSection {
  const of = (variant: Variant) => runs.filter((r) => r.variant === variant);
  const baseline = of('baseline');
  const compiled = of('compiled');
  const source = of('source');
  const baseThroughput = median(baseline.map((r) => r.load.throughput));
  const sbThroughput = median(compiled.map((r) => r.load.throughput));
  const sbP99 = median(compiled.map((r) => r.p99));
  const ratio = sbThroughput / baseThroughput;
  const errors = compiled.reduce((n, r) => n + r.load.errors, 0);
  const verified = compiled.every((r) => r.verification?.ok);
  const sent = deliveries.ids.size;

  const label: Record<Variant, string> = {
    baseline: 'bare Hono handler (202 only)',
    'baseline-body': 'Hono handler that reads the body, then 202 — information only',
    compiled: 'Starbridge, compiled (`node dist/src/main.js serve`)',
    source: 'Starbridge, from source (tsx) — information only',
    profiled: 'Starbridge, compiled, under `--cpu-prof` — information only',
  };
  const rows = [...runs, profile.run].map((r) => [
    label[r.variant],
    String(r.rep),
    int(r.load.throughput),
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.max),
    String(r.load.errors),
    [...r.load.statuses].map(([s, n]) => `${s}×${int(n)}`).join(', '),
    `${Math.round(r.serverCpuUsPerRequest)} µs`,
    `${Math.round(r.clientCpuUsPerRequest)} µs`,
  ]);
  const checks = [...compiled, ...source, profile.run].map((r) => {
    const v = r.verification!;
    const outcomes = Object.entries(v.outcomes)
      .map(([k, n]) => `${k} ${int(n)}`)
      .join(', ');
    return [
      `${r.variant} rep ${r.rep}`,
      int(sent),
      int(v.rows),
      int(v.distinct),
      String(v.missing),
      String(v.unexpected),
      String(v.mirrors),
      outcomes,
      v.ok ? 'yes' : '**NO**',
    ];
  });
  const details = [
    table(
      [
        'Server',
        'Rep',
        'Deliveries/s',
        'p50',
        'p90',
        'p99',
        'max',
        'Errors',
        'Statuses',
        'Server CPU/req',
        'Client CPU/req',
      ],
      rows,
    ),
    '',
    `Median of ${settings.reps} runs: Starbridge ${int(sbThroughput)}/s, p99 ${ms(sbP99)}; baseline ${int(baseThroughput)}/s; ratio ${ratio.toFixed(3)}.`,
    '',
    capacityNote(compiled, baseline, of('baseline-body'), sbThroughput),
    '',
    'Database check after each Starbridge run (service stopped, SQLite file opened read-only):',
    '',
    table(
      [
        'Run',
        'Sent',
        'Rows',
        'Distinct ids',
        'Missing',
        'Unexpected',
        'Mirrors',
        'Stored outcomes (event:outcome)',
        'Exactly one row each',
      ],
      checks,
    ),
    '',
    profileSection(profile, deliveries),
  ].join('\n');

  const method = [
    `Each server runs as its own process on 127.0.0.1 with a fresh SQLite database (\`DATABASE_URL=sqlite:<tmp>/sb.db\`, \`LOG_LEVEL=warn\`, no OneDev configured, so no sync workers); the port is chosen by the benchmark. The baseline is \`bench/baseline-server.ts\`: the same Hono + @hono/node-server stack with \`app.post('/webhooks/github', c => c.json({ok:true}, 202))\`.`,
    `The load generator (this process, \`node:http\` Agent, keepAlive, maxSockets ${CONNECTIONS}) keeps ${CONNECTIONS} requests in flight (closed loop). All bodies and \`X-Hub-Signature-256\` headers are built before timing from real \`@octokit/webhooks-examples\` payloads (${Math.round(deliveries.bodyBytes / sent)} bytes on average), each with a unique \`X-GitHub-Delivery\`. Per server: ${settings.repos} \`watch\` (started) deliveries create ${settings.repos} mirrors, ${int(settings.warmup)} \`push\` deliveries warm up, then ${int(settings.measured)} \`push\` deliveries (new head sha each, round-robin over the ${settings.repos} repositories) are timed; each is stored and coalesces into the mirror's pending sync request. Latency is from \`request()\` to the end of the response body.`,
    `${settings.reps} repetitions, baseline and Starbridge alternating; the verdict uses the medians. Both servers and the load generator share the machine's cores, so the baseline figure is bounded by the load generator as much as by the server; "Server CPU/req" is the server process's user+system CPU time during the timed phase divided by the deliveries.`,
  ].join('\n\n');

  return {
    id: 'ingest',
    title: 'Webhook ingest on SQLite',
    method,
    details,
    targets: [
      {
        name: 'Webhook ingest throughput (SQLite, 50 keep-alive connections)',
        target: `≥ ${int(TARGET_THROUGHPUT)} deliveries/s, all 2xx, one stored row per delivery`,
        measured: `${int(sbThroughput)} deliveries/s, ${errors} errors, rows ${verified ? 'verified' : '**NOT verified**'}`,
        ratio: `${ratio.toFixed(2)} × bare Hono (${int(baseThroughput)}/s)`,
        pass: sbThroughput >= TARGET_THROUGHPUT && errors === 0 && verified,
      },
      {
        name: 'Webhook ingest p99 latency',
        target: `p99 ≤ ${TARGET_P99_MS} ms`,
        measured: `p99 ${ms(sbP99)} (p50 ${ms(median(compiled.map((r) => r.p50)))})`,
        ratio: `${(sbP99 / median(baseline.map((r) => r.p99))).toFixed(2)} × bare Hono p99 (${ms(median(baseline.map((r) => r.p99)))})`,
        pass: sbP99 <= TARGET_P99_MS,
      },
    ],
  };
}

/**
 * The service answers from one JavaScript thread, so its CPU time per delivery bounds its
 * throughput whatever the load generator does.
 */
function capacityNote(
  compiled: RunStats[],
  baseline: RunStats[],
  withBody: RunStats[],
  throughput: number,
): string {
  const sbCpu = median(compiled.map((r) => r.serverCpuUsPerRequest));
  const baseCpu = median(baseline.map((r) => r.serverCpuUsPerRequest));
  const bodyCpu = median(withBody.map((r) => r.serverCpuUsPerRequest));
  const cap = 1e6 / sbCpu;
  const budget = Math.round(1e6 / TARGET_THROUGHPUT);
  const latency = ` With ${CONNECTIONS} requests in flight and every transaction serialized on the one SQLite connection, latency is roughly ${CONNECTIONS} × the time per delivery, which is why p99 follows throughput.`;
  let verdict = '';
  if (throughput < TARGET_THROUGHPUT && cap < TARGET_THROUGHPUT) {
    verdict = ` That is below the ${int(TARGET_THROUGHPUT)}/s target before any queueing: reaching it needs at most ${budget} µs per delivery on this machine.${latency}`;
  } else if (throughput < TARGET_THROUGHPUT) {
    const clientCpu = median(compiled.map((r) => r.clientCpuUsPerRequest));
    verdict = ` That leaves no headroom: ${int(TARGET_THROUGHPUT)}/s needs at most ${budget} µs per delivery, and the load generator (${Math.round(clientCpu)} µs per request), and the kernel's loopback networking share the same ${availableParallelism()} cores, so the measured throughput stays ${(((TARGET_THROUGHPUT - throughput) / TARGET_THROUGHPUT) * 100).toFixed(0)} % short of the target.${latency}`;
  }
  return `The Starbridge process used ${Math.round(sbCpu)} µs of CPU per delivery (median), the bare handler ${Math.round(baseCpu)} µs, and a handler that only reads the body ${Math.round(bodyCpu)} µs (the bare baseline never reads the body; through @hono/node-server reading it means building a web \`Request\` and stream). Its single JavaScript thread can therefore serve at most about ${int(cap)} deliveries/s here.${verdict}`;
}

function profileSection(profile: Profile, deliveries: Deliveries): string {
  const requests = deliveries.ids.size;
  const rows = profile.categories.map((c) => [
    c.category,
    `${Math.round(c.ms).toLocaleString('en-US')} ms`,
    `${((c.ms / profile.totalMs) * 100).toFixed(1)} %`,
    `${Math.round((c.ms * 1000) / requests)} µs`,
  ]);
  return [
    `**Where the service's time goes.** The compiled service was run once more under \`node --cpu-prof\` with the same ${int(requests)} deliveries (${int(profile.run.load.throughput)}/s under the profiler). Self time by component over the whole process life (start-up included; V8 charges a native call such as a SQLite statement step or \`JSON.parse\` to the JavaScript function that made it). The profiler samples wall-clock time, so on a busy machine the absolute figures include moments the process waited for a core; the shares are the robust part:`,
    '',
    table(['Component', 'Self time', 'Share', 'Per delivery (profiled)'], rows),
    '',
    'The functions with the most self time:',
    '',
    table(
      ['Function (file:line)', 'Self time', 'Per delivery (profiled)'],
      profile.top.map((f) => [
        `\`${f.category}\``,
        `${Math.round(f.ms).toLocaleString('en-US')} ms`,
        `${Math.round((f.ms * 1000) / requests)} µs`,
      ]),
    ),
    '',
    `One \`push\` delivery ran ${profile.statements.length} SQL statements (from the service's own query log at \`LOG_LEVEL=trace\`, in a separate short run: ${profile.statements.join(', ')}). Prepared statements are cached per SQL text; Kysely's SQLite driver hands out its single connection through a mutex held for a whole transaction, so concurrent deliveries queue behind each other.`,
  ].join('\n');
}

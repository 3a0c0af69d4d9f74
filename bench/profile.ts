import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one category, in ms over the whole profile. */
export interface CategoryTime {
  category: string;
  ms: number;
}

/**
 * Where the buckets come from. Native calls (a better-sqlite3 statement step, JSON.parse)
 * are charged by V8 to the JavaScript function that made them, which is why Kysely's
 * SQLite driver file counts as SQLite: its `executeQuery` is where statements run.
 */
const CATEGORIES: Array<[string, (url: string, fn: string) => boolean]> = [
  ['idle (waiting for I/O)', (u, f) => !u && f === '(idle)'],
  [
    'SQLite: prepare + step of each statement (better-sqlite3, via Kysely’s SQLite driver)',
    (u) => u.includes('node_modules/better-sqlite3/') || u.includes('dialect/sqlite/sqlite-driver'),
  ],
  [
    'Kysely: query building, compiling, connection mutex',
    (u) => u.includes('node_modules/kysely/'),
  ],
  ['Hono routing and middleware (incl. bodyLimit)', (u) => /node_modules\/hono\//.test(u)],
  [
    'HTTP: node:http, streams, @hono/node-server Request/Response, socket writes',
    (u, f) =>
      u.includes('@hono/node-server') ||
      /^node:(_http|net|stream|internal\/(streams|webstreams|http|stream_base|deps\/undici|worker|abort_controller|event_target|url))/.test(
        u,
      ) ||
      (!u && (f === 'writev' || f === 'writeUtf8String' || f === 'writeBuffer')),
  ],
  [
    'Starbridge code: JSON.parse, zod, HMAC, service logic',
    (u, f) =>
      /\/(dist\/)?src\//.test(u) ||
      u.includes('node_modules/zod/') ||
      /^node:internal\/(crypto|encoding)/.test(u) ||
      (!u && f === 'parse'),
  ],
  ['garbage collection', (u, f) => !u && f === '(garbage collector)'],
];

const OTHER = 'other: promise and microtask scheduling, events, buffers, start-up';

/** Reads the one `.cpuprofile` in `dir` and sums self time per category. */
export function summarizeCpuProfile(dir: string): {
  totalMs: number;
  categories: CategoryTime[];
  /** The functions with the most self time, `name (file:line)`, for finding the next lever. */
  top: CategoryTime[];
} {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const sums = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { url, functionName } = node.callFrame;
    const category = CATEGORIES.find(([, match]) => match(url, functionName))?.[0] ?? OTHER;
    sums.set(category, (sums.get(category) ?? 0) + us);
    const where = url
      ? ` (${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(dist\/)?src\//, 'src/')}:${node.callFrame.lineNumber + 1})`
      : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const top = [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([category, us]) => ({ category, ms: us / 1000 }));
  const order = [...CATEGORIES.map(([c]) => c), OTHER];
  return {
    totalMs: totalUs / 1000,
    categories: order
      .filter((c) => sums.has(c))
      .map((category) => ({ category, ms: (sums.get(category) ?? 0) / 1000 })),
    top,
  };
}

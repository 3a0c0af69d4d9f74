import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Absolute tsx loader, so children run TypeScript from any working directory. */
export const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** One row of a benchmark's verdict table. */
export interface TargetResult {
  /** Short label, e.g. "Webhook ingest throughput". */
  name: string;
  /** The target as the project states it. */
  target: string;
  /** What this run measured. */
  measured: string;
  /** The ratio against the in-run baseline, as text. */
  ratio: string;
  pass: boolean;
}

/** What one benchmark hands to the report. */
export interface BenchSection {
  id: string;
  title: string;
  targets: TargetResult[];
  /** Markdown with the details: tables, phase breakdowns, verification. */
  details: string;
  /** Markdown: how it was measured. */
  method: string;
}

export function sortedCopy(values: ArrayLike<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ms(value: number, digits = 1): string {
  return `${value.toFixed(digits)} ms`;
}

export function seconds(valueMs: number, digits = 2): string {
  return `${(valueMs / 1000).toFixed(digits)} s`;
}

export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A markdown table from a header row and body rows. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function log(message: string): void {
  console.error(`[bench] ${message}`);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `starbridge-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child server process and how to stop it. */
export interface ChildServer {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts a server process on `port` and waits until `GET readyPath` answers 2xx.
 * Output is collected (and so drained) but kept only up to 64 kB.
 */
export async function startChildServer(options: {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  port: number;
  readyPath: string;
  timeoutMs?: number;
  /** How much output to keep; 64 kB by default. */
  keepBytes?: number;
}): Promise<ChildServer> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < (options.keepBytes ?? 65_536)) output += String(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) throw new Error(`server exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${output}`);
    }
    try {
      const res = await fetch(`${url}${options.readyPath}`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    output: () => output,
    stop: async () => {
      if (!hasExited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `fn` with `concurrency` parallel lanes over `items`. */
export async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** Integer from the environment (for quick trial runs), else the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/**
 * Records how long each named phase took, summed over calls. Wrap the git engine and
 * the OneDev client with {@link timed} to see where a sync spends its time.
 */
export class PhaseClock {
  private readonly totals = new Map<string, { ms: number; calls: number }>();

  add(phase: string, elapsedMs: number): void {
    const entry = this.totals.get(phase) ?? { ms: 0, calls: 0 };
    entry.ms += elapsedMs;
    entry.calls += 1;
    this.totals.set(phase, entry);
  }

  entries(): Array<{ phase: string; ms: number; calls: number }> {
    return [...this.totals].map(([phase, v]) => ({ phase, ...v }));
  }

  reset(): void {
    this.totals.clear();
  }
}

/**
 * A proxy of `target` whose asynchronous methods report their duration to `clock` under
 * `name(method, args)`; everything else passes through.
 */
export function timed<T extends object>(
  target: T,
  clock: PhaseClock,
  name: (method: string, args: unknown[]) => string,
): T {
  return new Proxy(target, {
    get(obj, property, receiver) {
      const value = Reflect.get(obj, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        // Only asynchronous calls are I/O worth timing (gitUrl() and the like are not).
        if (!(result instanceof Promise)) return result;
        return result.finally(() => clock.add(name(property, args), performance.now() - started));
      };
    },
  });
}

/**
 * Runs one of the plain shell baselines in `bench/` with a clean git environment (no user or
 * system config, no prompts) and the extra variables given (tokens reach it only through the
 * environment). Resolves with the script's `<step> <nanoseconds>` lines, in milliseconds.
 */
export function runPlainScript(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Array<[step: string, ms: number]>> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [join(ROOT, 'bench', script), ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        LC_ALL: 'C',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code}: ${stderr}`));
        return;
      }
      const steps = stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
        .filter(([step]) => step)
        .map(([step = '', ns]): [string, number] => [step, Number(ns) / 1e6]);
      resolve(steps);
    });
  });
}

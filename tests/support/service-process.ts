import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Absolute, so the service can run from any working directory (it reads .env from there).
const TSX_LOADER = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Base URL once the service logged that it listens. */
  url: string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs `starbridge <command>` from source as a separate process, the way an operator
 * would, with exactly the environment given (no inherited configuration).
 */
export function runStarbridge(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
) {
  return runCommand(
    process.execPath,
    ['--import', TSX_LOADER, `${ROOT}src/entry.ts`, ...args],
    options,
  );
}

/** Runs a command with exactly the environment given (no inherited configuration). */
function runCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; group?: boolean },
) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    // Its own process group, so a stop reaches what a wrapper such as npm started.
    detached: options.group ?? false,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Once every process holding its output has ended (a wrapper's children included).
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, output: () => output, exited, closed };
}

/** Starts `starbridge serve` on a free port and waits until it listens. */
export function startServiceProcess(
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const run = runStarbridge(['serve'], {
    ...options,
    env: { PORT: '0', HOST: '127.0.0.1', ...options.env },
  });
  return untilListening(run, options.timeoutMs ?? 30_000);
}

/**
 * Runs the README's command, `npm start` (compile with tsc, then `node dist/src/entry.js
 * serve`), from the checkout, on a free port, and waits until it listens.
 */
export async function startWithNpmStart(
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const run = runCommand('npm', ['start'], {
    env: { PORT: '0', HOST: '127.0.0.1', ...options.env },
    group: true,
  });
  const service = await untilListening(run, options.timeoutMs ?? 120_000);
  return {
    ...service,
    // npm ends on the signal at once; the service it started logs on until it has stopped.
    stop: async (signal = 'SIGTERM') => {
      if (run.child.pid !== undefined) process.kill(-run.child.pid, signal);
      await run.closed;
      return run.exited;
    },
  };
}

async function untilListening(
  run: ReturnType<typeof runCommand>,
  timeoutMs: number,
): Promise<ServiceProcess> {
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start:\n${run.output()}`)),
      timeoutMs,
    );
    const poll = setInterval(() => {
      const match = /"port":(\d+)[^\n]*"msg":"starbridge listening"/.exec(run.output());
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    }, 50);
    run.exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`service exited before listening:\n${run.output()}`));
    });
  });
  return {
    ...run,
    url: `http://127.0.0.1:${port}`,
    stop: (signal = 'SIGTERM') => {
      run.child.kill(signal);
      return run.exited;
    },
  };
}

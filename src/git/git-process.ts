import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';

/** `child_process.spawn`'s shape; tests inject a spy to see exactly what git was given. */
export type SpawnFn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

/** What every git child is allowed to know (docs/reference/bad-inputs.md#git-invocation-rules). */
export interface GitEnvSettings {
  homeDir: string;
  /** PATH for the child; the only variable taken from outside. */
  path: string;
  allowHttp: boolean;
  lowSpeedLimitBytes: number;
  lowSpeedTimeSeconds: number;
}

/**
 * The whole environment of a git child: nothing inherited but PATH. Config goes through
 * `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n` (command-line scope, beats any repository config),
 * and so does the credential, which therefore never shows in argv (`ps`), a remote URL or
 * a config file on disk.
 */
export function buildGitEnv(
  settings: GitEnvSettings,
  authorization?: string,
  extraConfig: ReadonlyArray<readonly [string, string]> = [],
  sshCommand?: string,
): Record<string, string> {
  const config: Array<readonly [string, string]> = [
    ['http.followRedirects', 'false'],
    ['http.lowSpeedLimit', String(settings.lowSpeedLimitBytes)],
    ['http.lowSpeedTime', String(settings.lowSpeedTimeSeconds)],
    ['core.hooksPath', '/dev/null'],
    ['transfer.fsckObjects', 'true'],
    ['protocol.file.allow', 'never'],
    ['submodule.recurse', 'false'],
    // Auto-gc must run inside this process group and timeout: a detached gc would hold
    // locks the next run treats as stale, and outlive a kill.
    ['gc.autoDetach', 'false'],
    ['maintenance.autoDetach', 'false'],
  ];
  if (authorization !== undefined) {
    config.push(['http.extraHeader', `Authorization: ${authorization}`]);
  }
  config.push(...extraConfig);
  const env: Record<string, string> = {
    PATH: settings.path,
    HOME: settings.homeDir,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: settings.allowHttp ? 'https:http' : 'https',
    GIT_CONFIG_COUNT: String(config.length),
  };
  if (sshCommand !== undefined) {
    // Only a command that talks to an SSH remote may use ssh at all.
    env.GIT_ALLOW_PROTOCOL = `${env.GIT_ALLOW_PROTOCOL}:ssh`;
    env.GIT_SSH_COMMAND = sshCommand;
    env.GIT_SSH_VARIANT = 'ssh';
  }
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

export interface GitRunRequest {
  args: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** How long SIGTERM gets before SIGKILL. */
  killGraceMs: number;
  signal?: AbortSignal;
  spawn: SpawnFn;
  /** Written to stdin, which is otherwise closed. */
  input?: string;
}

export interface GitRunResult {
  exitCode: number | null;
  /** The signal that ended git, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last {@link STDERR_KEEP} bytes of stderr. */
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when git could not be started at all (e.g. not on PATH). */
  spawnError?: Error;
}

const STDERR_KEEP = 64 * 1024;
const NOT_RUN = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false };

/**
 * Runs git once, never through a shell. The child leads its own process group so a
 * timeout or abort (SIGTERM, then SIGKILL after a grace period) also ends the
 * `git-remote-https` helpers it started. Always resolves after the child has exited and
 * its pipes closed, so nothing is left running or unreaped.
 */
export function runGit(request: GitRunRequest): Promise<GitRunResult> {
  if (request.signal?.aborted) return Promise.resolve({ ...NOT_RUN, aborted: true });
  let child: ChildProcess;
  try {
    child = request.spawn('git', request.args, {
      env: request.env,
      stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
  } catch (error) {
    return Promise.resolve({ ...NOT_RUN, aborted: false, spawnError: asError(error) });
  }
  if (request.input !== undefined && child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.input);
  }
  return supervise(child, request);
}

function supervise(child: ChildProcess, request: GitRunRequest): Promise<GitRunResult> {
  const output = collectOutput(child);
  const stopper = new GroupStopper(child, request.killGraceMs);
  const onAbort = (): void => stopper.stop('abort');
  const timer = setTimeout(() => stopper.stop('timeout'), request.timeoutMs);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<GitRunResult, 'timedOut' | 'aborted'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopper.dispose();
      request.signal?.removeEventListener('abort', onAbort);
      const why = stopper.reason;
      resolve({ ...result, timedOut: why === 'timeout', aborted: why === 'abort' });
    };
    child.on('error', (error) => {
      // Only a failed spawn leaves no pid; any other error is followed by 'close'.
      if (child.pid === undefined) finish({ ...NOT_RUN, spawnError: error });
    });
    child.on('close', (code, sig) => finish({ exitCode: code, signal: sig, ...output() }));
  });
}

/** Collects stdout whole and the tail of stderr. */
function collectOutput(child: ChildProcess): () => { stdout: string; stderr: string } {
  const stdout: Buffer[] = [];
  let stderr = Buffer.alloc(0);
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = Buffer.concat([stderr, chunk]);
    if (stderr.length > STDERR_KEEP) stderr = stderr.subarray(stderr.length - STDERR_KEEP);
  });
  return () => ({
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: stderr.toString('utf8'),
  });
}

/** Ends git's whole process group: SIGTERM first, SIGKILL after the grace period. */
class GroupStopper {
  reason: 'timeout' | 'abort' | undefined;
  private exited = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly graceMs: number,
  ) {
    child.on('exit', () => {
      this.exited = true;
      // Helpers that outlived git would keep the pipes, and so 'close', open.
      if (this.reason) this.signal('SIGKILL');
    });
  }

  stop(why: 'timeout' | 'abort'): void {
    if (this.reason || this.exited) return;
    this.reason = why;
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), this.graceMs);
  }

  dispose(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      if (!this.exited) this.child.kill(sig);
    }
  }
}

/** The spawn used when none is injected. */
export const defaultSpawn: SpawnFn = (command, args, options) => nodeSpawn(command, args, options);

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

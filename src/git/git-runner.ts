import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GitRemote, TextRedactor } from './git.port.js';
import { type GitCommandError, gitFailure, refusal } from './git-errors.js';
import {
  buildGitEnv,
  defaultSpawn,
  type GitEnvSettings,
  type GitRunResult,
  runGit,
  type SpawnFn,
} from './git-process.js';
import {
  checkAuthorization,
  checkRemoteUrl,
  checkSshUrl,
  describeHost,
  describeUrl,
  redactorFor,
} from './git-remote.js';
import { openSshSession } from './git-ssh.js';

export interface GitEngineOptions {
  /** Service-owned HOME for git (no .gitconfig in it); created if missing. */
  homeDir: string;
  /** Allow `http://` remotes besides `https://` (tests, a OneDev on a private network). */
  allowHttp: boolean;
  /** Overall limit per git command; default 10 minutes. */
  timeoutMs?: number;
  /** Abort a transfer slower than this many bytes/s ... */
  lowSpeedLimitBytes?: number;
  /** ... for this many seconds. Defaults 1000 bytes/s for 60 s. */
  lowSpeedTimeSeconds?: number;
  /** Scrubs configured secrets from every error; the remote's own credential always is. */
  redactor?: TextRedactor;
  /** PATH for git children; {@link DEFAULT_PATH} when unset. */
  path?: string;
  /** Grace between SIGTERM and SIGKILL; default 5 s. */
  killGraceMs?: number;
  /** Replaces `child_process.spawn`, for tests that inspect argv and environment. */
  spawn?: SpawnFn;
}

export interface RunOptions {
  /** The remote this command talks to: its credential goes into the environment. */
  remote?: GitRemote;
  signal?: AbortSignal;
  input?: string;
  /**
   * Sends the remote's credential only to URLs under this one (`http.<url>.extraHeader`) instead
   * of to every URL: git-lfs follows transfer links the server hands out, which may point at
   * other hosts.
   */
  credentialScope?: string;
  /** More configuration for this command only, through the environment like the rest. */
  config?: ReadonlyArray<readonly [string, string]>;
  /** Non-zero exits that are an answer, not a failure (e.g. `merge-base` exit 1). */
  accept?: (result: GitRunResult) => boolean;
}

export interface GitRunner {
  /** Runs git; throws a classified {@link GitCommandError} unless it succeeded or was accepted. */
  run(op: string, args: string[], options?: RunOptions): Promise<GitRunResult>;
  /** Builds the classified error for a result, e.g. a push whose refs were rejected. */
  failure(op: string, result: GitRunResult, remote?: GitRemote): GitCommandError;
  /** The remote's URL once checked (scheme, no credentials, no option-like host). */
  checkedUrl(remote: GitRemote): string;
}

/** The authorization for `buildGitEnv`, or the same as configuration scoped to one URL. */
function credentialConfig(
  run: RunOptions,
): [string | undefined, ReadonlyArray<readonly [string, string]>] {
  const authorization = run.remote?.authorization;
  const extra = run.config ?? [];
  if (run.credentialScope === undefined || authorization === undefined)
    return [authorization, extra];
  const header = `Authorization: ${authorization}`;
  return [undefined, [[`http.${run.credentialScope}.extraHeader`, header], ...extra]];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Owns the settings every git child shares: environment, timeouts, redaction. */
export function createGitRunner(options: GitEngineOptions): GitRunner {
  const settings: GitEnvSettings = {
    homeDir: resolve(options.homeDir),
    path: options.path ?? DEFAULT_PATH,
    allowHttp: options.allowHttp,
    lowSpeedLimitBytes: options.lowSpeedLimitBytes ?? 1000,
    lowSpeedTimeSeconds: options.lowSpeedTimeSeconds ?? 60,
  };
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  let home: Promise<unknown> | undefined;

  const failure = (op: string, result: GitRunResult, remote?: GitRemote): GitCommandError => {
    const where = remote ? { url: describeUrl(remote.url), host: describeHost(remote.url) } : {};
    const ctx = {
      op,
      timeoutMs,
      lowSpeedLimitBytes: settings.lowSpeedLimitBytes,
      lowSpeedTimeSeconds: settings.lowSpeedTimeSeconds,
      ...where,
    };
    return gitFailure(result, ctx, redactorFor(remote, options.redactor));
  };

  return {
    failure,
    checkedUrl(remote) {
      checkAuthorization(remote.authorization);
      if (remote.ssh) return checkSshUrl(remote.url);
      return checkRemoteUrl(remote.url, settings.allowHttp);
    },
    async run(op, args, run = {}) {
      home ??= mkdir(settings.homeDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        home = undefined;
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw refusal('unknown', `cannot create git home ${settings.homeDir} (${code})`);
      });
      await home;
      const ssh = run.remote?.ssh
        ? await openSshSession(settings.homeDir, run.remote.ssh).catch((error: unknown) => {
            const code = (error as NodeJS.ErrnoException).code ?? String(error);
            throw refusal(
              'unknown',
              `cannot write the SSH key file under ${settings.homeDir} (${code})`,
            );
          })
        : undefined;
      let result: GitRunResult;
      try {
        result = await runGit({
          args,
          env: buildGitEnv(settings, ...credentialConfig(run), ssh?.command),
          timeoutMs,
          killGraceMs: options.killGraceMs ?? 5000,
          spawn: options.spawn ?? defaultSpawn,
          ...(run.signal ? { signal: run.signal } : {}),
          ...(run.input !== undefined ? { input: run.input } : {}),
        });
      } finally {
        // The decrypted key exists on disk only while this one command runs.
        await ssh?.close();
      }
      if (result.timedOut || result.aborted) throw failure(op, result, run.remote);
      if (result.exitCode === 0 || run.accept?.(result)) return result;
      throw failure(op, result, run.remote);
    },
  };
}

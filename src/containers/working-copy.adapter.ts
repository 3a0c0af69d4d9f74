import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildGitEnv, defaultSpawn, type GitRunResult, runGit } from '../git/git-process.js';

/** A working copy brought up to date: where, which branch, at which commit. */
export interface WorkingCopyUpdate {
  path: string;
  branch: string;
  commit: string;
  /** The commit checked out before; null for a new working copy. */
  previous: string | null;
  /** True when the branch's head was `holdAt` and the working copy stayed where it was. */
  held?: boolean;
}

export interface WorkingCopyRequest {
  fullName: string;
  name: string;
  cacheDir: string;
  branch: string;
  /** A commit its followers failed on: if the branch is still there, do not move. */
  holdAt?: string;
}

export interface WorkingCopies {
  /**
   * Checks out `branch` of the bare cache at `CHECKOUT_DIR/<name>` (no network: the cache
   * was just fetched by the sync). Tracked files are forced to the commit; files the
   * repository does not track are left alone.
   */
  update(request: WorkingCopyRequest, signal?: AbortSignal): Promise<WorkingCopyUpdate>;
  /**
   * Puts the working copy of `name` back on `commit` (one it had checked out before, so
   * its objects are there), on the same branch; tracked files only, like `update`.
   */
  reset(
    request: { fullName: string; name: string; branch: string; commit: string },
    signal?: AbortSignal,
  ): Promise<WorkingCopyUpdate>;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const OWNER_KEY = 'starbridge.repository';

/**
 * Working copies on the real git binary with the git engine's environment (no hooks, no
 * prompts, no system config, fsck on transfer), except that the one transport allowed is
 * the local file one, and only ever towards our own bare cache.
 */
export function createWorkingCopies(options: {
  checkoutDir: string;
  homeDir: string;
  timeoutMs?: number;
}): WorkingCopies {
  const root = resolve(options.checkoutDir);
  const env = fileOnlyEnv(resolve(options.homeDir));
  const queues = new Map<string, Promise<unknown>>();

  async function git(args: string[], signal?: AbortSignal, accept = false): Promise<GitRunResult> {
    await mkdir(env.HOME as string, { recursive: true, mode: 0o700 });
    const result = await runGit({
      args,
      env,
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      killGraceMs: 2_000,
      spawn: defaultSpawn,
      ...(signal ? { signal } : {}),
    });
    if (result.exitCode === 0 || (accept && result.exitCode !== null)) return result;
    const why = result.spawnError?.message ?? (result.stderr.trim().split('\n').pop() || 'failed');
    throw new Error(`git ${args.find((a) => !a.startsWith('-'))}: ${why}`);
  }

  async function update(
    request: WorkingCopyRequest,
    signal?: AbortSignal,
  ): Promise<WorkingCopyUpdate> {
    const path = join(root, checkedName(request.name));
    const cache = resolve(request.cacheDir);
    const heads = await git(
      ['--git-dir', cache, 'for-each-ref', '--format=%(refname)', 'refs/heads/'],
      signal,
    );
    const wanted = `refs/heads/${request.branch}`.toLowerCase();
    const ref = heads.stdout.split('\n').find((line) => line.toLowerCase() === wanted);
    if (!ref)
      throw new Error(`branch ${request.branch} is not in the cache of ${request.fullName}`);
    const branch = ref.slice('refs/heads/'.length);
    await claim(path, request.fullName, signal);
    await git(
      [
        '-C',
        path,
        'fetch',
        '--no-tags',
        '--no-recurse-submodules',
        '--',
        cache,
        `+${ref}:refs/remotes/cache/${branch}`,
      ],
      signal,
    );
    const commit = (
      await git(
        [
          '-C',
          path,
          'rev-parse',
          '--verify',
          '--end-of-options',
          `refs/remotes/cache/${branch}^{commit}`,
        ],
        signal,
      )
    ).stdout.trim();
    const previous = await head(path, signal);
    if (request.holdAt && commit === request.holdAt && previous) {
      return { path, branch, commit: previous, previous, held: true };
    }
    await git(['-C', path, 'checkout', '--quiet', '--force', '-B', branch, commit], signal);
    return { path, branch, commit, previous };
  }

  async function reset(
    request: { fullName: string; name: string; branch: string; commit: string },
    signal?: AbortSignal,
  ): Promise<WorkingCopyUpdate> {
    const path = join(root, checkedName(request.name));
    await claim(path, request.fullName, signal);
    const previous = await head(path, signal);
    if (!/^[0-9a-f]{40,64}$/.test(request.commit)) throw new Error('not a commit id');
    const branch = request.branch;
    await git(['-C', path, 'checkout', '--quiet', '--force', '-B', branch, request.commit], signal);
    return { path, branch, commit: request.commit, previous };
  }

  /** The commit checked out, or null in a working copy that has none yet. */
  async function head(path: string, signal?: AbortSignal): Promise<string | null> {
    const result = await git(
      ['-C', path, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'],
      signal,
      true,
    );
    return result.exitCode === 0 ? result.stdout.trim() || null : null;
  }

  /** Makes `path` a working copy of `fullName`, refusing one that belongs to anything else. */
  async function claim(path: string, fullName: string, signal?: AbortSignal): Promise<void> {
    if (existsSync(join(path, '.git'))) {
      const owner = (
        await git(['-C', path, 'config', '--get', OWNER_KEY], signal, true)
      ).stdout.trim();
      if (owner.toLowerCase() === fullName.toLowerCase()) return;
      throw new Error(
        `${path} is the working copy of ${owner || 'something else'}, not ${fullName}: remove it or rename one repository`,
      );
    }
    if (existsSync(path) && readdirSync(path).length > 0) {
      throw new Error(
        `${path} exists and is not a Starbridge working copy: move it away so Starbridge can create one`,
      );
    }
    await mkdir(path, { recursive: true });
    await git(['init', '--quiet', path], signal);
    await git(['-C', path, 'config', OWNER_KEY, fullName], signal);
  }

  // One change at a time per working copy: a sync batch and a manual restart may race.
  function queued<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = name.toLowerCase();
    const next = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    queues.set(key, next);
    return next;
  }

  return {
    update: (request, signal) => queued(request.name, () => update(request, signal)),
    reset: (request, signal) => queued(request.name, () => reset(request, signal)),
  };
}

/** A repository name as a directory name: never empty, `.`/`..`, or containing a slash. */
function checkedName(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || /^\.+$/.test(name)) {
    throw new Error(`"${name}" cannot be a working copy directory name`);
  }
  return name;
}

/** The git engine's environment, with the local transport (towards our cache) allowed. */
function fileOnlyEnv(homeDir: string): Record<string, string> {
  const settings = {
    homeDir,
    path: PATH,
    allowHttp: false,
    lowSpeedLimitBytes: 1000,
    lowSpeedTimeSeconds: 60,
  };
  const env = buildGitEnv(settings);
  const count = Number(env.GIT_CONFIG_COUNT);
  env[`GIT_CONFIG_KEY_${count}`] = 'protocol.file.allow';
  env[`GIT_CONFIG_VALUE_${count}`] = 'always';
  env.GIT_CONFIG_COUNT = String(count + 1);
  env.GIT_ALLOW_PROTOCOL = 'file';
  return env;
}

import { defaultSpawn, runGit, type SpawnFn } from './git-process.js';
import { DEFAULT_PATH } from './git-runner.js';

/**
 * The `git` binary Starbridge runs (docs/reference/bad-inputs.md#g14): it must exist and carry the
 * May 2024 security fixes (CVE-2024-32002, -32004, -32020, -32021, -32465), because every
 * mirror fetches repositories written by strangers. Each maintained series got them in a
 * different patch release; series before 2.39 got none.
 */
const FIRST_PATCHED: Record<number, number> = { 39: 4, 40: 2, 41: 1, 42: 2, 43: 4, 44: 1, 45: 1 };
const FIRST_FULLY_PATCHED_MINOR = 46;

export const REQUIRED_GIT =
  'git 2.39.4, 2.40.2, 2.41.1, 2.42.2, 2.43.4, 2.44.1, 2.45.1 or newer in its series, or any 2.46+';

const HOW_TO_INSTALL =
  'install a current git from your distribution (Debian 12: apt-get install git) or run the Starbridge container image, which includes one';

export interface GitInstallation {
  /** As git reports it, e.g. `2.39.5`. */
  version: string;
}

/** Git is missing, broken or too old to run safely; the message says what to do. */
export class GitInstallationError extends Error {
  override readonly name = 'GitInstallationError';
}

export interface GitCheckOptions {
  /** PATH searched for git; the git engine's default when unset. */
  path?: string;
  spawn?: SpawnFn;
}

/** Runs `git --version` and refuses a missing, unreadable or unpatched git. */
export async function checkGitInstallation(
  options: GitCheckOptions = {},
): Promise<GitInstallation> {
  const path = options.path ?? DEFAULT_PATH;
  const result = await runGit({
    args: ['--version'],
    env: { PATH: path, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1' },
    timeoutMs: 10_000,
    killGraceMs: 1_000,
    spawn: options.spawn ?? defaultSpawn,
  });
  if (result.spawnError) {
    const code = (result.spawnError as NodeJS.ErrnoException).code ?? result.spawnError.message;
    throw new GitInstallationError(
      `git was not found or cannot be started (${code}; searched PATH=${path}). ` +
        `Starbridge runs git to fetch from GitHub and push to OneDev and needs ${REQUIRED_GIT}: ${HOW_TO_INSTALL}.`,
    );
  }
  const found = /^git version (\d+)\.(\d+)\.(\d+)/.exec(result.stdout.trim());
  if (result.exitCode !== 0 || !found) {
    const said = (result.stderr || result.stdout).trim().slice(0, 200) || '(no output)';
    throw new GitInstallationError(
      `git --version did not work (exit ${result.exitCode ?? result.signal}: ${said}). ` +
        `Starbridge needs a working ${REQUIRED_GIT}: ${HOW_TO_INSTALL}.`,
    );
  }
  const [major, minor, patch] = found.slice(1).map(Number) as [number, number, number];
  const version = `${major}.${minor}.${patch}`;
  if (!isPatchedGitVersion(major, minor, patch)) {
    throw new GitInstallationError(
      `git ${version} is too old: it lacks the May 2024 security fixes for fetching untrusted repositories. ` +
        `Starbridge needs ${REQUIRED_GIT}: ${HOW_TO_INSTALL}.`,
    );
  }
  return { version };
}

/** By version number only: a distribution that backports the fixes under an older number is refused too. */
export function isPatchedGitVersion(major: number, minor: number, patch: number): boolean {
  if (major !== 2) return major > 2;
  if (minor >= FIRST_FULLY_PATCHED_MINOR) return true;
  const first = FIRST_PATCHED[minor];
  return first !== undefined && patch >= first;
}

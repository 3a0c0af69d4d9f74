import { execFile } from 'node:child_process';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { installHooks } from './hooks.js';
import type { GitPackConfig } from './types.js';

/**
 * Bare repositories behind the double, driven with the real `git` binary. The default-branch rule
 * is `GitUtils#getDefaultBranch` (docs/reference/onedev.md#default-branch-after-first-push,
 * #default-branch): HEAD must be a symbolic ref to an existing `refs/heads/*`, otherwise there is
 * none.
 */

const run = promisify(execFile);

/** The caller's GIT_* variables (GIT_DIR when tests run inside a git hook…) must not leak in. */
const GIT_ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { env: GIT_ENV });
  return stdout;
}

async function gitOk(dir: string, args: string[]): Promise<boolean> {
  try {
    await git(dir, args);
    return true;
  } catch {
    return false;
  }
}

/**
 * `DPS#checkGitDir` + `checkGitConfig` + `HookUtils#checkReceiveHooks`
 * (docs/reference/onedev.md#create-checks).
 */
export async function initBareRepo(dir: string, pack: GitPackConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run('git', ['init', '--bare', '--quiet', '--initial-branch=main', '--template=', dir], {
    env: GIT_ENV,
  });
  const packLines = Object.entries(pack)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `\t${k} = ${v}\n`)
    .join('');
  await appendFile(
    `${dir}/config`,
    '[diff]\n\talgorithm = histogram\n[uploadpack]\n\tallowAnySHA1InWant = true\n' +
      (packLines ? `[pack]\n${packLines}` : ''),
  );
  await installHooks(dir);
}

export async function removeRepo(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function branchExists(dir: string, branch: string): Promise<boolean> {
  return gitOk(dir, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
}

export async function defaultBranch(dir: string): Promise<string | null> {
  let head: string;
  try {
    head = (await git(dir, ['symbolic-ref', '--quiet', 'HEAD'])).trim();
  } catch {
    return null;
  }
  if (!head.startsWith('refs/heads/')) return null;
  const branch = head.slice('refs/heads/'.length);
  return (await branchExists(dir, branch)) ? branch : null;
}

export async function setHead(dir: string, branch: string): Promise<void> {
  await git(dir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
}

/** Short branch names in refname order (docs/reference/onedev.md#endpoints-used). */
export async function listBranches(dir: string): Promise<string[]> {
  const out = await git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((ref) => ref.slice('refs/heads/'.length));
}

/** Every ref with the object it points at (tags are not peeled). */
export async function listRefs(dir: string): Promise<Record<string, string>> {
  const out = await git(dir, ['for-each-ref', '--format=%(objectname) %(refname)']);
  const refs: Record<string, string> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const space = line.indexOf(' ');
    refs[line.slice(space + 1)] = line.slice(0, space);
  }
  return refs;
}

/**
 * A fork starts with the source's branches, tags and HEAD (docs/reference/onedev.md#project-data).
 */
export async function copyRepo(from: string, to: string): Promise<void> {
  await git(to, [
    'fetch',
    '--quiet',
    from,
    '+refs/heads/*:refs/heads/*',
    '+refs/tags/*:refs/tags/*',
  ]);
  const head = await defaultBranch(from);
  if (head) await setHead(to, head);
}

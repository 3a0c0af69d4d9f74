import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OneDevDouble, OneDevDoubleOptions } from './index.js';

/**
 * Helpers for tests that drive the OneDev double: a standard cast of users and tokens,
 * a small fetch wrapper, and plain-git source repositories to push from.
 */

export const TOKENS = {
  /** Administrator, full owner permissions. */
  admin: 'admin-token-0123456789abcdefghijklmnopqrs',
  /** Alice may create root projects (group permission), full owner permissions. */
  alice: 'alice-token-0123456789abcdefghijklmnopqrs',
  /** Alice's token without owner permissions: no root creation, no projects. */
  aliceLimited: 'alice-limited-0123456789abcdefghijklmnop',
  /** Bob can log in but owns nothing. */
  bob: 'bob-token-0123456789abcdefghijklmnopqrstu',
} as const;

export const STANDARD_CAST: OneDevDoubleOptions = {
  users: [
    { name: 'admin', password: 'admin-pw', admin: true },
    { name: 'alice', password: 'alice-pw', canCreateRootProjects: true },
    { name: 'bob', password: 'bob-pw' },
  ],
  tokens: [
    { value: TOKENS.admin, owner: 'admin', hasOwnerPermissions: true },
    { value: TOKENS.alice, owner: 'alice', hasOwnerPermissions: true },
    { value: TOKENS.aliceLimited, owner: 'alice', hasOwnerPermissions: false },
    { value: TOKENS.bob, owner: 'bob', hasOwnerPermissions: true },
  ],
};

export interface ApiResponse {
  status: number;
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  token?: string;
  /** Full Authorization header value; wins over `token`. */
  authorization?: string;
  /** JSON-encoded unless already a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function api(
  double: OneDevDouble,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers.Authorization = options.authorization;
  else if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${double.url}${path}`, { method, headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The minimal valid create body of docs/reference/onedev.md#project-data. */
export function createBody(name: string, parentId?: number): Record<string, unknown> {
  return {
    name,
    ...(parentId === undefined ? {} : { parentId }),
    gitPackConfig: {},
    codeAnalysisSetting: {},
  };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

export function runGit(args: string[], cwd?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: GIT_ENV }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustGit(args: string[], cwd: string): Promise<string> {
  const result = await runGit(args, cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export interface SourceRepo {
  dir: string;
  /** Commit id of `ref`. */
  rev(ref: string): Promise<string>;
  /** Adds a commit on an existing `branch`; `amend` rewrites the tip (a later push is forced). */
  commit(branch: string, options?: { amend?: boolean }): Promise<string>;
  remove(): Promise<void>;
}

/** `github/octocat/hello` (project ids 1, 2, 3), created level by level by the admin. */
export async function createHelloProject(double: OneDevDouble): Promise<void> {
  for (const [name, parent] of [
    ['github', undefined],
    ['octocat', 1],
    ['hello', 2],
  ] as const) {
    await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: createBody(name, parent),
    });
  }
}

/**
 * A work repository whose first branch gets the first commit; every other branch forks
 * from it with one commit of its own. `refs` are extra refs pointing at the first branch.
 */
export async function makeSourceRepo(spec: {
  branches: string[];
  tags?: string[];
  refs?: string[];
}): Promise<SourceRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'onedev-double-src-'));
  const [first, ...others] = spec.branches;
  if (!first) throw new Error('makeSourceRepo needs a branch');
  let counter = 0;
  const commitHere = async (message: string, amend: boolean): Promise<string> => {
    counter++;
    await writeFile(join(dir, `file-${counter}.txt`), `change ${counter}\n`);
    await mustGit(['add', '.'], dir);
    await mustGit(['commit', '-q', ...(amend ? ['--amend'] : []), '-m', message], dir);
    return (await mustGit(['rev-parse', 'HEAD'], dir)).trim();
  };
  const commit = async (branch: string, options: { amend?: boolean } = {}): Promise<string> => {
    await mustGit(['checkout', '-q', branch], dir);
    return commitHere(`commit ${counter + 1} on ${branch}`, !!options.amend);
  };
  await mustGit(['init', '-q', `--initial-branch=${first}`], dir);
  await commitHere(`first commit on ${first}`, false);
  for (const branch of others) {
    await mustGit(['checkout', '-q', '-b', branch, first], dir);
    await commitHere(`commit on ${branch}`, false);
  }
  await mustGit(['checkout', '-q', first], dir);
  for (const tag of spec.tags ?? []) await mustGit(['tag', tag, first], dir);
  for (const ref of spec.refs ?? []) await mustGit(['update-ref', ref, first], dir);
  return {
    dir,
    rev: async (ref) => (await mustGit(['rev-parse', ref], dir)).trim(),
    commit,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * `git push` with the token in `http.extraHeader`, as docs/reference/onedev.md#git-credentials
 * recommends.
 */
export function pushWithToken(
  repoDir: string,
  url: string,
  token: string | undefined,
  refspecs: string[],
  extra: string[] = [],
): Promise<GitResult> {
  const auth = token === undefined ? [] : ['-c', `http.extraHeader=Authorization: Bearer ${token}`];
  return runGit([...auth, 'push', ...extra, url, ...refspecs], repoDir);
}

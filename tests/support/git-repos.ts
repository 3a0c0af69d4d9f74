import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Seconds since the epoch that every harness commit date counts up from (2024-01-01T00:00:00Z). */
export const BASE_TIME = 1_704_067_200;

const IDENTITY = { name: 'Starbridge Test', email: 'test@starbridge.invalid' };

/**
 * Environment for every harness `git` call: no system or global config (a developer's
 * `~/.gitconfig` or credential helper must not change results), no terminal prompts
 * (a failing auth must fail, not hang), and a fixed identity and date so object ids are
 * reproducible.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const date = `@${BASE_TIME} +0000`;
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email,
    GIT_COMMITTER_DATE: date,
    ...extra,
  };
}

/** Options for {@link git}. */
export interface GitRunOptions {
  /** Working directory (a bare repository is fine). */
  cwd?: string;
  /** Added on top of {@link gitEnv}. */
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
}

/** A failed `git` invocation; keeps stderr so test failures say what git said. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
    this.name = 'GitError';
  }
}

/**
 * Runs the real `git` binary with {@link gitEnv} and resolves with its stdout
 * (trailing newline removed); rejects with {@link GitError} on a non-zero exit.
 */
export function git(args: readonly string[], options: GitRunOptions = {}): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: gitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => {
      const err = Buffer.concat(stderr).toString();
      if (code === 0) done(Buffer.concat(stdout).toString().replace(/\n$/, ''));
      else fail(new GitError(args, code, err));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Creates a fresh directory under the OS temp dir; pair with {@link removeTempDir}. */
export function makeTempDir(prefix = 'starbridge-git-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Deletes a directory made by {@link makeTempDir}, ignoring one that is already gone. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/**
 * Creates an empty bare repository at `root/relPath` (e.g. `octocat/hello.git`)
 * whose HEAD names `defaultBranch`, and returns its absolute path.
 */
export async function createBareRepo(
  root: string,
  relPath: string,
  options: { defaultBranch?: string } = {},
): Promise<string> {
  const path = resolve(root, relPath);
  await mkdir(path, { recursive: true });
  const branch = options.defaultBranch ?? 'main';
  await git(['-c', `init.defaultBranch=${branch}`, 'init', '--bare', '--quiet', path]);
  return path;
}

/**
 * An empty repository (no commits, no refs), as GitHub serves a freshly created one.
 * Same as {@link createBareRepo}; named for readability in tests of that edge case.
 */
export function createEmptyRepo(root: string, relPath: string): Promise<string> {
  return createBareRepo(root, relPath);
}

/** Content for one path in {@link RepoBuilder.commit}; `null` deletes the path. */
export type FileChanges = Record<string, string | null>;

/** Options for {@link RepoBuilder.commit}. */
export interface CommitOptions {
  /** Paths to write (or delete with `null`) on top of the parent's tree. */
  files?: FileChanges;
  message?: string;
}

/**
 * Shapes the refs and history of one bare repository, the way a user pushing to GitHub
 * would, but with plumbing commands straight on the bare repo (temporary index, no
 * working clone): quicker, and no clone that could drift from the repo being served.
 *
 * Every commit gets the next second after {@link BASE_TIME}, so the same sequence of
 * calls on a fresh repo always yields the same object ids.
 */
export class RepoBuilder {
  private clock = 0;

  /** @param path absolute path of an existing bare repository */
  constructor(readonly path: string) {}

  /** Creates the bare repository (see {@link createBareRepo}) and returns its builder. */
  static async create(
    root: string,
    relPath: string,
    options: { defaultBranch?: string } = {},
  ): Promise<RepoBuilder> {
    return new RepoBuilder(await createBareRepo(root, relPath, options));
  }

  /** Runs git inside the bare repository. */
  git(args: readonly string[], options: Omit<GitRunOptions, 'cwd'> = {}): Promise<string> {
    return git(args, { ...options, cwd: this.path });
  }

  /**
   * Adds a commit on top of `branch` (creating the branch with a root commit when it
   * does not exist yet) and returns its sha. Without `files`, one line is written to
   * `history.txt` so each commit changes the tree.
   */
  async commit(branch: string, options: CommitOptions = {}): Promise<string> {
    const ref = `refs/heads/${branch}`;
    const parent = await this.resolveOptional(ref);
    const tick = this.tick();
    const message = options.message ?? `commit ${tick} on ${branch}`;
    const files = options.files ?? { 'history.txt': `${message}\n` };
    const tree = await this.writeTree(parent, files);
    const sha = await this.commitTree(tree, parent ? [parent] : [], message, tick);
    await this.updateRef(ref, sha, parent ?? '');
    return sha;
  }

  /** Creates (or moves) branch `name` to the commit `fromRef` names; returns that sha. */
  async branch(name: string, fromRef: string): Promise<string> {
    const sha = await this.resolveCommit(fromRef);
    await this.updateRef(`refs/heads/${name}`, sha);
    return sha;
  }

  /**
   * Tags the commit `ref` names. Lightweight by default; `annotated` writes a tag object.
   * Returns the sha the tag ref holds (the tag object's sha when annotated).
   */
  async tag(
    name: string,
    ref: string,
    options: { annotated?: boolean; message?: string } = {},
  ): Promise<string> {
    const commit = await this.resolveCommit(ref);
    if (!options.annotated) {
      await this.updateRef(`refs/tags/${name}`, commit);
      return commit;
    }
    const tick = this.tick();
    await this.git(['tag', '-a', name, commit, '-m', options.message ?? `tag ${name}`], {
      env: dateEnv(tick),
    });
    return this.resolve(`refs/tags/${name}`);
  }

  /** Deletes a branch; fails when it does not exist. */
  async deleteBranch(name: string): Promise<void> {
    await this.git([
      'update-ref',
      '-d',
      `refs/heads/${name}`,
      await this.resolve(`refs/heads/${name}`),
    ]);
  }

  /** Deletes a tag; fails when it does not exist. */
  async deleteTag(name: string): Promise<void> {
    await this.git([
      'update-ref',
      '-d',
      `refs/tags/${name}`,
      await this.resolve(`refs/tags/${name}`),
    ]);
  }

  /**
   * Rewrites `branch` the way `git push --force` after an amend would: the new tip is a
   * sibling of the old one (same parent, different tree), so the old tip is no longer
   * reachable from the branch.
   */
  async forcePush(branch: string): Promise<{ old: string; new: string }> {
    const ref = `refs/heads/${branch}`;
    const old = await this.resolve(ref);
    const parent = await this.resolveOptional(`${old}^`);
    const tick = this.tick();
    const message = `rewritten ${tick} on ${branch}`;
    const tree = await this.writeTree(parent, { 'history.txt': `${message}\n` });
    const sha = await this.commitTree(tree, parent ? [parent] : [], message, tick);
    await this.updateRef(ref, sha, old);
    return { old, new: sha };
  }

  /** Points HEAD (the repository's default branch) at `branch`. */
  async setHead(branch: string): Promise<void> {
    await this.git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }

  /** The branch HEAD names, e.g. `main` (also when that branch has no commits yet). */
  headBranch(): Promise<string> {
    return this.git(['symbolic-ref', '--short', 'HEAD']);
  }

  /**
   * Writes GitHub's hidden pull request refs: `refs/pull/<n>/head` at `sha`, and unless
   * `merge: false`, `refs/pull/<n>/merge` at a merge commit of `base` (default: the HEAD
   * branch) and `sha`. A conflicting merge takes the pull request's tree, since only the
   * ref's existence and parents matter to a mirror.
   */
  async pullRef(
    n: number,
    sha: string,
    options: { base?: string; merge?: boolean } = {},
  ): Promise<{ head: string; merge?: string }> {
    const head = await this.resolveCommit(sha);
    await this.updateRef(`refs/pull/${n}/head`, head);
    if (options.merge === false) return { head };
    const base = await this.resolveCommit(options.base ?? (await this.headBranch()));
    const tree = await this.mergeTree(base, head);
    const merge = await this.commitTree(
      tree,
      [base, head],
      `Merge ${head} into ${base}`,
      this.tick(),
    );
    await this.updateRef(`refs/pull/${n}/merge`, merge);
    return { head, merge };
  }

  /** Every ref in the repository (heads, tags, pulls, ...) mapped to the sha it holds. */
  refs(): Promise<Record<string, string>> {
    return readRefs(this.path);
  }

  /** The sha `ref` names; rejects when it names nothing. */
  resolve(ref: string): Promise<string> {
    return this.git(['rev-parse', '--verify', '--quiet', ref]);
  }

  private resolveCommit(ref: string): Promise<string> {
    return this.resolve(`${ref}^{commit}`);
  }

  private async resolveOptional(ref: string): Promise<string | undefined> {
    try {
      return await this.resolve(ref);
    } catch {
      return undefined;
    }
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }

  /** Builds a tree from `parent`'s tree plus `files`, in a throwaway index file. */
  private async writeTree(parent: string | undefined, files: FileChanges): Promise<string> {
    const scratch = await makeTempDir('starbridge-index-');
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    try {
      await this.git(parent ? ['read-tree', parent] : ['read-tree', '--empty'], { env });
      const lines = await Promise.all(Object.entries(files).map(([p, c]) => this.indexLine(p, c)));
      // --index-info because plain `update-index --force-remove` insists on a work tree.
      await this.git(['update-index', '--index-info'], { env, input: lines.join('') });
      return await this.git(['write-tree'], { env });
    } finally {
      await removeTempDir(scratch);
    }
  }

  /** One `update-index --index-info` line: write the blob, or mode 0 to drop the path. */
  private async indexLine(path: string, content: string | null): Promise<string> {
    if (/[\t\n]/.test(path)) throw new Error(`unsupported file name: ${JSON.stringify(path)}`);
    if (content === null) return `0 ${'0'.repeat(40)}\t${path}\n`;
    const blob = await this.git(['hash-object', '-w', '--stdin'], { input: content });
    return `100644 ${blob}\t${path}\n`;
  }

  private async mergeTree(base: string, head: string): Promise<string> {
    try {
      const out = await this.git(['merge-tree', '--write-tree', base, head]);
      return out.split('\n')[0]!;
    } catch {
      return this.resolve(`${head}^{tree}`);
    }
  }

  private commitTree(
    tree: string,
    parents: string[],
    message: string,
    tick: number,
  ): Promise<string> {
    const parentArgs = parents.flatMap((p) => ['-p', p]);
    return this.git(['commit-tree', tree, ...parentArgs, '-m', message], { env: dateEnv(tick) });
  }

  /** Updates a ref; with `expectedOld` the update fails if someone else moved it. */
  private async updateRef(ref: string, sha: string, expectedOld?: string): Promise<void> {
    const args = ['update-ref', ref, sha];
    if (expectedOld !== undefined) args.push(expectedOld);
    await this.git(args);
  }
}

function dateEnv(tick: number): Record<string, string> {
  const date = `@${BASE_TIME + tick} +0000`;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

/** Every ref of the repository at `repoPath` mapped to the sha it holds (tag objects unpeeled). */
export async function readRefs(repoPath: string): Promise<Record<string, string>> {
  const out = await git(['for-each-ref', '--format=%(objectname) %(refname)'], { cwd: repoPath });
  const refs: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs[line.slice(space + 1)] = line.slice(0, space);
  }
  return refs;
}

/** Shape of the history {@link generateLargeRepo} writes. */
export interface LargeRepoOptions {
  /** Commits on the default branch, in one line of history. Default 5000. */
  commits?: number;
  /** Branches besides the default one, each at a commit spread through history. Default 50. */
  branches?: number;
  /** Tags spread through history; every other one is annotated. Default 200. */
  tags?: number;
  /** Distinct files the commits take turns changing. Default 100. */
  files?: number;
  /**
   * Bytes each commit writes to its file: deterministic pseudo-random text that neither
   * compresses well nor deltas against earlier versions, so the repository's size grows
   * with it. Default 0 (one short line per commit).
   */
  bytesPerCommit?: number;
}

/** What {@link generateLargeRepo} wrote. */
export interface LargeRepo {
  defaultBranch: string;
  /** Tip of the default branch. */
  head: string;
  commits: number;
  /** Extra branch names (the default branch is not included). */
  branches: string[];
  tags: string[];
}

/**
 * Fills an empty bare repository with a large history for benchmarks. Everything goes
 * through a single `git fast-import` process (one pack, no per-commit process spawn),
 * which writes 5,000 commits in well under a second. Output is deterministic.
 */
export async function generateLargeRepo(
  bareRepoPath: string,
  options: LargeRepoOptions = {},
): Promise<LargeRepo> {
  const shape = {
    commits: options.commits ?? 5000,
    branches: options.branches ?? 50,
    tags: options.tags ?? 200,
    files: options.files ?? 100,
    bytesPerCommit: options.bytesPerCommit ?? 0,
  };
  if (shape.commits < 1) throw new Error('generateLargeRepo needs at least one commit');
  const defaultBranch = await git(['symbolic-ref', '--short', 'HEAD'], { cwd: bareRepoPath });
  const branches = Array.from({ length: shape.branches }, (_, i) => `branch-${pad(i + 1)}`);
  const tags = Array.from({ length: shape.tags }, (_, i) => `v1.${pad(i + 1)}.0`);
  const stream = [
    ...commitStream(defaultBranch, shape.commits, shape.files, shape.bytesPerCommit),
    ...branches.map((name, i) => resetStream(name, spread(i, branches.length, shape.commits))),
    ...tags.map((name, i) => tagStream(name, i, spread(i, tags.length, shape.commits))),
    'done\n',
  ].join('');
  await git(['fast-import', '--quiet', '--done'], { cwd: bareRepoPath, input: stream });
  const head = await git(['rev-parse', `refs/heads/${defaultBranch}`], { cwd: bareRepoPath });
  return { defaultBranch, head, commits: shape.commits, branches, tags };
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}

/** Mark (1-based commit number) of the i-th of `count` refs, evenly spaced, never 0. */
function spread(i: number, count: number, commits: number): number {
  return Math.max(1, Math.floor(((i + 1) * commits) / (count + 1)));
}

function* commitStream(
  branch: string,
  commits: number,
  files: number,
  bytes: number,
): Generator<string> {
  for (let mark = 1; mark <= commits; mark++) {
    const message = `commit ${mark}\n`;
    const content = `line ${mark}\n${filler(mark, bytes)}`;
    const from = mark === 1 ? '' : `from :${mark - 1}\n`;
    yield `commit refs/heads/${branch}\nmark :${mark}\n${signature('author', mark)}${signature('committer', mark)}${data(message)}${from}M 100644 inline file-${mark % files}.txt\n${data(content)}\n`;
  }
}

/** `bytes` of hex text derived from `seed`, wrapped at 64 characters like a listing. */
function filler(seed: number, bytes: number): string {
  const lines: string[] = [];
  let block = createHash('sha256').update(`filler ${seed}`).digest();
  for (let written = 0; written < bytes; written += 65) {
    block = createHash('sha256').update(block).digest();
    lines.push(block.toString('hex'));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function resetStream(branch: string, mark: number): string {
  return `reset refs/heads/${branch}\nfrom :${mark}\n\n`;
}

function tagStream(name: string, index: number, mark: number): string {
  if (index % 2 === 1) return `reset refs/tags/${name}\nfrom :${mark}\n\n`;
  return `tag ${name}\nfrom :${mark}\n${signature('tagger', mark)}${data(`release ${name}\n`)}\n`;
}

function signature(role: 'author' | 'committer' | 'tagger', tick: number): string {
  return `${role} ${IDENTITY.name} <${IDENTITY.email}> ${BASE_TIME + tick} +0000\n`;
}

/** A fast-import `data` block; the length counts bytes, not UTF-16 units. */
function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}`;
}

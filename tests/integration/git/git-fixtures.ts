import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitEngine, type GitEngineOptions } from '../../../src/git/git.adapter.js';
import type { RefMap } from '../../../src/git/git.port.js';
import type { SpawnFn } from '../../../src/git/git-process.js';
import { git, makeTempDir, readRefs, removeTempDir } from '../../support/git-repos.js';
import { type GitServer, startGitServer } from '../../support/git-server.js';

/** Recognisable fake credentials: every test asserts they never leak. */
export const SOURCE_TOKEN = 'ghp_SourceTokenDoNotLeak0123456789';
export const TARGET_TOKEN = 'onedev_TargetTokenDoNotLeak987654';

export interface SpawnCall {
  args: string[];
  env: Record<string, string>;
  child: ChildProcess;
}

/** A real spawn that records what git was given. */
export function spawnSpy(): { spawn: SpawnFn; calls: SpawnCall[] } {
  const calls: SpawnCall[] = [];
  const spy: SpawnFn = (command, args, options: SpawnOptions) => {
    const child = spawn(command, args, options);
    calls.push({ args: [...args], env: { ...(options.env as Record<string, string>) }, child });
    return child;
  };
  return { spawn: spy, calls };
}

/** A temp workspace with a GitHub-like and a OneDev-like server, both demanding a bearer token. */
export interface Workspace {
  dir: string;
  sourceRoot: string;
  targetRoot: string;
  source: GitServer;
  target: GitServer;
  cacheDir: string;
  homeDir: string;
  spy: ReturnType<typeof spawnSpy>;
  engine(options?: Partial<GitEngineOptions>): ReturnType<typeof createGitEngine>;
  sourceRemote(path: string, token?: string): { url: string; authorization: string };
  targetRemote(path: string, token?: string): { url: string; authorization: string };
  close(): Promise<void>;
}

export async function createWorkspace(): Promise<Workspace> {
  const dir = await makeTempDir('starbridge-git-engine-');
  const sourceRoot = join(dir, 'github');
  const targetRoot = join(dir, 'onedev');
  await mkdir(sourceRoot, { recursive: true });
  await mkdir(targetRoot, { recursive: true });
  const source = await startGitServer({ root: sourceRoot, auth: { bearer: SOURCE_TOKEN } });
  const target = await startGitServer({ root: targetRoot, auth: { bearer: TARGET_TOKEN } });
  const spy = spawnSpy();
  const homeDir = join(dir, 'home');
  return {
    dir,
    sourceRoot,
    targetRoot,
    source,
    target,
    cacheDir: join(dir, 'cache', 'octocat', 'hello.git'),
    homeDir,
    spy,
    engine: (options = {}) =>
      createGitEngine({
        homeDir,
        allowHttp: true,
        path: process.env.PATH,
        spawn: spy.spawn,
        ...options,
      }),
    sourceRemote: (path, token = SOURCE_TOKEN) => ({
      url: `${source.url}/${path}`,
      authorization: `Bearer ${token}`,
    }),
    targetRemote: (path, token = TARGET_TOKEN) => ({
      url: `${target.url}/${path}`,
      authorization: `Bearer ${token}`,
    }),
    async close() {
      await source.close();
      await target.close();
      await removeTempDir(dir);
    },
  };
}

/** The refs a mirror must carry: heads and tags only. */
export async function mirroredRefs(repoPath: string): Promise<RefMap> {
  const all = await readRefs(repoPath);
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => /^refs\/(heads|tags)\//.test(name)),
  );
}

/** Objects stored in a repository, loose plus packed (duplicates across packs count twice). */
export async function objectCount(repoPath: string): Promise<number> {
  const out = await git(['count-objects', '-v'], { cwd: repoPath });
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return field('count') + field('in-pack');
}

/** Asserts a secret is absent from everything an error carries. */
export function expectNoSecret(error: unknown, secret: string): void {
  const e = error as Error & { stderrTail?: string; cause?: unknown };
  const everything = [
    e.message,
    e.stack ?? '',
    e.stderrTail ?? '',
    String(e.cause ?? ''),
    JSON.stringify(e),
  ];
  for (const text of everything) {
    if (text.includes(secret)) throw new Error(`secret leaked into error: ${text}`);
  }
}

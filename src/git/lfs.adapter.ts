import { resolve } from 'node:path';
import type { GitRemote } from './git.port.js';
import { gitDir } from './git-cache-repo.js';
import { refusal } from './git-errors.js';
import { createGitRunner, type GitEngineOptions, type RunOptions } from './git-runner.js';
import type { LfsEngine, LfsObject } from './lfs.port.js';
import { queryHolding } from './lfs-batch.js';

export interface LfsEngineOptions extends GitEngineOptions {
  /** The HTTP client for batch requests; the global fetch unless given. */
  fetch?: typeof fetch;
}

const OID = /^[0-9a-f]{64}$/;
/** Object ids per `git lfs push` call, well under any argument-length limit. */
const PUSH_CHUNK = 1000;

/**
 * LFS on the real `git-lfs` binary, run through git (`git lfs …`) with the git engine's
 * environment (docs/reference/bad-inputs.md#git-invocation-rules). The credential is configured
 * for the remote's URL only: git-lfs follows the transfer links a server hands out, and GitHub's
 * point at another host with their own credential (docs/reference/github.md#lfs,
 * docs/reference/bad-inputs.md#g22).
 */
export function createLfsEngine(options: LfsEngineOptions): LfsEngine {
  const git = createGitRunner(options);
  const remoteRun = (remote: GitRemote, signal?: AbortSignal): RunOptions => {
    const url = git.checkedUrl(remote);
    return {
      remote,
      credentialScope: url,
      // Locks are not mirrored; without this git-lfs asks the server about them on push.
      config: [
        [`lfs.${url}/info/lfs.locksverify`, 'false'],
        ['lfs.locksverify', 'false'],
      ],
      ...(signal ? { signal } : {}),
    };
  };

  return {
    async version() {
      const result = await git.run('lfs version', ['lfs', 'version'], { accept: () => true });
      const match = /git-lfs\/(\d+(?:\.\d+)+)/.exec(result.stdout);
      return result.exitCode === 0 && match?.[1] ? match[1] : undefined;
    },

    async scan(cacheDir, signal) {
      const dir = resolve(cacheDir);
      const args = [gitDir(dir), 'lfs', 'ls-files', '--all', '--json'];
      const result = await git.run('lfs ls-files', args, signal ? { signal } : {});
      return parseScan(result.stdout);
    },

    async fetch(cacheDir, remote, signal) {
      const run = remoteRun(remote, signal);
      const args = [
        gitDir(resolve(cacheDir)),
        'lfs',
        'fetch',
        '--all',
        '--',
        git.checkedUrl(remote),
      ];
      await git.run('lfs fetch', args, run);
    },

    async push(cacheDir, remote, oids, signal) {
      for (const oid of oids)
        if (!OID.test(oid)) throw refusal('unknown', `not an LFS object id: ${oid.slice(0, 80)}`);
      const run = remoteRun(remote, signal);
      const url = git.checkedUrl(remote);
      for (let i = 0; i < oids.length; i += PUSH_CHUNK) {
        const chunk = oids.slice(i, i + PUSH_CHUNK);
        const args = [gitDir(resolve(cacheDir)), 'lfs', 'push', '--object-id', '--', url, ...chunk];
        await git.run('lfs push', args, run);
      }
    },

    holding: (remote, objects, signal) =>
      queryHolding(remote, objects, { allowHttp: options.allowHttp, fetch: options.fetch }, signal),
  };
}

interface LsFilesEntry {
  name?: unknown;
  size?: unknown;
  oid?: unknown;
  downloaded?: unknown;
}

/** `git lfs ls-files --all --json`: one entry per pointer; an object may appear at many paths. */
export function parseScan(stdout: string): { objects: LfsObject[]; missingLocally: LfsObject[] } {
  let files: LsFilesEntry[] = [];
  try {
    files = ((JSON.parse(stdout) as { files?: LsFilesEntry[] | null }).files ??
      []) as LsFilesEntry[];
  } catch {
    throw refusal('unknown', `unrecognised git lfs ls-files output: ${stdout.slice(0, 100)}`);
  }
  const seen = new Map<string, LfsObject & { downloaded: boolean }>();
  for (const file of files) {
    if (typeof file.oid !== 'string' || !OID.test(file.oid) || seen.has(file.oid)) continue;
    seen.set(file.oid, {
      oid: file.oid,
      size: typeof file.size === 'number' ? file.size : 0,
      path: typeof file.name === 'string' ? file.name : '',
      downloaded: file.downloaded === true,
    });
  }
  const all = [...seen.values()];
  const strip = ({ oid, size, path }: LfsObject): LfsObject => ({ oid, size, path });
  return { objects: all.map(strip), missingLocally: all.filter((o) => !o.downloaded).map(strip) };
}

import { resolve } from 'node:path';
import type { GitEngine, GitRemote, LsRemoteResult } from './git.port.js';
import { KeyedQueue } from './git-cache.js';
import {
  cacheIsNew,
  cloneIntoCache,
  gitDir,
  initCache,
  prepareCache,
  pruneAgainst,
  readCacheRefs,
} from './git-cache-repo.js';
import { refusal } from './git-errors.js';
import {
  bundleKept,
  checkKeptRef,
  deleteRemoteKept,
  dropFromCache,
  keepInCache,
} from './git-history.js';
import { parseLsRemote } from './git-refs.js';
import { describeUrl } from './git-remote.js';
import { createGitRunner, type GitEngineOptions } from './git-runner.js';
import { bytesWritten, FETCH_CONFIG, newPackBytes, packSizes } from './git-transfer.js';

export type { GitEngineOptions } from './git-runner.js';

const FETCH_REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
const PUSH_REFSPECS = ['refs/heads/*:refs/heads/*', 'refs/tags/*:refs/tags/*'];
const MISSING_OBJECT =
  /Not a valid (?:commit|object) name|bad object|unknown revision|could not parse|not a commit/i;

/**
 * The git engine on the real `git` binary (docs/reference/bad-inputs.md#git-invocation-rules):
 * argument arrays, never a shell; `--` before every URL; a minimal environment with the credential
 * only in `GIT_CONFIG_*`; only heads and tags; one kill timeout per command. Operations on the same
 * cache run one at a time.
 */
export function createGitEngine(options: GitEngineOptions): GitEngine {
  const git = createGitRunner(options);
  const queue = new KeyedQueue();

  async function lsRemote(remote: GitRemote, signal?: AbortSignal): Promise<LsRemoteResult> {
    const url = git.checkedUrl(remote);
    const args = ['ls-remote', '--symref', '--', url, 'HEAD', 'refs/heads/*', 'refs/tags/*'];
    const result = await git.run('ls-remote', args, { remote, signal });
    return parseLsRemote(result.stdout);
  }

  return {
    lsRemote,

    fetchToCache(cacheDir, remote, signal, seed, onBytes) {
      const dir = resolve(cacheDir);
      return queue.run(dir, async () => {
        const url = git.checkedUrl(remote);
        if (await cacheIsNew(dir)) {
          if (!seed) {
            await cloneIntoCache(git, dir, url, { remote, signal });
            onBytes?.(newPackBytes(new Map(), await packSizes(dir)));
            return readCacheRefs(git, dir);
          }
          // A failed seed leaves an empty cache behind: the fetch below then fills it from
          // the source as a clone would have.
          await cloneIntoCache(git, dir, git.checkedUrl(seed), { remote: seed, signal }).catch(
            (error: unknown) => {
              if (signal?.aborted) throw error;
            },
          );
        }
        await prepareCache(git, dir);
        const args = [gitDir(dir), 'fetch', '--prune', '--no-tags', '--no-recurse-submodules'];
        const packs = await packSizes(dir);
        const fetched = await git.run('fetch', [...args, '--', url, ...FETCH_REFSPECS], {
          remote,
          signal,
          config: FETCH_CONFIG,
        });
        onBytes?.(newPackBytes(packs, await packSizes(dir)));
        // The repack a fetch would have run itself, once its packs are counted; like git's
        // own, a failed one leaves the fetch as it is.
        await git.run('maintenance', [gitDir(dir), 'maintenance', 'run', '--auto', '--quiet'], {
          signal,
          accept: () => true,
        });
        const refs = await readCacheRefs(git, dir);
        // Nothing reported as changed while refs are cached: check the remote still has them.
        if (Object.keys(refs).length > 0 && !fetched.stderr.includes('->')) {
          const current = await lsRemote(remote, signal);
          if (await pruneAgainst(git, dir, refs, current.refs)) return readCacheRefs(git, dir);
        }
        return refs;
      });
    },

    pushFromCache(cacheDir, remote, signal, cachedRefs, alsoPush = [], onBytes) {
      const dir = resolve(cacheDir);
      return queue.run(dir, async () => {
        const url = git.checkedUrl(remote);
        let refs = cachedRefs;
        if (!refs) {
          await prepareCache(git, dir);
          refs = await readCacheRefs(git, dir);
        }
        if (Object.keys(refs).length === 0) {
          throw refusal(
            'rejected',
            `refusing to push to ${describeUrl(url)} from an empty cache: an atomic prune push would delete every branch and tag on the target`,
          );
        }
        for (const ref of alsoPush) checkKeptRef(ref);
        // --prune acts on the heads and tags refspecs only: kept refs on the target stay.
        const kept = alsoPush.map((ref) => `${ref}:${ref}`);
        const args = [gitDir(dir), 'push', '--atomic', '--force', '--prune', '--porcelain'];
        args.push('--progress');
        const pushed = await git.run('push', [...args, '--', url, ...PUSH_REFSPECS, ...kept], {
          remote,
          signal,
        });
        // --porcelain reports a rejected ref as `!` on stdout; never let one pass as success.
        if (/^!\t/m.test(pushed.stdout))
          throw git.failure('push', { ...pushed, exitCode: 1 }, remote);
        onBytes?.(bytesWritten(pushed.stderr));
      });
    },

    pushBranch(cacheDir, remote, branch, signal) {
      const dir = resolve(cacheDir);
      return queue.run(dir, async () => {
        const url = git.checkedUrl(remote);
        const ref = `refs/heads/${branch}`;
        if (branch === '' || /[\s\0:*?[\\^~]/.test(branch) || branch.startsWith('-')) {
          throw refusal('unknown', `not a branch name: ${JSON.stringify(branch.slice(0, 80))}`);
        }
        const args = [gitDir(dir), 'push', '--force', '--porcelain', '--', url, `${ref}:${ref}`];
        const pushed = await git.run('push', args, { remote, signal });
        if (/^!\t/m.test(pushed.stdout))
          throw git.failure('push', { ...pushed, exitCode: 1 }, remote);
      });
    },

    keepRefs(cacheDir, from, kept, signal) {
      const dir = resolve(cacheDir);
      return queue.run(dir, async () => {
        await prepareCache(git, dir);
        await keepInCache(git, dir, from, kept, signal);
      });
    },

    bundleRef(cacheDir, ref, file) {
      const dir = resolve(cacheDir);
      return queue.run(dir, () => bundleKept(git, dir, ref, resolve(file)));
    },

    deleteKeptRefs(cacheDir, remote, refs, signal) {
      const dir = resolve(cacheDir);
      return queue.run(dir, async () => {
        if (refs.length === 0) return;
        if (await cacheIsNew(dir)) await initCache(git, dir);
        await deleteRemoteKept(git, dir, remote, refs, signal);
        await dropFromCache(git, dir, refs);
      });
    },

    async isAncestor(cacheDir, ancestor, descendant) {
      for (const rev of [ancestor, descendant]) {
        if (rev === '' || rev.startsWith('-') || /[\s\0]/.test(rev)) {
          throw refusal('unknown', `not a revision: ${JSON.stringify(rev.slice(0, 80))}`);
        }
      }
      const args = [gitDir(resolve(cacheDir)), 'merge-base', '--is-ancestor', '--end-of-options'];
      const result = await git.run('merge-base', [...args, ancestor, descendant], {
        accept: (r) => r.exitCode === 1 || (r.exitCode === 128 && MISSING_OBJECT.test(r.stderr)),
      });
      return result.exitCode === 0;
    },

    async changedFiles(cacheDir, from, to) {
      for (const rev of [from, to]) {
        if (!/^[0-9a-f]{40,64}$/.test(rev)) {
          throw refusal('unknown', `not a commit id: ${JSON.stringify(rev.slice(0, 80))}`);
        }
      }
      // -z: names exactly as stored (no quoting of unusual characters); no renames, so a
      // moved file counts at both its old and its new path.
      const args = [gitDir(resolve(cacheDir)), 'diff', '--name-only', '-z', '--no-renames'];
      const result = await git.run('diff', [...args, '--end-of-options', from, to], {
        accept: (r) => r.exitCode === 128 && MISSING_OBJECT.test(r.stderr),
      });
      if (result.exitCode !== 0) return undefined;
      return result.stdout.split('\0').filter(Boolean);
    },

    async version() {
      const result = await git.run('--version', ['--version']);
      const match = /git version (\d+(?:\.\d+)+)/.exec(result.stdout);
      if (!match?.[1]) {
        throw refusal(
          'unknown',
          `unrecognised git --version output: ${result.stdout.slice(0, 100)}`,
        );
      }
      return match[1];
    },
  };
}

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GitRemote, KeptRef } from './git.port.js';
import { gitDir } from './git-cache-repo.js';
import { refusal } from './git-errors.js';
import type { GitRunner } from './git-runner.js';

/** Where kept tips live, in the cache and on the target; never a head or a tag. */
export const KEPT_PREFIX = 'refs/starbridge/';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Refuses a kept ref name or object id git could misread (an option, a pattern, a bad name). */
export function checkKeptRef(ref: string, sha?: string): void {
  const badName =
    !ref.startsWith(KEPT_PREFIX) ||
    /[\s\0:*?[\\^~]|\.\.|@\{|\/\/|\/$|\.lock(?:\/|$)/.test(ref) ||
    ref.split('/').some((part) => part === '' || part.startsWith('.'));
  if (badName)
    throw refusal('unknown', `not a kept ref name: ${JSON.stringify(ref.slice(0, 120))}`);
  if (sha !== undefined && !SHA.test(sha))
    throw refusal('unknown', `not an object id: ${JSON.stringify(sha.slice(0, 80))}`);
}

/**
 * Writes each kept ref into the cache at its old tip. A tip the cache no longer holds (a cache
 * made again since) is fetched first from `from` under the ref that still points at it there.
 */
export async function keepInCache(
  git: GitRunner,
  cacheDir: string,
  from: GitRemote,
  kept: KeptRef[],
  signal?: AbortSignal,
): Promise<void> {
  for (const { ref, sha } of kept) checkKeptRef(ref, sha);
  const missing: KeptRef[] = [];
  for (const entry of kept) {
    const probe = await git.run('cat-file', [gitDir(cacheDir), 'cat-file', '-e', entry.sha], {
      accept: (r) => r.exitCode !== 0,
    });
    if (probe.exitCode !== 0) missing.push(entry);
  }
  if (missing.length > 0) {
    const url = git.checkedUrl(from);
    const specs = missing.map((entry) => {
      if (!/^refs\/(?:heads|tags)\/[^\s\0:*?[\\^~]+$/.test(entry.source))
        throw refusal(
          'unknown',
          `not a branch or tag: ${JSON.stringify(entry.source.slice(0, 120))}`,
        );
      return `+${entry.source}:${entry.ref}`;
    });
    const args = [gitDir(cacheDir), 'fetch', '--no-tags', '--no-write-fetch-head'];
    await git.run('fetch', [...args, '--', url, ...specs], { remote: from, signal });
  }
  const input = kept.map(({ ref, sha }) => `update ${ref} ${sha}\n`).join('');
  await git.run('update-ref', [gitDir(cacheDir), 'update-ref', '--stdin'], { input });
}

/** Writes a bundle of one kept ref of the cache (everything reachable from it) to `file`. */
export async function bundleKept(
  git: GitRunner,
  cacheDir: string,
  ref: string,
  file: string,
): Promise<void> {
  checkKeptRef(ref);
  await mkdir(dirname(file), { recursive: true });
  await git.run('bundle', [gitDir(cacheDir), 'bundle', 'create', '--quiet', file, ref]);
}

/**
 * Deletes refs of the target in one atomic push, from the cache (git pushes from a repository);
 * a ref already gone is not an error, so a retry after an unclear failure is harmless.
 */
export async function deleteRemoteKept(
  git: GitRunner,
  cacheDir: string,
  remote: GitRemote,
  refs: string[],
  signal?: AbortSignal,
): Promise<void> {
  for (const ref of refs) checkKeptRef(ref);
  const url = git.checkedUrl(remote);
  const listed = await git.run('ls-remote', ['ls-remote', '--', url, `${KEPT_PREFIX}*`], {
    remote,
    signal,
  });
  const present = new Set(listed.stdout.split('\n').map((line) => line.split('\t')[1]?.trim()));
  const specs = refs.filter((ref) => present.has(ref)).map((ref) => `:${ref}`);
  if (specs.length === 0) return;
  const args = [gitDir(cacheDir), 'push', '--atomic', '--porcelain', '--', url, ...specs];
  const pushed = await git.run('push', args, { remote, signal });
  if (/^!\t/m.test(pushed.stdout)) throw git.failure('push', { ...pushed, exitCode: 1 }, remote);
}

/** Deletes kept refs of the cache (they only hold objects for a push or a bundle). */
export async function dropFromCache(
  git: GitRunner,
  cacheDir: string,
  refs: string[],
): Promise<void> {
  if (refs.length === 0) return;
  for (const ref of refs) checkKeptRef(ref);
  const input = refs.map((ref) => `delete ${ref}\n`).join('');
  await git.run('update-ref', [gitDir(cacheDir), 'update-ref', '--stdin'], { input });
}

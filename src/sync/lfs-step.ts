import type { GitRemote } from '../git/git.port.js';
import type { LfsEngine, LfsObject } from '../git/lfs.port.js';
import { formatBytes } from '../shared/bytes.js';
import { type QuickRetryEvent, quickRetry, type Upstream } from '../shared/quick-retry.js';
import { UpstreamError } from '../shared/upstream-error.js';

/** How a sync mirrors LFS objects; absent from the sync's dependencies when LFS mirroring is off. */
export interface LfsStepDeps {
  lfs: LfsEngine;
  /** Most bytes of LFS objects one mirror may hold (`LFS_MAX_BYTES`); no limit when undefined. */
  maxBytes?: number;
}

/** What the LFS step did: objects and bytes it uploaded to OneDev, and what the mirror holds. */
export interface LfsOutcome {
  objects: number;
  bytes: number;
  totalObjects: number;
  totalBytes: number;
}

export interface LfsStepContext {
  cacheDir: string;
  source: GitRemote;
  target: GitRemote;
  /** `owner/name`, for messages. */
  repository: string;
  signal?: AbortSignal;
  onQuickRetry?: (event: QuickRetryEvent) => void;
  quickRetries?: number;
}

/**
 * Brings OneDev's LFS store up to every object the cache's heads and tags point at, before the
 * refs are pushed (a ref must never reach OneDev ahead of its objects): list the pointers, refuse a
 * mirror over the size cap, download what the cache lacks, ask OneDev which objects it holds,
 * upload the rest by object id, then ask again — an object still missing fails the sync.
 * A repository without LFS pointers costs one local scan and no request.
 */
export async function mirrorLfs(deps: LfsStepDeps, ctx: LfsStepContext): Promise<LfsOutcome> {
  const { lfs } = deps;
  const retried = <T>(call: string, upstream: Upstream, run: () => Promise<T>): Promise<T> =>
    quickRetry(run, {
      call,
      upstream,
      signal: ctx.signal,
      onRetry: ctx.onQuickRetry,
      attempts: ctx.quickRetries === undefined ? undefined : ctx.quickRetries + 1,
    });
  const scan = await lfs.scan(ctx.cacheDir, ctx.signal);
  const total = sizeOf(scan.objects);
  const outcome = { objects: 0, bytes: 0, totalObjects: scan.objects.length, totalBytes: total };
  if (scan.objects.length === 0) return outcome;
  checkCap(deps.maxBytes, total, scan.objects.length, ctx.repository);

  if (scan.missingLocally.length > 0) {
    await retried('git lfs fetch', 'github', () =>
      lfs.fetch(ctx.cacheDir, ctx.source, ctx.signal),
    ).catch((error: unknown) => explainFetchFailure(lfs, ctx, scan.objects, error));
  }

  const before = await retried('lfs batch', 'onedev', () =>
    lfs.holding(ctx.target, scan.objects, ctx.signal),
  );
  refuseRejected(before.missing, scan.objects);
  const wanted = new Set(before.missing.map((m) => m.oid));
  const upload = scan.objects.filter((o) => wanted.has(o.oid));
  if (upload.length === 0) return outcome;
  const oids = upload.map((o) => o.oid);
  await retried('git lfs push', 'onedev', () =>
    lfs.push(ctx.cacheDir, ctx.target, oids, ctx.signal),
  );
  const after = await retried('lfs batch', 'onedev', () =>
    lfs.holding(ctx.target, scan.objects, ctx.signal),
  );
  if (after.missing.length > 0) {
    throw new UpstreamError(
      'lfs_verify',
      `OneDev does not hold ${after.missing.length} LFS object(s) after the upload: ${describe(after.missing, scan.objects)}`,
      { retryable: true },
    );
  }
  return { ...outcome, objects: upload.length, bytes: sizeOf(upload) };
}

/** Refused before any download (docs/reference/bad-inputs.md#g21). */
function checkCap(maxBytes: number | undefined, total: number, count: number, repo: string): void {
  if (maxBytes === undefined || total <= maxBytes) return;
  throw new UpstreamError(
    'lfs_too_large',
    `the LFS objects of ${repo} total ${formatBytes(total)} (${total} bytes in ${count} objects), over LFS_MAX_BYTES (${formatBytes(maxBytes)}): raise LFS_MAX_BYTES or stop mirroring this repository`,
    { retryable: false },
  );
}

/**
 * A download that failed because GitHub lacks objects says so by name
 * (docs/reference/bad-inputs.md#g20); anything else (network, credentials) is passed on as
 * git-lfs reported it.
 */
async function explainFetchFailure(
  lfs: LfsEngine,
  ctx: LfsStepContext,
  objects: LfsObject[],
  error: unknown,
): Promise<never> {
  const rescan = await lfs.scan(ctx.cacheDir, ctx.signal).catch(() => undefined);
  if (!rescan || rescan.missingLocally.length === 0) throw error;
  const atSource = await lfs
    .holding(ctx.source, rescan.missingLocally, ctx.signal)
    .catch(() => undefined);
  if (!atSource || atSource.missing.length === 0) throw error;
  throw new UpstreamError(
    'lfs_missing',
    `GitHub does not have ${atSource.missing.length} LFS object(s) that ${ctx.repository}'s branches or tags point at: ${describe(atSource.missing, objects)}. Whoever pushed them must push the LFS objects too (git lfs push --all); until then the mirror is not updated`,
    { retryable: false },
  );
}

/** OneDev answers 406 for an object over its maximum LFS file size: uploading cannot succeed. */
function refuseRejected(
  missing: Array<{ oid: string; message: string; code?: number }>,
  objects: LfsObject[],
): void {
  const refused = missing.filter((m) => m.code === 406 || m.code === 413);
  if (refused.length === 0) return;
  throw new UpstreamError(
    'lfs_refused',
    `OneDev refuses ${refused.length} LFS object(s): ${describe(refused, objects)}. Raise OneDev's maximum LFS file size (Administration → Performance Settings)`,
    { retryable: false },
  );
}

function describe(missing: Array<{ oid: string; message: string }>, objects: LfsObject[]): string {
  const byOid = new Map(objects.map((o) => [o.oid, o]));
  const shown = missing.slice(0, 5).map((m) => {
    const known = byOid.get(m.oid);
    const where = known ? ` ${known.path}, ${formatBytes(known.size)}` : '';
    return `${m.oid} (${where.trim() ? `${where.trim()}: ` : ''}${m.message})`;
  });
  const more = missing.length > shown.length ? `; and ${missing.length - shown.length} more` : '';
  return `${shown.join('; ')}${more}`;
}

function sizeOf(objects: ReadonlyArray<{ size: number }>): number {
  return objects.reduce((sum, o) => sum + o.size, 0);
}
